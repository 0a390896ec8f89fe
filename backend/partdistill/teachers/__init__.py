"""Teachers: turn rendered views and part prompts into 2D predictions (boxes or pixel maps).

Real VLM teachers (transformers models, loaded offline unless asked): `DenseClipTeacher` (P-VLM),
`Owlv2Teacher` and `GroundingDinoTeacher` (B-VLM); `load_teacher` picks one from the model.
The simulated teacher lives in `teachers.simulated`.
"""

from .base import BoxPrediction, PixelPrediction
from .dense_clip import DenseClipTeacher
from .factory import TEACHERS, load_teacher
from .grounding_dino import GroundingDinoTeacher
from .models import MODELS, download, models_dir
from .owlv2 import Owlv2Teacher
from .prompts import part_prompts, preset_categories, preset_prompts
from .teacher import Teacher

__all__ = ["BoxPrediction", "PixelPrediction", "Teacher", "DenseClipTeacher", "Owlv2Teacher",
           "GroundingDinoTeacher", "TEACHERS", "load_teacher", "MODELS", "download", "models_dir",
           "part_prompts", "preset_categories", "preset_prompts"]
