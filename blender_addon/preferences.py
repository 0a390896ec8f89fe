"""Add-on preferences: how to reach the backend, where models live, and whether to download them."""

import bpy
from bpy.props import BoolProperty, EnumProperty, StringProperty

ADDON_ID = __package__  # the add-on's module name, whether installed as a legacy add-on or an extension


class PARTDISTILL_AP_preferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_ID

    backend_mode: EnumProperty(
        name="Backend", default="AUTO",
        items=[("AUTO", "Automatic", "In Blender's Python when it can import torch, otherwise the worker"),
               ("IN_PROCESS", "In Blender", "Run the backend inside Blender's Python (needs torch there)"),
               ("WORKER", "Worker process", "Run the backend in the Python set below")])
    python_path: StringProperty(
        name="Backend Python", subtype="FILE_PATH",
        description="A Python with torch, scipy and transformers installed (e.g. .venv/bin/python)")
    models_dir: StringProperty(
        name="Models Directory", subtype="DIR_PATH",
        description="Where the vision-language models are (empty: $PARTDISTILL_MODELS, else the Hugging Face cache)")
    device: EnumProperty(
        name="Backend Device", default="AUTO",
        items=[("AUTO", "Automatic", "CUDA when the backend sees a GPU, else the CPU"),
               ("CPU", "CPU", "Always the CPU"), ("CUDA", "CUDA", "An NVIDIA GPU")])
    allow_downloads: BoolProperty(
        name="Allow Model Downloads", default=False,
        description="Download a missing model from the Hugging Face hub (also needs Blender's online access)")

    def draw(self, context):
        layout = self.layout
        layout.prop(self, "backend_mode")
        row = layout.row()
        row.active = self.backend_mode != "IN_PROCESS"
        row.prop(self, "python_path")
        layout.prop(self, "models_dir")
        layout.prop(self, "device")
        layout.prop(self, "allow_downloads")


def preferences(context) -> PARTDISTILL_AP_preferences:
    return context.preferences.addons[ADDON_ID].preferences


def downloads_allowed(context) -> bool:
    """The preference, and Blender's own online-access switch (4.2+) when it has one."""
    return preferences(context).allow_downloads and getattr(bpy.app, "online_access", True)
