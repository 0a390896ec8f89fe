"""The add-on as installed: registration, presets, the manifest, and the .glb round trip."""

import subprocess
import sys
import tomllib

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from blender_support import (ADDON, ADDONS_DIR, REPO, add_chair, configure, face_materials, fresh_blender,  # noqa: E402
                             mesh_attribute, segment)

PARTS = ("back", "seat", "leg", "arm")


def test_enabling_registers_everything_and_imports_no_torch():
    """In a fresh process: enabling needs neither torch nor the backend; disabling removes it all."""
    code = f"""
import sys
sys.path.insert(0, {str(ADDONS_DIR)!r})
import bpy, addon_utils
bpy.ops.wm.read_factory_settings(use_empty=True)
addon_utils.enable({ADDON!r}, default_set=True, handle_error=print)
assert "torch" not in sys.modules and "partdistill" not in sys.modules, "enabling imported the backend"
assert hasattr(bpy.types.Scene, "partdistill") and hasattr(bpy.types, "PARTDISTILL_PT_main")
addon_utils.disable({ADDON!r}, default_set=True)
assert not hasattr(bpy.types.Scene, "partdistill") and not hasattr(bpy.types, "PARTDISTILL_PT_main")
print("ok")
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip().endswith("ok"), proc.stdout[-1000:] + proc.stderr[-2000:]


def test_manifest_and_bl_info_agree_with_the_project():
    manifest = tomllib.loads((REPO / "blender_addon" / "blender_manifest.toml").read_text())
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    for key in ("schema_version", "id", "version", "name", "tagline", "maintainer", "type",
                "blender_version_min", "license"):
        assert manifest[key], key
    assert manifest["version"] == project["version"] and manifest["type"] == "add-on"
    module = fresh_blender()
    assert ".".join(map(str, module.bl_info["version"])) == project["version"]
    assert module.bl_info["blender"] <= (3, 4, 0)


def test_part_list_operators_and_presets():
    fresh_blender()
    s = bpy.context.scene.partdistill
    assert bpy.ops.partdistill.load_preset(preset="shapenetpart:Chair") == {"FINISHED"}
    assert [p.name for p in s.parts] == ["back", "seat", "leg", "armrest"] and s.category == "chair"
    bpy.ops.partdistill.part_add(name="cushion")
    s.active_part = 4
    bpy.ops.partdistill.part_move(direction="UP")
    assert [p.name for p in s.parts] == ["back", "seat", "leg", "cushion", "armrest"] and s.active_part == 3
    bpy.ops.partdistill.part_remove()
    assert [p.name for p in s.parts] == ["back", "seat", "leg", "armrest"]
    assert bpy.ops.partdistill.load_preset(preset="partnete:StorageFurniture") == {"FINISHED"}
    assert [p.name for p in s.parts] == ["door", "drawer", "handle"] and s.category == "storage furniture"


def test_glb_round_trip_keeps_part_materials_and_attributes(tmp_path):
    from scipy.spatial import cKDTree

    fresh_blender()
    obj, _ = add_chair()
    configure(PARTS)
    assert segment() == {"FINISHED"}
    mesh = obj.data
    world = np.array([obj.matrix_world @ v.co for v in mesh.vertices])
    probs = {p: mesh_attribute(mesh, f"_part_{p}") for p in PARTS}
    slots = [m.name for m in mesh.materials]
    centroids = np.array([obj.matrix_world @ f.center for f in mesh.polygons])
    face_part = [slots[i] for i in face_materials(mesh)]
    path = str(tmp_path / "chair.glb")
    assert bpy.ops.partdistill.export_glb(filepath=path) == {"FINISHED"}
    assert [o.name for o in bpy.context.selected_objects] == ["chair"]  # selection as before

    fresh_blender()
    bpy.ops.import_scene.gltf(filepath=path)
    (imported,) = [o for o in bpy.data.objects if o.type == "MESH"]
    back = imported.data
    assert sorted(m.name for m in back.materials) == sorted(slots)
    near = cKDTree(world).query(np.array([imported.matrix_world @ v.co for v in back.vertices]))
    assert near[0].max() < 1e-4
    for p in PARTS:  # names come back upper-cased, values per vertex unchanged
        np.testing.assert_allclose(mesh_attribute(back, f"_PART_{p.upper()}"), probs[p][near[1]], atol=1e-6)
    where = cKDTree(centroids).query(np.array([imported.matrix_world @ f.center for f in back.polygons]))[1]
    imported_part = [back.materials[i].name for i in face_materials(back)]
    assert imported_part == [face_part[i] for i in where]


def test_importing_a_segmented_glb_rebuilds_its_vertex_groups(tmp_path):
    from scipy.spatial import cKDTree

    fresh_blender()
    obj, shape = add_chair()
    configure(("Back Rest", "seat", "leg", "arm"))  # a name whose case and space the attribute loses
    assert segment() == {"FINISHED"}
    parts = ["Back Rest", "seat", "leg", "arm"]
    world = np.array([obj.matrix_world @ v.co for v in obj.data.vertices])
    weights = np.array([[g.weight for g in v.groups] for v in obj.data.vertices])  # 4 groups, in part order
    centroids = np.array([obj.matrix_world @ f.center for f in obj.data.polygons])
    face_part = [obj.data.materials[i].name for i in face_materials(obj.data)]
    path = str(tmp_path / "chair.glb")
    assert bpy.ops.partdistill.export_glb(filepath=path) == {"FINISHED"}

    fresh_blender()
    assert bpy.ops.partdistill.import_glb(filepath=path) == {"FINISHED"}
    (imported,) = [o for o in bpy.data.objects if o.type == "MESH"]
    mesh = imported.data
    assert [g.name for g in imported.vertex_groups] == parts
    near = cKDTree(world).query(np.array([imported.matrix_world @ v.co for v in mesh.vertices]))
    assert near[0].max() < 1e-4
    rebuilt = np.zeros((len(mesh.vertices), len(parts)))
    for v in mesh.vertices:
        for g in v.groups:
            rebuilt[v.index, g.group] = g.weight
    np.testing.assert_allclose(rebuilt, weights[near[1]], atol=1e-6)
    assert [m.name for m in mesh.materials] == [f"PartDistill {p}" for p in parts]  # original names, in order
    where = cKDTree(centroids).query(np.array([imported.matrix_world @ f.center for f in mesh.polygons]))[1]
    assert [mesh.materials[i].name for i in face_materials(mesh)] == [face_part[i] for i in where]
    assert sorted(a.name for a in mesh.attributes if a.name.lower().startswith("_part_")) == \
        ["_part_arm", "_part_back_rest", "_part_leg", "_part_seat"]

    # The rebuilt result is the add-on's own: a new run replaces it instead of adding to it. glTF
    # dropped the ground truth the simulated teacher reads (its name has no "_"): put it back.
    truth = mesh.attributes.new("partdistill_truth", "INT", "FACE")
    truth.data.foreach_set("value", shape.face_labels[where].astype(np.int32))
    configure(parts)
    assert segment() == {"FINISHED"}
    assert [g.name for g in imported.vertex_groups] == parts
    assert [m.name for m in mesh.materials][:len(parts)] == [f"PartDistill {p}" for p in parts]
    assert len(mesh.materials) == len(parts)


def test_importing_a_plain_glb_warns_and_adds_no_parts(tmp_path):
    fresh_blender()
    add_chair()
    path = str(tmp_path / "plain.glb")
    bpy.ops.export_scene.gltf(filepath=path, export_format="GLB", use_selection=True)
    fresh_blender()
    assert bpy.ops.partdistill.import_glb(filepath=path) == {"FINISHED"}
    (imported,) = [o for o in bpy.data.objects if o.type == "MESH"]
    assert len(imported.vertex_groups) == 0 and "partdistill" not in imported
