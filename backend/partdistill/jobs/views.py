"""The views a front end renders for one object: PartSLIP's orbit around its bounding sphere."""

import numpy as np

from ..errors import PartDistillError
from ..geometry.cameras import DEFAULT_DISTANCE, PARTSLIP_VIEWS, Camera, orbit_cameras


def bounding_sphere(vertices) -> tuple[np.ndarray, float]:
    """(centre (3,), radius) of the sphere around the bounding box centre holding every vertex."""
    v = np.asarray(vertices, dtype=np.float64)
    if v.ndim != 2 or v.shape[1] != 3 or len(v) == 0:
        raise PartDistillError(f"vertices must be a non-empty (V, 3) array, got shape {v.shape}")
    center = (v.min(axis=0) + v.max(axis=0)) / 2
    radius = float(np.linalg.norm(v - center, axis=1).max())
    if not radius > 0:
        raise PartDistillError("all vertices lie at one point: the mesh has no extent to render")
    return center, radius


def object_cameras(center, radius: float, width: int, height: int, num_views: int = len(PARTSLIP_VIEWS),
                   up: str = "z") -> list[Camera]:
    """The first num_views of PartSLIP's ten views, looking at center from DEFAULT_DISTANCE radii
    away (as PartSLIP looks at a unit-sphere shape from 2.2 units); up "z" is Blender's axis."""
    if isinstance(num_views, bool) or not isinstance(num_views, (int, np.integer)) \
            or not 1 <= num_views <= len(PARTSLIP_VIEWS):
        raise PartDistillError(f"the number of views must be between 1 and {len(PARTSLIP_VIEWS)}, got {num_views!r}")
    if not radius > 0:
        raise PartDistillError(f"the bounding sphere radius must be positive, got {radius}")
    return orbit_cameras(PARTSLIP_VIEWS[:num_views], width, height, distance=DEFAULT_DISTANCE * radius,
                         up=up, center=center)
