"""Geometric superpoints: pieces of the surface that are smooth, found by region growing on
normals over the k-NN graph (PartSLIP groups its votes the same way)."""

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .graph import PointGraph


def superpoints(graph: PointGraph, angle_deg: float = 20.0, max_dist_factor: float = 2.5) -> np.ndarray:
    """(N,) superpoint id per point: connected components of k-NN edges whose normals differ by
    less than angle_deg (orientation-free) and whose length is below max_dist_factor times the
    median neighbour distance (so gaps between separate pieces are not bridged)."""
    n, k = graph.idx.shape
    agree = np.abs(np.einsum("ni,nki->nk", graph.normals, graph.normals[graph.idx]))
    keep = (agree >= np.cos(np.radians(angle_deg))) & (graph.dist <= max_dist_factor * np.median(graph.dist[:, 0]))
    rows = np.repeat(np.arange(n), k)[keep.ravel()]
    cols = graph.idx.ravel()[keep.ravel()]
    adj = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(adj, directed=False)
    return labels


def pool(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Replace each row of values (N, C) by the mean over its group (N,)."""
    count = np.bincount(groups).astype(np.float64)
    sums = np.zeros((count.size, values.shape[1]))
    np.add.at(sums, groups, values)
    return (sums / np.maximum(count, 1)[:, None])[groups]
