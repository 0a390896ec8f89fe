"""Seconds per Segment Parts run on a ~10k-vertex mesh, split by stage, for each render engine.

    .venv/bin/python bench/segment.py [--engines WORKBENCH,CYCLES] [--runs 2] [--samples 16] [--resolution 512]

The add-on's own operator runs as a script runs it (blocking; the backend in-process, as when
Blender's Python has torch) on the procedural table after one level of simple subdivision. The
teacher is the SIMULATED one (noisy ground truth read from the mesh): no vision-language model's
weights can be downloaded here, so the teacher column is the simulation's cost; bench/teachers.py
measures the real models per view. Each engine gets one warm-up run (imports, kernel loading),
not reported, then --runs runs whose stage times are averaged. A re-run replaces the previous
run's groups, slots and attributes, as in the panel.
"""

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "blender_scripts"))
from segment_files import add_run_options, configure, enable_addon  # noqa: E402

sys.path.insert(0, str(ROOT))  # blender_addon from this source tree
from blender_addon.scene.chatter import blender_output_to  # noqa: E402

from partdistill.report import machine, markdown_table  # noqa: E402
from partdistill.samples import CATEGORIES  # noqa: E402

CATEGORY = "table"  # 1,498 vertices; one level of simple subdivision gives 8,938
# (column, the add-on's stage names summed into it): the backend's stages, then the add-on's
COLUMNS = (("render", ("render",)), ("sample points", ("sample",)), ("teacher", ("teacher",)),
           ("knowledge units", ("units",)), ("distillation", ("distill",)),
           ("transfer to mesh", ("transfer",)), ("write-back", ("write-back",)))


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--engines", default="WORKBENCH,CYCLES", help="comma-separated: WORKBENCH, CYCLES, EEVEE")
    p.add_argument("--runs", type=int, default=2, help="timed runs per engine after one warm-up run")
    add_run_options(p, teacher="simulated", engine="CYCLES")
    args = p.parse_args(argv)
    args.parts, args.category = ",".join(CATEGORIES[CATEGORY]), CATEGORY
    return args


def subdivided_sample():
    """The sample table with one level of simple subdivision applied: ~9k vertices, ground truth kept."""
    import bpy

    from blender_addon.scene.sample import add_sample_object

    bpy.ops.wm.read_homefile(use_empty=True, use_factory_startup=True)
    obj, _ = add_sample_object(CATEGORY)
    modifier = obj.modifiers.new("subdivide", "SUBSURF")
    modifier.subdivision_type, modifier.levels = "SIMPLE", 1
    depsgraph = bpy.context.evaluated_depsgraph_get()
    mesh = bpy.data.meshes.new_from_object(obj.evaluated_get(depsgraph), preserve_all_data_layers=True,
                                           depsgraph=depsgraph)
    obj.modifiers.remove(modifier)
    original, obj.data = obj.data, mesh
    bpy.data.meshes.remove(original)
    return obj


def timed_run(obj) -> dict:
    """One Segment Parts run: its stage seconds (the add-on's summary) and the operator's wall time."""
    import bpy

    start = time.perf_counter()
    if bpy.ops.partdistill.segment() != {"FINISHED"}:
        raise SystemExit("Segment Parts did not finish; see the messages above")
    seconds = json.loads(obj["partdistill"])["summary"]["seconds"]
    return {**seconds, "total": time.perf_counter() - start}


def main(argv) -> int:
    args = parse_args(argv)
    load = os.getloadavg()[0]
    enable_addon()
    with blender_output_to(2):  # stdout holds the report alone
        obj = subdivided_sample()
    rows = []
    for engine in args.engines.split(","):
        args.engine = engine.strip().upper()
        configure(args)
        print(f"{args.engine}: warm-up run, then {args.runs} timed", file=sys.stderr, flush=True)
        with blender_output_to(2):  # stdout holds the report alone
            timed_run(obj)
            runs = [timed_run(obj) for _ in range(args.runs)]
        mean = {k: float(np.mean([r.get(k, 0.0) for r in runs])) for k in runs[0]}
        quality = "" if args.engine == "WORKBENCH" else f", {args.samples} samples"
        rows.append([f"{args.engine.title()}{quality}"] + [sum(mean.get(s, 0.0) for s in stages)
                                                           for _, stages in COLUMNS] + [mean["total"]])
    mesh = obj.data
    print(f"# Segment Parts, seconds per run: `{shlex.join(['python', 'bench/segment.py', *argv])}`\n")
    print(f"Machine: {machine()}; load average {load:.1f} when it started (other jobs share the cores). "
          f"Mesh: the procedural {CATEGORY}, one level of simple subdivision: {len(mesh.vertices)} vertices, "
          f"{len(mesh.polygons)} faces. {args.views} views at "
          f"{args.resolution} x {args.resolution} px, {args.points} points, backward distillation "
          f"{'off' if args.no_backward else 'on'}; mean of {args.runs} runs after a warm-up run. SIMULATED "
          "teacher (noisy ground truth, not a vision-language model: its column is the simulation's cost).\n")
    print(markdown_table(["engine"] + [f"{name} s" for name, _ in COLUMNS] + ["total s"], rows, "{:.2f}"))
    print("\n`total` is the operator's wall time: the stages plus reading the mesh, starting the job "
          "and Blender's undo step.")
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.modules.pop("__mp_main__", None)  # Blender 3.4 with torch loaded segfaults at exit otherwise
    sys.exit(code)
