"""Scene I/O: mesh arrays, cameras, rendering, EXR reading and the write-back."""
