"""Dataset readers against the real shared data (ShapeNetPart, PartNet-Mobility) and crafted bad files."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from partdistill.datasets import (
    CATEGORIES,
    PARTNETE_PARTS,
    PartNetMobility,
    ShapeNetPart,
    get_category,
    load_partnet_mobility,
    read_obj,
    read_shapenet_txt,
    semantic_part,
)
from partdistill.errors import DatasetError, PartDistillError

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CAP_SYNSET = "02954340"


@pytest.fixture(scope="module")
def data():
    if not DATA.is_dir():
        pytest.skip(f"shared data folder {DATA} is absent")
    return DATA


def _tsv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# ---------------------------------------------------------------- ShapeNetPart: category table

def test_category_table_matches_label_map(data):
    label_map = json.loads((data / "shapenetpart" / "label_map.json").read_text())["categories"]
    assert [c.name for c in CATEGORIES] == list(label_map)
    for category in CATEGORIES:
        entry = label_map[category.name]
        assert category.synset == entry["synset"]
        assert list(category.global_ids) == entry["part_ids"]
        assert list(category.part_names) == entry["part_names"]
    assert sum(c.num_parts for c in CATEGORIES) == 50


def test_prompts_follow_the_paper():
    cap, lamp, chair = get_category("Cap"), get_category("lamp"), get_category("03001627")
    assert cap.prompts == ("panels or crown", "visor or peak")
    assert chair.prompts == ("back", "seat", "leg", "armrest")
    # Lamp: the paper prompts 2 parts, the data labels 4.
    assert lamp.prompts == ("base", "lampshade") and lamp.num_parts == 4
    assert all(len(c.prompts) == c.num_parts for c in CATEGORIES if c.name != "Lamp")


def test_unknown_category_is_an_error():
    with pytest.raises(PartDistillError, match="unknown ShapeNetPart category 'Sofa'"):
        get_category("Sofa")


# ---------------------------------------------------------------- ShapeNetPart: the real files

def test_every_test_shape_matches_its_manifest(data):
    dataset = ShapeNetPart(data / "shapenetpart")
    rows = _tsv(data / "shapenetpart" / "test_shapes_manifest.tsv")
    assert len(rows) == 12
    for row in rows:
        category = get_category(row["synset"])
        assert category.name == row["category"]
        shape = dataset.load(row["synset"], row["shape_id"])
        assert shape.points.shape == shape.normals.shape == (int(row["rows"]), 3)
        assert shape.points.dtype == shape.normals.dtype == np.float32
        assert shape.labels.dtype == np.int64
        assert set((shape.labels + category.start).tolist()) == {int(x) for x in row["labels_present"].split(",")}
        assert shape.labels.min() >= 0 and shape.labels.max() < category.num_parts
        assert shape.part_names == category.part_names and shape.prompts == category.prompts


def test_cap_shapes_match_their_manifest(data):
    dataset = ShapeNetPart(data / "shapenetpart")
    rows = _tsv(data / "shapenetpart" / "02954340_manifest.tsv")
    assert dataset.shape_ids("Cap") == sorted(r["shape_id"] for r in rows)
    for row in rows:
        shape = dataset.load("Cap", row["shape_id"])
        assert len(shape.points) == int(row["points_kept"])
        assert np.bincount(shape.labels, minlength=2).tolist() == [int(row["n_label6_panels"]),
                                                                   int(row["n_label7_peak"])]
        # NormalizeScale: the largest absolute coordinate is about 1.
        assert 0.95 < np.abs(shape.points).max() <= 1.001


def test_absent_parts_stay_absent(data):
    dataset = ShapeNetPart(data / "shapenetpart")
    for shape_id in dataset.shape_ids("Chair"):
        assert 3 not in dataset.load("Chair", shape_id).labels  # armrest, global 15
    lamp = dataset.load("Lamp", "b8c87ad9d4930983a8d82fc8a3e54728")
    assert 0 not in lamp.labels and set(lamp.labels.tolist()) == {1, 2, 3}  # no base (24)


def test_raw_reader_keeps_values_and_quirks(data):
    path = data / "shapenetpart" / "03624134" / "9d424831d05d363d870906b5178d97bd.txt"
    points, normals, labels = read_shapenet_txt(path)
    first = path.read_text().splitlines()[0].split()
    np.testing.assert_allclose(points[0], [float(v) for v in first[:3]], rtol=1e-6)
    assert labels[0] == int(float(first[6])) and set(labels.tolist()) == {22, 23}
    assert np.all(normals == 1.0, axis=1).sum() == 10  # the source's non-unit '1 1 1' normals are kept


def test_listing_without_split(data):
    dataset = ShapeNetPart(data / "shapenetpart")
    assert [c.name for c in dataset.categories()] == [
        "Airplane", "Cap", "Chair", "Guitar", "Knife", "Lamp", "Laptop", "Mug", "Table"]
    assert dataset.shape_ids("Cap") == dataset.shape_ids(CAP_SYNSET) and len(dataset.shape_ids("Cap")) == 16
    assert dataset.shape_ids("Bag") == []
    assert "61c10dccfa8e508e2d66cbf6a91063" in dataset.shape_ids("Mug")  # the 30-character id


def test_split_without_its_list_is_an_error(data):
    with pytest.raises(DatasetError, match=r"shuffled_test_file_list\.json: split requested but its list is missing"):
        ShapeNetPart(data / "shapenetpart", split="test")


# ---------------------------------------------------------------- ShapeNetPart: split lists and bad files

ROW6 = "0.1 0.2 0.3 0 0 1 6\n"


@pytest.fixture
def split_root(tmp_path):
    for shape_id in ("aaa", "bbb", "ccc"):
        _write(tmp_path / CAP_SYNSET / f"{shape_id}.txt", ROW6 * 3)
    _write(tmp_path / "04379243" / "ttt.txt", "0 0 0 0 0 1 48\n")
    lists = tmp_path / "train_test_split"
    _write(lists / "shuffled_test_file_list.json",
           json.dumps([f"shape_data/{CAP_SYNSET}/ccc", "shape_data/04379243/ttt", f"shape_data/{CAP_SYNSET}/aaa"]))
    _write(lists / "shuffled_val_file_list.json", json.dumps([f"shape_data/{CAP_SYNSET}/bbb"]))
    return tmp_path


def test_split_lists_choose_shapes_in_list_order(split_root):
    test = ShapeNetPart(split_root, split="test")
    assert test.shape_ids("Cap") == ["ccc", "aaa"]
    assert [c.name for c in test.categories()] == ["Cap", "Table"]
    assert test.load("Table", "ttt").labels.tolist() == [1]
    val = ShapeNetPart(split_root, split="val")
    assert val.shape_ids("Cap") == ["bbb"] and val.shape_ids("Table") == []
    assert ShapeNetPart(split_root).shape_ids("Cap") == ["aaa", "bbb", "ccc"]
    with pytest.raises(DatasetError, match="shuffled_train_file_list.json: split requested"):
        ShapeNetPart(split_root, split="train")
    with pytest.raises(PartDistillError, match="unknown ShapeNetPart split 'dev'"):
        ShapeNetPart(split_root, split="dev")


def test_malformed_split_list_entry(split_root):
    _write(split_root / "train_test_split" / "shuffled_train_file_list.json", json.dumps(["shape_data/ok/x", 7]))
    with pytest.raises(DatasetError, match="entry 1 7 is not 'shape_data/<synset>/<shape_id>'"):
        ShapeNetPart(split_root, split="train")


@pytest.mark.parametrize("bad_row, line, message", [
    ("0.1 0.2 0.3 0 0 1\n", 3, "expected 7 values 'x y z nx ny nz label', found 6"),
    ("0.1 0.2 abc 0 0 1 6\n", 3, "value 3 'abc' is not a number"),
    ("0.1 0.2 0.3 0 0 1 6.5\n", 3, "value 7 '6.5' must be an integer label"),
    ("nan 0.2 0.3 0 0 1 6\n", 3, "value 1 is 'nan', not a finite number"),
    ("0.1 -inf 0.3 0 0 1 6\n", 3, "value 2 is '-inf', not a finite number"),
])
def test_corrupt_rows_name_file_and_line(tmp_path, bad_row, line, message):
    path = _write(tmp_path / "shape.txt", ROW6 + "\n" + bad_row + ROW6)  # a blank line 2 still counts
    with pytest.raises(DatasetError) as error:
        read_shapenet_txt(path)
    assert str(error.value) == f"{path}:{line}: {message}"
    assert error.value.path == path and error.value.line == line


@pytest.mark.parametrize("text", ["", "\n  \n"])
def test_empty_file_is_an_error(tmp_path, text):
    path = _write(tmp_path / "empty.txt", text)
    with pytest.raises(DatasetError, match=r"empty\.txt: empty file"):
        read_shapenet_txt(path)


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(DatasetError, match=r"nothere\.txt: file not found"):
        read_shapenet_txt(tmp_path / "nothere.txt")


def test_label_outside_category_names_line(tmp_path):
    path = _write(tmp_path / CAP_SYNSET / "s.txt", ROW6 + "\n" + ROW6 + "0 0 0 0 0 1 12\n")
    with pytest.raises(DatasetError) as error:
        ShapeNetPart(tmp_path).load("Cap", "s")
    assert str(error.value) == f"{path}:4: label 12 is outside Cap's part ids 6-7"


# ---------------------------------------------------------------- OBJ reader

def test_obj_faces_in_every_form_with_polygons(tmp_path):
    path = _write(tmp_path / "m.obj", "\n".join([
        "# comment", "mtllib m.mtl", "o part", "v 0 0 0", "v 1 0 0 1.0", "v 1 1 0 0.5 0.5 0.5", "v 0 1 0",
        "v 0.5 1.5 0", "vt 0 0", "vn 0 0 1", "usemtl a", "s off", "g grp",
        "f 1 2 3", "f 1/1 3/1 4/1", "f 1//1 2//1 3//1 4//1", "f 1/1/1 2/1/1 3/1/1 5/1/1 4/1/1"]) + "\n")
    vertices, faces = read_obj(path)
    assert vertices.shape == (5, 3) and vertices.dtype == np.float64
    np.testing.assert_array_equal(vertices[2], [1, 1, 0])
    assert faces.dtype == np.int64
    assert faces.tolist() == [[0, 1, 2], [0, 2, 3], [0, 1, 2], [0, 2, 3], [0, 1, 2], [0, 2, 4], [0, 4, 3]]


def test_obj_negative_indices_count_back_from_the_vertices_so_far(tmp_path):
    path = _write(tmp_path / "m.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf -3 -2 -1\nv 0 0 1\nf -4/1 -1//2 -2/3/4\n")
    _, faces = read_obj(path)
    assert faces.tolist() == [[0, 1, 2], [0, 3, 2]]


@pytest.mark.parametrize("text, line, message", [
    ("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 4\n", 4, "face refers to vertex 4, but the file has 3 vertices"),
    ("v 0 0 0\nf -2 -1 -1\n", 2, "relative face index -2 reaches before the first vertex"),
    ("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 0 1 2\n", 4, "face vertex index 0"),
    ("v 0 0 0\nv 1 0 0\nf 1 2\n", 3, "face needs at least 3 vertices, found 2"),
    ("v 0 0 0\nf a/1 b/2 c/3\n", 2, "face corner 'a/1' does not start with a vertex index"),
    ("v 0 x 0\n", 1, "vertex coordinates '0 x 0' are not numbers"),
    ("v 0 0\n", 1, "vertex needs x y z, found 2 values"),
    ("v 0 nan 0\n", 1, "vertex has a NaN or infinite coordinate"),
])
def test_obj_errors_name_file_and_line(tmp_path, text, line, message):
    path = _write(tmp_path / "bad.obj", text)
    with pytest.raises(DatasetError, match=message) as error:
        read_obj(path)
    assert str(error.value).startswith(f"{path}:{line}: ")


def test_obj_missing_file(tmp_path):
    with pytest.raises(DatasetError, match=r"none\.obj: OBJ file not found"):
        read_obj(tmp_path / "none.obj")


# ---------------------------------------------------------------- PartNet-Mobility

@pytest.fixture(scope="module")
def chair(data):
    return load_partnet_mobility(data / "partnet_mobility" / "179")


def _obj_triangles(path: Path) -> int:
    """Triangles a fan triangulation makes of an OBJ's faces, counted independently of read_obj."""
    return sum(len(line.split()) - 3 for line in path.read_text().splitlines() if line.startswith("f "))


def test_partnete_table_matches_meta(data):
    meta = json.loads((data / "partnete" / "PartNetE_meta.json").read_text())
    assert {k: tuple(v) for k, v in meta.items()} == PARTNETE_PARTS and len(PARTNETE_PARTS) == 45


def test_chair_parts_points_and_mesh(data, chair):
    assert chair.anno_id == "179" and chair.category == "Chair"
    assert chair.part_names == ("arm", "back", "leg", "seat", "wheel")
    assert {chair.part_names[leaf.part] for leaf in chair.leaves if leaf.part >= 0} == set(chair.part_names)
    assert len(chair.leaves) == 35
    assert chair.hierarchy[105] == ("chair", "chair_back", "back_surface", "back_soft_surface")

    assert chair.points.shape == (10000, 3) and chair.points.dtype == np.float32
    assert (chair.point_labels >= 0).mean() > 0.95
    assert set(np.unique(chair.point_labels).tolist()) == {0, 1, 2, 3, 4}
    part_of_leaf = {leaf.id: leaf.part for leaf in chair.leaves}
    assert [part_of_leaf[i] for i in chair.point_leaf_ids[:50].tolist()] == chair.point_labels[:50].tolist()

    folder = data / "partnet_mobility" / "179" / "textured_objs"
    objs = [obj for leaf in chair.leaves for obj in leaf.objs]
    assert len(objs) == 39
    assert len(chair.mesh.faces) == sum(_obj_triangles(folder / f"{obj}.obj") for obj in objs)
    assert chair.mesh.part_names == chair.part_names
    assert chair.mesh.face_labels.min() >= 0 and chair.mesh.face_labels.max() == 4
    assert chair.face_leaf_ids.shape == chair.mesh.face_labels.shape


def test_chair_points_lie_on_the_mesh(chair):
    # Each part's points lie within the bounding box of that part's faces: sample and mesh agree.
    for part in range(len(chair.part_names)):
        corners = chair.mesh.vertices[chair.mesh.faces[chair.mesh.face_labels == part]].reshape(-1, 3)
        lo, hi = corners.min(axis=0) - 1e-3, corners.max(axis=0) + 1e-3
        points = chair.points[chair.point_labels == part]
        inside = np.all((points >= lo) & (points <= hi), axis=1)
        assert inside.mean() > 0.99


# leaf count per PartNet-E part (-1 = no part) that the name matching gives on each shared object
EXPECTED_LEAF_PARTS = {
    "179": {"arm": 8, "back": 1, "leg": 8, "seat": 3, "wheel": 15},
    "3763": {"lid": 1, -1: 2},
    "7619": {"key": 115, -1: 1},
    "40147": {"door": 1, "drawer": 5, "handle": 2, -1: 20},
    "41083": {"door": 2, "drawer": 10, "handle": 4, -1: 20},
    "45780": {"door": 2, "handle": 2, -1: 19},
    "45940": {"door": 2, "drawer": 5, "handle": 3, -1: 17},
    "102442": {"button": 12, -1: 1},
}


def test_every_object_maps_its_leaves(data):
    dataset = PartNetMobility(data / "partnet_mobility")
    assert dataset.anno_ids() == list(EXPECTED_LEAF_PARTS)
    assert dataset.anno_ids("StorageFurniture") == ["40147", "41083", "45780", "45940"]
    for anno_id, expected in EXPECTED_LEAF_PARTS.items():
        obj = dataset.load(anno_id)
        counts: dict = {}
        for leaf in obj.leaves:
            key = obj.part_names[leaf.part] if leaf.part >= 0 else -1
            counts[key] = counts.get(key, 0) + 1
        assert counts == expected, anno_id
        assert obj.mesh.face_labels.min() >= -1 and obj.mesh.face_labels.max() < len(obj.part_names)
        if anno_id == "102442":
            assert obj.points is None and obj.point_labels is None
        else:
            assert obj.points.shape == (10000, 3) and obj.point_labels.shape == (10000,)


@pytest.mark.parametrize("path, parts, expected", [
    (("chair", "chair_arm", "other", "other_leaf"), ("arm", "seat"), "arm"),
    (("chair", "chair_base", "caster", "caster_stem"), ("leg", "wheel"), "wheel"),
    (("table", "drawer", "drawer_handle"), ("drawer", "handle"), "handle"),
    (("trashcan", "foot_pedal"), ("footpedal", "lid"), "footpedal"),
    (("keyboard", "keys"), ("cord", "key"), "key"),
    (("door", "door_frame"), ("frame", "door"), "frame"),
    (("door", "glass_panel"), ("frame", "door"), None),  # the root (the whole door) is no part
    (("bottle", "normal_bottle", "body"), ("lid",), None),
])
def test_semantic_part_matching(path, parts, expected):
    assert semantic_part(path, parts) == (parts.index(expected) if expected else -1)


@pytest.fixture
def tiny_object(tmp_path):
    folder = tmp_path / "1"
    _write(folder / "meta.json", json.dumps({"model_cat": "Bottle"}))
    _write(folder / "result.json", json.dumps([{"id": 0, "name": "bottle", "children": [
        {"id": 1, "name": "lid", "objs": ["a"]}, {"id": 2, "name": "body", "objs": ["b"]}]}]))
    _write(folder / "textured_objs" / "a.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 1 1 0\nf 1 2 4 3\n")
    _write(folder / "textured_objs" / "b.obj", "v 0 0 1\nv 1 0 1\nv 0 1 1\nf 1 2 3\n")
    _write(folder / "point_sample" / "pts-10000.txt", "0 0 0\n0 0 1\n")
    _write(folder / "point_sample" / "label-10000.txt", "1\n2\n")
    return folder


def test_tiny_object_mesh_and_points(tiny_object):
    obj = load_partnet_mobility(tiny_object)
    assert obj.mesh.faces.tolist() == [[0, 1, 3], [0, 3, 2], [4, 5, 6]]
    assert obj.mesh.face_labels.tolist() == [0, 0, -1] and obj.face_leaf_ids.tolist() == [1, 1, 2]
    assert obj.point_labels.tolist() == [0, -1] and obj.point_leaf_ids.tolist() == [1, 2]


def test_missing_result_json(tiny_object):
    (tiny_object / "result.json").unlink()
    with pytest.raises(DatasetError, match=r"result\.json: missing; expected the PartNet part hierarchy"):
        load_partnet_mobility(tiny_object)


def test_missing_part_mesh(tiny_object):
    (tiny_object / "textured_objs" / "b.obj").unlink()
    with pytest.raises(DatasetError, match=r"b\.obj: missing; result\.json leaf 2 \(bottle/body\) lists it"):
        load_partnet_mobility(tiny_object)


def test_missing_or_foreign_meta(tiny_object):
    _write(tiny_object / "meta.json", json.dumps({"model_cat": "Fan"}))
    with pytest.raises(DatasetError, match="model_cat 'Fan' is not one of the 45 PartNet-E categories"):
        load_partnet_mobility(tiny_object)
    (tiny_object / "meta.json").unlink()
    with pytest.raises(DatasetError, match=r"meta\.json: missing; expected meta\.json"):
        load_partnet_mobility(tiny_object)


def test_point_sample_errors(tiny_object):
    labels = tiny_object / "point_sample" / "label-10000.txt"
    labels.write_text("1\n7\n")
    with pytest.raises(DatasetError, match=r"label-10000\.txt:2: label 7 is not a leaf node id"):
        load_partnet_mobility(tiny_object)
    labels.write_text("1\n")
    with pytest.raises(DatasetError, match="1 labels for the 2 points"):
        load_partnet_mobility(tiny_object)
    labels.unlink()
    with pytest.raises(DatasetError, match=r"label-10000\.txt: missing, but pts-10000\.txt is present"):
        load_partnet_mobility(tiny_object)


def test_leaf_without_objs(tiny_object):
    lid_without_objs = {"id": 1, "name": "lid"}
    _write(tiny_object / "result.json", json.dumps([{"id": 0, "name": "bottle", "children": [lid_without_objs]}]))
    with pytest.raises(DatasetError, match=r"leaf 1 \(bottle/lid\) has no 'objs'"):
        load_partnet_mobility(tiny_object)
