"""The Segment Parts job without Blender (views from the backend's point renderer, see job_views.py)."""

from dataclasses import replace

import numpy as np
import pytest

from job_views import chair_request
from partdistill import metrics
from partdistill.errors import PartDistillError
from partdistill.jobs.protocol import JobCancelled
from partdistill.jobs.segment import run_segment, segment
from partdistill.jobs.views import object_cameras
from partdistill.teachers.simulated import SIMULATED_NOTICE


@pytest.fixture(scope="module")
def chair():
    return chair_request()


def test_segment_labels_the_chair_and_reports_each_stage(chair):
    messages = []
    result = run_segment(chair, on_message=messages.append, job="j1")
    assert [m["step"] for m in messages] == [1, 2, 3, 4, 5]
    assert {m["total"] for m in messages} == {5} and {m["job"] for m in messages} == {"j1"}
    assert [m["stage"] for m in messages] == ["sample", "teacher", "units", "distill", "transfer"]
    assert all(m["version"] == 1 and m["type"] == "progress" and m["text"] for m in messages)
    V, F, R = len(chair.vertices), len(chair.faces), len(chair.part_names)
    assert result.vertex_probs.shape == (V, R) and result.face_labels.shape == (F,)
    np.testing.assert_allclose(result.vertex_probs.sum(axis=1), 1.0, atol=1e-4)
    assert result.point_counts.sum() == chair.num_points and result.part_colors.shape == (R, 3)
    assert len({tuple(c) for c in result.part_colors}) == R
    assert set(result.seconds) == {"sample", "teacher", "units", "distill", "transfer"}
    assert result.notice == SIMULATED_NOTICE and "simulated" in result.teacher
    assert result.num_units > 5 and result.coverage > 0.5
    # Well above chance (1/4 per part) on the chair, through Blender-like world-space views.
    assert metrics.shape_miou(result.face_labels, chair.face_labels, R) > 0.4


def test_pixel_teacher_and_a_separate_target_mesh(chair):
    half = chair.faces[: len(chair.faces) // 2]
    result = run_segment(replace(chair, simulated_kind="pixel", target_vertices=chair.vertices[:500],
                                 target_faces=half[(half < 500).all(axis=1)]))
    assert result.vertex_probs.shape == (500, 4)
    assert result.face_labels.shape == (int((half < 500).all(axis=1).sum()),)
    assert "pixel" in result.teacher


def test_cancel_between_steps_stops_before_the_next_stage(chair):
    seen = []
    with pytest.raises(JobCancelled):
        run_segment(chair, on_message=seen.append, cancelled=lambda: len(seen) >= 2)
    assert [m["stage"] for m in seen] == ["sample", "teacher"]


def test_pre_aligned_checkpoint_needs_no_views(chair, tmp_path):
    import torch
    from partdistill.distill_config import DistillConfig
    from partdistill.student.features import shape_features
    from partdistill.student.head import DistillHead
    from partdistill.student.model import Student

    cfg = DistillConfig()
    dim = shape_features(chair.vertices[:64], cfg.prealign_features, cfg.superpoint_features).features.shape[1]
    torch.manual_seed(0)
    path = Student(DistillHead(dim, 4, cfg.hidden, cfg.layers), cfg, 4).save(tmp_path / "chair.pt")
    messages = []
    result = run_segment(replace(chair, views=(), face_labels=None, checkpoint=str(path)),
                         on_message=messages.append)
    assert [m["stage"] for m in messages] == ["sample", "student", "transfer"]
    assert result.vertex_probs.shape == (len(chair.vertices), 4) and result.notice == ""
    assert "pre-aligned" in result.teacher and set(result.seconds) == {"sample", "student", "transfer"}


@pytest.mark.parametrize("overrides, words", [
    ({"part_names": ("seat",)}, "at least two parts"),
    ({"part_names": ("seat", "Seat", "leg", "arm")}, "must differ"),
    ({"part_names": ("seat", " ", "leg", "arm")}, "empty"),
    ({"face_labels": None}, "ground-truth face labels"),
    ({"views": ()}, "no rendered views"),
    ({"simulated_kind": "mask"}, "kind must be one of"),
    ({"checkpoint": "/nonexistent/student.pt", "views": ()}, "no student checkpoint"),
    ({"teacher": "no-such-model"}, "no model 'no-such-model'"),
])
def test_bad_requests_are_clear_errors(chair, overrides, words):
    with pytest.raises(PartDistillError, match=words):
        run_segment(replace(chair, **overrides))


def test_validation_happens_before_the_first_step(chair):
    job = segment(replace(chair, part_names=("seat",)))
    with pytest.raises(PartDistillError):
        next(job)


def test_object_cameras_frame_the_bounding_sphere():
    center, radius = np.array([1.0, -2.0, 0.5]), 3.0
    cams = object_cameras(center, radius, 64, 48, num_views=4)
    assert len(cams) == 4
    for cam in cams:
        np.testing.assert_allclose(np.linalg.norm(cam.position - center), 2.2 * radius)
        uv, z = cam.project(center[None])
        np.testing.assert_allclose(uv[0], [32, 24], atol=1e-9)
    with pytest.raises(PartDistillError, match="between 1 and 10"):
        object_cameras(center, radius, 64, 48, num_views=11)
