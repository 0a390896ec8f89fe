"""PartNet-E in PartSLIP's layout: `<root>/<split>/<Category>/<id>/pc.ply` (the points, with colours)
and `label.npy`, a pickled dict whose 'semantic_seg' (N,) holds indices into the category's
PartNetE_meta part list, -1 for "no part". Splits are `test` and `few_shot`.

label.npy is a pickle: it is read with an unpickler that builds numpy arrays and plain containers
only, so a crafted file cannot run code.
"""

import pickle
from pathlib import Path

import numpy as np

from ..errors import DatasetError, PartDistillError
from .partnet_mobility import PARTNETE_PARTS

SPLITS = ("test", "few_shot")
PLY_TYPES = {"char": "i1", "int8": "i1", "uchar": "u1", "uint8": "u1", "short": "i2", "int16": "i2",
             "ushort": "u2", "uint16": "u2", "int": "i4", "int32": "i4", "uint": "u4", "uint32": "u4",
             "float": "f4", "float32": "f4", "double": "f8", "float64": "f8"}


def read_ply_points(path) -> np.ndarray:
    """(N, 3) float32 x y z of the vertex element of a PLY file (ascii or binary, as Open3D writes
    PartSLIP's pc.ply); other vertex properties (colours, normals) are read past."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(path, f"cannot read file: {exc.strerror}") from None
    end = data.find(b"end_header")
    if not data.startswith(b"ply") or end < 0:
        raise DatasetError(path, "not a PLY file (no 'ply' magic or no end_header)")
    body = data[data.index(b"\n", end) + 1:]
    fmt, count, props = None, None, []
    for line in data[:end].decode("ascii", "replace").splitlines()[1:]:
        words = line.split()
        if words[:1] == ["format"]:
            fmt = words[1]
        elif words[:1] == ["element"]:
            if count is not None:
                break  # the vertex element must come first; later elements are not needed
            if words[1] != "vertex":
                raise DatasetError(path, f"the first element is {words[1]!r}; expected the vertex element first")
            count = int(words[2])
        elif words[:1] == ["property"] and count is not None:
            if words[1] == "list" or words[1] not in PLY_TYPES:
                raise DatasetError(path, f"unsupported vertex property {' '.join(words[1:])!r}")
            props.append((words[2], PLY_TYPES[words[1]]))
    names = [n for n, _ in props]
    if count is None or not {"x", "y", "z"} <= set(names):
        raise DatasetError(path, "no vertex element with x, y and z properties")
    if fmt == "ascii":
        rows = np.loadtxt(body.decode("ascii").splitlines()[:count], ndmin=2)
        table = {n: rows[:, i] for i, n in enumerate(names)}
    elif fmt in ("binary_little_endian", "binary_big_endian"):
        order = "<" if fmt == "binary_little_endian" else ">"
        dtype = np.dtype([(n, order + t) for n, t in props])
        if len(body) < count * dtype.itemsize:
            raise DatasetError(path, f"truncated: {count} vertices need {count * dtype.itemsize} bytes")
        table = np.frombuffer(body, dtype, count)
    else:
        raise DatasetError(path, f"unknown PLY format {fmt!r}")
    return np.stack([np.asarray(table[a], dtype=np.float32) for a in "xyz"], axis=1)


class _ArraysOnly(pickle.Unpickler):
    """Unpickles numpy arrays, dtypes and scalars inside plain containers; nothing else."""

    ALLOWED = {("numpy", "ndarray"), ("numpy", "dtype")} | {
        (module, name) for module in ("numpy.core.multiarray", "numpy._core.multiarray")
        for name in ("_reconstruct", "scalar")}

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a label file")


def read_partslip_labels(path) -> np.ndarray:
    """(N,) int64 'semantic_seg' of a PartSLIP label.npy (a pickled dict, or a plain label array)."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) \
                else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read_header(f)
            if dtype.hasobject:
                content = _ArraysOnly(f).load()
                content = content.item() if isinstance(content, np.ndarray) and content.shape == () else content
            else:
                f.seek(0)  # read_array reads the magic and header again, from the open file
                content = np.lib.format.read_array(f, allow_pickle=False)
    except FileNotFoundError:
        raise DatasetError(path, "file not found") from None
    except (OSError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        raise DatasetError(path, f"not a readable label.npy: {exc}") from None
    labels = content.get("semantic_seg") if isinstance(content, dict) else content
    if not isinstance(labels, np.ndarray) or labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise DatasetError(path, "expected a dict with 'semantic_seg', an (N,) integer array")
    return labels.astype(np.int64)


class PartSLIP:
    """The shapes of one split under root (PartSLIP's `data/` folder)."""

    def __init__(self, root, split: str = "test"):
        if split not in SPLITS:
            raise PartDistillError(f"unknown PartSLIP split {split!r}; use one of {', '.join(SPLITS)}")
        self.root, self.split = Path(root), split

    @staticmethod
    def is_layout(root) -> bool:
        """Whether root looks like PartSLIP's data folder (test/<Category>/<id>/pc.ply)."""
        return any(Path(root, "test").glob("*/*/pc.ply"))

    def categories(self) -> list[str]:
        folder = self.root / self.split
        return sorted(p.name for p in folder.iterdir() if p.name in PARTNETE_PARTS) if folder.is_dir() else []

    def shape_ids(self, category: str) -> list[str]:
        folder = self.root / self.split / category
        ids = [p.name for p in folder.iterdir() if p.is_dir()] if folder.is_dir() else []
        return sorted(ids, key=lambda name: (len(name), name))

    def load(self, category: str, shape_id: str) -> tuple[np.ndarray, np.ndarray]:
        """(points (N, 3) float32, labels (N,) int64 in [-1, R))."""
        folder = self.root / self.split / category / shape_id
        points = read_ply_points(folder / "pc.ply")
        labels = read_partslip_labels(folder / "label.npy")
        if len(labels) != len(points):
            raise DatasetError(folder / "label.npy", f"{len(labels)} labels for {len(points)} points of pc.ply")
        R = len(PARTNETE_PARTS[category])
        if labels.min() < -1 or labels.max() >= R:
            raise DatasetError(folder / "label.npy", f"labels must lie in [-1, {R}) for {category}'s parts "
                                                     f"{', '.join(PARTNETE_PARTS[category])}")
        return points, labels
