"""Seeded mug, lamp and airplane builders: each returns (part name, Mesh) pairs in unnormalised units.

Mugs and lamps stand on y = 0; the airplane's nose points along +Z with its wings along X.
"""

import numpy as np

from ..mesh import Mesh
from .primitives import box, cylinder, frustum, lathe, loft, rotate, scale, shell, translate, tube, vessel

Parts = list[tuple[str, Mesh]]


def mug(rng: np.random.Generator) -> Parts:
    """Open-top cup, straight or tapered, with a D-shaped handle on its +X side sunk into the wall."""
    height, r_bottom = rng.uniform(0.6, 1.0), rng.uniform(0.28, 0.42)
    r_top, wall = r_bottom * rng.uniform(0.9, 1.2), rng.uniform(0.03, 0.05)
    cup = translate(vessel(r_bottom, r_top, height, wall, segments=32, max_step=0.08), (0, height / 2, 0))
    half_span, centre = height * rng.uniform(0.22, 0.35), height * rng.uniform(0.45, 0.55)
    reach, thickness = rng.uniform(0.18, 0.32), rng.uniform(0.03, 0.05)
    phi = np.linspace(0, np.pi, 24)
    y = centre + half_span * np.cos(phi)
    # Both ends start inside the wall (its middle at this height) so the handle looks attached.
    x = r_bottom + (r_top - r_bottom) * y / height - wall / 2 + reach * np.sin(phi)
    handle = tube(np.stack([x, y, np.zeros_like(y)], axis=1), thickness, sides=12)
    return [("cup", cup), ("handle", handle)]


def _arc_stem(rng: np.random.Generator, bottom: float, tube_r: float) -> tuple[Mesh, np.ndarray, np.ndarray]:
    """Stem rising from y = bottom then bending towards +X; returns it, its tip (3,) and tip direction (3,)."""
    rise, bend_r, bend = rng.uniform(0.3, 0.7), rng.uniform(0.2, 0.4), np.radians(rng.uniform(100, 160))
    straight = np.linspace(bottom, bottom + rise, 8, endpoint=False)
    psi = np.linspace(0, bend, 20)
    xs = np.concatenate([np.zeros_like(straight), bend_r * (1 - np.cos(psi))])
    ys = np.concatenate([straight, bottom + rise + bend_r * np.sin(psi)])
    path = np.stack([xs, ys, np.zeros_like(xs)], axis=1)
    return tube(path, tube_r, sides=10), path[-1], np.array([np.sin(bend), np.cos(bend), 0.0])


def lamp(rng: np.random.Generator) -> Parts:
    """Disc, cone or square base; straight or arched tube; frustum or cylindrical open shade."""
    base_r, base_h = rng.uniform(0.1, 0.2), rng.uniform(0.025, 0.06)
    base_kind = rng.integers(3)
    if base_kind == 0:
        base = cylinder(base_r, base_h, segments=32)
    elif base_kind == 1:
        base = frustum(base_r, base_r * rng.uniform(0.3, 0.7), base_h * 2, segments=32)
    else:
        base = box((base_r * 1.8, base_h, base_r * 1.8))
    base = translate(base, (0, base.vertices[:, 1].max(), 0))  # rest it on the floor
    base_top = base.vertices[:, 1].max()
    tube_r = rng.uniform(0.01, 0.022)
    shade_h, r_bottom = rng.uniform(0.18, 0.32), rng.uniform(0.12, 0.25)
    r_top = r_bottom * (rng.uniform(0.4, 0.8) if rng.random() < 0.6 else 1.0)  # frustum or cylinder shade
    shade = shell(r_bottom, r_top, shade_h, thickness=0.012, segments=32)
    if rng.random() < 0.6:
        length = rng.uniform(0.35, 1.0)
        stem = translate(cylinder(tube_r, length, segments=12), (0, base_top - 0.01 + length / 2, 0))
        shade = translate(shade, (0, base_top + length + shade_h * 0.1, 0))  # stem tip ends inside the shade
    else:
        stem, tip, direction = _arc_stem(rng, base_top - 0.01, tube_r)
        # Turn the shade's narrow top onto the tip and open it along the tip's direction.
        turn = np.pi - np.arctan2(direction[0], direction[1])
        shade = translate(rotate(shade, "z", turn), tip + direction * shade_h * 0.35)
    return [("base", base), ("tube", stem), ("lampshade", shade)]


def _wing(span: float, root_chord: float, tip_chord: float, sweep: float, dihedral: float,
          thickness: float, stations: int = 8) -> Mesh:
    """Tapered, swept wing from its root leading edge at the origin out along +X, nose towards +Z.

    sweep and dihedral are angles in radians; thickness is a fraction of the local chord.
    """
    s = np.linspace(0, 1, stations)[:, None]
    chord = root_chord + (tip_chord - root_chord) * s
    lead = -np.tan(sweep) * span * s
    theta = 2 * np.pi * np.arange(16) / 16
    y = np.tan(dihedral) * span * s + thickness * chord / 2 * np.cos(theta)
    z = lead - chord / 2 + chord / 2 * np.sin(theta)
    rings = np.stack(np.broadcast_arrays(span * s, y, z), axis=-1)
    return loft(rings)


def _mirror_pair(mesh: Mesh) -> list[Mesh]:
    """mesh and its mirror image across the X = 0 plane."""
    return [mesh, scale(mesh, (-1, 1, 1))]


def _fuselage(rng: np.random.Generator, radius: float) -> tuple[Mesh, float]:
    """Body of unit length along Z with a rounded nose and a tapered, upswept tail; returns it and the tail's y."""
    z = np.linspace(-0.5, 0.5, 40)
    tail = np.clip((-0.2 - z) / 0.3, 0, 1)  # 0 along the cabin, 1 at the tail tip
    nose = np.clip((z - 0.35) / 0.15, 0, 1)
    r = radius * (1 - 0.75 * tail ** 1.5) * np.sqrt(1 - 0.97 * nose ** 2)
    upsweep = radius * rng.uniform(0.3, 0.8)
    y = upsweep * tail ** 2
    return tube(np.stack([np.zeros_like(z), y, z], axis=1), r, sides=16), upsweep


def _nacelle(length: float, radius: float) -> Mesh:
    """Hollow jet engine casing along Z, intake towards +Z."""
    h = length / 2
    loop = [(radius, h), (radius * 1.06, h * 0.2), (radius * 0.7, -h), (radius * 0.55, -h), (radius * 0.82, h)]
    return rotate(lathe(loop, segments=20, max_step=0.03), "x", np.pi / 2)  # Y axis onto +Z


def _engines(rng: np.random.Generator, wing: dict, count: int) -> list[Mesh]:
    """count under-wing engines (half per side), each a nacelle on a pylon, placed from the wing's geometry."""
    length, radius = rng.uniform(0.1, 0.16), rng.uniform(0.022, 0.035)
    gap = radius * 0.6
    meshes = []
    for f in ((0.35,) if count == 2 else (0.28, 0.6)):
        x = f * wing["span"]
        chord = wing["root"] + (wing["tip"] - wing["root"]) * f
        lead = wing["z"] - np.tan(wing["sweep"]) * x
        under = wing["y"] + np.tan(wing["dihedral"]) * x - wing["thickness"] * chord / 2
        centre = np.array([x, under - gap - radius, lead + length * 0.15])
        pylon = box((0.01, gap + 0.02, length * 0.6), (x, under - gap / 2 + 0.005, centre[2] - length * 0.1))
        meshes += _mirror_pair(translate(_nacelle(length, radius), centre)) + _mirror_pair(pylon)
    return meshes


def _tail(rng: np.random.Generator, wing_span: float, tail_y: float) -> list[Mesh]:
    """Swept fin on the tail at height tail_y, with stabilisers at its root or, for a T-tail, its top."""
    fin_h, fin_chord = rng.uniform(0.1, 0.2), rng.uniform(0.12, 0.2)
    fin_sweep = np.radians(rng.uniform(25, 45))
    fin_lead = -0.5 + fin_chord + 0.02  # trailing edge just short of the tail tip
    fin = rotate(_wing(fin_h, fin_chord, fin_chord * 0.5, fin_sweep, 0, 0.1), "z", np.pi / 2)  # span onto +Y
    stab_span, stab_chord = wing_span * rng.uniform(0.3, 0.45), fin_chord * rng.uniform(0.6, 0.9)
    if rng.random() < 0.3:  # T-tail: stabilisers no longer than the fin's tip chord
        stab_at = (0, tail_y + fin_h, fin_lead - np.tan(fin_sweep) * fin_h)
        stab_chord = min(stab_chord, fin_chord * 0.5)
    else:
        stab_at = (0, tail_y, fin_lead)
    stab = _wing(stab_span, stab_chord, stab_chord * 0.5, np.radians(30), np.radians(3), 0.1)
    return [translate(fin, (0, tail_y, fin_lead))] + _mirror_pair(translate(stab, stab_at))


def airplane(rng: np.random.Generator) -> Parts:
    """Fuselage, swept wings, 2 or 4 engines, a tail fin with conventional or T-tail stabilisers."""
    radius = rng.uniform(0.04, 0.07)
    body, tail_y = _fuselage(rng, radius)
    wing = {"span": rng.uniform(0.35, 0.55), "root": rng.uniform(0.16, 0.26),
            "sweep": np.radians(rng.uniform(0, 35)), "dihedral": np.radians(rng.uniform(0, 7)),
            "thickness": 0.12, "z": rng.uniform(-0.02, 0.12), "y": -radius * rng.uniform(0, 0.5)}
    wing["tip"] = wing["root"] * rng.uniform(0.25, 0.6)
    right = _wing(wing["span"], wing["root"], wing["tip"], wing["sweep"], wing["dihedral"], wing["thickness"])
    parts = [("body", body)] + [("wing", m) for m in _mirror_pair(translate(right, (0, wing["y"], wing["z"])))]
    parts += [("engine", m) for m in _engines(rng, wing, 2 if rng.random() < 0.5 else 4)]
    return parts + [("tail", m) for m in _tail(rng, wing["span"], tail_y)]
