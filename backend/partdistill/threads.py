"""Torch thread settings shared by the jobs, the evaluation and the demo."""

from contextlib import contextmanager

import torch


@contextmanager
def one_torch_thread():
    """The student's head is a small MLP on N <= a few thousand points: measured on 2 shared cores,
    one torch thread trains it in 1.7 s (2048 points) where two take 3.7-13 s, and 0.4 s vs 2-18 s
    for 512 points inside Blender; the VLM teacher keeps every thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
