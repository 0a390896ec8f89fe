"""Knowledge units (paper Eq. 1-2): what the teacher says about which points, stored sparsely.

A unit k_d = (Y_d (N, R), M_d (N,)) is kept as the list of points it covers with their part
probabilities (CSR layout), so a 2048-point shape with 100 units costs entries for covered
points only, never D x N x R floats.
"""

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .errors import PartDistillError
from .geometry.cameras import Camera
from .geometry.visibility import DEFAULT_DEPTH_TOLERANCE, ViewProjection, visible_points

# PartSLIP's filter: a box that covers (nearly) every visible point says nothing about parts.
MAX_VIEW_COVER = 0.98
# GLIP score threshold used by PartSLIP and PartDistill.
BOX_SCORE_THRESHOLD = 0.5


@dataclass(frozen=True, eq=False)
class KnowledgeUnits:
    """D units over N points and R parts.

    offsets (D+1,) int: unit d covers entries offsets[d]:offsets[d+1];
    point_index (nnz,) int: the covered point of each entry (sorted within a unit);
    probs (nnz, R) float32: Y_d[n] for each covered (d, n);
    view (D,) int: the view each unit came from (-1 when unknown);
    score_override (D,) float or None: re-scored unit confidences (Eq. 4) replacing C_d[n].
    """

    num_points: int
    offsets: np.ndarray
    point_index: np.ndarray
    probs: np.ndarray
    view: np.ndarray
    score_override: np.ndarray | None = None

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_dense(cls, Y, M, view=None) -> "KnowledgeUnits":
        """Y (D, N, R) part probabilities, M (D, N) bool coverage."""
        Y = np.asarray(Y, dtype=np.float32)
        M = np.asarray(M)
        if Y.ndim != 3:
            raise PartDistillError(f"Y must have shape (D, N, R), got {Y.shape}")
        if M.shape != Y.shape[:2]:
            raise PartDistillError(
                f"M has shape {M.shape} but Y has (D, N) = {Y.shape[:2]}: both must describe the same units and points")
        if M.dtype != bool:
            if not np.isin(M, (0, 1)).all():
                raise PartDistillError("M must be boolean (or 0/1) coverage")
            M = M.astype(bool)
        d, n = np.nonzero(M)
        return cls.from_entries(Y.shape[1], Y.shape[2], d, n, Y[d, n], len(Y), view)

    @classmethod
    def from_entries(cls, num_points, num_parts, unit, point, probs, num_units=None, view=None):
        """Build from parallel arrays: entry i says unit[i] covers point[i] with probs[i] (R,)."""
        unit = np.asarray(unit, dtype=np.int64)
        point = np.asarray(point, dtype=np.int64)
        probs = np.asarray(probs, dtype=np.float32).reshape(len(unit), num_parts)
        if num_units is None:
            num_units = int(unit.max()) + 1 if len(unit) else 0
        _check_entries(num_points, num_parts, unit, point, probs, num_units)
        order = np.lexsort((point, unit))
        unit, point, probs = unit[order], point[order], probs[order]
        if len(unit) and np.any((unit[1:] == unit[:-1]) & (point[1:] == point[:-1])):
            raise PartDistillError("a unit covers the same point twice; each (unit, point) pair must be unique")
        offsets = np.zeros(num_units + 1, dtype=np.int64)
        np.cumsum(np.bincount(unit, minlength=num_units), out=offsets[1:])
        view = np.full(num_units, -1, dtype=np.int64) if view is None else np.asarray(view, dtype=np.int64)
        if view.shape != (num_units,):
            raise PartDistillError(f"view must give one index per unit ({num_units}), got shape {view.shape}")
        return cls(int(num_points), offsets, point, probs, view)

    @classmethod
    def concatenate(cls, parts: list["KnowledgeUnits"]) -> "KnowledgeUnits":
        """Units of several views (or teachers) over the same points, in order."""
        if not parts:
            raise PartDistillError("nothing to concatenate: pass at least one set of units")
        n, r = parts[0].num_points, parts[0].num_parts
        for p in parts:
            if (p.num_points, p.num_parts) != (n, r):
                raise PartDistillError(
                    f"cannot join units over (N, R) = {(p.num_points, p.num_parts)} with units over {(n, r)}")
        starts = np.cumsum([0] + [p.offsets[-1] for p in parts[:-1]])
        offsets = np.concatenate([[0]] + [p.offsets[1:] + s for p, s in zip(parts, starts)])
        scores = None
        if any(p.score_override is not None for p in parts):
            scores = np.concatenate([p.scores for p in parts])
        return cls(n, offsets, np.concatenate([p.point_index for p in parts]),
                   np.concatenate([p.probs for p in parts]), np.concatenate([p.view for p in parts]), scores)

    # -- views of the data --------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def num_parts(self) -> int:
        return self.probs.shape[1]

    @property
    def sizes(self) -> np.ndarray:
        """(D,) |M_d|."""
        return np.diff(self.offsets)

    @property
    def unit_index(self) -> np.ndarray:
        """(nnz,) the unit of each entry."""
        return np.repeat(np.arange(len(self)), self.sizes)

    @property
    def labels(self) -> np.ndarray:
        """(nnz,) argmax_r Y_d[n] (Z_d of Eq. 3) per entry."""
        return self.probs.argmax(axis=1)

    @property
    def confidence(self) -> np.ndarray:
        """(nnz,) C_d[n] per entry: max_r Y_d[n], or the unit's re-scored confidence."""
        if self.score_override is not None:
            return self.score_override[self.unit_index].astype(np.float32)
        return self.probs.max(axis=1)

    @property
    def scores(self) -> np.ndarray:
        """(D,) one confidence per unit: the re-scored one, else the mean of C_d over M_d."""
        if self.score_override is not None:
            return self.score_override
        sums = np.bincount(self.unit_index, weights=self.probs.max(axis=1), minlength=len(self))
        return sums / np.maximum(self.sizes, 1)

    def covered(self) -> np.ndarray:
        """(N,) bool: points covered by at least one unit."""
        out = np.zeros(self.num_points, dtype=bool)
        out[self.point_index] = True
        return out

    def unit_labels(self) -> np.ndarray:
        """(D,) the part each unit mostly votes for (majority of its entries' labels)."""
        counts = np.zeros((len(self), self.num_parts))
        np.add.at(counts, (self.unit_index, self.labels), 1.0)
        return counts.argmax(axis=1)

    def to_dense(self) -> tuple[np.ndarray, np.ndarray]:
        """(Y (D, N, R), M (D, N)); for tests and small inputs only."""
        Y = np.zeros((len(self), self.num_points, self.num_parts), dtype=np.float32)
        M = np.zeros((len(self), self.num_points), dtype=bool)
        Y[self.unit_index, self.point_index] = self.probs
        M[self.unit_index, self.point_index] = True
        return Y, M

    # -- derived unit sets ----------------------------------------------------------------------
    def with_scores(self, scores) -> "KnowledgeUnits":
        """The same units with confidences replaced by one score per unit (Eq. 4's C_bd)."""
        scores = np.asarray(scores, dtype=np.float64)
        if scores.shape != (len(self),):
            raise PartDistillError(f"need one score per unit ({len(self)}), got shape {scores.shape}")
        if not np.isfinite(scores).all() or (scores < 0).any():
            raise PartDistillError("unit scores must be finite and non-negative")
        return KnowledgeUnits(self.num_points, self.offsets, self.point_index, self.probs, self.view, scores)

    def select(self, keep) -> "KnowledgeUnits":
        """The units where keep (D,) is True, in order."""
        keep = np.asarray(keep, dtype=bool)
        if keep.shape != (len(self),):
            raise PartDistillError(f"keep must have shape ({len(self)},), got {keep.shape}")
        entry_keep = keep[self.unit_index]
        scores = None if self.score_override is None else self.score_override[keep]
        offsets = np.concatenate([[0], np.cumsum(self.sizes[keep])])
        return KnowledgeUnits(self.num_points, offsets, self.point_index[entry_keep],
                              self.probs[entry_keep], self.view[keep], scores)


def _check_entries(num_points, num_parts, unit, point, probs, num_units):
    if num_points < 1:
        raise PartDistillError(f"units need at least one point, got N = {num_points}")
    if num_parts < 1:
        raise PartDistillError(f"units need at least one part, got R = {num_parts}")
    if len(point) and (point.min() < 0 or point.max() >= num_points):
        raise PartDistillError(f"unit entries index points outside [0, {num_points})")
    if len(unit) and (unit.min() < 0 or unit.max() >= num_units):
        raise PartDistillError(f"unit entries index units outside [0, {num_units})")
    if not np.isfinite(probs).all():
        raise PartDistillError("unit part probabilities contain NaN or infinite values")
    if (probs < 0).any():
        raise PartDistillError("unit part probabilities must be non-negative")


# -- back-projection (Eq. 2) ------------------------------------------------------------------
def project_views(points, cameras: list[Camera], depths, tol=DEFAULT_DEPTH_TOLERANCE) -> list[ViewProjection]:
    """Project points (N, 3) into each camera and depth-test them against its depth map (H, W)."""
    if len(cameras) != len(depths):
        raise PartDistillError(f"got {len(cameras)} cameras but {len(depths)} depth maps")
    out = []
    for cam, depth in zip(cameras, depths):
        if np.shape(depth) != (cam.height, cam.width):
            raise PartDistillError(f"depth map {np.shape(depth)} does not match the camera's {cam.height}x{cam.width}")
        out.append(visible_points(points, cam, np.asarray(depth), tol))
    return out


def units_from_boxes(projections: list[ViewProjection], boxes, score_threshold=BOX_SCORE_THRESHOLD,
                     max_view_cover=MAX_VIEW_COVER) -> KnowledgeUnits:
    """One unit per box: the visible points projecting inside it, all with the box's part scores.

    boxes[v] has .xyxy (B, 4) pixels and .scores (B, R). A box is kept when its best score is at
    least score_threshold and it covers less than max_view_cover of the view's visible points.
    """
    if len(projections) != len(boxes):
        raise PartDistillError(f"got box predictions for {len(boxes)} views but {len(projections)} views")
    num_parts = _num_parts([np.asarray(b.scores) for b in boxes])
    units, points, probs, views = [], [], [], []
    d = 0
    for v, (proj, pred) in enumerate(zip(projections, boxes)):
        vis_idx = np.nonzero(proj.visible)[0]
        u, w = proj.uv[vis_idx, 0], proj.uv[vis_idx, 1]
        for (x1, y1, x2, y2), s in zip(np.asarray(pred.xyxy, float), np.asarray(pred.scores, np.float32)):
            if s.max() < score_threshold:
                continue
            inside = vis_idx[(u >= x1) & (u <= x2) & (w >= y1) & (w <= y2)]
            if len(inside) == 0 or len(inside) >= max_view_cover * len(vis_idx):
                continue
            units.append(np.full(len(inside), d))
            points.append(inside)
            probs.append(np.broadcast_to(s, (len(inside), len(s))))
            views.append(v)
            d += 1
    return _assemble(len(projections[0].visible) if projections else 0, num_parts, units, points, probs, views)


def units_from_pixel_maps(projections: list[ViewProjection], maps, min_points=1) -> KnowledgeUnits:
    """One unit per connected component of each view's argmax part map (P-VLM, Eq. 1).

    maps[v] has .probs (H, W, R) and .mask (H, W) bool (object pixels; background is never a
    part). A component's unit covers the visible points whose pixel lies in it, each with the
    probabilities of its own pixel. Components covering fewer than min_points points are dropped.
    """
    if len(projections) != len(maps):
        raise PartDistillError(f"got pixel predictions for {len(maps)} views but {len(projections)} views")
    num_parts = _num_parts([np.asarray(m.probs).reshape(-1, np.shape(m.probs)[-1]) for m in maps])
    units, points, probs, views = [], [], [], []
    d = 0
    for v, (proj, pred) in enumerate(zip(projections, maps)):
        S = np.asarray(pred.probs, dtype=np.float32)
        components = component_map(S, np.asarray(pred.mask, dtype=bool))
        vis_idx = np.nonzero(proj.visible)[0]
        comp = components[proj.rows[vis_idx], proj.cols[vis_idx]]
        vis_idx, comp = vis_idx[comp >= 0], comp[comp >= 0]
        ids, counts = np.unique(comp, return_counts=True)
        for cid in ids[counts >= min_points]:
            inside = vis_idx[comp == cid]
            units.append(np.full(len(inside), d))
            points.append(inside)
            probs.append(S[proj.rows[inside], proj.cols[inside]])
            views.append(v)
            d += 1
    return _assemble(len(projections[0].visible) if projections else 0, num_parts, units, points, probs, views)


def component_map(probs: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(H, W) int: a distinct id per connected region of equal argmax part inside mask, -1 outside."""
    if probs.shape[:2] != mask.shape:
        raise PartDistillError(f"pixel map {probs.shape[:2]} and object mask {mask.shape} differ in size")
    argmax = probs.argmax(axis=2)
    out = np.full(mask.shape, -1, dtype=np.int64)
    next_id = 0
    for r in range(probs.shape[2]):
        lab, count = ndimage.label(mask & (argmax == r))
        out[lab > 0] = lab[lab > 0] - 1 + next_id
        next_id += count
    return out


def _num_parts(score_arrays) -> int:
    widths = {a.shape[-1] for a in score_arrays}
    if len(widths) > 1:
        raise PartDistillError(f"views disagree on the number of parts: {sorted(widths)}")
    if not widths:
        raise PartDistillError("no views given: render at least one view of the shape")
    return widths.pop()


def _assemble(num_points, num_parts, units, points, probs, views) -> KnowledgeUnits:
    cat = (lambda xs, shape: np.concatenate(xs) if xs else np.zeros(shape))
    return KnowledgeUnits.from_entries(
        num_points, num_parts, cat(units, (0,)), cat(points, (0,)), cat(probs, (0, num_parts)),
        num_units=len(views), view=np.asarray(views, dtype=np.int64))
