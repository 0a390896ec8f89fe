"""PSB reader against the real shared copy and crafted tiny OFF/.seg files."""

import csv
import re
from pathlib import Path

import numpy as np
import pytest

from partdistill.datasets import PSB, read_off, read_seg
from partdistill.errors import DatasetError
from partdistill.mesh import Mesh

PSB_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "psb"

QUAD_AND_TRIANGLE = """\
OFF
# a unit quad and a triangle above it
5 2 0
0 0 0
1 0 0
1 1 0
0 1 0   # trailing comment
0.5 2 0

4 0 1 2 3
3 3 2 4 255 0 0
"""


@pytest.fixture(scope="module")
def psb():
    if not PSB_ROOT.is_dir():
        pytest.skip(f"shared PSB folder {PSB_ROOT} is absent")
    return PSB(PSB_ROOT)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _manifest() -> list[dict]:
    with open(PSB_ROOT / "manifest.tsv", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


# --- the real data ----------------------------------------------------------------------------------


def test_real_psb_listing(psb):
    categories = psb.categories()
    assert len(categories) == 19 and "Human" in categories and "Fourleg" in categories
    assert sum(len(psb.mesh_ids(c)) for c in categories) == 33
    assert psb.mesh_ids("Fourleg") == ["386", "398"]
    assert psb.segmentations("Fourleg", "386") == [0, 1, 2, 3, 4]


def test_real_psb_mesh_and_segmentation(psb):
    rows = [r for r in _manifest() if r["category"] == "Hand" and r["model_id"] == "185"]
    assert rows
    vertices, faces = read_off(PSB_ROOT / "Hand" / "185.off")
    assert vertices.shape == (int(rows[0]["n_vertices"]), 3) and vertices.dtype == np.float64
    assert faces.shape == (int(rows[0]["n_faces"]), 3) and faces.dtype == np.int64
    for row in rows:
        k = int(row["human_seg_index"])
        mesh = psb.load("Hand", "185", segmentation=k)
        assert isinstance(mesh, Mesh)
        assert len(mesh.face_labels) == len(mesh.faces) == int(row["n_faces"])
        segments = int(row["n_segments"])
        assert mesh.part_names == tuple(f"segment {i}" for i in range(segments))
        # Contiguous: every id 0..R-1 occurs.
        assert np.array_equal(np.unique(mesh.face_labels), np.arange(segments))
        raw = read_seg(psb.seg_path("Hand", "185", k), len(faces))
        assert np.array_equal(np.unique(raw, return_inverse=True)[1].reshape(-1), mesh.face_labels)
    assert psb.load("Hand", "185", segmentation=None).face_labels is None


def test_real_psb_every_file_agrees_with_manifest(psb):
    for row in _manifest():
        mesh = psb.load(row["category"], row["model_id"], int(row["human_seg_index"]))
        assert len(mesh.vertices) == int(row["n_vertices"])
        assert len(mesh.faces) == len(mesh.face_labels) == int(row["n_faces"])
        assert mesh.num_parts == int(row["n_segments"]) == mesh.face_labels.max() + 1


def test_real_psb_line_reader_agrees_with_fast_path(psb, tmp_path):
    # A comment sends the file through the line-by-line reader instead of the numpy one.
    original = PSB_ROOT / "Hand" / "185.off"
    commented = _write(tmp_path / "185.off", "# commented copy\n" + original.read_text())
    for a, b in zip(read_off(original, return_source=True), read_off(commented, return_source=True)):
        assert np.array_equal(a, b)
    seg = psb.seg_path("Hand", "185", 0)
    copy = _write(tmp_path / "185_0.seg", "# commented copy\n" + seg.read_text())
    assert np.array_equal(read_seg(seg, 4974), read_seg(copy, 4974))


def test_real_psb_missing_pieces(psb):
    with pytest.raises(DatasetError, match=r"Sofa: PSB category folder not found; .*known categories: .*Human"):
        psb.mesh_ids("Sofa")
    with pytest.raises(DatasetError, match=r"Hand/1\.off: PSB mesh not found; expected <root>/<Category>/<id>\.off"):
        psb.load("Hand", "1")
    with pytest.raises(DatasetError, match=r"185_9\.seg: human segmentation 9 not found; .*present k: 0, 1, 2, 3, 4"):
        psb.load("Hand", "185", segmentation=9)


# --- crafted files ----------------------------------------------------------------------------------


def test_quad_is_fan_triangulated_and_labels_follow(tmp_path):
    path = _write(tmp_path / "Thing" / "7.off", QUAD_AND_TRIANGLE)
    vertices, faces, source = read_off(path, return_source=True)
    assert vertices.shape == (5, 3) and vertices[4].tolist() == [0.5, 2.0, 0.0]
    assert faces.tolist() == [[0, 1, 2], [0, 2, 3], [3, 2, 4]]
    assert source.tolist() == [0, 0, 1]
    assert np.array_equal(read_off(path)[1], faces)

    _write(tmp_path / "Thing" / "7_human_seg" / "7_0.seg", "5\n2\n")
    _write(tmp_path / "Thing" / "7_human_seg" / "7_1.seg", "3\n3\n")
    dataset = PSB(tmp_path)
    assert dataset.categories() == ["Thing"] and dataset.mesh_ids("Thing") == ["7"]
    mesh = dataset.load("Thing", "7")
    # ids {2, 5} -> 0, 1 in sorted order; both quad triangles carry the quad's label.
    assert mesh.face_labels.tolist() == [1, 1, 0]
    assert mesh.part_names == ("segment 0", "segment 1")
    one = dataset.load("Thing", 7, segmentation=1)
    assert one.face_labels.tolist() == [0, 0, 0] and one.part_names == ("segment 0",)


def test_header_and_counts_on_one_line(tmp_path):
    path = _write(tmp_path / "one.off", "OFF 3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n")
    vertices, faces = read_off(path)
    assert vertices.shape == (3, 3) and faces.tolist() == [[0, 1, 2]]
    # Also with the edge count left out, and a comment before the header.
    path = _write(tmp_path / "two.off", "# made by hand\nOFF\n3 1\n0 0 0\n1 0 0\n0 1 0\n3 2 1 0\n")
    assert read_off(path)[1].tolist() == [[2, 1, 0]]


@pytest.mark.parametrize("text, line, message", [
    # The header: the keyword and the counts.
    ("PLY\n3 1 0\n", 1, "header 'PLY' is not 'OFF'"),
    ("# c\n\nOF 3 1 0\n", 3, "header 'OF' is not 'OFF'"),
    ("4OFF\n3 1 0\n", 1, "unsupported OFF variant '4OFF'"),
    ("OFF\n3 one 0\n", 2, "counts '3 one 0' are not integers 'V F E'"),
    ("OFF 3\n", 1, "expected counts 'V F E', found '3'"),
    ("OFF\n", 1, "file ends after the header"),
    # The body: vertices and faces.
    ("OFF\n3 1 0\n0 0 0\n1 0 0\n", 4, "file ends after 2 of 3 vertices"),
    ("OFF\n3 2 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n", 6, "file ends after 1 of 2 faces"),
    ("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n", 6, "face refers to vertex 3, but the file has 3 vertices"),
    ("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 -1 2\n", 6, "face refers to vertex -1"),
    ("OFF\n3 1 0\n0 0 0\n1 0\n0 1 0\n3 0 1 2\n", 4, "vertex needs x y z, found 2 values"),
    ("OFF\n3 1 0\n0 0 0\n1 0 nan\n0 1 0\n3 0 1 2\n", 4, "NaN or infinite"),
    ("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n2 0 1\n", 6, "face needs at least 3 vertices, found 2"),
    ("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n4 0 1 2\n", 6, "face lists 3 indices for its 4 vertices"),
])
def test_malformed_off(tmp_path, text, line, message):
    path = _write(tmp_path / "bad.off", text)
    with pytest.raises(DatasetError, match=re.escape(message)) as error:
        read_off(path)
    assert error.value.line == line
    assert str(error.value).startswith(f"{path}:{line}: ")


def test_missing_or_empty_off(tmp_path):
    with pytest.raises(DatasetError, match=r"none\.off: OFF file not found"):
        read_off(tmp_path / "none.off")
    with pytest.raises(DatasetError, match=r"empty\.off: empty file, expected an 'OFF' header"):
        read_off(_write(tmp_path / "empty.off", "# nothing\n"))


@pytest.mark.parametrize("text, line, message", [
    ("0\n1\n", 2, "2 segment ids for the mesh's 3 faces"),
    ("0\n1\n1\n0\n", 4, "more segment ids than the mesh's 3 faces"),
    ("0\nx\n1\n", 2, "segment id 'x' is not an integer"),
    ("0\n-1\n1\n", 2, "segment id -1 is negative"),
    ("0\n1 2\n1\n", 2, "expected one segment id per line, found 2 values"),
])
def test_seg_errors(tmp_path, text, line, message):
    path = _write(tmp_path / "m_0.seg", text)
    with pytest.raises(DatasetError, match=re.escape(message)) as error:
        read_seg(path, 3)
    assert error.value.line == line
    assert str(error.value).startswith(f"{path}:{line}: ")
    assert read_seg(_write(tmp_path / "ok.seg", "4\n0\n4\n"), 3).tolist() == [4, 0, 4]


def test_seg_count_mismatch_through_psb(tmp_path):
    _write(tmp_path / "Thing" / "7.off", QUAD_AND_TRIANGLE)
    # Three lines for the three triangles, but the OFF file has two faces: labels are per OFF face.
    seg = _write(tmp_path / "Thing" / "7_human_seg" / "7_0.seg", "0\n0\n1\n")
    with pytest.raises(DatasetError, match=re.escape(f"{seg}:3: more segment ids than the mesh's 2 faces")):
        PSB(tmp_path).load("Thing", "7")


def test_psb_root_and_layout_errors(tmp_path):
    with pytest.raises(DatasetError, match=r"nothere: PSB root folder not found; expected <root>/<Category>/<id>\.off"):
        PSB(tmp_path / "nothere")
    _write(tmp_path / "Thing" / "7.off", QUAD_AND_TRIANGLE)
    dataset = PSB(tmp_path)
    with pytest.raises(DatasetError, match=r"7_0\.seg: human segmentation 0 not found; expected "
                                           r"7_human_seg/7_<k>\.seg; present k: none"):
        dataset.load("Thing", "7")
    assert dataset.load("Thing", "7", segmentation=None).faces.shape == (3, 3)
    with pytest.raises(DatasetError, match=r"Other: PSB category folder not found; .*known categories: Thing"):
        dataset.load("Other", "7")
