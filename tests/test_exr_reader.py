"""The add-on's EXR reader on files laid out as Blender 3.4 (one part) and 5.0 (one part per pass) write them."""

import importlib.util
import struct
from pathlib import Path

import numpy as np
import pytest

EXR = Path(__file__).resolve().parents[1] / "blender_addon" / "scene" / "exr.py"


def load_reader():
    """exr.py imports only numpy: load it without the add-on package (whose __init__ is Blender's)."""
    spec = importlib.util.spec_from_file_location("exr_reader", EXR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def attribute(name, kind, payload):
    return name.encode() + b"\0" + kind.encode() + b"\0" + struct.pack("<i", len(payload)) + payload


def header(channels, width, height, part_name=None):
    chlist = b"".join(c.encode() + b"\0" + struct.pack("<iiii", 2, 0, 1, 1) for c in channels) + b"\0"
    box = struct.pack("<4i", 0, 0, width - 1, height - 1)
    attrs = [attribute("channels", "chlist", chlist), attribute("compression", "compression", b"\0"),
             attribute("dataWindow", "box2i", box), attribute("displayWindow", "box2i", box),
             attribute("lineOrder", "lineOrder", b"\0")]
    if part_name is not None:
        attrs.append(attribute("name", "string", part_name.encode()))
    return b"".join(attrs) + b"\0"


def write_exr(path, parts, width, height):
    """parts: [{channel: (H, W) float32}] written uncompressed, multi-part when more than one."""
    multipart = len(parts) > 1
    out = bytearray(b"\x76\x2f\x31\x01" + struct.pack("<i", 2 | (0x1000 if multipart else 0)))
    for i, channels in enumerate(parts):
        out += header(sorted(channels), width, height, f"part{i}" if multipart else None)
    if multipart:
        out += b"\0"
    table_at = len(out)
    out += bytes(8 * height * len(parts))
    offsets = []
    for i, channels in enumerate(parts):
        for y in range(height):
            offsets.append(len(out))
            rows = b"".join(channels[name][y].astype("<f4").tobytes() for name in sorted(channels))
            out += (struct.pack("<i", i) if multipart else b"") + struct.pack("<ii", y, len(rows)) + rows
    out[table_at:table_at + 8 * len(offsets)] = np.array(offsets, dtype="<u8").tobytes()
    Path(path).write_bytes(bytes(out))


@pytest.mark.parametrize("multipart", [False, True])
def test_reads_every_channel_of_single_and_multi_part_files(tmp_path, multipart):
    rng = np.random.default_rng(0)
    rgba = {f"ViewLayer.Combined.{c}": rng.random((5, 7), dtype=np.float32) for c in "RGBA"}
    depth = {"ViewLayer.Depth.Z": rng.random((5, 7), dtype=np.float32) * 10}
    parts = [rgba, depth] if multipart else [{**rgba, **depth}]
    write_exr(tmp_path / "view.exr", parts, 7, 5)
    channels = load_reader().read_exr(tmp_path / "view.exr")
    assert set(channels) == set(rgba) | set(depth)
    for name, values in {**rgba, **depth}.items():
        np.testing.assert_array_equal(channels[name], values)


def test_refuses_what_it_cannot_read(tmp_path):
    reader = load_reader()
    (tmp_path / "x.exr").write_bytes(b"not an exr")
    with pytest.raises(reader.ExrError, match="not an OpenEXR file"):
        reader.read_exr(tmp_path / "x.exr")
    write_exr(tmp_path / "z.exr", [{"A": np.zeros((2, 2), np.float32)}], 2, 2)
    data = bytearray((tmp_path / "z.exr").read_bytes())
    at = data.index(b"compression\0compression\0") + len(b"compression\0compression\0") + 4
    data[at] = 3  # ZIP
    (tmp_path / "z.exr").write_bytes(bytes(data))
    with pytest.raises(reader.ExrError, match="compressed"):
        reader.read_exr(tmp_path / "z.exr")
