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
