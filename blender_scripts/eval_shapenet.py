"""Zero-shot benchmark (the paper's Tables 1 / 2): ShapeNetPart or PartNet-E through the teacher, the
teacher vote, test-time alignment and pre-alignment, with views rendered by Blender.

    blender -b --python-exit-code 1 -P blender_scripts/eval_shapenet.py -- --data DIR \\
        --categories chair airplane --teacher owlv2 --mode tta pre --views 10 --out results/
    python blender_scripts/eval_shapenet.py --data DIR ...          (with the bpy module)
    python blender_scripts/eval_shapenet.py --dataset partnete --data DIR ...   (PartNet-E)

Writes OUT/metrics.json, OUT/results.md (the table) and OUT/figures/*.png. Teacher outputs are
cached (OUT/teacher_cache or --cache) and every finished shape is saved, so running the same
command again after an interruption resumes. The exit status is 1 on an error.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, type=Path,
                   help="the dataset folder (ShapeNetPart's '_normal' folder with train_test_split/, or the "
                        "PartNet-Mobility object folders), or a folder holding shapenetpart/ and partnet_mobility/")
    p.add_argument("--dataset", default="shapenetpart", choices=("shapenetpart", "partnete"))
    p.add_argument("--categories", nargs="*", default=None, help="default: every category present")
    p.add_argument("--teacher", default="clip",
                   help="clip (= clip-b32), clip-b16, owlv2, grounding-dino, simulated, or a hub id / model directory")
    p.add_argument("--mode", nargs="+", default=["tta"], choices=("tta", "pre"),
                   help="tta: test-time alignment per shape; pre: pre-aligned on the train split")
    p.add_argument("--views", type=int, default=10)
    p.add_argument("--resolution", type=int, default=512, help="pixels per side of each view")
    p.add_argument("--points", type=int, default=2048, help="points per shape (subsampled, fixed per shape)")
    p.add_argument("--out", type=Path, default=Path("results"))
    p.add_argument("--cache", type=Path, default=None, help="teacher cache folder (default OUT/teacher_cache)")
    p.add_argument("--renderer", default="blender", choices=("blender", "numpy"),
                   help="blender: point-cloud primitives through the add-on's renderer; numpy: the backend's "
                        "point renderer (no Blender needed)")
    p.add_argument("--engine", default="CYCLES", choices=("CYCLES", "EEVEE", "WORKBENCH"))
    p.add_argument("--samples", type=int, default=16, help="render samples (Cycles / EEVEE)")
    p.add_argument("--simulated-kind", default="box", choices=("box", "pixel"))
    p.add_argument("--simulated-preset", default=None, help="default: glip for box, clip for pixel")
    p.add_argument("--score-threshold", type=float, default=None,
                   help="box teachers' score threshold (default: the teacher's own)")
    p.add_argument("--models-dir", default=None, help="where the vision-language models are")
    p.add_argument("--device", default=None, help="the teacher's torch device (default: CUDA when present)")
    p.add_argument("--config", default=None,
                   help="distillation preset (default, paper) or a JSON object of overrides")
    p.add_argument("--no-backward", action="store_true", help="forward distillation only")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, default=None, help="at most this many test shapes per category")
    p.add_argument("--train-limit", type=int, default=None,
                   help="pre-align on at most this many train-split shapes per category (default: all)")
    p.add_argument("--figures", type=int, default=4, help="shapes to draw (ground truth, vote, ours)")
    return p.parse_args(argv)


def distill_config(text):
    if text is None or not text.strip().startswith("{"):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SystemExit(f"eval_shapenet: --config is neither a preset name nor valid JSON: {exc}")


def make_renderer(args):
    if args.renderer == "numpy":
        from partdistill.evaluation import NumpyRenderer
        return NumpyRenderer()
    try:
        import bpy  # noqa: F401
    except ImportError:
        raise SystemExit("eval_shapenet: --renderer blender needs Blender: run it with `blender -b -P`, install "
                         "the bpy module (pip install bpy==5.0.1), or pass --renderer numpy") from None
    # Workbench and EEVEE draw through Mesa's llvmpipe without a GPU, which triton's LLVM crashes.
    from blender_addon.bridge.inprocess import hide_triton
    hide_triton()
    from blender_addon.scene.pointcloud import BlenderPointRenderer
    # Blender's "Saved: ..." notices would bury the progress lines: they go to OUT/blender.log.
    return BlenderPointRenderer(args.engine, args.samples, log=args.out / "blender.log")


def main(argv) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))  # blender_addon from this source tree
    if not (ROOT / "backend").is_dir():
        raise SystemExit(f"eval_shapenet: {ROOT / 'backend'} is missing: run the script from the source tree")
    sys.path.append(str(ROOT / "backend"))  # used only when partdistill is not installed
    renderer = make_renderer(args)
    from partdistill.errors import PartDistillError
    from partdistill.evaluation import evaluate

    try:
        result = evaluate(args.data, args.out, dataset=args.dataset, categories=args.categories,
                          teacher=args.teacher, modes=args.mode, renderer=renderer, views=args.views,
                          resolution=args.resolution, points=args.points, simulated_kind=args.simulated_kind,
                          simulated_preset=args.simulated_preset, score_threshold=args.score_threshold,
                          models_dir=args.models_dir, device=args.device, config=distill_config(args.config),
                          backward=not args.no_backward, seed=args.seed, limit=args.limit,
                          train_limit=args.train_limit,
                          num_figures=args.figures, cache_dir=args.cache)
    except PartDistillError as exc:
        print(f"eval_shapenet: {exc}", file=sys.stderr, flush=True)
        return 1
    print((args.out / "results.md").read_text(), flush=True)
    return 0 if result["methods"] else 1


if __name__ == "__main__":
    code = main(sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:])
    # Blender 3.4 with torch loaded segfaults at exit unless this goes (see shared STACK.md).
    sys.modules.pop("__mp_main__", None)
    sys.exit(code)
