"""The shapes a benchmark run evaluates: ShapeNetPart (`_normal` layout, official split lists) or
PartNet-E (PartSLIP's `test/<Category>/<id>/pc.ply + label.npy`, or PartNet-Mobility object folders
labelled with PartNet-E part names).

A source lists references first and reads a shape only when asked, so that a resumed run reads
nothing it has finished and an unreadable file costs one skipped shape, not the run.
"""

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..datasets.partnet_mobility import PARTNETE_PARTS, PartNetMobility, read_category
from ..datasets.partslip import PartSLIP
from ..datasets.shapenetpart import CATEGORIES, ShapeNetPart, get_category
from ..errors import DatasetError, PartDistillError
from ..geometry.sampling import sample_surface
from ..metrics import PARTNETE, SHAPENET
from ..teachers.prompts import preset_prompts

DATASETS = ("shapenetpart", "partnete")
# Where each dataset sits under a folder holding several (as ../shared/data does).
SUBFOLDER = {"shapenetpart": "shapenetpart", "partnete": "partnet_mobility"}


@dataclass(frozen=True)
class ShapeRef:
    category: str
    shape_id: str


@dataclass(frozen=True)
class EvalShape:
    """points (N, 3) float32 as stored; labels (N,) local part ids, -1 = no part; prompts (P,) what
    a VLM is asked for (P may be below len(part_names): ShapeNetPart's Lamp, as in the paper)."""

    category: str
    shape_id: str
    points: np.ndarray
    labels: np.ndarray
    part_names: tuple[str, ...]
    prompts: tuple[str, ...]


def subsample(points, labels, n: int, shape_id: str):
    """At most n points, the same ones on every run: the generator is seeded by the shape id."""
    if len(points) <= n:
        return points, labels
    rng = np.random.default_rng(zlib.crc32(shape_id.encode()))
    idx = np.sort(rng.choice(len(points), n, replace=False))
    return points[idx], labels[idx]


def resolve_root(data, dataset: str) -> Path:
    """The dataset's own folder: `data` itself, or `data/<SUBFOLDER>` when data holds several datasets."""
    data = Path(data)
    if not data.is_dir():
        raise PartDistillError(f"data folder {data} does not exist; pass --data with the folder holding the "
                               f"{dataset} data (e.g. the ShapeNetPart '_normal' folder with the synset folders)")
    nested = data / SUBFOLDER[dataset]
    return nested if nested.is_dir() else data


class ShapeNetPartSource:
    """Test shapes from the official test list; pre-alignment shapes from the train list. Without the
    lists (partial copies of the data) every shape present counts as a test shape and has_splits
    is False: the runner then pre-aligns on folds and says so."""

    dataset, convention, unlisted = "shapenetpart", SHAPENET, ()

    def __init__(self, root, categories=None, points: int = 2048):
        self.root, self.points = Path(root), int(points)
        self.all = ShapeNetPart(self.root)
        self.has_splits = all(self.all.split_list_path(s).is_file() for s in ("train", "test"))
        self._splits = {s: ShapeNetPart(self.root, s) for s in ("train", "test")} if self.has_splits else {}
        present = [c.name for c in self.all.categories()]
        if not present and not self.has_splits:
            raise PartDistillError(f"{self.root} holds no ShapeNetPart shapes: expected <synset>/<shape_id>.txt "
                                   "files (the PointNet++ '_normal' layout)")
        if categories:
            names = [x.name for x in CATEGORIES]
            self.categories = [_known(c, names, "ShapeNetPart", get_category) for c in categories]
        else:
            self.categories = present or [c.name for c in CATEGORIES]

    def refs(self, category: str, split: str = "test") -> list[ShapeRef]:
        source = self._splits.get(split) if self.has_splits else (self.all if split == "test" else None)
        return [] if source is None else [ShapeRef(category, sid) for sid in source.shape_ids(category)]

    def load(self, ref: ShapeRef) -> EvalShape:
        s = self.all.load(ref.category, ref.shape_id)
        pts, lab = subsample(s.points, s.labels, self.points, ref.shape_id)
        return EvalShape(ref.category, ref.shape_id, pts, lab, s.part_names, tuple(preset_prompts(ref.category)))


class PartNetESource:
    """PartNet-Mobility object folders with PartNet-E labels. Their labelled point sample is used;
    an object without one is sampled on its labelled mesh. There are no split lists. unlisted: the
    (ref, reason) of folders whose category cannot be read."""

    dataset, convention, has_splits = "partnete", PARTNETE, False

    def __init__(self, root, categories=None, points: int = 2048):
        self.root, self.points = Path(root), int(points)
        self.objects = PartNetMobility(self.root)
        self._by_category, self.unlisted = {}, []
        for anno in self.objects.anno_ids():
            try:
                self._by_category.setdefault(read_category(self.root / anno), []).append(anno)
            except DatasetError as exc:  # reported with the skipped shapes
                self.unlisted.append((ShapeRef("?", anno), str(exc)))
        present = sorted(self._by_category)
        if not present:
            raise PartDistillError(f"{self.root} holds no PartNet-E shapes: expected PartSLIP's test/<Category>/<id>/"
                                   "pc.ply + label.npy, or PartNet-Mobility <anno_id>/ folders with result.json")
        if categories:
            self.categories = [_known(c, list(PARTNETE_PARTS), "PartNet-E", None) for c in categories]
        else:
            self.categories = present

    def refs(self, category: str, split: str = "test") -> list[ShapeRef]:
        return [ShapeRef(category, a) for a in self._by_category.get(category, [])] if split == "test" else []

    def load(self, ref: ShapeRef) -> EvalShape:
        obj = self.objects.load(ref.shape_id)
        if obj.points is not None:
            return _partnete_shape(obj.category, ref.shape_id, obj.points, obj.point_labels, self.points,
                                   self.root / ref.shape_id)
        pts, faces, _ = sample_surface(obj.mesh, self.points, seed=zlib.crc32(ref.shape_id.encode()))
        return _partnete_shape(obj.category, ref.shape_id, pts.astype(np.float32), obj.mesh.face_labels[faces],
                               self.points, self.root / ref.shape_id)


class PartSLIPSource:
    """PartNet-E as PartSLIP ships it (datasets.partslip): the `test` split's shapes."""

    dataset, convention, has_splits, unlisted = "partnete", PARTNETE, False, ()

    def __init__(self, root, categories=None, points: int = 2048):
        self.root, self.points = Path(root), int(points)
        self.data = PartSLIP(self.root, "test")
        self.categories = ([_known(c, list(PARTNETE_PARTS), "PartNet-E", None) for c in categories]
                           if categories else self.data.categories())

    def refs(self, category: str, split: str = "test") -> list[ShapeRef]:
        return [ShapeRef(category, i) for i in self.data.shape_ids(category)] if split == "test" else []

    def load(self, ref: ShapeRef) -> EvalShape:
        points, labels = self.data.load(ref.category, ref.shape_id)
        return _partnete_shape(ref.category, ref.shape_id, points, labels, self.points,
                               self.root / "test" / ref.category / ref.shape_id)


def _partnete_shape(category, shape_id, points, labels, n, where) -> EvalShape:
    pts, lab = subsample(points, labels, n, shape_id)
    if not (lab >= 0).any():
        raise DatasetError(where, "no point carries a PartNet-E part of its category")
    prompts = tuple(preset_prompts(category, "partnete"))
    return EvalShape(category, shape_id, pts, lab, PARTNETE_PARTS[category], prompts)


def _known(name: str, known: list[str], dataset: str, lookup) -> str:
    """The table's spelling of a category the user named (case-insensitive)."""
    if lookup is not None:
        try:
            return lookup(name).name
        except PartDistillError:
            pass
    for k in known:
        if k.lower() == str(name).lower():
            return k
    raise PartDistillError(f"unknown {dataset} category {name!r}; use --categories with names from: {', '.join(known)}")


def open_source(dataset: str, data, categories=None, points: int = 2048):
    """The source of `dataset` ("shapenetpart" or "partnete") under the folder `data`."""
    if dataset not in DATASETS:
        raise PartDistillError(f"unknown dataset {dataset!r}; use --dataset with one of {', '.join(DATASETS)}")
    root = resolve_root(data, dataset)
    if dataset == "shapenetpart":
        return ShapeNetPartSource(root, categories, points)
    return (PartSLIPSource if PartSLIP.is_layout(root) else PartNetESource)(root, categories, points)
