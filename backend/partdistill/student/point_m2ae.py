"""The Point-M2AE encoder (Zhang et al., NeurIPS 2022) as a frozen per-point feature source,
with a loader for the published pre-trained checkpoint.

Architecture (segmentation variant, as PartDistill uses it): three stages with 512 / 256 / 64
FPS centres (each stage samples the previous stage's centres), k-NN groups of 16 / 8 / 8,
widths 96 / 192 / 384, 5 transformer blocks per stage with 6 heads, attention restricted to
centres within 0.32 / 0.64 / 1.28. Inputs are expected centred and scaled to the unit sphere
(`partdistill.geometry.normalize.normalize_unit_sphere`), the units those radii assume.
Stage 0 embeds each group's xyz relative to its centre; later stages embed the previous stage's
neighbouring tokens alone, without relative xyz, because the released weights are shaped for
that (their token embeddings take dims[s - 1] input channels).

Output per point: xyz followed by each stage's features interpolated back to the points,
3 + 96 + 192 + 384 = 675 dims. PartDistill's official student gets 681 because its
propagation step prepends xyz to every stage's features (3 + 96, 3 + 192, 3 + 384); the two
extra copies of xyz carry no information, so they are left out.

The checkpoint is `pre-train.pth` from the Point-M2AE README (ShapeNet-55 pre-training). Its
encoder weights sit under `h_encoder.`; `_KEY_TABLE` maps them onto this module's names.
"""

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..errors import PartDistillError
from ..geometry.normalize import check_points
from .point_m2ae_blocks import EncoderStage, gather, group, interpolate


@dataclass(frozen=True)
class PointM2AEConfig:
    """Sizes of the encoder, one entry per stage. The defaults are the released sizes.

    drop_path: the largest stochastic-depth rate, reached by the last block (rates rise linearly
    from 0 over all blocks); it acts only in training mode. local_attention False gives every
    stage global attention (the radii are then unused).
    """

    num_centres: tuple[int, ...] = (512, 256, 64)
    group_sizes: tuple[int, ...] = (16, 8, 8)
    dims: tuple[int, ...] = (96, 192, 384)
    depths: tuple[int, ...] = (5, 5, 5)
    num_heads: int = 6
    radii: tuple[float, ...] = (0.32, 0.64, 1.28)
    local_attention: bool = True
    drop_path: float = 0.1

    def __post_init__(self):
        per_stage = ("num_centres", "group_sizes", "dims", "depths", "radii")
        lengths = {name: len(getattr(self, name)) for name in per_stage}
        if len(set(lengths.values())) != 1 or not self.num_centres:
            raise PartDistillError(f"PointM2AEConfig needs one entry per stage in each of {lengths}")
        for name in per_stage:
            if any(v <= 0 for v in getattr(self, name)):
                raise PartDistillError(f"PointM2AEConfig.{name} must be positive, got {getattr(self, name)}")
        bad_heads = [d for d in self.dims if d % self.num_heads] if self.num_heads > 0 else list(self.dims)
        if bad_heads:
            raise PartDistillError(
                f"every stage width must be a multiple of num_heads={self.num_heads}; {bad_heads} are not"
            )
        for s in range(1, len(self.num_centres)):
            # Stage s samples its centres and groups from the previous stage's centres.
            available = self.num_centres[s - 1]
            if self.num_centres[s] > available or self.group_sizes[s] > available:
                raise PartDistillError(
                    f"stage {s} takes {self.num_centres[s]} centres and groups of {self.group_sizes[s]} "
                    f"from the {available} centres of stage {s - 1}; neither may exceed {available}"
                )

    @classmethod
    def released(cls) -> "PointM2AEConfig":
        """The sizes of the published pre-trained checkpoint."""
        return cls()

    @property
    def out_dim(self) -> int:
        """Per-point feature width: xyz plus every stage's width."""
        return 3 + sum(self.dims)

    @property
    def min_points(self) -> int:
        """The fewest input points the encoder accepts: stage 0 samples and groups among them."""
        return max(self.num_centres[0], self.group_sizes[0])


class PointM2AEEncoder(nn.Module):
    """Hierarchical Point-M2AE encoder: points (B, N, 3) -> per-point features (B, N, out_dim)."""

    def __init__(self, config: PointM2AEConfig | None = None):
        super().__init__()
        self.config = config or PointM2AEConfig.released()
        c = self.config
        rates = torch.linspace(0, c.drop_path, sum(c.depths)).tolist()
        starts = list(itertools.accumulate(c.depths, initial=0))
        self.stages = nn.ModuleList(
            EncoderStage(
                in_dim=3 if s == 0 else c.dims[s - 1], dim=c.dims[s], depth=c.depths[s], num_heads=c.num_heads,
                raw_xyz=s == 0, drop_path=rates[starts[s]:starts[s + 1]],
            )
            for s in range(len(c.dims))
        )
        self.apply(_init_weights)

    @property
    def out_dim(self) -> int:
        return self.config.out_dim

    def forward(self, points: torch.Tensor) -> torch.Tensor:
        """points (B, N, 3) float, N >= config.min_points -> features (B, N, out_dim).

        Columns: xyz, then stage 0, 1, 2 features interpolated to the points.
        """
        points = self._check_input(points)
        columns = [points]
        for centres, features in self._stage_outputs(points):
            columns.append(interpolate(points, centres, features))
        return torch.cat(columns, dim=-1)

    def _stage_outputs(self, points: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """Per stage, (centres (B, G_s, 3), normalised token features (B, G_s, dims[s]))."""
        c = self.config
        outputs = []
        xyz, tokens = points, None
        for s, stage in enumerate(self.stages):
            centres, neighbours = group(xyz, c.num_centres[s], c.group_sizes[s])
            if tokens is None:
                # Stage 0 embeds each group's xyz relative to its centre.
                groups = gather(xyz, neighbours) - centres[:, :, None]
            else:
                # Later stages merge the neighbouring (un-normalised) tokens of the previous stage.
                groups = gather(tokens, neighbours)
            radius = c.radii[s] if c.local_attention else None
            tokens, normed = stage(groups, centres, radius)
            outputs.append((centres, normed))
            xyz = centres
        return outputs

    @torch.no_grad()
    def point_features(self, points: np.ndarray) -> np.ndarray:
        """Features of one cloud: points (N, 3) -> (N, out_dim) float32, in eval mode, no grad.

        Deterministic for a given input; the module's train/eval mode is restored afterwards.
        """
        arr = check_points(points)
        param = next(self.parameters())
        x = torch.as_tensor(arr, dtype=param.dtype, device=param.device)[None]
        was_training = self.training
        self.eval()
        try:
            return self(x)[0].cpu().numpy().astype(np.float32)
        finally:
            self.train(was_training)

    def _check_input(self, points) -> torch.Tensor:
        """Validate points (B, N, 3) and cast them to the parameters' dtype and device."""
        if not isinstance(points, torch.Tensor) or points.ndim != 3 or points.shape[-1] != 3:
            shape = tuple(points.shape) if isinstance(points, torch.Tensor) else type(points).__name__
            raise PartDistillError(f"points must be a (B, N, 3) torch tensor, got {shape}; "
                                   "use point_features for one (N, 3) numpy cloud")
        if points.shape[1] < self.config.min_points:
            raise PartDistillError(
                f"the Point-M2AE encoder needs at least {self.config.min_points} points per cloud, got "
                f"{points.shape[1]}; sample more points from the shape (PartDistill uses 2048)"
            )
        param = next(self.parameters())
        return points.to(dtype=param.dtype, device=param.device)


def _init_weights(m: nn.Module) -> None:
    """The official initialisation: truncated normal (std 0.02) weights, zero biases."""
    if isinstance(m, (nn.Linear, nn.Conv1d)):
        nn.init.trunc_normal_(m.weight, std=0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.LayerNorm):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)


# ---------------------------------------------------------------------------------------------
# Checkpoint loading

# Official key prefix (`Point_M2AE.h_encoder` in pre-training, `Point_M2AE_SEG.h_encoder` in the
# segmentation model; {i} = stage) -> this module's prefix. Everything after the prefix is the
# same on both sides:
#   token_embed.{i}.first_conv.{0,3}.{weight,bias}           Conv1d, kernel 1
#   token_embed.{i}.first_conv.1.{weight,bias,running_mean,running_var,num_batches_tracked}
#   token_embed.{i}.second_conv.{0,3}.* / second_conv.1.*    as first_conv
#   encoder_pos_embeds.{i}.{0,2}.{weight,bias}               Linear(3, d), Linear(d, d)
#   encoder_blocks.{i}.blocks.{j}.{norm1,norm2}.{weight,bias}
#   encoder_blocks.{i}.blocks.{j}.attn.qkv.weight            no qkv bias
#   encoder_blocks.{i}.blocks.{j}.{attn.proj,mlp.fc1,mlp.fc2}.{weight,bias}
#   encoder_norms.{i}.{weight,bias}
_KEY_TABLE = (
    ("h_encoder.token_embed.{i}.", "stages.{i}.token_embed."),
    ("h_encoder.encoder_pos_embeds.{i}.", "stages.{i}.pos_embed."),
    ("h_encoder.encoder_blocks.{i}.blocks.", "stages.{i}.blocks."),
    ("h_encoder.encoder_norms.{i}.", "stages.{i}.norm."),
)

# Official weights the encoder does not use: the pre-training decoder and reconstruction head,
# and the ShapeNetPart head of a fine-tuned segmentation checkpoint.
_IGNORED_PREFIXES = (
    "mask_token", "h_decoder.", "decoder_pos_embeds.", "decoder_norm.", "token_prop.", "rec_head.",
    "propagations.", "label_conv.", "convs1.", "convs2.", "convs3.", "convs4.", "bns1.", "bns2.", "bns3.",
)


def _prefix_regex(template: str) -> re.Pattern:
    return re.compile("^" + re.escape(template).replace(re.escape("{i}"), r"(\d+)") + "(.*)$")


_TO_OURS = tuple((_prefix_regex(off), ours) for off, ours in _KEY_TABLE)
_TO_OFFICIAL = tuple((_prefix_regex(ours), off) for off, ours in _KEY_TABLE)


def _translate(key: str, rules) -> str | None:
    """Rename `key` by the first matching (regex, target template) rule; None if none matches."""
    for pattern, target in rules:
        m = pattern.match(key)
        if m:
            return target.format(i=m.group(1)) + m.group(2)
    return None


def official_key(key: str) -> str | None:
    """The official checkpoint name of one of our state-dict keys (None if it has none)."""
    return _translate(key, _TO_OFFICIAL)


def official_state_dict(encoder: PointM2AEEncoder) -> dict[str, torch.Tensor]:
    """The encoder's state dict under the official key names (what `base_model` holds)."""
    return {official_key(k): v for k, v in encoder.state_dict().items()}


@dataclass(frozen=True)
class LoadReport:
    """What loading a checkpoint did.

    missing: encoder keys (our names) the checkpoint did not provide; they keep their random
    initialisation. unexpected: checkpoint keys (its names) that are neither encoder weights of
    this configuration nor known official non-encoder weights. ignored: official decoder / head
    keys, dropped on purpose.
    """

    missing: tuple[str, ...]
    unexpected: tuple[str, ...]
    ignored: tuple[str, ...]


def load_point_m2ae(
    path, config: PointM2AEConfig | None = None, strict: bool = False
) -> tuple[PointM2AEEncoder, LoadReport]:
    """Build an encoder of `config` (default: released sizes) with a Point-M2AE checkpoint's weights.

    Reads `path` with torch.load(weights_only=True) and takes the state dict under `base_model`,
    `model`, or the file itself. Returns (encoder in eval mode, LoadReport). Raises
    PartDistillError when the file cannot be read, when no key is a Point-M2AE encoder weight,
    when a tensor's shape disagrees with `config`, or, with strict=True, when any encoder key
    is missing or any checkpoint key is unexpected.
    """
    encoder = PointM2AEEncoder(config)
    state = _read_state_dict(Path(path))
    ours, unexpected, ignored = _map_keys(state, encoder.state_dict())
    if not ours:
        sample = ", ".join(list(state)[:3])
        raise PartDistillError(
            f"{path} is not a Point-M2AE checkpoint: none of its {len(state)} keys ({sample}, ...) is an "
            "encoder weight such as h_encoder.token_embed.0.first_conv.0.weight; pass the pre-train.pth "
            "from the Point-M2AE release"
        )
    _check_shapes(ours, encoder.state_dict())
    missing = tuple(k for k in encoder.state_dict() if k not in ours)
    report = LoadReport(missing, tuple(unexpected), tuple(ignored))
    if strict and (report.missing or report.unexpected):
        raise PartDistillError(
            f"{path} does not match the encoder exactly: missing {list(report.missing)}, unexpected "
            f"{list(report.unexpected)}; check that PointM2AEConfig matches the checkpoint, or load with strict=False"
        )
    encoder.load_state_dict({k: t for k, (_, t) in ours.items()}, strict=False)
    return encoder.eval(), report


def _read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """The tensors of a checkpoint file, keys stripped of a DataParallel `module.` prefix."""
    if not path.is_file():
        raise PartDistillError(f"no checkpoint file at {path}; download Point-M2AE's pre-train.pth and pass its path")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types here: pickle, zip and weights-only errors
        raise PartDistillError(
            f"cannot read {path} as a torch checkpoint of plain tensors ({type(exc).__name__}: {exc}); "
            "pass the .pth file from the Point-M2AE release"
        ) from exc
    state = obj
    if isinstance(obj, dict):
        state = next((obj[k] for k in ("base_model", "model") if isinstance(obj.get(k), dict)), obj)
    if not isinstance(state, dict):
        raise PartDistillError(f"{path} holds a {type(obj).__name__}, not a state dict; pass a Point-M2AE checkpoint")
    tensors = {k: v for k, v in state.items() if isinstance(k, str) and isinstance(v, torch.Tensor)}
    return {k.removeprefix("module."): v for k, v in tensors.items()}


def _map_keys(state: dict, own: dict) -> tuple[dict, list[str], list[str]]:
    """Sort checkpoint keys into ({our key: (official key, tensor)}, unexpected, ignored)."""
    ours, unexpected, ignored = {}, [], []
    for key, tensor in state.items():
        mapped = _translate(key, _TO_OURS)
        if mapped in own:
            ours[mapped] = (key, tensor)
        elif key.startswith(_IGNORED_PREFIXES):
            ignored.append(key)
        else:
            # Includes encoder keys this configuration lacks (an extra stage or block).
            unexpected.append(key)
    return ours, unexpected, ignored


def _check_shapes(ours: dict, own: dict) -> None:
    """Raise on the first checkpoint tensor whose shape differs from the encoder's."""
    for key, (official, tensor) in ours.items():
        if tensor.shape != own[key].shape:
            raise PartDistillError(
                f"checkpoint tensor {official} has shape {tuple(tensor.shape)} but this encoder's {key} has "
                f"shape {tuple(own[key].shape)}: the checkpoint is of another size; build the encoder with a "
                "PointM2AEConfig that matches it (PointM2AEConfig.released() for the published model)"
            )

