"""The sidebar panel and its part list."""
