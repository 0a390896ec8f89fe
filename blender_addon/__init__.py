"""PartDistill for Blender: name the parts of a mesh, click Segment Parts, get vertex groups,
material slots and attributes per part (PartDistill, CVPR 2024).

Installs as a legacy add-on (bl_info, Blender 3.4+) and as an extension (blender_manifest.toml,
Blender 4.2+). Enabling it imports neither torch nor the backend: they load on the first run.
"""

bl_info = {
    "name": "PartDistill",
    "author": "PartDistill for Blender contributors",
    "version": (0, 1, 0),
    "blender": (3, 4, 0),
    "location": "View3D > Sidebar > PartDistill",
    "description": "Zero-shot 3D part segmentation distilled from a 2D vision-language model",
    "category": "Mesh",
}


def register():
    import bpy

    from .classes import CLASSES
    from .properties import register_pointers

    for cls in CLASSES:
        bpy.utils.register_class(cls)
    register_pointers()


def unregister():
    import bpy

    from .classes import CLASSES
    from .properties import unregister_pointers

    unregister_pointers()
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
