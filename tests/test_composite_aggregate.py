"""Aggregation: weighted means with missing children, zeros, thresholds, Copeland, trees."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from perfanalysis.composite import aggregate as ag
from perfanalysis.composite.spec import AggregateLevel
from perfanalysis.composite.tree import Hierarchy, TreeNode
from perfanalysis.errors import SchemeError


def test_arithmetic_skips_missing_and_renormalises_weights():
    x = np.array([[10.0, 20.0, 60.0], [10.0, np.nan, 60.0], [np.nan, np.nan, np.nan]])
    w = np.array([1.0, 2.0, 1.0])
    # row 0: (10 + 40 + 60)/4 = 27.5; row 1: (10 + 60)/2 = 35; row 2: nothing → NaN
    np.testing.assert_allclose(ag.arithmetic(x, w), [27.5, 35.0, np.nan])


def test_geometric_harmonic_generalised_by_hand():
    x = np.array([[4.0, 16.0]])
    w = np.array([1.0, 3.0])
    # geometric: 4^(1/4)·16^(3/4) = 2^(0.5 + 3) = 2^3.5
    np.testing.assert_allclose(ag.geometric(x, w), [2 ** 3.5])
    # harmonic: 4 / (1/4 + 3/16) = 4 / (7/16) = 64/7
    np.testing.assert_allclose(ag.harmonic(x, w), [64 / 7])
    # generalised p = 2: sqrt((16 + 3·256)/4) = sqrt(196) = 14
    np.testing.assert_allclose(ag.generalised(x, w, p=2), [14.0])
    # p = −1 is the harmonic mean, p = 1 the arithmetic mean
    np.testing.assert_allclose(ag.generalised(x, w, p=-1), [64 / 7])
    np.testing.assert_allclose(ag.generalised(x, w, p=1), [(4 + 48) / 4])


def test_geometric_with_zeros_errors_by_default_or_gives_zero():
    x = np.array([[0.0, 9.0], [1.0, 9.0]])
    with pytest.raises(ValueError, match="zero or negative"):
        ag.geometric(x)
    # rule "zero": a zero child makes the mean 0 (the limit); row 1: √9 = 3
    np.testing.assert_allclose(ag.geometric(x, zeros="zero"), [0.0, 3.0])
    np.testing.assert_allclose(ag.harmonic(x, zeros="zero"), [0.0, 2 / (1 + 1 / 9)])
    with pytest.raises(ValueError, match="negative"):
        ag.geometric(np.array([[-1.0, 2.0]]), zeros="zero")


def test_availability_threshold():
    x = np.array([[1.0, 2.0, 3.0, np.nan], [1.0, np.nan, np.nan, np.nan]])
    spec = AggregateLevel(min_availability=0.5)
    # row 0: 3/4 available ≥ 0.5 → mean 2; row 1: 1/4 < 0.5 → NaN
    np.testing.assert_allclose(ag.aggregate(x, None, spec), [2.0, np.nan])
    # exactly at the threshold is kept (COINr: NA only when share < dat_thresh)
    np.testing.assert_allclose(ag.aggregate(x[:1], None, AggregateLevel(min_availability=0.75)),
                               [2.0])


def test_copeland_outranking_by_hand():
    # three units, two equally weighted children
    x = np.array([[3.0, 1.0], [2.0, 2.0], [1.0, 1.0]])
    m = ag.outranking_matrix(x)
    # u0 vs u1: wins child 0 (0.5) → 0.5; u0 vs u2: wins 0 (0.5), ties 1 (0.25) → 0.75
    # u1 vs u0: 0.5; u1 vs u2: wins both → 1; u2 vs u0: tie 0.25; u2 vs u1: 0
    np.testing.assert_allclose(m, [[0, 0.5, 0.75], [0.5, 0, 1.0], [0.25, 0, 0]])
    np.testing.assert_allclose(ag.copeland(x, score="outranking_sum"), [1.25, 1.5, 0.25])
    # COINr's a_copeland (default): u0 beats u2 (+1), ties u1 (0); u1 beats u2 (+1);
    # u2 loses twice
    np.testing.assert_allclose(ag.copeland(x), [1, 1, -2])


def _tree() -> Hierarchy:
    return Hierarchy((
        TreeNode("idx", None),
        TreeNode("g1", "idx", 1.0), TreeNode("g2", "idx", 3.0),
        TreeNode("a", "g1"), TreeNode("b", "g1"),
        TreeNode("c", "g2", 2.0), TreeNode("d", "g2", 1.0), TreeNode("e", "g2", 1.0),
    ))


def test_effective_weights_are_products_of_normalised_weights():
    eff = _tree().effective_weights()
    # g1 share 1/4, split in two: 1/8 each; g2 share 3/4: c 3/4·2/4, d and e 3/4·1/4
    assert eff.to_dict() == pytest.approx({"a": 1 / 8, "b": 1 / 8, "c": 3 / 8,
                                           "d": 3 / 16, "e": 3 / 16})
    assert eff.sum() == pytest.approx(1.0)


def test_tree_of_uneven_depth_and_validation():
    t = Hierarchy((TreeNode("r", None), TreeNode("x", "r"), TreeNode("g", "r"),
                   TreeNode("y", "g"), TreeNode("z", "g")))
    assert t.height("r") == 3 and t.aggregation_order() == ["g", "r"]
    with pytest.raises(SchemeError, match="exactly one root"):
        Hierarchy((TreeNode("r", None), TreeNode("s", None)))
    with pytest.raises(SchemeError, match="parent 'zz'"):
        Hierarchy((TreeNode("r", None), TreeNode("s", "zz")))


def test_unit_missing_a_whole_group():
    values = pd.DataFrame({"a": [10.0, 20.0], "b": [30.0, 40.0],
                           "c": [50.0, np.nan], "d": [60.0, np.nan], "e": [70.0, np.nan]},
                          index=["u1", "u2"])
    out = ag.aggregate_tree(values, _tree(), AggregateLevel())
    # u1: g1 = 20, g2 = (100 + 60 + 70)/4 = 57.5, idx = (20 + 3·57.5)/4 = 48.125
    assert out.loc["u1", ["g1", "g2", "idx"]].tolist() == pytest.approx([20, 57.5, 48.125])
    # u2 lacks all of g2: g2 NaN, idx = g1 alone = 30
    assert np.isnan(out.loc["u2", "g2"])
    assert out.loc["u2", "idx"] == pytest.approx(30.0)
    # with a threshold at the top level (height 3), u2 (1 of 2 children) still passes 0.5
    out2 = ag.aggregate_tree(values, _tree(), AggregateLevel(),
                             {3: AggregateLevel(min_availability=0.6)})
    assert np.isnan(out2.loc["u2", "idx"]) and out2.loc["u1", "idx"] == pytest.approx(48.125)


def test_copeland_at_every_level_and_node_overrides():
    values = pd.DataFrame({"a": [1.0, 4.0], "b": [9.0, 1.0], "c": [1.0, 1.0],
                           "d": [1.0, 1.0], "e": [1.0, 1.0]}, index=["u1", "u2"])
    out_c = ag.aggregate_tree(values, _tree(), AggregateLevel(method="copeland"))
    # g1 (a, b equal weights): u1 wins b (½), u2 wins a (½) → outranking ½ each, a tie → 0;
    # g2: all ties → 0; idx from g1, g2 ties again → 0 each (COINr's majorities)
    assert out_c["g1"].tolist() == pytest.approx([0.0, 0.0])
    assert out_c["idx"].tolist() == pytest.approx([0.0, 0.0])
    sums = ag.aggregate_tree(values, _tree(),
                             AggregateLevel(method="copeland", copeland_score="outranking_sum"))
    assert sums["g1"].tolist() == pytest.approx([0.5, 0.5])
    over = ag.method_overrides(_tree(), AggregateLevel())
    assert over.empty
    t = Hierarchy(tuple(TreeNode(**{**n.__dict__, "aggregation": "geometric"})
                        if n.code == "g1" else n for n in _tree().nodes))
    assert ag.method_overrides(t, AggregateLevel()).to_dict("records") == [
        {"node": "g1", "height": 2, "recipe_method": "arithmetic", "node_method": "geometric"}]
    out = ag.aggregate_tree(values, t, AggregateLevel())
    # g1 geometric: √(1·9) = 3 and √(4·1) = 2
    assert out["g1"].tolist() == pytest.approx([3.0, 2.0])


rows = arrays(float, st.tuples(st.integers(1, 6), st.integers(1, 5)),
              elements=st.floats(0.1, 100, allow_nan=False))


@settings(max_examples=40, deadline=None)
@given(rows, st.integers(0, 4), st.floats(0.01, 10))
def test_means_are_monotone_in_each_child(x, col, bump):
    col = col % x.shape[1]
    w = np.arange(1, x.shape[1] + 1, dtype=float)
    y = x.copy()
    y[:, col] += bump
    for fn in (ag.arithmetic, ag.geometric, ag.harmonic):
        assert np.all(fn(y, w) >= fn(x, w) - 1e-9)


@settings(max_examples=40, deadline=None)
@given(rows, st.randoms(use_true_random=False))
def test_means_ignore_child_order(x, rnd):
    w = np.arange(1, x.shape[1] + 1, dtype=float)
    perm = np.array(rnd.sample(range(x.shape[1]), x.shape[1]))
    for fn in (ag.arithmetic, ag.geometric, ag.harmonic):
        np.testing.assert_allclose(fn(x, w), fn(x[:, perm], w[perm]), rtol=1e-9)
    # means lie between the smallest and largest child: min ≤ H ≤ G ≤ A ≤ max
    a, g, h = ag.arithmetic(x, w), ag.geometric(x, w), ag.harmonic(x, w)
    assert np.all(h <= g * (1 + 1e-9)) and np.all(g <= a * (1 + 1e-9))
    assert np.all(a <= x.max(axis=1) + 1e-9) and np.all(h >= x.min(axis=1) - 1e-9)
