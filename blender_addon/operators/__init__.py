"""Operators: each gathers UI state, calls the session or Blender, and reports."""
