"""The views a teacher sees of one point cloud, normalised to the unit sphere: PartSLIP's cameras and
a renderer's images, depths and object masks.

A renderer is a callable (points (N, 3), cameras) -> one dict per camera with "image" (H, W, 3)
uint8, "depth" (H, W) camera z (inf off the object) and "mask" (H, W) bool, as the add-on's
ViewRenderer.render returns them; its `name` goes into the teacher cache key and its
`tolerance(points)` is the depth-test tolerance for those points. The Blender one is
blender_addon.scene.pointcloud.BlenderPointRenderer; NumpyRenderer needs no Blender.
"""

import numpy as np

from ..geometry.render import render_points
from ..geometry.visibility import DEFAULT_DEPTH_TOLERANCE
from ..jobs.views import object_cameras

BACKGROUND = 255


def view_cameras(num_views: int, resolution: int):
    """The first num_views PartSLIP views of a unit-sphere shape, y up (ShapeNet's axis), square images."""
    return object_cameras(np.zeros(3), 1.0, int(resolution), int(resolution), num_views, up="y")


class NumpyRenderer:
    """The backend's z-buffer point renderer. Its image is the points in grey, darker with depth so
    a VLM sees shape: cheap, for tests and machines without Blender."""

    name = "numpy"

    def tolerance(self, points) -> float:
        return DEFAULT_DEPTH_TOLERANCE

    def __call__(self, points, cameras) -> list[dict]:
        out = []
        for camera in cameras:
            render = render_points(points, camera)
            mask = render.mask
            image = np.full(mask.shape + (3,), BACKGROUND, dtype=np.uint8)
            if mask.any():
                depth = render.depth[mask]
                grey = 200 - 120 * (depth - depth.min()) / max(np.ptp(depth), 1e-9)
                image[mask] = grey.astype(np.uint8)[:, None]
            out.append({"image": image, "depth": render.depth, "mask": mask})
        return out
