"""Shared fixtures: tiny randomly initialised VLMs saved once per test session (see tiny_vlms.py)."""

import pytest


@pytest.fixture(scope="session")
def tiny_vlms(tmp_path_factory):
    """{"clip" | "owlv2" | "grounding-dino": directory of a saved tiny model + processor}."""
    from tiny_vlms import save_clip, save_grounding_dino, save_owlv2

    root = tmp_path_factory.mktemp("vlms")
    return {"clip": save_clip(root / "clip"), "owlv2": save_owlv2(root / "owlv2"),
            "grounding-dino": save_grounding_dino(root / "grounding-dino")}


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """HF_HUB_OFFLINE set and an empty models directory: nothing can come from the network or the user's cache."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("PARTDISTILL_MODELS", str(tmp_path / "models"))
    return tmp_path / "models"
