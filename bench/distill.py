"""Benchmark of the distillation stage, in the spirit of the paper's Table 5.

For each shape set (the real shapes in ../shared/data, the bundled procedural set) it prints:
the teacher stage per category (coverage of points by knowledge units, 2D unit quality and the
teacher-vote 3D mIoU) for the simulated box (GLIP-like) and pixel (CLIP-like) teachers; then
one row per method: teacher vote, superpoint vote, test-time alignment (TTA) and pre-alignment
(Pre), each without and with backward distillation, for the default and the `paper` presets,
plus one ablation row per feature source.

    .venv/bin/python bench/distill.py [--data ../shared/data] [--per-category 4]
"""

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import distill_rows as rows_mod  # noqa: E402
import torch  # noqa: E402
from shapes import DEFAULT_DATA, procedural, shape_sets  # noqa: E402

from partdistill import metrics  # noqa: E402
from partdistill.evaluation.run import distill_config  # noqa: E402
from partdistill.report import machine, markdown_table  # noqa: E402
from partdistill.student.point_m2ae import PointM2AEConfig, PointM2AEEncoder  # noqa: E402
from partdistill.teachers.simulated import SIMULATED_NOTICE  # noqa: E402

KINDS = {"box": "glip", "pixel": "clip"}
METHOD_HEADER = ["method", "3D mIoU %", "2D unit quality %", "acc. uncovered %", "s / shape"]


def teacher_units(shapes, seed, presets):
    """{kind: (units list, views list)} and per-category records for the teacher table."""
    out, records = {}, defaultdict(lambda: defaultdict(list))
    for kind, preset in presets.items():
        scored = rows_mod.simulated_teacher(shapes, kind, preset, seed)
        for s, r in zip(shapes, scored):
            records[s.category][kind].append((r.coverage, r.quality_2d, r.vote_miou, r.vote_labels, s.labels,
                                              len(s.part_names)))
        out[kind] = ([r.units for r in scored], [r.views for r in scored])
    return out, records


def category_miou(records, convention):
    if convention == metrics.PARTNETE:
        return metrics.partnete_summary([("c", p, g, r) for *_, p, g, r in records])["overall_miou"]
    return float(np.mean([m for _, _, m, *_ in records]))


def teacher_table(scores, convention):
    rows, means = [], defaultdict(list)
    for cat in sorted(scores):
        row = [cat, len(scores[cat]["box"])]
        for kind in KINDS:
            rec = scores[cat][kind]
            vals = (100 * np.mean([c for c, *_ in rec]), 100 * np.nanmean([q for _, q, *_ in rec]),
                    100 * category_miou(rec, convention))
            row += list(vals)
            means[kind].append(vals)
        rows.append(row)
    rows.append(["**mean of categories**", sum(r[1] for r in rows)]
                + [float(v) for kind in KINDS for v in np.mean(means[kind], axis=0)])
    header = ["category", "shapes"] + [f"{k} {m}" for k in ("box", "pixel")
                                       for m in ("coverage %", "2D quality %", "vote mIoU %")]
    return markdown_table(header, rows)


def within_set_folds(shapes, units):
    """Two folds per category: pre-align on one half of its shapes, test on the other."""
    by_cat = defaultdict(list)
    for i, s in enumerate(shapes):
        by_cat[s.category].append(i)
    folds = []
    for idx in by_cat.values():
        halves = (idx[0::2], idx[1::2])
        for train, test in (halves, halves[::-1]):
            folds.append((train, test, shapes, units))
    return folds


def separate_folds(shapes, train_shapes, train_units):
    """Pre-align per category on separate training shapes, test on every shape of the set."""
    folds = []
    for cat in sorted({s.category for s in shapes}):
        test = [i for i, s in enumerate(shapes) if s.category == cat]
        train = [j for j, s in enumerate(train_shapes) if s.category == cat]
        folds.append((train, test, train_shapes, train_units))
    return folds


def method_table(shapes, units, views, folds, convention, ablations, encoder):
    rows = rows_mod.teacher_rows(shapes, units, views)
    for preset in ("default", "paper"):
        rows.update(rows_mod.tta_rows(shapes, units, views, preset, preset_for(preset, convention)))
        rows.update(rows_mod.pre_rows(folds, shapes, units, views, preset, preset_for(preset, convention)))
    for name, overrides in ablations.items():
        rows.update(rows_mod.tta_rows(shapes, units, views, f"{name},", preset_for(overrides, convention),
                                      encoder=encoder, backward_only=True))
    table = [[name] + list(rows_mod.summarise(r, shapes, units, convention) or ["-"] * 4)
             for name, r in rows.items()]
    return markdown_table(METHOD_HEADER, table)


def preset_for(config, convention):
    """The config for this shape set: on PartNet-E, points no unit covers stay unlabelled."""
    return distill_config(config, "partnete" if convention == metrics.PARTNETE else "shapenetpart")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--per-category", type=int, default=4, help="procedural test shapes per category")
    parser.add_argument("--train-per-category", type=int, default=8,
                        help="procedural pre-alignment shapes per category (seeds disjoint from the test shapes)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default=None, help="run only the shape set whose name starts with this")
    parser.add_argument("--box-preset", default=KINDS["box"],
                        help="simulated box-teacher noise preset (glip-hard: noise no setting was chosen on)")
    args = parser.parse_args(argv)
    presets = {**KINDS, "box": args.box_preset}
    print(f"machine: {machine()}; load average at start {os.getloadavg()[0]:.1f} (others share these cores)")
    print(f"command: python bench/distill.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    print(f"teachers: box = simulated preset '{presets['box']}', pixel = simulated preset '{presets['pixel']}'")
    print(SIMULATED_NOTICE)
    torch.manual_seed(0)
    encoder = PointM2AEEncoder(PointM2AEConfig.released()).eval()
    torch.set_num_threads(1)  # as Segment Parts and the demo run distillation: the s / shape column is theirs
    ablations = {"features: hks": {"features": ("hks",)},
                 "features: xyz+hks+local": {"features": ("xyz", "hks", "local")},
                 "features: all geometric (xyz+hks+eig+local)": {"features": ("xyz", "hks", "eig", "local")},
                 "features: Point-M2AE (random weights)": {"features": ("point-m2ae",)},
                 "features: xyz+hks + Point-M2AE (random)": {"features": ("xyz", "hks", "point-m2ae")},
                 "re-scoring without keep_label_mass": {"keep_label_mass": False}}
    for name, shapes in shape_sets(args.data, per_category=args.per_category).items():
        if args.only and not name.lower().startswith(args.only.lower()):
            continue
        convention = shapes[0].convention
        t0 = time.perf_counter()
        by_kind, records = teacher_units(shapes, args.seed, presets)
        secs = (time.perf_counter() - t0) / len(shapes)
        print(f"\n### {name}: {len(shapes)} shapes, 2048 points; {convention}\n")
        print(f"Teacher stage, {secs:.2f} s per shape for both teachers (render + teacher + units + vote):\n")
        print(teacher_table(records, convention))
        if name == "procedural":
            train = list(procedural(args.train_per_category, seed=3000))
            train_units = [r.units for r in
                           rows_mod.simulated_teacher(train, "box", presets["box"], args.seed + 500)]
            folds = separate_folds(shapes, train, train_units)
            fold_note = f"Pre: pre-aligned on {args.train_per_category} other procedural shapes per category"
        else:
            folds = within_set_folds(shapes, by_kind["box"][0])
            fold_note = "Pre: two folds per category, pre-aligned on one half and tested on the other"
        units, views = by_kind["box"]
        print(f"\nBox teacher (GLIP-like). {fold_note}; categories with one shape have no Pre rows.\n")
        print(method_table(shapes, units, views, folds, convention,
                           ablations if convention == metrics.SHAPENET else {}, encoder))
        units, views = by_kind["pixel"]
        rows = rows_mod.teacher_rows(shapes, units, views)
        for preset in ("default", "paper"):
            rows.update(rows_mod.tta_rows(shapes, units, views, preset, preset_for(preset, convention),
                                          backward_only=True))
        print("\nPixel teacher (CLIP-like), test-time alignment:\n")
        print(markdown_table(METHOD_HEADER, [[n] + list(rows_mod.summarise(r, shapes, units, convention))
                                             for n, r in rows.items()]))


if __name__ == "__main__":
    main()
