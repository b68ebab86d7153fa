"""Rank confidence sets (Mogstad, Romano, Shaikh & Wilhelm): exact ranks, invariants of the
method, limiting cases, and the PISA 2018 mathematics example of the method's package."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfanalysis import rank_confidence_sets, top_set

from .helpers import reference_dir


def test_rank_is_exact_with_ties_sharing_the_better_place():
    sets = rank_confidence_sets([3.0, 5.0, 5.0, 1.0], se=[1, 1, 1, 1])
    assert list(sets["rank"]) == [3, 1, 1, 4]


def test_huge_separations_collapse_to_points():
    x = np.array([100.0, 0.0, 50.0, -50.0])
    sets = rank_confidence_sets(x, se=np.full(4, 0.01), draws=500)
    assert list(sets["lower"]) == list(sets["rank"]) == list(sets["upper"]) == [1, 3, 2, 4]
    assert list(top_set(x, se=np.full(4, 0.01), tau=2)) == [True, False, True, False]


def test_identical_estimates_span_everything():
    sets = rank_confidence_sets(np.zeros(5), se=np.ones(5), simultaneous=True)
    assert (sets["lower"] == 1).all() and (sets["upper"] == 5).all()


def test_one_sided_sets_open_on_one_end():
    x, se = np.array([10.0, 0.0, -10.0]), np.full(3, 0.5)
    lower = rank_confidence_sets(x, se=se, side="lower")
    upper = rank_confidence_sets(x, se=se, side="upper")
    assert (lower["upper"] == 3).all() and list(lower["lower"]) == [1, 2, 3]
    assert (upper["lower"] == 1).all() and list(upper["upper"]) == [1, 2, 3]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=2, max_size=7), st.floats(0.2, 3))
def test_invariants(x, s):
    x = np.array(x)
    se = np.full(len(x), s)
    marg = rank_confidence_sets(x, se=se, seed=1)
    simul = rank_confidence_sets(x, se=se, simultaneous=True, seed=1)
    single = rank_confidence_sets(x, se=se, simultaneous=True, stepdown=False, seed=1)
    for a, bigger in ((marg, simul), (simul, single)):
        # simultaneous sets contain marginal ones; step-down lies inside single-step
        assert (bigger["lower"] <= a["lower"]).all() and (a["upper"] <= bigger["upper"]).all()
    for t in (marg, simul, single):
        assert ((1 <= t["lower"]) & (t["lower"] <= t["rank"])).all()
        assert ((t["rank"] <= t["upper"]) & (t["upper"] <= len(x))).all()


def test_covariance_matches_independent_se():
    x, se = np.array([3.0, 1.0, 2.0, 0.0]), np.array([1.0, 0.5, 2.0, 1.0])
    a = rank_confidence_sets(x, se=se, seed=4)
    b = rank_confidence_sets(x, cov=np.diag(se ** 2), seed=4)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError):
        rank_confidence_sets(x)


def test_pisa_2018_mathematics():
    ref = reference_dir()
    if ref is None:
        pytest.skip("shared reference data (PISA 2018) not available")
    pisa = pd.read_csv(ref / "pisa2018" / "pisa2018_oecd37_readme.csv").set_index("jurisdiction")
    marg = rank_confidence_sets(pisa["math_score"], se=pisa["math_se"])
    simul = rank_confidence_sets(pisa["math_score"], se=pisa["math_se"], simultaneous=True)
    # Japan (527.0) has the best estimate; Colombia (390.9) is 19 points below Mexico with
    # standard errors of about 3: surely last, in both kinds of set
    assert marg.loc["Japan", "rank"] == 1 and marg.loc["Japan", "lower"] == 1
    assert (marg.loc["Colombia", ["lower", "upper"]] == 37).all()
    assert (simul.loc["Colombia", ["lower", "upper"]] == 37).all()
    # the top three (527.0, 525.9, 523.4, s.e. 1.7–3.1) cannot be told apart: each could be 1st
    assert (marg.loc[["Japan", "Korea", "Estonia"], "lower"] == 1).all()
    # the United States (478.2) is 20 points from the middle: never in the top half
    assert marg.loc["United States", "lower"] > 18
    assert ((simul["upper"] - simul["lower"]) >= (marg["upper"] - marg["lower"])).all()
    best = top_set(pisa["math_score"], se=pisa["math_se"], tau=1)
    assert best["Japan"] and not best["United States"] and best.sum() < 10


PUBLISHED_TOP5_95 = {"Belgium", "Canada", "Denmark", "Estonia", "Finland", "Japan", "Korea",
                     "Netherlands", "Poland", "Slovenia", "Sweden", "Switzerland"}


def test_pisa_2018_published_results_of_the_method():
    """The csranks vignette "Inference for Ranks" (R package of Mogstad, Romano, Shaikh &
    Wilhelm; PISA 2018 mathematics, 37 OECD countries, diagonal covariance of the scores)
    publishes: the 95 % confidence set for the top 5 — these 12 countries; at 90 % the same
    without Sweden; the United Kingdom's marginal 95 % set — rank 13, from 8 to 23 (the
    printed output; the text says 7, within the bootstrap's noise); simultaneous 95 % sets in
    which Chile, Mexico and Colombia overlap no other country's, and Germany's and Korea's
    both hold rank 7; at 75 % Germany's and Korea's no longer overlap."""
    ref = reference_dir()
    if ref is None:
        pytest.skip("shared reference data (PISA 2018) not available")
    pisa = pd.read_csv(ref / "pisa2018" / "pisa2018_oecd37_readme.csv").set_index("jurisdiction")
    x, se = pisa["math_score"], pisa["math_se"]
    top95 = top_set(x, se=se, tau=5, alpha=0.05)
    assert set(top95[top95].index) == PUBLISHED_TOP5_95
    top90 = top_set(x, se=se, tau=5, alpha=0.10)
    assert set(top90[top90].index) == PUBLISHED_TOP5_95 - {"Sweden"}
    uk = rank_confidence_sets(x, se=se).loc["United Kingdom"]
    assert uk["rank"] == 13 and uk["lower"] in (7, 8) and uk["upper"] == 23
    simul = rank_confidence_sets(x, se=se, simultaneous=True)
    bottom = ["Chile", "Mexico", "Colombia"]
    assert simul.drop(index=bottom)["upper"].max() < simul.loc[bottom, "lower"].min()
    de, kr = simul.loc["Germany"], simul.loc["Korea"]
    assert de["lower"] <= 7 <= de["upper"] and kr["lower"] <= 7 <= kr["upper"]
    s75 = rank_confidence_sets(x, se=se, simultaneous=True, alpha=0.25)
    assert s75.loc["Korea", "upper"] < s75.loc["Germany", "lower"]
