"""Where VLM weights come from: registered names, hub ids or local directories, offline by default.

A model is named three ways: a registered short name (`MODELS`, e.g. "clip-b32"), a Hugging Face
hub id ("openai/clip-vit-base-patch32") or a directory written by `save_pretrained`. Hub models live
in the Hugging Face cache layout under the models directory: `--dir` / `models_dir`, else the
PARTDISTILL_MODELS environment variable, else the Hugging Face default cache (HF_HOME /
HF_HUB_CACHE). Nothing is downloaded unless a caller asks for it explicitly (`download`, or
`allow_download=True` while HF_HUB_OFFLINE is not set); every other path reads local files only.
"""

import json
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from ..errors import PartDistillError

MODELS_ENV = "PARTDISTILL_MODELS"
# Only what from_pretrained reads: configs, tokenizer files and safetensors weights (the hub repos
# also hold TensorFlow / Flax copies of the same weights that would triple the download).
DOWNLOAD_PATTERNS = ("*.json", "*.txt", "*.safetensors")
FALLBACK_WEIGHTS = ("pytorch_model.bin",)
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin")


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: its hub id, the transformers model_type it has, and what it is for."""

    hub_id: str
    model_type: str
    kind: str          # "pixel" (P-VLM) or "box" (B-VLM)
    description: str
    download_mb: int   # approximate size of DOWNLOAD_PATTERNS' files


MODELS: dict[str, ModelSpec] = {
    "clip-b32": ModelSpec("openai/clip-vit-base-patch32", "clip", "pixel",
                          "dense CLIP ViT-B/32, PointCLIP V2 style: the paper's CLIP rows", 605),
    "clip-b16": ModelSpec("openai/clip-vit-base-patch16", "clip", "pixel",
                          "dense CLIP ViT-B/16: 14x14 patches instead of 7x7, 2x slower", 600),
    "owlv2": ModelSpec("google/owlv2-base-patch16-ensemble", "owlv2", "box",
                       "OWLv2 base/16 open-vocabulary detector", 620),
    "grounding-dino": ModelSpec("IDEA-Research/grounding-dino-tiny", "grounding-dino", "box",
                                "Grounding DINO tiny open-vocabulary detector, the closest to GLIP", 690),
}


@dataclass(frozen=True)
class ModelSource:
    """A resolved model: `label` names it for messages; exactly one of hub_id / directory is set."""

    label: str
    hub_id: str | None = None
    directory: Path | None = None

    @property
    def download_name(self) -> str:
        """The argument `partdistill models download` takes for this model."""
        for name, spec in MODELS.items():
            if spec.hub_id == self.hub_id:
                return name
        return self.hub_id


def models_dir(explicit=None) -> Path | None:
    """The models directory: explicit, else $PARTDISTILL_MODELS, else None (the Hugging Face cache)."""
    value = explicit if explicit is not None else os.environ.get(MODELS_ENV) or None
    return None if value is None else Path(value).expanduser()


def hub_offline() -> bool:
    """True when HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) is set now or was when huggingface_hub loaded."""
    from huggingface_hub import constants

    flags = (os.environ.get("HF_HUB_OFFLINE"), os.environ.get("TRANSFORMERS_OFFLINE"))
    return constants.HF_HUB_OFFLINE or any(str(f).upper() in ("1", "ON", "YES", "TRUE") for f in flags)


def source_of(model: str) -> ModelSource:
    """Classify `model` as a registered name, an existing directory or a hub id (owner/name)."""
    model = str(model)
    if model in MODELS:
        return ModelSource(model, hub_id=MODELS[model].hub_id)
    path = Path(model).expanduser()
    if path.is_dir():
        return ModelSource(str(path), directory=path)
    parts = model.split("/")
    if len(parts) == 2 and all(parts) and not model.startswith((".", "~")):
        return ModelSource(model, hub_id=model)
    raise PartDistillError(
        f"no model {model!r}: it is not a registered name ({', '.join(MODELS)}), not an existing "
        "directory and not a hub id of the form owner/name; `partdistill models list` shows the choices")


def download_command(source: ModelSource, directory: Path | None) -> str:
    """The exact shell command that downloads `source` into `directory`."""
    command = f"partdistill models download {shlex.quote(source.download_name)}"
    return command if directory is None else f"{command} --dir {shlex.quote(str(directory))}"


def locate(model: str, directory=None, allow_download: bool = False) -> tuple[ModelSource, Path]:
    """The local directory holding `model`'s files; downloads only if allow_download and not offline.

    A hub model missing from the cache is a PartDistillError naming it and the download command.
    """
    source = source_of(model)
    if source.directory is not None:
        _check_model_dir(source.directory, source, None)
        return source, source.directory
    directory = models_dir(directory)
    if allow_download and not hub_offline():
        return source, download(source.label, directory)
    path = _cached_snapshot(source.hub_id, directory)
    if path is None:
        where = directory or "the Hugging Face cache"
        raise PartDistillError(
            f"model {source.label} ({source.hub_id}) is not in {where} and downloads are off; "
            f"download it once with: {download_command(source, directory)}")
    _check_model_dir(path, source, directory)
    return source, path


def download(model: str, directory=None) -> Path:
    """Fetch a hub model's configs, tokenizer and weights into the models directory (needs network)."""
    source = source_of(model)
    if source.hub_id is None:
        raise PartDistillError(f"{model} is a local directory; only hub models (owner/name) can be downloaded")
    if hub_offline():
        raise PartDistillError(
            f"cannot download {source.hub_id}: HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) is set; run the "
            "download with it unset, e.g. `HF_HUB_OFFLINE=0 partdistill models download "
            f"{shlex.quote(source.download_name)}`")
    from huggingface_hub import snapshot_download

    directory = models_dir(directory)
    try:
        path = Path(snapshot_download(source.hub_id, cache_dir=directory, allow_patterns=list(DOWNLOAD_PATTERNS)))
        if not any((path / name).is_file() for name in WEIGHT_FILES):
            path = Path(snapshot_download(source.hub_id, cache_dir=directory,
                                          allow_patterns=list(FALLBACK_WEIGHTS)))
    except OSError as exc:  # network, authentication and missing-repo errors are all OSErrors here
        raise PartDistillError(
            f"downloading {source.hub_id} failed ({type(exc).__name__}: {exc}); check the network "
            "connection and the model id, then run the command again") from exc
    _check_model_dir(path, source, directory)
    return path


def is_present(hub_id: str, directory=None) -> bool:
    """Whether a complete copy of a hub model is in the models directory (reads local files only)."""
    path = _cached_snapshot(hub_id, models_dir(directory))
    return path is not None and not _missing_files(path)


def model_type_of(path: Path) -> str:
    """config.json's model_type ("clip", "owlv2", "grounding-dino", ...)."""
    try:
        return str(json.loads((path / "config.json").read_text()).get("model_type", ""))
    except (OSError, ValueError) as exc:
        raise PartDistillError(f"cannot read {path / 'config.json'}: {exc}") from exc


def _cached_snapshot(hub_id: str, directory: Path | None) -> Path | None:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(hub_id, cache_dir=directory, local_files_only=True))
    except LocalEntryNotFoundError:
        return None


def _missing_files(path: Path) -> list[str]:
    missing = [] if (path / "config.json").is_file() else ["config.json"]
    if not any((path / name).is_file() for name in WEIGHT_FILES):
        missing.append("weights (" + " or ".join(WEIGHT_FILES) + ")")
    return missing


def _check_model_dir(path: Path, source: ModelSource, directory: Path | None) -> None:
    missing = _missing_files(path)
    if not missing:
        return
    fix = (f"download it again with: {download_command(source, directory)}" if source.hub_id
           else "point to a directory written by save_pretrained, or use a registered name "
                "(`partdistill models list`)")
    raise PartDistillError(f"model {source.label} at {path} is incomplete: {', '.join(missing)} missing; {fix}")
