"""The add-on's way to the backend: in-process when Blender's Python can import torch, else a
worker process of the Python set in the preferences. Both offer cameras(), presets() and
start(request) -> a job with poll() / wait() / cancel() and result / error / cancelled / done."""

from ..errors import UserError
from .locate import protocol, torch_importable


def get_backend(mode: str, python: str = ""):
    """mode: AUTO, IN_PROCESS or WORKER (the preferences' backend mode)."""
    if mode == "IN_PROCESS" and not torch_importable():
        raise UserError("Blender's Python cannot import torch and scipy, so the backend cannot run in-process: "
                        "choose the worker backend in the add-on preferences and set its Python")
    if mode == "IN_PROCESS" or (mode == "AUTO" and torch_importable()):
        from .inprocess import InProcessBackend
        return InProcessBackend()
    from .worker import WorkerBackend
    return WorkerBackend(python)


__all__ = ["get_backend", "protocol"]
