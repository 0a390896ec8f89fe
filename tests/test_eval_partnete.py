"""PartNet-E through the benchmark: PartNet-Mobility folders from the shared data, the PartSLIP
metric convention, "no part" points left unlabelled, and a folder that cannot be read skipped."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from eval_data import FAST

from partdistill import metrics
from partdistill.evaluation import evaluate

OBJECTS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "partnet_mobility"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    if not (OBJECTS / "3763").is_dir():
        pytest.skip(f"shared PartNet-Mobility object {OBJECTS / '3763'} is absent")
    root = tmp_path_factory.mktemp("partnet_mobility")
    shutil.copytree(OBJECTS / "3763", root / "3763")  # a Bottle: body, neck and lid; PartNet-E labels only the lid
    broken = root / "9999"
    shutil.copytree(OBJECTS / "3763", broken)
    (broken / "meta.json").write_text("{not json")
    out = tmp_path_factory.mktemp("out")
    result = evaluate(root, out, dataset="partnete", teacher="simulated", views=3, resolution=64, points=400,
                      config=FAST, num_figures=1)
    return out, result


def test_partnete_uses_the_partslip_convention(run):
    out, result = run
    assert result["convention"] == metrics.PARTNETE and set(result["methods"]["tta"]["categories"]) == {"Bottle"}
    table = (out / "results.md").read_text()
    assert metrics.PARTNETE in table and "| method (SIMULATED teacher) | Bottle | Overall |" in table
    with np.load(out / "shapes" / "Bottle" / "3763.npz") as z:
        gt, tta, vote = z["gt"], z["label_tta"], z["label_vote"]
    assert (gt == -1).any() and (gt == 0).any()
    # label_uncovered is off for PartNet-E: points no unit covers stay -1, as in the vote.
    assert np.array_equal(tta == -1, vote == -1)
    expected = metrics.partnete_summary([("Bottle", tta, gt, 1)])["overall_miou"]
    assert result["methods"]["tta"]["overall"] == pytest.approx(expected)


def test_unreadable_object_folder_is_listed(run):
    out, result = run
    skipped = json.loads((out / "metrics.json").read_text())["skipped"]
    assert len(skipped) == 1 and skipped[0]["shape_id"] == "9999" and "meta.json" in skipped[0]["reason"]


def write_partslip_shape(folder, points, labels):
    """pc.ply as Open3D writes it (binary little endian, double xyz, uchar rgb) and label.npy as
    PartSLIP's pickled dict."""
    folder.mkdir(parents=True)
    rows = np.zeros(len(points), dtype=[("x", "<f8"), ("y", "<f8"), ("z", "<f8"),
                                        ("red", "u1"), ("green", "u1"), ("blue", "u1")])
    rows["x"], rows["y"], rows["z"] = points.T
    header = (f"ply\nformat binary_little_endian 1.0\nelement vertex {len(points)}\nproperty double x\n"
              "property double y\nproperty double z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\n"
              "end_header\n")
    (folder / "pc.ply").write_bytes(header.encode() + rows.tobytes())
    np.save(folder / "label.npy", {"semantic_seg": labels, "instance_seg": labels})


def test_partslip_layout_with_its_pickled_labels(tmp_path):
    from partdistill.samples import make_shape
    from partdistill.geometry.sampling import sample_surface

    mesh = make_shape("mug", seed=0)
    points, faces, _ = sample_surface(mesh, 300, seed=0)
    # A Kettle's parts are lid, handle, spout: the mug's handle is "handle" (1), its cup "no part" (-1).
    labels = np.where(mesh.face_labels[faces] == 0, 1, -1)
    write_partslip_shape(tmp_path / "data" / "test" / "Kettle" / "7", points, labels)
    write_partslip_shape(tmp_path / "data" / "test" / "Kettle" / "8", points[:10], labels[:9])  # mismatched
    result = evaluate(tmp_path / "data", tmp_path / "out", dataset="partnete", teacher="simulated", views=3,
                      resolution=64, points=300, config=FAST, num_figures=0)
    assert result["convention"] == metrics.PARTNETE and [s["shape_id"] for s in result["shapes"]] == ["7"]
    with np.load(tmp_path / "out" / "shapes" / "Kettle" / "7.npz") as z:
        np.testing.assert_array_equal(np.sort(z["gt"]), np.sort(labels))
    assert "9 labels for 10 points" in result["skipped"][0]["reason"]


def test_a_label_file_that_would_run_code_is_refused(tmp_path):
    import os
    import pickle

    from partdistill.datasets.partslip import read_partslip_labels
    from partdistill.errors import DatasetError

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'pwned'}",))

    path = tmp_path / "label.npy"
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "|O", "fortran_order": False, "shape": ()})
        pickle.dump(Exploit(), f)
    with pytest.raises(DatasetError, match="not allowed"):
        read_partslip_labels(path)
    assert not (tmp_path / "pwned").exists()
