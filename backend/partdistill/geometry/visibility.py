"""Which points a view sees: projection into the image plus a depth test against a depth map."""

from dataclasses import dataclass

import numpy as np

from .cameras import Camera

# Depth-test slack in world units of a unit-sphere-normalised shape seen from 2.2 units:
# about one point spacing at 2048 points, so a surface sample is not hidden by its own surface.
DEFAULT_DEPTH_TOLERANCE = 0.03


@dataclass(frozen=True)
class ViewProjection:
    """Where N points land in one view: uv (N, 2) pixel coordinates, rows / cols (N,) int pixel
    indices, depth (N,) camera z, visible (N,) bool (in the image and passing the depth test)."""

    uv: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    depth: np.ndarray
    visible: np.ndarray


def visible_points(points: np.ndarray, camera: Camera, depth: np.ndarray,
                   tol: float = DEFAULT_DEPTH_TOLERANCE) -> ViewProjection:
    """Depth-test visibility of points (N, 3) against depth (H, W), the camera z of the nearest
    surface per pixel (inf where empty): a point is visible when it projects into the image in
    front of the camera and lies no more than `tol` behind the surface at its pixel."""
    uv, z = camera.project(points)
    rows, cols = camera.pixel_of(uv)
    in_view = camera.in_image(rows, cols) & (z > 1e-6)
    visible = np.zeros(len(points), dtype=bool)
    visible[in_view] = z[in_view] <= depth[rows[in_view], cols[in_view]] + tol
    return ViewProjection(uv, rows, cols, z, visible)
