"""Part-name presets for front ends: the benchmark categories' part lists, as plain JSON values."""

import re

from ..teachers.prompts import preset_categories, preset_parts

DATASET_LABELS = {"shapenetpart": "ShapeNetPart", "partnete": "PartNet-E"}


def part_presets() -> list[dict]:
    """[{"id": "shapenetpart:Chair", "dataset": "ShapeNetPart", "category": "chair",
    "parts": ["back", ...]}, ...]; category is the name as words, as prompts use it."""
    out = []
    for dataset, label in DATASET_LABELS.items():
        for name in preset_categories(dataset):
            words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()
            out.append({"id": f"{dataset}:{name}", "dataset": label, "category": words,
                        "parts": list(preset_parts(name, dataset))})
    return out
