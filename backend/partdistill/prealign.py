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
from .student.encoded import EncodedShape, uses_encoder
from .student.features import shape_features
from .student.head import DistillHead
from .student.model import Student
from .student.point_m2ae import PointM2AEEncoder
from .units import KnowledgeUnits

def prealign(shapes, num_parts: int, *, backward: bool = True, seed: int = 0, config=None,
             labelled=None, log=None, encoder=None) -> Student:
    """shapes: list of (points (N_i, 3), KnowledgeUnits). labelled: optional list of
    (points, labels (N_i,)) for few-shot, trained with plain cross-entropy alongside.
    encoder: a Point-M2AE encoder when cfg.prealign_features include "point-m2ae" (frozen, or
    fine-tuned with cfg.train_encoder); with train_encoder and no encoder, a randomly initialised
    one is trained from scratch. Returns a Student; never looks at evaluation shapes."""
    t0 = time.perf_counter()
    cfg = resolve_config(config)
    if not shapes:
        raise PartDistillError("pre-alignment needs at least one (points, units) shape")
    points = []
    for i, item in enumerate(shapes):
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise PartDistillError(f"shape {i}: expected a (points, units) pair")
        points.append(check_inputs(item[0], item[1], num_parts))
    few = [_labelled(p, y, num_parts) for p, y in (labelled or [])]
    units = [u for _, u in shapes]
    cw = class_balance_weights(KnowledgeUnits.concatenate(units), num_parts, cfg.class_balance_beta)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        inputs = _Inputs(points + [p for p, _ in few], cfg, _encoder(encoder, cfg))
        fewshot = [(len(points) + j, y) for j, (_, y) in enumerate(few)]
        head = DistillHead(inputs.dim, num_parts, cfg.hidden, cfg.layers)
        rng = np.random.default_rng(seed)
        history, trigger = _train(head, inputs, units, fewshot, cw, cfg, backward, rng, log)
    return Student(head, cfg, num_parts, encoder=inputs.encoder,
                   info={"shapes": len(shapes), "labelled": len(fewshot), "trigger_epoch": trigger,
                         "history": history, "seconds": time.perf_counter() - t0})


def _encoder(encoder, cfg):
    if not uses_encoder(cfg.prealign_features):
        return None
    if encoder is None and not cfg.train_encoder:
        raise PartDistillError("pre-alignment features include 'point-m2ae': pass encoder= (load one with "
                               "partdistill.student.point_m2ae.load_point_m2ae) or set train_encoder=True to "
                               "train one from scratch")
    encoder = encoder if encoder is not None else PointM2AEEncoder()
    encoder.train(cfg.train_encoder).requires_grad_(cfg.train_encoder)
    return encoder


class _Inputs:
    """Each shape's input features: computed once, or by the encoder at every step while it trains."""

    def __init__(self, points, cfg, encoder):
        self.encoder, self.trains = encoder, encoder is not None and cfg.train_encoder
        if encoder is None:
            self.fixed = [shape_features(p, cfg.prealign_features, cfg.superpoint_features,
                                         superpoint_angle=cfg.superpoint_angle) for p in points]
        else:
            self.encoded = [EncodedShape(p, cfg) for p in points]
            self.fixed = None if self.trains else [e.frozen(encoder) for e in self.encoded]
        self.dim = self.shape(0).features.shape[1]

    def tensor(self, i) -> torch.Tensor:
        return self.encoded[i].features(self.encoder) if self.trains else torch.from_numpy(self.fixed[i].features)

    def shape(self, i):
        return self.encoded[i].frozen(self.encoder) if self.trains else self.fixed[i]

    def parameters(self) -> list:
        return list(self.encoder.parameters()) if self.trains else []


def _labelled(points, labels, num_parts):
    pts = check_points(points)
    labels = np.asarray(labels, dtype=np.int64)
    if labels.shape != (len(pts),):
        raise PartDistillError(f"few-shot labels must have one entry per point ({len(pts)}), got {labels.shape}")
    if labels.max() >= num_parts or labels.min() < -1:
        raise PartDistillError(f"few-shot labels must lie in [-1, {num_parts}) (-1 = unlabelled)")
    return pts, torch.from_numpy(labels)


def _train(head, inputs, units, fewshot, cw, cfg, backward, rng, log):
    phases = [_Phase(u, cfg, cw) for u in units]
    opt = torch.optim.Adam(list(head.parameters()) + inputs.parameters(), lr=cfg.pre_lr,
                           weight_decay=cfg.weight_decay)
    per_epoch = math.ceil(len(units) / cfg.batch_shapes)
    epochs = max(cfg.pre_epochs, math.ceil(cfg.pre_min_steps / per_epoch))
    after = max(cfg.pre_epochs_after, math.ceil(epochs * cfg.pre_epochs_after / cfg.pre_epochs))
    plateau = Plateau(cfg.tau, cfg.ema, min_epochs=max(1, epochs // 3))
    history, trigger, epoch = [], None, 0
    while True:
        losses = []
        for batch in np.array_split(rng.permutation(len(units)), per_epoch):
            opt.zero_grad()
            loss = sum(phases[i].loss(torch.log_softmax(head(inputs.tensor(i)), dim=-1)) for i in batch) / len(batch)
            if fewshot:
                # -1 (unlabelled) points are ignored
                loss = loss + sum(torch.nn.functional.cross_entropy(head(inputs.tensor(i)), y, ignore_index=-1)
                                  for i, y in fewshot) / len(fewshot)
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
                for i, u in enumerate(units):
                    scores = rescore(u, student_probs(head, inputs.shape(i), cfg).argmax(axis=1), cfg)
                    phases[i] = phases[i].rescored(scores, cfg, cw)
        if trigger is not None and epoch >= trigger + after:
            return history, (trigger if backward else None)
