"""The main job's add-on stage: the bundled sample chair through the Blender add-on's Segment Parts.

blender_scripts/segment_sample.py does the Blender side, in a child process of this Python with
the bpy module (this package never imports bpy). This side picks the teacher: the add-on's
default vision-language model when its weights are present, else the simulated teacher from the
sample's ground-truth labels, said plainly.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

from .errors import PartDistillError

SCRIPT = Path(__file__).resolve().parents[2] / "blender_scripts" / "segment_sample.py"
DEFAULT_TEACHER = "owlv2"  # the add-on panel's default teacher
ENGINE = "WORKBENCH"       # ~0.25 s a view on a CPU, where Cycles at 16 samples takes ~1 s
PREFIX = "segment_sample: "  # starts the script's own lines (segment_sample.PREFIX); the rest is Blender's
LOG = "addon_stage.log"


def choose_teacher(category: str, log=print) -> str:
    """DEFAULT_TEACHER when a complete copy is in the models directory, else "simulated"."""
    from .teachers.models import MODELS, download_command, is_present, models_dir, source_of

    spec, where = MODELS[DEFAULT_TEACHER], models_dir()
    if is_present(spec.hub_id, where):
        log(f"teacher: {DEFAULT_TEACHER} ({spec.hub_id}), the add-on's default vision-language model")
        return DEFAULT_TEACHER
    log(f"MODEL MISSING: the add-on's default teacher {DEFAULT_TEACHER} ({spec.hub_id}, {spec.description}) "
        f"is not in {where or 'the Hugging Face cache'}, and nothing is downloaded without asking. "
        f"Download it once ({spec.download_mb} MB) with: {download_command(source_of(DEFAULT_TEACHER), where)}")
    log(f"Using the SIMULATED teacher instead: noisy predictions made from the sample {category}'s "
        "ground-truth part labels, so this stage shows the add-on working, not a vision-language model")
    return "simulated"


def run_addon_stage(out_dir, category: str = "chair", num_points: int = 2048, log=print) -> dict | None:
    """Segment the sample in Blender; returns {"glb", "blend", "png": paths, "teacher": name}, or
    None (said in the log) when this Python has no bpy module or the source tree is not here."""
    if importlib.util.find_spec("bpy") is None:
        log("add-on stage skipped: this Python has no bpy module (Blender as a Python module); "
            "install it with: pip install -e '.[blender]'")
        return None
    if not SCRIPT.is_file():
        log(f"add-on stage skipped: it runs the add-on from the source tree, and {SCRIPT} is not there "
            "(install the project from its git checkout with pip install -e)")
        return None
    log(f"add-on stage: the sample {category} through the Blender add-on's Segment Parts "
        f"({SCRIPT.relative_to(SCRIPT.parents[1])}, bpy module)")
    teacher = choose_teacher(category, log)
    cmd = [sys.executable, str(SCRIPT), str(out_dir), "--category", category, "--teacher", teacher,
           "--engine", ENGINE, "--points", str(num_points)]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # Blender's own chatter (render and export notices, EGL warnings) goes to the log file only.
    with open(out / LOG, "w") as record, \
            subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        for line in proc.stdout:
            record.write(line)
            if line.startswith(PREFIX):
                log(line[len(PREFIX):].rstrip())
    if proc.returncode != 0:
        tail = "".join((out / LOG).read_text().splitlines(keepends=True)[-20:])
        raise PartDistillError(f"the add-on stage failed (exit status {proc.returncode}); it ran {' '.join(cmd)}; "
                               f"the end of its output ({out / LOG}):\n{tail}")
    log(f"Blender's full output: {out / LOG}")
    return {"teacher": teacher, **{kind: out / f"{category}.{kind}" for kind in ("glb", "blend", "png")}}
