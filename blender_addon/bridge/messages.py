"""Progress messages a running job hands over to Blender's main thread."""

import queue


class MessageQueue:
    """Holds a job's progress messages until the operator's timer polls them."""

    def __init__(self):
        self._messages = queue.Queue()

    def poll(self) -> list[dict]:
        """Progress messages that arrived since the last poll."""
        out = []
        while True:
            try:
                out.append(self._messages.get_nowait())
            except queue.Empty:
                return out
