"""Geometry: normalisation, surface sampling, neighbours, cameras, visibility, point rendering."""

from .cameras import PARTSLIP_VIEWS, Camera, intrinsics, look_at, orbit_cameras
from .neighbors import ball_query, farthest_point_sample, knn
from .normalize import check_points, normalize_unit_sphere
from .render import PointRender, render_points
from .sampling import sample_surface
from .visibility import ViewProjection, visible_points

__all__ = [
    "PARTSLIP_VIEWS", "Camera", "intrinsics", "look_at", "orbit_cameras",
    "ball_query", "farthest_point_sample", "knn",
    "check_points", "normalize_unit_sphere",
    "PointRender", "render_points", "sample_surface",
    "ViewProjection", "visible_points",
]
