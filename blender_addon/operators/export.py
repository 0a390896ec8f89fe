"""Export the segmented object as .glb: material slots per part and the `_part_*` attributes."""

import bpy
from bpy_extras.io_utils import ExportHelper

from ..scene.record import read_record


class PARTDISTILL_OT_export_glb(bpy.types.Operator, ExportHelper):
    """Export the active segmented object as binary glTF, keeping its part materials and attributes"""

    bl_idname = "partdistill.export_glb"
    bl_label = "Export Segmented .glb"
    filename_ext = ".glb"

    def execute(self, context):
        obj = context.active_object
        if obj is None or obj.type != "MESH" or read_record(obj) is None:
            self.report({"ERROR"}, "Select an object segmented by Segment Parts to export it")
            return {"CANCELLED"}
        export_object(context, obj, self.filepath)
        self.report({"INFO"}, f"Exported '{obj.name}' to {self.filepath}")
        return {"FINISHED"}


def export_object(context, obj, filepath: str) -> None:
    """Export obj alone; the selection is restored afterwards. glTF keeps material slots and the
    attributes whose names start with "_" (upper-cased on the way), not vertex groups."""
    selected = [o for o in context.view_layer.objects if o.select_get()]
    try:
        for o in selected:
            o.select_set(False)
        obj.select_set(True)
        bpy.ops.export_scene.gltf(filepath=filepath, export_format="GLB", use_selection=True,
                                  export_attributes=True, export_materials="EXPORT")
    finally:
        obj.select_set(obj in selected)
        for o in selected:
            o.select_set(True)
