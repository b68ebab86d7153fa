"""Properties of the fairness diagnostics (hypothesis): invariance to row order and to
rescaling size by a positive constant; blends between their parts; monotone in a unit's own
value."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfanalysis import load_data
from perfanalysis.studies import fairness as fs
from tests.helpers import write_dataset

FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=10, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@st.composite
def score_and_size(draw: st.DrawFn) -> tuple[pd.Series, pd.Series, list[int], float]:
    n = draw(st.integers(4, 25))
    ids = [f"u{i:02d}" for i in range(n)]
    scores = draw(st.lists(st.integers(0, 50), min_size=n, max_size=n))  # ties allowed
    sizes = draw(st.lists(st.integers(1, 10**6), min_size=n, max_size=n, unique=True))
    perm = draw(st.permutations(range(n)))
    factor = draw(st.sampled_from([1e-3, 0.5, 3.0, 1234.5]))
    return (pd.Series(scores, index=ids, dtype=float), pd.Series(sizes, index=ids, dtype=float),
            list(perm), factor)


def _same(a: dict[str, float], b: dict[str, float]) -> None:
    for key, value in a.items():
        if np.isnan(value):
            assert np.isnan(b[key]), key
        else:
            assert b[key] == pytest.approx(value, rel=1e-7, abs=1e-9), key


@FAST
@given(score_and_size())
def test_size_dependence_ignores_row_order_and_size_scale(case) -> None:
    score, size, perm, factor = case
    base = fs.size_dependence(score, size, boot=60, seed=3)
    shuffled = fs.size_dependence(score.iloc[perm], size.iloc[perm[::-1]], boot=60, seed=3)
    _same(base, shuffled)
    _same(base, fs.size_dependence(score, size * factor, boot=60, seed=3))
    if np.isfinite(base["rho"]):
        assert -1 - 1e-12 <= base["rho"] <= 1 + 1e-12
        assert base["rho_lo"] <= base["rho_hi"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(3, 9), st.integers(2, 4), st.data())
def test_persistence_ignores_row_order(n: int, years: int, data: st.DataObject) -> None:
    rows = []
    for y in range(years):
        ranks = data.draw(st.permutations(range(1, n + 1)))
        rows += [{"unit_id": f"u{i}", "sequence": "s" if i % 2 else "t", "year": 2000 + y,
                  "variant": "level", "alpha": np.nan, "rank": r, "top": r == 1}
                 for i, r in enumerate(ranks)]
    panel = pd.DataFrame(rows)
    perm = data.draw(st.permutations(range(len(panel))))
    a = fs.persistence(panel)
    b = fs.persistence(panel.iloc[list(perm)].reset_index(drop=True))
    pd.testing.assert_frame_equal(a.kendall, b.kendall)
    pd.testing.assert_frame_equal(a.mobility, b.mobility)
    key = ["unit_id", "variant"]
    pd.testing.assert_frame_equal(a.years_top.sort_values(key).reset_index(drop=True),
                                  b.years_top.sort_values(key).reset_index(drop=True))
    assert (a.mobility.groupby("tercile_from")["count"].sum().sum()
            == n * (years - 1))  # every unit moves once per pair of years



@FAST
@given(st.data())
def test_persistence_equals_a_pairwise_reference_on_unbalanced_panels(
        data: st.DataObject) -> None:
    """Two variants, sequences of unequal size, units and whole years missing from one
    variant: each Kendall row equals scipy's τ-b per sequence on the units ranked in both
    years, pooled by number of pairs (computed here year pair by year pair), and the
    mobility counts equal the tercile moves counted by hand."""
    from scipy.stats import kendalltau

    years = list(range(2015, 2015 + data.draw(st.integers(2, 5))))
    variants = (("level", np.nan), ("blend", 0.5))
    rows = []
    for variant, alpha in variants:
        gone = data.draw(st.sets(st.sampled_from(years), max_size=1)) \
            if variant == "blend" else set()
        for y in sorted(set(years) - gone):
            for seq, size in (("s", data.draw(st.integers(1, 6))), ("t", 3)):
                units = [f"{seq}{i}" for i in range(size) if i < 1 or data.draw(st.booleans())]
                ranks = data.draw(st.permutations(range(1, len(units) + 1)))
                rows += [{"unit_id": u, "sequence": seq, "year": y, "variant": variant,
                          "alpha": alpha, "rank": r} for u, r in zip(units, ranks)]
    panel = pd.DataFrame(rows)
    got = fs.persistence(panel)
    expected, moves = [], {}
    for variant, _ in variants:
        sub = panel[panel["variant"] == variant]
        have = set(sub["year"])
        for y0, y1 in itertools.pairwise(years):
            if y0 not in have or y1 not in have:
                continue
            num, pairs = 0.0, 0
            for seq in ("s", "t"):
                a = sub[(sub["year"] == y0) & (sub["sequence"] == seq)].set_index("unit_id")
                b = sub[(sub["year"] == y1) & (sub["sequence"] == seq)].set_index("unit_id")
                both = sorted(set(a.index) & set(b.index))
                for u in both:  # tercile: ceil(3·rank / units ranked that year)
                    key = (variant, int(np.ceil(3 * a.at[u, "rank"] / len(a))),
                           int(np.ceil(3 * b.at[u, "rank"] / len(b))))
                    moves[key] = moves.get(key, 0) + 1
                if len(both) < 2:
                    continue
                tau = kendalltau(a.loc[both, "rank"], b.loc[both, "rank"]).statistic
                if np.isfinite(tau):
                    k = len(both)
                    num, pairs = num + tau * k * (k - 1) / 2, pairs + k * (k - 1) // 2
            expected.append((variant, y0, y1, num / pairs if pairs else np.nan, pairs))
    kendall = got.kendall
    assert [(r.variant, r.year_from, r.year_to, r.pairs) for r in kendall.itertuples()] \
        == [(v, y0, y1, n) for v, y0, y1, _, n in expected]
    np.testing.assert_allclose(kendall["kendall_tau"].to_numpy(float),
                               [e[3] for e in expected], rtol=1e-12, equal_nan=True)
    counted = {(r.variant, r.tercile_from, r.tercile_to): r.count
               for r in got.mobility.itertuples() if r.count}
    assert counted == moves

@SLOW
@given(st.lists(st.floats(1.0, 1000.0), min_size=4, max_size=8),
       st.lists(st.floats(0.8, 1.3), min_size=8, max_size=8),
       st.integers(0, 7), st.floats(1.01, 3.0))
def test_blends_lie_between_parts_and_own_value_is_monotone(prev, growth, who, lift) -> None:
    n = len(prev)
    who = who % n
    cur = [p * g for p, g in zip(prev, growth[:n])]
    ids = [f"u{i}" for i in range(n)]

    def run(values: list[float]) -> pd.DataFrame:
        with tempfile.TemporaryDirectory() as tmp:
            units = pd.DataFrame({"unit_id": ids, "name": ids, "sequence": "s",
                                  "population": range(1, n + 1)})
            obs = [{"unit_id": u, "year": y, "indicator": "x", "value": v}
                   for y, vals in ((2018, prev), (2019, values)) for u, v in zip(ids, vals)]
            data = load_data(write_dataset(Path(tmp), {"units": units, "observations": obs}))
            return fs.variants(data, "x", 2019, [0.0, 0.3, 0.7, 1.0], with_cgp=False)

    t = run(cur)
    lvl = t.loc[t["variant"] == "level"].set_index("unit_id")["score"]
    gro = t.loc[t["variant"] == "growth"].set_index("unit_id")["score"]
    for a in (0.3, 0.7):
        b = t.loc[(t["variant"] == "blend") & np.isclose(t["alpha"], a)].set_index("unit_id")
        lo, hi = np.minimum(lvl, gro) - 1e-9, np.maximum(lvl, gro) + 1e-9
        assert ((b["score"] >= lo) & (b["score"] <= hi)).all()
    # raising one unit's current value never worsens its level, growth or blend rank
    lifted = list(cur)
    lifted[who] *= lift
    t2 = run(lifted)
    for variant in ("level", "growth", "increment", "blend"):
        r1 = t.loc[(t["variant"] == variant) & (t["unit_id"] == ids[who]), "rank"].to_numpy()
        r2 = t2.loc[(t2["variant"] == variant) & (t2["unit_id"] == ids[who]), "rank"].to_numpy()
        assert (r2 <= r1).all(), variant


@FAST
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.integers(1, 10**6)), min_size=1,
                max_size=30, unique_by=lambda t: t[1]))
def test_small_units_are_half_of_each_group(rows: list[tuple[str, int]]) -> None:
    ids = [f"u{i:02d}" for i in range(len(rows))]
    size = pd.Series([float(s) for _, s in rows], index=ids)
    groups = pd.Series([g for g, _ in rows], index=ids)
    small = fs.small_units(size, groups)
    for members in groups.groupby(groups).groups.values():
        n = len(members)
        assert small[members].sum() == int(np.ceil(n / 2))  # the median unit counts as small
        if small[members].any() and (~small[members]).any():
            assert size[members][small[members]].max() < size[members][~small[members]].min()


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.floats(0.2, 5.0), min_size=2, max_size=2),
       st.lists(st.integers(1, 10**5), min_size=8, max_size=8, unique=True))
def test_within_group_rho_ignores_a_groupwide_factor(factors: list[float],
                                                     sizes: list[int]) -> None:
    """Min–max positions inside a sequence do not change when a whole sequence's values are
    scaled (a richer region), so the within-group ρ of the min–max variants (level, growth,
    increment, per capita, blends) stays put. (The growth models regress over all units and
    are left out.)"""
    rng = np.random.default_rng(sum(sizes) % 1000)
    base = rng.uniform(10, 100, 8)
    seq = ["a"] * 4 + ["b"] * 4
    scale = np.repeat(factors, 4)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, mult in enumerate((np.ones(8), scale)):
            ids = [f"u{i}" for i in range(8)]
            units = pd.DataFrame({"unit_id": ids, "name": ids, "sequence": seq,
                                  "population": sizes})
            obs = [{"unit_id": u, "year": y, "indicator": "x", "value": v}
                   for y, vals in ((2018, base * mult), (2019, base * mult * 1.1 ** (
                       np.arange(8) % 3))) for u, v in zip(ids, vals)]
            data = load_data(write_dataset(Path(tmp) / str(k), {"units": units,
                                                                "observations": obs}))
            size = fs.unit_sizes(data)
            t = fs.variants(data, "x", 2019, [0.5], size, with_cgp=False)
            dep = fs.size_dependence_table(t, size, boot=0,
                                           groups=fs.comparison_groups(data, None))
            dep = dep.loc[~dep["variant"].isin(["value_added", "cgp"])]
            out.append(dep.set_index(["variant", "alpha"])["rho"])
    pd.testing.assert_series_equal(out[0], out[1], rtol=1e-9, atol=1e-9)


@FAST
@given(st.integers(2, 12), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_weighted_tau_b_is_scipys_on_the_resampled_rows(n: int, levels: int, seed: int) -> None:
    """Kendall τ-b from resampling weights (with ties in x and y, a unit drawn several
    times tied with itself) equals scipy's τ-b on the rows repeated as often as drawn."""
    from scipy.stats import kendalltau

    from perfanalysis.studies.fairness_stats import weighted_tau_b

    rng = np.random.default_rng(seed)
    x = rng.integers(0, levels + 1, n).astype(float)
    y = rng.integers(0, levels + 1, n).astype(float)
    w = np.vstack([np.ones(n), rng.multinomial(n, np.full(n, 1 / n), size=3)])
    tau, pairs = weighted_tau_b(x, y, w)
    for b in range(len(w)):
        rows = np.repeat(np.arange(n), w[b].astype(int))
        expected = kendalltau(x[rows], y[rows]).statistic
        assert pairs[b] == len(rows) * (len(rows) - 1) / 2
        if np.isfinite(expected):
            assert tau[b] == pytest.approx(expected, abs=1e-12)
        else:
            assert np.isnan(tau[b])
