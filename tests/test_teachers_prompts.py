"""Prompt templates and the ShapeNetPart / PartNet-E presets."""

import re

import pytest

from partdistill import PartDistillError
from partdistill.datasets import CATEGORIES, PARTNETE_PARTS
from partdistill.teachers import part_prompts, preset_categories, preset_prompts


def test_templates_fill_part_and_category():
    assert part_prompts(["back", "seat"], "chair") == ["the back of the chair", "the seat of the chair"]
    assert part_prompts(["back", "seat"]) == ["back", "seat"]
    assert part_prompts(["leg"], "table", template="a photo of a {category} {part}") == ["a photo of a table leg"]


@pytest.mark.parametrize("call,message", [
    (lambda: part_prompts("back, seat"), "non-empty list"),
    (lambda: part_prompts(["back", " "]), "non-empty list"),
    (lambda: part_prompts(["back"], template="{part} of a {category}"), "pass the object category"),
    (lambda: part_prompts(["back"], "chair", template="{category}"), "must contain {part}"),
    (lambda: part_prompts(["back"], "chair", template="{part} {colour}"), "must contain {part}"),
    (lambda: part_prompts(["back"], "chair", template="{part"), "bad prompt template"),
    (lambda: preset_prompts("Spaceship"), "unknown ShapeNetPart category"),
    (lambda: preset_prompts("Spaceship", "partnete"), "unknown PartNet-E category"),
    (lambda: preset_prompts("Chair", "modelnet"), "unknown prompt preset dataset"),
])
def test_bad_prompt_settings_are_clear_errors(call, message):
    with pytest.raises(PartDistillError, match=re.escape(message)):
        call()


def test_presets_cover_both_benchmarks_from_the_dataset_tables():
    assert len(preset_categories("shapenetpart")) == 16 and len(preset_categories("partnete")) == 45
    for category in CATEGORIES:
        prompts = preset_prompts(category.name)
        assert len(prompts) == len(category.prompts)
        assert prompts[0] == f"the {category.prompts[0]} of the {category.name.lower()}"
    for name, parts in PARTNETE_PARTS.items():
        assert len(preset_prompts(name, "partnete", template="{part}")) == len(parts)
    assert preset_prompts("storagefurniture", "partnete")[1] == "the drawer of the storage furniture"
    assert preset_prompts("03001627") == preset_prompts("chair")  # a ShapeNetPart synset works too
    assert preset_prompts("Lamp") == ["the base of the lamp", "the lampshade of the lamp"]
