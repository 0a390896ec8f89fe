"""What `partdistill models` prints: the registered models and their state, and a load-and-run check."""

import time

import numpy as np

from ..report import markdown_table
from .factory import load_teacher
from .models import MODELS, download_command, is_present, models_dir, source_of

VERIFY_PROMPTS = ["the top of the object", "the bottom of the object"]


def models_table(directory=None) -> str:
    """A markdown table of the registered models with, for each, whether a complete copy is present
    in the models directory (read from local files only), then where that directory is."""
    where = models_dir(directory)
    rows = []
    for name, spec in MODELS.items():
        status = ("present" if is_present(spec.hub_id, where)
                  else f"missing: `{download_command(source_of(name), where)}`")
        rows.append((name, spec.hub_id, spec.kind, spec.description, spec.download_mb, status))
    location = (f"models directory: {where}" if where is not None
                else "models directory: the Hugging Face cache (set PARTDISTILL_MODELS or pass --dir to change it)")
    return markdown_table(["name", "hub id", "kind", "model", "download MB", "status"], rows) + "\n" + location


def verify(model: str, directory=None, device=None) -> str:
    """Load `model` offline and run it on one small synthetic view; a line saying what came out."""
    teacher = load_teacher(model, models_dir=directory, device=device)
    image = np.full((96, 128, 3), 255, dtype=np.uint8)
    mask = np.zeros(image.shape[:2], dtype=bool)
    mask[20:80, 40:90] = True
    image[mask] = (90, 120, 160)
    start = time.perf_counter()
    (pred,) = teacher.predict([image], VERIFY_PROMPTS, masks=[mask])
    seconds = time.perf_counter() - start
    if teacher.kind == "pixel":
        made = f"part probabilities {pred.probs.shape}"
    else:
        made = f"{len(pred.xyxy)} boxes scoring >= {teacher.score_threshold}"
    return (f"ok: {source_of(model).label} runs as {type(teacher).__name__} on {teacher.device} "
            f"({teacher.dtype}); one 128x96 view, {len(VERIFY_PROMPTS)} prompts, {seconds:.2f} s: {made}")
