"""The labelled shape sets the benchmarks run on: real shapes from ../shared/data and the
bundled procedural samples, each as 2048-point clouds with ground-truth part labels."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from partdistill import metrics
from partdistill.datasets import PSB, PartNetMobility, ShapeNetPart
from partdistill.geometry.sampling import sample_surface
from partdistill.samples import CATEGORIES, make_collection

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@dataclass(frozen=True)
class LabelledShape:
    category: str
    shape_id: str
    points: np.ndarray      # (N, 3)
    labels: np.ndarray      # (N,) in [-1, R)
    part_names: tuple
    convention: str         # metrics.SHAPENET or metrics.PARTNETE


def _subsample(points, labels, n, seed):
    idx = np.random.default_rng(seed).choice(len(points), min(n, len(points)), replace=False)
    return points[idx], labels[idx]


def shapenetpart(data=DEFAULT_DATA, n=2048):
    ds = ShapeNetPart(Path(data) / "shapenetpart")
    for cat in ds.categories():
        for sid in ds.shape_ids(cat):
            s = ds.load(cat, sid)
            pts, lab = _subsample(s.points, s.labels, n, 0)
            yield LabelledShape(cat.name, sid, pts, lab, s.part_names, metrics.SHAPENET)


def partnet_mobility(data=DEFAULT_DATA, n=2048):
    ds = PartNetMobility(Path(data) / "partnet_mobility")
    for anno in ds.anno_ids():
        obj = ds.load(anno)
        if obj.points is None or (obj.point_labels >= 0).sum() == 0:
            continue
        pts, lab = _subsample(obj.points, obj.point_labels, n, 0)
        yield LabelledShape(obj.category, anno, pts, lab, obj.part_names, metrics.PARTNETE)


def psb(data=DEFAULT_DATA, n=2048, max_parts=8):
    """The PSB meshes with 2 to max_parts segments in their first human segmentation (segments
    have no names; the simulated teacher needs none). Tuning shapes, never evaluation shapes."""
    ds = PSB(Path(data) / "psb")
    for cat in ds.categories():
        for mid in ds.mesh_ids(cat):
            mesh = ds.load(cat, mid)
            if 2 <= len(mesh.part_names) <= max_parts:
                pts, faces, _ = sample_surface(mesh, n, seed=0)
                yield LabelledShape(cat, str(mid), pts, mesh.face_labels[faces], mesh.part_names, metrics.SHAPENET)


def procedural(per_category=4, n=2048, seed=1000):
    """Procedural shapes from seeds disjoint from the demo's (seed 0)."""
    for cat, parts in CATEGORIES.items():
        for i, mesh in enumerate(make_collection(cat, per_category, seed=seed)):
            pts, faces, _ = sample_surface(mesh, n, seed=seed + i)
            yield LabelledShape(cat, f"seed{seed + i}", pts, mesh.face_labels[faces], parts, metrics.SHAPENET)


def shape_sets(data=DEFAULT_DATA, n=2048, per_category=4) -> dict[str, list[LabelledShape]]:
    """{"ShapeNetPart (real)": [...], "PartNet-Mobility (real)": [...], "procedural": [...]}."""
    sets = {}
    if (Path(data) / "shapenetpart").is_dir():
        sets["ShapeNetPart (real)"] = list(shapenetpart(data, n))
    if (Path(data) / "partnet_mobility").is_dir():
        sets["PartNet-Mobility (real)"] = list(partnet_mobility(data, n))
    sets["procedural"] = list(procedural(per_category, n))
    return sets
