"""How the default distillation settings were chosen: candidates on the tuning shapes only.

The tuning shapes are the real PSB meshes (first human segmentation, 2 to 8 segments) and
procedural shapes from seeds 2000+; bench/distill.py evaluates on other shapes (ShapeNetPart,
PartNet-Mobility, procedural seeds 1000+). Simulated box teacher (GLIP-like), test-time alignment.

    .venv/bin/python bench/tune_distill.py [--box-preset glip-hard]
"""

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import distill_rows as rows_mod  # noqa: E402
import torch  # noqa: E402
from shapes import DEFAULT_DATA, procedural, psb  # noqa: E402

from partdistill import metrics  # noqa: E402
from partdistill.report import machine, markdown_table  # noqa: E402
from partdistill.teachers.simulated import SIMULATED_NOTICE  # noqa: E402

CANDIDATES = {
    "default": "default",
    "features: hks": {"features": ("hks",)},
    "features: xyz+hks": {"features": ("xyz", "hks")},
    "hidden 128": {"hidden": 128},
    "re-scoring without keep_label_mass": {"keep_label_mass": False},
    "no output pooling": {"output_pooling": 0.0},
    "no superpoint features": {"superpoint_features": False},
    "paper preset": "paper",
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--per-category", type=int, default=4, help="procedural tuning shapes per category")
    parser.add_argument("--box-preset", default="glip", help="simulated box-teacher noise preset")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    print(f"machine: {machine()}; load average at start {os.getloadavg()[0]:.1f}")
    print(f"command: python bench/tune_distill.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    print(f"teacher: simulated box preset '{args.box_preset}'")
    print(SIMULATED_NOTICE)
    sets = {"PSB": list(psb(args.data)), "procedural 2000+": list(procedural(args.per_category, seed=2000))}
    results = {name: {} for name in CANDIDATES}
    for set_name, shapes in sets.items():
        scored = rows_mod.simulated_teacher(shapes, "box", args.box_preset, seed=0)
        units, views = [r.units for r in scored], [r.views for r in scored]
        base = rows_mod.teacher_rows(shapes, units, views)
        results["teacher vote"] = results.get("teacher vote", {})
        results["superpoint vote"] = results.get("superpoint vote", {})
        for name in ("teacher vote", "superpoint vote"):
            results[name][set_name] = (rows_mod.summarise(base[name], shapes, units, metrics.SHAPENET)[0],) * 2
        for name, config in CANDIDATES.items():
            rows = rows_mod.tta_rows(shapes, units, views, name, config)
            fwd, bd = (rows_mod.summarise(rows[f"{name} TTA{s}"], shapes, units, metrics.SHAPENET)
                       for s in ("", " + backward"))
            results[name][set_name] = (fwd[0], bd[0], bd[3])
    header = ["candidate"] + [f"{s} {m}" for s in sets for m in ("TTA", "TTA + backward")] \
        + ["mean TTA + backward", "s / shape"]
    table = []
    for name, by_set in results.items():
        bd = [by_set[s][1] for s in sets]
        secs = [by_set[s][2] for s in sets if len(by_set[s]) > 2]
        table.append([name] + [v for s in sets for v in by_set[s][:2]] + [float(np.mean(bd)),
                                                                          float(np.mean(secs)) if secs else "-"])
    print(f"\nmIoU % (ShapeNetPart convention, mean of categories); PSB: {len(sets['PSB'])} meshes, "
          f"procedural: {len(sets['procedural 2000+'])} shapes\n")
    print(markdown_table(header, table))


if __name__ == "__main__":
    main()
