"""PartDistill: zero-shot 3D part segmentation by distilling a 2D vision-language model.

The public API: knowledge units, the teacher vote and distillation here, metrics in
`partdistill.metrics`.
This package never imports Blender.
"""

from . import metrics
from .baselines import vote
from .distill import DistillResult, distill
from .errors import PartDistillError
from .prealign import prealign
from .units import KnowledgeUnits

__all__ = ["KnowledgeUnits", "vote", "distill", "DistillResult", "prealign", "metrics", "PartDistillError"]
__version__ = "0.1.0"
