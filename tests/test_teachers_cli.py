"""`partdistill models list | download | verify`, and loading a hub model from a models directory."""

import shutil

from partdistill.cli import main
from partdistill.teachers import DenseClipTeacher, load_teacher


def put_in_hub_cache(model_dir, cache, hub_id):
    """Lay a saved model out as huggingface_hub caches a download (refs/main -> snapshots/<commit>)."""
    commit = "0" * 40
    repo = cache / ("models--" + hub_id.replace("/", "--"))
    shutil.copytree(model_dir, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)


def test_models_list_names_every_model_and_its_state(offline, tiny_vlms, capsys):
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    for name, hub_id in [("clip-b32", "openai/clip-vit-base-patch32"), ("clip-b16", "openai/clip-vit-base-patch16"),
                         ("owlv2", "google/owlv2-base-patch16-ensemble"),
                         ("grounding-dino", "IDEA-Research/grounding-dino-tiny")]:
        assert f"| {name} | {hub_id} |" in out
    assert f"missing: `partdistill models download owlv2 --dir {offline}`" in out
    put_in_hub_cache(tiny_vlms["owlv2"], offline, "google/owlv2-base-patch16-ensemble")
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "| owlv2 | google/owlv2-base-patch16-ensemble | box |" in out and "present |" in out
    assert out.count("missing") == 3 and f"models directory: {offline}" in out


def test_a_registered_name_loads_from_the_models_directory(offline, tiny_vlms, tmp_path, capsys):
    put_in_hub_cache(tiny_vlms["clip"], offline, "openai/clip-vit-base-patch32")
    assert isinstance(DenseClipTeacher.load(), DenseClipTeacher)
    assert isinstance(load_teacher("openai/clip-vit-base-patch32"), DenseClipTeacher)
    assert main(["models", "verify", "clip-b32"]) == 0
    assert "ok: clip-b32 runs as DenseClipTeacher on cpu" in capsys.readouterr().out
    # --dir wins over PARTDISTILL_MODELS
    assert main(["models", "verify", "clip-b32", "--dir", str(tmp_path / "elsewhere")]) == 2
    assert "partdistill models download clip-b32 --dir" in capsys.readouterr().err


def test_models_verify_runs_a_model_directory(tiny_vlms, capsys):
    assert main(["models", "verify", str(tiny_vlms["grounding-dino"])]) == 0
    out = capsys.readouterr().out
    assert "runs as GroundingDinoTeacher" in out and "boxes scoring >= 0.35" in out


def test_download_is_refused_offline_and_for_directories(offline, tiny_vlms, capsys):
    assert main(["models", "download", "owlv2"]) == 2
    assert "HF_HUB_OFFLINE" in capsys.readouterr().err
    assert main(["models", "download", str(tiny_vlms["clip"])]) == 2
    assert "only hub models" in capsys.readouterr().err


def test_missing_model_verify_exits_with_the_download_command(offline, capsys):
    assert main(["models", "verify", "grounding-dino"]) == 2
    err = capsys.readouterr().err
    assert "IDEA-Research/grounding-dino-tiny" in err and "partdistill models download grounding-dino" in err
