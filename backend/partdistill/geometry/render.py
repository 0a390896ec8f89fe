"""A small z-buffer point renderer in plain torch: depth and front-most point index per pixel.

It lets the engine be run and benchmarked without Blender (the add-on renders with Blender).
Each point is splatted as a disk whose pixel radius follows perspective (world radius / depth).
"""

from dataclasses import dataclass

import numpy as np
import torch
from scipy.spatial import cKDTree

from .cameras import Camera

MAX_SPLAT_PX = 12  # bounds the work per point for points very close to the camera


@dataclass(frozen=True)
class PointRender:
    """depth (H, W) float, camera z of the front-most splat, inf where empty;
    index (H, W) int, that splat's point index, -1 where empty."""

    depth: np.ndarray
    index: np.ndarray

    @property
    def mask(self) -> np.ndarray:
        return self.index >= 0


def default_splat_radius(points: np.ndarray) -> float:
    """World radius that closes the gaps between neighbouring surface samples: the median
    nearest-neighbour distance. Smaller lets views see through surfaces; larger makes flat
    splats hide points of the same surface where it is seen at a grazing angle."""
    if len(points) < 2:
        return 0.05
    dist, _ = cKDTree(points).query(points, k=2)
    return float(np.median(dist[:, 1]))


def render_points(points: np.ndarray, camera: Camera, radius: float | None = None) -> PointRender:
    """Rasterise points (N, 3) as perspective disks of world `radius` into camera's image."""
    if radius is None:
        radius = default_splat_radius(points)
    uv, z = camera.project(np.asarray(points, dtype=np.float64))
    uv_t = torch.from_numpy(uv)
    z_t = torch.from_numpy(z)
    in_front = z_t > 1e-6
    idx = torch.nonzero(in_front).squeeze(1)
    uv_t, z_t = uv_t[idx], z_t[idx]
    f = float(camera.K[0, 0])
    r_px = torch.clamp(f * radius / z_t, min=0.5, max=MAX_SPLAT_PX)
    reach = int(torch.ceil(r_px.max()).item()) if len(idx) else 0
    offs = torch.arange(-reach, reach + 1, dtype=torch.float64)
    dy, dx = torch.meshgrid(offs, offs, indexing="ij")
    dx, dy = dx.reshape(-1), dy.reshape(-1)
    # Pixel centres within the disk around the projected point (sub-pixel position kept). The
    # squared radius is at least 0.5 so the pixel containing the point is always covered.
    cu = torch.floor(uv_t[:, :1]) + dx + 0.5
    cv = torch.floor(uv_t[:, 1:]) + dy + 0.5
    inside = (cu - uv_t[:, :1]) ** 2 + (cv - uv_t[:, 1:]) ** 2 <= (r_px[:, None] ** 2).clamp(min=0.5)
    cols, rows = cu.floor().long(), cv.floor().long()
    inside &= (cols >= 0) & (cols < camera.width) & (rows >= 0) & (rows < camera.height)
    point_of = idx[:, None].expand_as(inside)[inside]
    pixel = (rows * camera.width + cols)[inside]
    depth = z_t[:, None].expand_as(inside)[inside]
    # Front-most candidate per pixel: z-buffer by scatter-min, then the lowest point index among
    # the candidates at that depth, so ties resolve the same way on every run.
    size = camera.height * camera.width
    depth_map = torch.full((size,), float("inf"), dtype=torch.float64)
    depth_map.scatter_reduce_(0, pixel, depth, reduce="amin")
    front = depth == depth_map[pixel]
    index_map = torch.full((size,), len(points), dtype=torch.long)
    index_map.scatter_reduce_(0, pixel[front], point_of[front], reduce="amin")
    index_map[index_map == len(points)] = -1
    shape = (camera.height, camera.width)
    return PointRender(depth=depth_map.reshape(shape).numpy(), index=index_map.reshape(shape).numpy())
