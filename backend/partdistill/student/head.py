"""The distillation head: the paper's 4-layer MLP with ReLU, per point."""

import torch
from torch import nn


class DistillHead(nn.Module):
    """features (..., in_dim) -> part logits (..., num_parts)."""

    def __init__(self, in_dim: int, num_parts: int, hidden: int = 128, layers: int = 4, dropout: float = 0.0):
        super().__init__()
        dims = [in_dim] + [hidden] * (layers - 1)
        blocks = []
        for a, b in zip(dims[:-1], dims[1:]):
            blocks += [nn.Linear(a, b), nn.ReLU()]
            if dropout:
                blocks.append(nn.Dropout(dropout))
        blocks.append(nn.Linear(dims[-1], num_parts))
        self.net = nn.Sequential(*blocks)
        self.in_dim, self.num_parts = in_dim, num_parts

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
