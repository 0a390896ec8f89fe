"""What a teacher returns for one view: boxes with per-part scores, or per-pixel part probabilities."""

from dataclasses import dataclass

import numpy as np

from ..errors import PartDistillError


@dataclass(frozen=True)
class BoxPrediction:
    """B-VLM output for one view: xyxy (B, 4) pixel corners (x right, y down), scores (B, R)."""

    xyxy: np.ndarray
    scores: np.ndarray

    def __post_init__(self):
        xyxy = np.asarray(self.xyxy, dtype=np.float64).reshape(-1, 4)
        scores = np.asarray(self.scores, dtype=np.float32)
        if scores.ndim != 2 or len(scores) != len(xyxy):
            raise PartDistillError(f"boxes {xyxy.shape} need scores of shape (B, R), got {scores.shape}")
        if not (np.isfinite(xyxy).all() and np.isfinite(scores).all()):
            raise PartDistillError("box coordinates or scores contain NaN or infinite values")
        if (xyxy[:, 2] < xyxy[:, 0]).any() or (xyxy[:, 3] < xyxy[:, 1]).any():
            raise PartDistillError("boxes must be (x1, y1, x2, y2) with x1 <= x2 and y1 <= y2")
        object.__setattr__(self, "xyxy", xyxy)
        object.__setattr__(self, "scores", scores)


@dataclass(frozen=True)
class PixelPrediction:
    """P-VLM output for one view: probs (H, W, R) part probabilities, mask (H, W) object pixels."""

    probs: np.ndarray
    mask: np.ndarray

    def __post_init__(self):
        probs = np.asarray(self.probs, dtype=np.float32)
        mask = np.asarray(self.mask, dtype=bool)
        if probs.ndim != 3 or probs.shape[:2] != mask.shape:
            raise PartDistillError(f"pixel map must be (H, W, R) with a (H, W) mask, got {probs.shape} and {mask.shape}")
        if not np.isfinite(probs).all():
            raise PartDistillError("pixel part probabilities contain NaN or infinite values")
        object.__setattr__(self, "probs", probs)
        object.__setattr__(self, "mask", mask)
