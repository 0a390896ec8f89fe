"""A tiny ShapeNetPart copy in the `_normal` layout, made from the procedural samples, for the
benchmark tests: official-style split lists, a corrupt file and a listed-but-missing shape."""

import json

import numpy as np

from partdistill.datasets import get_category
from partdistill.geometry.sampling import sample_surface
from partdistill.samples import make_shape

# category -> (procedural category, test seeds, train seeds)
SHAPES = {"Chair": ("chair", (0, 1, 2), (10, 11)), "Mug": ("mug", (0, 1), (10,))}
CORRUPT = ("Mug", "mug_corrupt")       # listed in the test split, line 4 is not a number
MISSING = ("Chair", "chair_missing")   # listed in the test split, no file


def write_shapenet(root, points: int = 300, splits: bool = True):
    """Writes root/<synset>/<id>.txt (x y z nx ny nz global label) and, with splits,
    root/train_test_split/shuffled_{train,val,test}_file_list.json. Returns {split: [(category, id)]}."""
    listed = {"train": [], "val": [], "test": []}
    for name, (procedural, test_seeds, train_seeds) in SHAPES.items():
        category = get_category(name)
        folder = root / category.synset
        folder.mkdir(parents=True, exist_ok=True)
        for split, seeds in (("test", test_seeds), ("train", train_seeds)):
            for seed in seeds:
                mesh = make_shape(procedural, seed=seed)
                pts, faces, _ = sample_surface(mesh, points, seed=seed)
                labels = category.start + mesh.face_labels[faces]
                rows = np.column_stack([pts, np.zeros_like(pts), labels])
                shape_id = f"{procedural}_{split}{seed}"
                np.savetxt(folder / f"{shape_id}.txt", rows, fmt="%f")
                listed[split].append((name, shape_id))
    for name, shape_id in (CORRUPT, MISSING):
        listed["test"].append((name, shape_id))
    bad = root / get_category(CORRUPT[0]).synset / f"{CORRUPT[1]}.txt"
    bad.write_text("0 0 0 0 0 1 36\n1 0 0 0 0 1 36\n0 1 0 0 0 1 37\n0 0 x 0 0 1 37\n")
    if splits:
        (root / "train_test_split").mkdir()
        for split, entries in listed.items():
            names = [f"shape_data/{get_category(c).synset}/{i}" for c, i in entries]
            (root / "train_test_split" / f"shuffled_{split}_file_list.json").write_text(json.dumps(names))
    return listed


# Distillation settings that keep a test shape under a second; the method is unchanged.
FAST = {"min_epochs": 5, "max_epochs": 15, "epochs_after": 5, "pre_epochs": 2, "pre_epochs_after": 1,
        "pre_min_steps": 10}
