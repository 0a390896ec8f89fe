"""Render a point cloud as Blender's point-cloud primitive (spheres), through ViewRenderer.

The Python API cannot size a PointCloud datablock (bpy.data.pointclouds.new makes an empty one and
has no resize), so the points go in as the loose vertices of a mesh and a Geometry Nodes
"Mesh to Points" modifier turns them into the point-cloud primitive that Cycles, EEVEE and
Workbench render as spheres, in Blender 3.4 as in 5.0. Cameras, passes and EXR reading are
ViewRenderer's; close() also removes the mesh and node group made here.
"""

import contextlib
from pathlib import Path

import numpy as np

from .chatter import blender_output_to
from .render import ViewRenderer


def points_mesh(points, name: str = "PartDistill points"):
    """A new mesh datablock whose vertices are points (N, 3), with no edges or faces."""
    import bpy

    points = np.asarray(points, dtype=np.float32).reshape(-1, 3)
    mesh = bpy.data.meshes.new(name)
    mesh.vertices.add(len(points))
    mesh.vertices.foreach_set("co", points.ravel())
    mesh.update()
    return mesh


def mesh_to_points_group(radius: float, name: str = "PartDistill mesh to points"):
    """A geometry node group: mesh vertices in, point cloud of spheres of `radius` out."""
    import bpy

    group = bpy.data.node_groups.new(name, "GeometryNodeTree")
    if hasattr(group, "interface"):  # Blender 4.0+ declares group sockets through the interface
        group.interface.new_socket("Geometry", in_out="INPUT", socket_type="NodeSocketGeometry")
        group.interface.new_socket("Geometry", in_out="OUTPUT", socket_type="NodeSocketGeometry")
    else:
        group.inputs.new("NodeSocketGeometry", "Geometry")
        group.outputs.new("NodeSocketGeometry", "Geometry")
    group_in = group.nodes.new("NodeGroupInput")
    group_out = group.nodes.new("NodeGroupOutput")
    to_points = group.nodes.new("GeometryNodeMeshToPoints")
    to_points.inputs["Radius"].default_value = float(radius)
    group.links.new(group_in.outputs[0], to_points.inputs["Mesh"])
    group.links.new(to_points.outputs["Points"], group_out.inputs[0])
    return group


class PointCloudRenderer(ViewRenderer):
    """Views of points (N, 3) drawn as spheres of `radius` (world units); render() and close() as
    ViewRenderer's. The caller picks the radius: about the points' spacing closes the surface."""

    def __init__(self, points, directory, radius: float, engine="CYCLES", resolution=512, samples=16,
                 device="CPU"):
        if not radius > 0:
            raise ValueError(f"the point radius must be positive, got {radius}")
        self._points_mesh = points_mesh(points)
        super().__init__(self._points_mesh, directory, engine, resolution, samples, device)
        self._group = mesh_to_points_group(radius)
        self.object.modifiers.new("PartDistill points", "NODES").node_group = self._group
        # No material: every engine shades the spheres in the default grey, like PartSLIP's
        # untextured renders.
        # Cycles' pixel filter and the background-depth mask are ViewRenderer's.

    def close(self):
        import bpy

        super().close()
        bpy.data.node_groups.remove(self._group)
        bpy.data.meshes.remove(self._points_mesh)


class BlenderPointRenderer:
    """The benchmark's renderer (partdistill.evaluation.views describes the protocol): each call
    renders the given OpenCV cameras of a unit-sphere point cloud in a temporary scene, removed
    afterwards. Spheres are `radius_scale` point spacings wide (the spacing is the backend's
    splat radius, the median nearest-neighbour distance)."""

    def __init__(self, engine="CYCLES", samples=16, device="CPU", radius_scale=1.0, log=None):
        self.engine, self.samples, self.device, self.radius_scale = engine, int(samples), device, radius_scale
        self.log = log  # a file for Blender's own render notices; None leaves them on stdout

    @property
    def name(self) -> str:
        """What decides the pictures (part of the teacher cache key); Workbench takes no samples."""
        samples = "" if self.engine == "WORKBENCH" else f"-{self.samples}spp"
        return f"blender-{self.engine.lower()}{samples}-r{self.radius_scale:g}"

    def radius(self, points) -> float:
        from partdistill.geometry.render import default_splat_radius
        return self.radius_scale * default_splat_radius(points)

    def tolerance(self, points) -> float:
        """A sphere's front lies up to its radius before its centre, the point the depth test checks."""
        from partdistill.geometry.visibility import DEFAULT_DEPTH_TOLERANCE
        return DEFAULT_DEPTH_TOLERANCE + self.radius(points)

    def __call__(self, points, cameras) -> list[dict]:
        import tempfile

        with contextlib.ExitStack() as stack:
            if self.log is not None:
                Path(self.log).parent.mkdir(parents=True, exist_ok=True)
                stack.enter_context(blender_output_to(stack.enter_context(open(self.log, "a")).fileno()))
            directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="partdistill_views_"))
            renderer = PointCloudRenderer(points, directory, self.radius(points), self.engine,
                                          cameras[0].width, self.samples, self.device)
            try:
                return [renderer.render(i, cam.K, cam.world_to_cam) for i, cam in enumerate(cameras)]
            finally:
                renderer.close()
