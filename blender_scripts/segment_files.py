"""Segment every .obj / .glb / .gltf / .ply / .blend in a folder: a segmented .glb and .blend each.

    blender -b --python-exit-code 1 -P blender_scripts/segment_files.py -- IN_DIR OUT_DIR --parts back,seat,leg
    python blender_scripts/segment_files.py IN_DIR OUT_DIR --parts back,seat,leg     (with the bpy module)

Each file's mesh objects are joined into one shape and segmented by the add-on's Segment Parts
(run from this source tree); the exit status is 1 when any file failed.
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADDON = "blender_addon"
SUFFIXES = (".obj", ".glb", ".gltf", ".ply", ".blend")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", type=Path, help="folder of .obj / .glb / .gltf / .ply / .blend files")
    p.add_argument("output", type=Path, help="folder for <name>.glb and <name>.blend")
    p.add_argument("--parts", required=True, help="comma-separated part names, e.g. back,seat,leg,arm")
    p.add_argument("--category", default="", help="what the objects are, e.g. chair (used in the prompts)")
    add_run_options(p)
    return p.parse_args(argv)


def add_run_options(p, teacher="owlv2", engine="CYCLES"):
    """The Segment Parts settings a script passes on to the add-on (see configure)."""
    p.add_argument("--teacher", default=teacher, help="owlv2, grounding-dino, clip-b32, simulated, or a hub id / "
                                                      f"model directory (default {teacher})")
    p.add_argument("--checkpoint", default="", help="a pre-aligned student: no views, no teacher")
    p.add_argument("--engine", default=engine, choices=("CYCLES", "EEVEE", "WORKBENCH"))
    p.add_argument("--resolution", type=int, default=512)
    p.add_argument("--samples", type=int, default=16)
    p.add_argument("--views", type=int, default=10)
    p.add_argument("--points", type=int, default=2048)
    p.add_argument("--no-backward", action="store_true", help="forward distillation only")
    p.add_argument("--backend", default="AUTO", choices=("AUTO", "IN_PROCESS", "WORKER"))
    p.add_argument("--python", default="", help="the backend's Python for the worker (default: none)")
    p.add_argument("--models-dir", default="", help="where the vision-language models are")
    p.add_argument("--allow-download", action="store_true", help="download a missing model")


def enable_addon():
    import bpy  # noqa: F401  (the bpy module puts addon_utils on sys.path)
    import addon_utils

    sys.path.insert(0, str(ROOT))
    addon_utils.enable(ADDON, default_set=True, handle_error=_raise)


def _raise(exc):
    raise exc


def configure(args):
    import bpy

    prefs = bpy.context.preferences.addons[ADDON].preferences
    prefs.backend_mode, prefs.python_path, prefs.models_dir = args.backend, args.python, args.models_dir
    prefs.allow_downloads = args.allow_download
    s = bpy.context.scene.partdistill
    s.parts.clear()
    for name in args.parts.split(","):
        s.parts.add().name = name.strip()
    s.category = args.category
    known = {item.identifier for item in s.bl_rna.properties["teacher"].enum_items}
    s.teacher, s.custom_teacher = (args.teacher, "") if args.teacher in known else ("custom", args.teacher)
    s.mode, s.checkpoint = ("CHECKPOINT", args.checkpoint) if args.checkpoint else ("TTA", "")
    s.engine, s.resolution, s.samples, s.num_views = args.engine, args.resolution, args.samples, args.views
    s.num_points, s.backward = args.points, not args.no_backward


def load(path: Path):
    """Open or import path into an empty file; returns its mesh objects joined into one, active."""
    import bpy

    if path.suffix == ".blend":
        bpy.ops.wm.open_mainfile(filepath=str(path))
    else:
        bpy.ops.wm.read_homefile(use_empty=True, use_factory_startup=True)
        if path.suffix in (".glb", ".gltf"):
            bpy.ops.import_scene.gltf(filepath=str(path))
        elif path.suffix == ".obj":
            bpy.ops.wm.obj_import(filepath=str(path))
        elif bpy.app.version >= (4, 0, 0):
            bpy.ops.wm.ply_import(filepath=str(path))
        else:  # the Python PLY importer of Blender 3.x
            bpy.ops.import_mesh.ply(filepath=str(path))
    meshes = [o for o in bpy.context.scene.objects if o.type == "MESH"]
    if not meshes:
        return None
    view_layer = bpy.context.view_layer
    for obj in bpy.context.scene.objects:
        obj.select_set(obj in meshes)
    view_layer.objects.active = meshes[0]
    if len(meshes) > 1:
        bpy.ops.object.join()
    return view_layer.objects.active


def segment_file(path: Path, args) -> dict:
    obj = load(path)
    if obj is None:
        raise RuntimeError("no mesh object in the file")
    return segment_object(obj, args.output / path.stem, args)


def segment_object(obj, out_stem: Path, args) -> dict:
    """Segment obj (the active object) with args' settings; writes out_stem .glb and .blend and
    returns the run's summary (teacher, faces per part, seconds per stage, notice)."""
    import bpy

    configure(args)  # an opened .blend brings its own scene settings
    bpy.ops.partdistill.segment()
    out_stem.parent.mkdir(parents=True, exist_ok=True)
    bpy.ops.partdistill.export_glb(filepath=f"{out_stem}.glb")
    bpy.ops.wm.save_as_mainfile(filepath=f"{out_stem}.blend", copy=True)
    return json.loads(obj["partdistill"])["summary"]


def describe(summary: dict, seconds: float) -> str:
    """One line: faces per part, the teacher, the wall time and each stage's seconds."""
    faces = ", ".join(f"{k} {v}" for k, v in summary["faces_per_part"].items())
    stages = ", ".join(f"{k} {v:.1f}" for k, v in summary["seconds"].items())
    return f"{faces} faces; {summary['teacher']}; {seconds:.1f} s ({stages})"


def main(argv) -> int:
    args = parse_args(argv)
    files = sorted(p for p in args.input.iterdir() if p.suffix.lower() in SUFFIXES) if args.input.is_dir() else []
    if not files:
        print(f"segment_files: no {', '.join(SUFFIXES)} files in {args.input}", file=sys.stderr)
        return 1
    enable_addon()
    failed = 0
    for i, path in enumerate(files, start=1):
        start = time.perf_counter()
        try:
            summary = segment_file(path, args)
        except RuntimeError as exc:  # operators report user errors as RuntimeError
            failed += 1
            print(f"[{i}/{len(files)}] {path.name}: FAILED: {str(exc).strip()}", flush=True)
            continue
        print(f"[{i}/{len(files)}] {path.name}: {describe(summary, time.perf_counter() - start)} "
              f"-> {args.output / path.stem}.glb/.blend", flush=True)
        if summary["notice"]:
            print(f"    {summary['notice']}", flush=True)
    print(f"segmented {len(files) - failed} of {len(files)} files into {args.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    code = main(sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:])
    # Blender 3.4 with torch loaded segfaults at exit unless this goes (see shared STACK.md).
    sys.modules.pop("__mp_main__", None)
    sys.exit(code)
