"""distill / prealign through the public API: behaviour, determinism, checkpoints, errors."""

import numpy as np
import pytest
import torch

import partdistill
from partdistill import KnowledgeUnits, PartDistillError, metrics
from partdistill.student.model import Student

FAST = {"min_epochs": 20, "max_epochs": 60, "epochs_after": 20, "hidden": 32}


def two_blobs(n=300, seed=0):
    """Two separated blobs of different shape (part 0: a rod on the left, part 1: a disc on the
    right), and units covering only the inner half of each: the outer points are never covered.
    (The default features are intrinsic, so the parts must differ in shape, not only in place.)"""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, 3)) * [0.6, 0.1, 0.1] + [-1.5, 0, 0]
    b = rng.normal(size=(n, 3)) * [0.1, 0.4, 0.4] + [1.5, 0, 0]
    pts = np.concatenate([a, b])
    gt = np.repeat([0, 1], n)
    Y = np.zeros((2, 2 * n, 2), dtype=np.float32)
    M = np.zeros((2, 2 * n), bool)
    M[0] = (gt == 0) & (pts[:, 0] > -1.5)
    M[1] = (gt == 1) & (pts[:, 0] < 1.5)
    Y[0, :, 0] = 0.9
    Y[1, :, 1] = 0.8
    return pts, KnowledgeUnits.from_dense(Y, M), gt


def test_student_labels_points_no_unit_covers():
    pts, units, gt = two_blobs()
    r = partdistill.distill(pts, units, 2, config=FAST)
    uncovered = ~units.covered()
    assert uncovered.sum() > 200
    assert (r.labels >= 0).all()
    assert (r.labels[uncovered] == gt[uncovered]).mean() > 0.9
    assert r.probs.shape == (len(pts), 2) and np.allclose(r.probs.sum(axis=1), 1, atol=1e-4)


def test_backward_distillation_lowers_a_wrong_unit():
    pts, units, gt = two_blobs()
    # add a wrong unit: a few points of blob 0 labelled part 1
    wrong_pts = np.nonzero(gt == 0)[0][:40]
    Y, M = units.to_dense()
    Y = np.concatenate([Y, np.zeros((1,) + Y.shape[1:], np.float32)])
    M = np.concatenate([M, np.zeros((1, M.shape[1]), bool)])
    M[2, wrong_pts], Y[2, wrong_pts, 1] = True, 0.9
    units = KnowledgeUnits.from_dense(Y, M)
    fwd = partdistill.distill(pts, units, 2, backward=False, config=FAST)
    bd = partdistill.distill(pts, units, 2, backward=True, config=FAST)
    assert np.allclose(fwd.unit_scores, units.scores)  # forward only: the initial confidences
    assert bd.unit_scores[2] < 0.5 * min(bd.unit_scores[0], bd.unit_scores[1])
    assert metrics.shape_miou(bd.labels, gt, 2) >= metrics.shape_miou(fwd.labels, gt, 2)


def test_deterministic_under_a_seed():
    pts, units, _ = two_blobs()
    a = partdistill.distill(pts, units, 2, seed=3, config=FAST)
    b = partdistill.distill(pts, units, 2, seed=3, config=FAST)
    c = partdistill.distill(pts, units, 2, seed=4, config=FAST)
    assert np.array_equal(a.probs, b.probs)
    assert not np.array_equal(a.probs, c.probs)
    state = torch.random.get_rng_state()
    partdistill.distill(pts, units, 2, seed=5, config=FAST)
    assert torch.equal(state, torch.random.get_rng_state())  # the caller's RNG is left alone


def test_scale_and_position_do_not_matter():
    pts, units, _ = two_blobs()
    a = partdistill.distill(pts, units, 2, config=FAST)
    b = partdistill.distill(pts * 40 + [3, -7, 100], units, 2, config=FAST)
    assert (a.labels == b.labels).mean() > 0.99


def test_paper_preset_runs_and_differs_from_default():
    pts, units, _ = two_blobs()
    paper = partdistill.distill(pts, units, 2, config={"preset": "paper", **FAST})
    default = partdistill.distill(pts, units, 2, config=FAST)
    assert paper.labels.shape == default.labels.shape
    assert not np.allclose(paper.probs, default.probs)


def test_bad_inputs_are_clear_errors():
    pts, units, _ = two_blobs()
    with pytest.raises(PartDistillError, match="N = 600 points but 599"):
        partdistill.distill(pts[:-1], units, 2)
    with pytest.raises(PartDistillError, match="num_parts = 3"):
        partdistill.distill(pts, units, 3)
    with pytest.raises(PartDistillError, match="integer >= 1"):
        partdistill.distill(pts, units, 0)
    empty = KnowledgeUnits.from_dense(np.zeros((1, len(pts), 2)), np.zeros((1, len(pts)), bool))
    with pytest.raises(PartDistillError, match="no knowledge unit covers any point"):
        partdistill.distill(pts, empty, 2)
    bad = pts.copy()
    bad[0, 0] = np.nan
    with pytest.raises(PartDistillError, match="NaN"):
        partdistill.distill(bad, units, 2)
    with pytest.raises(PartDistillError, match="unknown distillation preset"):
        partdistill.distill(pts, units, 2, config="fast")
    with pytest.raises(PartDistillError, match="unknown distillation settings"):
        partdistill.distill(pts, units, 2, config={"epochz": 3})


PRE_FAST = {"hidden": 32, "pre_epochs": 5, "pre_epochs_after": 2, "pre_min_steps": 60}


@pytest.fixture(scope="module")
def small_student(tmp_path_factory):
    shapes = [two_blobs(seed=s)[:2] for s in range(3)]
    student = partdistill.prealign(shapes, 2, config=PRE_FAST)
    return student, tmp_path_factory.mktemp("ckpt") / "student.pt"


def test_prealign_predicts_new_shapes_and_round_trips(small_student):
    student, path = small_student
    pts, _, gt = two_blobs(seed=10)
    probs = student.predict(pts)
    assert metrics.shape_miou(probs.argmax(axis=1), gt, 2) > 0.9
    student.save(path)
    loaded = type(student).load(path)
    assert np.array_equal(loaded.predict(pts), probs)
    assert loaded.config == student.config


def test_checkpoint_errors(small_student, tmp_path):
    student, path = small_student
    student.save(path)
    with pytest.raises(PartDistillError, match="segments 2 parts but 4"):
        Student.load(path, num_parts=4)
    torch.save({"base_model": {"x": torch.zeros(1)}}, tmp_path / "encoder.pth")
    with pytest.raises(PartDistillError, match="not a PartDistill student checkpoint"):
        Student.load(tmp_path / "encoder.pth")
    payload = torch.load(path, weights_only=True)
    payload["state_dict"] = {k: v[..., :1] if v.ndim == 2 else v for k, v in payload["state_dict"].items()}
    torch.save(payload, tmp_path / "other_arch.pt")
    with pytest.raises(PartDistillError, match="do not fit the architecture"):
        Student.load(tmp_path / "other_arch.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(PartDistillError, match="not a readable checkpoint"):
        Student.load(tmp_path / "junk.pt")
    with pytest.raises(PartDistillError, match="no student checkpoint"):
        Student.load(tmp_path / "missing.pt")


def test_few_shot_labels_teach_what_units_do_not():
    pts, units, gt = two_blobs(seed=1)
    # the teacher never finds part 1; one labelled shape shows what it is
    misleading = units.select([True, False])
    zero_shot = partdistill.prealign([(pts, misleading)], 2, config=PRE_FAST)
    few_shot = partdistill.prealign([(pts, misleading)], 2, config=PRE_FAST, labelled=[(pts, gt)])
    test_pts, _, test_gt = two_blobs(seed=2)
    acc = lambda s: (s.predict(test_pts).argmax(axis=1) == test_gt).mean()  # noqa: E731
    assert acc(few_shot) > 0.75 > acc(zero_shot)


def test_point_m2ae_feature_source_runs_through_distill():
    from partdistill.student.point_m2ae import PointM2AEConfig, PointM2AEEncoder
    torch.manual_seed(0)
    cfg = PointM2AEConfig(num_centres=(64, 32, 16), group_sizes=(8, 4, 4), dims=(12, 24, 48),
                          depths=(1, 1, 1), num_heads=2)
    encoder = PointM2AEEncoder(cfg).eval()
    pts, units, gt = two_blobs(n=300)
    r = partdistill.distill(pts, units, 2, config={"features": ("point-m2ae",), **FAST}, encoder=encoder)
    assert r.labels.shape == gt.shape
    with pytest.raises(PartDistillError, match="needs an encoder"):
        partdistill.distill(pts, units, 2, config={"features": ("point-m2ae",), **FAST})


def test_uncovered_points_can_stay_unlabelled():
    pts, units, _ = two_blobs()
    r = partdistill.distill(pts, units, 2, config={"label_uncovered": False, **FAST})
    assert ((r.labels == -1) == ~units.covered()).all()
