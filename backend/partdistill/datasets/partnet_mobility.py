"""PartNet-Mobility object folders, labelled with the PartNet-E part names of their category.

A folder `<root>/<anno_id>/` holds `meta.json` (`model_cat`), `result.json` (the PartNet part hierarchy;
each leaf lists its meshes `textured_objs/<name>.obj` under `objs`) and optionally
`point_sample/pts-10000.txt` (`x y z`) with `point_sample/label-10000.txt` (one leaf node id a line)."""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DatasetError, PartDistillError
from ..mesh import Mesh
from .obj import read_obj
from .shapenetpart import line_of_row, read_numeric_table

# PartSLIP's PartNetE_meta.json: each category's part names; a label is an index into its list, -1 = no part.
PARTNETE_PARTS: dict[str, tuple[str, ...]] = {
    "Bottle": ("lid",),
    "Box": ("lid",),
    "Bucket": ("handle",),
    "Camera": ("button", "lens"),
    "Cart": ("wheel",),
    "Chair": ("arm", "back", "leg", "seat", "wheel"),
    "Clock": ("hand",),
    "CoffeeMachine": ("button", "container", "knob", "lid"),
    "Dishwasher": ("door", "handle"),
    "Dispenser": ("head", "lid"),
    "Display": ("base", "screen", "support"),
    "Door": ("frame", "door", "handle"),
    "Eyeglasses": ("body", "leg"),
    "Faucet": ("spout", "switch"),
    "FoldingChair": ("seat",),
    "Globe": ("sphere",),
    "Kettle": ("lid", "handle", "spout"),
    "Keyboard": ("cord", "key"),
    "KitchenPot": ("lid", "handle"),
    "Knife": ("blade",),
    "Lamp": ("base", "body", "bulb", "shade"),
    "Laptop": ("keyboard", "screen", "shaft", "touchpad", "camera"),
    "Lighter": ("lid", "wheel", "button"),
    "Microwave": ("display", "door", "handle", "button"),
    "Mouse": ("button", "cord", "wheel"),
    "Oven": ("door", "knob"),
    "Pen": ("cap", "button"),
    "Phone": ("lid", "button"),
    "Pliers": ("leg",),
    "Printer": ("button",),
    "Refrigerator": ("door", "handle"),
    "Remote": ("button",),
    "Safe": ("door", "switch", "button"),
    "Scissors": ("blade", "handle", "screw"),
    "Stapler": ("body", "lid"),
    "StorageFurniture": ("door", "drawer", "handle"),
    "Suitcase": ("handle", "wheel"),
    "Switch": ("switch",),
    "Table": ("door", "drawer", "leg", "tabletop", "wheel", "handle"),
    "Toaster": ("button", "slider"),
    "Toilet": ("lid", "seat", "button"),
    "TrashCan": ("footpedal", "lid", "door"),
    "USB": ("cap", "rotation"),
    "WashingMachine": ("door", "button"),
    "Window": ("window",),
}

# PartNet node-name words meaning a PartNet-E part of another name (used only where that part exists).
PART_ALIASES: dict[str, str] = {"caster": "wheel", "armrest": "arm", "lampshade": "shade"}

POINTS_FILE = Path("point_sample") / "pts-10000.txt"
POINT_LABELS_FILE = Path("point_sample") / "label-10000.txt"


@dataclass(frozen=True)
class Leaf:
    """A leaf of the part hierarchy: its node id, the node names from the root down to it, its mesh
    names (`textured_objs/<obj>.obj`) and its PartNet-E part index (-1 = no part)."""

    id: int
    path: tuple[str, ...]
    objs: tuple[str, ...]
    part: int


@dataclass(frozen=True)
class PartNetMobilityObject:
    """One object. mesh.face_labels (F,) are PartNet-E part indices in [-1, R), R = len(part_names);
    face_leaf_ids (F,) the leaf node id of each face. points (N, 3) float32 with point_labels (N,) int64
    (semantic, as the faces) and point_leaf_ids (N,) are None where the folder has no point sample."""

    anno_id: str
    category: str
    part_names: tuple[str, ...]
    leaves: tuple[Leaf, ...]
    mesh: Mesh
    face_leaf_ids: np.ndarray
    points: np.ndarray | None
    point_labels: np.ndarray | None
    point_leaf_ids: np.ndarray | None

    @property
    def hierarchy(self) -> dict[int, tuple[str, ...]]:
        """Leaf node id -> node names from the root down to the leaf."""
        return {leaf.id: leaf.path for leaf in self.leaves}


def semantic_part(path: tuple[str, ...], part_names: tuple[str, ...]) -> int:
    """The PartNet-E part of a leaf with node-name `path` (root first): the first node from the leaf
    upwards whose name has a word naming a part gives it; -1 when none does.

    Within one name the whole name ('foot_pedal' -> 'footpedal') is tried first, then its words from
    the last (the head noun: 'door_handle' is a handle), each also without a plural 's'. The root
    is skipped: it is the whole object ('door', 'window'), never one of its parts."""
    lookup = {name: index for index, name in enumerate(part_names)}
    lookup.update({alias: lookup[target] for alias, target in PART_ALIASES.items() if target in lookup})
    for name in reversed(path[1:]):
        for word in _name_words(name):
            if word in lookup:
                return lookup[word]
    return -1


def _name_words(name: str) -> list[str]:
    tokens = [t for t in re.split(r"[^a-z0-9]+", name.lower()) if t]
    forms = []
    for word in ["".join(tokens)] + tokens[::-1]:
        forms.append(word)
        if word.endswith("s"):
            forms.append(word[:-1])
    return forms


def read_leaves(path, part_names: tuple[str, ...]) -> tuple[Leaf, ...]:
    """The leaves of a `result.json` hierarchy in file order, each mapped to one of `part_names`."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(path, "missing; expected the PartNet part hierarchy result.json "
                                 "(a list of nodes with id, name and children or objs)")
    try:
        roots = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatasetError(path, f"not valid JSON: {exc}") from None
    if not isinstance(roots, list) or not roots:
        raise DatasetError(path, "expected a non-empty JSON list of root nodes")
    found: list[tuple[int, tuple[str, ...], tuple[str, ...]]] = []
    for root in roots:
        _collect_leaves(path, root, (), found)
    ids = [leaf_id for leaf_id, _, _ in found]
    if len(set(ids)) != len(ids):
        raise DatasetError(path, "leaf node ids are not unique")
    return tuple(Leaf(leaf_id, names, objs, semantic_part(names, part_names)) for leaf_id, names, objs in found)


def _collect_leaves(path: Path, node, names: tuple[str, ...], found: list) -> None:
    if not isinstance(node, dict) or not isinstance(node.get("id"), int) or "name" not in node:
        raise DatasetError(path, f"node under {'/'.join(names) or 'the root'} lacks an integer 'id' or a 'name'")
    names = names + (str(node["name"]),)
    children = node.get("children") or []
    for child in children:
        _collect_leaves(path, child, names, found)
    if not children:
        objs = node.get("objs")
        if not objs or not all(isinstance(o, str) for o in objs):
            raise DatasetError(path, f"leaf {node['id']} ({'/'.join(names)}) has no 'objs' list of mesh names")
        found.append((node["id"], names, tuple(objs)))


def read_category(folder) -> str:
    """The object's `model_cat` from `meta.json`; it must be a PartNet-E category."""
    path = Path(folder) / "meta.json"
    if not path.is_file():
        raise DatasetError(path, "missing; expected meta.json with the object's category as 'model_cat'")
    try:
        category = json.loads(path.read_text(encoding="utf-8")).get("model_cat")
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError) as exc:
        raise DatasetError(path, f"not a JSON object with 'model_cat': {exc}") from None
    if category not in PARTNETE_PARTS:
        raise DatasetError(path, f"model_cat {category!r} is not one of the 45 PartNet-E categories")
    return category


def _read_mesh(folder: Path, leaves: tuple[Leaf, ...], part_names: tuple[str, ...]) -> tuple[Mesh, np.ndarray]:
    """All leaf meshes joined -> (Mesh with semantic face labels, face leaf ids (F,) int64)."""
    vertices, faces, parts, leaf_ids = [], [], [], []
    offset = 0
    for leaf in leaves:
        for obj in leaf.objs:
            obj_path = folder / "textured_objs" / f"{obj}.obj"
            if not obj_path.is_file():
                raise DatasetError(obj_path, f"missing; result.json leaf {leaf.id} ({'/'.join(leaf.path)}) "
                                             f"lists it as one of its meshes")
            v, f = read_obj(obj_path)
            vertices.append(v)
            faces.append(f + offset)
            offset += len(v)
            parts.append(np.full(len(f), leaf.part, dtype=np.int64))
            leaf_ids.append(np.full(len(f), leaf.id, dtype=np.int64))
    mesh = Mesh(np.concatenate(vertices), np.concatenate(faces), np.concatenate(parts), part_names)
    return mesh, np.concatenate(leaf_ids)


def _read_point_sample(folder: Path, leaves: tuple[Leaf, ...]) -> tuple[np.ndarray, np.ndarray] | None:
    """(points (N, 3) float32, leaf ids (N,) int64) from point_sample/, or None when it is absent."""
    points_path, labels_path = folder / POINTS_FILE, folder / POINT_LABELS_FILE
    if not points_path.is_file() and not labels_path.is_file():
        return None
    for path, other in ((points_path, labels_path), (labels_path, points_path)):
        if not path.is_file():
            raise DatasetError(path, f"missing, but {other.name} is present; the point sample needs both")
    points = read_numeric_table(points_path, 3, "x y z").astype(np.float32)
    leaf_ids = read_numeric_table(labels_path, 1, "leaf_node_id", integer_columns=(0,))[:, 0].astype(np.int64)
    if len(leaf_ids) != len(points):
        raise DatasetError(labels_path, f"{len(leaf_ids)} labels for the {len(points)} points of {points_path.name}")
    unknown = np.flatnonzero(~np.isin(leaf_ids, [leaf.id for leaf in leaves]))
    if len(unknown):
        row = int(unknown[0])
        raise DatasetError(labels_path, f"label {leaf_ids[row]} is not a leaf node id of result.json",
                           line=line_of_row(labels_path, row))
    return points, leaf_ids


def load_partnet_mobility(folder) -> PartNetMobilityObject:
    """Read one object folder: its mesh, leaves and (if present) labelled point sample."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(folder, "PartNet-Mobility object folder not found")
    category = read_category(folder)
    part_names = PARTNETE_PARTS[category]
    leaves = read_leaves(folder / "result.json", part_names)
    mesh, face_leaf_ids = _read_mesh(folder, leaves, part_names)
    sample = _read_point_sample(folder, leaves)
    points = point_labels = point_leaf_ids = None
    if sample is not None:
        points, point_leaf_ids = sample
        part_of_leaf = {leaf.id: leaf.part for leaf in leaves}
        point_labels = np.array([part_of_leaf[i] for i in point_leaf_ids.tolist()], dtype=np.int64)
    return PartNetMobilityObject(folder.name, category, part_names, leaves, mesh, face_leaf_ids,
                                 points, point_labels, point_leaf_ids)


class PartNetMobility:
    """The object folders under `root` (those holding a result.json), by anno id."""

    def __init__(self, root):
        self.root = Path(root)
        if not self.root.is_dir():
            raise DatasetError(self.root, "PartNet-Mobility root folder not found; "
                                          "expected <root>/<anno_id>/result.json")

    def anno_ids(self, category: str | None = None) -> list[str]:
        """Object ids, numerically sorted; with `category`, only those whose meta.json names it."""
        if category is not None and category not in PARTNETE_PARTS:
            raise PartDistillError(f"unknown PartNet-E category {category!r}; known: {', '.join(PARTNETE_PARTS)}")
        # (length, name) orders the numeric folder names numerically.
        ids = sorted((p.name for p in self.root.iterdir() if (p / "result.json").is_file()),
                     key=lambda name: (len(name), name))
        return [i for i in ids if category is None or read_category(self.root / i) == category]

    def load(self, anno_id) -> PartNetMobilityObject:
        return load_partnet_mobility(self.root / str(anno_id))
