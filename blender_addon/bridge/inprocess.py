"""The backend in Blender's own Python: the job runs in a thread (it never touches bpy), messages
come back through a queue that the operator drains on Blender's main thread."""

import sys
import threading
import traceback

from .locate import make_backend_importable
from .messages import MessageQueue


class InProcessBackend:
    label = "in-process"

    def __init__(self):
        hide_triton()
        make_backend_importable()
        # Imported here, on the main thread, so the job thread starts with torch loaded.
        from partdistill.jobs import segment  # noqa: F401

    def cameras(self, center, radius, width, height, num_views):
        from partdistill.jobs.views import object_cameras
        return [(c.K, c.world_to_cam) for c in object_cameras(center, radius, width, height, num_views)]

    def presets(self):
        from partdistill.jobs.presets import part_presets
        return part_presets()

    def start(self, request) -> "ThreadJob":
        return ThreadJob(request)


def hide_triton() -> None:
    """torch.optim imports torch._dynamo, which imports triton when installed; triton's own LLVM
    crashes a process whose OpenGL already runs on Mesa's llvmpipe (Blender's UI, Workbench and
    EEVEE without a GPU driver: measured with bpy 5.0). The backend compiles no kernels, so inside
    Blender torch is told triton is absent, unless something loaded it already."""
    sys.modules.setdefault("triton", None)


class ThreadJob(MessageQueue):
    """done turns true once exactly one of result / error / cancelled is set."""

    def __init__(self, request):
        self.result, self.error, self.cancelled, self.done = None, None, False, False
        super().__init__()
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(request,), daemon=True)
        self._thread.start()

    def _run(self, request):
        from partdistill.errors import PartDistillError
        from partdistill.jobs.protocol import JobCancelled
        from partdistill.jobs.segment import run_segment

        try:
            self.result = run_segment(request, self._messages.put, self._cancel.is_set)
        except JobCancelled:
            self.cancelled = True
        except PartDistillError as exc:
            self.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - reported to the user; the traceback goes to the console
            traceback.print_exc(file=sys.stderr)
            self.error = f"internal error in the backend: {type(exc).__name__}: {exc}"
        finally:
            self.done = True

    def wait(self, timeout: float) -> None:
        self._thread.join(timeout)

    def cancel(self) -> None:
        self._cancel.set()
