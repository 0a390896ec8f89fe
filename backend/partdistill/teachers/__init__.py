"""Teachers: turn rendered views and part prompts into 2D predictions (boxes or pixel maps)."""

from .base import BoxPrediction, PixelPrediction

__all__ = ["BoxPrediction", "PixelPrediction"]
