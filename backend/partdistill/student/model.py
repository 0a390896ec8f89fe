"""A pre-aligned student: features + head, applied to new shapes, saved and loaded safely."""

from dataclasses import asdict, fields
from pathlib import Path

import numpy as np
import torch

from ..distill_config import DistillConfig
from ..errors import PartDistillError
from .encoded import EncodedShape
from .features import shape_features
from .head import DistillHead
from .point_m2ae import PointM2AEConfig, PointM2AEEncoder

FORMAT = "partdistill-student"
VERSION = 1


class Student:
    """head: a DistillHead over cfg.prealign_features; predict() computes those features (with
    its own Point-M2AE encoder when they include "point-m2ae")."""

    def __init__(self, head: DistillHead, config: DistillConfig, num_parts: int, info=None,
                 encoder: PointM2AEEncoder | None = None):
        self.head, self.config, self.num_parts = head.eval(), config, num_parts
        self.encoder = encoder.eval() if encoder is not None else None
        self.info = info or {}

    def predict(self, points) -> np.ndarray:
        """(N, R) part probabilities for points (N, 3) in any scale or position."""
        from ..distill import student_probs
        cfg = self.config
        if self.encoder is not None:
            sf = EncodedShape(points, cfg).frozen(self.encoder)
        else:
            sf = shape_features(points, cfg.prealign_features, cfg.superpoint_features,
                                superpoint_angle=cfg.superpoint_angle)
        if sf.features.shape[1] != self.head.in_dim:
            raise PartDistillError(f"features have {sf.features.shape[1]} dims but the head expects {self.head.in_dim}")
        return student_probs(self.head, sf, cfg).astype(np.float32)

    def save(self, path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"format": FORMAT, "version": VERSION, "num_parts": self.num_parts,
                   "in_dim": self.head.in_dim, "config": _plain(asdict(self.config)),
                   "state_dict": self.head.state_dict()}
        if self.encoder is not None:
            payload["encoder_config"] = _plain(asdict(self.encoder.config))
            payload["encoder_state"] = self.encoder.state_dict()
        tmp = path.with_name(path.name + ".tmp")
        torch.save(payload, tmp)
        tmp.replace(path)  # a crash mid-write never leaves a truncated checkpoint under the name
        return path

    @classmethod
    def load(cls, path, num_parts: int | None = None) -> "Student":
        path = Path(path)
        if not path.is_file():
            raise PartDistillError(f"no student checkpoint at {path}")
        try:
            payload = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same advice
            raise PartDistillError(f"{path} is not a readable checkpoint ({exc.__class__.__name__}); "
                                   "pass a file written by Student.save") from exc
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise PartDistillError(f"{path} is not a PartDistill student checkpoint (for a Point-M2AE "
                                   "encoder checkpoint use student.point_m2ae.load_point_m2ae)")
        if payload.get("version") != VERSION:
            raise PartDistillError(f"{path} has checkpoint version {payload.get('version')}, this build reads {VERSION}")
        if num_parts is not None and payload["num_parts"] != num_parts:
            raise PartDistillError(f"{path} segments {payload['num_parts']} parts but {num_parts} were asked for; "
                                   "pre-align a student for this part list")
        valid = {f.name for f in fields(DistillConfig)}
        cfg = DistillConfig(**{k: tuple(v) if isinstance(v, list) else v
                               for k, v in payload["config"].items() if k in valid})
        head = DistillHead(payload["in_dim"], payload["num_parts"], cfg.hidden, cfg.layers)
        encoder = None
        if "encoder_config" in payload:
            encoder = PointM2AEEncoder(PointM2AEConfig(**{k: tuple(v) if isinstance(v, list) else v
                                                          for k, v in payload["encoder_config"].items()}))
        try:
            head.load_state_dict(payload["state_dict"], strict=True)
            if encoder is not None:
                encoder.load_state_dict(payload["encoder_state"], strict=True)
        except RuntimeError as exc:
            raise PartDistillError(f"{path}: the weights do not fit the architecture it declares: {exc}") from exc
        return cls(head, cfg, payload["num_parts"], encoder=encoder)


def _plain(d: dict) -> dict:
    """Tuples to lists so the config loads under weights_only=True."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}
