import numpy as np
import pytest

from partdistill.errors import PartDistillError
from partdistill.geometry.cameras import PARTSLIP_VIEWS, Camera, intrinsics, look_at, orbit_cameras
from partdistill.geometry.render import render_points
from partdistill.geometry.visibility import visible_points


def square(z, n=20, half=0.5):
    """A flat grid of points in the plane z = const, facing +/-z."""
    g = np.linspace(-half, half, n)
    x, y = np.meshgrid(g, g)
    return np.stack([x.ravel(), y.ravel(), np.full(x.size, z)], axis=1)


def test_look_at_is_opencv_convention():
    T = look_at(eye=[0, 0, 3], target=[0, 0, 0], up=[0, 1, 0])
    cam = Camera(intrinsics(100, 100, 60), T, 100, 100)
    uv, z = cam.project(np.array([[0.0, 0.0, 0.0], [0.5, 0.0, 0.0], [0.0, 0.5, 0.0]]))
    assert np.allclose(z, 3.0)
    assert np.allclose(uv[0], [50, 50])
    assert uv[1, 0] > 50  # +x world is to the right (camera looks along -z, up is +y)
    assert uv[2, 1] < 50  # +y world (up) is towards row 0 (OpenCV's y points down)
    assert np.allclose(cam.position, [0, 0, 3])


def test_orbit_cameras_match_partslip_views():
    cams = orbit_cameras(width=64, height=48)
    assert len(cams) == len(PARTSLIP_VIEWS) == 10
    for cam, (elev, _) in zip(cams, PARTSLIP_VIEWS):
        assert np.isclose(np.linalg.norm(cam.position), 2.2)
        assert np.isclose(np.degrees(np.arcsin(cam.position[1] / 2.2)), elev)
        uv, _ = cam.project(np.zeros((1, 3)))
        assert np.allclose(uv, [[32, 24]])  # the centre projects to the image centre
    # azimuth 0 looks from +z in y-up, from -y in z-up (Blender's front)
    assert orbit_cameras([(0, 0)], up="y")[0].position[2] > 2.1
    assert orbit_cameras([(0, 0)], up="z")[0].position[1] < -2.1
    with pytest.raises(PartDistillError, match="up axis"):
        orbit_cameras(up="x")


def test_unit_sphere_fits_in_default_views():
    rng = np.random.default_rng(0)
    sphere = rng.normal(size=(500, 3))
    sphere /= np.linalg.norm(sphere, axis=1, keepdims=True)
    for cam in orbit_cameras(width=128, height=128):
        uv, z = cam.project(sphere)
        assert (z > 0).all() and (uv >= 0).all() and (uv < 128).all()


def test_render_depth_and_front_point_index():
    cam = Camera(intrinsics(64, 64, 60), look_at([0, 0, 3], [0, 0, 0], [0, 1, 0]), 64, 64)
    front, back = square(0.2), square(-0.2)
    pts = np.concatenate([front, back])
    r = render_points(pts, cam, radius=0.05)
    centre = r.depth[32, 32]
    assert np.isclose(centre, 2.8, atol=1e-6)  # the front square at z = 0.2 is 2.8 from the camera
    hit = r.index[r.mask]
    assert (hit < len(front)).all()  # the back square is fully hidden behind the front one
    assert np.isinf(r.depth[0, 0]) and r.index[0, 0] == -1


def test_visibility_on_known_scene():
    pts = np.concatenate([square(0.2), square(-0.2)])
    n = len(pts) // 2
    for eye, seen in (([0, 0, 3], slice(0, n)), ([0, 0, -3], slice(n, None))):
        cam = Camera(intrinsics(64, 64, 60), look_at(eye, [0, 0, 0], [0, 1, 0]), 64, 64)
        proj = visible_points(pts, cam, render_points(pts, cam, radius=0.05).depth, tol=0.03)
        expect = np.zeros(len(pts), dtype=bool)
        expect[seen] = True
        assert (proj.visible == expect).all()
    # a point behind the camera is never visible
    cam = Camera(intrinsics(64, 64, 60), look_at([0, 0, 3], [0, 0, 0], [0, 1, 0]), 64, 64)
    behind = visible_points(np.array([[0.0, 0.0, 5.0]]), cam, np.full((64, 64), np.inf))
    assert not behind.visible[0]


def test_render_is_deterministic():
    rng = np.random.default_rng(1)
    pts = rng.uniform(-1, 1, (400, 3))
    cam = orbit_cameras(width=96, height=96)[3]
    a, b = render_points(pts, cam), render_points(pts.copy(), cam)
    assert (a.index == b.index).all() and np.array_equal(a.depth, b.depth)
    # each pixel's depth is the depth of the point it names
    _, z = cam.project(pts)
    assert np.allclose(a.depth[a.mask], z[a.index[a.mask]])


def test_camera_rejects_bad_matrices():
    with pytest.raises(PartDistillError, match="K"):
        Camera(np.eye(4), np.eye(4), 10, 10)
    with pytest.raises(PartDistillError, match="size"):
        Camera(np.eye(3), np.eye(4), 0, 10)
