"""Blender's own notices ("Saved: ...", export messages) are written by C code to file
descriptor 1, past Python's sys.stdout: scripts whose stdout is a report send them elsewhere."""

import os
import sys
from contextlib import contextmanager


@contextmanager
def blender_output_to(fd: int):
    """Within the block, whatever is written to file descriptor 1 goes to fd instead."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(fd, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
