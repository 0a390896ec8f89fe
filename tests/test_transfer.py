import numpy as np
import pytest

from partdistill.errors import PartDistillError
from partdistill.geometry.sampling import sample_surface
from partdistill.mesh import Mesh
from partdistill.transfer import mesh_labels, transfer_labels, transfer_probs

# Points on the x axis at 1, 2, 3, ...: for a target at the origin the i-th nearest is point i.
LINE = np.array([[i + 1.0, 0, 0] for i in range(6)])
ORIGIN = np.zeros((1, 3))


def _vote_at_origin(labels, k=5):
    """The label voted at the origin from LINE points labelled (nearest first) `labels`."""
    return transfer_labels(LINE[: len(labels)], np.array(labels), ORIGIN, k=k)[0]


@pytest.mark.parametrize(
    "labels, expected",
    [
        ([0, 1, 1, 2, 1], 1),  # plain majority, although the nearest point says 0
        ([2, 2, 0, 0, 0, 2], 0),  # the 6th point is outside k = 5
        ([-1, -1, -1, 3, 3], 3),  # unlabelled points do not vote, even as a majority
        ([-1, -1, -1, -1, -1], -1),  # nobody votes
        ([-1, -1, -1, 4, -1, 4], 4),
    ],
)
def test_majority_vote_hand_examples(labels, expected):
    assert _vote_at_origin(labels) == expected


@pytest.mark.parametrize(
    "labels, expected",
    [
        ([1, 0, 0, 1, 2], 1),  # 1 and 0 both have 2 votes; 1 holds the nearest point
        ([5, 7, 7, 5], 5),  # ranks 0+3 vs 1+2: a rank-sum bonus would tie here, nearest-first does not
        ([-1, 2, 6, 6, 2], 2),
        ([3, 1, 2, 0, 4], 3),  # all single votes: the nearest point decides
    ],
)
def test_ties_go_to_the_nearer_points(labels, expected):
    assert _vote_at_origin(labels) == expected


def test_many_targets_and_k_variants():
    targets = np.array([[0.0, 0, 0], [7.0, 0, 0], [3.4, 0, 0]])
    labels = np.array([0, 0, 1, 1, 1, 2])
    assert transfer_labels(LINE, labels, targets, k=1).tolist() == [0, 2, 1]
    assert transfer_labels(LINE, labels, targets, k=3).tolist() == [0, 1, 1]
    # k beyond N is clamped to N: all 6 points vote everywhere, 1 has the most votes
    assert transfer_labels(LINE, labels, targets, k=50).tolist() == [1, 1, 1]
    out = transfer_labels(LINE.tolist(), labels.tolist(), targets)
    assert out.dtype == np.int64 and out.shape == (3,)


def test_transfer_probs_is_the_mean_of_the_k_nearest_rows():
    probs = np.array([[1.0, 0], [0, 1], [0.5, 0.5], [0.2, 0.8], [1, 0], [0, 1]])
    out = transfer_probs(LINE, probs, np.array([[0.0, 0, 0], [6.5, 0, 0]]), k=2)
    np.testing.assert_allclose(out, [[0.5, 0.5], [0.5, 0.5]])
    out = transfer_probs(LINE, probs, ORIGIN, k=4)
    np.testing.assert_allclose(out, [[1.7 / 4, 2.3 / 4]])
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    assert transfer_probs(LINE, probs, ORIGIN, k=100).shape == (1, 2)  # clamped, not an error


def _strip() -> Mesh:
    """Two unit squares side by side in the z=0 plane, x in [0, 1] (part 0) and [1, 2] (part 1),
    sharing the edge x = 1; two triangles each."""
    v = np.array([[0, 0, 0], [1, 0, 0], [2, 0, 0], [0, 1, 0], [1, 1, 0], [2, 1, 0]], dtype=float)
    f = np.array([[0, 1, 4], [0, 4, 3], [1, 2, 5], [1, 5, 4]])
    return Mesh(v, f, face_labels=np.array([0, 0, 1, 1]), part_names=("left", "right"))


def test_mesh_labels_on_a_two_part_mesh():
    mesh = _strip()
    pts, fid, _ = sample_surface(mesh, 400, seed=0)
    vertex_labels, face_labels = mesh_labels(mesh, pts, mesh.face_labels[fid])
    # Faces vote at their centroids, well inside their part, so all four come out right.
    assert face_labels.tolist() == [0, 0, 1, 1]
    assert vertex_labels.shape == (6,)
    # Outer corners are unambiguous; the shared-edge vertices 1 and 4 may go either way.
    assert vertex_labels[[0, 3]].tolist() == [0, 0] and vertex_labels[[2, 5]].tolist() == [1, 1]


def test_mesh_labels_faces_use_centroids_not_vertices():
    # One point at each face centroid, each with its own label: at k = 1 every face must get
    # exactly the label of the point at its centroid (a vote at a corner would not).
    mesh = _strip()
    centroids = mesh.vertices[mesh.faces].mean(axis=1)
    _, face_labels = mesh_labels(mesh, centroids, np.array([2, 0, 3, 1]), k=1)
    assert face_labels.tolist() == [2, 0, 3, 1]


def test_mesh_labels_without_faces_is_an_error():
    with pytest.raises(PartDistillError, match="no faces"):
        mesh_labels(Mesh(np.zeros((3, 3)), np.zeros((0, 3), dtype=int)), LINE, np.zeros(6, dtype=int))


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: transfer_labels(LINE, np.zeros(5, dtype=int), ORIGIN), r"labels must have shape \(6,\)"),
        (lambda: transfer_labels(LINE, np.zeros(6), ORIGIN), "labels must be integer part indices"),
        (lambda: transfer_labels(LINE, np.full(6, -2), ORIGIN), "found -2"),
        (lambda: transfer_labels(LINE, np.zeros(6, dtype=int), ORIGIN, k=0), "k must be at least 1"),
        (lambda: transfer_labels(LINE, np.zeros(6, dtype=int), ORIGIN, k=2.5), "k must be an integer"),
        (lambda: transfer_labels(LINE, np.zeros(6, dtype=int), np.zeros((2, 2))), r"targets must have shape"),
        (lambda: transfer_labels(LINE[:0], np.zeros(0, dtype=int), ORIGIN), "points is empty"),
        (lambda: transfer_probs(LINE, np.full((6, 2), np.nan), ORIGIN), "probs contain NaN"),
        (lambda: transfer_probs(LINE, np.zeros(6), ORIGIN), r"probs must have shape \(6, R\)"),
        (lambda: transfer_probs(LINE, np.zeros((5, 2)), ORIGIN), r"probs must have shape \(6, R\)"),
    ],
)
def test_transfer_validates_inputs(call, fragment):
    with pytest.raises(PartDistillError, match=fragment):
        call()
