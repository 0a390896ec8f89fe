"""The teacher stage of one shape: render its views, let the teacher label them, back-project the
labels into knowledge units; cached on disk so that re-runs and distillation experiments never
render or run the VLM twice."""

import zlib

from ..errors import PartDistillError
from ..geometry.normalize import normalize_unit_sphere
from ..units import BOX_SCORE_THRESHOLD, project_views, units_from_boxes, units_from_pixel_maps
from .cache import TeacherCache, points_digest
from .views import view_cameras

SIMULATED = "simulated"
# The short names for the registered models (teachers.models.MODELS).
ALIASES = {"clip": "clip-b32"}


class TeacherStage:
    """teacher: "simulated", a registered model ("clip" = "clip-b32", "clip-b16", "owlv2", "grounding-dino"),
    a hub id or a model directory. calls counts the shapes the teacher actually ran on (cache misses)."""

    def __init__(self, teacher: str, renderer, cache: TeacherCache, *, views: int = 10, resolution: int = 512,
                 simulated_kind: str = "box", simulated_preset: str | None = None, score_threshold=None,
                 models_dir=None, device=None, seed: int = 0):
        from ..teachers.simulated import DEFAULT_PRESET, KINDS

        self.teacher = ALIASES.get(teacher, teacher)
        self.renderer, self.cache = renderer, cache
        self.cameras = view_cameras(views, resolution)
        self.simulated = self.teacher == SIMULATED
        if self.simulated and simulated_kind not in KINDS:
            raise PartDistillError(f"the simulated teacher's kind must be one of {KINDS}, got {simulated_kind!r}")
        self.kind = simulated_kind if self.simulated else None
        self.preset = (simulated_preset or DEFAULT_PRESET[simulated_kind]) if self.simulated else None
        self.score_threshold, self.models_dir, self.device, self.seed = score_threshold, models_dir, device, seed
        self.calls = 0
        self._vlm = None
        if not self.simulated:
            from ..teachers.models import source_of
            source_of(self.teacher)  # a misspelt teacher fails now, not after the first shape's renders

    @property
    def label(self) -> str:
        if self.simulated:
            from ..teachers.simulated import simulated_label
            return simulated_label(self.kind, self.preset)
        return self.teacher

    def identity(self, shape, dataset: str) -> dict:
        """Everything the units depend on (the cache key)."""
        return {"dataset": dataset, "category": shape.category, "shape": shape.shape_id,
                "points": points_digest(shape.points), "teacher": self.label, "seed": self.seed,
                "threshold": self.score_threshold, "prompts": list(shape.prompts), "views": len(self.cameras),
                "resolution": self.cameras[0].width, "renderer": self.renderer.name}

    def units(self, shape, dataset: str):
        """(units, cached) for an EvalShape."""
        identity = self.identity(shape, dataset)
        units = self.cache.load(identity)
        if units is not None:
            return units, True
        points, _, _ = normalize_unit_sphere(shape.points)
        views = self.renderer(points, self.cameras)
        projections = project_views(points, self.cameras, [v["depth"] for v in views],
                                    tol=self.renderer.tolerance(points))
        if self.simulated:
            kind, predictions, threshold = self._simulated(shape, points, views)
        else:
            kind, predictions, threshold = self._vlm_predict(shape, views)
        if kind == "box":
            units = units_from_boxes(projections, predictions, score_threshold=threshold)
        else:
            units = units_from_pixel_maps(projections, predictions)
        self.calls += 1
        self.cache.save(identity, units)
        return units, False

    def _simulated(self, shape, points, views):
        from ..teachers.simulated import simulated_predictions

        # Seeded by the shape, not its position in the run: a subset or a resumed run sees the same noise.
        predictions = simulated_predictions(points, shape.labels, [(v["mask"], v["depth"]) for v in views],
                                            self.cameras, len(shape.part_names), kind=self.kind, preset=self.preset,
                                            seed=self.seed + zlib.crc32(shape.shape_id.encode()))
        if self.kind == "box":
            return "box", predictions, BOX_SCORE_THRESHOLD if self.score_threshold is None else self.score_threshold
        return "pixel", predictions, None

    def _vlm_predict(self, shape, views):
        if self._vlm is None:  # loaded on the first cache miss only: a fully cached run needs no model
            from ..teachers.factory import load_teacher
            options = {} if self.score_threshold is None else {"score_threshold": self.score_threshold}
            self._vlm = load_teacher(self.teacher, models_dir=self.models_dir, device=self.device, **options)
        predictions = self._vlm.predict([v["image"] for v in views], list(shape.prompts), [v["mask"] for v in views])
        return self._vlm.kind, predictions, getattr(self._vlm, "score_threshold", None)

    def num_parts(self, shape) -> int:
        """Parts the units score: the simulated teacher knows every labelled part, a VLM only the
        prompted ones (Lamp: 2 prompts for 4 labelled parts, as in the paper)."""
        return len(shape.part_names) if self.simulated else len(shape.prompts)
