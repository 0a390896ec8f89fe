"""Carry per-point predictions over to other locations (mesh vertices, face centroids)
by a vote among the k nearest points; PartDistill uses k = 5 for meshes."""

import operator

import numpy as np
from scipy.spatial import cKDTree

from .errors import PartDistillError
from .geometry.normalize import check_points
from .mesh import Mesh


def transfer_labels(points, labels, targets, k: int = 5) -> np.ndarray:
    """Label each target by majority vote among its k nearest points.

    points (N, 3), labels (N,) int in [-1, R) with -1 for unlabelled, targets (M, 3) -> (M,) int64.
    Unlabelled points do not vote; a target whose k nearest points are all unlabelled gets -1.
    Among labels with equally many votes, the one held by the nearest point wins.
    k larger than N is clamped to N.
    """
    points = check_points(points)
    labels = _check_labels(labels, len(points))
    return _vote(labels[_nearest(cKDTree(points), targets, k, "targets")])


def transfer_probs(points, probs, targets, k: int = 5) -> np.ndarray:
    """Average the probability rows of each target's k nearest points.

    points (N, 3), probs (N, R), targets (M, 3) -> (M, R) float64. A plain mean rather than
    inverse-distance weights: the k nearest points of a dense sample lie at nearly the same
    distance, so weights change little, while 1/d needs an epsilon where a target coincides
    with a point. Rows that are distributions stay distributions. k larger than N is clamped.
    """
    points = check_points(points)
    probs = _check_probs(probs, len(points))
    return probs[_nearest(cKDTree(points), targets, k, "targets")].mean(axis=1)


def mesh_labels(mesh: Mesh, points, labels, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Per-vertex (V,) and per-face (F,) labels of `mesh` voted from labelled points (N, 3).

    A face takes the vote at its centroid; voting rules as in transfer_labels.
    """
    if len(mesh.faces) == 0:
        raise PartDistillError("the mesh has no faces, so there is nothing to label; pass a triangle mesh")
    points = check_points(points)
    labels = _check_labels(labels, len(points))
    tree = cKDTree(points)
    centroids = mesh.vertices[mesh.faces].mean(axis=1)
    vertex_labels = _vote(labels[_nearest(tree, mesh.vertices, k, "mesh vertices")])
    face_labels = _vote(labels[_nearest(tree, centroids, k, "face centroids")])
    return vertex_labels, face_labels


def _nearest(tree: cKDTree, targets, k, name: str) -> np.ndarray:
    """Indices (M, k') of the k' = min(k, N) tree points nearest each target, nearest first."""
    targets = check_points(targets, name)
    try:
        k = operator.index(k)
    except TypeError:
        raise PartDistillError(f"k must be an integer, got {k!r}") from None
    if k < 1:
        raise PartDistillError(f"k must be at least 1, got {k}")
    k = min(k, tree.n)
    _, idx = tree.query(targets, k=k, workers=-1)
    return idx.reshape(len(targets), k)  # query drops the k axis when k == 1


def _vote(neighbour_labels: np.ndarray) -> np.ndarray:
    """Majority label per row of neighbour_labels (M, k), columns nearest first -> (M,).

    Label -1 casts no vote; ties go to the label of the nearest neighbour among the tied.
    """
    valid = neighbour_labels >= 0
    same = neighbour_labels[:, :, None] == neighbour_labels[:, None, :]
    # votes[i, j]: how many neighbours of row i share neighbour j's label (0 for unlabelled j).
    votes = np.where(valid, same.sum(axis=2), 0)
    # argmax takes the first, i.e. nearest, maximum; a row with no votes lands on column 0, labelled -1.
    best = votes.argmax(axis=1)
    return neighbour_labels[np.arange(len(neighbour_labels)), best]


def _check_labels(labels, n: int) -> np.ndarray:
    """labels as an int64 (n,) array of values >= -1."""
    lab = np.asarray(labels)
    if lab.shape != (n,):
        raise PartDistillError(f"labels must have shape ({n},), one per point, got {lab.shape}")
    if not np.issubdtype(lab.dtype, np.integer):
        raise PartDistillError(
            f"labels must be integer part indices (-1 for unlabelled), got dtype {lab.dtype}"
        )
    if lab.min() < -1:
        raise PartDistillError(f"labels must be part indices >= 0 or -1 for unlabelled, found {lab.min()}")
    return lab.astype(np.int64)


def _check_probs(probs, n: int) -> np.ndarray:
    """probs as a finite float64 (n, R) array."""
    arr = np.asarray(probs, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != n:
        raise PartDistillError(f"probs must have shape ({n}, R), one row per point, got {arr.shape}")
    if not np.isfinite(arr).all():
        raise PartDistillError(
            "probs contain NaN or inf values; check the model's output before transferring it"
        )
    return arr
