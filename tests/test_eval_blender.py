"""The benchmark's Blender side: point clouds rendered as Blender point-cloud primitives by the
add-on's renderer, at the backend's cameras, and eval_shapenet.py run with the bpy module."""

import importlib.util

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from blender_support import REPO, addon_module, fresh_blender  # noqa: E402
from eval_data import FAST, write_shapenet  # noqa: E402

from partdistill.evaluation.views import NumpyRenderer, view_cameras  # noqa: E402
from partdistill.geometry.normalize import normalize_unit_sphere  # noqa: E402
from partdistill.geometry.sampling import sample_surface  # noqa: E402
from partdistill.samples import make_shape  # noqa: E402
from partdistill.units import project_views  # noqa: E402


@pytest.fixture(scope="module")
def rendered():
    fresh_blender()
    before = {kind: sorted(getattr(bpy.data, kind).keys()) for kind in ("meshes", "node_groups", "scenes", "objects")}
    points, _, _ = sample_surface(make_shape("chair", seed=0), 500, seed=0)
    points, _, _ = normalize_unit_sphere(points)
    cameras = view_cameras(2, 64)
    # Several samples per pixel: the case where Cycles' depth pass mixes in the background's.
    renderer = addon_module("scene.pointcloud").BlenderPointRenderer("CYCLES", samples=4)
    views = renderer(points, cameras)
    after = {kind: sorted(getattr(bpy.data, kind).keys()) for kind in before}
    return points, cameras, renderer, views, before, after


def test_points_render_as_a_closed_surface_at_the_backends_cameras(rendered):
    points, cameras, renderer, views, _, _ = rendered
    reference = NumpyRenderer()(points, cameras)
    for view, ref in zip(views, reference):
        mask = view["mask"]
        assert mask.sum() > 300 and np.isinf(view["depth"][~mask]).all()
        assert view["depth"][mask].max() < 2.2 + 1  # every object pixel is on the unit sphere's object
        # Off the object the picture is white (but where a rim pixel is less than half covered).
        assert (view["image"][~mask] == 255).all(axis=1).mean() > 0.99 and view["image"][mask].mean() < 240
        both = mask & ref["mask"]
        # The same cameras see the same object: masks overlap and depths agree within a sphere radius.
        assert both.sum() > 0.8 * min(mask.sum(), ref["mask"].sum())
        assert np.median(np.abs(view["depth"][both] - ref["depth"][both])) < renderer.radius(points) + 0.01
    seen = project_views(points, cameras, [v["depth"] for v in views], tol=renderer.tolerance(points))
    seen_ref = project_views(points, cameras, [v["depth"] for v in reference])
    for a, b in zip(seen, seen_ref):
        assert (a.visible == b.visible).mean() > 0.85


def test_rendering_leaves_no_datablock_behind(rendered):
    *_, before, after = rendered
    assert before == after


def test_eval_script_runs_with_the_bpy_module(tmp_path, capfd):
    write_shapenet(tmp_path / "data", points=200)
    spec = importlib.util.spec_from_file_location("eval_shapenet", REPO / "blender_scripts" / "eval_shapenet.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = tmp_path / "out"
    code = script.main(["--data", str(tmp_path / "data"), "--categories", "chair", "--teacher", "simulated",
                        "--views", "2", "--resolution", "48", "--points", "200", "--samples", "1",
                        "--limit", "1", "--figures", "1", "--out", str(out), "--config", str(FAST).replace("'", '"')])
    assert code == 0
    table = (out / "results.md").read_text()
    assert "renderer blender-cycles-1spp" in table and "SIMULATED TEACHER" in table
    assert len(list((out / "figures").glob("*.png"))) == 1
    # Blender's render notices go to the log; stdout keeps the progress lines and the table
    printed = capfd.readouterr().out
    assert "Saved:" not in printed and "1/1" in printed and "| teacher vote |" in printed
    assert "Saved:" in (out / "blender.log").read_text()
    bad = ["--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "x"), "--teacher", "simulated"]
    assert script.main(bad) == 1
