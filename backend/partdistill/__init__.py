"""PartDistill: zero-shot 3D part segmentation by distilling a 2D vision-language model.

The public API: knowledge units, the teacher vote and distillation here, metrics in
`partdistill.metrics`.
This package never imports Blender.

The names load on first use (PEP 562), so that `import partdistill.jobs.protocol` needs only
numpy: Blender's own Python, which may lack torch, imports it to talk to a worker process.
"""

import importlib
import sys
import types

# public name -> the submodule defining it
_EXPORTS = {
    "KnowledgeUnits": "units", "vote": "baselines", "distill": "distill", "DistillResult": "distill",
    "prealign": "prealign", "PartDistillError": "errors",
}
_SUBMODULES = ("metrics",)
# Functions named like their modules: importing the submodule must not rebind the package's name.
_SHADOWED = {name for name, module in _EXPORTS.items() if name == module}

__all__ = ["KnowledgeUnits", "vote", "distill", "DistillResult", "prealign", "metrics", "PartDistillError"]
__version__ = "0.1.0"


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The import system binds each loaded submodule to its package's attribute of that name
    (`import partdistill.distill` sets `partdistill.distill` to the module); for `distill` and
    `prealign` the public name is the function, as it was when this file imported it eagerly."""

    def __setattr__(self, name, value):
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
