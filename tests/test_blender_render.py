"""The views: Blender cameras match the backend's OpenCV cameras, pixel for pixel."""

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from blender_support import add_chair, addon_module, fresh_blender  # noqa: E402


@pytest.fixture(scope="module")
def views():
    """The ten views of a moved, scaled chair rendered by Cycles at 4 samples with the Position pass,
    in ViewRenderer's own settings: its pixel filter (~0) is what puts each pixel's Position on the
    ray through its centre and keeps the background's depth off the silhouette's rim."""
    fresh_blender()
    obj, _ = add_chair()
    meshdata, render = addon_module("scene.meshdata"), addon_module("scene.render")
    from partdistill.jobs.views import bounding_sphere, object_cameras

    mesh = meshdata.world_mesh_copy(obj, bpy.context.evaluated_depsgraph_get())
    center, radius = bounding_sphere(meshdata.mesh_arrays(mesh).vertices)
    cameras = object_cameras(center, radius, 80, 80)
    renderer = render.ViewRenderer(mesh, bpy.app.tempdir, "CYCLES", resolution=80, samples=4)
    renderer.scene.view_layers[0].use_pass_position = True
    try:
        out = [renderer.render(i, cam.K, cam.world_to_cam) for i, cam in enumerate(cameras)]
    finally:
        renderer.close()
        bpy.data.meshes.remove(mesh)
    return cameras, out


def test_cameras_read_back_from_blender_are_the_backends(views):
    cameras, rendered = views
    for cam, view in zip(cameras, rendered):
        np.testing.assert_allclose(view["K"], cam.K, atol=1e-9)
        np.testing.assert_allclose(view["world_to_cam"], cam.world_to_cam, atol=1e-5)


def test_position_pass_reprojects_within_half_a_pixel(views):
    _, rendered = views
    for view in rendered:
        ch = view["channels"]
        rows, cols = np.nonzero(view["mask"])
        assert len(rows) > 200
        world = np.stack([ch[f"ViewLayer.Position.{a}"][rows, cols] for a in "XYZ"], axis=1)
        T = view["world_to_cam"]
        cam = world @ T[:3, :3].T + T[:3, 3]
        uv = cam[:, :2] / cam[:, 2:] @ view["K"][:2, :2].T + view["K"][:2, 2]
        assert np.abs(uv - np.stack([cols + 0.5, rows + 0.5], axis=1)).max() < 0.5
        # Depth is camera z (OpenCV z), the convention of the backend's visibility test.
        np.testing.assert_allclose(view["depth"][rows, cols], cam[:, 2], rtol=1e-4)


def test_no_pixel_of_the_object_holds_the_background_depth(views):
    """With more than one sample and Cycles' default 1.5 px filter, rim pixels store the background's
    depth (1e10), so points behind the silhouette would pass the depth test."""
    _, rendered = views
    rim_pixels = 0
    for view in rendered:
        ch = view["channels"]
        covered = ch["ViewLayer.Combined.A"] > 0.5
        padded = np.pad(covered, 1, constant_values=False)
        neighbours_off = ~(padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:])
        rim = covered & neighbours_off
        rim_pixels += rim.sum()
        # The raw pass: Cycles itself wrote the surface's depth there, not the background's 1e10 ...
        assert (ch["ViewLayer.Depth.Z"][covered] < 1e9).all()
        # ... so the safety net in ViewRenderer.render took no pixel off the object.
        np.testing.assert_array_equal(view["mask"], covered)
        assert np.isfinite(view["depth"][rim]).all()
    assert rim_pixels > 100


def test_views_are_images_of_the_object_and_leave_nothing_behind(views):
    _, rendered = views
    for view in rendered:
        assert view["image"].shape == (80, 80, 3) and view["image"].dtype == np.uint8
        # Composited on white. At 4 samples a few rim pixels are partly covered (alpha in (0, 0.5]):
        # off the mask, yet not pure white.
        assert (view["image"][view["channels"]["ViewLayer.Combined.A"] == 0] == 255).all()
        assert (view["image"][~view["mask"]] >= 128).all()
        assert view["image"][view["mask"]].mean() < 240  # the object is not white on white
        assert np.isinf(view["depth"][~view["mask"]]).all()
    assert [s.name for s in bpy.data.scenes] == ["Scene"]
    assert not bpy.data.cameras and not bpy.data.lights and not bpy.data.worlds
    assert [m.name for m in bpy.data.meshes] == ["chair"]
