"""Rows of the Table-5-style benchmark: each method's predictions on a shape set."""

import time
from collections import defaultdict

import numpy as np

from partdistill import distill, metrics, prealign, vote
from partdistill.baselines import superpoint_vote
from partdistill.distill import final_labels
from partdistill.distill_config import resolve_config
from partdistill.evaluate import score_simulated_teacher
from partdistill.student.features import shape_features


class Scored:
    """Per-shape predictions of one method plus 2D quality and seconds."""

    def __init__(self):
        self.pred, self.q2d, self.seconds = {}, {}, {}


def simulated_teacher(shapes, kind, preset, seed):
    """The simulated teacher's TeacherScore on each shape, seeds seed, seed + 1, ..."""
    return [score_simulated_teacher(s.points, s.labels, len(s.part_names), kind=kind, preset=preset, seed=seed + i)
            for i, s in enumerate(shapes)]


def teacher_rows(shapes, units, views):
    rows = {"teacher vote": Scored(), "superpoint vote": Scored()}
    for i, s in enumerate(shapes):
        R = len(s.part_names)
        t = time.perf_counter()
        rows["teacher vote"].pred[i] = vote(units[i], R)
        rows["teacher vote"].seconds[i] = time.perf_counter() - t
        t = time.perf_counter()
        sp = shape_features(s.points, ("xyz",), False).superpoints
        rows["superpoint vote"].pred[i] = superpoint_vote(units[i], R, sp)
        rows["superpoint vote"].seconds[i] = time.perf_counter() - t
        q = metrics.unit_quality(units[i], s.labels, R, views[i].visible)
        rows["teacher vote"].q2d[i] = rows["superpoint vote"].q2d[i] = q
    return rows


def tta_rows(shapes, units, views, name, config, encoder=None, backward_only=False):
    rows = defaultdict(Scored)
    cfg = resolve_config(config)
    for i, s in enumerate(shapes):
        R = len(s.part_names)
        t = time.perf_counter()
        sf = shape_features(s.points, cfg.features, cfg.superpoint_features, encoder=encoder,
                            superpoint_angle=cfg.superpoint_angle)
        feat_s = time.perf_counter() - t
        for bd in ((True,) if backward_only else (False, True)):
            r = distill(s.points, units[i], R, backward=bd, config=cfg, shape=sf)
            row = rows[f"{name} TTA{' + backward' if bd else ''}"]
            row.pred[i] = r.labels
            row.seconds[i] = r.seconds + feat_s
            row.q2d[i] = metrics.unit_quality(units[i].with_scores(r.unit_scores) if bd else units[i],
                                              s.labels, R, views[i].visible)
    return dict(rows)


def pre_rows(folds, shapes, units, views, name, config):
    """folds: list of (train indices into `train_set`, test indices into shapes, train_set,
    train_units); the student never sees a test shape."""
    rows = defaultdict(Scored)
    for train_idx, test_idx, train_set, train_units in folds:
        if not train_idx or not test_idx:
            continue
        R = len(shapes[test_idx[0]].part_names)
        for bd in (False, True):
            t = time.perf_counter()
            student = prealign([(train_set[j].points, train_units[j]) for j in train_idx], R,
                               backward=bd, config=config)
            train_s = time.perf_counter() - t
            row = rows[f"{name} Pre{' + backward' if bd else ''}"]
            for i in test_idx:
                t = time.perf_counter()
                row.pred[i] = final_labels(student.predict(shapes[i].points), units[i], student.config)
                row.seconds[i] = time.perf_counter() - t + train_s / len(test_idx)
                row.q2d[i] = None
    return dict(rows)


def summarise(row: Scored, shapes, units, convention):
    """(3D mIoU %, 2D quality %, accuracy on uncovered points %, seconds per shape)."""
    idx = sorted(row.pred)
    if not idx:
        return None
    if convention == metrics.PARTNETE:
        recs = [(shapes[i].category, row.pred[i], shapes[i].labels, len(shapes[i].part_names)) for i in idx]
        miou = metrics.partnete_summary(recs)["overall_miou"]
    else:
        miou = metrics.shapenet_summary([(shapes[i].category, metrics.shape_miou(
            row.pred[i], shapes[i].labels, len(shapes[i].part_names))) for i in idx])["class_miou"]
    unc = [(row.pred[i] == shapes[i].labels)[~units[i].covered()] for i in idx]
    unc = np.concatenate(unc) if unc else np.zeros(0)
    q = [row.q2d[i] for i in idx if row.q2d.get(i) is not None]
    return (100 * miou, 100 * float(np.nanmean(q)) if q else None,
            100 * float(unc.mean()) if unc.size else None, float(np.mean([row.seconds[i] for i in idx])))
