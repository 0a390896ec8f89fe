"""View3D > Sidebar > PartDistill: the part list, the settings, Segment Parts and the results."""

import bpy

from ..scene.record import read_record


class PARTDISTILL_UL_parts(bpy.types.UIList):
    def draw_item(self, context, layout, data, item, icon, active_data, active_propname, index):
        layout.prop(item, "name", text="", emboss=False, icon="MESH_DATA")


class PARTDISTILL_PT_main(bpy.types.Panel):
    bl_label = "PartDistill"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "PartDistill"

    def draw(self, context):
        layout = self.layout
        s = context.scene.partdistill
        status = context.window_manager.partdistill_status
        obj = context.active_object
        layout.label(text=obj.name if obj else "No active object", icon="OBJECT_DATA" if obj else "ERROR")

        layout.label(text="Parts")
        row = layout.row()
        row.template_list("PARTDISTILL_UL_parts", "", s, "parts", s, "active_part", rows=4)
        col = row.column(align=True)
        col.operator("partdistill.part_add", icon="ADD", text="")
        col.operator("partdistill.part_remove", icon="REMOVE", text="")
        col.separator()
        col.operator("partdistill.part_move", icon="TRIA_UP", text="").direction = "UP"
        col.operator("partdistill.part_move", icon="TRIA_DOWN", text="").direction = "DOWN"
        layout.operator("partdistill.load_preset", icon="PRESET")
        layout.prop(s, "category")

        layout.prop(s, "teacher")
        if s.teacher == "simulated":
            layout.prop(s, "simulated_kind")
        elif s.teacher == "custom":
            layout.prop(s, "custom_teacher")
        layout.prop(s, "mode")
        if s.mode == "CHECKPOINT":
            layout.prop(s, "checkpoint")
        col = layout.column(align=True)
        col.prop(s, "num_views")
        col.prop(s, "resolution")
        col.prop(s, "engine")
        if s.engine != "WORKBENCH":
            col.prop(s, "samples")
        col.prop(s, "render_device")
        layout.prop(s, "backward")

        if status.running:
            _progress(layout, status)
        else:
            layout.operator("partdistill.segment", icon="PLAY")
        _results(layout, obj)
        layout.operator("partdistill.import_glb", icon="IMPORT")


def _progress(layout, status):
    text = f"{status.text} (Esc cancels)"
    if hasattr(layout, "progress"):  # Blender 4.0+
        layout.progress(factor=status.progress, text=text)
    else:
        layout.label(text=f"{100 * status.progress:.0f} %: {text}")


def _results(layout, obj):
    record = read_record(obj) if obj is not None else None
    if record is None:
        return
    summary = record.get("summary", {})
    box = layout.box()
    box.label(text="Results", icon="INFO")
    box.label(text=f"Teacher: {summary.get('teacher', '?')}")
    if summary.get("notice"):
        box.label(text="SIMULATED TEACHER: not a vision-language model", icon="ERROR")
    points, faces = summary.get("points_per_part", {}), summary.get("faces_per_part", {})
    for part in record.get("parts", []):  # a result imported from a .glb has no point counts
        counts = ([f"{points[part]} points"] if part in points else []) + [f"{faces.get(part, 0)} faces"]
        box.label(text=f"{part}: {', '.join(counts)}")
    seconds = summary.get("seconds", {})
    if seconds:
        box.label(text=f"{sum(seconds.values()):.1f} s: " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()))
    row = box.row(align=True)
    row.operator("partdistill.export_glb", icon="EXPORT")
    row.operator("wm.save_as_mainfile", text="Save .blend", icon="FILE_BLEND")
