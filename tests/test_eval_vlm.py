"""The benchmark with tiny random VLMs (the real architectures, built offline): it runs through the
same loading path as the released models, says no SIMULATED, and a re-run reuses the cached
teacher outputs instead of running the model again."""

import json

import pytest
from eval_data import FAST, write_shapenet

from partdistill.evaluation import evaluate
from partdistill.teachers.teacher import Teacher


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapenetpart")
    write_shapenet(root, points=200)
    return root


@pytest.fixture
def predict_calls(monkeypatch):
    calls = []
    original = Teacher.predict

    def counting(self, images, prompts, masks=None):
        calls.append(list(prompts))
        return original(self, images, prompts, masks)

    monkeypatch.setattr(Teacher, "predict", counting)
    return calls


@pytest.mark.parametrize("kind", ["clip", "owlv2", "grounding-dino"])
def test_tiny_vlm_run_and_rerun_from_the_cache(tiny_vlms, data, tmp_path, offline, predict_calls, kind):
    # Random tiny detectors score at random: a zero threshold keeps their boxes, so units exist.
    options = {} if kind == "clip" else {"score_threshold": 0.0}
    args = dict(categories=["chair"], teacher=str(tiny_vlms[kind]), views=2, resolution=48, points=200,
                limit=2, config=FAST, num_figures=1, **options)
    result = evaluate(data, tmp_path, **args)
    assert [p[0] for p in predict_calls] == ["the back of the chair"] * 2  # the preset prompts, one call a shape
    assert result["teacher_runs"] == 2 and not result["simulated"] and result["teacher"] == str(tiny_vlms[kind])
    assert set(result["methods"]) == {"vote", "tta"} and len(result["shapes"]) == 2
    if kind == "clip":  # a pixel teacher labels every object pixel, so units always exist
        assert all(s["units"] > 0 for s in result["shapes"])
    assert "SIMULATED" not in (tmp_path / "results.md").read_text()
    rerun = evaluate(data, tmp_path / "again", cache_dir=tmp_path / "teacher_cache", **args)
    assert len(predict_calls) == 2 and rerun["teacher_cache_hits"] == 2  # the model did not run again
    assert rerun["methods"]["vote"] == result["methods"]["vote"]
    assert json.loads((tmp_path / "metrics.json").read_text())["teacher_runs"] == 2
