"""DESIGN.md's layer rule: the backend never imports Blender."""

import ast
import subprocess
import sys
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[1] / "backend" / "partdistill"


def test_backend_source_never_imports_bpy():
    offenders = []
    for path in BACKEND.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("bpy", "mathutils", "bmesh")]
    assert not offenders


def test_importing_every_backend_module_loads_no_blender_module():
    modules = sorted(".".join(p.relative_to(BACKEND.parent).with_suffix("").parts)
                     for p in BACKEND.rglob("*.py") if p.name != "__init__.py")
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "assert 'bpy' not in sys.modules, 'bpy imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_protocol_imports_without_torch_and_the_api_stays_whole():
    """Blender's own Python may lack torch: the package loads its names lazily (PEP 562)."""
    code = ("import sys\n"
            "import partdistill.jobs.protocol\n"
            "assert 'torch' not in sys.modules, 'importing the protocol imported torch'\n"
            "from partdistill.jobs.segment import run_segment  # loads the distill and prealign modules\n"
            "import partdistill, partdistill.prealign\n"
            "from partdistill import distill, prealign, vote, KnowledgeUnits, DistillResult, PartDistillError, metrics\n"
            "assert callable(partdistill.distill) and partdistill.distill is distill, partdistill.distill\n"
            "assert callable(partdistill.prealign) and partdistill.prealign is prealign, partdistill.prealign\n"
            "assert metrics.shape_miou([0, 1], [0, 1], 2) == 1.0 and issubclass(PartDistillError, Exception)\n"
            "assert set(partdistill.__all__) <= set(dir(partdistill))\n"
            "try:\n"
            "    partdistill.no_such_name\n"
            "except AttributeError as exc:\n"
            "    assert 'no_such_name' in str(exc)\n"
            "else:\n"
            "    raise AssertionError('an unknown name resolved')\n")
    subprocess.run([sys.executable, "-c", code], check=True)
