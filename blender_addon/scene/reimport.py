"""Segment Parts' result back on a mesh imported from a segmented .glb.

glTF keeps the part material slots ("PartDistill <part>") and the `_part_*` attributes, upper-cased
on the way (`_PART_SEAT`), but has no vertex groups. rebuild() turns them back into what a run
writes (writeback.write): one vertex group per part weighted by its attribute, the part slots, the
`_part_*` attributes and the record, so the panel shows the parts and a new run replaces them.
"""

import re

import numpy as np

from ..errors import UserError
from ..validate import attribute_name
from .writeback import MATERIAL_PREFIX, MATERIAL_TAG, material_srgb8, write

PREFIX = "_part_"


def part_attributes(mesh) -> list:
    """The mesh's per-vertex float attributes named `_part_*` in any case."""
    return [a for a in mesh.attributes
            if a.name.lower().startswith(PREFIX) and a.domain == "POINT" and a.data_type == "FLOAT"]


def rebuild(obj, source: str = "a segmented .glb") -> list[str]:
    """Rebuild obj's parts from its `_part_*` attributes; returns the part names. The names come
    from the matching material slots (they keep case and spaces), else from the attributes.
    Any `_part_*` attribute the add-on did not write would become a part too."""
    mesh = obj.data
    attributes = part_attributes(mesh)
    if not attributes:
        raise UserError(f"'{obj.name}' has no _part_* attributes: it was not exported by "
                        "Export Segmented .glb, so there are no parts to rebuild")
    by_key = {a.name.lower(): a for a in attributes}
    parts, materials, columns = [], [], []
    # Parts in the order of their slots (glTF keeps it), then those whose slot the export dropped
    # (a part with no faces), named after their attributes.
    for material in mesh.materials:
        if material is not None and material.name.startswith(MATERIAL_PREFIX):
            # An import renames a material whose name is taken: "PartDistill seat.001".
            part = re.sub(r"\.\d{3}$", "", material.name[len(MATERIAL_PREFIX):])
            attribute = by_key.pop(attribute_name(part), None)
            if attribute is not None:
                parts.append(part)
                materials.append(material)
                columns.append(attribute)
    for key, attribute in by_key.items():
        parts.append(key[len(PREFIX):].replace("_", " "))
        materials.append(None)
        columns.append(attribute)
    probs = np.empty((len(mesh.vertices), len(columns)), dtype=np.float32)
    for r, attribute in enumerate(columns):
        attribute.data.foreach_get("value", probs[:, r])
    colors = np.array([material_srgb8(m) if m is not None else (127, 127, 127) for m in materials], dtype=np.uint8)
    labels = _polygon_labels(mesh, materials, probs)
    for material, part in zip(materials, parts):
        if material is not None:
            material[MATERIAL_TAG] = part  # so write() drops these slots and reuses the materials
    # By name: removing an attribute invalidates Python references to the others.
    for name in [a.name for a in attributes]:
        mesh.attributes.remove(mesh.attributes[name])
    counts = np.bincount(labels, minlength=len(parts)).tolist()
    summary = {"teacher": f"imported from {source}", "notice": "", "faces_per_part": dict(zip(parts, counts)),
               "seconds": {}}
    write(obj, parts, probs, labels, colors, summary)
    return parts


def _polygon_labels(mesh, materials, probs) -> np.ndarray:
    """(P,) each face's part: its part material slot, else the part most probable over its vertices."""
    slot_part = {mesh.materials[:].index(m): r for r, m in enumerate(materials) if m is not None}
    slots = np.empty(len(mesh.polygons), dtype=np.int64)
    mesh.polygons.foreach_get("material_index", slots)
    labels = np.array([slot_part.get(int(s), -1) for s in slots], dtype=np.int64)
    for index in np.flatnonzero(labels < 0):
        labels[index] = probs[list(mesh.polygons[index].vertices)].mean(axis=0).argmax()
    return labels

