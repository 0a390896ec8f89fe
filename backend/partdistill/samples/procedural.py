"""Seeded procedural sample shapes with ground-truth part labels, for demos and tests without a dataset.

Shapes are Y-up, centred on the origin and scaled to a unit bounding-box diagonal (as ShapeNet is).
"""

import numbers

import numpy as np

from ..errors import PartDistillError
from ..mesh import Mesh
from .furniture import chair, table
from .objects import airplane, lamp, mug

CATEGORIES: dict[str, tuple[str, ...]] = {
    "chair": ("back", "seat", "leg", "arm"),
    "table": ("tabletop", "leg", "drawer"),
    "mug": ("handle", "cup"),
    "lamp": ("base", "lampshade", "tube"),
    "airplane": ("body", "wing", "tail", "engine"),
}

_BUILDERS = {"chair": chair, "table": table, "mug": mug, "lamp": lamp, "airplane": airplane}


def _check_category(category: str) -> tuple[str, ...]:
    """The part names of category, or a PartDistillError naming the valid categories."""
    if category not in CATEGORIES:
        raise PartDistillError(
            f"unknown sample category {category!r}; choose one of: {', '.join(CATEGORIES)}")
    return CATEGORIES[category]


def _check_count(value, what: str) -> int:
    """value as a non-negative int, or a PartDistillError saying what it should be."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise PartDistillError(f"{what} must be a non-negative integer, got {value!r}")
    return int(value)


def _normalise(mesh: Mesh) -> Mesh:
    """mesh with its bounding box centred on the origin and its diagonal scaled to 1."""
    lo, hi = mesh.vertices.min(0), mesh.vertices.max(0)
    vertices = (mesh.vertices - (lo + hi) / 2) / np.linalg.norm(hi - lo)
    return Mesh(vertices, mesh.faces, mesh.face_labels, mesh.part_names)


def make_shape(category: str, seed: int = 0) -> Mesh:
    """One labelled shape of category; the same (category, seed) always gives identical arrays.

    Returns a Mesh whose face_labels (F,) index CATEGORIES[category]; a part may be absent
    (e.g. a chair without arms). Every part is a closed, outward-facing surface.
    """
    names = _check_category(category)
    parts = _BUILDERS[category](np.random.default_rng(_check_count(seed, "seed")))
    labelled = [Mesh(m.vertices, m.faces, np.full(len(m.faces), names.index(name)), names) for name, m in parts]
    return _normalise(Mesh.concatenate(labelled, names))


def make_collection(category: str, count: int, seed: int = 0) -> list[Mesh]:
    """count shapes of category made with seeds seed, seed + 1, ..."""
    _check_category(category)
    count, seed = _check_count(count, "count"), _check_count(seed, "seed")
    return [make_shape(category, seed + i) for i in range(count)]
