import numpy as np
import pytest

from partdistill import PartDistillError, metrics, vote
from partdistill.teachers.simulated import SIMULATED_NOTICE, SimulatedTeacher, noise_model, part_instances
from partdistill.simulate import simulated_units


def two_blocks_image():
    """A 40x40 view with instance 0 (part 0) on the left, instances 1, 2 (part 1) on the right."""
    img = np.full((40, 40), -1)
    img[5:35, 2:18] = 0
    img[5:15, 22:38] = 1
    img[25:35, 22:38] = 2
    return img, np.array([0, 1, 1])


def test_oracle_boxes_are_tight_and_correct():
    img, inst_part = two_blocks_image()
    (pred,) = SimulatedTeacher(2, "oracle").boxes([img], inst_part)
    assert len(pred.xyxy) == 3
    assert np.allclose(pred.xyxy[0], [2, 5, 18, 35])
    assert list(pred.scores.argmax(axis=1)) == [0, 1, 1]


@pytest.mark.parametrize("field,value,check", [
    ("instance_miss", 1.0, lambda p: len(p.xyxy) == 0),
    ("wrong_label", 1.0, lambda p: list(p.scores.argmax(axis=1)) == [1, 0, 0]),
    ("merge_same_part", 1.0, lambda p: len(p.xyxy) == 2 and np.allclose(p.xyxy[1], [22, 5, 38, 35])),
    ("false_positives", 5.0, lambda p: len(p.xyxy) > 3),
    ("inflate", 0.5, lambda p: (p.xyxy[:, 2] - p.xyxy[:, 0]).sum() > 3 * 16),
])
def test_each_box_failure_mode_does_what_it_says(field, value, check):
    img, inst_part = two_blocks_image()
    (pred,) = SimulatedTeacher(2, "oracle", seed=3, **{field: value}).boxes([img], inst_part)
    assert check(pred)


def test_instance_misses_are_consistent_across_views_and_jitter_is_not():
    img, inst_part = two_blocks_image()
    teacher = SimulatedTeacher(2, "oracle", seed=1, instance_miss=0.5, view_jitter=0.2,
                               score_low=0.5, score_high=0.8)
    preds = teacher.boxes([img] * 6, inst_part)
    counts = {len(p.xyxy) for p in preds}
    assert len(counts) == 1  # the same instances are missing in every view
    first_scores = [p.scores.max(axis=1)[0] for p in preds if len(p.xyxy)]
    assert len(set(np.round(first_scores, 6))) > 1  # but confidences vary from view to view


def test_pixel_oracle_and_confusion():
    img, inst_part = two_blocks_image()
    (clean,) = SimulatedTeacher(2, "oracle").pixel_maps([img], inst_part)
    assert (clean.mask == (img >= 0)).all()
    lab = clean.probs.argmax(axis=2)
    assert (lab[img == 0] == 0).all() and (lab[img >= 1] == 1).all()
    assert np.allclose(clean.probs.sum(axis=2), 1, atol=1e-5)
    (confused,) = SimulatedTeacher(2, "oracle", part_confusion=1.0, seed=0).pixel_maps([img], inst_part)
    # both parts are read as another part in turn, so the view collapses to a single part
    assert len(np.unique(confused.probs.argmax(axis=2)[img >= 0])) == 1


def test_part_instances_split_disconnected_pieces():
    a = np.stack([np.linspace(0, 1, 30), np.zeros(30), np.zeros(30)], axis=1)
    pts = np.concatenate([a, a + [0, 1, 0], a + [0, 2, 0]])
    labels = np.repeat([1, 1, 0], 30)
    inst = part_instances(pts, labels, radius=0.1)
    assert len(np.unique(inst)) == 3
    assert len(np.unique(inst[:30])) == 1


def test_simulated_units_end_to_end_is_deterministic_and_labelled():
    from partdistill.samples import make_shape
    from partdistill.geometry.sampling import sample_surface
    mesh = make_shape("chair", seed=0)
    pts, faces, _ = sample_surface(mesh, 1024, seed=0)
    labels = mesh.face_labels[faces]
    for kind, floor in (("box", 0.5), ("pixel", 0.6)):
        oracle, _ = simulated_units(pts, labels, 4, kind=kind, preset="oracle", size=256)
        assert metrics.shape_miou(vote(oracle, 4), labels, 4) > floor
        a, views = simulated_units(pts, labels, 4, kind=kind, seed=5, size=256)
        b, _ = simulated_units(pts, labels, 4, kind=kind, seed=5, size=256)
        assert np.array_equal(a.probs, b.probs) and np.array_equal(a.point_index, b.point_index)
        assert views.visible.shape == (10, 1024)
    assert "SIMULATED" in SIMULATED_NOTICE and "not a vision-language model" in SIMULATED_NOTICE


def test_unknown_presets_and_settings_are_errors():
    with pytest.raises(PartDistillError, match="choose one of"):
        noise_model("gpt")
    with pytest.raises(PartDistillError, match="unknown noise settings"):
        noise_model("glip", loudness=1)
    with pytest.raises(PartDistillError, match="kind"):
        simulated_units(np.random.rand(10, 3), np.zeros(10, int), 1, kind="mask")
