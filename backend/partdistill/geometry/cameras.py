"""Pinhole cameras in the OpenCV convention (x right, y down, z forward) and the view set.

Every view in the project is a `Camera`: intrinsics K (3, 3) and a world->camera matrix (4, 4).
Blender's cameras are converted to this form by the add-on, so the backend has one convention.
"""

from dataclasses import dataclass

import numpy as np

from ..errors import PartDistillError

# PartSLIP's ten (elevation, azimuth) pairs in degrees; PartDistill's units came from these.
PARTSLIP_VIEWS = (
    (10, 0), (10, 90), (10, 180), (10, 270),
    (40, 0), (40, 120), (40, 240),
    (-20, 60), (-20, 180), (-20, 300),
)
# PartSLIP's renderer: camera 2.2 units from the centre of a unit-sphere shape, 60 degree FoV.
DEFAULT_DISTANCE = 2.2
DEFAULT_FOV_DEG = 60.0

# For each up axis: (up, front) where azimuth 0 looks at the shape from `front`.
# y-up is ShapeNet's convention (front +z); z-up is Blender's (front -y).
_AXES = {
    "y": (np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0])),
    "z": (np.array([0.0, 0.0, 1.0]), np.array([0.0, -1.0, 0.0])),
}


@dataclass(frozen=True)
class Camera:
    """K (3, 3) intrinsics, world_to_cam (4, 4) rigid transform, image size in pixels."""

    K: np.ndarray
    world_to_cam: np.ndarray
    width: int
    height: int

    def __post_init__(self):
        K = np.asarray(self.K, dtype=np.float64)
        T = np.asarray(self.world_to_cam, dtype=np.float64)
        if K.shape != (3, 3) or T.shape != (4, 4):
            raise PartDistillError(f"camera needs K (3, 3) and world_to_cam (4, 4), got {K.shape} and {T.shape}")
        if self.width < 1 or self.height < 1:
            raise PartDistillError(f"camera image size must be positive, got {self.width}x{self.height}")
        object.__setattr__(self, "K", K)
        object.__setattr__(self, "world_to_cam", T)

    @property
    def position(self) -> np.ndarray:
        R, t = self.world_to_cam[:3, :3], self.world_to_cam[:3, 3]
        return -R.T @ t

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """points (N, 3) world -> (N, 3) camera coordinates; z is the depth along the view axis."""
        return points @ self.world_to_cam[:3, :3].T + self.world_to_cam[:3, 3]

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """points (N, 3) world -> (uv (N, 2) pixel coordinates, depth (N,)).

        Pixel (row i, column j) covers u in [j, j+1), v in [i, i+1); points behind the camera
        get depth <= 0 and must be treated as not visible by callers.
        """
        pc = self.to_camera(points)
        z = pc[:, 2]
        safe = np.where(np.abs(z) < 1e-12, 1e-12, z)
        uv = (pc[:, :2] / safe[:, None]) @ self.K[:2, :2].T + self.K[:2, 2]
        return uv, z

    def pixel_of(self, uv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """uv (N, 2) -> (rows, cols) int, and the in-image mask is rows/cols within bounds."""
        cols = np.floor(uv[:, 0]).astype(np.int64)
        rows = np.floor(uv[:, 1]).astype(np.int64)
        return rows, cols

    def in_image(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return (rows >= 0) & (rows < self.height) & (cols >= 0) & (cols < self.width)


def intrinsics(width: int, height: int, fov_deg: float = DEFAULT_FOV_DEG) -> np.ndarray:
    """K for a square-pixel camera whose vertical field of view is fov_deg, centred principal point."""
    f = 0.5 * height / np.tan(np.radians(fov_deg) / 2)
    return np.array([[f, 0.0, width / 2], [0.0, f, height / 2], [0.0, 0.0, 1.0]])


def look_at(eye, target, up) -> np.ndarray:
    """World->camera (4, 4) for a camera at `eye` looking at `target`, OpenCV axes."""
    eye, target, up = (np.asarray(a, dtype=np.float64) for a in (eye, target, up))
    forward = target - eye
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, up)
    norm = np.linalg.norm(right)
    if norm < 1e-9:
        raise PartDistillError("camera looks along the up axis; pick an elevation strictly between -90 and 90")
    right /= norm
    down = np.cross(forward, right)
    R = np.stack([right, down, forward])
    T = np.eye(4)
    T[:3, :3] = R
    T[:3, 3] = -R @ eye
    return T


def orbit_cameras(
    views=PARTSLIP_VIEWS,
    width: int = 512,
    height: int = 512,
    distance: float = DEFAULT_DISTANCE,
    fov_deg: float = DEFAULT_FOV_DEG,
    up: str = "y",
    center=(0.0, 0.0, 0.0),
) -> list[Camera]:
    """Cameras on a sphere of `distance` around `center`, one per (elevation, azimuth) in degrees.

    `up` is "y" (ShapeNet, azimuth 0 looks from +z) or "z" (Blender, azimuth 0 looks from -y).
    """
    if up not in _AXES:
        raise PartDistillError(f"up axis must be one of {sorted(_AXES)}, got {up!r}")
    up_vec, front = _AXES[up]
    right = np.cross(up_vec, front)
    center = np.asarray(center, dtype=np.float64)
    K = intrinsics(width, height, fov_deg)
    cams = []
    for elev, azim in views:
        e, a = np.radians(elev), np.radians(azim)
        direction = np.cos(e) * (np.cos(a) * front + np.sin(a) * right) + np.sin(e) * up_vec
        eye = center + distance * direction
        cams.append(Camera(K=K, world_to_cam=look_at(eye, center, up_vec), width=width, height=height))
    return cams
