"""Farthest point sampling, k-nearest neighbours and ball query on torch point clouds.

pytorch3d's compiled kernels are used when they load, otherwise plain torch code that returns
the same results. Both work in float32, because pytorch3d's CPU kernels accept only float32.
Every function takes unbatched (N, 3) or batched (B, N, 3) clouds and answers in kind.
"""

import functools
import operator

import torch

from ..errors import PartDistillError

IMPLS = ("auto", "torch", "pytorch3d")

# Caps the (B, chunk, N) distance tensor of the torch fallback at 64 MiB of float32.
_CHUNK_ELEMENTS = 1 << 24


@functools.cache
def _pytorch3d_loads() -> bool:
    """Whether pytorch3d's compiled ops import; probed once, on first use."""
    try:
        from pytorch3d import _C  # noqa: F401
    except (ImportError, OSError):  # not installed, or built against another torch
        return False
    return True


def backend() -> str:
    """The implementation impl="auto" uses: "pytorch3d" when its compiled ops load, else "torch"."""
    return "pytorch3d" if _pytorch3d_loads() else "torch"


def farthest_point_sample(points: torch.Tensor, k: int, start: int = 0, impl: str = "auto") -> torch.Tensor:
    """Indices of k points picked by iterative farthest point sampling.

    points (N, 3) or (B, N, 3) -> int64 indices (k,) or (B, k). The first pick is `start`;
    each next pick is the point farthest from all picks so far, the first in index order
    (counting from `start`) on ties.
    """
    use_pytorch3d = _resolve(impl) == "pytorch3d"
    p, unbatched = _as_batch(points, "points")
    n = p.shape[1]
    k = _check_k(k, n)
    start = _check_index(start, n, "start")
    # Both kernels start at index 0, so rotate the cloud to put `start` first.
    rotated = torch.roll(p, -start, dims=1) if start else p
    idx = _fps_pytorch3d(rotated, k) if use_pytorch3d else _fps_torch(rotated, k)
    idx = (idx + start) % n
    return idx[0] if unbatched else idx


def knn(
    query: torch.Tensor, points: torch.Tensor, k: int, impl: str = "auto"
) -> tuple[torch.Tensor, torch.Tensor]:
    """The k nearest points to each query point, nearest first.

    query (M, 3) / (B, M, 3), points (N, 3) / (B, N, 3) ->
    (squared distances float32 (M, k) / (B, M, k), indices into points int64, same shape).
    Equidistant points may come in either order.
    """
    use_pytorch3d = _resolve(impl) == "pytorch3d"
    q, p, unbatched = _as_pair(query, points)
    k = _check_k(k, p.shape[1])
    dists, idx = _knn_pytorch3d(q, p, k) if use_pytorch3d else _knn_torch(q, p, k)
    return (dists[0], idx[0]) if unbatched else (dists, idx)


def ball_query(
    query: torch.Tensor, points: torch.Tensor, radius: float, k: int, impl: str = "auto"
) -> torch.Tensor:
    """For each query point, the first k points in index order strictly closer than `radius`.

    Not the k nearest: pytorch3d's (and PointNet++'s) semantics.
    query (M, 3) / (B, M, 3), points (N, 3) / (B, N, 3) -> int64 indices (M, k) / (B, M, k),
    ascending, padded with -1 where fewer than k points lie inside the ball.
    """
    use_pytorch3d = _resolve(impl) == "pytorch3d"
    q, p, unbatched = _as_pair(query, points)
    k = _check_k(k, p.shape[1])
    if not (isinstance(radius, (int, float)) and 0 < radius < float("inf")):
        raise PartDistillError(f"radius must be a positive finite number, got {radius!r}")
    run = _ball_query_pytorch3d if use_pytorch3d else _ball_query_torch
    idx = run(q, p, float(radius), k)
    return idx[0] if unbatched else idx


def _resolve(impl: str) -> str:
    """Turn impl ("auto", "torch" or "pytorch3d") into the implementation to run."""
    if impl not in IMPLS:
        raise PartDistillError(f"impl must be one of {', '.join(IMPLS)}; got {impl!r}")
    if impl == "auto":
        return backend()
    if impl == "pytorch3d" and not _pytorch3d_loads():
        raise PartDistillError(
            "pytorch3d's compiled ops (pytorch3d._C) do not load; install the easypytorch3d build "
            "that matches this torch version, or pass impl='torch'"
        )
    return impl


def _as_batch(x: torch.Tensor, name: str) -> tuple[torch.Tensor, bool]:
    """(N, 3) or (B, N, 3) tensor -> contiguous float32 (B, N, 3), and whether a batch axis was added."""
    if not isinstance(x, torch.Tensor):
        raise PartDistillError(
            f"{name} must be a torch tensor, got {type(x).__name__}; wrap it with torch.as_tensor"
        )
    if x.ndim not in (2, 3) or x.shape[-1] != 3:
        raise PartDistillError(f"{name} must have shape (N, 3) or (B, N, 3), got {tuple(x.shape)}")
    if not x.is_floating_point():
        raise PartDistillError(f"{name} must hold floating-point coordinates, got {x.dtype}")
    unbatched = x.ndim == 2
    x = x.unsqueeze(0) if unbatched else x
    if x.shape[1] == 0:
        raise PartDistillError(f"{name} is empty (shape {tuple(x.shape)}); pass at least one point")
    return x.to(torch.float32).contiguous(), unbatched


def _as_pair(query: torch.Tensor, points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, bool]:
    """Validate a query/points pair; -> (query (B, M, 3), points (B, N, 3), unbatched)."""
    q, q_unbatched = _as_batch(query, "query")
    p, p_unbatched = _as_batch(points, "points")
    if q_unbatched != p_unbatched or q.shape[0] != p.shape[0]:
        raise PartDistillError(
            f"query {tuple(query.shape)} and points {tuple(points.shape)} must both be unbatched, "
            "(M, 3) and (N, 3), or share the batch size, (B, M, 3) and (B, N, 3)"
        )
    if q.device != p.device:
        raise PartDistillError(
            f"query is on {q.device} but points are on {p.device}; move both to one device"
        )
    return q, p, p_unbatched


def _check_k(k, n: int) -> int:
    """k as an int in [1, n], where n is the number of points."""
    try:
        k = operator.index(k)
    except TypeError:
        raise PartDistillError(f"k must be an integer, got {k!r}") from None
    if not 1 <= k <= n:
        raise PartDistillError(f"k must be between 1 and the number of points ({n}), got {k}")
    return k


def _check_index(i, n: int, name: str) -> int:
    """i as an int in [0, n)."""
    try:
        i = operator.index(i)
    except TypeError:
        raise PartDistillError(f"{name} must be an integer, got {i!r}") from None
    if not 0 <= i < n:
        raise PartDistillError(f"{name} must be a point index in [0, {n}), got {i}")
    return i


def _fps_torch(points: torch.Tensor, k: int) -> torch.Tensor:
    """FPS from index 0 of points (B, N, 3) -> (B, k), step for step as pytorch3d's CPU kernel."""
    b, n, _ = points.shape
    batch = torch.arange(b, device=points.device)
    xyz = _xyz(points)
    idx = torch.zeros(b, k, dtype=torch.int64, device=points.device)
    # Squared distance from every point to its nearest pick so far.
    nearest = torch.full((b, n), float("inf"), dtype=points.dtype, device=points.device)
    for i in range(1, k):
        last = points[batch, idx[:, i - 1]].T[:, :, None]  # (3, B, 1)
        torch.minimum(nearest, _sum_sq_diffs(xyz, last), out=nearest)
        idx[:, i] = nearest.argmax(dim=1)  # the first maximum on ties, as pytorch3d
    return idx


def _fps_pytorch3d(points: torch.Tensor, k: int) -> torch.Tensor:
    from pytorch3d.ops import sample_farthest_points

    return sample_farthest_points(points, K=k, random_start_point=False)[1]


def _knn_torch(q: torch.Tensor, p: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Brute-force kNN, query (B, M, 3), points (B, N, 3) -> (dists, idx) (B, M, k)."""
    found = [
        torch.topk(_sq_dists(chunk, p), k, dim=2, largest=False, sorted=True) for chunk in _query_chunks(q, p)
    ]
    return torch.cat([f.values for f in found], dim=1), torch.cat([f.indices for f in found], dim=1)


def _knn_pytorch3d(q: torch.Tensor, p: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    from pytorch3d.ops import knn_points

    found = knn_points(q, p, K=k, return_sorted=True)
    return found.dists, found.idx


def _ball_query_torch(q: torch.Tensor, p: torch.Tensor, radius: float, k: int) -> torch.Tensor:
    """Brute-force ball query, query (B, M, 3), points (B, N, 3) -> idx (B, M, k)."""
    n = p.shape[1]
    order = torch.arange(n, device=p.device)
    found = []
    for chunk in _query_chunks(q, p):
        inside = _sq_dists(chunk, p) < radius * radius
        # Points outside get the key n, so the k smallest keys are the first k inside, in order.
        keys = torch.where(inside, order, n)
        first = torch.topk(keys, k, dim=2, largest=False, sorted=True).values
        found.append(torch.where(first == n, -1, first))
    return torch.cat(found, dim=1)


def _ball_query_pytorch3d(q: torch.Tensor, p: torch.Tensor, radius: float, k: int) -> torch.Tensor:
    from pytorch3d.ops import ball_query as p3d_ball_query

    return p3d_ball_query(q, p, K=k, radius=radius, return_nn=False).idx


def _sq_dists(q: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """Squared distances (B, M, N) between query (B, M, 3) and points (B, N, 3)."""
    return _sum_sq_diffs(_xyz(q)[:, :, :, None], _xyz(p)[:, :, None, :])


def _xyz(x: torch.Tensor) -> torch.Tensor:
    """(B, N, 3) -> contiguous coordinate-major (3, B, N), so each pass of _sum_sq_diffs
    reads contiguous memory instead of every third float."""
    return x.permute(2, 0, 1).contiguous()


def _sum_sq_diffs(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """dx² + dy² + dz² of coordinate-major a and b (3, ...), broadcast together.

    Summed from differences in pytorch3d's order, so distances match its kernels bit for bit
    (|a|² - 2 a·b + |b|² would not).
    """
    dist = (a[0] - b[0]).square_()
    for c in (1, 2):
        dist += (a[c] - b[c]).square_()
    return dist


def _query_chunks(q: torch.Tensor, p: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Split query (B, M, 3) along M so each chunk's distances to points fit _CHUNK_ELEMENTS."""
    rows = max(1, _CHUNK_ELEMENTS // (q.shape[0] * p.shape[1]))
    return q.split(rows, dim=1)
