"""`partdistill` command line: the bundled-sample demo and the VLM teachers' models."""

import argparse
import sys

from .errors import PartDistillError


def _demo(args):
    if args.only != "addon":
        from .demo import run_demo
        run_demo(args.out, num_points=args.points, kind=args.teacher, preset=args.preset, seed=args.seed)
    if args.only != "samples":
        from .demo_addon import run_addon_stage
        run_addon_stage(args.out, num_points=args.points)


def _models_list(args):
    from .teachers.manage import models_table
    print(models_table(args.dir))


def _models_download(args):
    from .teachers.models import download
    print(f"downloaded {args.model} to {download(args.model, args.dir)}")


def _models_verify(args):
    from .teachers.manage import verify
    print(verify(args.model, args.dir, args.device))


def _add_models(sub):
    models = sub.add_parser("models", help="list, download (needs network) and verify the VLM teachers' weights")
    actions = models.add_subparsers(dest="models_command", required=True)
    listing = actions.add_parser("list", help="registered models and whether they are present (offline)")
    download = actions.add_parser("download", help="fetch a model from the Hugging Face hub (needs network)")
    download.add_argument("model", help="a registered name (see `models list`) or a hub id owner/name")
    verify = actions.add_parser("verify", help="load a model offline and run it on one small view")
    verify.add_argument("model", help="a registered name, a hub id or a model directory")
    verify.add_argument("--device", default=None, help="cpu, cuda or cuda:N (default: cuda when present)")
    for action, run in ((listing, _models_list), (download, _models_download), (verify, _models_verify)):
        action.add_argument("--dir", default=None,
                            help="models directory (default: $PARTDISTILL_MODELS, else the Hugging Face cache)")
        action.set_defaults(run=run)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="partdistill", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="segment the bundled procedural samples (simulated teacher), then the "
                                       "sample chair through the Blender add-on: table, .glb, .blend, PNGs")
    demo.add_argument("--out", default="demo_out", help="output folder (default: demo_out)")
    demo.add_argument("--points", type=int, default=2048, help="points sampled per shape")
    demo.add_argument("--only", choices=("samples", "addon"), default=None,
                      help="run one stage: samples (the engine on five procedural shapes) or addon (the sample "
                           "chair segmented by the add-on in Blender, through the bpy module)")
    demo.add_argument("--teacher", choices=("box", "pixel"), default="box",
                      help="simulated teacher kind of the samples stage: GLIP-like boxes or CLIP-like pixel maps")
    demo.add_argument("--preset", default=None, help="simulated-teacher noise preset (glip, glip-hard, clip, oracle)")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(run=_demo)
    _add_models(sub)
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
