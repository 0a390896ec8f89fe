"""Readers for the part-labelled 3D datasets: ShapeNetPart, PartNet-Mobility (PartNet-E labels), PSB, OBJ/OFF meshes."""

from .obj import read_obj
from .partnet_mobility import (
    PART_ALIASES,
    PARTNETE_PARTS,
    Leaf,
    PartNetMobility,
    PartNetMobilityObject,
    load_partnet_mobility,
    read_category,
    read_leaves,
    semantic_part,
)
from .psb import PSB, read_off, read_seg
from .shapenetpart import (
    CATEGORIES,
    SPLITS,
    Category,
    ShapeNetPart,
    ShapeNetPartShape,
    get_category,
    read_numeric_table,
    read_shapenet_txt,
)

__all__ = [
    "CATEGORIES",
    "PART_ALIASES",
    "PARTNETE_PARTS",
    "PSB",
    "SPLITS",
    "Category",
    "Leaf",
    "PartNetMobility",
    "PartNetMobilityObject",
    "ShapeNetPart",
    "ShapeNetPartShape",
    "get_category",
    "load_partnet_mobility",
    "read_category",
    "read_leaves",
    "read_numeric_table",
    "read_obj",
    "read_off",
    "read_seg",
    "read_shapenet_txt",
    "semantic_part",
]
