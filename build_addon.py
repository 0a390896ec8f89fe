"""Build dist/partdistill_blender-<version>.zip: the add-on with the backend bundled inside.

One zip installs both ways: as a legacy add-on in Blender 3.4+ (Preferences > Add-ons > Install,
it finds bl_info in partdistill_blender/__init__.py) and as an extension in Blender 4.2+ (Install
from Disk, it finds partdistill_blender/blender_manifest.toml). The backend goes to
partdistill_blender/backend/partdistill, where the add-on looks for it.

    python build_addon.py [--out dist]
"""

import argparse
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PACKAGE = "partdistill_blender"
SKIP = ("__pycache__", ".pyc", ".pyo")


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def files(directory: Path):
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not any(part.endswith(SKIP) for part in path.parts):
            yield path


def build(out_dir=ROOT / "dist") -> Path:
    meta = project()
    manifest = tomllib.loads((ROOT / "blender_addon" / "blender_manifest.toml").read_text())
    if manifest["version"] != meta["version"]:
        sys.exit(f"blender_manifest.toml has version {manifest['version']}, pyproject.toml {meta['version']}: "
                 "make them equal")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    zip_path = out_dir / f"{PACKAGE}-{meta['version']}.zip"
    tmp = zip_path.with_name(zip_path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files(ROOT / "blender_addon"):
            zf.write(path, Path(PACKAGE, path.relative_to(ROOT / "blender_addon")).as_posix())
        for path in files(ROOT / "backend" / "partdistill"):
            zf.write(path, Path(PACKAGE, "backend", path.relative_to(ROOT / "backend")).as_posix())
    tmp.replace(zip_path)
    return zip_path


def requirements_note() -> str:
    deps = project()["dependencies"]
    return ("The backend's Python needs: " + " ".join(f'"{d}"' for d in deps) + "\n"
            "Blender runs it in-process when its own Python can import torch and scipy; otherwise set "
            "Preferences > Add-ons > PartDistill > Backend Python to a Python 3.11 that has them, e.g.\n"
            "  python3.11 -m venv ~/partdistill-env && ~/partdistill-env/bin/pip install "
            + " ".join(f'"{d}"' for d in deps))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "dist"), help="output folder (default: dist)")
    args = parser.parse_args(argv)
    path = build(args.out)
    print(f"built {path} ({path.stat().st_size // 1024} KiB)")
    print(requirements_note())
    return 0


if __name__ == "__main__":
    sys.exit(main())
