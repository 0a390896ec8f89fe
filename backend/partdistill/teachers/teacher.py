"""The common teacher interface: rendered views + part prompts -> one prediction per view.

A teacher wraps a transformers model and its processor. `Teacher.load` finds the weights through
`teachers.models` (offline unless asked), checks the architecture and moves the model to the
device; `predict` validates the views, composites masked-out pixels onto a plain background and
runs the model `batch_size` views at a time under inference mode (deterministic on the CPU).
"""

from abc import ABC, abstractmethod

import numpy as np
import torch

from ..errors import PartDistillError
from .base import BoxPrediction, PixelPrediction
from .boxes import check_threshold
from .models import locate, model_type_of

# White, as PartSLIP renders its views: VLMs read objects on plain backgrounds best.
BACKGROUND = 255


class Teacher(ABC):
    """kind "box" (B-VLM: BoxPrediction per view) or "pixel" (P-VLM: PixelPrediction per view).

    Subclasses name their transformers classes and implement `_encode_prompts` (once per predict
    call) and `_predict_batch` (per batch of views).
    """

    kind: str
    model_type: str          # config.json model_type the teacher runs
    default_model: str       # registered name (teachers.models.MODELS)
    model_class: str         # transformers class names, imported lazily
    processor_class: str

    def __init__(self, model, processor, *, device=None, dtype=None, batch_size: int = 4):
        """model: a transformers model of this teacher's architecture; processor: its processor.
        device None picks CUDA when present; dtype None is float16 on CUDA and float32 elsewhere."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise PartDistillError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        self.model = model.to(device=self.device, dtype=self.dtype).eval()
        self.processor = processor
        self.batch_size = int(batch_size)

    @classmethod
    def load(cls, model: str | None = None, *, models_dir=None, allow_download: bool = False,
             **options) -> "Teacher":
        """Build the teacher from a registered name, hub id or local directory (default: the
        teacher's default model). Reads local files only unless allow_download is True. options:
        the constructor's (device, dtype, batch_size and the teacher's own)."""
        source, path = locate(model or cls.default_model, models_dir, allow_download)
        return cls.from_directory(path, source.label, **options)

    @classmethod
    def from_directory(cls, path, label: str, *, device=None, dtype=None, **options) -> "Teacher":
        """Build the teacher from a complete local model directory; label names it in errors."""
        import transformers

        found = model_type_of(path)
        if found != cls.model_type:
            raise PartDistillError(
                f"{label} is a {found!r} model but {cls.__name__} runs {cls.model_type!r} models; "
                f"use load_teacher({label!r}) to pick the teacher from the model")
        device = resolve_device(device)
        dtype = resolve_dtype(dtype, device)
        try:
            processor = getattr(transformers, cls.processor_class).from_pretrained(path, local_files_only=True)
            net = getattr(transformers, cls.model_class).from_pretrained(path, local_files_only=True, dtype=dtype)
        except (OSError, ValueError) as exc:
            raise PartDistillError(f"cannot load {label} from {path}: {exc}") from exc
        return cls(net, processor, device=device, dtype=dtype, **options)

    def predict(self, images, prompts, masks=None) -> list[BoxPrediction] | list[PixelPrediction]:
        """images: V arrays (H, W, 3) uint8, or float in [0, 1]; (H, W, 4) RGBA gives the mask
        from alpha when masks is None. prompts: R part prompts. masks: None or V (H, W) bool object
        masks; pixels outside are painted BACKGROUND before the model sees them, and pixel teachers
        mark them as not object. Returns V predictions whose score columns follow prompts' order."""
        views, view_masks = prepare_views(images, masks)
        prompts = check_prompts(prompts)
        out = []
        with torch.inference_mode():
            text = self._encode_prompts(prompts)
            for start in range(0, len(views), self.batch_size):
                stop = start + self.batch_size
                out.extend(self._predict_batch(views[start:stop], view_masks[start:stop], text))
        return out

    @abstractmethod
    def _encode_prompts(self, prompts: list[str]):
        """Whatever _predict_batch needs from the prompts (token ids, text embeddings)."""

    @abstractmethod
    def _predict_batch(self, images: list[np.ndarray], masks: list[np.ndarray | None], text) -> list:
        """Predictions for images (list of (H, W, 3) uint8, already composited)."""

    def _check_token_count(self, prompts: list[str], limit: int) -> None:
        """Each prompt, with its special tokens, must fit the text model's limit positions."""
        lengths = [len(ids) for ids in self.processor.tokenizer(prompts)["input_ids"]]
        too_long = [p for p, n in zip(prompts, lengths) if n > limit]
        if too_long:
            raise PartDistillError(f"{type(self).__name__} reads at most {limit} tokens per prompt; "
                                   f"shorten {too_long}")


def resolve_device(device) -> torch.device:
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise PartDistillError(f"unknown device {device!r}; use 'cpu', 'cuda' or 'cuda:N'") from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise PartDistillError("device 'cuda' was asked for but torch sees no CUDA GPU; use device='cpu'")
    return device


def resolve_dtype(dtype, device: torch.device) -> torch.dtype:
    if dtype is None:
        return torch.float16 if device.type == "cuda" else torch.float32
    names = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}
    resolved = names.get(dtype, dtype) if isinstance(dtype, str) else dtype
    if resolved not in names.values():
        raise PartDistillError(f"dtype must be one of {', '.join(names)}, got {dtype!r}")
    return resolved


def prepare_views(images, masks) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
    """Validated (H, W, 3) uint8 views composited onto BACKGROUND, and their (H, W) bool masks."""
    if isinstance(images, np.ndarray) and images.ndim == 3:
        raise PartDistillError("images must be a list of views (or a (V, H, W, 3) array), got a single image; "
                               "wrap it in a list")
    images = list(images)
    if not images:
        raise PartDistillError("no views given: pass at least one rendered image")
    if masks is not None and len(masks) != len(images):
        raise PartDistillError(f"got {len(masks)} masks for {len(images)} views; pass one per view or None")
    views, out_masks = [], []
    for v, img in enumerate(images):
        rgb, alpha = _as_rgb8(np.asarray(img), v)
        mask = alpha if masks is None else _as_mask(masks[v], rgb.shape[:2], v)
        if mask is not None:
            rgb = np.where(mask[..., None], rgb, np.uint8(BACKGROUND))
        views.append(rgb)
        out_masks.append(mask)
    return views, out_masks


def pad_square(img: np.ndarray) -> np.ndarray:
    """(H, W, 3) -> (S, S, 3), S = max(H, W): the image at the top left, BACKGROUND below and right."""
    height, width = img.shape[:2]
    side = max(height, width)
    out = np.full((side, side, 3), BACKGROUND, dtype=img.dtype)
    out[:height, :width] = img
    return out


def check_prompts(prompts) -> list[str]:
    if isinstance(prompts, str) or not prompts or not all(isinstance(p, str) and p.strip() for p in prompts):
        raise PartDistillError("prompts must be a non-empty list of non-empty strings, one per part "
                               "(see teachers.prompts.part_prompts)")
    return [p.strip() for p in prompts]


def _as_rgb8(img: np.ndarray, v: int) -> tuple[np.ndarray, np.ndarray | None]:
    if img.ndim != 3 or img.shape[2] not in (3, 4) or min(img.shape[:2]) < 1:
        raise PartDistillError(f"view {v}: an image must be (H, W, 3) RGB or (H, W, 4) RGBA, got {img.shape}")
    if img.dtype == np.uint8:
        rgba = img
    elif np.issubdtype(img.dtype, np.floating):
        if not np.isfinite(img).all() or img.min() < 0 or img.max() > 1:
            raise PartDistillError(f"view {v}: float images must hold finite values in [0, 1]; "
                                   "pass 0-255 images as uint8")
        rgba = np.round(img * 255).astype(np.uint8)
    else:
        raise PartDistillError(f"view {v}: images must be uint8 or float in [0, 1], got {img.dtype}")
    alpha = rgba[..., 3] > 0 if rgba.shape[2] == 4 else None
    return np.ascontiguousarray(rgba[..., :3]), alpha


def _as_mask(mask, shape, v: int) -> np.ndarray:
    mask = np.asarray(mask)
    if mask.shape != shape:
        raise PartDistillError(f"view {v}: mask {mask.shape} does not match the image's {shape}")
    return mask.astype(bool)



# Overlapping detections of one object would become near-copies of one unit; both box teachers
# suppress them per prompt at this IoU so their units stay comparable.
NMS_IOU = 0.5


class BoxTeacher(Teacher):
    """A B-VLM: keeps a box when its best prompt score reaches score_threshold (the model's
    default_threshold unless given), then per-prompt NMS at nms_iou (None keeps every box)."""

    kind = "box"
    default_threshold: float

    def __init__(self, model, processor, *, score_threshold: float | None = None,
                 nms_iou: float | None = NMS_IOU, **options):
        super().__init__(model, processor, **options)
        threshold = self.default_threshold if score_threshold is None else score_threshold
        self.score_threshold, self.nms_iou = check_threshold(threshold, nms_iou)
