"""The built zip installs in Blender both ways and runs Segment Parts with the backend bundled inside."""

import subprocess
import sys

import pytest

pytest.importorskip("bpy")

from blender_support import REPO  # noqa: E402

# Run in a fresh process per install: a fresh Blender user directory, nothing from the source tree.
SCRIPT = """
import json, os, subprocess, sys, tempfile
root = tempfile.mkdtemp()
for name in ("CONFIG", "SCRIPTS", "DATAFILES", "RESOURCES", "EXTENSIONS"):
    os.environ[f"BLENDER_USER_{{name}}"] = os.path.join(root, name.lower())
sys.path.insert(0, {tests!r})
import bpy, addon_utils
bpy.ops.wm.read_factory_settings(use_empty=True)
if {how!r} == "legacy":
    bpy.ops.preferences.addon_install(filepath={zip!r})
    addon_utils.enable("partdistill_blender", default_set=True, handle_error=print)
    module = "partdistill_blender"
else:
    bpy.ops.extensions.package_install_files(filepath={zip!r}, repo="user_default", enable_on_install=True)
    module = "bl_ext.user_default.partdistill"
installed = os.path.dirname(sys.modules[module].__file__)
assert installed.startswith(root), installed
prefs = bpy.context.preferences.addons[module].preferences
prefs.backend_mode, prefs.python_path = "WORKER", sys.executable
import importlib
worker = importlib.import_module(module + ".bridge.worker").WorkerBackend(sys.executable)
where = subprocess.run([sys.executable, "-c", "import partdistill; print(partdistill.__file__)"],
                       env=worker.env(), capture_output=True, text=True).stdout
assert where.startswith(installed), (where, installed)  # the worker runs the bundled backend
if {segment!r}:
    from blender_support import add_chair, configure
    obj, _ = add_chair()
    configure(engine="WORKBENCH", resolution=64, num_points=256)
    assert bpy.ops.partdistill.segment() == {{"FINISHED"}}
    assert json.loads(obj["partdistill"])["summary"]["backend"] == "worker"
    print(json.dumps([g.name for g in obj.vertex_groups]))
print("installed")
"""


@pytest.fixture(scope="module")
def zip_path(tmp_path_factory):
    sys.path.insert(0, str(REPO))
    try:
        from build_addon import build
    finally:
        sys.path.remove(str(REPO))
    return build(tmp_path_factory.mktemp("dist"))


def install(zip_path, how: str, segment: bool) -> list[str]:
    code = SCRIPT.format(tests=str(REPO / "tests"), how=how, zip=str(zip_path), segment=segment)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc.stdout.strip().splitlines()


def test_zip_installs_as_a_legacy_add_on(zip_path):
    assert install(zip_path, "legacy", segment=False)[-1] == "installed"


def test_zip_installs_as_an_extension_and_segments_in_the_worker(zip_path):
    """The whole boundary: the worker process runs the bundled backend on Blender's renders."""
    assert install(zip_path, "extension", segment=True)[-2:] == ['["back", "seat", "leg", "arm"]', "installed"]
