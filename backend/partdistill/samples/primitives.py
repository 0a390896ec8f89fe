"""Closed triangle-mesh primitives and transforms that the procedural sample shapes are built from.

Every builder returns an unlabelled Mesh that is watertight (each edge shared by exactly two faces)
and consistently wound so that face normals point out of the enclosed volume. Y is the up axis.
"""

import math

import numpy as np

from ..mesh import Mesh


def signed_volume(vertices: np.ndarray, faces: np.ndarray) -> float:
    """Volume enclosed by a closed surface, vertices (V, 3), faces (F, 3); positive when normals face out."""
    a, b, c = (vertices[faces[:, i]] for i in range(3))
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)


def loft(rings, closed: bool = False, start=None, end=None) -> Mesh:
    """Skin K cross-sections into one closed surface.

    rings (K, N, 3): each ring lists N points in the same rotational order.
    closed: join the last ring back to the first (a ring-shaped solid) instead of capping the ends.
    start, end (3,): apex of the first / last end cap; default the ring's centroid (a flat cap).
    """
    rings = np.asarray(rings, dtype=np.float64)
    k, n = rings.shape[:2]
    grid = np.arange(k * n).reshape(k, n)
    lower = np.arange(k if closed else k - 1)
    a, d = grid[lower], grid[(lower + 1) % k]
    b, c = np.roll(a, -1, axis=1), np.roll(d, -1, axis=1)
    faces = [np.stack([a, b, c], -1).reshape(-1, 3), np.stack([a, c, d], -1).reshape(-1, 3)]
    vertices = [rings.reshape(-1, 3)]
    if not closed:
        first, last = grid[0], grid[-1]
        apex = [rings[0].mean(0) if start is None else start, rings[-1].mean(0) if end is None else end]
        vertices.append(np.asarray(apex, dtype=np.float64))
        faces.append(np.stack([np.full(n, k * n), np.roll(first, -1), first], -1))
        faces.append(np.stack([np.full(n, k * n + 1), last, np.roll(last, -1)], -1))
    vertices, faces = np.concatenate(vertices), np.concatenate(faces)
    if signed_volume(vertices, faces) < 0:  # rings may run either way round; flip so normals face out
        faces = faces[:, ::-1]
    return Mesh(vertices, faces)


def _densify(points: np.ndarray, max_step: float, closed: bool) -> np.ndarray:
    """Polyline points (P, 2) with evenly spaced points inserted so no segment exceeds max_step."""
    starts, ends = (points, np.roll(points, -1, axis=0)) if closed else (points[:-1], points[1:])
    pieces = []
    for a, b in zip(starts, ends):
        count = max(1, math.ceil(np.linalg.norm(b - a) / max_step))
        pieces.append(a + (b - a) * (np.arange(count) / count)[:, None])
    if not closed:
        pieces.append(points[-1:])
    return np.concatenate(pieces)


def lathe(profile, segments: int = 24, max_step: float = 0.05) -> Mesh:
    """Revolve a profile (P, 2) of (radius, height) points about the Y axis.

    A profile that starts and ends on the axis (radius 0) gives a solid with poles there; any other
    profile is a closed loop (last point joins the first) and gives a ring-shaped solid.
    """
    profile = np.asarray(profile, dtype=np.float64)
    solid = profile[0, 0] == 0 and profile[-1, 0] == 0
    profile = _densify(profile, max_step, closed=not solid)
    theta = 2 * np.pi * np.arange(segments) / segments
    radius, height = profile[:, :1], profile[:, 1:]
    rings = np.stack(np.broadcast_arrays(radius * np.sin(theta), height, radius * np.cos(theta)), axis=-1)
    if solid:
        return loft(rings[1:-1], start=(0, profile[0, 1], 0), end=(0, profile[-1, 1], 0))
    return loft(rings, closed=True)


def box(size, center=(0, 0, 0), max_step: float = 0.05) -> Mesh:
    """Axis-aligned box of size (3,) about center (3,), each side gridded into cells at most max_step wide."""
    size = np.asarray(size, dtype=np.float64)
    counts = np.maximum(1, np.ceil(size / max_step).astype(int))
    quads = []
    for axis in range(3):
        u, v = (axis + 1) % 3, (axis + 2) % 3  # (u, v, axis) is right-handed, so u-then-v winds towards +axis
        i, j = (g.ravel() for g in np.meshgrid(np.arange(counts[u]), np.arange(counts[v]), indexing="ij"))
        for side in (0, counts[axis]):
            corners = []
            for di, dj in ((0, 0), (1, 0), (1, 1), (0, 1)):
                p = np.zeros((len(i), 3), dtype=int)
                p[:, axis], p[:, u], p[:, v] = side, i + di, j + dj
                corners.append(p)
            quads.append(np.stack(corners if side else corners[::-1], axis=1))
    # Weld on integer lattice coordinates so neighbouring sides share their edge vertices exactly.
    lattice, index = np.unique(np.concatenate(quads).reshape(-1, 3), axis=0, return_inverse=True)
    index = index.reshape(-1, 4)
    faces = np.concatenate([index[:, [0, 1, 2]], index[:, [0, 2, 3]]])
    return Mesh(lattice / counts * size - size / 2 + np.asarray(center, dtype=np.float64), faces)


def frustum(r_bottom: float, r_top: float, height: float, segments: int = 24, max_step: float = 0.05) -> Mesh:
    """Capped cone frustum about the Y axis, centred on the origin; either radius may be 0 (a cone)."""
    h = height / 2
    rim = [(r, y) for r, y in ((r_bottom, -h), (r_top, h)) if r > 0]
    return lathe([(0, -h), *rim, (0, h)], segments, max_step)


def cylinder(radius: float, height: float, segments: int = 24, max_step: float = 0.05) -> Mesh:
    """Capped cylinder about the Y axis, centred on the origin."""
    return frustum(radius, radius, height, segments, max_step)


def ellipsoid(radii, rings: int = 12, segments: int = 24) -> Mesh:
    """Ellipsoid with semi-axes radii (3,) centred on the origin."""
    phi = np.linspace(-np.pi / 2, np.pi / 2, rings + 1)
    profile = np.stack([np.cos(phi), np.sin(phi)], axis=1)
    profile[[0, -1], 0] = 0  # exact zeros so the ends are recognised as poles
    return scale(lathe(profile, segments, max_step=np.inf), radii)


def shell(r_bottom: float, r_top: float, height: float, thickness: float, segments: int = 32,
          max_step: float = 0.05) -> Mesh:
    """Open-ended frustum wall (a lampshade or nacelle) about the Y axis; radii are the outer surface."""
    h = height / 2
    loop = [(r_bottom, -h), (r_top, h), (r_top - thickness, h), (r_bottom - thickness, -h)]
    return lathe(loop, segments, max_step)


def vessel(r_bottom: float, r_top: float, height: float, wall: float, segments: int = 40,
           max_step: float = 0.05) -> Mesh:
    """Open-top cup about the Y axis, centred on the origin, with inner wall and floor surfaces.

    Radii are the outer surface; the wall and floor are wall thick.
    """
    h = height / 2
    r_floor = r_bottom + (r_top - r_bottom) * wall / height - wall  # inner radius at the floor's height
    profile = [(0, -h), (r_bottom, -h), (r_top, h), (r_top - wall, h), (r_floor, wall - h), (0, wall - h)]
    return lathe(profile, segments, max_step)


def _frames(path: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit tangents and normals (K, 3) along path (K, 3); normals are carried along without twisting."""
    tangents = np.gradient(path, axis=0)
    tangents /= np.linalg.norm(tangents, axis=1, keepdims=True)
    normal = np.eye(3)[np.argmin(np.abs(tangents[0]))]  # the axis least parallel to the start tangent
    normals = np.empty_like(path)
    for k, t in enumerate(tangents):
        normal = normal - t * (normal @ t)
        normal /= np.linalg.norm(normal)
        normals[k] = normal
    return tangents, normals


def tube(path, radius, sides: int = 12) -> Mesh:
    """Round tube swept along path (K, 3) with flat end caps; radius is a float or per point (K,)."""
    path = np.asarray(path, dtype=np.float64)
    tangents, normals = _frames(path)
    binormals = np.cross(tangents, normals)
    theta = 2 * np.pi * np.arange(sides) / sides
    radius = np.broadcast_to(np.asarray(radius, dtype=np.float64), len(path))[:, None, None]
    offsets = normals[:, None] * np.cos(theta)[:, None] + binormals[:, None] * np.sin(theta)[:, None]
    return loft(path[:, None] + radius * offsets)


def rotation_matrix(axis: str, angle: float) -> np.ndarray:
    """(3, 3) right-handed rotation by angle (radians) about the "x", "y" or "z" axis."""
    c, s = math.cos(angle), math.sin(angle)
    i, j = {"x": (1, 2), "y": (2, 0), "z": (0, 1)}[axis]
    m = np.eye(3)
    m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
    return m


def transform(mesh: Mesh, matrix=np.eye(3), offset=(0, 0, 0)) -> Mesh:
    """Map every vertex x to matrix (3, 3) @ x + offset (3,), keeping labels and normals outward."""
    matrix = np.asarray(matrix, dtype=np.float64)
    faces = mesh.faces[:, ::-1] if np.linalg.det(matrix) < 0 else mesh.faces  # a mirror turns winding inside out
    return Mesh(mesh.vertices @ matrix.T + np.asarray(offset, dtype=np.float64), faces, mesh.face_labels,
                mesh.part_names)


def translate(mesh: Mesh, offset) -> Mesh:
    """Mesh moved by offset (3,)."""
    return transform(mesh, offset=offset)


def scale(mesh: Mesh, factors) -> Mesh:
    """Mesh scaled about the origin by factors, a float or per axis (3,); negative factors mirror."""
    return transform(mesh, np.diag(np.broadcast_to(np.asarray(factors, dtype=np.float64), 3)))


def rotate(mesh: Mesh, axis: str, angle: float, pivot=(0, 0, 0)) -> Mesh:
    """Mesh rotated by angle (radians) about the "x", "y" or "z" axis through pivot (3,)."""
    matrix, pivot = rotation_matrix(axis, angle), np.asarray(pivot, dtype=np.float64)
    return transform(mesh, matrix, pivot - matrix @ pivot)
