"""The benchmark run with the simulated teacher on a tiny ShapeNetPart copy: outputs, splits,
skipped shapes, the teacher cache and resuming after an interruption."""

import json

import numpy as np
import pytest
from eval_data import CORRUPT, FAST, MISSING, write_shapenet

import partdistill.evaluation.run as run_module
from partdistill import PartDistillError, metrics
from partdistill.evaluation import evaluate
from partdistill.teachers.simulated import SIMULATED_NOTICE, SimulatedTeacher

SMALL = dict(teacher="simulated", views=3, resolution=64, points=300, config=FAST, num_figures=0)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapenetpart")
    return root, write_shapenet(root)


@pytest.fixture
def count_teacher(monkeypatch):
    """Counts the simulated teacher's box predictions (one call per shape it labels)."""
    calls = []
    original = SimulatedTeacher.boxes

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SimulatedTeacher, "boxes", counting)
    return calls


@pytest.fixture(scope="module")
def full_run(data, tmp_path_factory):
    """Both modes on every category; Pre trains on what prealign is given (recorded here)."""
    root, _ = data
    out = tmp_path_factory.mktemp("run")
    seen = []
    original = run_module.prealign

    def recording(shapes, *args, **kwargs):
        seen.extend(points for points, _ in shapes)
        return original(shapes, *args, **kwargs)

    run_module.prealign = recording
    try:
        result = evaluate(root, out, modes=("tta", "pre"), **{**SMALL, "num_figures": 4})
    finally:
        run_module.prealign = original
    return out, result, seen


def test_outputs_name_the_convention_and_say_simulated(full_run):
    out, result, _ = full_run
    saved = json.loads((out / "metrics.json").read_text())
    assert saved["convention"] == metrics.SHAPENET and saved["simulated"] and saved["notice"] == SIMULATED_NOTICE
    assert set(saved["methods"]) == {"vote", "tta", "pre"}
    table = (out / "results.md").read_text()
    assert SIMULATED_NOTICE in table and metrics.SHAPENET in table
    header = next(line for line in table.splitlines() if line.startswith("| method"))
    assert header == "| method (SIMULATED teacher) | Chair | Mug | Overall | Instance |"
    for title in ("teacher vote", "PartDistill TTA (ours)", "PartDistill Pre (ours)"):
        assert any(line.startswith(f"| {title} |") for line in table.splitlines())
    pngs = sorted((out / "figures").glob("*.png"))
    assert len(pngs) == 4 and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    assert {p.name.split("_")[0] for p in pngs} == {"Chair", "Mug"}  # one of each category first


def test_summary_is_the_metric_over_the_saved_labels(full_run):
    out, result, _ = full_run
    for method in ("vote", "tta", "pre"):
        per_cat = {}
        for path in sorted((out / "shapes").glob("*/*.npz")):
            with np.load(path) as z:
                R = json.loads(str(z["meta"]))["num_parts"]
                per_cat.setdefault(path.parent.name, []).append(metrics.shape_miou(z[f"label_{method}"], z["gt"], R))
        expected = {c: float(np.mean(v)) for c, v in per_cat.items()}
        assert result["methods"][method]["categories"] == pytest.approx(expected)
        assert result["methods"][method]["overall"] == pytest.approx(np.mean(list(expected.values())))


def test_prealignment_sees_the_train_split_only(full_run, data):
    out, _, seen = full_run
    root, listed = data
    # Two students (Chair, Mug) trained on the 3 train shapes; no test shape's points among them.
    assert len(seen) == 3 and len(list((out / "students").glob("*.pt"))) == 2
    test_points = []
    for path in sorted((out / "shapes").glob("*/*.npz")):
        with np.load(path) as z:
            test_points.append(z["points"])
    assert not any(np.array_equal(a, b) for a in seen for b in test_points)


def test_unreadable_shapes_are_skipped_with_the_reason(full_run):
    _, result, _ = full_run
    reasons = {(s["category"], s["shape_id"]): s["reason"] for s in result["skipped"]}
    assert set(reasons) == {CORRUPT, MISSING}
    assert f"{CORRUPT[1]}.txt:4" in reasons[CORRUPT] and "not a number" in reasons[CORRUPT]
    assert "file not found" in reasons[MISSING]
    assert len(result["shapes"]) == 5


def test_interrupted_run_resumes_without_recomputing_the_teacher(data, tmp_path, monkeypatch, count_teacher):
    root, _ = data
    distilled = []
    original = run_module.distill

    def interrupt_third(*args, **kwargs):
        distilled.append(1)
        if len(distilled) == 3 and interrupt:
            raise KeyboardInterrupt  # as Ctrl-C during the third shape's distillation
        return original(*args, **kwargs)

    monkeypatch.setattr(run_module, "distill", interrupt_third)
    interrupt = True
    with pytest.raises(KeyboardInterrupt):
        evaluate(root, tmp_path, categories=["chair"], **SMALL)
    # The teacher ran on three shapes (and cached them); two shapes finished.
    assert len(count_teacher) == 3 and len(list((tmp_path / "shapes").glob("*/*.npz"))) == 2
    interrupt, distilled[:], count_teacher[:] = False, [], []
    resumed = evaluate(root, tmp_path, categories=["chair"], **SMALL)
    assert count_teacher == [] and len(distilled) == 1  # the third shape: cached units, new distillation
    assert resumed["teacher_runs"] == 0 and resumed["teacher_cache_hits"] == 1
    again = evaluate(root, tmp_path, categories=["chair"], **SMALL)
    assert count_teacher == [] and len(distilled) == 1  # nothing left to do
    assert again["methods"] == resumed["methods"]


def test_a_shared_cache_serves_a_new_run_and_its_key_sees_the_settings(data, tmp_path, count_teacher):
    root, _ = data
    cache = tmp_path / "cache"
    evaluate(root, tmp_path / "a", categories=["mug"], cache_dir=cache, limit=1, **SMALL)
    assert len(count_teacher) == 1
    evaluate(root, tmp_path / "b", categories=["mug"], cache_dir=cache, limit=1, **SMALL)
    assert len(count_teacher) == 1  # the same shape, teacher and views: served from the cache
    evaluate(root, tmp_path / "c", categories=["mug"], cache_dir=cache, limit=1, **{**SMALL, "resolution": 48})
    assert len(count_teacher) == 2  # another resolution is another teacher output


def test_other_settings_in_the_same_folder_are_refused(data, tmp_path):
    root, _ = data
    evaluate(root, tmp_path, categories=["mug"], limit=1, **SMALL)
    with pytest.raises(PartDistillError, match="views differ.*another --out"):
        evaluate(root, tmp_path, categories=["mug"], limit=1, **{**SMALL, "views": 2})


def test_without_split_lists_pre_uses_folds_and_says_so(tmp_path):
    write_shapenet(tmp_path / "data", splits=False)
    result = evaluate(tmp_path / "data", tmp_path / "out", categories=["Chair"], modes=("pre",), **SMALL)
    # Every chair present counts (3 test + 2 train files); each is tested by the other fold's student.
    assert result["methods"]["pre"]["shapes"] == 5 and "tta" not in result["methods"]
    assert any("two folds" in note for note in result["notes"])
    assert "two folds" in (tmp_path / "out" / "results.md").read_text()


@pytest.mark.parametrize("kwargs, message", [
    ({"data": "/nonexistent/partdistill"}, "does not exist; pass --data"),
    ({"categories": ["sofa"]}, "unknown ShapeNetPart category 'sofa'; use --categories"),
    ({"teacher": "no-such-teacher"}, "no model 'no-such-teacher'"),
    ({"dataset": "coseg"}, "unknown dataset 'coseg'"),
    ({"modes": ("fast",)}, "unknown mode"),
])
def test_bad_input_says_what_to_do(data, tmp_path, kwargs, message):
    root, _ = data
    args = {**SMALL, "data": root, **kwargs}
    with pytest.raises(PartDistillError, match=message):
        evaluate(args.pop("data"), tmp_path, **args)
    assert not (tmp_path / "shapes").exists()  # nothing was run


def test_a_shape_the_teacher_finds_nothing_on_counts_unlabelled(data, tmp_path):
    root, _ = data
    # No simulated box reaches a threshold above 1: no knowledge unit anywhere.
    result = evaluate(root, tmp_path, categories=["mug"], modes=("tta", "pre"), score_threshold=1.01, **SMALL)
    assert [s["units"] for s in result["shapes"]] == [0, 0]
    assert result["methods"]["tta"] == result["methods"]["vote"]  # every point unlabelled, the shapes still count
    assert "pre" not in result["methods"] and any("no Pre result" in n for n in result["notes"])
