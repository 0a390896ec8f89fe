"""blender_scripts/segment_files.py under plain python with the bpy module: a folder in, .glb + .blend out."""

import subprocess
import sys

import pytest

bpy = pytest.importorskip("bpy")

from blender_support import REPO, add_chair, fresh_blender  # noqa: E402

SCRIPT = REPO / "blender_scripts" / "segment_files.py"


@pytest.fixture
def folder(tmp_path):
    """The chair as .obj, .ply, .glb and .blend, and a text file the script must skip."""
    fresh_blender()
    add_chair()
    inputs = tmp_path / "in"
    inputs.mkdir()
    bpy.ops.wm.obj_export(filepath=str(inputs / "a_chair.obj"), export_selected_objects=True)
    bpy.ops.wm.ply_export(filepath=str(inputs / "b_chair.ply"), export_selected_objects=True)
    bpy.ops.export_scene.gltf(filepath=str(inputs / "c_chair.glb"), export_format="GLB", use_selection=True)
    bpy.ops.wm.save_as_mainfile(filepath=str(inputs / "d_chair.blend"), copy=True)
    (inputs / "notes.txt").write_text("not a mesh")
    return inputs


def test_segments_every_mesh_file_of_a_folder(folder, tmp_path, tiny_vlms):
    out = tmp_path / "out"
    cmd = [sys.executable, str(SCRIPT), str(folder), str(out), "--parts", "back,seat,leg,arm",
           "--teacher", str(tiny_vlms["clip"]), "--engine", "WORKBENCH", "--resolution", "64",
           "--points", "256", "--views", "4"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    lines = [line for line in proc.stdout.splitlines() if line.startswith("[")]
    assert [line.split(":")[0] for line in lines] == [
        "[1/4] a_chair.obj", "[2/4] b_chair.ply", "[3/4] c_chair.glb", "[4/4] d_chair.blend"]
    assert "segmented 4 of 4 files" in proc.stdout
    for stem in ("a_chair", "b_chair", "c_chair", "d_chair"):
        assert (out / f"{stem}.glb").stat().st_size > 1000 and (out / f"{stem}.blend").is_file()
    bpy.ops.wm.open_mainfile(filepath=str(out / "d_chair.blend"))
    obj = bpy.data.objects["chair"]
    assert [g.name for g in obj.vertex_groups] == ["back", "seat", "leg", "arm"]


def test_a_file_that_fails_is_reported_and_the_status_is_1(folder, tmp_path):
    proc = subprocess.run([sys.executable, str(SCRIPT), str(folder), str(tmp_path / "out"), "--parts", "seat"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "[1/4] a_chair.obj: FAILED: Error: Name at least two parts" in proc.stdout
    assert "segmented 0 of 4 files" in proc.stdout
