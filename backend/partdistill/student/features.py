"""Per-shape feature computation behind one interface: geometric features, Point-M2AE encoder
features, or both; optionally each point's superpoint mean appended. Computed once per shape
(the encoder is frozen) and reused across every training step."""

from dataclasses import dataclass

import numpy as np

from ..errors import PartDistillError
from ..geometry.normalize import normalize_unit_sphere
from .geometric import GEOMETRIC_PARTS, geometric_features
from .graph import PointGraph, point_graph
from .superpoints import pool, superpoints

FEATURE_SOURCES = GEOMETRIC_PARTS + ("point-m2ae",)


@dataclass(frozen=True)
class ShapeFeatures:
    """points (N, 3) unit-sphere normalised, graph, superpoint ids (N,), features (N, E) float32."""

    points: np.ndarray
    graph: PointGraph
    superpoints: np.ndarray
    features: np.ndarray


def shape_features(points, sources, superpoint_features=True, encoder=None, k=16,
                   superpoint_angle=20.0) -> ShapeFeatures:
    """Normalise points (N, 3) and compute the configured feature sources for them."""
    unknown = set(sources) - set(FEATURE_SOURCES)
    if unknown:
        raise PartDistillError(f"unknown feature sources {sorted(unknown)}; choose from {FEATURE_SOURCES}")
    pts, _, _ = normalize_unit_sphere(points)
    graph = point_graph(pts, k)
    sp = superpoints(graph, superpoint_angle)
    cols = []
    geo = [s for s in sources if s in GEOMETRIC_PARTS]
    if geo:
        cols.append(geometric_features(pts, graph, geo))
    if "point-m2ae" in sources:
        if encoder is None:
            raise PartDistillError("feature source 'point-m2ae' needs an encoder: load one with "
                                   "partdistill.student.point_m2ae.load_point_m2ae(path)")
        f = encoder.point_features(pts.astype(np.float32))
        cols.append((f - f.mean(axis=0)) / (f.std(axis=0) + 1e-6))
    F = np.concatenate(cols, axis=1).astype(np.float32)
    if superpoint_features:
        F = np.concatenate([F, pool(F, sp).astype(np.float32)], axis=1)
    return ShapeFeatures(pts, graph, sp, F)
