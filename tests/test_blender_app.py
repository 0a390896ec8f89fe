"""segment_files.py under a Blender application (`blender -b -P`), e.g. Debian's Blender 3.4 with
this environment's packages on PYTHONPATH. Skipped where no `blender` is on PATH."""

import shutil
import subprocess
import sys
import sysconfig

import pytest

bpy = pytest.importorskip("bpy")
BLENDER = shutil.which("blender")
pytestmark = pytest.mark.skipif(BLENDER is None, reason="no Blender application on PATH (apt install blender)")

from blender_support import REPO, add_chair, fresh_blender  # noqa: E402


def test_blender_application_segments_a_folder(tmp_path, tiny_vlms):
    fresh_blender()
    add_chair()
    (tmp_path / "in").mkdir()
    bpy.ops.wm.obj_export(filepath=str(tmp_path / "in" / "chair.obj"), export_selected_objects=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": sysconfig.get_paths()["purelib"],
           "BLENDER_USER_CONFIG": str(tmp_path / "config"), "BLENDER_USER_SCRIPTS": str(tmp_path / "scripts")}
    cmd = [BLENDER, "-b", "--python-exit-code", "1", "-P", str(REPO / "blender_scripts" / "segment_files.py"), "--",
           str(tmp_path / "in"), str(tmp_path / "out"), "--parts", "back,seat,leg,arm",
           "--teacher", str(tiny_vlms["clip"]), "--engine", "CYCLES", "--samples", "2", "--resolution", "64",
           "--points", "256", "--views", "4", "--backend", "WORKER", "--python", sys.executable]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "segmented 1 of 1 files" in proc.stdout
    assert (tmp_path / "out" / "chair.glb").is_file() and (tmp_path / "out" / "chair.blend").is_file()
