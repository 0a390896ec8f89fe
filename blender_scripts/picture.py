"""A PNG of a segmented object: Workbench renders coloured by its part material slots, two views
side by side, and a legend of part colours with the teacher that made them.

Rendering goes through the add-on's ViewRenderer (a temporary scene, removed afterwards), so the
user's scene is untouched; the legend needs pillow (the project's environment has it).
"""

import tempfile
from pathlib import Path

import numpy as np

VIEWS = ((25, 35), (25, 215))  # (elevation, azimuth): front-left from above, then back-right
LEGEND_HEIGHT = 44


def render_views(obj, size: int = 384, engine: str = "WORKBENCH") -> list[np.ndarray]:
    """(size, size, 3) uint8 images of obj (modifiers applied) from VIEWS, on white."""
    import bpy

    from blender_addon.bridge.locate import make_backend_importable
    from blender_addon.scene.meshdata import mesh_arrays, world_mesh_copy
    from blender_addon.scene.render import ViewRenderer

    make_backend_importable()
    from partdistill.geometry.cameras import DEFAULT_DISTANCE, orbit_cameras
    from partdistill.jobs.views import bounding_sphere

    mesh = world_mesh_copy(obj, bpy.context.evaluated_depsgraph_get())
    try:
        center, radius = bounding_sphere(mesh_arrays(mesh).vertices)
        # A little closer than the teacher's views (2.2 radii): the object fills more of the frame.
        cameras = orbit_cameras(VIEWS, size, size, distance=0.9 * DEFAULT_DISTANCE * radius, up="z", center=center)
        with tempfile.TemporaryDirectory(prefix="partdistill_picture_") as tmp:
            renderer = ViewRenderer(mesh, tmp, engine, size)
            try:
                return [renderer.render(i, c.K, c.world_to_cam)["image"] for i, c in enumerate(cameras)]
            finally:
                renderer.close()
    finally:
        bpy.data.meshes.remove(mesh)


def save_picture(obj, path, caption: str = "", size: int = 384, engine: str = "WORKBENCH") -> Path:
    """Render obj (segmented by Segment Parts) and write the PNG to path; returns path."""
    import bpy
    from PIL import Image, ImageDraw

    from blender_addon.scene.record import read_record
    from blender_addon.scene.writeback import material_srgb8

    record = read_record(obj)
    if record is None:
        raise ValueError(f"'{obj.name}' has not been segmented: nothing to picture")
    views = np.concatenate(render_views(obj, size, engine), axis=1)
    canvas = Image.new("RGB", (views.shape[1], views.shape[0] + LEGEND_HEIGHT), "white")
    canvas.paste(Image.fromarray(views), (0, 0))
    draw = ImageDraw.Draw(canvas)
    x, y = 8, views.shape[0] + 6
    for part, material in zip(record["parts"], record["materials"]):
        # The viewport colour, which Workbench renders.
        color = material_srgb8(bpy.data.materials[material], base_color=False)
        draw.rectangle((x, y, x + 12, y + 12), fill=color)
        draw.text((x + 17, y), part, fill="black")
        x += 30 + int(draw.textlength(part))
    if caption:
        draw.text((8, y + 19), caption, fill=(150, 0, 0))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path)
    return path

