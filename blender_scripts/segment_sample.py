"""Segment a bundled sample shape with the add-on: OUT_DIR/<category>.glb, .blend and .png.

    python blender_scripts/segment_sample.py OUT_DIR [--category chair] [--teacher simulated]   (bpy module)
    blender -b --python-exit-code 1 -P blender_scripts/segment_sample.py -- OUT_DIR [...]

The sample is the procedural shape of `partdistill demo`, with its ground-truth part of every face
in the attribute partdistill_truth, which only the simulated teacher reads. Segment Parts runs as
in the panel (default parts: the category's); the PNG shows the result coloured by its part
material slots. `partdistill demo` runs this script and chooses the teacher.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # blender -P does not add the script's folder

from picture import save_picture  # noqa: E402
from segment_files import add_run_options, describe, enable_addon, segment_object  # noqa: E402

# Starts every line this script prints, so a caller can tell them from Blender's own output.
PREFIX = "segment_sample: "


def say(text: str, file=sys.stdout) -> None:
    print(PREFIX + text, file=file, flush=True)


def triangle_miou(obj, num_parts: int) -> float:
    """mIoU of the triangles' part material slots against the sample's ground truth (ShapeNetPart
    convention over the parts, every triangle counting once)."""
    import numpy as np

    from blender_addon.scene.meshdata import mesh_arrays, truth_labels
    from blender_addon.scene.record import read_record
    from partdistill.metrics import shape_miou

    mesh = obj.data
    arrays = mesh_arrays(mesh)
    slots = np.empty(len(mesh.polygons), dtype=np.int64)
    mesh.polygons.foreach_get("material_index", slots)
    materials = read_record(obj)["materials"]
    slot_part = np.array([materials.index(m.name) if m is not None and m.name in materials else -1
                          for m in mesh.materials])
    return shape_miou(slot_part[slots][arrays.polygon], truth_labels(mesh, arrays), num_parts)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("output", type=Path, help="folder for <category>.glb, .blend and .png")
    p.add_argument("--category", default="chair", help="chair, table, mug, lamp or airplane")
    p.add_argument("--parts", default="", help="comma-separated part names (default: the category's)")
    p.add_argument("--seed", type=int, default=0, help="which procedural sample of the category")
    p.add_argument("--picture-size", type=int, default=384, help="pixels per view in the PNG")
    add_run_options(p, teacher="simulated", engine="WORKBENCH")
    return p.parse_args(argv)


def main(argv) -> int:
    args = parse_args(argv)
    enable_addon()
    import bpy

    from blender_addon.bridge.locate import make_backend_importable
    from blender_addon.scene.sample import add_sample_object

    make_backend_importable()  # Blender's own Python finds the backend beside the add-on
    from partdistill.samples import CATEGORIES

    if args.category not in CATEGORIES:
        say(f"no sample {args.category!r}; the samples are {', '.join(CATEGORIES)}", file=sys.stderr)
        return 2
    args.parts = args.parts or ",".join(CATEGORIES[args.category])
    bpy.ops.wm.read_homefile(use_empty=True, use_factory_startup=True)
    obj, _ = add_sample_object(args.category, seed=args.seed)
    say(f"Segment Parts on the sample {args.category} ({len(obj.data.vertices)} vertices, "
        f"{len(obj.data.polygons)} faces): parts {args.parts}; {args.engine.title()}, {args.views} views "
        f"at {args.resolution} px, {args.points} points")
    start = time.perf_counter()
    stem = args.output / args.category
    try:
        summary = segment_object(obj, stem, args)
    except RuntimeError as exc:  # operators report user errors as RuntimeError
        say(f"{args.category}: FAILED: {str(exc).strip()}")
        return 1
    say(f"{args.category}: {describe(summary, time.perf_counter() - start)}")
    if [p.strip() for p in args.parts.split(",")] == list(CATEGORIES[args.category]):  # the truth indexes these
        say(f"{args.category}: mIoU {100 * triangle_miou(obj, len(CATEGORIES[args.category])):.1f} % against "
            "the sample's ground-truth parts (triangles)")
    caption = f"Segment Parts on the sample {args.category}; teacher: {summary['teacher']}"
    if summary["notice"]:
        say(summary["notice"])
        caption += " (SIMULATED: not a vision-language model)"
    png = save_picture(obj, f"{stem}.png", caption, size=args.picture_size)
    say(f"wrote {stem}.glb (part material slots, _PART_* attributes), {stem}.blend (vertex groups), {png}")
    return 0


if __name__ == "__main__":
    code = main(sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:])
    sys.modules.pop("__mp_main__", None)  # Blender 3.4 with torch loaded segfaults at exit otherwise
    sys.exit(code)
