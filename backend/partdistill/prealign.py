"""Pre-alignment (paper Sec. 3.4) and few-shot: one student distilled from a whole collection of
unlabelled shapes with their units, saved as a checkpoint and applied to new shapes."""

import math
import time

import numpy as np
import torch

from .distill import Plateau, _Phase, check_inputs, rescore, student_probs
from .distill_config import resolve_config
from .distill_loss import class_balance_weights
from .errors import PartDistillError
from .geometry.normalize import check_points
from .student.features import shape_features
from .student.head import DistillHead
from .student.model import Student
from .units import KnowledgeUnits

def prealign(shapes, num_parts: int, *, backward: bool = True, seed: int = 0, config=None,
             labelled=None, log=None) -> Student:
    """shapes: list of (points (N_i, 3), KnowledgeUnits). labelled: optional list of
    (points, labels (N_i,)) for few-shot, trained with plain cross-entropy alongside.
    Returns a Student; never looks at evaluation shapes."""
    t0 = time.perf_counter()
    cfg = resolve_config(config)
    if not shapes:
        raise PartDistillError("pre-alignment needs at least one (points, units) shape")
    feats = []
    for i, item in enumerate(shapes):
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise PartDistillError(f"shape {i}: expected a (points, units) pair")
        pts = check_inputs(item[0], item[1], num_parts)
        feats.append(shape_features(pts, cfg.prealign_features, cfg.superpoint_features,
                                    superpoint_angle=cfg.superpoint_angle))
    fewshot = [_labelled(p, y, num_parts, cfg) for p, y in (labelled or [])]
    units = [u for _, u in shapes]
    cw = class_balance_weights(KnowledgeUnits.concatenate(units), num_parts, cfg.class_balance_beta)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        head = DistillHead(feats[0].features.shape[1], num_parts, cfg.hidden, cfg.layers)
        rng = np.random.default_rng(seed)
        history, trigger = _train(head, feats, units, fewshot, cw, cfg, backward, rng, log)
    return Student(head, cfg, num_parts, info={"shapes": len(shapes), "labelled": len(fewshot),
                                               "trigger_epoch": trigger, "history": history,
                                               "seconds": time.perf_counter() - t0})


def _labelled(points, labels, num_parts, cfg):
    pts = check_points(points)
    labels = np.asarray(labels, dtype=np.int64)
    if labels.shape != (len(pts),):
        raise PartDistillError(f"few-shot labels must have one entry per point ({len(pts)}), got {labels.shape}")
    if labels.max() >= num_parts or labels.min() < -1:
        raise PartDistillError(f"few-shot labels must lie in [-1, {num_parts}) (-1 = unlabelled)")
    sf = shape_features(pts, cfg.prealign_features, cfg.superpoint_features, superpoint_angle=cfg.superpoint_angle)
    keep = labels >= 0
    return torch.from_numpy(sf.features[keep]), torch.from_numpy(labels[keep])


def _train(head, feats, units, fewshot, cw, cfg, backward, rng, log):
    X = [torch.from_numpy(f.features) for f in feats]
    phases = [_Phase(u, cfg, cw) for u in units]
    opt = torch.optim.Adam(head.parameters(), lr=cfg.pre_lr, weight_decay=cfg.weight_decay)
    per_epoch = math.ceil(len(feats) / cfg.batch_shapes)
    epochs = max(cfg.pre_epochs, math.ceil(cfg.pre_min_steps / per_epoch))
    after = max(cfg.pre_epochs_after, math.ceil(epochs * cfg.pre_epochs_after / cfg.pre_epochs))
    plateau = Plateau(cfg.tau, cfg.ema, min_epochs=max(1, epochs // 3))
    history, trigger, epoch = [], None, 0
    while True:
        losses = []
        for batch in np.array_split(rng.permutation(len(feats)), per_epoch):
            opt.zero_grad()
            loss = sum(phases[i].loss(torch.log_softmax(head(X[i]), dim=-1)) for i in batch) / len(batch)
            if fewshot:
                loss = loss + sum(torch.nn.functional.cross_entropy(head(x), y) for x, y in fewshot) / len(fewshot)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        history.append(float(np.mean(losses)))
        epoch += 1
        if log:
            log(f"pre-alignment epoch {epoch}: loss {history[-1]:.4f}")
        if trigger is None and (plateau.update(history[-1]) or epoch >= epochs):
            trigger = epoch
            if backward:
                for i, (f, u) in enumerate(zip(feats, units)):
                    scores = rescore(u, student_probs(head, f, cfg).argmax(axis=1), cfg)
                    phases[i] = phases[i].rescored(scores, cfg, cw)
        if trigger is not None and epoch >= trigger + after:
            return history, (trigger if backward else None)
