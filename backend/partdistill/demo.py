"""The main job on the bundled samples: procedural shapes, simulated teacher, distillation,
result table + PNG."""

from pathlib import Path

import numpy as np

from . import metrics
from .distill import distill
from .evaluate import score_simulated_teacher
from .geometry.sampling import sample_surface
from .report import markdown_table
from .samples import CATEGORIES, make_shape
from .teachers.simulated import SIMULATED_NOTICE
from .threads import one_torch_thread
from .viz import save_grid


def run_demo(out_dir="demo_out", num_points=2048, kind="box", preset=None, seed=0, log=print) -> dict:
    """Segment one procedural shape per category and write `segmentation.png` to out_dir.

    Returns {category: {"parts", "units", "coverage", "quality_2d", "vote_miou", "student_miou",
    "seconds"}}.
    """
    log(SIMULATED_NOTICE)
    rows, grid, results = [], [], {}
    for i, (category, part_names) in enumerate(CATEGORIES.items(), start=1):
        log(f"[{i}/{len(CATEGORIES)}] {category}: sampling, rendering 10 views, teacher, distillation")
        mesh = make_shape(category, seed=seed)
        points, faces, _ = sample_surface(mesh, num_points, seed=seed)
        gt = mesh.face_labels[faces]
        s = score_simulated_teacher(points, gt, len(part_names), kind=kind, preset=preset, seed=seed)
        with one_torch_thread():  # as Segment Parts runs it: several times faster on a few cores
            r = distill(points, s.units, len(part_names), seed=seed)
        student = metrics.shape_miou(r.labels, gt, len(part_names))
        results[category] = {"parts": list(part_names), "units": len(s.units), "coverage": s.coverage,
                             "quality_2d": s.quality_2d, "vote_miou": s.vote_miou, "student_miou": student,
                             "seconds": r.seconds}
        rows.append((category, ", ".join(part_names), len(s.units), 100 * s.coverage,
                     100 * s.quality_2d, 100 * s.vote_miou, 100 * student, r.seconds))
        grid.append([(points, gt), (points, s.vote_labels), (points, r.labels)])
    table = markdown_table(
        ["shape", "parts", "units", "coverage %", "2D unit quality %", "teacher vote mIoU %",
         "student mIoU %", "distill s"], rows)
    log(table)
    mean = {k: 100 * np.mean([r[k] for r in results.values()]) for k in ("vote_miou", "student_miou")}
    log(f"mean mIoU: teacher vote {mean['vote_miou']:.1f} %, distilled student {mean['student_miou']:.1f} % "
        "(ShapeNetPart convention; grey points are covered by no unit)")
    png = save_grid(Path(out_dir) / "segmentation.png", grid,
                    ["ground truth", "teacher vote", "student (TTA + backward)"],
                    list(CATEGORIES), footer=SIMULATED_NOTICE.replace("; ", ";\n"))
    log(f"wrote {png}")
    return results
