"""A simulated teacher: a noisy oracle that turns ground-truth part labels into VLM-like output.

It exists to measure the distillation stage without a VLM. Every output made with it must say
so (see SIMULATED_NOTICE); its numbers never stand where a VLM's would.

Failure modes, each a field of `NoiseModel`:
- part instances never detected in any view (a leg that no box ever covers) and per-view misses;
- inflated boxes leaking into neighbouring parts, and one box merging every instance of a part;
- boxes with the wrong part label, false-positive boxes, and view-inconsistent confidences;
- for pixel maps: CLIP-like coarse patch predictions, flipped patches and whole-part confusion.
"""

from dataclasses import dataclass, fields, replace

import numpy as np
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ..errors import PartDistillError
from .base import BoxPrediction, PixelPrediction

SIMULATED_NOTICE = ("SIMULATED TEACHER: predictions made from ground-truth labels with injected noise; "
                    "these numbers measure the distillation stage, not a vision-language model")

KINDS = ("box", "pixel")
DEFAULT_PRESET = {"box": "glip", "pixel": "clip"}


@dataclass(frozen=True)
class NoiseModel:
    # boxes (B-VLM, GLIP-like)
    instance_miss: float = 0.0      # P(a 3D part instance is never detected in any view)
    view_miss: float = 0.0          # P(a visible instance is missed in one view)
    inflate: float = 0.0            # max relative growth of a box on each side
    merge_same_part: float = 0.0    # P(one box spans every instance of a part in a view)
    wrong_label: float = 0.0        # P(a box carries another part's label)
    false_positives: float = 0.0    # expected spurious boxes per view
    score_low: float = 0.9          # per-instance base confidence ~ U(score_low, score_high)
    score_high: float = 0.9
    view_jitter: float = 0.0        # std of a per-view confidence offset
    min_pixels: int = 20            # instances smaller than this in a view are not detected
    # pixel maps (P-VLM, CLIP-like)
    patch_grid: int = 0             # predictions on a grid x grid patch raster; 0 = per pixel
    patch_flip: float = 0.0         # P(a patch is given a random part)
    part_confusion: float = 0.0     # P(in one view, all of a part is read as another part)
    logit_noise: float = 0.0        # std of Gaussian noise on patch logits
    sharpness: float = 4.0          # scale of clean logits: higher gives more confident maps


# "glip" and "clip" were set so that the vote lands near the paper's GLIP / CLIP baselines
# (Table 5 row 1: 40-60 3D mIoU); the "-hard" variant is for robustness checks.
PRESETS = {
    "oracle": NoiseModel(),
    "glip": NoiseModel(instance_miss=0.1, view_miss=0.2, inflate=0.25, merge_same_part=0.4,
                       wrong_label=0.1, false_positives=0.6, score_low=0.5, score_high=0.85,
                       view_jitter=0.08),
    "glip-hard": NoiseModel(instance_miss=0.25, view_miss=0.3, inflate=0.5, merge_same_part=0.6,
                            wrong_label=0.2, false_positives=1.2, score_low=0.45, score_high=0.8,
                            view_jitter=0.12),
    "clip": NoiseModel(patch_grid=14, patch_flip=0.2, part_confusion=0.3, logit_noise=1.5,
                       sharpness=1.5),
}


def noise_model(preset="glip", **overrides) -> NoiseModel:
    """A named preset, optionally with some fields changed."""
    if isinstance(preset, NoiseModel):
        base = preset
    elif preset in PRESETS:
        base = PRESETS[preset]
    else:
        raise PartDistillError(f"unknown simulated-teacher preset {preset!r}; choose one of {sorted(PRESETS)}")
    names = {f.name for f in fields(NoiseModel)}
    unknown = set(overrides) - names
    if unknown:
        raise PartDistillError(f"unknown noise settings {sorted(unknown)}; valid: {sorted(names)}")
    return replace(base, **overrides)


def part_instances(points: np.ndarray, labels: np.ndarray, radius: float = 0.08) -> np.ndarray:
    """(N,) instance id per point: connected pieces of each part (points closer than radius
    link). Unlabelled points (-1) get -1. A chair's four legs become four instances."""
    labels = np.asarray(labels)
    pairs = cKDTree(points).query_pairs(radius, output_type="ndarray")
    same = labels[pairs[:, 0]] == labels[pairs[:, 1]]
    pairs = pairs[same]
    n = len(points)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    _, inst = np.unique(comp, return_inverse=True)
    return np.where(labels >= 0, inst, -1)


def instance_parts(instances: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(I,) part of each instance, for part_instances(points, labels); at least one entry."""
    instances, labels = np.asarray(instances), np.asarray(labels)
    instance_part = np.zeros(max(instances.max(initial=-1) + 1, 1), dtype=np.int64)
    instance_part[instances[instances >= 0]] = labels[instances >= 0]
    return instance_part


def instance_image(mask, depth, camera, tree: cKDTree, instances: np.ndarray) -> np.ndarray:
    """(H, W) int instance image of one rendered view: each object pixel (mask) shows the instance
    of the point (tree: a cKDTree of the points) nearest the surface point its depth (camera z)
    puts there through camera (a geometry.cameras.Camera); -1 elsewhere."""
    rows, cols = np.nonzero(np.asarray(mask, dtype=bool))
    depth = np.asarray(depth, dtype=np.float64)[rows, cols]
    pixels = np.stack([cols + 0.5, rows + 0.5, np.ones(len(rows))], axis=1)
    in_camera = (pixels @ np.linalg.inv(camera.K).T) * depth[:, None]
    R, t = camera.world_to_cam[:3, :3], camera.world_to_cam[:3, 3]
    world = (in_camera - t) @ R
    out = np.full((camera.height, camera.width), -1, dtype=np.int64)
    if len(world):
        out[rows, cols] = np.asarray(instances)[tree.query(world)[1]]
    return out


class SimulatedTeacher:
    """Noisy-oracle teacher over instance images: (H, W) int arrays holding, per pixel, the
    3D part instance seen there (-1 = background); instance_part (I,) maps instances to parts."""

    def __init__(self, num_parts: int, preset="glip", seed: int = 0, **overrides):
        if num_parts < 1:
            raise PartDistillError(f"num_parts must be >= 1, got {num_parts}")
        self.num_parts = int(num_parts)
        self.noise = noise_model(preset, **overrides)
        self.seed = int(seed)
        self.notice = SIMULATED_NOTICE

    def _rng(self, *key) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence([self.seed, *key]))

    # -- B-VLM --------------------------------------------------------------------------------
    def boxes(self, instance_images, instance_part) -> list[BoxPrediction]:
        instance_part = np.asarray(instance_part)
        nm = self.noise
        shape_rng = self._rng(0)
        never = shape_rng.random(len(instance_part)) < nm.instance_miss
        base_score = shape_rng.uniform(nm.score_low, nm.score_high, len(instance_part))
        return [self._view_boxes(img, instance_part, never, base_score, self._rng(1, v))
                for v, img in enumerate(instance_images)]

    def _view_boxes(self, img, instance_part, never, base_score, rng) -> BoxPrediction:
        nm, R = self.noise, self.num_parts
        H, W = img.shape
        slices = ndimage.find_objects(img + 1)  # slices[i] bounds instance i (None if absent)
        counts = np.bincount(img[img >= 0], minlength=len(instance_part))
        found = []  # (part, x1, y1, x2, y2, instance)
        for i, sl in enumerate(slices):
            if sl is None or i >= len(instance_part) or counts[i] < nm.min_pixels or never[i]:
                continue
            if rng.random() < nm.view_miss:
                continue
            found.append([instance_part[i], sl[1].start, sl[0].start, sl[1].stop, sl[0].stop, i])
        found = self._merge(found, rng)
        view_offset = rng.normal(0.0, nm.view_jitter) if nm.view_jitter else 0.0
        xyxy, scores = [], []
        for part, x1, y1, x2, y2, inst in found:
            grow = rng.uniform(0, nm.inflate, 4) * np.array([x2 - x1, y2 - y1, x2 - x1, y2 - y1])
            box = np.array([x1 - grow[0], y1 - grow[1], x2 + grow[2], y2 + grow[3]])
            label = part
            if R > 1 and rng.random() < nm.wrong_label:
                label = rng.choice([r for r in range(R) if r != part])
            xyxy.append(np.clip(box, 0, [W, H, W, H]))
            scores.append(self._one_hot(label, base_score[inst] + view_offset))
        self._false_positives(img, rng, xyxy, scores)
        return BoxPrediction(np.reshape(xyxy, (-1, 4)), np.reshape(scores, (-1, R)))

    def _merge(self, found, rng):
        """With probability merge_same_part, replace a part's boxes in this view by their hull."""
        out = []
        for part in sorted({f[0] for f in found}):
            group = [f for f in found if f[0] == part]
            if len(group) > 1 and rng.random() < self.noise.merge_same_part:
                g = np.array(group)
                best = group[int(np.argmax([f[5] for f in group]))][5]
                out.append([part, g[:, 1].min(), g[:, 2].min(), g[:, 3].max(), g[:, 4].max(), best])
            else:
                out.extend(group)
        return out

    def _false_positives(self, img, rng, xyxy, scores):
        rows, cols = np.nonzero(img >= 0)
        if not len(rows):
            return
        extent = np.array([cols.max() - cols.min(), rows.max() - rows.min()], dtype=float)
        for _ in range(rng.poisson(self.noise.false_positives)):
            k = rng.integers(len(rows))
            half = rng.uniform(0.05, 0.2, 2) * extent
            c = np.array([cols[k], rows[k]], dtype=float)
            xyxy.append(np.concatenate([c - half, c + half]))
            scores.append(self._one_hot(rng.integers(self.num_parts), rng.uniform(0.5, 0.7)))

    def _one_hot(self, label, score):
        s = np.zeros(self.num_parts, dtype=np.float32)
        s[label] = np.clip(score, 0.05, 1.0)
        return s

    # -- P-VLM --------------------------------------------------------------------------------
    def pixel_maps(self, instance_images, instance_part) -> list[PixelPrediction]:
        instance_part = np.asarray(instance_part)
        return [self._view_pixels(img, instance_part, self._rng(2, v)) for v, img in enumerate(instance_images)]

    def _view_pixels(self, img, instance_part, rng) -> PixelPrediction:
        nm, R = self.noise, self.num_parts
        H, W = img.shape
        mask = img >= 0
        label = np.where(mask, instance_part[np.maximum(img, 0)], -1)
        onehot = (label[..., None] == np.arange(R)).astype(np.float64)
        grid = nm.patch_grid or max(H, W)
        # Patch histograms: the fraction of each part among the patch's object pixels.
        ph, pw = int(np.ceil(H / grid)), int(np.ceil(W / grid))
        pad = np.zeros((ph * grid, pw * grid, R))
        pad[:H, :W] = onehot
        hist = pad.reshape(grid, ph, grid, pw, R).sum(axis=(1, 3))
        for r in range(R):
            if R > 1 and rng.random() < nm.part_confusion:
                s = rng.choice([q for q in range(R) if q != r])
                hist[..., s] += hist[..., r]
                hist[..., r] = 0.0
        frac = hist / np.maximum(hist.sum(axis=2, keepdims=True), 1e-9)
        logits = nm.sharpness * np.log(frac + 0.05) + rng.normal(0.0, nm.logit_noise or 1e-9, frac.shape)
        flip = rng.random((grid, grid)) < nm.patch_flip
        logits[flip, rng.integers(R, size=int(flip.sum()))] += 2.0 * nm.sharpness
        full = ndimage.zoom(logits, (ph, pw, 1), order=1, mode="nearest")[:H, :W]
        full -= full.max(axis=2, keepdims=True)
        probs = np.exp(full)
        probs /= probs.sum(axis=2, keepdims=True)
        return PixelPrediction(probs.astype(np.float32), mask)


def simulated_label(kind: str, preset=None) -> str:
    """How results name the simulated `kind` teacher; preset None is the kind's default."""
    return f"simulated {kind} teacher (preset {preset or DEFAULT_PRESET[kind]})"


def simulated_predictions(points, labels, views, cameras, num_parts: int, *, kind: str, preset=None, seed: int = 0,
                          link_radius: float = 0.08):
    """The simulated `kind` teacher on rendered views: each object pixel shows the part instance of
    the point nearest to the surface point its depth puts there.

    points (N, 3), labels (N,) their parts; views: one (mask, depth) pair per camera (cameras:
    geometry.cameras.Camera); link_radius: how close points of one part instance lie (0.08 on a
    unit-sphere shape, see part_instances). Returns the list of BoxPrediction or PixelPrediction.
    """
    labels = np.asarray(labels)
    instances = part_instances(points, labels, radius=link_radius)
    instance_part = instance_parts(instances, labels)
    tree = cKDTree(points)
    images = [instance_image(mask, depth, cam, tree, instances) for (mask, depth), cam in zip(views, cameras)]
    teacher = SimulatedTeacher(num_parts, preset or DEFAULT_PRESET[kind], seed)
    if kind == "box":
        return teacher.boxes(images, instance_part)
    return teacher.pixel_maps(images, instance_part)
