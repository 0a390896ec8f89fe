"""The one exception type a user can cause, so front ends catch it once and report it."""


class PartDistillError(ValueError):
    """Bad input or a missing resource; the message says what is wrong and what to do."""


class DatasetError(PartDistillError):
    """A dataset file that cannot be read; names the file and, where known, the line."""

    def __init__(self, path, message, line=None):
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
