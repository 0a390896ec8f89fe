"""Bad input, a failing backend and a cancelled run: a clear report, and the scene as it was."""

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")

from blender_support import add_chair, addon_module, configure, fresh_blender, segment  # noqa: E402


def snapshot():
    """Everything a run could touch, as plain values."""
    return {
        "objects": sorted((o.name, len(o.vertex_groups), len(o.material_slots), "partdistill" in o)
                          for o in bpy.data.objects),
        "meshes": sorted((m.name, len(m.attributes), len(m.materials)) for m in bpy.data.meshes),
        "scenes": sorted(s.name for s in bpy.data.scenes), "materials": len(bpy.data.materials),
        "cameras": len(bpy.data.cameras), "lights": len(bpy.data.lights), "worlds": len(bpy.data.worlds),
        "images": len(bpy.data.images),
        "active": getattr(bpy.context.view_layer.objects.active, "name", None),
    }


@pytest.fixture
def scene():
    fresh_blender()
    configure()
    return bpy.context.scene


def refuse(words):
    before = snapshot()
    with pytest.raises(RuntimeError, match=words):
        segment()
    assert snapshot() == before


def test_no_active_object(scene):
    refuse("No active object")


def test_a_non_mesh_object(scene):
    empty = bpy.data.objects.new("Empty", None)
    scene.collection.objects.link(empty)
    bpy.context.view_layer.objects.active = empty
    refuse(r"'Empty' is not a mesh \(its type is empty\)")


def test_an_empty_mesh(scene):
    obj = bpy.data.objects.new("Nothing", bpy.data.meshes.new("Nothing"))
    scene.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    refuse("'Nothing' has no faces")


@pytest.mark.parametrize("parts, words", [
    (("seat",), "at least two parts"),
    (("seat", "Seat"), "'seat' and 'Seat' are the same name"),
    (("seat", "  "), "A part has no name"),
    (("leg", "#!"), "needs at least one letter or digit"),
])
def test_bad_part_lists(scene, parts, words):
    add_chair()
    configure(parts)
    refuse(words)


def test_linked_library_data(scene, tmp_path):
    add_chair(name="LinkedChair")
    library = str(tmp_path / "library.blend")
    bpy.data.libraries.write(library, {bpy.data.objects["LinkedChair"]})
    fresh_blender()
    configure()
    with bpy.data.libraries.load(library, link=True) as (data_from, data_to):
        data_to.objects = ["LinkedChair"]
    obj = data_to.objects[0]
    bpy.context.scene.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    refuse("linked from another file")


def test_simulated_teacher_without_ground_truth(scene):
    add_chair(truth=False)
    refuse("needs ground-truth labels in the integer face attribute 'partdistill_truth'")


def test_a_missing_model_is_a_backend_failure_that_changes_nothing(scene, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from blender_support import ADDON
    bpy.context.preferences.addons[ADDON].preferences.models_dir = str(tmp_path / "models")
    add_chair()
    configure(teacher="owlv2", resolution=64)
    refuse("The backend failed: model owlv2 .* is not in .* download it once with: partdistill models download owlv2")


def test_worker_python_missing(scene):
    from blender_support import ADDON
    prefs = bpy.context.preferences.addons[ADDON].preferences
    prefs.backend_mode, prefs.python_path = "WORKER", "/nonexistent/python"
    add_chair()
    refuse("The backend Python /nonexistent/python does not exist")


@pytest.mark.parametrize("steps", [3, "job"])
def test_cancel_while_rendering_or_while_the_backend_runs(scene, steps):
    """The modal operator's Esc calls SegmentSession.cancel(): at a view or during the job."""
    session_module = addon_module("session")
    obj, _ = add_chair()
    settings = addon_module("operators.segment").run_settings(bpy.context)
    before = snapshot()
    session = session_module.SegmentSession(obj, settings, bpy.context.evaluated_depsgraph_get())
    if steps == "job":
        while session.step() != session_module.WAIT:
            pass
    else:
        for _ in range(steps):
            session.step()
        assert "PartDistill views" in bpy.data.scenes
    job = session._job
    session.cancel()
    assert session.step() is None and session.summary is None
    if job is not None:
        job.wait(60)
        assert job.done and job.cancelled and job.result is None
    assert snapshot() == before
    assert not np.any([g.name == "back" for g in obj.vertex_groups])
