"""Detector boxes to rendered-image pixels, and the score threshold + NMS that select them."""

import numpy as np
import torch

from ..errors import PartDistillError


def boxes_to_pixels(cxcywh: np.ndarray, frame_wh, image_wh) -> np.ndarray:
    """Model boxes (B, 4) as (cx, cy, w, h) in [0, 1] of a frame of frame_wh = (width, height)
    pixels whose top-left corner is the image's -> (B, 4) pixel xyxy clipped to the image of
    image_wh = (width, height) pixels (x right, y down, corners at pixel edges).

    OWLv2 pads an image at the bottom and right to a square before resizing, so its frame is
    (max(W, H), max(W, H)); Grounding DINO resizes keeping the aspect ratio and predicts relative to
    the unpadded image, so its frame is the image itself.
    """
    b = np.asarray(cxcywh, dtype=np.float64).reshape(-1, 4)
    xyxy = np.concatenate([b[:, :2] - b[:, 2:] / 2, b[:, :2] + b[:, 2:] / 2], axis=1)
    xyxy *= np.tile(np.asarray(frame_wh, dtype=np.float64), 2)
    return np.clip(xyxy, 0.0, np.tile(np.asarray(image_wh, dtype=np.float64), 2))


def select_boxes(xyxy: np.ndarray, scores: np.ndarray, threshold: float,
                 nms_iou: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Keep the boxes (B, 4) whose best prompt score (scores (B, R)) is at least threshold (GLIP's
    rule) and that have an area, then non-maximum suppression among boxes of the same best prompt
    at IoU nms_iou (None: no NMS). Returns (xyxy (K, 4), scores (K, R)), best score first."""
    best = scores.max(axis=1)
    area = (xyxy[:, 2] - xyxy[:, 0]) * (xyxy[:, 3] - xyxy[:, 1])
    keep = np.nonzero((best >= threshold) & (area > 0))[0]
    keep = keep[np.argsort(-best[keep], kind="stable")]
    if nms_iou is not None and len(keep):
        from torchvision.ops import batched_nms

        kept = batched_nms(torch.from_numpy(xyxy[keep]), torch.from_numpy(best[keep].astype(np.float64)),
                           torch.from_numpy(scores[keep].argmax(axis=1)), float(nms_iou))
        keep = keep[kept.numpy()]
    return xyxy[keep], scores[keep]


def check_threshold(threshold: float, nms_iou: float | None) -> tuple[float, float | None]:
    if not 0.0 <= float(threshold) <= 1.0:
        raise PartDistillError(f"score_threshold must lie in [0, 1], got {threshold}")
    if nms_iou is not None and not 0.0 < float(nms_iou) <= 1.0:
        raise PartDistillError(f"nms_iou must lie in (0, 1] or be None (no suppression), got {nms_iou}")
    return float(threshold), None if nms_iou is None else float(nms_iou)
