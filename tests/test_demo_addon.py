"""The main job's add-on stage: the sample chair segmented by the add-on in Blender (bpy module),
with the simulated teacher when the default model's weights are absent, said plainly."""

import json
import struct

import numpy as np
import pytest
from PIL import Image

from partdistill.cli import main
from partdistill.demo_addon import choose_teacher
from partdistill.viz import PALETTE

bpy = pytest.importorskip("bpy")

from blender_support import fresh_blender  # noqa: E402  (Blender's user folders in a temp dir)

LEGEND = 44  # blender_scripts/picture.py's legend strip under the views


def glb_json(path) -> dict:
    """The JSON chunk of a binary glTF file (header: magic, version, length; then the chunk)."""
    data = path.read_bytes()
    assert data[:4] == b"glTF"
    length, kind = struct.unpack_from("<I4s", data, 12)
    assert kind == b"JSON"
    return json.loads(data[20:20 + length])


def test_without_the_default_model_the_addon_stage_says_so_and_simulates(offline, tmp_path, capsys):
    assert main(["demo", "--only", "addon", "--out", str(tmp_path), "--points", "512"]) == 0
    out = capsys.readouterr().out
    assert "MODEL MISSING" in out and "owlv2 (google/owlv2-base-patch16-ensemble" in out
    assert f"partdistill models download owlv2 --dir {offline}" in out
    assert "SIMULATED teacher" in out and "simulated box teacher" in out
    assert "| chair |" not in out  # --only addon: no samples table
    miou = float(out.split("mIoU ")[1].split(" %")[0])
    assert 30 < miou <= 100  # the faces' parts agree with the sample's ground truth far beyond chance

    gltf = glb_json(tmp_path / "chair.glb")
    materials = [m["name"] for m in gltf["materials"]]
    assert set(materials) <= {f"PartDistill {p}" for p in ("back", "seat", "leg", "arm")} and len(materials) >= 3
    attributes = {name for mesh in gltf["meshes"] for prim in mesh["primitives"] for name in prim["attributes"]}
    assert {"_PART_BACK", "_PART_SEAT", "_PART_LEG", "_PART_ARM"} <= attributes
    fresh_blender()
    bpy.ops.wm.open_mainfile(filepath=str(tmp_path / "chair.blend"))
    chair = bpy.data.objects["chair"]
    assert [g.name for g in chair.vertex_groups] == ["back", "seat", "leg", "arm"]
    assert json.loads(chair["partdistill"])["summary"]["notice"].startswith("SIMULATED TEACHER")

    picture = np.asarray(Image.open(tmp_path / "chair.png").convert("RGB")).astype(int)
    assert picture.shape[1] == 2 * (picture.shape[0] - LEGEND)  # two square views side by side
    views = picture[:-LEGEND]
    # Workbench shades each part's colour; its hue survives: most object pixels lie near some part
    # colour's direction, and at least three parts show.
    obj = views[(views < 245).any(axis=2)]
    assert len(obj) > 0.1 * views.shape[0] * views.shape[1]
    unit = obj / np.linalg.norm(obj, axis=1, keepdims=True).clip(1)
    palette = PALETTE[:4] / np.linalg.norm(PALETTE[:4], axis=1, keepdims=True)
    nearest = (unit @ palette.T).argmax(axis=1)
    assert len(np.unique(nearest)) >= 3
    assert (tmp_path / "addon_stage.log").stat().st_size > 0


def test_the_default_model_is_used_when_present(offline, tiny_vlms):
    from test_teachers_cli import put_in_hub_cache

    lines = []
    assert choose_teacher("chair", lines.append) == "simulated"
    assert "MODEL MISSING" in lines[0]
    put_in_hub_cache(tiny_vlms["owlv2"], offline, "google/owlv2-base-patch16-ensemble")
    lines.clear()
    assert choose_teacher("chair", lines.append) == "owlv2"
    assert lines == ["teacher: owlv2 (google/owlv2-base-patch16-ensemble), the add-on's default vision-language model"]


def test_without_bpy_the_addon_stage_is_skipped_with_the_install_command(monkeypatch, tmp_path):
    import partdistill.demo_addon as stage

    real = stage.importlib.util.find_spec
    monkeypatch.setattr(stage.importlib.util, "find_spec", lambda name: None if name == "bpy" else real(name))
    lines = []
    assert stage.run_addon_stage(tmp_path, log=lines.append) is None
    assert lines == ["add-on stage skipped: this Python has no bpy module (Blender as a Python module); "
                     "install it with: pip install -e '.[blender]'"]
    assert not list(tmp_path.iterdir())


def test_an_unknown_sample_is_a_clear_error(tmp_path):
    import subprocess
    import sys

    from partdistill.demo_addon import SCRIPT

    proc = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path), "--category", "sofa"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "segment_sample: no sample 'sofa'; the samples are chair, table, mug, lamp, airplane" in proc.stderr


def test_a_failing_blender_stage_is_an_error_that_shows_the_end_of_blenders_output(offline, monkeypatch, tmp_path):
    import partdistill.demo_addon as stage
    from partdistill.errors import PartDistillError

    script = tmp_path / "fails.py"
    script.write_text("import sys\nprint('segment_sample: chair: FAILED: no faces')\nprint('Blender chatter')\n"
                      "sys.exit(1)\n")
    monkeypatch.setattr(stage, "SCRIPT", script)
    lines = []
    with pytest.raises(PartDistillError) as error:
        stage.run_addon_stage(tmp_path / "out", log=lines.append)
    assert "chair: FAILED: no faces" in lines and "Blender chatter" not in lines  # chatter: log file only
    assert "exit status 1" in str(error.value) and "Blender chatter" in str(error.value)
    assert "Blender chatter" in (tmp_path / "out" / stage.LOG).read_text()
