"""Score a teacher on one labelled shape: coverage, 2D unit quality and the teacher-vote mIoU."""

from dataclasses import dataclass

import numpy as np

from . import metrics
from .baselines import vote
from .pointviews import PointViews
from .simulate import simulated_units
from .units import KnowledgeUnits


@dataclass(frozen=True)
class TeacherScore:
    """One shape under one teacher. Fractions in [0, 1]; vote_miou in the ShapeNetPart convention."""

    units: KnowledgeUnits
    views: PointViews
    vote_labels: np.ndarray
    coverage: float
    quality_2d: float
    vote_miou: float


def score_simulated_teacher(points, labels, num_parts, kind="box", preset=None, seed=0, size=512) -> TeacherScore:
    """Simulated teacher on points (N, 3) with ground truth labels (N,)."""
    units, views = simulated_units(points, labels, num_parts, kind=kind, preset=preset, seed=seed, size=size)
    pred = vote(units, num_parts)
    return TeacherScore(
        units=units, views=views, vote_labels=pred,
        coverage=float(units.covered().mean()),
        quality_2d=metrics.unit_quality(units, labels, num_parts, views.visible),
        vote_miou=metrics.shape_miou(pred, labels, num_parts))
