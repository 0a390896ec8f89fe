"""Segment Parts end to end in headless Blender: render, simulated teacher, distillation, write-back."""

import json

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from blender_support import (add_chair, configure, face_materials, fresh_blender,  # noqa: E402
                             mesh_attribute, segment)

PARTS = ("back", "seat", "leg", "arm")


def user_state():
    """What Segment Parts must leave alone: the user's scenes, render settings, selection, active object."""
    scene, render = bpy.context.scene, bpy.context.scene.render
    settings = render.image_settings
    return {
        "scenes": sorted(s.name for s in bpy.data.scenes), "window_scene": bpy.context.window.scene.name,
        "objects": sorted(o.name for o in bpy.data.objects), "cameras": len(bpy.data.cameras),
        "lights": len(bpy.data.lights), "worlds": len(bpy.data.worlds), "images": len(bpy.data.images),
        "meshes": sorted(m.name for m in bpy.data.meshes),
        "render": (render.engine, render.resolution_x, render.resolution_y, render.resolution_percentage,
                   render.filepath, render.film_transparent, settings.file_format, settings.color_depth),
        "view": scene.view_settings.view_transform, "passes": scene.view_layers[0].use_pass_z,
        "camera": scene.camera.name if scene.camera else None, "world": scene.world.name if scene.world else None,
        "frame": scene.frame_current,
        "selected": sorted(o.name for o in bpy.context.selected_objects),
        "active": bpy.context.view_layer.objects.active.name,
    }


@pytest.fixture
def chair():
    fresh_blender()
    scene = bpy.context.scene
    # A user's scene with its own camera, world, render settings and a second selected object.
    cam = bpy.data.objects.new("UserCam", bpy.data.cameras.new("UserCam"))
    scene.collection.objects.link(cam)
    scene.camera = cam
    scene.world = bpy.data.worlds.new("UserWorld")
    scene.render.engine, scene.render.resolution_x, scene.render.filepath = "BLENDER_WORKBENCH", 1234, "//user_out"
    scene.frame_current = 7
    cam.select_set(True)
    obj, shape = add_chair()
    return obj, shape


def test_segment_parts_writes_groups_slots_faces_and_attributes(chair):
    obj, shape = chair
    configure(PARTS)
    before = user_state()
    assert segment() == {"FINISHED"}
    assert user_state() == before

    mesh = obj.data
    assert [g.name for g in obj.vertex_groups] == list(PARTS)
    probs = np.stack([mesh_attribute(mesh, f"_part_{p}") for p in PARTS], axis=1)
    assert probs.shape == (len(mesh.vertices), 4)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    for r, group in enumerate(obj.vertex_groups):  # weights = the part's probability, on every vertex
        weights = np.array([v.groups[r].weight for v in mesh.vertices])
        assert all(v.groups[r].group == group.index for v in mesh.vertices[:20])
        np.testing.assert_allclose(weights, probs[:, r], atol=1e-6)
    for p in PARTS:
        attribute = mesh.attributes[f"_part_{p}"]
        assert (attribute.domain, attribute.data_type) == ("POINT", "FLOAT")

    slots = [m.name for m in mesh.materials]
    assert slots == [f"PartDistill {p}" for p in PARTS]
    colors = {tuple(round(c, 4) for c in m.diffuse_color) for m in mesh.materials}
    assert len(colors) == 4
    labels = face_materials(mesh)
    assert set(np.unique(labels)) <= {0, 1, 2, 3} and len(np.unique(labels)) >= 3
    # Faces follow the ground truth well above chance (1/4) under the simulated teacher.
    assert (labels == shape.face_labels).mean() > 0.6

    summary = json.loads(obj["partdistill"])["summary"]
    assert sum(summary["points_per_part"].values()) == 512
    assert sum(summary["faces_per_part"].values()) == len(mesh.polygons)
    assert {"render", "teacher", "distill", "write-back"} <= set(summary["seconds"])
    assert summary["notice"].startswith("SIMULATED TEACHER") and summary["backend"] == "in-process"


def test_a_second_run_replaces_only_its_own_data_and_undo_restores(chair):
    obj, _ = chair
    mesh = obj.data
    obj.vertex_groups.new(name="user group")
    mesh.materials.append(bpy.data.materials.new("UserMat"))
    mesh.attributes.new("_user_attr", "FLOAT", "POINT")
    bpy.ops.ed.undo_push(message="before Segment Parts")  # background Blender starts without undo
    configure(PARTS)
    assert segment() == {"FINISHED"}
    configure(("back", "seat", "leg"))
    assert segment() == {"FINISHED"}
    assert [g.name for g in obj.vertex_groups] == ["user group", "back", "seat", "leg"]
    assert [m.name for m in mesh.materials] == ["UserMat", "PartDistill back", "PartDistill seat", "PartDistill leg"]
    assert set(np.unique(face_materials(mesh))) <= {1, 2, 3}
    names = {a.name for a in mesh.attributes}
    assert {"_user_attr", "_part_back", "_part_seat", "_part_leg"} <= names and "_part_arm" not in names

    bpy.ops.ed.undo()  # one step back: the first run's result, exactly
    obj = bpy.data.objects["chair"]
    assert [g.name for g in obj.vertex_groups] == ["user group", "back", "seat", "leg", "arm"]
    assert len(obj.data.materials) == 5 and json.loads(obj["partdistill"])["parts"] == list(PARTS)
    bpy.ops.ed.undo()  # and before any run
    obj = bpy.data.objects["chair"]
    assert [g.name for g in obj.vertex_groups] == ["user group"]
    assert [m.name for m in obj.data.materials] == ["UserMat"] and "partdistill" not in obj
    assert not any(a.name.startswith("_part_") for a in obj.data.attributes)


def test_a_modifier_that_changes_topology_labels_the_original_mesh(chair):
    obj, shape = chair
    obj.modifiers.new("subdivide", "SUBSURF").levels = 1
    configure(PARTS, teacher="simulated")
    assert segment() == {"FINISHED"}
    mesh = obj.data
    assert len(mesh.vertices) == len(shape.vertices)  # the modifier is still there, not applied
    assert mesh_attribute(mesh, "_part_seat").shape == (len(shape.vertices),)
    assert (face_materials(mesh) == shape.face_labels).mean() > 0.6


def test_a_pre_aligned_student_segments_without_rendering(chair, tmp_path):
    import torch
    from partdistill.distill_config import DistillConfig
    from partdistill.student.features import shape_features
    from partdistill.student.head import DistillHead
    from partdistill.student.model import Student

    obj, _ = chair
    cfg = DistillConfig()
    dim = shape_features(np.random.default_rng(0).random((64, 3)), cfg.prealign_features,
                         cfg.superpoint_features).features.shape[1]
    torch.manual_seed(0)
    path = Student(DistillHead(dim, 4, cfg.hidden, cfg.layers), cfg, 4).save(tmp_path / "chairs.pt")
    configure(PARTS, teacher="owlv2", mode="CHECKPOINT", checkpoint=str(path))
    assert segment() == {"FINISHED"}
    summary = json.loads(obj["partdistill"])["summary"]
    assert "pre-aligned student" in summary["teacher"] and "render" not in summary["seconds"]
    assert [g.name for g in obj.vertex_groups] == list(PARTS)
    configure(("back", "seat", "leg"), mode="CHECKPOINT", checkpoint=str(path))
    with pytest.raises(RuntimeError, match="segments 4 parts but 3 were asked for"):
        segment()
    assert [g.name for g in obj.vertex_groups] == list(PARTS)  # the failed run changed nothing
