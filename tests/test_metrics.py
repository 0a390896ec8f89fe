import numpy as np
import pytest

from partdistill import KnowledgeUnits, PartDistillError, metrics


def test_shape_miou_shapenet_convention_with_absent_part():
    gt = np.array([0, 0, 1, 1])
    pred = np.array([0, 1, 1, 1])
    # part 0: I=1 U=2 -> .5; part 1: I=2 U=3 -> 2/3; part 2 absent from both -> 1
    assert np.isclose(metrics.shape_miou(pred, gt, 3), (0.5 + 2 / 3 + 1) / 3)
    # a part predicted but absent from the ground truth counts 0, not 1
    assert np.isclose(metrics.shape_miou(np.array([0, 0, 1, 2]), gt, 3), (1 + 0.5 + 0) / 3)


def test_unlabelled_points_count_as_wrong():
    gt = np.array([0, 0, 1, 1])
    assert np.isclose(metrics.shape_miou(np.array([0, -1, 1, -1]), gt, 2), 0.5)
    assert metrics.accuracy(np.array([0, -1, 1, -1]), gt) == 0.5


def test_shapenet_summary_class_and_instance():
    s = metrics.shapenet_summary([("a", 1.0), ("a", 0.0), ("a", 0.5), ("b", 1.0)])
    assert np.isclose(s["categories"]["a"], 0.5)
    assert np.isclose(s["class_miou"], 0.75)
    assert np.isclose(s["instance_miou"], 2.5 / 4)
    assert "ShapeNetPart" in s["convention"]


def test_partnete_convention_averages_parts_over_shapes_that_have_them():
    # shape 1 has parts 0, 1; shape 2 only part 0 (a wrong prediction of part 1 there does not
    # add an IoU-0 entry for part 1, but lowers part 0's IoU)
    rec = [("Chair", np.array([0, 0, 1, 1]), np.array([0, 0, 1, 1]), 2),
           ("Chair", np.array([0, 1, 0, 0]), np.array([0, 0, 0, 0]), 2),
           ("Lamp", np.array([0, -1]), np.array([0, -1]), 1)]
    s = metrics.partnete_summary(rec)
    assert np.isclose(s["categories"]["Chair"], ((1.0 + 0.75) / 2 + 1.0) / 2)
    assert np.isclose(s["categories"]["Lamp"], 1.0)
    assert np.isclose(s["overall_miou"], (0.9375 + 1.0) / 2)
    assert "PartNet-E" in s["convention"]


def test_metric_input_errors():
    with pytest.raises(PartDistillError, match="equal-length"):
        metrics.shape_miou(np.zeros(3), np.zeros(4), 2)
    with pytest.raises(PartDistillError, match="num_parts"):
        metrics.shape_miou(np.zeros(3), np.zeros(3), 0)


def test_unit_quality_rises_when_wrong_units_are_silenced():
    gt = np.array([0, 0, 0, 1, 1, 1])
    Y = np.zeros((3, 6, 2), dtype=np.float32)
    M = np.zeros((3, 6), bool)
    M[0, :3], Y[0, :3] = True, [0.8, 0.0]     # right
    M[1, 3:], Y[1, 3:] = True, [0.0, 0.8]     # right
    M[2, 2:5], Y[2, 2:5] = True, [0.8, 0.0]   # wrong on points 3, 4
    units = KnowledgeUnits.from_dense(Y, M, view=[0, 0, 0])
    q = metrics.unit_quality(units, gt, 2)
    assert 0 < q < 1
    better = metrics.unit_quality(units.with_scores([1.0, 1.0, 0.0]), gt, 2)
    assert better > q
    assert np.isclose(better, 1.0)
    # perfect units with full confidence over the visible points score 1
    visible = np.ones((1, 6), bool)
    assert np.isclose(metrics.unit_quality(units.select([True, True, False]).with_scores([1, 1]), gt, 2, visible), 1)
