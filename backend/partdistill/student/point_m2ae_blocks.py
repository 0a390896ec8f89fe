"""Building blocks of the Point-M2AE encoder: grouping, token embedding, one encoder stage,
and the 3-NN interpolation that carries stage features back to the input points.

Parameter names and shapes inside each block equal the official ones (Zhang et al., NeurIPS
2022, github.com/ZrrSkywalker/Point-M2AE), so the released checkpoint loads through a
prefix-only key table (see point_m2ae.py).
"""

import torch
import torch.nn.functional as F
from timm.models.vision_transformer import Block
from torch import nn

from ..geometry.neighbors import farthest_point_sample, knn

# Additive attention logit for pairs of tokens farther apart than the stage's radius. The
# official code adds this finite value rather than -inf; a token always lies within the radius
# of itself, so no row is fully masked either way.
MASKED_LOGIT = -100000.0

# Keeps the inverse-distance weights finite when a point coincides with a centre (official value).
_IDW_EPS = 1e-8


def gather(values: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """Rows of each batch item: values (B, N, C), idx (B, ...) int64 -> (B, ..., C)."""
    b = values.shape[0]
    flat = idx.reshape(b, -1)
    picked = torch.gather(values, 1, flat[..., None].expand(-1, -1, values.shape[-1]))
    return picked.reshape(*idx.shape, values.shape[-1])


def group(points: torch.Tensor, num_centres: int, group_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """FPS centres and their k nearest neighbours among `points`.

    points (B, N, 3) -> (centres (B, G, 3), neighbour indices into points (B, G, k)). FPS starts
    at index 0, as the official pointnet2 kernel does; each centre is its own nearest neighbour.
    """
    centre_idx = farthest_point_sample(points, num_centres)
    centres = gather(points, centre_idx)
    _, neighbours = knn(centres, points, group_size)
    return centres, neighbours


def local_attention_bias(centres: torch.Tensor, radius: float) -> torch.Tensor:
    """Additive attention mask letting each token attend only to tokens within `radius`.

    centres (B, G, 3) -> (B, 1, G, G) float: 0 where the centres are closer than `radius`,
    MASKED_LOGIT elsewhere (the head axis broadcasts).
    """
    far = torch.cdist(centres, centres) >= radius
    bias = torch.zeros(far.shape, dtype=centres.dtype, device=centres.device)
    return bias.masked_fill_(far, MASKED_LOGIT)[:, None]


def interpolate(points: torch.Tensor, centres: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
    """Features at `points` by inverse squared-distance weighting of the 3 nearest centres.

    points (B, N, 3), centres (B, G, 3), features (B, G, C) -> (B, N, C). Weights are
    1 / (d² + 1e-8), the PointNet++ feature propagation the official segmentation model uses.
    With fewer than 3 centres, all of them are used.
    """
    sq_dists, idx = knn(points, centres, min(3, centres.shape[1]))
    weights = 1.0 / (sq_dists.to(features.dtype) + _IDW_EPS)
    weights = weights / weights.sum(dim=-1, keepdim=True)
    return (gather(features, idx) * weights[..., None]).sum(dim=2)


class PointwiseConv(nn.Conv1d):
    """A kernel-size-1 Conv1d applied to channel-last rows (..., in) -> (..., out).

    Keeps Conv1d's (out, in, 1) weight, so official checkpoint tensors load unchanged, but runs
    as one matrix product over all rows: much faster on the CPU than Conv1d over tiny groups.
    """

    def __init__(self, in_dim: int, out_dim: int):
        super().__init__(in_dim, out_dim, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight[..., 0], self.bias)


class TokenEmbed(nn.Module):
    """PointNet-style embedding of each group into one token.

    Shared per-member layers (`first_conv`), the group's max-pooled feature concatenated to every
    member, more shared layers (`second_conv`), then max-pooling over the group. The first stage
    lifts raw relative xyz through wide layers (3 -> 128 -> 256, 512 -> 512 -> dim); later stages
    embed the previous stage's tokens at their own width (c -> c -> c, 2c -> dim -> dim), as in
    the official code.
    """

    def __init__(self, in_dim: int, out_dim: int, raw_xyz: bool):
        super().__init__()
        a, b, c = (128, 256, 512) if raw_xyz else (in_dim, in_dim, out_dim)
        self.first_conv = nn.Sequential(PointwiseConv(in_dim, a), nn.BatchNorm1d(a), nn.ReLU(), PointwiseConv(a, b))
        self.second_conv = nn.Sequential(PointwiseConv(2 * b, c), nn.BatchNorm1d(c), nn.ReLU(), PointwiseConv(c, out_dim))

    def forward(self, groups: torch.Tensor) -> torch.Tensor:
        """groups (B, G, k, in_dim) -> tokens (B, G, out_dim)."""
        b, g, k, _ = groups.shape
        # BatchNorm1d over (rows, C) normalises per channel exactly as over (B·G, C, k).
        h = self.first_conv(groups.reshape(b * g * k, -1)).reshape(b * g, k, -1)
        # The pooled group feature goes first, matching the official concatenation order.
        h = torch.cat([h.amax(dim=1, keepdim=True).expand_as(h), h], dim=-1)
        h = self.second_conv(h.reshape(b * g * k, -1)).reshape(b * g, k, -1)
        return h.amax(dim=1).reshape(b, g, -1)


class EncoderStage(nn.Module):
    """One level of the hierarchy: token embedding, centre positional embedding, transformer
    blocks with optional local attention, and a final LayerNorm."""

    def __init__(self, in_dim: int, dim: int, depth: int, num_heads: int, raw_xyz: bool, drop_path: list[float]):
        super().__init__()
        self.token_embed = TokenEmbed(in_dim, dim, raw_xyz)
        self.pos_embed = nn.Sequential(nn.Linear(3, dim), nn.GELU(), nn.Linear(dim, dim))
        # nn.LayerNorm (eps 1e-5) as in the official blocks; timm's default norm uses eps 1e-6.
        self.blocks = nn.ModuleList(
            Block(dim, num_heads, qkv_bias=False, drop_path=drop_path[j], norm_layer=nn.LayerNorm)
            for j in range(depth)
        )
        self.norm = nn.LayerNorm(dim)

    def forward(
        self, groups: torch.Tensor, centres: torch.Tensor, radius: float | None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """groups (B, G, k, in_dim), centres (B, G, 3) -> (tokens, normalised tokens), both (B, G, dim).

        The un-normalised tokens feed the next stage, the normalised ones are the stage's output
        (official order). `radius` None means global attention.
        """
        x = self.token_embed(groups)
        pos = self.pos_embed(centres)
        mask = None if radius is None else local_attention_bias(centres, radius)
        for block in self.blocks:
            # The positional embedding is added before every block, as in the official encoder.
            x = block(x + pos, attn_mask=mask)
        return x, self.norm(x)
