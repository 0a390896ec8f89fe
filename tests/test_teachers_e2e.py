"""Synthetic views of a procedural chair -> each tiny VLM teacher -> knowledge units -> distilled labels."""

import numpy as np
import pytest

import partdistill
from partdistill.geometry.sampling import sample_surface
from partdistill.pointviews import render_point_views
from partdistill.samples import make_shape
from partdistill.teachers import load_teacher, preset_prompts
from partdistill.units import units_from_boxes, units_from_pixel_maps

PALETTE = np.array([[200, 60, 50], [60, 160, 70], [50, 90, 200], [220, 180, 40]], dtype=np.uint8)


@pytest.fixture(scope="module")
def chair_views():
    """600 chair points, their 10 views at 48 px, RGB renders coloured by part, object masks."""
    mesh = make_shape("chair", seed=0)
    points, faces, _ = sample_surface(mesh, 600, seed=0)
    views = render_point_views(points, size=48)
    labels = views.point_images(mesh.face_labels[faces])
    images = [np.where(lab[..., None] >= 0, PALETTE[np.maximum(lab, 0)], np.uint8(255)) for lab in labels]
    masks = [r.mask for r in views.renders]
    return points, views, images, masks


@pytest.mark.parametrize("kind", ["clip", "owlv2", "grounding-dino"])
def test_views_to_teacher_to_units_to_point_labels(tiny_vlms, chair_views, kind):
    points, views, images, masks = chair_views
    prompts = preset_prompts("chair")
    # Random tiny detectors score at random: keep every box so that units exist.
    options = {} if kind == "clip" else {"score_threshold": 0.0}
    teacher = load_teacher(tiny_vlms[kind], batch_size=4, **options)
    preds = teacher.predict(images, prompts, masks=masks)
    if teacher.kind == "pixel":
        units = units_from_pixel_maps(views.projections, preds)
    else:
        units = units_from_boxes(views.projections, preds, score_threshold=teacher.score_threshold)
    assert len(units) > 0 and units.num_points == len(points) and units.num_parts == len(prompts)
    result = partdistill.distill(points, units, len(prompts))
    assert result.labels.shape == (len(points),)
    assert result.labels.min() >= 0 and result.labels.max() < len(prompts)
