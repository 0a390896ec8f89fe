"""Plain-text reports: markdown tables and a one-line description of the machine."""

import os
import platform


def markdown_table(header, rows, floatfmt="{:.1f}") -> str:
    """A GitHub markdown table; floats are formatted with floatfmt, None prints as '-'."""
    def cell(v):
        if v is None:
            return "-"
        if isinstance(v, float):
            return floatfmt.format(v)
        return str(v)
    lines = ["| " + " | ".join(map(str, header)) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    """CPU model, core count, Python and torch versions: what a timing was measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import torch
    return f"{cpu}, {cores} cores, Python {platform.python_version()}, torch {torch.__version__}"
