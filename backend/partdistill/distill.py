"""Test-time alignment: distil one shape's knowledge units into a student (paper Sec. 3.2-3.4).

Forward distillation (Eq. 3) trains the head on the frozen per-point features until the moving
average of the loss changes by less than tau; backward distillation (Eq. 4) then re-scores
every unit by its agreement with the student and training continues with those scores.
"""

import time
from dataclasses import dataclass

import numpy as np
import torch

from .baselines import check_num_parts
from .distill_config import DistillConfig, resolve_config
from .distill_loss import (agreement, class_balance_weights, distill_loss, entry_weights, keep_label_mass,
                           rescore_within_labels)
from .errors import PartDistillError
from .geometry.normalize import check_points
from .student.features import ShapeFeatures, shape_features
from .student.head import DistillHead
from .student.superpoints import pool
from .units import KnowledgeUnits


@dataclass(frozen=True)
class DistillResult:
    """labels (N,) int, probs (N, R), unit_scores (D,) confidences used last (re-scored after
    backward distillation), initial_scores (D,), loss per epoch, the epoch backward distillation
    started (None if it did not), seconds."""

    labels: np.ndarray
    probs: np.ndarray
    unit_scores: np.ndarray
    initial_scores: np.ndarray
    history: list
    trigger_epoch: int | None
    seconds: float


def check_inputs(points, units: KnowledgeUnits, num_parts) -> np.ndarray:
    """Validate one (points, units) pair against num_parts; returns points as float64 (N, 3)."""
    pts = check_points(points)
    if not isinstance(units, KnowledgeUnits):
        raise PartDistillError(f"units must be partdistill.KnowledgeUnits, got {type(units).__name__}")
    check_num_parts(units, num_parts)
    if units.num_points != len(pts):
        raise PartDistillError(
            f"the units cover N = {units.num_points} points but {len(pts)} points were given; "
            "build the units from the same point cloud")
    if not units.covered().any():
        raise PartDistillError("no knowledge unit covers any point: the teacher found nothing to learn from; "
                               "check the part prompts, the views, or lower the score threshold")
    return pts


class _Phase:
    """Training targets of one shape: the entries of its units and their Eq. 3 weights."""

    def __init__(self, units: KnowledgeUnits, cfg: DistillConfig, class_weights: np.ndarray,
                 before: "_Phase | None" = None):
        self.units = units
        self.points = torch.from_numpy(units.point_index)
        self.labels = torch.from_numpy(units.labels)
        w = entry_weights(units, class_weights, cfg.unit_size_normalise)
        if before is not None and cfg.keep_label_mass:
            w = keep_label_mass(w, units.labels, before.weights.double().numpy())
        self.weights = torch.from_numpy(w).float()

    def rescored(self, scores: np.ndarray, cfg: DistillConfig, class_weights: np.ndarray) -> "_Phase":
        """The phase after backward distillation: the same entries with re-scored confidences."""
        return _Phase(self.units.with_scores(scores), cfg, class_weights, before=self)

    def loss(self, log_probs: torch.Tensor) -> torch.Tensor:
        return distill_loss(log_probs, self.points, self.labels, self.weights)


def rescore(units: KnowledgeUnits, student_labels: np.ndarray, cfg: DistillConfig) -> np.ndarray:
    """Eq. 4, as the paper writes it or compared within each part label (cfg.rescore)."""
    scores = agreement(units, student_labels)
    if cfg.rescore == "within-label":
        return rescore_within_labels(units, scores)
    if cfg.rescore == "paper":
        return scores
    raise PartDistillError(f"rescore must be 'paper' or 'within-label', got {cfg.rescore!r}")


def student_probs(head: DistillHead, shape: ShapeFeatures, cfg: DistillConfig) -> np.ndarray:
    """(N, R) the student's output: softmax of the head, mixed with its superpoint means."""
    with torch.no_grad():
        probs = torch.softmax(head(torch.from_numpy(shape.features)), dim=-1).double().numpy()
    if cfg.output_pooling > 0:
        probs = (1 - cfg.output_pooling) * probs + cfg.output_pooling * pool(probs, shape.superpoints)
    return probs


def final_labels(probs: np.ndarray, units: KnowledgeUnits, cfg: DistillConfig) -> np.ndarray:
    """(N,) argmax of the student's probabilities; -1 where no unit covers a point when
    cfg.label_uncovered is off."""
    labels = probs.argmax(axis=1)
    if not cfg.label_uncovered:
        labels[~units.covered()] = -1
    return labels


class Plateau:
    """The backward-distillation trigger: the moving average of the epoch loss has changed by
    less than tau, after at least min_epochs."""

    def __init__(self, tau: float, decay: float, min_epochs: int):
        self.tau, self.decay, self.min_epochs = tau, decay, min_epochs
        self.avg, self.epochs = None, 0

    def update(self, loss: float) -> bool:
        prev = self.avg
        self.avg = loss if prev is None else self.decay * prev + (1 - self.decay) * loss
        self.epochs += 1
        return prev is not None and self.epochs >= self.min_epochs and abs(prev - self.avg) < self.tau


def distill(points, units: KnowledgeUnits, num_parts: int, *, backward: bool = True, seed: int = 0,
            config=None, shape: ShapeFeatures | None = None, encoder=None) -> DistillResult:
    """Test-time alignment on one shape. points (N, 3) in any scale or position.

    config: None (the default preset), a preset name ("default", "paper"), a DistillConfig or a
    dict of overrides. shape: precomputed features (from student.features.shape_features) to
    reuse across runs on the same points. encoder: a frozen Point-M2AE encoder, needed when the
    config's features include "point-m2ae".
    """
    t0 = time.perf_counter()
    cfg = resolve_config(config)
    pts = check_inputs(points, units, num_parts)
    if shape is None:
        shape = shape_features(pts, cfg.features, cfg.superpoint_features, encoder=encoder,
                               superpoint_angle=cfg.superpoint_angle)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        head = DistillHead(shape.features.shape[1], num_parts, cfg.hidden, cfg.layers)
        history, trigger, scores = _train(head, shape, units, num_parts, cfg, backward)
    probs = student_probs(head, shape, cfg)
    return DistillResult(final_labels(probs, units, cfg), probs.astype(np.float32), scores, units.scores,
                         history, trigger, time.perf_counter() - t0)


def _train(head, shape, units, num_parts, cfg, backward):
    X = torch.from_numpy(shape.features)
    opt = torch.optim.Adam(head.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    cw = class_balance_weights(units, num_parts, cfg.class_balance_beta)
    phase = _Phase(units, cfg, cw)
    plateau = Plateau(cfg.tau, cfg.ema, cfg.min_epochs)
    history, trigger, scores = [], None, units.scores
    epoch = 0
    while True:
        opt.zero_grad()
        loss = phase.loss(torch.log_softmax(head(X), dim=-1))
        loss.backward()
        opt.step()
        history.append(loss.item())
        epoch += 1
        if trigger is None and (plateau.update(history[-1]) or epoch >= cfg.max_epochs):
            trigger = epoch
            if backward:
                labels = student_probs(head, shape, cfg).argmax(axis=1)
                scores = rescore(units, labels, cfg)
                phase = phase.rescored(scores, cfg, cw)
        if trigger is not None and epoch >= trigger + cfg.epochs_after:
            return history, (trigger if backward else None), scores
