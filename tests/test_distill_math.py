"""Eq. 3, Eq. 4, class-balance weights and the trigger against hand-computed values."""

import numpy as np
import pytest
import torch

from partdistill import KnowledgeUnits
from partdistill.distill import Plateau
from partdistill.distill_loss import (agreement, class_balance_weights, distill_loss, entry_weights,
                                      keep_label_mass, rescore_within_labels)


def two_units():
    # unit 0 covers points 0, 1 with part 0 (conf .8, .6); unit 1 covers point 2 with part 1 (conf .5)
    Y = np.zeros((2, 3, 2), dtype=np.float32)
    M = np.zeros((2, 3), bool)
    M[0, :2], Y[0, 0], Y[0, 1] = True, [0.8, 0.2], [0.6, 0.4]
    M[1, 2], Y[1, 2] = True, [0.3, 0.5]
    return KnowledgeUnits.from_dense(Y, M)


def test_eq3_by_hand():
    units = two_units()
    logp = torch.log(torch.tensor([[0.7, 0.3], [0.4, 0.6], [0.1, 0.9]]))
    cw = np.ones(2)
    w = torch.tensor(entry_weights(units, cw, per_unit_mean=False))
    loss = distill_loss(logp, torch.from_numpy(units.point_index), torch.from_numpy(units.labels), w)
    expect = -(0.8 * np.log(0.7) + 0.6 * np.log(0.4) + 0.5 * np.log(0.9)) / (0.8 + 0.6 + 0.5)
    assert np.isclose(loss.item(), expect, rtol=1e-5)
    # the paper's literal 1/|M_d|: unit 0's two entries share one unit's weight
    w = entry_weights(units, cw, per_unit_mean=True)
    assert np.allclose(w, [0.4, 0.3, 0.5])


def test_class_balance_weights_follow_cui_et_al():
    units = two_units()  # label counts: part 0 -> 2 entries, part 1 -> 1 entry
    beta = 0.9
    raw = np.array([(1 - beta) / (1 - beta ** 2), (1 - beta) / (1 - beta)])
    w = class_balance_weights(units, 2, beta)
    assert np.allclose(w, raw / raw.mean())
    assert w[1] > w[0]  # the rarer label weighs more
    w3 = class_balance_weights(units, 3, beta)
    assert w3[2] == 0  # a label the teacher never predicts


def test_eq4_agreement_and_within_label_rescore():
    Y = np.zeros((3, 4, 2), dtype=np.float32)
    M = np.zeros((3, 4), bool)
    M[0, :4], Y[0, :4] = True, [0.9, 0.1]   # says part 0 on all four points
    M[1, :2], Y[1, :2] = True, [0.9, 0.1]   # part 0 on points 0, 1
    M[2, 2:], Y[2, 2:] = True, [0.1, 0.9]   # part 1 on points 2, 3
    units = KnowledgeUnits.from_dense(Y, M)
    student = np.array([0, 0, 1, 0])
    a = agreement(units, student)
    assert np.allclose(a, [0.75, 1.0, 0.5])  # unit 0 agrees on points 0, 1, 3
    # within each label: unit 0 is compared with unit 1 (best 1.0), unit 2 only with itself
    assert np.allclose(rescore_within_labels(units, a), [0.75, 1.0, 1.0])


def test_keep_label_mass_moves_weight_within_each_label_only():
    labels = np.array([0, 0, 0, 1, 1])
    before = np.array([1.0, 1.0, 2.0, 0.5, 0.5])
    after = np.array([0.0, 0.5, 0.5, 0.1, 0.3])   # re-scoring demoted label 0's first unit, all of label 1
    kept = keep_label_mass(after, labels, before)
    # label 0 still weighs 4, split 0 : 0.5 : 0.5; label 1 still 1, split 1 : 3
    assert np.allclose(kept, [0.0, 2.0, 2.0, 0.25, 0.75])
    # a label whose every entry fell to zero stays at zero (nothing to rescale)
    assert np.allclose(keep_label_mass(np.array([0.0, 0.0, 1.0]), np.array([0, 0, 1]), np.ones(3)), [0, 0, 1])


def test_plateau_trigger():
    p = Plateau(tau=0.01, decay=0.5, min_epochs=3)
    fired = [p.update(x) for x in [1.0, 0.5, 0.3, 0.29, 0.285, 0.284]]
    # averages: 1, .75, .525, .4075, .34625, .315125 -> changes .25 .225 .1175 .06125 .031
    assert not any(fired)
    p = Plateau(tau=0.01, decay=0.5, min_epochs=3)
    fired = [p.update(x) for x in [0.3, 0.3, 0.3, 0.3]]
    assert fired == [False, False, True, True]  # flat from the start, but not before min_epochs


@pytest.mark.parametrize("beta", [0.0, 0.999])
def test_class_weights_are_finite(beta):
    assert np.isfinite(class_balance_weights(two_units(), 2, beta)).all()
