"""Knowledge units from the simulated teacher for a labelled point cloud, end to end without Blender."""

import numpy as np

from .errors import PartDistillError
from .geometry.normalize import normalize_unit_sphere
from .pointviews import PointViews, render_point_views
from .teachers.simulated import DEFAULT_PRESET, KINDS, SimulatedTeacher, instance_parts, part_instances
from .units import KnowledgeUnits, units_from_boxes, units_from_pixel_maps


def simulated_units(points, labels, num_parts, kind="box", preset=None, seed=0, size=512) -> tuple[KnowledgeUnits, PointViews]:
    """Render the ten views of points (N, 3) and let a simulated `kind` teacher label them.

    Returns the knowledge units and the views (for visibility and pictures). The units are a
    benchmark of the distillation stage only: see teachers.simulated.SIMULATED_NOTICE.
    """
    if kind not in KINDS:
        raise PartDistillError(f"teacher kind must be one of {KINDS}, got {kind!r}")
    pts, _, _ = normalize_unit_sphere(points)
    views = render_point_views(pts, size=size)
    instances = part_instances(pts, labels)
    inst_part = instance_parts(instances, labels)
    images = views.point_images(instances)
    teacher = SimulatedTeacher(num_parts, preset or DEFAULT_PRESET[kind], seed)
    if kind == "box":
        units = units_from_boxes(views.projections, teacher.boxes(images, inst_part))
    else:
        units = units_from_pixel_maps(views.projections, teacher.pixel_maps(images, inst_part))
    return units, views
