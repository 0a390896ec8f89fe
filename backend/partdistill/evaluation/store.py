"""A run's results on disk, one file per shape, so that an interrupted run resumes where it stopped.

OUT/run.json holds the settings the results were made with (a re-run with other settings would mix
incomparable numbers, so it is refused); OUT/shapes/<category>/<shape id>.npz holds the shape's
points, ground truth and each method's labels, written atomically after every shape.
"""

import io
import json
from pathlib import Path

import numpy as np

from ..errors import PartDistillError
from .cache import atomic_write


class ResultStore:
    def __init__(self, out, settings: dict):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        run = self.out / "run.json"
        if run.is_file():
            before = json.loads(run.read_text())
            changed = sorted(k for k in set(before) | set(settings) if before.get(k) != settings.get(k))
            if changed:
                raise PartDistillError(
                    f"{self.out} holds results made with other settings ({', '.join(changed)} differ: "
                    f"{ {k: before.get(k) for k in changed} } then, { {k: settings.get(k) for k in changed} } now); "
                    "use another --out folder, or delete this one to start over")
        else:
            atomic_write(run, json.dumps(settings, indent=1, sort_keys=True).encode())

    def path(self, category: str, shape_id: str) -> Path:
        return self.out / "shapes" / category / f"{shape_id}.npz"

    def load(self, category: str, shape_id: str) -> dict | None:
        """{"points", "gt", "labels": {method: (N,)}, "meta": {...}} or None (absent or unreadable)."""
        try:
            with np.load(self.path(category, shape_id)) as z:
                labels = {k[len("label_"):]: z[k] for k in z.files if k.startswith("label_")}
                return {"points": z["points"], "gt": z["gt"], "labels": labels, "meta": json.loads(str(z["meta"]))}
        except FileNotFoundError:
            return None
        except (OSError, KeyError, ValueError):  # a damaged file: the shape is simply done again
            return None

    def save(self, category: str, shape_id: str, record: dict) -> None:
        buf = io.BytesIO()
        arrays = {f"label_{k}": np.asarray(v, dtype=np.int16) for k, v in record["labels"].items()}
        np.savez(buf, points=np.asarray(record["points"], dtype=np.float32), gt=np.asarray(record["gt"], np.int16),
                 meta=json.dumps(record["meta"]), **arrays)
        atomic_write(self.path(category, shape_id), buf.getvalue())

    def write_json(self, name: str, payload) -> Path:
        path = self.out / name
        atomic_write(path, json.dumps(payload, indent=1).encode())
        return path
