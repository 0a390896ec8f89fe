"""The distillation objective (paper Eq. 3), class-balance weights and re-scoring (Eq. 4)."""

import numpy as np
import torch

from .units import KnowledgeUnits


def class_balance_weights(units: KnowledgeUnits, num_parts: int, beta: float = 0.999) -> np.ndarray:
    """(R,) Cui et al. (2019) weights from the teacher's predictions: (1 - beta) / (1 - beta^n_r),
    n_r = number of unit entries labelled r; normalised to mean 1 over the labels that occur.
    Labels the teacher never predicts get weight 0 (no entry carries them anyway)."""
    n = np.bincount(units.labels, minlength=num_parts).astype(np.float64)
    w = np.where(n > 0, (1.0 - beta) / (1.0 - np.power(beta, np.maximum(n, 1))), 0.0)
    present = n > 0
    if present.any():
        w[present] /= w[present].mean()
    return w


def entry_weights(units: KnowledgeUnits, class_weights: np.ndarray, per_unit_mean: bool) -> np.ndarray:
    """(nnz,) weight of each unit entry in Eq. 3: M_d[n] C_d[n] times the class weight of its
    label; with per_unit_mean (the paper's literal 1/|M_d|) every unit weighs the same in total,
    however many points it covers."""
    w = units.confidence.astype(np.float64) * class_weights[units.labels]
    if per_unit_mean:
        w = w / np.maximum(units.sizes, 1)[units.unit_index]
    return w


def keep_label_mass(weights: np.ndarray, labels: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """weights (nnz,) rescaled so each label's total equals its total in reference (nnz,): re-scoring
    then moves weight between the units of one label without shrinking the label itself (a part
    whose units all lost agreement would otherwise fade out of the loss)."""
    n = int(labels.max()) + 1 if len(labels) else 0
    before, after = np.bincount(labels, reference, n), np.bincount(labels, weights, n)
    scale = np.where(after > 0, before / np.maximum(after, 1e-12), 0.0)
    return weights * scale[labels]


def distill_loss(log_probs: torch.Tensor, points: torch.Tensor, labels: torch.Tensor,
                 weights: torch.Tensor) -> torch.Tensor:
    """Eq. 3: -sum_entries w * log p[point, label] / sum w (the normaliser keeps the learning
    rate meaningful across shapes with many or few units). log_probs (N, R)."""
    return -(weights * log_probs[points, labels]).sum() / weights.sum().clamp_min(1e-12)


def agreement(units: KnowledgeUnits, student_labels: np.ndarray) -> np.ndarray:
    """Eq. 4: (D,) fraction of each unit's points where its argmax equals the student's."""
    hit = (units.labels == student_labels[units.point_index]).astype(np.float64)
    return np.bincount(units.unit_index, weights=hit, minlength=len(units)) / np.maximum(units.sizes, 1)


def rescore_within_labels(units: KnowledgeUnits, scores: np.ndarray) -> np.ndarray:
    """Eq. 4 scores compared within each part label: each unit's agreement divided by the best
    agreement among units of the same label. A student drifting toward a majority part lowers
    every unit of a minority part alike; dividing by that label's best keeps the ranking inside
    the label (which unit is wrong) and drops the drift (which label the student favours)."""
    lab = units.unit_labels()
    best = np.zeros(units.num_parts)
    np.maximum.at(best, lab, scores)
    return np.where(best[lab] > 0, scores / np.maximum(best[lab], 1e-12), 0.0)
