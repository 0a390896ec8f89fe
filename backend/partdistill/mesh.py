"""A triangle mesh with optional per-face part labels: the shape type every layer exchanges."""

from dataclasses import dataclass, field

import numpy as np

from .errors import PartDistillError


@dataclass(frozen=True)
class Mesh:
    """vertices (V, 3) float, faces (F, 3) int; face_labels (F,) int in [-1, R) or None;
    part_names names the R parts the labels index."""

    vertices: np.ndarray
    faces: np.ndarray
    face_labels: np.ndarray | None = None
    part_names: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self):
        v = np.asarray(self.vertices, dtype=np.float64)
        f = np.asarray(self.faces)
        if v.ndim != 2 or v.shape[1] != 3:
            raise PartDistillError(f"mesh vertices must have shape (V, 3), got {v.shape}")
        if f.ndim != 2 or f.shape[1] != 3 or not np.issubdtype(f.dtype, np.integer):
            raise PartDistillError(f"mesh faces must be integer triangles (F, 3), got {f.dtype} {f.shape}")
        if len(f) and (f.min() < 0 or f.max() >= len(v)):
            raise PartDistillError(f"mesh faces index vertices outside [0, {len(v)})")
        if not np.isfinite(v).all():
            raise PartDistillError("mesh vertices contain NaN or infinite coordinates")
        object.__setattr__(self, "vertices", v)
        object.__setattr__(self, "faces", f.astype(np.int64))
        if self.face_labels is not None:
            lab = np.asarray(self.face_labels, dtype=np.int64)
            if lab.shape != (len(f),):
                raise PartDistillError(f"face_labels must have shape ({len(f)},), got {lab.shape}")
            object.__setattr__(self, "face_labels", lab)
        object.__setattr__(self, "part_names", tuple(self.part_names))

    @property
    def num_parts(self) -> int:
        return len(self.part_names)

    def face_areas(self) -> np.ndarray:
        a, b, c = (self.vertices[self.faces[:, i]] for i in range(3))
        return 0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1)

    def face_normals(self) -> np.ndarray:
        a, b, c = (self.vertices[self.faces[:, i]] for i in range(3))
        n = np.cross(b - a, c - a)
        return n / np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)

    @staticmethod
    def concatenate(meshes, part_names=()) -> "Mesh":
        """Join meshes into one, re-indexing faces; labels are kept when every mesh has them."""
        offsets = np.cumsum([0] + [len(m.vertices) for m in meshes[:-1]])
        labels = None
        if meshes and all(m.face_labels is not None for m in meshes):
            labels = np.concatenate([m.face_labels for m in meshes])
        return Mesh(
            vertices=np.concatenate([m.vertices for m in meshes]),
            faces=np.concatenate([m.faces + o for m, o in zip(meshes, offsets)]),
            face_labels=labels,
            part_names=part_names,
        )
