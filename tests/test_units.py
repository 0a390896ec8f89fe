import numpy as np
import pytest

from partdistill import KnowledgeUnits, PartDistillError, vote
from partdistill.geometry.visibility import ViewProjection
from partdistill.teachers import BoxPrediction, PixelPrediction
from partdistill.units import component_map, units_from_boxes, units_from_pixel_maps


def dense_example():
    # 3 units over 5 points, 2 parts
    Y = np.zeros((3, 5, 2), dtype=np.float32)
    M = np.zeros((3, 5), dtype=bool)
    M[0, [0, 1, 2]] = True
    Y[0, [0, 1, 2]] = [0.9, 0.1]
    M[1, [2, 3]] = True
    Y[1, [2, 3]] = [0.2, 0.6]
    M[2, [1, 2]] = True
    Y[2, 1] = [0.3, 0.7]
    Y[2, 2] = [0.8, 0.2]
    return Y, M


def test_from_dense_round_trip_and_sparse_storage():
    Y, M = dense_example()
    units = KnowledgeUnits.from_dense(Y, M)
    assert len(units) == 3 and units.num_points == 5 and units.num_parts == 2
    assert units.probs.shape == (M.sum(), 2)  # one row per covered (unit, point), not D x N
    Y2, M2 = units.to_dense()
    assert (M2 == M).all() and np.allclose(Y2[M], Y[M])
    assert list(units.sizes) == [3, 2, 2]
    assert np.allclose(units.scores, [0.9, 0.6, 0.75])
    assert list(units.covered()) == [True, True, True, True, False]


def test_sparse_storage_scales_with_coverage():
    rng = np.random.default_rng(0)
    D, N, R = 100, 2048, 4
    M = rng.random((D, N)) < 0.05
    units = KnowledgeUnits.from_dense(rng.random((D, N, R)), M)
    stored = units.probs.nbytes + units.point_index.nbytes + units.offsets.nbytes
    assert stored < 0.2 * D * N * R * 4


def test_vote_on_hand_made_example():
    Y, M = dense_example()
    units = KnowledgeUnits.from_dense(Y, M)
    # point 0: unit0 says 0 (0.9). point 1: unit0 0 (0.9) vs unit2 1 (0.7) -> 0.
    # point 2: unit0 0 (0.9) + unit2 0 (0.8) vs unit1 1 (0.6) -> 0. point 3: unit1 -> 1. point 4: none.
    assert list(vote(units, 2)) == [0, 0, 0, 1, -1]
    # re-scored confidences change the outcome: silence unit 0
    assert list(vote(units.with_scores([0.0, 1.0, 0.5]), 2)) == [0, 1, 1, 1, -1]


def test_vote_ties_go_to_more_units():
    Y = np.zeros((3, 1, 2), dtype=np.float32)
    Y[0, 0] = [0.6, 0.0]
    Y[1, 0] = [0.0, 0.3]
    Y[2, 0] = [0.0, 0.3]
    units = KnowledgeUnits.from_dense(Y, np.ones((3, 1), bool))
    assert vote(units, 2)[0] == 1  # 0.6 vs 0.3 + 0.3: equal weight, two units beat one
    silent = units.with_scores([0.0, 0.0, 0.0])
    assert vote(silent, 2)[0] == 1


def test_bad_units_are_clear_errors():
    Y, M = dense_example()
    with pytest.raises(PartDistillError, match="M has shape"):
        KnowledgeUnits.from_dense(Y, M[:, :4])
    with pytest.raises(PartDistillError, match=r"\(D, N, R\)"):
        KnowledgeUnits.from_dense(Y[0], M)
    bad = Y.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(PartDistillError, match="NaN"):
        KnowledgeUnits.from_dense(bad, M)
    units = KnowledgeUnits.from_dense(Y, M)
    with pytest.raises(PartDistillError, match="num_parts = 3"):
        vote(units, 3)
    with pytest.raises(PartDistillError, match="num_parts must be an integer >= 1"):
        vote(units, 0)
    other = KnowledgeUnits.from_dense(np.zeros((1, 6, 2)), np.ones((1, 6), bool))
    with pytest.raises(PartDistillError, match="cannot join"):
        KnowledgeUnits.concatenate([units, other])
    with pytest.raises(PartDistillError, match="one score per unit"):
        units.with_scores([1.0])


def test_concatenate_and_select_keep_entries():
    Y, M = dense_example()
    units = KnowledgeUnits.from_dense(Y, M, view=[0, 0, 1])
    both = KnowledgeUnits.concatenate([units, units.select([False, True, True])])
    assert len(both) == 5 and list(both.view) == [0, 0, 1, 0, 1]
    Yb, Mb = both.to_dense()
    assert (Mb[3] == M[1]).all() and np.allclose(Yb[4], Y[2])


def projection(uv, visible):
    uv = np.asarray(uv, dtype=float)
    rows, cols = np.floor(uv[:, 1]).astype(int), np.floor(uv[:, 0]).astype(int)
    return ViewProjection(uv, rows, cols, np.ones(len(uv)), np.asarray(visible))


def test_box_back_projection_threshold_and_98_percent_filter():
    # 10 points on a line u = 0.5 .. 9.5, v = 5.5; point 9 hidden.
    uv = np.stack([np.arange(10) + 0.5, np.full(10, 5.5)], axis=1)
    vis = np.arange(10) < 9
    boxes = BoxPrediction(
        xyxy=[[0, 0, 3, 10],      # covers points 0, 1, 2
              [2, 0, 6, 10],      # covers 2..5
              [0, 0, 10, 10],     # covers all 9 visible points: dropped (>= 98 %)
              [6, 0, 10, 10]],    # points 6..8 visible (9 is hidden) but score below threshold
        scores=[[0.9, 0.0], [0.1, 0.7], [0.8, 0.0], [0.0, 0.4]])
    units = units_from_boxes([projection(uv, vis)], [boxes], score_threshold=0.5)
    Y, M = units.to_dense()
    assert len(units) == 2
    assert list(np.nonzero(M[0])[0]) == [0, 1, 2]
    assert list(np.nonzero(M[1])[0]) == [2, 3, 4, 5]
    assert np.allclose(Y[1, 3], [0.1, 0.7])
    assert list(units.view) == [0, 0]


def test_no_boxes_gives_no_units():
    uv = np.zeros((4, 2)) + 0.5
    units = units_from_boxes([projection(uv, np.ones(4, bool))],
                             [BoxPrediction(np.zeros((0, 4)), np.zeros((0, 3)))])
    assert len(units) == 0 and units.num_parts == 3 and (vote(units, 3) == -1).all()


def test_connected_components_of_argmax_map():
    probs = np.zeros((4, 6, 2), dtype=np.float32)
    probs[..., 0] = 1.0
    probs[:, 2:4, 0], probs[:, 2:4, 1] = 0.0, 1.0    # a vertical band of part 1 splits part 0 in two
    mask = np.ones((4, 6), bool)
    mask[:, 5] = False                                # background column
    comp = component_map(probs, mask)
    assert len(np.unique(comp[comp >= 0])) == 3       # left part-0 blob, band, right part-0 blob
    assert comp[0, 0] != comp[0, 4] and comp[0, 0] == comp[3, 1]
    assert (comp[:, 5] == -1).all()


def test_pixel_map_back_projection_uses_each_points_pixel():
    probs = np.zeros((2, 4, 2), dtype=np.float32)
    probs[:, :2] = [0.8, 0.2]
    probs[:, 2:] = [0.3, 0.7]
    probs[0, 3] = [0.1, 0.9]
    uv = np.array([[0.5, 0.5], [1.5, 1.5], [2.5, 0.5], [3.5, 0.5], [3.5, 1.5]])
    vis = np.array([True, True, True, True, False])
    units = units_from_pixel_maps([projection(uv, vis)], [PixelPrediction(probs, np.ones((2, 4), bool))])
    Y, M = units.to_dense()
    assert len(units) == 2
    assert list(np.nonzero(M[0])[0]) == [0, 1] and list(np.nonzero(M[1])[0]) == [2, 3]
    assert np.allclose(Y[1, 3], [0.1, 0.9]) and np.allclose(Y[1, 2], [0.3, 0.7])
    assert list(vote(units, 2)) == [0, 0, 1, 1, -1]
