"""Part prompts: a template per part ("the {part} of the {category}") and presets for the benchmark categories.

The part names come from the dataset tables (ShapeNetPart `Category.prompts`, the PartNet-E
`PARTNETE_PARTS`), so the presets and the dataset readers cannot drift apart.
"""

import re
import string

from ..datasets.partnet_mobility import PARTNETE_PARTS
from ..datasets.shapenetpart import CATEGORIES, get_category
from ..errors import PartDistillError

# Used when the category is known ("the ... of the ..." reads right for every name, where "a {part}"
# gives "a armrest", "a airplane"); without a category a prompt is the bare part name.
DEFAULT_TEMPLATE = "the {part} of the {category}"
PART_ONLY_TEMPLATE = "{part}"
DATASETS = ("shapenetpart", "partnete")


def part_prompts(parts, category: str | None = None, template: str | None = None) -> list[str]:
    """One prompt per part name, in order: template.format(part=..., category=...).

    template None means DEFAULT_TEMPLATE with a category and "{part}" without one.
    """
    parts = [str(p).strip() for p in parts] if not isinstance(parts, str) else None
    if not parts or not all(parts):
        raise PartDistillError("give the part names as a non-empty list of non-empty strings, "
                               "e.g. ['back', 'seat', 'leg']")
    if template is None:
        template = DEFAULT_TEMPLATE if category else PART_ONLY_TEMPLATE
    fields = _template_fields(template)
    if "category" in fields and not category:
        raise PartDistillError(f"the prompt template {template!r} uses {{category}}: pass the object category "
                               "or use a template with only {part}")
    return [template.format(part=p, category=category) for p in parts]


def preset_parts(category: str, dataset: str = "shapenetpart") -> tuple[str, ...]:
    """The part names PartDistill prompts for a benchmark category (name case-insensitive, or a
    ShapeNetPart synset)."""
    name = canonical_category(category, dataset)
    return get_category(name).prompts if dataset == "shapenetpart" else PARTNETE_PARTS[name]


def preset_prompts(category: str, dataset: str = "shapenetpart", template: str | None = None) -> list[str]:
    """Prompts for a benchmark category, with its name as words ("StorageFurniture" -> "storage furniture")."""
    name = canonical_category(category, dataset)
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()
    return part_prompts(preset_parts(name, dataset), words, template)


def preset_categories(dataset: str = "shapenetpart") -> tuple[str, ...]:
    """The categories that have presets: the 16 ShapeNetPart or the 45 PartNet-E ones."""
    if dataset == "shapenetpart":
        return tuple(c.name for c in CATEGORIES)
    if dataset == "partnete":
        return tuple(PARTNETE_PARTS)
    raise PartDistillError(f"unknown prompt preset dataset {dataset!r}; choose one of {', '.join(DATASETS)}")


def canonical_category(category: str, dataset: str = "shapenetpart") -> str:
    """The dataset table's spelling of a category name."""
    if dataset == "shapenetpart":
        return get_category(category).name
    for name in preset_categories(dataset):
        if name.lower() == str(category).lower():
            return name
    raise PartDistillError(f"unknown PartNet-E category {category!r}; known: {', '.join(PARTNETE_PARTS)}")


def _template_fields(template: str) -> set[str]:
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as exc:
        raise PartDistillError(f"bad prompt template {template!r}: {exc}") from exc
    if "part" not in fields or fields - {"part", "category"}:
        raise PartDistillError(f"a prompt template must contain {{part}} and may contain {{category}}, "
                               f"nothing else; got {template!r}")
    return fields
