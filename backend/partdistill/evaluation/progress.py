"""Progress lines with a text bar, one per shape, flushed: they read the same in a terminal, in a
log file and in Blender's console."""

import time

WIDTH = 20


class Progress:
    def __init__(self, total: int, log=print):
        self.total, self.done, self.log = max(int(total), 0), 0, log
        self.start = time.perf_counter()

    def step(self, text: str) -> None:
        self.done += 1
        filled = WIDTH * self.done // max(self.total, 1)
        elapsed = time.perf_counter() - self.start
        eta = elapsed / self.done * (self.total - self.done)
        self.log(f"[{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total} "
                 f"{elapsed:.0f} s, ~{eta:.0f} s left | {text}")
