"""Benchmark evaluation (the paper's Tables 1 / 2): a dataset's test shapes through the teacher stage
(cached on disk), the teacher vote, test-time alignment and pre-alignment, scored in the dataset's
metric convention, with per-shape results persisted so that an interrupted run resumes.

`evaluate(...)` is what blender_scripts/eval_shapenet.py calls; the renderer it is given decides
whether views come from Blender (the add-on's point-cloud renderer) or the numpy point renderer.
"""

from pathlib import Path

from ..errors import PartDistillError
from .cache import TeacherCache
from .run import MODES, Runner, distill_config
from .sources import DATASETS, open_source
from .store import ResultStore
from .summary import figures, finished, markdown, payload
from .teacher_stage import TeacherStage
from .views import NumpyRenderer

__all__ = ["evaluate", "DATASETS", "MODES", "NumpyRenderer", "TeacherCache", "TeacherStage"]


def evaluate(data, out, *, dataset="shapenetpart", categories=None, teacher="simulated", modes=("tta",),
             renderer=None, views=10, resolution=512, points=2048, simulated_kind="box", simulated_preset=None,
             score_threshold=None, models_dir=None, device=None, config=None, backward=True, seed=0, limit=None,
             train_limit=None, num_figures=4, cache_dir=None, log=None) -> dict:
    """Run (or resume) a benchmark; writes OUT/metrics.json, OUT/results.md and OUT/figures/*.png and
    returns the metrics. The teacher cache defaults to OUT/teacher_cache; share one between runs
    (e.g. --cache) and no shape is ever rendered or labelled twice."""
    from ..teachers.simulated import SIMULATED_NOTICE

    out = Path(out)
    for name, value in (("--limit", limit), ("--train-limit", train_limit)):
        if value is not None and value < 1:
            raise PartDistillError(f"{name} must be at least 1 shape per category, got {value}")
    source = open_source(dataset, data, categories, points)
    renderer = renderer or NumpyRenderer()
    cache = TeacherCache(cache_dir or out / "teacher_cache")
    stage = TeacherStage(teacher, renderer, cache, views=views, resolution=resolution,
                         simulated_kind=simulated_kind, simulated_preset=simulated_preset,
                         score_threshold=score_threshold, models_dir=models_dir, device=device, seed=seed)
    config = distill_config(config, dataset)
    header = {"dataset": dataset, "data": str(source.root), "teacher": stage.label, "simulated": stage.simulated,
              "notice": SIMULATED_NOTICE if stage.simulated else "", "views": views, "resolution": resolution,
              "renderer": renderer.name, "points": points, "config": config, "backward": bool(backward),
              "seed": seed, "train_limit": train_limit}
    store = ResultStore(out, header)
    runner = Runner(source, stage, store, modes=modes, config=config, backward=backward, seed=seed,
                    limit=limit, train_limit=train_limit, log=log)
    outcome = runner.run()
    records = finished(store, outcome)
    if not records:
        raise PartDistillError(f"no shape could be evaluated ({len(outcome.skipped)} skipped); "
                               "see the reasons above and check --data / --categories")
    result = payload(records, outcome, source.convention, header)
    result["teacher_runs"], result["teacher_cache_hits"] = stage.calls, cache.hits
    pictures = figures(records, out / "figures", num_figures, header["notice"])
    result["figures"] = [str(p.relative_to(out)) for p in pictures]
    store.write_json("metrics.json", result)
    (out / "results.md").write_text(markdown(result))
    runner.log(f"wrote {out / 'metrics.json'}, {out / 'results.md'} and {len(result['figures'])} figure(s) in "
               f"{out / 'figures'}" + (f"\n{SIMULATED_NOTICE}" if stage.simulated else ""))
    return result
