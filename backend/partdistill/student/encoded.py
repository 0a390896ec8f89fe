"""Input features of a pre-aligned student whose sources include the Point-M2AE encoder.

The geometric columns are computed once per shape; the encoder's columns come from the encoder
itself, with gradients while pre-alignment trains it (from random weights this is the paper's
"w/o pretrain" row, from the published checkpoint it is fine-tuning), and once when it is frozen.
Column layout matches shape_features: geometric, then standardised encoder features, then (if
configured) every column's superpoint mean.
"""

import numpy as np
import torch

from .features import ShapeFeatures, shape_features

ENCODER = "point-m2ae"


def uses_encoder(sources) -> bool:
    return ENCODER in sources


class EncodedShape:
    """One shape's fixed parts: normalised points, superpoints and geometric features."""

    def __init__(self, points, cfg):
        geo = tuple(s for s in cfg.prealign_features if s != ENCODER)
        sf = shape_features(points, geo or ("xyz",), False, superpoint_angle=cfg.superpoint_angle)
        self.shape = sf
        self.geometric = torch.from_numpy(sf.features if geo else np.zeros((len(sf.points), 0), np.float32))
        self.groups = torch.from_numpy(sf.superpoints)
        self.points = torch.from_numpy(sf.points.astype(np.float32))[None]
        self.superpoint_features = cfg.superpoint_features

    def features(self, encoder: torch.nn.Module) -> torch.Tensor:
        """(N, E) features; differentiable in the encoder's weights when grad is enabled."""
        f = encoder(self.points)[0]
        cols = torch.cat([self.geometric, (f - f.mean(dim=0)) / (f.std(dim=0, unbiased=False) + 1e-6)], dim=1)
        if not self.superpoint_features:
            return cols
        count = torch.bincount(self.groups).clamp_min(1).to(cols.dtype)
        sums = torch.zeros(len(count), cols.shape[1], dtype=cols.dtype).index_add_(0, self.groups, cols)
        return torch.cat([cols, (sums / count[:, None])[self.groups]], dim=1)

    def frozen(self, encoder: torch.nn.Module) -> ShapeFeatures:
        """The features as a ShapeFeatures (no gradients), for prediction and re-scoring."""
        with torch.no_grad():
            f = self.features(encoder).numpy().astype(np.float32)
        s = self.shape
        return ShapeFeatures(s.points, s.graph, s.superpoints, f)
