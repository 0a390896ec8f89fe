"""Reading the datasets' text files: the whole file with errors that name it, and the fast numpy
parse of a table of numbers (the readers explain a failure with their own line-by-line scan)."""

import io
from pathlib import Path

import numpy as np

from ..errors import DatasetError


def read_text(path: Path, what: str = "file") -> str:
    """The file's text (undecodable bytes replaced); a missing or unreadable file is a DatasetError
    naming it as `what` ('OBJ file not found', 'cannot read file: ...')."""
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise DatasetError(path, f"{what} not found") from None
    except OSError as exc:
        raise DatasetError(path, f"cannot read {what}: {exc.strerror}") from None


def fast_table(text: str, ncols: int, dtype=np.float64, nrows: int | None = None) -> np.ndarray | None:
    """Rows of exactly `ncols` numbers (blank lines skipped, no comments) -> (N, ncols) `dtype` array
    by numpy's C parser; None if the text is not that or (with nrows) has another number of rows."""
    if not text.strip():
        table = np.empty((0, ncols), dtype=dtype)
    else:
        try:
            table = np.loadtxt(io.StringIO(text), dtype=dtype, ndmin=2, comments=None)
        except ValueError:
            return None
    if table.shape[1] != ncols or (nrows is not None and len(table) != nrows):
        return None
    return table
