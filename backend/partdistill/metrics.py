"""Segmentation metrics, each named by its convention (DESIGN.md, "Metrics").

- ShapeNetPart (PartDistill / PointCLIP V2): per-shape mIoU over the category's parts, a part
  absent from both prediction and ground truth counts as IoU 1; category mIoU = mean over
  shapes; class mIoU ("overall") = mean of category mIoUs; instance mIoU = mean over shapes.
- PartNet-E (PartSLIP): per part, IoU averaged over the shapes whose ground truth contains it;
  then the mean over parts, then over categories.
Points predicted -1 (unlabelled) never match any part, so they count as wrong.
"""

from collections import defaultdict

import numpy as np

from .errors import PartDistillError
from .units import KnowledgeUnits

SHAPENET = "ShapeNetPart convention (absent part = IoU 1; class mIoU = mean of category means)"
PARTNETE = "PartNet-E convention (PartSLIP: part IoU over shapes containing the part; mean of parts, then categories)"


def _check(pred, gt, num_parts):
    pred = np.asarray(pred)
    gt = np.asarray(gt)
    if not isinstance(num_parts, (int, np.integer)) or num_parts < 1:
        raise PartDistillError(f"num_parts must be an integer >= 1, got {num_parts!r}")
    if pred.shape != gt.shape or pred.ndim != 1:
        raise PartDistillError(f"prediction {pred.shape} and ground truth {gt.shape} must be equal-length 1-D label arrays")
    return pred.astype(np.int64), gt.astype(np.int64)


def part_ious(pred, gt, num_parts) -> np.ndarray:
    """(R,) IoU of each part; NaN where the part is in neither prediction nor ground truth."""
    pred, gt = _check(pred, gt, num_parts)
    ious = np.full(num_parts, np.nan)
    for r in range(num_parts):
        p, g = pred == r, gt == r
        union = np.count_nonzero(p | g)
        if union:
            ious[r] = np.count_nonzero(p & g) / union
    return ious


def shape_miou(pred, gt, num_parts) -> float:
    """ShapeNetPart convention: mean over the R parts, absent-from-both parts count as 1."""
    return float(np.nan_to_num(part_ious(pred, gt, num_parts), nan=1.0).mean())


def accuracy(pred, gt, mask=None) -> float:
    """Fraction of points (optionally within mask) whose prediction equals the ground truth."""
    pred, gt = np.asarray(pred), np.asarray(gt)
    if mask is not None:
        pred, gt = pred[mask], gt[mask]
    return float((pred == gt).mean()) if len(gt) else float("nan")


def shapenet_summary(records) -> dict:
    """records: iterable of (category, shape mIoU). Returns per-category means, the class mIoU
    (mean of categories) and the instance mIoU (mean of shapes), with the convention named."""
    by_cat = defaultdict(list)
    for cat, miou in records:
        by_cat[cat].append(miou)
    if not by_cat:
        raise PartDistillError("no shapes to summarise")
    cats = {c: float(np.mean(v)) for c, v in by_cat.items()}
    shapes = [m for v in by_cat.values() for m in v]
    return {"convention": SHAPENET, "categories": cats,
            "class_miou": float(np.mean(list(cats.values()))), "instance_miou": float(np.mean(shapes))}


def partnete_summary(records) -> dict:
    """records: iterable of (category, pred (N,), gt (N,), num_parts) with gt -1 for "no part".
    Returns per-category mIoU and the overall mean over categories (PartSLIP convention)."""
    per_part = defaultdict(lambda: defaultdict(list))
    for cat, pred, gt, num_parts in records:
        ious = part_ious(pred, gt, num_parts)
        for r in np.unique(np.asarray(gt)):
            if r >= 0:
                per_part[cat][int(r)].append(ious[r])
    if not per_part:
        raise PartDistillError("no shapes with labelled parts to summarise")
    cats = {c: float(np.mean([np.mean(v) for v in parts.values()])) for c, parts in per_part.items()}
    return {"convention": PARTNETE, "categories": cats, "overall_miou": float(np.mean(list(cats.values())))}


def unit_quality(units: KnowledgeUnits, gt, num_parts, visible=None) -> float:
    """The teacher's 2D quality as the paper's Table 5 "2D" column: confidence-weighted mIoU
    between the units and the ground truth, view by view.

    In each view, a point's membership in part r is the highest confidence among that view's
    units labelling it r (0 if none); the ground truth there is the points of part r the view
    sees. Per part, fuzzy intersection and union (sums of min / max memberships) are summed over
    views; the result is the mean IoU over parts that occur. visible (V, N) bool gives what each
    view sees; without it, a view sees the points its units cover. Re-scoring (Eq. 4) that lowers
    wrong units' confidences and raises right ones raises this number.
    """
    gt = np.asarray(gt, dtype=np.int64)
    if gt.shape != (units.num_points,):
        raise PartDistillError(f"ground truth has {gt.shape} labels but the units cover {units.num_points} points")
    if units.num_parts != num_parts:
        raise PartDistillError(f"units score {units.num_parts} parts but num_parts = {num_parts}")
    inter = np.zeros(num_parts)
    union = np.zeros(num_parts)
    unit_of, conf, lab, pt = units.unit_index, units.confidence, units.labels, units.point_index
    entry_view = units.view[unit_of]
    for v in np.unique(units.view):
        e = entry_view == v
        member = np.zeros((units.num_points, num_parts))
        np.maximum.at(member, (pt[e], lab[e]), conf[e])
        seen = visible[v] if visible is not None else np.isin(np.arange(units.num_points), pt[e])
        truth = np.zeros_like(member)
        truth[np.nonzero(seen & (gt >= 0))[0], gt[seen & (gt >= 0)]] = 1.0
        inter += np.minimum(member, truth).sum(axis=0)
        union += np.maximum(member, truth).sum(axis=0)
    present = union > 0
    if not present.any():
        return float("nan")
    return float((inter[present] / union[present]).mean())
