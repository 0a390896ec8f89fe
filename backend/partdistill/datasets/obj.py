"""A minimal Wavefront OBJ reader: geometry only (`v` and `f`), enough for PartNet-Mobility part meshes."""

import math
from pathlib import Path

import numpy as np

from ..errors import DatasetError
from .text import read_text


def read_obj(path) -> tuple[np.ndarray, np.ndarray]:
    """An OBJ file -> vertices (V, 3) float64, faces (F, 3) int64 (0-based).

    Faces may be written `v`, `v/vt`, `v//vn` or `v/vt/vn`, with negative indices counting back from
    the last vertex read so far; polygons are fan-triangulated. Other statements (vt, vn, o, g,
    usemtl, ...) are ignored. A malformed `v`/`f` line or an index outside the vertices is a
    DatasetError naming the file and line."""
    path = Path(path)
    text = read_text(path, "OBJ file")

    vertices: list[list[float]] = []
    triangles: list[tuple[int, int, int]] = []
    triangle_lines: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if fields[0] == "v":
            vertices.append(parse_vertex(path, number, fields[1:]))
        elif fields[0] == "f":
            corners = [_parse_corner(path, number, field, len(vertices)) for field in fields[1:]]
            if len(corners) < 3:
                raise DatasetError(path, f"face needs at least 3 vertices, found {len(corners)}", line=number)
            triangles.extend((corners[0], corners[i], corners[i + 1]) for i in range(1, len(corners) - 1))
            triangle_lines.extend([number] * (len(corners) - 2))

    faces = np.array(triangles, dtype=np.int64).reshape(-1, 3)
    # Positive indices may in principle point forward, so their range is checked once all vertices are known.
    bad = np.flatnonzero((faces >= len(vertices)).any(axis=1))
    if len(bad):
        raise DatasetError(path, f"face refers to vertex {faces[bad[0]].max() + 1}, but the file has "
                                 f"{len(vertices)} vertices", line=triangle_lines[bad[0]])
    return np.array(vertices, dtype=np.float64).reshape(-1, 3), faces


def parse_vertex(path: Path, number: int, values: list[str]) -> list[float]:
    """x y z of a vertex line (OBJ's `v`, an OFF vertex row); values after them (OBJ's w, a
    vertex colour) are ignored."""
    if len(values) < 3:
        raise DatasetError(path, f"vertex needs x y z, found {len(values)} values", line=number)
    try:
        xyz = [float(v) for v in values[:3]]
    except ValueError:
        raise DatasetError(path, f"vertex coordinates {' '.join(values[:3])!r} are not numbers", line=number) from None
    if not all(math.isfinite(v) for v in xyz):
        raise DatasetError(path, "vertex has a NaN or infinite coordinate", line=number)
    return xyz


def _parse_corner(path: Path, number: int, field: str, num_vertices: int) -> int:
    """The 0-based vertex index of one face corner `v[/vt[/vn]]`."""
    try:
        index = int(field.split("/", 1)[0])
    except ValueError:
        raise DatasetError(path, f"face corner {field!r} does not start with a vertex index", line=number) from None
    if index == 0:
        raise DatasetError(path, "face vertex index 0 (OBJ indices start at 1)", line=number)
    if index > 0:
        return index - 1
    resolved = num_vertices + index
    if resolved < 0:
        raise DatasetError(path, f"relative face index {index} reaches before the first vertex "
                                 f"({num_vertices} read so far)", line=number)
    return resolved
