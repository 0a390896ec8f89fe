"""Seeded chair and table builders: each returns (part name, Mesh) pairs in unnormalised units.

Furniture stands on the floor (y = 0) and faces +Z; one unit is roughly one metre.
"""

import numpy as np

from ..mesh import Mesh
from .primitives import box, cylinder, ellipsoid, frustum, rotate, translate

Parts = list[tuple[str, Mesh]]


def four_legs(rng: np.random.Generator, half_x: float, half_z: float, height: float) -> list[Mesh]:
    """Four matching square, round or tapered legs at (+-half_x, +-half_z) from the floor up to height."""
    style = ("square", "round", "tapered")[rng.integers(3)]
    width = rng.uniform(0.03, 0.055)
    if style == "square":
        leg = box((width, height, width), (0, height / 2, 0))
    else:
        taper = rng.uniform(0.5, 0.75) if style == "tapered" else 1.0
        leg = translate(frustum(width / 2 * taper, width / 2, height, segments=12), (0, height / 2, 0))
    return [translate(leg, (sx * half_x, 0, sz * half_z)) for sx in (-1, 1) for sz in (-1, 1)]


def pedestal(rng: np.random.Generator, height: float, reach: float) -> list[Mesh]:
    """Central column up to height on either a flat disc foot or a star of 4-5 feet reaching reach."""
    column_r = rng.uniform(0.025, 0.06)
    foot_h = rng.uniform(0.025, 0.05)
    meshes = [translate(cylinder(column_r, height, segments=16), (0, height / 2, 0))]
    if rng.random() < 0.5:
        disc = frustum(reach, reach * rng.uniform(0.4, 0.8), foot_h, segments=32)
        return meshes + [translate(disc, (0, foot_h / 2, 0))]
    count = int(rng.integers(4, 6))
    foot = box((reach, foot_h, foot_h * 1.4), (reach / 2, foot_h, 0))
    for i in range(count):
        angle = 2 * np.pi * i / count
        meshes.append(rotate(foot, "y", angle))
        toe = (reach * np.cos(angle), foot_h / 2, -reach * np.sin(angle))  # where the foot's tip ends up
        meshes.append(translate(ellipsoid((foot_h / 2,) * 3, rings=6, segments=10), toe))
    return meshes


def _chair_back(rng: np.random.Generator, width: float, depth: float, seat_top: float,
                seat_t: float) -> list[Mesh]:
    """A solid panel or a posts-rail-slats frame behind the seat, leaning back a little."""
    height = rng.uniform(0.3, 0.7)  # tall versus short backs
    thick = rng.uniform(0.025, 0.05)
    bottom, z = seat_top - seat_t, -depth / 2 + thick / 2
    if rng.random() < 0.5:
        meshes = [box((width, height + seat_t, thick), (0, bottom + (height + seat_t) / 2, z))]
    else:
        post_w, rail_h = rng.uniform(0.03, 0.05), rng.uniform(0.05, 0.12)
        top = seat_top + height
        post_y = bottom + (height + seat_t) / 2
        meshes = [box((post_w, height + seat_t, thick), (sx * (width - post_w) / 2, post_y, z)) for sx in (-1, 1)]
        meshes.append(box((width, rail_h, thick), (0, top - rail_h / 2, z)))
        slats = int(rng.integers(2, 5))
        slat_h = height - rail_h + 0.02  # reach into the seat and the rail so the slats look attached
        for x in np.linspace(-width / 2, width / 2, slats + 2)[1:-1]:
            meshes.append(box((0.025, slat_h, thick * 0.6), (x, seat_top + slat_h / 2 - 0.01, z)))
    tilt = -np.radians(rng.uniform(0, 15))  # negative about x leans the top towards -Z, away from the sitter
    return [rotate(m, "x", tilt, pivot=(0, seat_top, -depth / 2)) for m in meshes]


def _chair_arms(rng: np.random.Generator, width: float, depth: float, seat_top: float,
                seat_t: float) -> list[Mesh]:
    """Two armrests above the seat's sides, each held by a front post."""
    rise, arm_w, arm_t = rng.uniform(0.17, 0.26), rng.uniform(0.04, 0.07), rng.uniform(0.025, 0.045)
    length = depth * rng.uniform(0.75, 0.95)
    y, z = seat_top + rise, -depth / 2 + length / 2
    post_h = rise + seat_t
    meshes = []
    for sx in (-1, 1):
        x = sx * (width / 2 - arm_w / 2)
        meshes.append(box((arm_w, arm_t, length), (x, y, z)))
        meshes.append(box((arm_w * 0.6, post_h, arm_w * 0.6), (x, y - post_h / 2, z + length / 2 - arm_w / 2)))
    return meshes


def chair(rng: np.random.Generator) -> Parts:
    """Seat on four legs or a swivel pedestal, a panel or slatted back, and arms on about half the chairs."""
    width, depth = rng.uniform(0.42, 0.6), rng.uniform(0.4, 0.55)
    seat_t, seat_top = rng.uniform(0.04, 0.08), rng.uniform(0.4, 0.5)
    legs_top = seat_top - seat_t
    parts = [("seat", box((width, seat_t, depth), (0, seat_top - seat_t / 2, 0)))]
    if rng.random() < 0.3:
        legs = pedestal(rng, legs_top, reach=rng.uniform(0.25, 0.33))
    else:
        inset = rng.uniform(0.02, 0.05)
        legs = four_legs(rng, width / 2 - inset, depth / 2 - inset, legs_top)
    parts += [("leg", m) for m in legs]
    parts += [("back", m) for m in _chair_back(rng, width, depth, seat_top, seat_t)]
    if rng.random() < 0.5:
        parts += [("arm", m) for m in _chair_arms(rng, width, depth, seat_top, seat_t)]
    return parts


def _drawers(rng: np.random.Generator, half_x: float, half_z: float, top_y: float) -> list[Mesh]:
    """One or two drawer boxes hanging under the top between the legs, each with a round knob in front."""
    count = int(rng.integers(1, 3))
    height = rng.uniform(0.08, 0.16)
    span = 2 * half_x - 0.08  # clear of the legs
    width = span / count * rng.uniform(0.7, 0.95)
    depth = 2 * half_z * rng.uniform(0.7, 0.9)
    front, y = half_z, top_y - height / 2
    meshes = []
    for x in (np.array([0.0]) if count == 1 else np.array([-1, 1]) * span / 4):
        meshes.append(box((width, height, depth), (x, y, front - depth / 2)))
        meshes.append(translate(ellipsoid((0.018, 0.018, 0.014), rings=6, segments=12), (x, y, front + 0.008)))
    return meshes


def table(rng: np.random.Generator) -> Parts:
    """Rectangular or round top on four legs or a central pedestal; some leg tables have drawers."""
    height, top_t = rng.uniform(0.6, 0.8), rng.uniform(0.03, 0.06)
    top_y = height - top_t
    round_top = rng.random() < 0.35
    if round_top:
        radius = rng.uniform(0.35, 0.6)
        parts = [("tabletop", translate(cylinder(radius, top_t, segments=48), (0, top_y + top_t / 2, 0)))]
        half_x = half_z = radius * 0.6
        on_pedestal = rng.random() < 0.6
    else:
        width, depth = rng.uniform(0.9, 1.5), rng.uniform(0.5, 0.9)
        parts = [("tabletop", box((width, top_t, depth), (0, top_y + top_t / 2, 0), max_step=0.08))]
        half_x, half_z = width / 2 - rng.uniform(0.03, 0.08), depth / 2 - rng.uniform(0.03, 0.08)
        on_pedestal = rng.random() < 0.2
    if on_pedestal:
        legs = pedestal(rng, top_y, reach=min(half_x, half_z) * rng.uniform(0.7, 1.0))
    else:
        legs = four_legs(rng, half_x, half_z, top_y)
    parts += [("leg", m) for m in legs]
    if not (round_top or on_pedestal) and rng.random() < 0.5:
        parts += [("drawer", m) for m in _drawers(rng, half_x, half_z, top_y)]
    return parts
