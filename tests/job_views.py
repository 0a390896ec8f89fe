"""A Segment Parts request without Blender: views rendered by the backend's point renderer stand in
for Blender's passes; the simulated teacher labels them from the chair's ground truth."""

import numpy as np

from partdistill.geometry.render import render_points
from partdistill.geometry.sampling import sample_surface
from partdistill.jobs.protocol import SegmentRequest, View
from partdistill.jobs.views import bounding_sphere, object_cameras
from partdistill.mesh import Mesh
from partdistill.samples import make_shape

Y_UP_TO_Z_UP = np.array([[1.0, 0, 0], [0, 0, -1], [0, 1, 0]])


def chair_request(size=64, num_points=512, **overrides) -> SegmentRequest:
    """A z-up chair scaled by 3 and moved off the origin (world space is not the unit sphere),
    with ten views whose depth and mask come from a dense point render."""
    shape = make_shape("chair", seed=0)
    vertices = shape.vertices @ Y_UP_TO_Z_UP.T * 3 + [1.0, 2.0, 3.0]
    center, radius = bounding_sphere(vertices)
    dense, _, _ = sample_surface(Mesh(vertices, shape.faces), 8000, seed=1)
    views = []
    for cam in object_cameras(center, radius, size, size):
        r = render_points(dense, cam)
        image = np.where(r.mask[..., None], np.uint8(120), np.uint8(255)).repeat(3, axis=2)
        views.append(View(image, r.depth, r.mask, cam.K, cam.world_to_cam))
    fields = dict(vertices=vertices, faces=shape.faces, part_names=shape.part_names, views=tuple(views),
                  face_labels=shape.face_labels, num_points=num_points)
    fields.update(overrides)
    return SegmentRequest(**fields)
