"""`python -m partdistill.worker REQUEST.json`: run one request for a front end in another process.

The request directory holds request.json (see jobs.protocol) and its .npy arrays. The worker
prints one JSON message per line on stdout (progress, then exactly one of result / error /
cancelled), writes response.json atomically beside the request, and stops between two steps
when a file named `cancel` appears in the request directory. Exit status: 0 result,
1 error, 2 unreadable request, 3 cancelled.
"""

import json
import sys
import traceback
from pathlib import Path

from .errors import PartDistillError
from .jobs.protocol import (CANCEL_FILE, JobCancelled, ProtocolError, message, read_call, read_request,
                            write_response, write_result)

EXIT_OK, EXIT_ERROR, EXIT_BAD_REQUEST, EXIT_CANCELLED = 0, 1, 2, 3


def emit(msg: dict) -> None:
    print(json.dumps(msg), flush=True)


def run(request_path) -> int:
    path = Path(request_path)
    try:
        call = read_call(path)
    except ProtocolError as exc:
        emit(message("error", "", text=str(exc)))
        return EXIT_BAD_REQUEST
    job, kind = str(call.get("job", "")), call["request"]
    try:
        body = _HANDLERS[kind](path, call, job, lambda: (path.parent / CANCEL_FILE).exists())
    except JobCancelled as exc:
        emit(message("cancelled", job, text=str(exc)))
        return EXIT_CANCELLED
    except PartDistillError as exc:
        emit(message("error", job, text=str(exc)))
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - the front end must hear about every failure
        traceback.print_exc(file=sys.stderr)
        emit(message("error", job, text=f"internal error: {type(exc).__name__}: {exc}"))
        return EXIT_ERROR
    emit(message("result", job, request=kind, response=str(body)))
    return EXIT_OK


def _segment(path, call, job, cancelled) -> Path:
    from .jobs.segment import run_segment
    result = run_segment(read_request(path), on_message=emit, cancelled=cancelled, job=job)
    return write_result(path.parent, result, job)


def _cameras(path, call, job, cancelled) -> Path:
    from .jobs.views import object_cameras
    cams = object_cameras(call["center"], float(call["radius"]), int(call["width"]), int(call["height"]),
                          int(call["num_views"]))
    return write_response(path.parent, "cameras", job,
                          cameras=[{"K": c.K.tolist(), "world_to_cam": c.world_to_cam.tolist()} for c in cams])


def _presets(path, call, job, cancelled) -> Path:
    from .jobs.presets import part_presets
    return write_response(path.parent, "presets", job, presets=part_presets())


_HANDLERS = {"segment": _segment, "cameras": _cameras, "presets": _presets}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m partdistill.worker REQUEST.json", file=sys.stderr)
        return EXIT_BAD_REQUEST
    return run(argv[0])


if __name__ == "__main__":
    sys.exit(main())
