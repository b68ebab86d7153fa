"""Normalisation methods: hand-computed cases and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from perfanalysis.composite import normalise as nm
from perfanalysis.composite.spec import NormaliseSpec

X = np.array([2.0, 4.0, 10.0, np.nan, 4.0])


def test_minmax_to_any_range_keeps_nan():
    # min 2, max 10, span 8: (4-2)/8 = 0.25 → 0.25*(50-10)+10 = 20
    out = nm.minmax(X, lower=10, upper=50)
    np.testing.assert_allclose(out, [10.0, 20.0, 50.0, np.nan, 20.0])


def test_minmax_negative_direction_is_applied_first():
    # −x: −2 best; (−4 − (−10))/8 = 0.75
    np.testing.assert_allclose(nm.minmax(X, direction=-1, lower=0, upper=1),
                               [1.0, 0.75, 0.0, np.nan, 0.75])


def test_minmax_all_equal_gets_upper():
    np.testing.assert_allclose(nm.minmax(np.array([3.0, 3.0]), lower=0, upper=100), [100, 100])


def test_zscore_uses_sample_sd():
    x = np.array([1.0, 2.0, 3.0, 6.0])
    # mean 3; deviations −2,−1,0,3; Σd² = 14; sd (ddof 1) = √(14/3)
    sd = np.sqrt(14 / 3)
    np.testing.assert_allclose(nm.zscore(x), [-2 / sd, -1 / sd, 0, 3 / sd])
    sd0 = np.sqrt(14 / 4)
    np.testing.assert_allclose(nm.zscore(x, ddof=0, mean=10, sd=2),
                               [10 - 4 / sd0, 10 - 2 / sd0, 10, 10 + 6 / sd0])


def test_rank_ties_min_and_percentile_rank():
    # values 2,4,10,nan,4 → ranks 1,2,4,nan,2 (ties share the lower rank)
    np.testing.assert_allclose(nm.rank(X), [1, 2, 4, np.nan, 2])
    # n = 4 available: (rank−1)/3
    np.testing.assert_allclose(nm.percentile_rank(X), [0, 1 / 3, 1, np.nan, 1 / 3])
    # negative: −10 lowest → rank 1; −4 twice → 2; −2 → 4
    np.testing.assert_allclose(nm.rank(X, direction=-1), [4, 2, 1, np.nan, 2])


def test_distance_to_target():
    # (x − 2)/(6 − 2): 0, 0.5, 2 (capped 1), nan, 0.5
    np.testing.assert_allclose(nm.distance_to_target(X, 6.0), [0, 0.5, 2, np.nan, 0.5])
    np.testing.assert_allclose(nm.distance_to_target(X, 6.0, cap=True), [0, 0.5, 1, np.nan, 0.5])
    # negative, target 3: (max − x)/(max − target) = (10 − x)/7
    np.testing.assert_allclose(nm.distance_to_target(X, 3.0, direction=-1),
                               [8 / 7, 6 / 7, 0, np.nan, 6 / 7])


def test_goalposts_both_directions():
    # goalposts 3..8: (x − 3)/5 clipped: 2→0, 4→0.2, 10→1
    np.testing.assert_allclose(nm.goalposts(X, 3, 8), [0, 0.2, 1, np.nan, 0.2])
    # negative: (8 − x)/5: 2→1.2→1, 4→0.8, 10→−0.4→0
    np.testing.assert_allclose(nm.goalposts(X, 3, 8, direction=-1, scale=100),
                               [100, 80, 0, np.nan, 80])


def test_chinese_methods_from_the_core():
    x = np.array([50.0, 80.0, 100.0, np.nan])
    # completion: min(x/80, 1.2) → 0.625, 1, 1.2
    np.testing.assert_allclose(nm.completion(x, 80.0, ratio_cap=1.2, scale=1),
                               [0.625, 1.0, 1.2, np.nan])
    # efficacy: 0.6 + 0.4·(x − 50)/50 → 0.6, 0.84, 1.0
    np.testing.assert_allclose(nm.efficacy(x, scale=100), [60, 84, 100, np.nan])
    # rank_points 10 points, step 2: places 3,2,1 → 6,8,10 → fractions
    np.testing.assert_allclose(nm.rank_points(x, points=10, step=2, scale=1),
                               [0.6, 0.8, 1.0, np.nan])


def test_normalise_frame_overrides_and_directions():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [10.0, 20.0, 40.0]}, index=list("xyz"))
    out = nm.normalise_frame(df, NormaliseSpec(), {"b": -1},
                             {"a": NormaliseSpec(method="rank")})
    assert out["a"].tolist() == [1, 2, 3]
    # b negative: (40 − b)/30·100 → 100, 66.67, 0
    np.testing.assert_allclose(out["b"], [100, 200 / 3, 0])
    with pytest.raises(ValueError, match="unknown indicators"):
        nm.normalise_frame(df, NormaliseSpec(), overrides={"zz": NormaliseSpec()})


def test_spec_validation_names_missing_parameters():
    with pytest.raises(ValueError, match="needs 'target'"):
        NormaliseSpec(method="distance_to_target")
    with pytest.raises(ValueError, match="goal_lower"):
        NormaliseSpec(method="goalposts", goal_lower=1)


values = arrays(float, st.integers(2, 12), elements=st.floats(-1e6, 1e6, allow_nan=False))


@settings(max_examples=40, deadline=None)
@given(values, st.floats(-100, 100), st.floats(1, 100))
def test_minmax_output_in_range(x, lower, width):
    out = nm.minmax(x, lower=lower, upper=lower + width)
    assert np.all(out >= lower - 1e-9) and np.all(out <= lower + width + 1e-9)


@settings(max_examples=40, deadline=None)
@given(values, st.randoms(use_true_random=False))
def test_normalisers_are_permutation_equivariant(x, rnd):
    perm = np.array(rnd.sample(range(len(x)), len(x)))
    for fn in (nm.minmax, nm.zscore, nm.rank, nm.percentile_rank):
        np.testing.assert_allclose(fn(x)[perm], fn(x[perm]), atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(values)
def test_minmax_preserves_order(x):
    out = nm.minmax(x)
    i, j = np.argsort(x)[0], np.argsort(x)[-1]
    assert out[i] <= out[j]
    assert np.all(np.diff(out[np.argsort(x, kind="stable")]) >= -1e-9)
