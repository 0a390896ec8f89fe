"""Render the views of one object in a temporary scene: RGB + depth to multilayer EXR, read back.

The scene holds a world-space copy of the object's evaluated mesh (meshdata.world_mesh_copy), one
camera, neutral light and nothing of the user's; close() removes every datablock it made, so the
user's scenes, render settings, selection and active object are never touched.
"""

import os

import numpy as np

from .cameras import opencv_camera, pose_camera
from .exr import read_exr

ENGINES = {"CYCLES": ("CYCLES",), "EEVEE": ("BLENDER_EEVEE_NEXT", "BLENDER_EEVEE"),
           "WORKBENCH": ("BLENDER_WORKBENCH",)}


class ViewRenderer:
    """Renders views of a world-space mesh at resolution x resolution pixels (the caller owns the mesh)."""

    def __init__(self, mesh, directory, engine="CYCLES", resolution=512, samples=16, device="CPU"):
        import bpy

        self.directory = str(directory)
        self.resolution = int(resolution)
        self._render_result_existed = "Render Result" in bpy.data.images
        self.scene = bpy.data.scenes.new("PartDistill views")
        self.object = bpy.data.objects.new("PartDistill shape", mesh)
        self.camera = bpy.data.objects.new("PartDistill camera", bpy.data.cameras.new("PartDistill camera"))
        self.sun = bpy.data.objects.new("PartDistill sun", bpy.data.lights.new("PartDistill sun", "SUN"))
        for ob in (self.object, self.camera, self.sun):
            self.scene.collection.objects.link(ob)
        self.scene.camera = self.camera
        # The views sit 2.2 bounding radii from the centre: clip far outside the object only.
        size = max(max(self.object.dimensions), 1e-6)
        self.camera.data.clip_start, self.camera.data.clip_end = 1e-3 * size, 1e3 * size
        self._far = self.camera.data.clip_end  # any depth at or past it is the background's (1e10)
        self._light()
        self._settings(engine, samples, device)

    def _light(self):
        """Grey ambient light plus one sun from above: lit faces stay below white (they must stand out
        from the white background) and shadowed faces stay well above black."""
        import bpy

        world = bpy.data.worlds.new("PartDistill world")
        world.color = (0.3, 0.3, 0.3)
        if world.node_tree is None:
            world.use_nodes = True  # Blender < 5 makes worlds without nodes
        background = next(n for n in world.node_tree.nodes if n.type == "BACKGROUND")
        background.inputs["Color"].default_value = (0.3, 0.3, 0.3, 1.0)
        self.scene.world = world
        self.sun.data.energy = 2.0
        self.sun.rotation_euler = (0.6, 0.2, 0.8)

    def _settings(self, engine, samples, device):
        scene, render = self.scene, self.scene.render
        for engine_id in ENGINES[engine]:
            try:
                render.engine = engine_id
                break
            except TypeError:  # EEVEE is BLENDER_EEVEE_NEXT in 4.2-4.4 and BLENDER_EEVEE elsewhere
                continue
        render.resolution_x = render.resolution_y = self.resolution
        render.resolution_percentage = 100
        render.pixel_aspect_x = render.pixel_aspect_y = 1.0
        render.film_transparent = True  # alpha is the object mask
        render.use_compositing = render.use_sequencer = False
        render.use_file_extension = False
        settings = render.image_settings
        if hasattr(settings, "media_type"):  # Blender 5.0 picks multilayer through the media type
            settings.media_type = "MULTI_LAYER_IMAGE"
        settings.file_format = "OPEN_EXR_MULTILAYER"
        settings.color_depth = "32"
        settings.exr_codec = "NONE"  # read_exr reads uncompressed files only
        scene.view_settings.view_transform = "Standard"
        scene.view_layers[0].use_pass_z = True
        if render.engine == "CYCLES":
            scene.cycles.samples = int(samples)
            scene.cycles.use_denoising = False  # Debian's Blender has no OpenImageDenoise
            scene.cycles.use_adaptive_sampling = False
            scene.cycles.device = "GPU" if device == "GPU" else "CPU"
            # Every sample through the pixel centre: with the default 1.5 px filter, a pixel on the
            # silhouette's rim mixes samples that hit with samples that miss, and Cycles then stores
            # the background's depth (1e10) there (measured on a point cloud: 18 such pixels of a
            # mug's view at 4 samples, 56 at 16), which makes the points behind the rim pass the
            # depth test. It also keeps each pixel's Position pass on the ray through its centre.
            scene.cycles.filter_width = 0.01
        elif render.engine == "BLENDER_WORKBENCH":
            scene.display.shading.light = "STUDIO"
            scene.display.shading.color_type = "MATERIAL"
        else:
            scene.eevee.taa_render_samples = int(samples)

    def render(self, index: int, K: np.ndarray, world_to_cam: np.ndarray) -> dict:
        """Render one view posed like (K, world_to_cam). Returns image (H, W, 3) uint8 composited on
        white, depth (H, W) camera z (inf off the object), mask (H, W), the K and world_to_cam read
        back from the Blender camera, and channels: every pass of the EXR by name. A pixel whose depth
        is the background's is marked off the object (a safety net for the engines without a
        pixel-filter setting; see _settings)."""
        import bpy

        pose_camera(self.camera, K, world_to_cam, self.resolution, self.resolution)
        self.scene.render.filepath = os.path.join(self.directory, f"view_{index:02d}.exr")
        bpy.ops.render.render(write_still=True, scene=self.scene.name)
        channels = read_exr(self.scene.render.filepath)
        os.remove(self.scene.render.filepath)
        layer = self.scene.view_layers[0].name
        # EXR rows run top to bottom, as image rows do in the OpenCV convention.
        rgba = np.stack([channels[f"{layer}.Combined.{c}"] for c in "RGBA"], axis=-1)
        depth = channels[f"{layer}.Depth.Z"]
        mask = (rgba[..., 3] > 0.5) & (depth < self._far)
        depth = np.where(mask, depth, np.inf)
        K_cam, w2c = opencv_camera(self.camera, self.resolution, self.resolution)
        return {"image": to_srgb8(rgba), "depth": depth.astype(np.float32), "mask": mask,
                "K": K_cam, "world_to_cam": w2c, "channels": channels}

    def close(self):
        import bpy

        # Collect the data blocks first: an object's .data is unreachable once the object is removed.
        blocks = [(bpy.data.objects, self.object), (bpy.data.objects, self.camera), (bpy.data.objects, self.sun),
                  (bpy.data.cameras, self.camera.data),
                  (bpy.data.lights, self.sun.data), (bpy.data.worlds, self.scene.world),
                  (bpy.data.scenes, self.scene)]
        for collection, block in blocks:
            collection.remove(block)
        if not self._render_result_existed and "Render Result" in bpy.data.images:
            bpy.data.images.remove(bpy.data.images["Render Result"])


def to_srgb8(rgba: np.ndarray) -> np.ndarray:
    """Linear premultiplied RGBA (H, W, 4) -> sRGB (H, W, 3) uint8 over a white background."""
    linear = np.clip(rgba[..., :3] + (1.0 - rgba[..., 3:4]), 0.0, 1.0)
    srgb = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * np.power(linear, 1 / 2.4) - 0.055)
    return np.round(srgb * 255).astype(np.uint8)
