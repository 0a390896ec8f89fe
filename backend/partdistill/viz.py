"""Pictures of labelled points: part colours rendered with the project's point renderer."""

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from .geometry.cameras import orbit_cameras
from .geometry.normalize import normalize_unit_sphere
from .geometry.render import render_points

# Distinct, colour-blind-friendly part colours (Okabe-Ito, then Tableau); grey = unlabelled.
PALETTE = np.array([
    (230, 159, 0), (86, 180, 233), (0, 158, 115), (213, 94, 0), (204, 121, 167), (0, 114, 178),
    (240, 228, 66), (148, 103, 189), (140, 86, 75), (188, 189, 34), (23, 190, 207), (127, 127, 127),
], dtype=np.uint8)
UNLABELLED = np.array((200, 200, 200), dtype=np.uint8)


def part_colors(labels: np.ndarray) -> np.ndarray:
    """(N,) labels -> (N, 3) uint8; -1 is light grey."""
    labels = np.asarray(labels)
    out = PALETTE[np.maximum(labels, 0) % len(PALETTE)]
    out[labels < 0] = UNLABELLED
    return out


def labels_image(points: np.ndarray, labels: np.ndarray, size: int = 256, view=(25, 35)) -> Image.Image:
    """One view of points (N, 3) coloured by part, darker with depth so shape reads."""
    pts, _, _ = normalize_unit_sphere(points)
    cam = orbit_cameras([view], width=size, height=size)[0]
    render = render_points(pts, cam)
    img = np.full((size, size, 3), 255, dtype=np.uint8)
    hit = render.mask
    depth = render.depth[hit]
    shade = 1.0 - 0.45 * (depth - depth.min()) / max(np.ptp(depth), 1e-9)
    img[hit] = (part_colors(labels)[render.index[hit]] * shade[:, None]).astype(np.uint8)
    return Image.fromarray(img)


def save_grid(path, rows, col_titles, row_titles, size: int = 256, footer: str = "") -> Path:
    """A PNG grid: rows[i][j] = (points, labels); titles above columns and left of rows."""
    margin_left, margin_top, line = 110, 24, 14
    footer_lines = footer.splitlines() if footer else []
    width = margin_left + size * len(col_titles)
    height = margin_top + size * len(rows) + line * len(footer_lines) + (8 if footer_lines else 0)
    canvas = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(canvas)
    for j, title in enumerate(col_titles):
        draw.text((margin_left + j * size + 8, 6), title, fill="black")
    for i, (cells, title) in enumerate(zip(rows, row_titles)):
        draw.text((6, margin_top + i * size + size // 2), title, fill="black")
        for j, (pts, lab) in enumerate(cells):
            canvas.paste(labels_image(pts, lab, size), (margin_left + j * size, margin_top + i * size))
    for k, text in enumerate(footer_lines):
        draw.text((6, margin_top + size * len(rows) + 4 + k * line), text, fill=(150, 0, 0))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.png")
    canvas.save(tmp)
    tmp.replace(path)  # never leave a half-written picture behind
    return path
