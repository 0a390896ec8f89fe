"""Write a segmentation onto an object: vertex groups, material slots, face materials, attributes.

What the add-on wrote is listed in the object's RECORD property (and its materials carry
MATERIAL_TAG), so that a new run removes exactly that and never the user's own groups, slots or
attributes. The caller's operator makes the whole write one undo step.
"""

import numpy as np

from ..validate import attribute_name
from .record import RECORD, read_record, write_record
from .render import to_srgb8

MATERIAL_TAG = "partdistill_part"
MATERIAL_PREFIX = "PartDistill "  # part_material names a part's material MATERIAL_PREFIX + part


def clear(obj) -> None:
    """Remove this add-on's vertex groups, material slots, attributes and record from obj."""
    record = read_record(obj) or {}
    for name in record.get("groups", []):
        group = obj.vertex_groups.get(name)
        if group is not None:
            obj.vertex_groups.remove(group)
    mesh = obj.data
    for name in record.get("attributes", []):
        attribute = mesh.attributes.get(name)
        if attribute is not None:
            mesh.attributes.remove(attribute)
    for index in reversed(range(len(mesh.materials))):
        material = mesh.materials[index]
        if material is not None and MATERIAL_TAG in material:
            mesh.materials.pop(index=index)
    if RECORD in obj:
        del obj[RECORD]


def write(obj, part_names, vertex_probs: np.ndarray, polygon_labels: np.ndarray, colors: np.ndarray,
          summary: dict) -> None:
    """vertex_probs (V, R) for obj's mesh vertices, polygon_labels (P,) in [0, R), colors (R, 3)
    uint8 sRGB. Replaces what an earlier run wrote."""
    mesh = obj.data
    if vertex_probs.shape[0] != len(mesh.vertices) or polygon_labels.shape[0] != len(mesh.polygons):
        raise ValueError("the result does not match the mesh's vertices and faces")
    clear(obj)
    groups = []
    for r, name in enumerate(part_names):
        group = obj.vertex_groups.new(name=name)
        for index, weight in enumerate(vertex_probs[:, r].tolist()):
            group.add([index], weight, "REPLACE")
        groups.append(group.name)
    first_slot = len(mesh.materials)
    materials = []
    for name, color in zip(part_names, colors):
        material = part_material(name, color)
        mesh.materials.append(material)
        materials.append(material.name)
    mesh.polygons.foreach_set("material_index", (first_slot + polygon_labels).astype(np.int32))
    attributes = []
    for r, name in enumerate(part_names):
        attribute = mesh.attributes.new(attribute_name(name), "FLOAT", "POINT")
        attribute.data.foreach_set("value", vertex_probs[:, r].astype(np.float32))
        attributes.append(attribute.name)
    mesh.update()
    write_record(obj, {"parts": list(part_names), "groups": groups, "materials": materials,
                       "attributes": attributes, "summary": summary})


def set_summary(obj, summary: dict) -> None:
    """Replace the run summary kept in obj's record (the results box shows it)."""
    write_record(obj, {**read_record(obj), "summary": summary})


def part_material(name: str, color):
    """This add-on's material for a part, reused across runs, coloured color (sRGB uint8)."""
    import bpy

    material = next((m for m in bpy.data.materials
                     if m.get(MATERIAL_TAG) == name and m.library is None), None)
    if material is None:
        material = bpy.data.materials.new(MATERIAL_PREFIX + name)
        material[MATERIAL_TAG] = name
    rgba = (*srgb_to_linear(np.asarray(color) / 255.0), 1.0)
    material.diffuse_color = rgba
    if material.node_tree is None:
        material.use_nodes = True  # Blender < 5 makes materials without nodes
    principled = _principled(material)
    if principled is not None:
        principled.inputs["Base Color"].default_value = rgba
    return material


def material_srgb8(material, base_color: bool = True) -> tuple:
    """The material's colour as sRGB bytes (r, g, b): its Principled BSDF's Base Color (what glTF
    import sets) when base_color and it has one, else its viewport colour (what Workbench shows)."""
    principled = _principled(material) if base_color else None
    color = material.diffuse_color if principled is None else principled.inputs["Base Color"].default_value
    return tuple(to_srgb8(np.asarray(color, dtype=np.float64).reshape(1, 1, 4))[0, 0].tolist())


def _principled(material):
    """The material's Principled BSDF node, or None (no node tree, or no such node)."""
    if material.node_tree is None:
        return None
    return next((n for n in material.node_tree.nodes if n.type == "BSDF_PRINCIPLED"), None)


def srgb_to_linear(c: np.ndarray) -> tuple:
    """Material colours are linear; the palette is sRGB."""
    return tuple(np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).tolist())
