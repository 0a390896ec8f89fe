"""The Princeton Segmentation Benchmark (Chen, Golovinskiy, Funkhouser 2009) in the layout
`<root>/<Category>/<id>.off` with human segmentations `<root>/<Category>/<id>_human_seg/<id>_<k>.seg`,
one integer segment index per OFF face per line. Segments are free-form and carry no names."""

from pathlib import Path

import numpy as np

from ..errors import DatasetError
from ..mesh import Mesh
from .obj import parse_vertex
from .text import fast_table, read_text

OFF_KEYWORDS = ("OFF", "COFF", "NOFF", "CNOFF", "NCOFF")
PSB_LAYOUT = "<root>/<Category>/<id>.off and <root>/<Category>/<id>_human_seg/<id>_<k>.seg"


def _content_lines(text: str):
    """(1-based line number, fields) of each line with something left after dropping `#` comments."""
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split("#", 1)[0].split()
        if fields:
            yield number, fields


def read_off(path, *, return_source: bool = False):
    """An OFF file -> vertices (V, 3) float64, faces (T, 3) int64 (0-based triangles).

    The header is `OFF` (or COFF/NOFF/CNOFF: extra per-vertex values are ignored) followed by
    `V F [E]` on the same line or the next; `#` starts a comment. A face line is `n i1 .. in [colour]`;
    polygons are fan-triangulated. With return_source=True a third array (T,) int64 gives, for each
    triangle, the index of the OFF face it came from, so per-face labels follow with labels[source].
    A bad header, a malformed line, a file that ends early or an index outside the vertices is a
    DatasetError naming the file and line."""
    path = Path(path)
    text = read_text(path, "OFF file")
    fast = _read_off_fast(text)
    if fast is not None:
        vertices, faces = fast
        return (vertices, faces, np.arange(len(faces), dtype=np.int64)) if return_source else (vertices, faces)
    lines = _content_lines(text)

    header = next(lines, None)
    if header is None:
        raise DatasetError(path, "empty file, expected an 'OFF' header")
    number, fields = header
    keyword = fields[0]
    if keyword not in OFF_KEYWORDS:
        if keyword.upper().endswith("OFF"):
            message = f"unsupported OFF variant {keyword!r}; expected one of {', '.join(OFF_KEYWORDS)}"
        else:
            message = f"header {keyword!r} is not 'OFF'"
        raise DatasetError(path, message, line=number)
    counts = fields[1:]
    if not counts:
        counts_line = next(lines, None)
        if counts_line is None:
            raise DatasetError(path, "file ends after the header; expected counts 'V F E'", line=number)
        number, counts = counts_line
    num_vertices, num_faces = _parse_counts(path, number, counts)

    vertices = np.empty((num_vertices, 3), dtype=np.float64)
    last = number
    for i in range(num_vertices):
        item = next(lines, None)
        if item is None:
            raise DatasetError(path, f"file ends after {i} of {num_vertices} vertices "
                                     f"({num_faces} faces still to come)", line=last)
        last, fields = item
        vertices[i] = parse_vertex(path, last, fields)

    triangles: list[tuple[int, int, int]] = []
    source: list[int] = []
    for face in range(num_faces):
        item = next(lines, None)
        if item is None:
            raise DatasetError(path, f"file ends after {face} of {num_faces} faces", line=last)
        last, fields = item
        corners = _parse_face(path, last, fields, num_vertices)
        triangles.extend((corners[0], corners[j], corners[j + 1]) for j in range(1, len(corners) - 1))
        source.extend([face] * (len(corners) - 2))

    faces = np.array(triangles, dtype=np.int64).reshape(-1, 3)
    if return_source:
        return vertices, faces, np.array(source, dtype=np.int64)
    return vertices, faces


def _read_off_fast(text: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The common case (no comments, plain `x y z` vertices, triangle faces, indices in range) with
    numpy; None whenever anything differs, so the line-by-line reader handles it and explains errors."""
    if "#" in text:
        return None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return None
    fields = lines[0].split()
    if fields[0] not in OFF_KEYWORDS:
        return None
    start = 1
    if len(fields) == 1:
        if len(lines) < 2:
            return None
        fields, start = ["OFF", *lines[1].split()], 2
    try:
        counts = [int(f) for f in fields[1:]]
    except ValueError:
        return None
    if len(counts) not in (2, 3) or min(counts) < 0:
        return None
    num_vertices, num_faces = counts[0], counts[1]
    if len(lines) < start + num_vertices + num_faces:
        return None
    vertices = _table(lines[start:start + num_vertices], 3, np.float64)
    table = _table(lines[start + num_vertices:start + num_vertices + num_faces], 4, np.int64)
    if vertices is None or table is None or not np.isfinite(vertices).all() or (table[:, 0] != 3).any():
        return None
    faces = np.ascontiguousarray(table[:, 1:])
    if len(faces) and (faces.min() < 0 or faces.max() >= num_vertices):
        return None
    return vertices, faces


def _table(lines: list[str], ncols: int, dtype) -> np.ndarray | None:
    """Non-blank lines of exactly `ncols` numbers -> (len(lines), ncols) array, or None if they are not that."""
    return fast_table("\n".join(lines), ncols, dtype, nrows=len(lines))


def _parse_counts(path: Path, number: int, fields: list[str]) -> tuple[int, int]:
    if len(fields) not in (2, 3):
        raise DatasetError(path, f"expected counts 'V F E', found {' '.join(fields)!r}", line=number)
    try:
        counts = [int(f) for f in fields]
    except ValueError:
        raise DatasetError(path, f"counts {' '.join(fields)!r} are not integers 'V F E'", line=number) from None
    if min(counts) < 0:
        raise DatasetError(path, f"negative count in {' '.join(fields)!r}", line=number)
    return counts[0], counts[1]


def _parse_face(path: Path, number: int, fields: list[str], num_vertices: int) -> list[int]:
    """The 0-based corner indices of a face line `n i1 .. in [colour]`."""
    try:
        n = int(fields[0])
    except ValueError:
        raise DatasetError(path, f"face must start with its vertex count, found {fields[0]!r}", line=number) from None
    if n < 3:
        raise DatasetError(path, f"face needs at least 3 vertices, found {n}", line=number)
    if len(fields) < n + 1:
        raise DatasetError(path, f"face lists {len(fields) - 1} indices for its {n} vertices", line=number)
    try:
        corners = [int(f) for f in fields[1:n + 1]]
    except ValueError:
        raise DatasetError(path, f"face indices {' '.join(fields[1:n + 1])!r} are not integers", line=number) from None
    for index in corners:
        if not 0 <= index < num_vertices:
            raise DatasetError(path, f"face refers to vertex {index}, but the file has {num_vertices} "
                                     f"vertices (0-based indices 0-{num_vertices - 1})", line=number)
    return corners


def read_seg(path, num_faces: int) -> np.ndarray:
    """A `.seg` file -> (num_faces,) int64 segment ids, one non-negative integer per line in OFF face
    order. A non-integer or a count other than num_faces is a DatasetError naming the file and line."""
    path = Path(path)
    text = read_text(path, "segmentation file")
    if "#" not in text:
        lines = [line for line in text.splitlines() if line.strip()]
        table = _table(lines, 1, np.int64)
        if table is not None and len(table) == num_faces and (table >= 0).all():
            return table[:, 0].copy()
    ids: list[int] = []
    last = None
    for number, fields in _content_lines(text):
        if len(fields) != 1:
            raise DatasetError(path, f"expected one segment id per line, found {len(fields)} values", line=number)
        try:
            value = int(fields[0])
        except ValueError:
            raise DatasetError(path, f"segment id {fields[0]!r} is not an integer", line=number) from None
        if value < 0:
            raise DatasetError(path, f"segment id {value} is negative", line=number)
        if len(ids) == num_faces:
            raise DatasetError(path, f"more segment ids than the mesh's {num_faces} faces", line=number)
        ids.append(value)
        last = number
    if len(ids) != num_faces:
        raise DatasetError(path, f"{len(ids)} segment ids for the mesh's {num_faces} faces", line=last)
    return np.array(ids, dtype=np.int64)


class PSB:
    """PSB meshes under `root`; each mesh may have several human segmentations k = 0, 1, ..."""

    def __init__(self, root):
        self.root = Path(root)
        if not self.root.is_dir():
            raise DatasetError(self.root, f"PSB root folder not found; expected {PSB_LAYOUT}")

    def categories(self) -> list[str]:
        """Category folders holding at least one `.off` mesh, sorted."""
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and any(p.glob("*.off")))

    def _category_dir(self, category: str) -> Path:
        folder = self.root / category
        if not folder.is_dir():
            known = ", ".join(self.categories()) or "none"
            raise DatasetError(folder, f"PSB category folder not found; expected {PSB_LAYOUT}; "
                                       f"known categories: {known}")
        return folder

    def mesh_ids(self, category: str) -> list[str]:
        """The ids of the `.off` meshes in `category`, numeric ids in numeric order."""
        stems = [p.stem for p in self._category_dir(category).glob("*.off")]
        return sorted(stems, key=lambda s: (0, int(s), s) if s.isdigit() else (1, 0, s))

    def path(self, category: str, mesh_id) -> Path:
        return self.root / category / f"{mesh_id}.off"

    def seg_path(self, category: str, mesh_id, segmentation: int = 0) -> Path:
        return self.root / category / f"{mesh_id}_human_seg" / f"{mesh_id}_{segmentation}.seg"

    def segmentations(self, category: str, mesh_id) -> list[int]:
        """The indices k of the human segmentations present for one mesh, sorted."""
        folder = self.root / category / f"{mesh_id}_human_seg"
        prefix = f"{mesh_id}_"
        ks = [p.stem[len(prefix):] for p in folder.glob(f"{prefix}*.seg")] if folder.is_dir() else []
        return sorted(int(k) for k in ks if k.isdigit())

    def load(self, category: str, mesh_id, segmentation: int | None = 0) -> Mesh:
        """One mesh with face_labels = the segment ids of human segmentation `segmentation`, remapped
        to 0..R-1 in sorted-id order, and part_names ('segment 0', ..., 'segment R-1'). With
        segmentation=None the mesh comes without labels."""
        self._category_dir(category)
        path = self.path(category, mesh_id)
        if not path.is_file():
            raise DatasetError(path, f"PSB mesh not found; expected {PSB_LAYOUT}")
        vertices, faces, source = read_off(path, return_source=True)
        if segmentation is None:
            return Mesh(vertices, faces)
        seg_path = self.seg_path(category, mesh_id, segmentation)
        if not seg_path.is_file():
            present = ", ".join(map(str, self.segmentations(category, mesh_id))) or "none"
            raise DatasetError(seg_path, f"human segmentation {segmentation} not found; expected "
                                         f"{mesh_id}_human_seg/{mesh_id}_<k>.seg; present k: {present}")
        # Every OFF face gives at least one triangle, so the last source index gives the face count.
        num_polygons = int(source[-1]) + 1 if len(source) else 0
        ids = read_seg(seg_path, num_polygons)
        unique, remapped = np.unique(ids, return_inverse=True)
        remapped = remapped.reshape(-1).astype(np.int64)
        part_names = tuple(f"segment {i}" for i in range(len(unique)))
        return Mesh(vertices, faces, face_labels=remapped[source], part_names=part_names)

