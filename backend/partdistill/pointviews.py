"""Render a point cloud's views without Blender: cameras, z-buffers and point visibility."""

from dataclasses import dataclass

import numpy as np

from .geometry.cameras import PARTSLIP_VIEWS, Camera, orbit_cameras
from .geometry.render import PointRender, default_splat_radius, render_points
from .geometry.visibility import DEFAULT_DEPTH_TOLERANCE, ViewProjection
from .units import project_views


@dataclass(frozen=True)
class PointViews:
    """V views of N points: cameras, renders (depth + front point per pixel), projections."""

    cameras: list[Camera]
    renders: list[PointRender]
    projections: list[ViewProjection]

    @property
    def visible(self) -> np.ndarray:
        """(V, N) bool."""
        return np.stack([p.visible for p in self.projections])

    def point_images(self, values: np.ndarray, fill=-1) -> list[np.ndarray]:
        """Per view, an (H, W) image of values (N,) at each pixel's front point, fill elsewhere."""
        values = np.asarray(values)
        return [np.where(r.index >= 0, values[np.maximum(r.index, 0)], fill) for r in self.renders]


def render_point_views(points: np.ndarray, size: int = 512, views=PARTSLIP_VIEWS, radius=None,
                       tol: float = DEFAULT_DEPTH_TOLERANCE) -> PointViews:
    """points (N, 3), already normalised to the unit sphere; square images of `size` pixels."""
    cameras = orbit_cameras(views, width=size, height=size)
    radius = default_splat_radius(points) if radius is None else radius
    renders = [render_points(points, cam, radius) for cam in cameras]
    projections = project_views(points, cameras, [r.depth for r in renders], tol)
    return PointViews(cameras, renders, projections)
