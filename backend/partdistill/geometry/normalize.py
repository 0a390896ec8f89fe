"""Point validation and unit-sphere normalisation, the entry gate for every point cloud."""

import numpy as np

from ..errors import PartDistillError


def check_points(points, name: str = "points") -> np.ndarray:
    """Return `points` as a float64 (N, 3) array with N >= 1 and only finite values.

    Raises PartDistillError naming `name` when the input is empty, has the wrong shape,
    is not numeric, or holds NaN/inf.
    """
    try:
        arr = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise PartDistillError(
            f"{name} must be numeric xyz coordinates, got {type(points).__name__}: {exc}"
        ) from exc
    if arr.size == 0:
        raise PartDistillError(f"{name} is empty (shape {arr.shape}); pass at least one xyz point")
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise PartDistillError(f"{name} must have shape (N, 3), one xyz row per point; got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise PartDistillError(
            f"{name} contain {int(bad.sum())} non-finite values (NaN or inf) in "
            f"{int(bad.any(axis=1).sum())} of {len(arr)} points; remove them before segmenting"
        )
    return arr


def normalize_unit_sphere(points) -> tuple[np.ndarray, np.ndarray, float]:
    """Centre points (N, 3) at their mean and scale them so the farthest lies at distance 1.

    Follows PartDistill's official preprocessing (mean centring, max-norm scaling).
    Returns (normalized (N, 3) float64, center (3,), scale) with
    points == normalized * scale + center.
    """
    arr = check_points(points)
    center = arr.mean(axis=0)
    centered = arr - center
    scale = float(np.linalg.norm(centered, axis=1).max())
    # Identical points leave only rounding residue after centring, a few ulps of the coordinates.
    if scale <= 1e-12 * float(np.abs(arr).max()):
        raise PartDistillError(
            f"all {len(arr)} points are at the same location, so the shape has no extent to normalise; "
            "pass a point cloud or mesh with some size"
        )
    return centered / scale, center, scale
