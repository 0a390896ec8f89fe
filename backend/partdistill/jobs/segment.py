"""The "Segment Parts" job: rendered views of a mesh + part names -> per-vertex part probabilities.

`segment(request)` is a generator: it yields one progress message before each stage (so a caller
can show it and cancel between stages) and returns a SegmentResult. Stages: sample points on the
surface; the teacher labels the views; knowledge units by back-projection; distillation (or a
pre-aligned student); transfer to the mesh's vertices and faces by the 5-nearest-point vote.
"""

import time

import numpy as np

from ..distill import distill
from ..errors import PartDistillError
from ..geometry.cameras import Camera
from ..geometry.sampling import sample_surface
from ..geometry.visibility import DEFAULT_DEPTH_TOLERANCE
from ..mesh import Mesh
from ..threads import one_torch_thread
from ..transfer import mesh_labels, transfer_probs
from ..units import BOX_SCORE_THRESHOLD, project_views, units_from_boxes, units_from_pixel_maps
from ..viz import part_colors
from .protocol import SIMULATED, SegmentRequest, SegmentResult, drive, progress
from .views import bounding_sphere

SIMULATED_KINDS = ("box", "pixel")


def run_segment(request: SegmentRequest, on_message=None, cancelled=lambda: False, job: str = "job") -> SegmentResult:
    """segment() to the end; raises protocol.JobCancelled when cancelled() turns true between stages."""
    return drive(segment(request, job), on_message, cancelled)


def segment(request: SegmentRequest, job: str = "job"):
    """Yields progress messages, returns a SegmentResult (see the module docstring)."""
    names = check_part_names(request.part_names)
    R = len(names)
    mesh = Mesh(request.vertices, request.faces)
    target = _target_mesh(request, mesh)
    simulated = request.checkpoint is None and request.teacher == SIMULATED
    if request.checkpoint is None:
        cameras = _check_views(request.views)
        if simulated:
            _check_simulated(request, mesh)
    total = 3 if request.checkpoint else 5
    seconds, step = {}, _Steps(job, total)

    yield step("sample", f"sampling {request.num_points} points on {len(mesh.faces)} triangles")
    t = time.perf_counter()
    points, face_ids, _ = sample_surface(mesh, int(request.num_points), seed=int(request.seed))
    seconds["sample"] = time.perf_counter() - t

    if request.checkpoint:
        yield step("student", f"pre-aligned student {request.checkpoint}")
        t = time.perf_counter()
        from ..student.model import Student
        with one_torch_thread():
            probs = Student.load(request.checkpoint, num_parts=R).predict(points)
        seconds["student"] = time.perf_counter() - t
        teacher, notice, units = f"pre-aligned student ({request.checkpoint})", "", None
    else:
        teacher = _teacher_label(request)
        yield step("teacher", f"teacher: {teacher} on {len(cameras)} views")
        t = time.perf_counter()
        if simulated:
            truth = np.asarray(request.face_labels, dtype=np.int64)[face_ids]
            kind, predictions, threshold, notice = _simulated_predictions(request, R, points, truth, cameras)
        else:
            kind, predictions, threshold, notice = _vlm_predictions(request, names)
        seconds["teacher"] = time.perf_counter() - t

        yield step("units", f"knowledge units from {len(cameras)} views")
        t = time.perf_counter()
        _, radius = bounding_sphere(mesh.vertices)
        projections = project_views(points, cameras, [v.depth for v in request.views],
                                    tol=DEFAULT_DEPTH_TOLERANCE * radius)
        if kind == "box":
            units = units_from_boxes(projections, predictions, score_threshold=threshold)
        else:
            units = units_from_pixel_maps(projections, predictions)
        seconds["units"] = time.perf_counter() - t

        yield step("distill", f"distillation on {len(units)} knowledge units "
                              f"(backward {'on' if request.backward else 'off'})")
        t = time.perf_counter()
        with one_torch_thread():
            probs = distill(points, units, R, backward=bool(request.backward), seed=int(request.seed)).probs
        seconds["distill"] = time.perf_counter() - t

    yield step("transfer", f"labels to {len(target.vertices)} vertices and {len(target.faces)} faces")
    t = time.perf_counter()
    vertex_probs = transfer_probs(points, probs, target.vertices).astype(np.float32)
    _, face_labels = mesh_labels(target, points, probs.argmax(axis=1))
    seconds["transfer"] = time.perf_counter() - t

    return SegmentResult(
        part_names=names, vertex_probs=vertex_probs, face_labels=face_labels,
        point_counts=np.bincount(probs.argmax(axis=1), minlength=R), part_colors=part_colors(np.arange(R)),
        seconds=seconds, teacher=teacher, notice=notice,
        num_units=0 if units is None else len(units),
        coverage=1.0 if units is None else float(units.covered().mean()))


def check_part_names(part_names) -> tuple[str, ...]:
    """At least two distinct, non-empty names (case-insensitive), stripped."""
    if isinstance(part_names, str):
        raise PartDistillError("give the part names as a list, e.g. ['back', 'seat', 'leg']")
    names = tuple(str(n).strip() for n in part_names)
    if len(names) < 2:
        raise PartDistillError(f"name at least two parts to segment, got {len(names)}")
    if not all(names):
        raise PartDistillError("a part name is empty; give every part a name")
    seen = {}
    for name in names:
        if name.lower() in seen:
            raise PartDistillError(f"part names must differ: {seen[name.lower()]!r} and {name!r} are the same name")
        seen[name.lower()] = name
    return names


class _Steps:
    """Numbered progress messages of one job."""

    def __init__(self, job: str, total: int):
        self.job, self.total, self.done = job, total, 0

    def __call__(self, stage: str, text: str) -> dict:
        self.done += 1
        return progress(self.job, self.done, self.total, stage, text)


def _target_mesh(request, mesh: Mesh) -> Mesh:
    if request.target_vertices is None and request.target_faces is None:
        return mesh
    if request.target_vertices is None or request.target_faces is None:
        raise PartDistillError("give both target_vertices and target_faces, or neither")
    return Mesh(request.target_vertices, request.target_faces)


def _check_views(views) -> list[Camera]:
    if not views:
        raise PartDistillError("no rendered views: the teacher needs at least one view "
                               "(or use a pre-aligned checkpoint, which needs none)")
    cameras = []
    for i, view in enumerate(views):
        image = np.asarray(view.image)
        height, width = image.shape[:2]
        if image.ndim != 3 or image.shape[2] != 3:
            raise PartDistillError(f"view {i}: the image must be (H, W, 3), got {image.shape}")
        for name in ("depth", "mask"):
            if np.shape(getattr(view, name)) != (height, width):
                raise PartDistillError(f"view {i}: the {name} map {np.shape(getattr(view, name))} "
                                       f"does not match the image's {(height, width)}")
        cameras.append(Camera(view.K, view.world_to_cam, width, height))
    return cameras


def _check_simulated(request, mesh: Mesh) -> None:
    if request.face_labels is None:
        raise PartDistillError("the simulated teacher needs ground-truth face labels; "
                               "choose a vision-language model for a mesh without them")
    labels = np.asarray(request.face_labels)
    if labels.shape != (len(mesh.faces),):
        raise PartDistillError(f"face_labels must have one entry per triangle ({len(mesh.faces)}), got {labels.shape}")
    if request.simulated_kind not in SIMULATED_KINDS:
        raise PartDistillError(f"the simulated teacher's kind must be one of {SIMULATED_KINDS}, "
                               f"got {request.simulated_kind!r}")


def _teacher_label(request) -> str:
    if request.teacher != SIMULATED:
        return request.teacher
    from ..teachers.simulated import simulated_label
    return simulated_label(request.simulated_kind, request.simulated_preset)


def _simulated_predictions(request, num_parts, points, truth, cameras):
    """The simulated teacher on the rendered views (teachers.simulated.simulated_predictions)."""
    from ..teachers.simulated import SIMULATED_NOTICE, simulated_predictions

    _, radius = bounding_sphere(request.vertices)
    kind = request.simulated_kind
    predictions = simulated_predictions(points, truth, [(view.mask, view.depth) for view in request.views], cameras,
                                        num_parts, kind=kind, preset=request.simulated_preset,
                                        seed=int(request.seed), link_radius=0.08 * radius)
    return kind, predictions, BOX_SCORE_THRESHOLD if kind == "box" else None, SIMULATED_NOTICE


def _vlm_predictions(request, names):
    from ..teachers.factory import load_teacher
    from ..teachers.prompts import part_prompts

    teacher = load_teacher(request.teacher, models_dir=request.models_dir,
                           allow_download=bool(request.allow_download), device=request.device)
    prompts = part_prompts(names, request.category or None)
    predictions = teacher.predict([v.image for v in request.views], prompts, [v.mask for v in request.views])
    return teacher.kind, predictions, getattr(teacher, "score_threshold", None), ""
