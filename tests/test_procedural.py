"""Procedural sample shapes: closed outward surfaces, sensible labels, seeded variety, clear errors."""

from functools import lru_cache

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from partdistill.errors import PartDistillError
from partdistill.mesh import Mesh
from partdistill.samples import CATEGORIES, make_collection, make_shape
from partdistill.samples.primitives import (box, cylinder, ellipsoid, frustum, rotate, scale, shell,
                                            signed_volume, translate, tube, vessel)

COLLECTION_SIZE = 8


@lru_cache(maxsize=None)
def collection(category: str) -> tuple[Mesh, ...]:
    return tuple(make_collection(category, COLLECTION_SIZE, seed=0))


def all_shapes():
    return [(category, i, mesh) for category in CATEGORIES for i, mesh in enumerate(collection(category))]


def assert_closed_and_oriented(mesh: Mesh):
    """Every edge is used once in each direction: watertight, and neighbouring faces wind consistently."""
    f, v = mesh.faces, len(mesh.vertices)
    directed = np.concatenate([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]])
    codes = directed[:, 0] * v + directed[:, 1]
    assert len(np.unique(codes)) == len(codes), "an edge is used twice in the same direction"
    assert np.isin(directed[:, 1] * v + directed[:, 0], codes).all(), "an edge has only one face"
    undirected = np.unique(np.sort(directed, axis=1), axis=0, return_counts=True)[1]
    assert (undirected == 2).all()


def component_volumes(mesh: Mesh) -> np.ndarray:
    """Signed volume of each connected piece of the mesh."""
    f, v = mesh.faces, len(mesh.vertices)
    graph = coo_matrix((np.ones(2 * len(f)), (f[:, [0, 1]].ravel(), f[:, [1, 2]].ravel())), shape=(v, v))
    count, labels = connected_components(graph, directed=False)
    face_component = labels[f[:, 0]]
    return np.array([signed_volume(mesh.vertices, f[face_component == c]) for c in range(count)])


def test_categories_are_the_documented_part_lists():
    assert CATEGORIES == {
        "chair": ("back", "seat", "leg", "arm"),
        "table": ("tabletop", "leg", "drawer"),
        "mug": ("handle", "cup"),
        "lamp": ("base", "lampshade", "tube"),
        "airplane": ("body", "wing", "tail", "engine"),
    }


@pytest.mark.parametrize("category", CATEGORIES)
def test_shapes_are_watertight_with_outward_normals(category):
    for mesh in collection(category):
        assert_closed_and_oriented(mesh)
        volumes = component_volumes(mesh)
        assert len(volumes) > 1 and (volumes > 0).all()
        assert mesh.face_areas().min() > 1e-9, "degenerate triangle"


@pytest.mark.parametrize("category", CATEGORIES)
def test_labels_index_the_part_names_and_every_part_occurs(category):
    seen = set()
    for mesh in collection(category):
        assert mesh.part_names == CATEGORIES[category]
        assert mesh.face_labels.min() >= 0 and mesh.face_labels.max() < mesh.num_parts
        seen |= set(mesh.face_labels.tolist())
    assert seen == set(range(len(CATEGORIES[category])))


def test_every_present_part_is_a_visible_share_of_the_surface():
    for category, seed, mesh in all_shapes():
        areas = np.bincount(mesh.face_labels, mesh.face_areas(), minlength=mesh.num_parts)
        present = areas[np.unique(mesh.face_labels)]
        assert present.min() > 0.01 * areas.sum(), (category, seed)


def test_some_chairs_have_arms_and_some_do_not():
    arm = CATEGORIES["chair"].index("arm")
    has_arms = [bool((mesh.face_labels == arm).any()) for mesh in collection("chair")]
    assert any(has_arms) and not all(has_arms)


def test_some_tables_have_drawers_and_structure_varies():
    drawer = CATEGORIES["table"].index("drawer")
    has_drawer = [bool((mesh.face_labels == drawer).any()) for mesh in collection("table")]
    assert any(has_drawer) and not all(has_drawer)
    assert len({len(mesh.faces) for mesh in collection("table")}) > 3


def test_y_is_up():
    def mean_height(mesh, category, part):
        return mesh.vertices[mesh.faces[mesh.face_labels == CATEGORIES[category].index(part)]][..., 1].mean()

    for chair in collection("chair"):
        leg, seat, back = (mean_height(chair, "chair", part) for part in ("leg", "seat", "back"))
        assert leg < seat < back
    for lamp in collection("lamp"):
        assert mean_height(lamp, "lamp", "base") < mean_height(lamp, "lamp", "lampshade")


def test_shapes_are_centred_unit_sized_and_moderately_detailed():
    for category, seed, mesh in all_shapes():
        lo, hi = mesh.vertices.min(0), mesh.vertices.max(0)
        assert 0.5 < np.linalg.norm(hi - lo) < 4, (category, seed)
        assert np.abs((lo + hi) / 2).max() < 0.05, (category, seed)
        assert 1000 <= len(mesh.faces) <= 6000, (category, seed, len(mesh.faces))


@pytest.mark.parametrize("category", CATEGORIES)
def test_same_seed_gives_identical_arrays(category):
    a, b = make_shape(category, seed=3), make_shape(category, seed=3)
    np.testing.assert_array_equal(a.vertices, b.vertices)
    np.testing.assert_array_equal(a.faces, b.faces)
    np.testing.assert_array_equal(a.face_labels, b.face_labels)


@pytest.mark.parametrize("category", CATEGORIES)
def test_different_seeds_give_different_shapes(category):
    shapes = collection(category)
    for a, b in zip(shapes, shapes[1:]):
        assert a.vertices.shape != b.vertices.shape or not np.allclose(a.vertices, b.vertices)


def test_collection_uses_consecutive_seeds():
    shapes = make_collection("mug", 3, seed=5)
    assert len(shapes) == 3
    np.testing.assert_array_equal(shapes[1].vertices, make_shape("mug", seed=6).vertices)
    assert make_collection("mug", 0) == []


def test_unknown_category_names_the_valid_ones():
    for call in (lambda: make_shape("sofa"), lambda: make_collection("sofa", 2)):
        with pytest.raises(PartDistillError, match="sofa") as info:
            call()
        assert all(name in str(info.value) for name in CATEGORIES)


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_bad_seed_or_count_is_rejected(bad):
    with pytest.raises(PartDistillError, match="seed"):
        make_shape("chair", seed=bad)
    with pytest.raises(PartDistillError, match="count"):
        make_collection("chair", bad)


@pytest.mark.parametrize("mesh, volume, tolerance", [
    (box((1.0, 0.05, 0.5)), 0.025, 1e-12),
    (cylinder(0.2, 0.5), np.pi * 0.2 ** 2 * 0.5, 0.02),
    (frustum(0.2, 0.0, 0.5), np.pi * 0.2 ** 2 * 0.5 / 3, 0.02),
    (ellipsoid((0.1, 0.2, 0.3)), 4 / 3 * np.pi * 0.1 * 0.2 * 0.3, 0.04),
    (shell(0.2, 0.2, 0.3, 0.02), np.pi * (0.2 ** 2 - 0.18 ** 2) * 0.3, 0.02),
    (vessel(0.3, 0.3, 0.8, 0.05), np.pi * (0.3 ** 2 * 0.8 - 0.25 ** 2 * 0.75), 0.02),
    (tube([[0, 0, 0], [0, 0.5, 0], [0, 1, 0]], 0.1, sides=24), np.pi * 0.1 ** 2, 0.02),
])
def test_primitives_are_closed_solids_of_the_right_volume(mesh, volume, tolerance):
    assert_closed_and_oriented(mesh)
    assert signed_volume(mesh.vertices, mesh.faces) == pytest.approx(volume, rel=tolerance)


def test_transforms_keep_normals_outward():
    solid = translate(rotate(scale(box((0.2, 0.3, 0.4)), (-1, 2, 1)), "z", 0.7, pivot=(1, 0, 0)), (0, 0, 5))
    assert_closed_and_oriented(solid)
    assert signed_volume(solid.vertices, solid.faces) == pytest.approx(0.2 * 0.6 * 0.4)
