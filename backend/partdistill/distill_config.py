"""Distillation settings and their named presets.

`paper` is the method as written: Eq. 3 with its 1/|M_d| unit normalisation, Eq. 4 re-scores
used as they are, no superpoint pooling. `default` is what measured best on the tuning shapes
(`python bench/tune_distill.py`: the PSB meshes and procedural seeds 2000+, never an evaluation
shape): unit entries weighted by confidence only, re-scores compared within each part label with
each label's total weight kept, superpoint-mean features and pooled outputs, and position +
heat-kernel signatures + local shape as features, the same for test-time and pre-alignment.
Heat-kernel signatures alone did best on procedural shapes but 10 points worse on the real PSB
meshes, where position tells apart parts that are intrinsically alike (a chair's back and seat).
"""

from dataclasses import dataclass, fields, replace

from .errors import PartDistillError


@dataclass(frozen=True)
class DistillConfig:
    features: tuple = ("xyz", "hks", "local")           # feature sources for test-time alignment
    prealign_features: tuple = ("xyz", "hks", "local")  # sources that mean the same on every shape
    superpoint_features: bool = True     # append each point's superpoint-mean features
    superpoint_angle: float = 20.0       # normal angle (degrees) that separates superpoints
    hidden: int = 64
    layers: int = 4
    lr: float = 3e-3
    weight_decay: float = 1e-4
    class_balance_beta: float = 0.999
    unit_size_normalise: bool = False    # Eq. 3's 1/|M_d|
    rescore: str = "within-label"        # "paper" (Eq. 4 as is) or "within-label"
    keep_label_mass: bool = True         # re-scoring keeps each label's total weight (see distill_loss)
    tau: float = 0.01                    # backward distillation trigger on the moving-average loss
    ema: float = 0.9                     # moving-average decay of the per-epoch loss
    min_epochs: int = 40                 # test-time alignment: full-batch epochs before the trigger may fire
    max_epochs: int = 200                # ... at most this many before re-scoring anyway
    epochs_after: int = 60               # epochs with the re-scored units
    output_pooling: float = 0.5          # mix of superpoint-mean probabilities into the output
    label_uncovered: bool = True         # False: points no unit covers stay -1, for data with a
                                         # "no part" label (PartNet-E), where uncovered often means none
    # pre-alignment
    pre_epochs: int = 25
    pre_epochs_after: int = 10
    pre_min_steps: int = 300             # small collections still get enough optimiser steps
    batch_shapes: int = 16
    pre_lr: float = 1e-3
    train_encoder: bool = False          # pre-alignment trains the Point-M2AE encoder too (from random
                                         # weights when none is given: the paper's "w/o pretrain")


PRESETS = {
    "default": DistillConfig(),
    "paper": DistillConfig(superpoint_features=False, unit_size_normalise=True, rescore="paper",
                           keep_label_mass=False, output_pooling=0.0, lr=1e-3, weight_decay=0.0),
}


def resolve_config(config=None) -> DistillConfig:
    """None -> default; a preset name; a DistillConfig; or a dict of overrides of the default
    (with an optional "preset" key naming the base)."""
    if config is None:
        return PRESETS["default"]
    if isinstance(config, DistillConfig):
        return config
    if isinstance(config, str):
        if config not in PRESETS:
            raise PartDistillError(f"unknown distillation preset {config!r}; choose one of {sorted(PRESETS)}")
        return PRESETS[config]
    if isinstance(config, dict):
        overrides = dict(config)
        base = resolve_config(overrides.pop("preset", "default"))
        valid = {f.name for f in fields(DistillConfig)}
        unknown = set(overrides) - valid
        if unknown:
            raise PartDistillError(f"unknown distillation settings {sorted(unknown)}; valid: {sorted(valid)}")
        return replace(base, **overrides)
    raise PartDistillError(f"config must be a preset name, a DistillConfig or a dict, got {type(config).__name__}")
