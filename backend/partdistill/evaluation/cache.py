"""The teacher-output cache: each shape's knowledge units, on disk, keyed by
everything that decides them (shape and its points, teacher, prompts, views, resolution, renderer).

Units are the teacher's predictions back-projected onto the points; they are what every later stage
reads, and they are small (covered entries only) where the raw pixel maps of ten 512-pixel views
would take ~40 MB a shape. Files are written to a temporary name and renamed, so an interrupted
run leaves either a whole entry or none; an unreadable entry is recomputed.
"""

import hashlib
import io
import json
import os
from pathlib import Path

import numpy as np

from ..units import KnowledgeUnits


def points_digest(points) -> str:
    """A short hash of the points: a changed data file never reuses a stale entry."""
    return hashlib.sha1(np.ascontiguousarray(points, dtype=np.float32).tobytes()).hexdigest()[:16]


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class TeacherCache:
    """Entries under `directory`; hits and misses count what load() found."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.hits = self.misses = 0

    @staticmethod
    def key(identity: dict) -> str:
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:32]

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.npz"

    def load(self, identity: dict):
        """The units stored for identity, or None."""
        path = self.path(self.key(identity))
        try:
            with np.load(path) as z:
                if json.loads(str(z["identity"])) != identity:  # a hash collision, in theory
                    raise ValueError("identity differs")
                units = KnowledgeUnits(int(z["num_points"]), z["offsets"], z["point_index"], z["probs"], z["view"])
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, KeyError, ValueError) as exc:
            print(f"teacher cache: ignoring unreadable {path} ({exc}); recomputing", flush=True)
            self.misses += 1
            return None
        self.hits += 1
        return units

    def save(self, identity: dict, units: KnowledgeUnits) -> Path:
        buf = io.BytesIO()
        np.savez_compressed(buf, identity=json.dumps(identity, sort_keys=True), num_points=units.num_points,
                            offsets=units.offsets, point_index=units.point_index, probs=units.probs,
                            view=units.view)
        path = self.path(self.key(identity))
        atomic_write(path, buf.getvalue())
        return path
