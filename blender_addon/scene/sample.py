"""A bundled procedural sample (chair, table, mug, lamp, airplane) as a mesh object with its
ground-truth parts, so Segment Parts can be tried, and benchmarked, with the simulated teacher."""

import numpy as np

from .meshdata import TRUTH_ATTRIBUTE

# The samples are y-up (ShapeNet's convention); Blender is z-up.
Y_UP_TO_Z_UP = np.array([[1.0, 0, 0], [0, 0, -1], [0, 1, 0]])


def add_sample_object(category: str = "chair", seed: int = 0, name: str | None = None, truth: bool = True):
    """Link the sample to the scene as the active object, selected. Its integer face attribute
    TRUTH_ATTRIBUTE holds each face's part index (unless truth is False). Returns (object, shape)
    where shape is the backend's labelled Mesh (shape.face_labels, in face order)."""
    import bpy

    from ..bridge.locate import make_backend_importable

    make_backend_importable()
    from partdistill.samples import make_shape

    shape = make_shape(category, seed=seed)
    mesh = bpy.data.meshes.new(name or category)
    mesh.from_pydata((shape.vertices @ Y_UP_TO_Z_UP.T).tolist(), [], shape.faces.tolist())
    if truth:
        attribute = mesh.attributes.new(TRUTH_ATTRIBUTE, "INT", "FACE")
        attribute.data.foreach_set("value", shape.face_labels.astype(np.int32))
    obj = bpy.data.objects.new(name or category, mesh)
    bpy.context.scene.collection.objects.link(obj)
    bpy.context.view_layer.objects.active = obj
    obj.select_set(True)
    return obj, shape
