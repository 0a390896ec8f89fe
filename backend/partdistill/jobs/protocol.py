"""What crosses the boundary between a front end (the Blender add-on) and the backend.

Requests and results are frozen dataclasses; on disk a request or response is one small versioned
JSON file beside .npy files for its arrays, and progress is one JSON message per line. This module
imports only the standard library and numpy (the package loads torch lazily): the add-on imports
it in Blender's own Python, which may lack torch, and runs the job in a worker.
"""

import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

VERSION = 1
REQUEST_FILE = "request.json"
RESPONSE_FILE = "response.json"
CANCEL_FILE = "cancel"
SIMULATED = "simulated"
MESSAGE_TYPES = ("progress", "result", "error", "cancelled")


class ProtocolError(ValueError):
    """A request or response file that this build cannot read; the message names the file."""


@dataclass(frozen=True)
class View:
    """One rendered view: image (H, W, 3) uint8, depth (H, W) camera z of the nearest surface,
    mask (H, W) bool object pixels, K (3, 3) and world_to_cam (4, 4) in the OpenCV convention."""

    image: np.ndarray
    depth: np.ndarray
    mask: np.ndarray
    K: np.ndarray
    world_to_cam: np.ndarray


@dataclass(frozen=True)
class SegmentRequest:
    """One "Segment Parts" run.

    vertices (V, 3) / faces (F, 3): the surface to sample, in world space (the renders show it).
    target_vertices / target_faces: the mesh that receives the labels when it differs from the
    sampled one (an object whose modifiers change its topology); None means the same mesh.
    teacher: a VLM (registered name, hub id or model directory) or "simulated", which needs
    face_labels (F,) ground truth and prints a notice. checkpoint: a pre-aligned student file;
    then no teacher runs and views may be empty.
    """

    vertices: np.ndarray
    faces: np.ndarray
    part_names: tuple
    views: tuple = ()
    teacher: str = SIMULATED
    face_labels: np.ndarray | None = None
    simulated_kind: str = "box"
    simulated_preset: str | None = None
    category: str | None = None
    backward: bool = True
    checkpoint: str | None = None
    seed: int = 0
    num_points: int = 2048
    device: str | None = None
    models_dir: str | None = None
    allow_download: bool = False
    target_vertices: np.ndarray | None = None
    target_faces: np.ndarray | None = None


@dataclass(frozen=True)
class SegmentResult:
    """vertex_probs (V, R) per-part probability of each target vertex; face_labels (F,) part of
    each target face; point_counts (R,) sampled points per part; part_colors (R, 3) uint8;
    seconds per stage; teacher: what labelled the views; notice: non-empty for simulated output."""

    part_names: tuple
    vertex_probs: np.ndarray
    face_labels: np.ndarray
    point_counts: np.ndarray
    part_colors: np.ndarray
    seconds: dict = field(default_factory=dict)
    teacher: str = ""
    notice: str = ""
    num_units: int = 0
    coverage: float = 0.0


class JobCancelled(Exception):
    """The user cancelled between two steps: a normal outcome, not an error."""


def message(kind: str, job: str, **fields) -> dict:
    """A versioned message: kind is progress (step, total, text), result, error (text) or cancelled."""
    if kind not in MESSAGE_TYPES:
        raise ValueError(f"message type must be one of {MESSAGE_TYPES}, got {kind!r}")
    return {"version": VERSION, "type": kind, "job": job, **fields}


def progress(job: str, step: int, total: int, stage: str, text: str) -> dict:
    return message("progress", job, step=step, total=total, stage=stage, text=text)


def drive(job, on_message=None, cancelled=lambda: False):
    """Run a job generator to its return value, passing each message to on_message and checking
    cancelled() between steps (raises JobCancelled)."""
    try:
        while True:
            msg = next(job)
            if on_message is not None:
                on_message(msg)
            if cancelled():
                job.close()
                raise JobCancelled("cancelled by the user")
    except StopIteration as stop:
        return stop.value


# -- files -----------------------------------------------------------------------------------
_VIEW_ARRAYS = ("image", "depth", "mask", "K", "world_to_cam")
_ARRAY_FIELDS = ("vertices", "faces", "face_labels", "target_vertices", "target_faces")
REQUEST_KINDS = ("segment", "cameras", "presets")


def write_request(directory, request: SegmentRequest, job: str = "job") -> Path:
    """Write request.json and its .npy arrays into directory; returns the JSON path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    body, arrays = {}, {}
    for f in fields(SegmentRequest):
        value = getattr(request, f.name)
        if f.name == "views":
            for key in _VIEW_ARRAYS:
                arrays[f"views_{key}"] = np.stack([getattr(v, key) for v in value]) if value else None
            body["num_views"] = len(value)
        elif f.name in _ARRAY_FIELDS:
            arrays[f.name] = None if value is None else np.asarray(value)
        else:
            body[f.name] = list(value) if isinstance(value, tuple) else value
    body["arrays"] = _save_arrays(directory, "request", arrays)
    return write_call(directory, "segment", job, **body)


def write_call(directory, kind: str, job: str = "job", **params) -> Path:
    """request.json for a request of kind segment, cameras (center, radius, width, height,
    num_views) or presets; params must be JSON values."""
    if kind not in REQUEST_KINDS:
        raise ValueError(f"request kind must be one of {REQUEST_KINDS}, got {kind!r}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return _write_json(directory / REQUEST_FILE, {"version": VERSION, "request": kind, "job": job, **params})


def read_call(path) -> dict:
    """The body of a request.json: "request" names its kind, "job" its id."""
    body = _read_json(Path(path))
    if body.get("request") not in REQUEST_KINDS:
        raise ProtocolError(f"{path}: unknown request kind {body.get('request')!r}; known: {REQUEST_KINDS}")
    return body


def read_request(path) -> SegmentRequest:
    """The SegmentRequest of a request.json written by write_request."""
    path = Path(path)
    body = read_call(path)
    arrays = _load_arrays(path.parent, body.get("arrays", {}))
    views = tuple(View(**{key: arrays[f"views_{key}"][i] for key in _VIEW_ARRAYS})
                  for i in range(body.get("num_views", 0)))
    kwargs = {f.name: body[f.name] for f in fields(SegmentRequest) if f.name in body}
    kwargs.update({k: v for k, v in arrays.items() if not k.startswith("views_")})
    try:
        kwargs["part_names"] = tuple(kwargs["part_names"])
        return SegmentRequest(views=views, **kwargs)
    except (KeyError, TypeError) as exc:
        raise ProtocolError(f"{path} is not a complete segment request: {exc}") from exc


def write_result(directory, result: SegmentResult, job: str = "job") -> Path:
    """Write response.json and its arrays atomically: the arrays first, the JSON last, each under
    a temporary name first, so a reader that sees response.json sees a complete response."""
    directory = Path(directory)
    arrays = {f.name: getattr(result, f.name) for f in fields(SegmentResult)
              if isinstance(getattr(result, f.name), np.ndarray)}
    body = {f.name: getattr(result, f.name) for f in fields(SegmentResult) if f.name not in arrays}
    body["part_names"] = list(body["part_names"])
    body["arrays"] = _save_arrays(directory, "result", arrays)
    return write_response(directory, "segment", job, **body)


def write_response(directory, kind: str, job: str, **body) -> Path:
    """response.json answering a request of kind; body must be JSON values."""
    return _write_json(Path(directory) / RESPONSE_FILE, message("result", job, request=kind, **body))


def read_response(path, kind: str) -> dict:
    """The body of a response.json answering a request of kind."""
    body = _read_json(Path(path))
    if body.get("type") != "result" or body.get("request") != kind:
        raise ProtocolError(f"{path} is not the answer to a {kind!r} request")
    return body


def read_result(path) -> SegmentResult:
    path = Path(path)
    body = read_response(path, "segment")
    arrays = _load_arrays(path.parent, body["arrays"])
    kwargs = {f.name: body[f.name] for f in fields(SegmentResult) if f.name in body}
    kwargs["part_names"] = tuple(kwargs["part_names"])
    return SegmentResult(**kwargs, **arrays)


def _save_arrays(directory: Path, prefix: str, arrays: dict) -> dict:
    names = {}
    for name, value in arrays.items():
        if value is None:
            continue
        file = f"{prefix}_{name}.npy"
        tmp = directory / (file + ".tmp")
        with open(tmp, "wb") as fh:
            np.save(fh, np.asarray(value), allow_pickle=False)
        os.replace(tmp, directory / file)
        names[name] = file
    return names


def _load_arrays(directory: Path, names: dict) -> dict:
    try:
        return {name: np.load(directory / file, allow_pickle=False) for name, file in names.items()}
    except (OSError, ValueError) as exc:
        raise ProtocolError(f"cannot read an array of {directory}: {exc}") from exc


def _write_json(path: Path, body: dict) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(body))
    os.replace(tmp, path)
    return path


def _read_json(path: Path) -> dict:
    try:
        body = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ProtocolError(f"cannot read {path}: {exc}") from exc
    version = body.get("version") if isinstance(body, dict) else None
    if version != VERSION:
        raise ProtocolError(f"{path} has message version {version}, this build reads version {VERSION}; "
                            "use the add-on and the backend of one release")
    return body
