"""One Segment Parts run on one object: render the views, run the backend job, write the result.

A session is a generator of small steps (one view, one poll of the backend, the write-back), so
the modal operator can run it from a timer while Blender stays responsive, and execute() can run
it to the end. Nothing of the user's changes before the last step; cancelling or failing at any
earlier point leaves the scene as it was.
"""

import tempfile
import time
from dataclasses import dataclass

import numpy as np

from .bridge import get_backend, protocol
from .errors import UserError
from .scene.meshdata import TRUTH_ATTRIBUTE, mesh_arrays, truth_labels, world_mesh_copy
from .scene.render import ViewRenderer
from .scene.writeback import set_summary, write
from .validate import check_object, check_parts

WAIT = "wait"  # the step yielded while the backend works: nothing to do but poll again
SIMULATED = "simulated"


@dataclass(frozen=True)
class RunSettings:
    """Everything a run needs from the panel and the preferences, as plain values."""

    parts: tuple
    teacher: str = "owlv2"          # a model name, or "simulated" (ground truth from TRUTH_ATTRIBUTE)
    simulated_kind: str = "box"
    category: str = ""
    checkpoint: str = ""            # a pre-aligned student file; then no views are rendered
    num_views: int = 10
    resolution: int = 512
    engine: str = "CYCLES"
    samples: int = 16
    render_device: str = "CPU"
    backward: bool = True
    num_points: int = 2048
    seed: int = 0
    backend_mode: str = "AUTO"
    python: str = ""
    models_dir: str = ""
    torch_device: str = "AUTO"
    allow_download: bool = False


class SegmentSession:
    """Checks obj and the parts at once (raising UserError); step() advances the run."""

    def __init__(self, obj, settings: RunSettings, depsgraph):
        check_object(obj)
        self.parts = tuple(check_parts(settings.parts))
        self.settings = settings
        self.object_name = obj.name
        self.fraction, self.text = 0.0, "starting"
        self.summary = None
        self._job = None
        self._steps = self._run(obj, depsgraph)

    def step(self) -> str | None:
        """Do one step; returns WAIT while the backend works, None when the run has finished."""
        try:
            return next(self._steps)
        except StopIteration:
            return None

    def run_to_end(self) -> dict:
        while (state := self.step()) is not None:
            if state == WAIT:
                self._job.wait(0.1)
        return self.summary

    def cancel(self) -> None:
        """Stop now; the backend stops at its next step boundary, nothing is written."""
        if self._job is not None:
            self._job.cancel()
        self._steps.close()

    # -- the run ------------------------------------------------------------------------------
    def _run(self, obj, depsgraph):
        s = self.settings
        rendering = not s.checkpoint
        # planning and one step per view, then the backend's steps, then the write-back
        total = (1 + s.num_views + 5 + 1) if rendering else (3 + 1)
        done = 0

        def advance(text):
            nonlocal done
            self.fraction, self.text = done / total, text
            done += 1
            return text

        backend = get_backend(s.backend_mode, s.python)
        seconds = {}
        mesh = world_mesh_copy(obj, depsgraph)
        try:
            sampled = mesh_arrays(mesh)
            if len(sampled.triangles) == 0:
                raise UserError(f"'{obj.name}' has no faces once its modifiers are applied: nothing to segment")
            truth = truth_labels(mesh, sampled) if s.teacher == SIMULATED and rendering else None
            if s.teacher == SIMULATED and rendering and truth is None:
                raise UserError(f"The simulated teacher needs ground-truth labels in the integer face attribute "
                                f"'{TRUTH_ATTRIBUTE}' of '{obj.name}': choose a vision-language model instead")
            target = _target(obj, sampled)
            views = []
            if rendering:
                yield advance("planning the views")
                t = time.perf_counter()
                center, radius = _bounding_sphere(sampled.vertices)
                cameras = backend.cameras(center, radius, s.resolution, s.resolution, s.num_views)
                with tempfile.TemporaryDirectory(prefix="partdistill_views_") as tmp:
                    renderer = ViewRenderer(mesh, tmp, s.engine, s.resolution, s.samples, s.render_device)
                    try:
                        for i, (K, world_to_cam) in enumerate(cameras):
                            yield advance(f"rendering view {i + 1} of {len(cameras)}")
                            v = renderer.render(i, K, world_to_cam)
                            views.append(protocol().View(v["image"], v["depth"], v["mask"], v["K"],
                                                         v["world_to_cam"]))
                    finally:
                        renderer.close()
                seconds["render"] = time.perf_counter() - t
        finally:
            import bpy
            bpy.data.meshes.remove(mesh)

        self._job = backend.start(self._request(sampled, target, truth, views))
        while not self._job.done:
            for msg in self._job.poll():
                advance(msg["text"])
            yield WAIT
        for msg in self._job.poll():
            advance(msg["text"])
        job, self._job = self._job, None
        if job.cancelled:
            return
        if job.error:
            raise UserError(f"The backend failed: {job.error}")
        result = job.result

        yield advance("writing vertex groups, materials and attributes")
        t = time.perf_counter()
        written = target if target is not None else sampled
        obj = _current_object(self.object_name, written)
        polygon_labels = written.polygon_labels(np.asarray(result.face_labels))
        summary = self._summary(result, polygon_labels, {**seconds, **result.seconds}, backend.label)
        write(obj, self.parts, np.asarray(result.vertex_probs), polygon_labels, np.asarray(result.part_colors),
              summary)
        summary["seconds"]["write-back"] = round(time.perf_counter() - t, 3)
        set_summary(obj, summary)
        self.summary, self.fraction, self.text = summary, 1.0, "done"

    def _request(self, sampled, target, truth, views):
        s = self.settings
        return protocol().SegmentRequest(
            vertices=sampled.vertices, faces=sampled.triangles, part_names=self.parts, views=tuple(views),
            teacher=s.teacher, face_labels=truth, simulated_kind=s.simulated_kind,
            category=s.category or None, backward=s.backward, checkpoint=s.checkpoint or None, seed=s.seed,
            num_points=s.num_points, device=None if s.torch_device == "AUTO" else s.torch_device.lower(),
            models_dir=s.models_dir or None, allow_download=s.allow_download,
            target_vertices=None if target is None else target.vertices,
            target_faces=None if target is None else target.triangles)

    def _summary(self, result, polygon_labels, seconds, backend_label) -> dict:
        counts = np.bincount(polygon_labels, minlength=len(self.parts))
        return {"teacher": result.teacher, "notice": result.notice, "backend": backend_label,
                "points_per_part": dict(zip(self.parts, np.asarray(result.point_counts).tolist())),
                "faces_per_part": dict(zip(self.parts, counts.tolist())),
                "units": int(result.num_units), "coverage": float(result.coverage),
                "seconds": {k: round(float(v), 3) for k, v in seconds.items()}}


def _target(obj, sampled):
    """None when the evaluated mesh keeps the object's topology (its vertex i is the object's vertex i,
    e.g. under deforming modifiers); otherwise the object's own mesh in world space."""
    mesh = obj.data
    if len(mesh.vertices) == len(sampled.vertices) and len(mesh.polygons) == sampled.num_polygons:
        return None
    return mesh_arrays(mesh, obj.matrix_world)


def _bounding_sphere(vertices: np.ndarray) -> tuple[np.ndarray, float]:
    """Centre of the bounding box and the radius that holds every vertex: the views orbit it."""
    center = (vertices.min(axis=0) + vertices.max(axis=0)) / 2
    radius = float(np.linalg.norm(vertices - center, axis=1).max())
    if not radius > 0:
        raise UserError("All vertices lie at one point: the mesh has no extent to render")
    return center, radius


def _current_object(name: str, arrays):
    """The object again, by name (the user may have edited the scene meanwhile), still matching arrays."""
    import bpy

    obj = bpy.data.objects.get(name)
    if obj is None:
        raise UserError(f"'{name}' was deleted while it was being segmented: nothing was written")
    check_object(obj)
    if len(obj.data.vertices) != len(arrays.vertices) or len(obj.data.polygons) != arrays.num_polygons:
        raise UserError(f"'{name}' was edited while it was being segmented: run Segment Parts again")
    return obj
