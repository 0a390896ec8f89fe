"""Teacher-only baselines: label points straight from the knowledge units (paper Table 5, row 1)."""

import numpy as np

from .errors import PartDistillError
from .units import KnowledgeUnits


def check_num_parts(units: KnowledgeUnits, num_parts) -> int:
    if not isinstance(num_parts, (int, np.integer)) or num_parts < 1:
        raise PartDistillError(f"num_parts must be an integer >= 1, got {num_parts!r}")
    if units.num_parts != num_parts:
        raise PartDistillError(
            f"the units score R = {units.num_parts} parts but num_parts = {num_parts}; "
            "pass the number of part prompts the teacher was given")
    return int(num_parts)


def vote_scores(units: KnowledgeUnits, num_parts: int) -> np.ndarray:
    """(N, R): for each point, the summed confidence of the units that label it r."""
    check_num_parts(units, num_parts)
    return _per_point_label(units, num_parts, units.confidence)


def _per_point_label(units: KnowledgeUnits, num_parts: int, weights=None) -> np.ndarray:
    """(N, R): sum of weights (or count) of the unit entries at each (point, label)."""
    flat = units.point_index * num_parts + units.labels
    acc = np.bincount(flat, weights=weights, minlength=units.num_points * num_parts)
    return acc.reshape(units.num_points, num_parts)


def vote(units: KnowledgeUnits, num_parts: int) -> np.ndarray:
    """(N,) int: each point takes the confidence-weighted majority label of the units covering
    it; points no unit covers get -1. Ties (including all-zero confidences) go to the label
    more units agree on, then to the lower part index."""
    scores = vote_scores(units, num_parts)
    counts = _per_point_label(units, num_parts)
    # Lexicographic (confidence, count): counts < 1e6 so the scaled term never outweighs a real
    # confidence difference of more than 1e-6.
    labels = (scores + 1e-12 * counts).argmax(axis=1)
    labels[~units.covered()] = -1
    return labels


def superpoint_vote(units: KnowledgeUnits, num_parts: int, groups: np.ndarray) -> np.ndarray:
    """(N,) PartSLIP-style: every point of a superpoint (groups (N,) ids) takes the label with
    the largest summed confidence over the superpoint's points; superpoints no unit touches
    stay -1."""
    groups = np.asarray(groups)
    if groups.shape != (units.num_points,):
        raise PartDistillError(f"need one superpoint id per point ({units.num_points}), got shape {groups.shape}")
    scores = vote_scores(units, num_parts)
    sums = np.zeros((groups.max() + 1, num_parts))
    np.add.at(sums, groups, scores)
    labels = sums.argmax(axis=1)[groups]
    labels[sums.sum(axis=1)[groups] <= 0] = -1
    return labels
