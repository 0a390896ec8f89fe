"""Pre-alignment with the Point-M2AE encoder: frozen, or trained with the head (from random
weights: the paper's "w/o pretrain"), saved and loaded with the student."""

import numpy as np
import pytest
import torch
from test_distill import PRE_FAST, two_blobs

import partdistill
from partdistill import PartDistillError, metrics
from partdistill.student.model import Student
from partdistill.student.point_m2ae import PointM2AEConfig, PointM2AEEncoder

TINY = PointM2AEConfig(num_centres=(64, 32, 16), group_sizes=(8, 4, 4), dims=(12, 24, 48),
                       depths=(1, 1, 1), num_heads=2)
WITH_ENCODER = {**PRE_FAST, "prealign_features": ("xyz", "point-m2ae"), "pre_min_steps": 15}


def tiny_encoder(seed=0):
    torch.manual_seed(seed)
    return PointM2AEEncoder(TINY)


def shapes():
    return [two_blobs(n=200, seed=s)[:2] for s in range(2)]


def test_trained_encoder_learns_saves_and_loads(tmp_path):
    encoder = tiny_encoder()
    before = {k: v.clone() for k, v in encoder.state_dict().items()}
    student = partdistill.prealign(shapes(), 2, config={**WITH_ENCODER, "train_encoder": True}, encoder=encoder)
    after = student.encoder.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)  # the encoder was trained
    history = student.info["history"]
    assert history[-1] < history[0]
    pts, _, gt = two_blobs(n=200, seed=10)
    probs = student.predict(pts)
    assert probs.shape == (len(pts), 2)
    assert metrics.shape_miou(probs.argmax(axis=1), gt, 2) > 0.8
    loaded = Student.load(student.save(tmp_path / "student.pt"))
    assert loaded.encoder.config == TINY
    assert np.array_equal(loaded.predict(pts), probs)


def test_frozen_encoder_stays_as_given():
    encoder = tiny_encoder()
    before = {k: v.clone() for k, v in encoder.state_dict().items()}
    student = partdistill.prealign(shapes(), 2, config=WITH_ENCODER, encoder=encoder)
    assert all(torch.equal(before[k], v) for k, v in student.encoder.state_dict().items())
    # frozen features are the same as the feature pipeline of test-time alignment computes
    pts, units, _ = two_blobs(n=200, seed=3)
    from partdistill.student.encoded import EncodedShape
    from partdistill.student.features import shape_features
    cfg = student.config
    ours = EncodedShape(pts, cfg).frozen(encoder).features
    ref = shape_features(pts, cfg.prealign_features, cfg.superpoint_features, encoder=encoder).features
    assert np.allclose(ours, ref, atol=1e-4)


def test_encoder_features_need_an_encoder_or_training():
    with pytest.raises(PartDistillError, match="train_encoder=True"):
        partdistill.prealign(shapes(), 2, config=WITH_ENCODER)
