"""Per-point features that need no learned weights: position, spectral and local geometry.

Measured on the procedural set (see bench/distill.py): random encoder features give a head
nothing to generalise with, while intrinsic features such as heat-kernel signatures let it
reach points no knowledge unit covers.
"""

import numpy as np
from scipy.sparse.linalg import ArpackNoConvergence, eigsh

from .graph import PointGraph, laplacian

GEOMETRIC_PARTS = ("xyz", "hks", "eig", "local")


def spectrum(graph: PointGraph, count: int = 32, crease_weight: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """The `count` smallest eigenpairs (values (m,), vectors (N, m)) of the crease-aware Laplacian."""
    L = laplacian(graph, crease_weight)
    count = min(count, L.shape[0] - 2)
    v0 = np.ones(L.shape[0])  # a fixed start vector keeps ARPACK deterministic
    try:
        vals, vecs = eigsh(L, k=count, sigma=-1e-3, which="LM", v0=v0)
    except (ArpackNoConvergence, RuntimeError):
        vals, vecs = np.linalg.eigh(L.toarray())
        vals, vecs = vals[:count], vecs[:, :count]
    order = np.argsort(vals)
    vals, vecs = np.maximum(vals[order], 0.0), vecs[:, order]
    # Fix each eigenvector's sign by its skew so the same shape always gives the same features.
    signs = np.sign(np.sum(vecs ** 3, axis=0))
    return vals, vecs * np.where(signs == 0, 1.0, signs)


def heat_kernel_signature(vals: np.ndarray, vecs: np.ndarray, scales: int = 8) -> np.ndarray:
    """(N, scales) HKS at log-spaced diffusion times spanning the spectrum, each scale-normalised."""
    positive = vals[vals > 1e-8]
    lo, hi = (positive.min(), positive.max()) if len(positive) else (1e-3, 1.0)
    times = np.geomspace(4.0 / hi, 4.0 / lo, scales) if hi > lo else np.full(scales, 1.0)
    h = (vecs ** 2) @ np.exp(-np.outer(vals, times))
    return np.log(h / h.mean(axis=0, keepdims=True) + 1e-9)


def local_shape(graph: PointGraph) -> np.ndarray:
    """(N, 6): linearity, planarity, scattering of the neighbourhood, and |normal| components."""
    l3, l2, l1 = graph.eigvals[:, 0], graph.eigvals[:, 1], graph.eigvals[:, 2]
    l1 = np.maximum(l1, 1e-12)
    shape = np.stack([(l1 - l2) / l1, (l2 - l3) / l1, l3 / l1], axis=1)
    return np.concatenate([shape, np.abs(graph.normals)], axis=1)


def geometric_features(points: np.ndarray, graph: PointGraph, parts=("xyz", "hks", "eig", "local"),
                       eig_count: int = 16) -> np.ndarray:
    """(N, E) float32 features of normalised points (N, 3), standardised per column."""
    unknown = set(parts) - set(GEOMETRIC_PARTS)
    if unknown:
        raise ValueError(f"unknown geometric feature parts {sorted(unknown)}; valid: {GEOMETRIC_PARTS}")
    cols = []
    if "hks" in parts or "eig" in parts:
        vals, vecs = spectrum(graph, count=max(32, eig_count + 1))
    for part in parts:
        if part == "xyz":
            cols.append(points)
        elif part == "hks":
            cols.append(heat_kernel_signature(vals, vecs))
        elif part == "eig":
            cols.append(vecs[:, 1:eig_count + 1] * np.sqrt(len(points)))
        else:
            cols.append(local_shape(graph))
    F = np.concatenate(cols, axis=1)
    F = (F - F.mean(axis=0)) / (F.std(axis=0) + 1e-6)
    return F.astype(np.float32)
