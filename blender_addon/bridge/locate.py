"""Where the backend is: bundled inside the add-on (the built zip) or beside it (the source tree)."""

import importlib.util
import sys
from pathlib import Path

from ..errors import UserError

ADDON_DIR = Path(__file__).resolve().parents[1]
PROTOCOL = Path("partdistill", "jobs", "protocol.py")


def backend_dir() -> Path:
    """The directory holding the partdistill package: ADDON_DIR/backend in the built zip,
    ADDON_DIR/../backend in the source tree."""
    for candidate in (ADDON_DIR / "backend", ADDON_DIR.parent / "backend"):
        if (candidate / PROTOCOL).is_file():
            return candidate
    raise UserError(f"The PartDistill backend is missing from {ADDON_DIR}: reinstall the add-on from its zip")


def protocol():
    """The backend's jobs.protocol module: it needs only numpy (the package loads torch lazily), so
    Blender's own Python imports it even when the backend runs in a worker of another Python."""
    make_backend_importable()
    from partdistill.jobs import protocol as module
    return module


def torch_importable() -> bool:
    """Whether this Python can run the backend in-process (without importing anything)."""
    return all(importlib.util.find_spec(name) is not None for name in ("torch", "scipy"))


def make_backend_importable() -> None:
    """Put the backend on sys.path unless a partdistill package is importable already."""
    if importlib.util.find_spec("partdistill") is None:
        sys.path.append(str(backend_dir()))
