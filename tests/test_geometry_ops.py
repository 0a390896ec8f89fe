import re

import numpy as np
import pytest
import torch

from partdistill.errors import PartDistillError
from partdistill.geometry import neighbors
from partdistill.geometry.neighbors import ball_query, farthest_point_sample, knn
from partdistill.geometry.normalize import check_points, normalize_unit_sphere
from partdistill.geometry.sampling import sample_surface
from partdistill.mesh import Mesh

HAS_PYTORCH3D = neighbors.backend() == "pytorch3d"
needs_pytorch3d = pytest.mark.skipif(not HAS_PYTORCH3D, reason="pytorch3d's compiled ops do not load here")
IMPLS = ["torch", pytest.param("pytorch3d", marks=needs_pytorch3d)]


# --- normalize ---------------------------------------------------------------


def test_check_points_returns_float64_copy_of_valid_input():
    out = check_points([[0, 1, 2], [3, 4, 5]])
    assert out.dtype == np.float64 and out.shape == (2, 3)


@pytest.mark.parametrize(
    "points, fragment",
    [
        (np.zeros((0, 3)), "points is empty"),
        ([], "points is empty"),
        (np.zeros((4, 2)), "shape (N, 3)"),
        (np.zeros(3), "shape (N, 3)"),
        (np.zeros((2, 3, 3)), "shape (N, 3)"),
        ([["a", "b", "c"]], "numeric"),
    ],
)
def test_check_points_rejects_bad_input(points, fragment):
    with pytest.raises(PartDistillError, match=re.escape(fragment)):
        check_points(points)


def test_check_points_counts_non_finite_values_and_uses_name():
    pts = np.zeros((5, 3))
    pts[1, 0] = np.nan
    pts[1, 2] = np.inf
    pts[3, 1] = -np.inf
    message = r"cloud contain 3 non-finite values .* in 2 of 5 points; remove them"
    with pytest.raises(PartDistillError, match=message):
        check_points(pts, name="cloud")


def test_normalize_unit_sphere_properties():
    rng = np.random.default_rng(1)
    pts = rng.normal(size=(500, 3)) * [3.0, 1.0, 0.5] + [10.0, -4.0, 2.0]
    out, center, scale = normalize_unit_sphere(pts)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    assert np.linalg.norm(out, axis=1).max() == pytest.approx(1.0)
    np.testing.assert_allclose(center, pts.mean(axis=0))
    np.testing.assert_allclose(out * scale + center, pts)


def test_normalize_unit_sphere_centres_by_mean_not_bbox():
    # Three points at x=0 and one at x=4: mean 1, bbox centre 2; the farthest is then at distance 3.
    pts = np.array([[0.0, 0, 0], [0, 0, 0], [0, 0, 0], [4, 0, 0]])
    out, center, scale = normalize_unit_sphere(pts)
    np.testing.assert_allclose(center, [1, 0, 0])
    assert scale == pytest.approx(3.0)
    np.testing.assert_allclose(out[:, 0], [-1 / 3, -1 / 3, -1 / 3, 1])


@pytest.mark.parametrize("value", [0.0, 0.1, 12345.678])
def test_normalize_unit_sphere_rejects_identical_points(value):
    with pytest.raises(PartDistillError, match="all 7 points are at the same location"):
        normalize_unit_sphere(np.full((7, 3), value))


def test_normalize_unit_sphere_accepts_tiny_but_real_extent():
    out, _, scale = normalize_unit_sphere([[0.0, 0, 0], [1e-6, 0, 0]])
    assert scale == pytest.approx(5e-7)
    np.testing.assert_allclose(np.abs(out[:, 0]), 1.0)


# --- sampling ----------------------------------------------------------------


def _two_triangles() -> Mesh:
    """Two disjoint triangles in the z=0 plane with areas 0.5 and 1.5 (ratio 1:3)."""
    v = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [5, 0, 0], [8, 0, 0], [5, 1, 0]], dtype=float)
    return Mesh(v, np.array([[0, 1, 2], [3, 4, 5]]))


def _barycentric(p, a, b, c):
    """Barycentric coordinates (N, 3) of points p (N, 3) in triangles a, b, c (N, 3) each."""
    v0, v1, v2 = b - a, c - a, p - a
    d00, d01, d11 = (v0 * v0).sum(1), (v0 * v1).sum(1), (v1 * v1).sum(1)
    d20, d21 = (v2 * v0).sum(1), (v2 * v1).sum(1)
    den = d00 * d11 - d01 * d01
    v = (d11 * d20 - d01 * d21) / den
    w = (d00 * d21 - d01 * d20) / den
    return np.stack([1 - v - w, v, w], axis=1)


def test_sample_surface_shapes_and_points_on_their_faces():
    rng = np.random.default_rng(0)
    mesh = Mesh(rng.normal(size=(30, 3)), rng.integers(0, 30, size=(40, 3)))
    pts, fid, nrm = sample_surface(mesh, 2000, seed=3)
    assert pts.shape == (2000, 3) and fid.shape == (2000,) and nrm.shape == (2000, 3)
    assert fid.dtype == np.int64
    a, b, c = (mesh.vertices[mesh.faces[fid, i]] for i in range(3))
    assert (mesh.face_areas()[fid] > 0).all()  # random faces with a repeated vertex are never picked
    bary = _barycentric(pts, a, b, c)
    assert bary.min() > -1e-9 and bary.max() < 1 + 1e-9
    np.testing.assert_allclose(bary[:, :1] * a + bary[:, 1:2] * b + bary[:, 2:] * c, pts, atol=1e-9)
    np.testing.assert_allclose(nrm, mesh.face_normals()[fid])
    # the point lies in its face's plane
    np.testing.assert_allclose(((pts - a) * nrm).sum(1), 0.0, atol=1e-9)


def test_sample_surface_is_area_weighted():
    _, fid, _ = sample_surface(_two_triangles(), 20000, seed=0)
    share = (fid == 1).mean()
    # binomial std is ~0.003; 0.02 is over 6 sigma, while unweighted sampling would give 0.5
    assert abs(share - 0.75) < 0.02


def test_sample_surface_is_uniform_within_a_triangle():
    # Without the sqrt trick points crowd towards the first corner; the fraction in the
    # sub-triangle near corner 0 (scaled by 1/2, a quarter of the area) would be 1/2, not 1/4.
    triangle = Mesh(np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0.0]]), np.array([[0, 1, 2]]))
    pts, _, _ = sample_surface(triangle, 20000)
    near_corner0 = (pts[:, 0] + pts[:, 1]) < 0.5
    assert abs(near_corner0.mean() - 0.25) < 0.02
    # and near corner 1 likewise
    assert abs((pts[:, 0] > 0.5).mean() - 0.25) < 0.02


def test_sample_surface_is_deterministic():
    mesh = _two_triangles()
    first = sample_surface(mesh, 100, seed=7)
    again = sample_surface(mesh, 100, seed=7)
    other = sample_surface(mesh, 100, seed=8)
    for x, y in zip(first, again):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(first[0], other[0])
    from_generator = sample_surface(mesh, 100, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(from_generator[0], first[0])


def test_sample_surface_skips_zero_area_faces():
    v = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [2, 0, 0], [3, 0, 0], [4, 0, 0]], dtype=float)
    _, fid, _ = sample_surface(Mesh(v, np.array([[3, 4, 5], [0, 1, 2]])), 500)
    assert (fid == 1).all()


def test_sample_surface_errors():
    collinear = Mesh(np.array([[0, 0, 0], [1, 0, 0], [2, 0, 0.0]]), np.array([[0, 1, 2]]))
    with pytest.raises(PartDistillError, match="zero area"):
        sample_surface(collinear, 10)
    with pytest.raises(PartDistillError, match="no faces"):
        sample_surface(Mesh(np.zeros((3, 3)), np.zeros((0, 3), dtype=int)), 10)
    for bad in (0, -5, 2.5, True):
        with pytest.raises(PartDistillError, match="num_points must be a positive integer"):
            sample_surface(_two_triangles(), bad)


# --- neighbors ---------------------------------------------------------------


def test_backend_names_an_implementation():
    assert neighbors.backend() in ("torch", "pytorch3d")


@needs_pytorch3d
@pytest.mark.parametrize("shape, k", [((1000, 3), 64), ((4, 700, 3), 100), ((2, 50, 3), 50)])
def test_fps_pytorch3d_and_torch_pick_the_same_indices(shape, k):
    pts = torch.rand(shape, generator=torch.Generator().manual_seed(k))
    a = farthest_point_sample(pts, k, impl="torch")
    b = farthest_point_sample(pts, k, impl="pytorch3d")
    assert a.shape == shape[:-2] + (k,) and a.dtype == torch.int64
    assert torch.equal(a, b)


@needs_pytorch3d
def test_fps_implementations_agree_with_a_start_index_and_float64_input():
    pts = torch.rand(3, 400, 3, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    a = farthest_point_sample(pts, 30, start=123, impl="torch")
    assert torch.equal(a, farthest_point_sample(pts, 30, start=123, impl="pytorch3d"))
    assert (a[:, 0] == 123).all()


@pytest.mark.parametrize("impl", IMPLS)
def test_fps_hand_example_picks_spread_points(impl):
    # A cluster near the origin plus three far corners; FPS must take the corners before
    # any second point of the cluster.
    pts = torch.tensor(
        [[0.0, 0, 0], [0.1, 0, 0], [0, 0.1, 0], [10, 0, 0], [0.05, 0.05, 0], [0, 10, 0], [10, 10, 0]]
    )
    assert farthest_point_sample(pts, 4, impl=impl).tolist() == [0, 6, 3, 5]
    # From corner 3 the farthest is corner 5; then 0 and 6 tie at distance 10 from both picks,
    # and counting from start 3, index 6 comes before 0.
    assert farthest_point_sample(pts, 3, start=3, impl=impl).tolist() == [3, 5, 6]
    assert len(set(farthest_point_sample(pts, 7, impl=impl).tolist())) == 7


def test_fps_all_points_is_a_permutation():
    pts = torch.rand(2, 37, 3, generator=torch.Generator().manual_seed(0))
    idx = farthest_point_sample(pts, 37, impl="torch")
    assert all(sorted(row) == list(range(37)) for row in idx.tolist())


def _brute_sq_dists(q, p):
    return ((q[..., :, None, :].double() - p[..., None, :, :].double()) ** 2).sum(-1)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("batched", [False, True])
def test_knn_matches_brute_force(impl, batched):
    g = torch.Generator().manual_seed(2)
    shape_q, shape_p = ((3, 80, 3), (3, 300, 3)) if batched else ((80, 3), (300, 3))
    q, p = torch.rand(shape_q, generator=g), torch.rand(shape_p, generator=g)
    dists, idx = knn(q, p, 8, impl=impl)
    assert dists.shape == idx.shape == shape_q[:-1] + (8,)
    full = _brute_sq_dists(q, p)
    ref_d, ref_i = full.sort(dim=-1)
    np.testing.assert_allclose(dists.numpy(), ref_d[..., :8].numpy(), rtol=1e-5, atol=1e-6)
    # random floats have no exact ties, so the indices must match too
    assert torch.equal(idx, ref_i[..., :8])
    # the returned distances are the distances to the returned points
    np.testing.assert_allclose(dists.numpy(), full.gather(-1, idx).numpy(), rtol=1e-5, atol=1e-6)


@needs_pytorch3d
def test_knn_implementations_agree_on_ties():
    # An integer lattice is full of exactly equal distances: equidistant points may come in
    # either order, but the distances, and the indices at unambiguous ranks, must agree.
    axis = torch.arange(6.0)
    grid = torch.stack(torch.meshgrid(axis, axis, axis, indexing="ij"), -1).reshape(-1, 3)
    q, k = grid[::7], 10
    d_t, i_t = knn(q, grid, k, impl="torch")
    d_p, i_p = knn(q, grid, k, impl="pytorch3d")
    assert torch.equal(d_t, d_p)
    ref = _brute_sq_dists(q, grid).sort(dim=-1).values[:, : k + 1].float()
    unique_rank = torch.ones_like(d_t, dtype=torch.bool)
    unique_rank[:, 1:] &= ref[:, 1:k] != ref[:, : k - 1]
    unique_rank &= ref[:, :k] != ref[:, 1 : k + 1]
    assert unique_rank[:, 0].all() and not unique_rank.all()
    assert torch.equal(i_t[unique_rank], i_p[unique_rank])


def test_knn_chunks_large_queries(monkeypatch):
    # Force many small chunks; the answer must not change.
    g = torch.Generator().manual_seed(4)
    q, p = torch.rand(2, 50, 3, generator=g), torch.rand(2, 40, 3, generator=g)
    whole = knn(q, p, 5, impl="torch")
    monkeypatch.setattr(neighbors, "_CHUNK_ELEMENTS", 2 * 40 * 3)
    assert len(neighbors._query_chunks(q, p)) == 17
    chunked = knn(q, p, 5, impl="torch")
    assert torch.equal(whole[0], chunked[0]) and torch.equal(whole[1], chunked[1])


def _brute_ball_query(q, p, radius, k):
    inside = _brute_sq_dists(q, p) < radius**2
    out = torch.full(inside.shape[:-1] + (k,), -1, dtype=torch.int64)
    for pos in np.ndindex(*inside.shape[:-1]):
        hits = torch.nonzero(inside[pos]).flatten()[:k]
        out[pos][: len(hits)] = hits
    return out


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("batched", [False, True])
def test_ball_query_matches_brute_force(impl, batched):
    g = torch.Generator().manual_seed(3)
    shape_q, shape_p = ((2, 60, 3), (2, 400, 3)) if batched else ((60, 3), (400, 3))
    q, p = torch.rand(shape_q, generator=g), torch.rand(shape_p, generator=g)
    idx = ball_query(q, p, 0.25, 16, impl=impl)
    assert idx.shape == shape_q[:-1] + (16,) and idx.dtype == torch.int64
    assert torch.equal(idx, _brute_ball_query(q, p, 0.25, 16))
    # the radius was chosen so both full rows and -1 padding occur
    assert (idx[..., -1] == -1).any() and (idx[..., -1] >= 0).any()


@pytest.mark.parametrize("impl", IMPLS)
def test_ball_query_hand_example_is_index_order_and_strict(impl):
    p = torch.tensor([[0.9, 0, 0], [0.5, 0, 0], [0.1, 0, 0], [0.25, 0, 0], [0.2, 0, 0]])
    q = torch.zeros(1, 3)
    # 0.5 lies exactly on the sphere and is excluded; the first two inside in index order are 2 and 3,
    # although 4 is nearer than 3.
    assert ball_query(q, p, 0.5, 2, impl=impl).tolist() == [[2, 3]]
    assert ball_query(q, p, 0.5, 5, impl=impl).tolist() == [[2, 3, 4, -1, -1]]


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda p: farthest_point_sample(p, 0), "k must be between 1 and the number of points"),
        (lambda p: farthest_point_sample(p, 11), r"number of points \(10\), got 11"),
        (lambda p: farthest_point_sample(p, 2.0), "k must be an integer"),
        (lambda p: farthest_point_sample(p, 2, start=10), r"start must be a point index in \[0, 10\)"),
        (lambda p: farthest_point_sample(p[:, :2], 2), r"shape \(N, 3\) or \(B, N, 3\), got \(10, 2\)"),
        (lambda p: farthest_point_sample(p[None, None], 2), r"got \(1, 1, 10, 3\)"),
        (lambda p: farthest_point_sample(p.numpy(), 2), "must be a torch tensor"),
        (lambda p: farthest_point_sample(p.long(), 2), "floating-point"),
        (lambda p: farthest_point_sample(p[:0], 1), "points is empty"),
        (lambda p: knn(p, p, 11), "k must be between 1"),
        (lambda p: knn(p[None], p, 2), "must both be unbatched"),
        (lambda p: knn(p.expand(2, 10, 3), p.expand(3, 10, 3), 2), "share the batch size"),
        (lambda p: knn(p, p, 2, impl="cuda"), "impl must be one of auto, torch, pytorch3d"),
        (lambda p: ball_query(p, p, 0.0, 2), "radius must be a positive finite number"),
        (lambda p: ball_query(p, p, float("nan"), 2), "radius must be a positive finite number"),
        (lambda p: ball_query(p, p, 0.1, 0), "k must be between 1"),
    ],
)
def test_neighbors_validate_inputs(call, fragment):
    with pytest.raises(PartDistillError, match=fragment):
        call(torch.rand(10, 3))


def test_forcing_pytorch3d_when_it_does_not_load_is_an_error(monkeypatch):
    monkeypatch.setattr(neighbors, "_pytorch3d_loads", lambda: False)
    assert neighbors.backend() == "torch"
    with pytest.raises(PartDistillError, match="pass impl='torch'"):
        knn(torch.rand(4, 3), torch.rand(4, 3), 1, impl="pytorch3d")
    # auto quietly falls back
    assert knn(torch.rand(4, 3), torch.rand(4, 3), 1)[1].shape == (4, 1)
