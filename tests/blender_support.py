"""Headless Blender for the tests: the bpy module with the add-on enabled from the source tree.

Blender's user directories go to a temporary directory, so tests never read or write the
user's preferences. The add-on is enabled under the module name its zip uses, through a link to
blender_addon/ (its backend is found beside it, as in the source tree).
"""

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ADDON = "partdistill_blender"
REPO = Path(__file__).resolve().parents[1]

_root = Path(tempfile.mkdtemp(prefix="partdistill_blender_tests_"))
for name in ("CONFIG", "SCRIPTS", "DATAFILES", "RESOURCES", "EXTENSIONS"):
    os.environ[f"BLENDER_USER_{name}"] = str(_root / name.lower())
ADDONS_DIR = _root / "addons"
ADDONS_DIR.mkdir()
(ADDONS_DIR / ADDON).symlink_to(REPO / "blender_addon")
sys.path.insert(0, str(ADDONS_DIR))

# triton's LLVM must load before Blender's OpenGL brings up Mesa's (see bridge/inprocess.hide_triton):
# the other tests in this process may import torch._dynamo after a Workbench render.
import torch._dynamo  # noqa: E402,F401

import bpy  # noqa: E402  (bpy puts addon_utils on sys.path)
import addon_utils  # noqa: E402


def fresh_blender():
    """An empty scene with only the add-on enabled; returns the add-on's module."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    return addon_utils.enable(ADDON, default_set=True, handle_error=_raise)


def _raise(exc):
    raise exc


def addon_module(name: str):
    """A submodule of the enabled add-on, e.g. "session"."""
    import importlib
    return importlib.import_module(f"{ADDON}.{name}")


def add_chair(name="chair", seed=0, truth=True, location=(1.0, 2.0, 3.0), scale=2.0):
    """The procedural chair as a mesh object (z up), active and selected, moved and scaled so that
    world and object space differ; its face attribute partdistill_truth holds the ground-truth part
    (for the simulated teacher)."""
    obj, shape = addon_module("scene.sample").add_sample_object("chair", seed=seed, name=name, truth=truth)
    obj.location, obj.scale = location, (scale, scale, scale)
    return obj, shape


def configure(parts=("back", "seat", "leg", "arm"), **settings):
    """Panel settings for fast tests: simulated teacher, Cycles at 1 sample, 96 px, 512 points."""
    s = bpy.context.scene.partdistill
    s.parts.clear()
    for part in parts:
        s.parts.add().name = part
    values = dict(teacher="simulated", engine="CYCLES", samples=1, resolution=96, num_points=512)
    values.update(settings)
    for key, value in values.items():
        setattr(s, key, value)
    return s


def segment():
    """Run Segment Parts as a script would, pushing its undo step."""
    return bpy.ops.partdistill.segment("EXEC_DEFAULT", True)


def mesh_attribute(mesh, name) -> np.ndarray:
    attribute = mesh.attributes[name]
    values = np.empty(len(attribute.data), dtype=np.float32 if attribute.data_type == "FLOAT" else np.int32)
    attribute.data.foreach_get("value", values)
    return values


def face_materials(mesh) -> np.ndarray:
    values = np.empty(len(mesh.polygons), dtype=np.int32)
    mesh.polygons.foreach_get("material_index", values)
    return values
