"""The k-NN graph of a point cloud and what is read off it: normals, local shape, Laplacian."""

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree


@dataclass(frozen=True)
class PointGraph:
    """idx (N, k) neighbour indices (self excluded), dist (N, k) distances, normals (N, 3) unit
    (sign arbitrary), eigvals (N, 3) ascending local covariance eigenvalues."""

    idx: np.ndarray
    dist: np.ndarray
    normals: np.ndarray
    eigvals: np.ndarray


def point_graph(points: np.ndarray, k: int = 16) -> PointGraph:
    """k-NN graph with PCA normals from each point's neighbourhood (itself included)."""
    k = min(k, len(points) - 1)
    dist, idx = cKDTree(points).query(points, k=k + 1)
    dist, idx = dist[:, 1:], idx[:, 1:]
    hood = points[np.concatenate([np.arange(len(points))[:, None], idx], axis=1)]
    centred = hood - hood.mean(axis=1, keepdims=True)
    cov = np.einsum("nki,nkj->nij", centred, centred) / (k + 1)
    eigvals, eigvecs = np.linalg.eigh(cov)
    return PointGraph(idx, dist, eigvecs[:, :, 0], np.maximum(eigvals, 0.0))


def laplacian(graph: PointGraph, crease_weight: float = 0.0) -> sparse.csr_matrix:
    """Symmetric normalised Laplacian of the k-NN graph with Gaussian distance weights.

    crease_weight > 0 weakens edges across creases (normals disagreeing), so low-frequency
    eigenvectors stay flat within smooth pieces and change where parts usually meet.
    """
    n, k = graph.idx.shape
    sigma = np.median(graph.dist) + 1e-12
    w = np.exp(-((graph.dist / sigma) ** 2))
    if crease_weight > 0:
        agree = np.abs(np.einsum("ni,nki->nk", graph.normals, graph.normals[graph.idx]))
        w = w * np.exp(-crease_weight * (1.0 - agree))
    rows = np.repeat(np.arange(n), k)
    W = sparse.csr_matrix((w.ravel(), (rows, graph.idx.ravel())), shape=(n, n))
    W = W.maximum(W.T)
    deg = np.asarray(W.sum(axis=1)).ravel()
    d = sparse.diags(1.0 / np.sqrt(np.maximum(deg, 1e-12)))
    return (sparse.identity(n) - d @ W @ d).tocsr()
