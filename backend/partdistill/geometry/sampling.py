"""Uniform random sampling of points on a triangle mesh surface."""

import numpy as np

from ..errors import PartDistillError
from ..mesh import Mesh


def sample_surface(
    mesh: Mesh, num_points: int, seed: int | np.random.Generator = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw `num_points` points uniformly over the mesh's surface area.

    Faces are picked with probability proportional to their area, then a point is drawn
    uniformly inside the picked triangle. `seed` is an int or a numpy Generator; the same
    int always gives the same points.
    Returns (points (N, 3) float64, face_ids (N,) int64, normals (N, 3) float64 unit face normals).
    """
    if isinstance(num_points, bool) or not isinstance(num_points, (int, np.integer)) or num_points < 1:
        raise PartDistillError(f"num_points must be a positive integer, got {num_points!r}")
    rng = np.random.default_rng(seed)
    face_ids = rng.choice(len(mesh.faces), size=int(num_points), p=_face_probabilities(mesh))
    points = _points_in_triangles(mesh.vertices[mesh.faces[face_ids]], rng)
    return points, face_ids.astype(np.int64), mesh.face_normals()[face_ids]


def _face_probabilities(mesh: Mesh) -> np.ndarray:
    """(F,) probability of each face, proportional to its area."""
    if len(mesh.faces) == 0:
        raise PartDistillError(
            "the mesh has no faces, so there is no surface to sample; pass a triangle mesh"
        )
    areas = mesh.face_areas()
    total = areas.sum()
    if not total > 0:
        raise PartDistillError(
            f"all {len(areas)} faces of the mesh have zero area, so there is no surface to sample; "
            "check that the mesh is not collapsed to a line or point"
        )
    return areas / total


def _points_in_triangles(corners: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One uniform point inside each triangle, corners (N, 3 corners, 3) -> (N, 3).

    Barycentric weights (1 - sqrt(r1), sqrt(r1) (1 - r2), sqrt(r1) r2): the square root
    undoes the crowding towards the first corner that plain uniform weights would give.
    """
    r1, r2 = rng.random((2, len(corners)))
    s = np.sqrt(r1)
    weights = np.stack([1.0 - s, s * (1.0 - r2), s * r2], axis=1)
    return np.einsum("nc,ncd->nd", weights, corners)
