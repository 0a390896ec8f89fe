"""Read the uncompressed OpenEXR files the renderer writes, with numpy only.

Blender 5.0 writes multilayer EXR as a multi-part file (one part per pass), Blender 3.4 as one
part holding every channel; bpy's image API reads only the first layer of either in background
mode, and OpenImageIO is not part of the bpy module. The renderer asks for codec NONE and
32-bit floats, which makes the format simple: headers, an offset table per part, and
scanlines of per-channel rows.
"""

import struct

import numpy as np

# EXR pixel types: UINT, HALF, FLOAT.
_DTYPES = {0: np.dtype("<u4"), 1: np.dtype("<f2"), 2: np.dtype("<f4")}
_MULTIPART = 0x1000
_TILED = 0x200


class ExrError(ValueError):
    """A file this reader does not handle; the message names the file."""


def read_exr(path) -> dict[str, np.ndarray]:
    """{channel name: (H, W) float32} for every channel of every part, e.g. "ViewLayer.Depth.Z".
    Row 0 is the top of the image."""
    data = open(path, "rb").read()
    if data[:4] != b"\x76\x2f\x31\x01":
        raise ExrError(f"{path} is not an OpenEXR file")
    flags = struct.unpack("<i", data[4:8])[0]
    if flags & _TILED:
        raise ExrError(f"{path} is tiled; the renderer writes scanline files")
    multipart = bool(flags & _MULTIPART)
    headers, pos = _headers(data, multipart)
    channels = {}
    for part, header in enumerate(headers):
        if header["compression"][0] != 0:
            raise ExrError(f"{path} is compressed; render with exr_codec 'NONE'")
        x0, y0, x1, y1 = struct.unpack("<4i", header["dataWindow"])
        width, height = x1 - x0 + 1, y1 - y0 + 1
        names = _channel_list(header["channels"])
        offsets = np.frombuffer(data, "<u8", height, pos)
        pos += 8 * height
        out = {name: np.empty((height, width), np.float32) for name, _ in names}
        for offset in offsets.tolist():
            offset += 4 if multipart else 0  # a multi-part chunk starts with its part number
            y, _size = struct.unpack("<ii", data[offset:offset + 8])
            offset += 8
            for name, dtype in names:
                out[name][y - y0] = np.frombuffer(data, dtype, width, offset)
                offset += dtype.itemsize * width
        channels.update(out)
    return channels


def _headers(data: bytes, multipart: bool) -> tuple[list[dict], int]:
    """Attribute dicts {name: raw bytes} of each part, and the position after the headers."""
    pos, headers = 8, []
    while True:
        header = {}
        while True:
            name, pos = _string(data, pos)
            if not name:
                break
            _type, pos = _string(data, pos)
            size = struct.unpack("<i", data[pos:pos + 4])[0]
            header[name] = data[pos + 4:pos + 4 + size]
            pos += 4 + size
        headers.append(header)
        if not multipart:
            return headers, pos
        if data[pos] == 0:  # an empty header ends the list of parts
            return headers, pos + 1


def _string(data: bytes, pos: int) -> tuple[str, int]:
    end = data.index(b"\0", pos)
    return data[pos:end].decode(), end + 1


def _channel_list(raw: bytes) -> list[tuple[str, np.dtype]]:
    """(name, dtype) per channel, in file order (alphabetical, as the format requires)."""
    out, pos = [], 0
    while raw[pos] != 0:
        name, pos = _string(raw, pos)
        pixel_type = struct.unpack("<i", raw[pos:pos + 4])[0]
        pos += 16  # pixel type, pLinear + reserved, xSampling, ySampling
        out.append((name, _DTYPES[pixel_type]))
    return out
