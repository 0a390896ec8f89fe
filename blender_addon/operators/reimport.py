"""Import Segmented .glb: a file written by Export Segmented .glb comes back with its vertex groups."""

import bpy
from bpy_extras.io_utils import ImportHelper

from ..errors import UserError


class PARTDISTILL_OT_import_glb(bpy.types.Operator, ImportHelper):
    """Import a .glb written by Export Segmented .glb and rebuild its part vertex groups from its _PART_ attributes"""

    bl_idname = "partdistill.import_glb"
    bl_label = "Import Segmented .glb"
    bl_options = {"REGISTER", "UNDO"}
    filename_ext = ".glb"
    filter_glob: bpy.props.StringProperty(default="*.glb;*.gltf", options={"HIDDEN"})

    def execute(self, context):
        from ..scene.reimport import part_attributes, rebuild

        before = set(bpy.data.objects)
        try:
            bpy.ops.import_scene.gltf(filepath=self.filepath)
        except RuntimeError as exc:  # the importer reports an unreadable file this way
            self.report({"ERROR"}, f"Cannot import {self.filepath}: {str(exc).strip()}")
            return {"CANCELLED"}
        meshes = [o for o in bpy.data.objects if o not in before and o.type == "MESH"]
        segmented = [o for o in meshes if part_attributes(o.data)]
        for obj in segmented:
            try:
                parts = rebuild(obj, bpy.path.basename(self.filepath))
            except UserError as exc:
                self.report({"ERROR"}, str(exc))
                return {"CANCELLED"}
            self.report({"INFO"}, f"'{obj.name}': rebuilt the vertex groups of {', '.join(parts)}")
        if not segmented:
            self.report({"WARNING"}, f"{bpy.path.basename(self.filepath)} has no _PART_ attributes (it was not "
                                     "written by Export Segmented .glb): imported as plain meshes, no parts")
        return {"FINISHED"}
