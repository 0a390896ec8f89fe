"""Bundled procedural sample shapes (chair, table, mug, lamp, airplane) with part labels."""

from .procedural import CATEGORIES, make_collection, make_shape

__all__ = ["CATEGORIES", "make_collection", "make_shape"]
