"""Cost of pre-alignment with the Point-M2AE encoder at its released size (random weights: the
cost does not depend on them): seconds per optimiser step on one 2048-point shape, for the
geometric student, a frozen encoder and an encoder trained with the head (the paper's
"w/o pretrain" row when it starts from random weights).

    .venv/bin/python bench/prealign_encoder.py [--steps 3]
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch  # noqa: E402
from shapes import procedural  # noqa: E402

from partdistill import prealign  # noqa: E402
from partdistill.evaluate import score_simulated_teacher  # noqa: E402
from partdistill.report import machine, markdown_table  # noqa: E402
from partdistill.student.point_m2ae import PointM2AEEncoder  # noqa: E402
from partdistill.teachers.simulated import SIMULATED_NOTICE  # noqa: E402

ROWS = {
    "geometric (xyz+hks+local)": ({}, False),
    "frozen Point-M2AE + xyz": ({"prealign_features": ("xyz", "point-m2ae")}, True),
    "Point-M2AE trained from scratch + xyz": ({"prealign_features": ("xyz", "point-m2ae"),
                                               "train_encoder": True}, False),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3, help="optimiser steps timed per row")
    args = parser.parse_args(argv)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    print(f"machine: {machine()}; load average at start {os.getloadavg()[0]:.1f}; torch threads "
          f"{torch.get_num_threads()}")
    print(f"command: python bench/prealign_encoder.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    print(SIMULATED_NOTICE)
    shape = next(iter(procedural(1)))
    units = score_simulated_teacher(shape.points, shape.labels, len(shape.part_names), seed=0).units
    rows = []
    for name, (overrides, give_encoder) in ROWS.items():
        config = {**overrides, "pre_epochs": args.steps, "pre_epochs_after": 0, "pre_min_steps": args.steps}
        torch.manual_seed(0)
        encoder = PointM2AEEncoder() if give_encoder or overrides.get("train_encoder") else None
        t = time.perf_counter()
        student = prealign([(shape.points, units)], len(shape.part_names), backward=False, config=config,
                           encoder=encoder)
        total = time.perf_counter() - t
        t = time.perf_counter()
        student.predict(shape.points)
        rows.append([name, total / args.steps, time.perf_counter() - t,
                     resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20])
    print(f"\n{shape.category}, {len(shape.points)} points; seconds per optimiser step include the one-off "
          "feature computation spread over the steps\n")
    print(markdown_table(["student features", "s / step (1 shape)", "predict s", "peak RSS so far GiB"], rows))


if __name__ == "__main__":
    main()
