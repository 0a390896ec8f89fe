"""Checks run before anything is rendered or written, so bad input changes nothing."""

import re

from .errors import UserError


def attribute_name(part: str) -> str:
    """The mesh attribute holding a part's probability: glTF export keeps only attributes whose
    names start with "_", and only letters, digits and "_" survive every exporter unchanged."""
    return "_part_" + re.sub(r"[^a-z0-9]+", "_", part.strip().lower()).strip("_")


def check_object(obj) -> None:
    """obj is an editable mesh object with faces, in Object Mode."""
    if obj is None:
        raise UserError("No active object: select the mesh to segment")
    if obj.type != "MESH":
        raise UserError(f"'{obj.name}' is not a mesh (its type is {obj.type.lower()}): select a mesh to segment")
    if obj.library is not None or obj.data.library is not None:
        raise UserError(f"'{obj.name}' is linked from another file and cannot be edited: "
                        "make it local first (Object > Relations > Make Local)")
    if obj.mode != "OBJECT":
        raise UserError(f"'{obj.name}' is in {obj.mode.replace('_', ' ').title()} Mode: switch to Object Mode")
    if len(obj.data.polygons) == 0:
        raise UserError(f"'{obj.name}' has no faces: the mesh is empty, there is nothing to segment")


def check_parts(names) -> list[str]:
    """At least two distinct, non-empty part names whose attribute names differ too."""
    names = [n.strip() for n in names]
    if len(names) < 2:
        raise UserError(f"Name at least two parts to segment (the list has {len(names)})")
    if not all(names):
        raise UserError("A part has no name: give every part in the list a name")
    seen = {}
    for name in names:
        key = attribute_name(name)
        if key == "_part_":
            raise UserError(f"Part name '{name}' needs at least one letter or digit")
        if key in seen:
            raise UserError(f"Part names '{seen[key]}' and '{name}' are the same name: make them differ")
        seen[key] = name
    return names
