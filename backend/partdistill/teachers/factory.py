"""Pick the teacher class that runs a model, from the model's config (registered name, hub id or directory)."""

from ..errors import PartDistillError
from .dense_clip import DenseClipTeacher
from .grounding_dino import GroundingDinoTeacher
from .models import locate, model_type_of
from .owlv2 import Owlv2Teacher
from .teacher import Teacher

TEACHERS: dict[str, type[Teacher]] = {cls.model_type: cls
                                      for cls in (DenseClipTeacher, Owlv2Teacher, GroundingDinoTeacher)}


def load_teacher(model: str, *, models_dir=None, allow_download: bool = False, **options) -> Teacher:
    """The teacher for `model` (e.g. "clip-b32", "owlv2", "grounding-dino", a hub id or a directory),
    built with the teacher's options (device, dtype, batch_size, score_threshold, ...)."""
    source, path = locate(model, models_dir, allow_download)
    model_type = model_type_of(path)
    if model_type not in TEACHERS:
        raise PartDistillError(f"{source.label} is a {model_type!r} model; teachers exist for "
                               f"{', '.join(sorted(TEACHERS))} models")
    return TEACHERS[model_type].from_directory(path, source.label, **options)
