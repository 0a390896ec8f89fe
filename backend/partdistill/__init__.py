"""PartDistill: zero-shot 3D part segmentation by distilling a 2D vision-language model.

The public API: knowledge units and the teacher vote here, metrics in `partdistill.metrics`.
This package never imports Blender.
"""

from . import metrics
from .baselines import vote
from .errors import PartDistillError
from .units import KnowledgeUnits

__all__ = ["KnowledgeUnits", "vote", "metrics", "PartDistillError"]
__version__ = "0.1.0"
