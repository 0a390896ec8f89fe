"""Benchmark of the teacher stage the student distils from, per category.

Prints, for the simulated box (GLIP-like) and pixel (CLIP-like) teachers: coverage of points by
knowledge units, 2D unit quality, and the teacher-vote 3D mIoU, on the real shapes in
../shared/data and on the bundled procedural set.

    .venv/bin/python bench/distill.py [--data ../shared/data] [--per-category 4]
"""

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shapes import DEFAULT_DATA, shape_sets  # noqa: E402

from partdistill import metrics  # noqa: E402
from partdistill.evaluate import score_simulated_teacher  # noqa: E402
from partdistill.report import machine, markdown_table  # noqa: E402
from partdistill.teachers.simulated import SIMULATED_NOTICE  # noqa: E402

KINDS = {"box": "glip", "pixel": "clip"}


def score_set(shapes, seed):
    """{category: {kind: [(coverage, quality_2d, vote_miou, pred, gt, R)]}} and seconds/shape."""
    out = defaultdict(lambda: defaultdict(list))
    t0 = time.perf_counter()
    for i, s in enumerate(shapes):
        for kind, preset in KINDS.items():
            r = score_simulated_teacher(s.points, s.labels, len(s.part_names), kind=kind, preset=preset,
                                        seed=seed + i)
            out[s.category][kind].append((r.coverage, r.quality_2d, r.vote_miou, r.vote_labels, s.labels,
                                          len(s.part_names)))
    return out, (time.perf_counter() - t0) / max(len(shapes), 1)


def category_miou(records, convention):
    if convention == metrics.PARTNETE:
        return metrics.partnete_summary([("c", p, g, r) for *_, p, g, r in records])["overall_miou"]
    return float(np.mean([m for _, _, m, *_ in records]))


def table(scores, convention):
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--per-category", type=int, default=4, help="procedural shapes per category")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    print(f"command: python bench/distill.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    print(f"teachers: box = simulated preset '{KINDS['box']}', pixel = simulated preset '{KINDS['pixel']}'")
    print(SIMULATED_NOTICE)
    for name, shapes in shape_sets(args.data, per_category=args.per_category).items():
        convention = shapes[0].convention
        scores, secs = score_set(shapes, args.seed)
        print(f"\n### {name}: {len(shapes)} shapes, 2048 points; {convention}; "
              f"{secs:.2f} s per shape for both teachers (render + teacher + units + vote)\n")
        print(table(scores, convention))


if __name__ == "__main__":
    main()
