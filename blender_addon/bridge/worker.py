"""The backend in another Python (set in the preferences): `python -m partdistill.worker`.

Requests and responses are files in a temporary directory (jobs.protocol); the worker prints one
JSON message per line, which a reader thread queues for the operator; cancel is a file.
"""

import json
import os
import subprocess
import tempfile
import threading
from pathlib import Path

from ..errors import UserError
from .locate import backend_dir, protocol
from .messages import MessageQueue

CALL_TIMEOUT_S = 300


class WorkerBackend:
    label = "worker"

    def __init__(self, python: str):
        if not python:
            raise UserError("Blender's Python cannot run the backend (no torch): set the Python of a "
                            "PartDistill environment in the add-on preferences")
        if not Path(python).is_file():
            raise UserError(f"The backend Python {python} does not exist: fix it in the add-on preferences")
        self.python = python

    def command(self, request_path) -> list[str]:
        return [self.python, "-m", "partdistill.worker", str(request_path)]

    def env(self) -> dict:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(backend_dir()), env.get("PYTHONPATH")]))
        return env

    def _call(self, kind: str, **params) -> dict:
        """A short request answered by one response (cameras, presets)."""
        with tempfile.TemporaryDirectory(prefix="partdistill_") as tmp:
            path = protocol().write_call(tmp, kind, job=kind, **params)
            try:
                proc = subprocess.run(self.command(path), capture_output=True, text=True, env=self.env(),
                                      timeout=CALL_TIMEOUT_S)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise UserError(f"The backend Python {self.python} did not run: {exc}") from exc
            final = _last_message(proc.stdout)
            if final is None or final["type"] != "result":
                raise UserError(_failure(final, proc.stderr))
            return protocol().read_response(Path(tmp) / protocol().RESPONSE_FILE, kind)

    def cameras(self, center, radius, width, height, num_views):
        import numpy as np
        body = self._call("cameras", center=[float(c) for c in center], radius=float(radius), width=int(width),
                          height=int(height), num_views=int(num_views))
        return [(np.array(c["K"]), np.array(c["world_to_cam"])) for c in body["cameras"]]

    def presets(self):
        return self._call("presets")["presets"]

    def start(self, request) -> "WorkerJob":
        return WorkerJob(self, request)


class WorkerJob(MessageQueue):
    """Same interface as inprocess.ThreadJob."""

    def __init__(self, backend: WorkerBackend, request):
        self.result, self.error, self.cancelled, self.done = None, None, False, False
        self._dir = tempfile.TemporaryDirectory(prefix="partdistill_")
        path = protocol().write_request(self._dir.name, request, job="segment")
        self._log = open(Path(self._dir.name) / "worker.log", "w+")
        try:
            self._proc = subprocess.Popen(backend.command(path), stdout=subprocess.PIPE, stderr=self._log,
                                          text=True, env=backend.env())
        except OSError as exc:
            self._close()
            raise UserError(f"The backend Python {backend.python} did not start: {exc}") from exc
        super().__init__()
        self._final = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self._proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue  # a library printing to stdout is not a message
            if msg.get("type") == "progress":
                self._messages.put(msg)
            else:
                self._final = msg
        self._proc.wait()
        self._finish()

    def _finish(self):
        final = self._final
        try:
            if final is not None and final["type"] == "result":
                self.result = protocol().read_result(final["response"])
            elif final is not None and final["type"] == "cancelled":
                self.cancelled = True
            else:
                self._log.seek(0)
                self.error = _failure(final, self._log.read())
        except ValueError as exc:  # protocol.ProtocolError: an unreadable response
            self.error = str(exc)
        finally:
            self._close()
            self.done = True

    def _close(self):
        self._log.close()
        self._dir.cleanup()

    def wait(self, timeout: float) -> None:
        self._reader.join(timeout)

    def cancel(self) -> None:
        if not self.done:
            (Path(self._dir.name) / protocol().CANCEL_FILE).touch()


def _last_message(stdout: str) -> dict | None:
    for line in reversed(stdout.splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return None


def _failure(final: dict | None, stderr: str) -> str:
    if final is not None and final.get("type") == "error":
        return final["text"]
    tail = stderr.strip().splitlines()[-3:]
    return "The backend worker stopped without an answer" + (": " + " | ".join(tail) if tail else "")
