"""Edit the part list: add, remove, reorder, or fill it from a category preset of the backend."""

import bpy
from bpy.props import EnumProperty, StringProperty

from ..errors import UserError
from ..preferences import preferences


class PARTDISTILL_OT_part_add(bpy.types.Operator):
    """Add a part to the list"""

    bl_idname = "partdistill.part_add"
    bl_label = "Add Part"
    bl_options = {"REGISTER", "UNDO"}

    name: StringProperty(name="Name", default="")

    def execute(self, context):
        s = context.scene.partdistill
        part = s.parts.add()
        part.name = self.name or f"part {len(s.parts)}"
        s.active_part = len(s.parts) - 1
        return {"FINISHED"}


class PARTDISTILL_OT_part_remove(bpy.types.Operator):
    """Remove the selected part from the list"""

    bl_idname = "partdistill.part_remove"
    bl_label = "Remove Part"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        s = context.scene.partdistill
        return 0 <= s.active_part < len(s.parts)

    def execute(self, context):
        s = context.scene.partdistill
        s.parts.remove(s.active_part)
        s.active_part = min(s.active_part, len(s.parts) - 1)
        return {"FINISHED"}


class PARTDISTILL_OT_part_move(bpy.types.Operator):
    """Move the selected part up or down the list"""

    bl_idname = "partdistill.part_move"
    bl_label = "Move Part"
    bl_options = {"REGISTER", "UNDO"}

    direction: EnumProperty(items=[("UP", "Up", ""), ("DOWN", "Down", "")])

    @classmethod
    def poll(cls, context):
        return len(context.scene.partdistill.parts) > 1

    def execute(self, context):
        s = context.scene.partdistill
        new = s.active_part + (-1 if self.direction == "UP" else 1)
        if 0 <= new < len(s.parts):
            s.parts.move(s.active_part, new)
            s.active_part = new
        return {"FINISHED"}


_PRESETS = {}  # id -> {"dataset", "category", "parts"}, loaded from the backend once
_ITEMS = []    # the enum items, kept alive here: Blender does not copy strings of dynamic enum items


def _preset_items(self, context):
    if not _ITEMS:
        try:
            _load_presets(context)
        except UserError as exc:
            return [("NONE", f"Presets unavailable: {exc}", "")]
    return _ITEMS


def _load_presets(context):
    from ..bridge import get_backend

    prefs = preferences(context)
    for p in get_backend(prefs.backend_mode, bpy.path.abspath(prefs.python_path)).presets():
        _PRESETS[p["id"]] = p
        _ITEMS.append((p["id"], f"{p['dataset']}: {p['category']}", ", ".join(p["parts"])))


class PARTDISTILL_OT_load_preset(bpy.types.Operator):
    """Fill the part list with a benchmark category's parts (ShapeNetPart, PartNet-E)"""

    bl_idname = "partdistill.load_preset"
    bl_label = "Load Part Preset"
    bl_options = {"REGISTER", "UNDO"}
    bl_property = "preset"

    preset: EnumProperty(name="Preset", items=_preset_items)

    def invoke(self, context, event):
        context.window_manager.invoke_search_popup(self)
        return {"RUNNING_MODAL"}

    def execute(self, context):
        preset = _PRESETS.get(self.preset)
        if preset is None:
            self.report({"ERROR"}, f"No part preset {self.preset!r}")
            return {"CANCELLED"}
        s = context.scene.partdistill
        s.parts.clear()
        for name in preset["parts"]:
            s.parts.add().name = name
        s.active_part = 0
        s.category = preset["category"]
        return {"FINISHED"}
