"""Blender cameras <-> OpenCV pinhole cameras (K, world->camera), the backend's convention.

OpenCV cameras look down +z with y pointing down the image; Blender cameras look down -z with y
up, so the two camera frames differ by a flip of y and z.
"""

import numpy as np

FLIP_YZ = np.diag([1.0, -1.0, -1.0, 1.0])


def pose_camera(cam_obj, K: np.ndarray, world_to_cam: np.ndarray, width: int, height: int) -> None:
    """Place a perspective camera object so that it images like (K, world_to_cam) at width x height.
    K must have square pixels and a centred principal point (as the backend's orbit cameras do)."""
    from mathutils import Matrix

    data = cam_obj.data
    data.type = "PERSP"
    data.sensor_fit = "AUTO"  # the sensor width spans the larger image side
    data.shift_x = data.shift_y = 0.0
    data.lens = float(K[0, 0]) * data.sensor_width / max(width, height)
    cam_obj.matrix_world = Matrix((np.linalg.inv(world_to_cam) @ FLIP_YZ).tolist())


def opencv_camera(cam_obj, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """(K (3, 3), world_to_cam (4, 4)) of a perspective camera object without lens shift, read from
    its lens, sensor and world matrix (scale removed)."""
    data = cam_obj.data
    fit = data.sensor_fit
    if fit == "AUTO":
        sensor, pixels = data.sensor_width, max(width, height)
    elif fit == "HORIZONTAL":
        sensor, pixels = data.sensor_width, width
    else:
        sensor, pixels = data.sensor_height, height
    f = data.lens / sensor * pixels
    K = np.array([[f, 0.0, width / 2], [0.0, f, height / 2], [0.0, 0.0, 1.0]])
    m = np.array(cam_obj.matrix_world, dtype=np.float64)
    m[:3, :3] /= np.linalg.norm(m[:3, :3], axis=0)
    return K, FLIP_YZ @ np.linalg.inv(m)
