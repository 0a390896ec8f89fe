"""`partdistill` command line: the bundled-sample demo (more commands join as features land)."""

import argparse
import sys

from .errors import PartDistillError


def _demo(args):
    from .demo import run_demo
    run_demo(args.out, num_points=args.points, kind=args.teacher, preset=args.preset, seed=args.seed)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="partdistill", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="segment the bundled procedural samples and write a PNG")
    demo.add_argument("--out", default="demo_out", help="output folder (default: demo_out)")
    demo.add_argument("--points", type=int, default=2048, help="points sampled per shape")
    demo.add_argument("--teacher", choices=("box", "pixel"), default="box",
                      help="simulated teacher kind: GLIP-like boxes or CLIP-like pixel maps")
    demo.add_argument("--preset", default=None, help="simulated-teacher noise preset (glip, glip-hard, clip, oracle)")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(run=_demo)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except PartDistillError as exc:
        print(f"partdistill: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
