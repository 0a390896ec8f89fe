"""ShapeNetPart (Yi et al. 2016) in the PointNet++ `_normal` layout: `<root>/<synset>/<shape_id>.txt`,
one point a row, `x y z nx ny nz label`, labels being global part ids 0-49."""

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DatasetError, PartDistillError
from .text import fast_table, read_text

SHAPENET_LAYOUT = "x y z nx ny nz label"
SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class Category:
    """One ShapeNetPart category: its global part ids are start .. start + len(part_names) - 1.

    prompts[i] is the text PartDistill gives the VLM for local part i. Lamp is the one category with
    fewer prompts than parts: the paper prompts only base and lampshade, while the data labels 4 parts."""

    name: str
    synset: str
    start: int
    part_names: tuple[str, ...]
    prompts: tuple[str, ...]

    @property
    def num_parts(self) -> int:
        return len(self.part_names)

    @property
    def global_ids(self) -> range:
        return range(self.start, self.start + self.num_parts)


# Synsets and id ranges are the standard ShapeNetPart ones; names with a bracketed alternative and
# Lamp's canopy/tube are names from the literature, the id ranges are the authoritative part.
CATEGORIES: tuple[Category, ...] = (
    Category("Airplane", "02691156", 0, ("body", "wing", "tail", "engine"),
             ("body", "wing", "tail", "engine")),
    Category("Bag", "02773838", 4, ("handle", "body"), ("handle", "body")),
    Category("Cap", "02954340", 6, ("panels (crown)", "peak (visor)"), ("panels or crown", "visor or peak")),
    Category("Car", "02958343", 8, ("roof", "hood", "wheel (tire)", "body"),
             ("roof", "hood", "wheel or tire", "body")),
    Category("Chair", "03001627", 12, ("back", "seat", "leg", "arm"), ("back", "seat", "leg", "armrest")),
    Category("Earphone", "03261776", 16, ("earcup", "headband", "cord (data wire)"),
             ("earcup", "headband", "data wire")),
    Category("Guitar", "03467517", 19, ("head (tuners)", "neck", "body"), ("head or tuners", "neck", "body")),
    Category("Knife", "03624134", 22, ("blade", "handle"), ("blade", "handle")),
    Category("Lamp", "03636649", 24, ("base", "lampshade", "canopy", "tube"), ("base", "lampshade")),
    Category("Laptop", "03642806", 28, ("keyboard", "screen"), ("keyboard", "screen or monitor")),
    Category("Motorbike", "03790512", 30, ("gas tank", "seat", "wheel", "handle", "light", "frame (body)"),
             ("gas tank", "seat", "wheel", "handle", "headlight", "frame")),
    Category("Mug", "03797390", 36, ("handle", "cup"), ("handle", "cup")),
    Category("Pistol", "03948459", 38, ("barrel (frame)", "grip (handle)", "trigger"),
             ("frame", "grip", "trigger")),
    Category("Rocket", "04099429", 41, ("body", "fin", "nose cone"), ("body", "fin", "nose cone")),
    Category("Skateboard", "04225987", 44, ("wheel", "deck", "belt (foot strap)"),
             ("wheel", "deck", "belt for foot")),
    Category("Table", "04379243", 47, ("tabletop", "leg", "support (drawer)"), ("tabletop", "leg", "drawer")),
)


def get_category(key: "str | Category") -> Category:
    """The category named `key` (case-insensitive) or with synset `key`."""
    if isinstance(key, Category):
        return key
    for category in CATEGORIES:
        if str(key).lower() in (category.name.lower(), category.synset):
            return category
    known = ", ".join(f"{c.name} ({c.synset})" for c in CATEGORIES)
    raise PartDistillError(f"unknown ShapeNetPart category {key!r}; known: {known}")


def read_numeric_table(path, ncols: int, layout: str, integer_columns: tuple[int, ...] = ()) -> np.ndarray:
    """Rows of `ncols` whitespace-separated finite numbers -> (N, ncols) float64; blank lines are skipped.

    Raises DatasetError naming the file, and the line for a bad row (column count, a non-number,
    NaN/inf, a non-integer in one of `integer_columns`) or an empty file."""
    path = Path(path)
    text = read_text(path)
    if not text.strip():
        raise DatasetError(path, f"empty file, expected rows '{layout}'")
    # The C parser does the normal case quickly; the Python scan below only explains failures.
    table = fast_table(text, ncols)
    if table is not None and _table_is_valid(table, integer_columns):
        return table
    line, message = _first_bad_line(text, ncols, layout, integer_columns)
    raise DatasetError(path, message, line=line)


def _table_is_valid(table: np.ndarray, integer_columns: tuple[int, ...]) -> bool:
    if not np.isfinite(table).all():
        return False
    ints = table[:, list(integer_columns)]
    return bool((ints == np.round(ints)).all())


def _first_bad_line(text: str, ncols: int, layout: str, integer_columns: tuple[int, ...]) -> tuple[int | None, str]:
    """(1-based line number, what is wrong) of the first row that fails the table rules."""
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != ncols:
            return number, f"expected {ncols} values '{layout}', found {len(fields)}"
        for column, field in enumerate(fields):
            try:
                value = float(field)
            except ValueError:
                return number, f"value {column + 1} {field!r} is not a number"
            if not math.isfinite(value):
                return number, f"value {column + 1} is {field!r}, not a finite number"
            if column in integer_columns and not value.is_integer():
                return number, f"value {column + 1} {field!r} must be an integer label"
    return None, f"cannot parse rows '{layout}'"


def line_of_row(path: Path, row: int) -> int:
    """1-based line number of data row `row` (blank lines are not rows)."""
    lines = read_text(path).splitlines()
    return [i for i, line in enumerate(lines, start=1) if line.strip()][row]


def read_shapenet_txt(path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A `_normal` file -> points (N, 3) float32, normals (N, 3) float32, labels (N,) int64 global part ids."""
    table = read_numeric_table(path, 7, SHAPENET_LAYOUT, integer_columns=(6,))
    points = np.ascontiguousarray(table[:, :3], dtype=np.float32)
    normals = np.ascontiguousarray(table[:, 3:6], dtype=np.float32)
    return points, normals, table[:, 6].astype(np.int64)


@dataclass(frozen=True)
class ShapeNetPartShape:
    """One labelled shape: points (N, 3) float32, normals (N, 3) float32, labels (N,) int64 local part
    ids in [0, len(part_names)); prompts as in Category."""

    category: str
    shape_id: str
    points: np.ndarray
    normals: np.ndarray
    labels: np.ndarray
    part_names: tuple[str, ...]
    prompts: tuple[str, ...]


class ShapeNetPart:
    """Shapes under `root` (the `_normal` layout). With `split` ('train', 'val' or 'test') the shapes are
    those of `root/train_test_split/shuffled_<split>_file_list.json`, in its order; without, every
    `<synset>/*.txt` present, sorted."""

    def __init__(self, root, split: str | None = None):
        self.root = Path(root)
        if not self.root.is_dir():
            raise DatasetError(self.root, "ShapeNetPart root folder not found; expected <root>/<synset>/<shape_id>.txt")
        if split is not None and split not in SPLITS:
            raise PartDistillError(f"unknown ShapeNetPart split {split!r}; use one of {', '.join(SPLITS)} or None")
        self.split = split
        self._listed = None if split is None else _read_split_list(self.split_list_path(split))

    def split_list_path(self, split: str) -> Path:
        return self.root / "train_test_split" / f"shuffled_{split}_file_list.json"

    def categories(self) -> tuple[Category, ...]:
        """The categories with at least one shape here (in this split)."""
        return tuple(c for c in CATEGORIES if self.shape_ids(c))

    def shape_ids(self, category: "str | Category") -> list[str]:
        category = get_category(category)
        if self._listed is not None:
            return list(self._listed.get(category.synset, ()))
        folder = self.root / category.synset
        return sorted(p.stem for p in folder.glob("*.txt")) if folder.is_dir() else []

    def path(self, category: "str | Category", shape_id: str) -> Path:
        return self.root / get_category(category).synset / f"{shape_id}.txt"

    def load(self, category: "str | Category", shape_id: str) -> ShapeNetPartShape:
        """Read one shape; a label outside the category's global id range is a DatasetError."""
        category = get_category(category)
        path = self.path(category, shape_id)
        points, normals, labels = read_shapenet_txt(path)
        local = labels - category.start
        outside = np.flatnonzero((local < 0) | (local >= category.num_parts))
        if len(outside):
            row = int(outside[0])
            ids = category.global_ids
            raise DatasetError(path, f"label {labels[row]} is outside {category.name}'s part ids "
                                     f"{ids.start}-{ids.stop - 1}", line=line_of_row(path, row))
        return ShapeNetPartShape(category.name, shape_id, points, normals, local,
                                 category.part_names, category.prompts)


def _read_split_list(path: Path) -> dict[str, list[str]]:
    """An official split list (entries 'shape_data/<synset>/<shape_id>') -> synset -> shape ids, in list order."""
    if not path.is_file():
        raise DatasetError(path, "split requested but its list is missing; expected a JSON list of "
                                 "'shape_data/<synset>/<shape_id>' entries (or use split=None)")
    try:
        entries = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise DatasetError(path, f"not valid JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(entries, list):
        raise DatasetError(path, "expected a JSON list of 'shape_data/<synset>/<shape_id>' entries")
    listed: dict[str, list[str]] = {}
    for index, entry in enumerate(entries):
        parts = entry.split("/") if isinstance(entry, str) else []
        if len(parts) < 2 or not all(parts[-2:]):
            raise DatasetError(path, f"entry {index} {entry!r} is not 'shape_data/<synset>/<shape_id>'")
        listed.setdefault(parts[-2], []).append(parts[-1])
    return listed
