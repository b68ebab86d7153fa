"""The fast paths of the Monte Carlo engine give the reference engine's answers.

- ``sorted_tiers``: the integer sort (totals on the 10⁻⁶ grid, sequences contiguous) and the
  float sort (anything else) both equal ``assign_tiers`` and pandas' min-ranks;
- grouped methods (``_position`` by reduceat, ``places`` in one padded sort) equal the same
  method applied group by group; ``rank_min`` equals scipy's ``rankdata(method="min")``;
- noisy draws scored leaf by leaf (``_noisy_components``) equal ``leaf_fractions`` +
  ``component_scores`` on the same noisy values;
- ``run`` on threads equals the serial run, adaptive stop included.
"""

from __future__ import annotations

import platform

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata

from perfanalysis import (
    assign_tiers,
    component_scores,
    leaf_fractions,
    load_data,
    load_scheme,
)
from perfanalysis.engine import methods as M
from perfanalysis.engine.tiers import (
    GRID,
    _micro_cut,
    on_grid,
    sorted_tiers,
    tier_codes,
    tier_model,
)
from perfanalysis.memory import keep_freed_memory
from perfanalysis.paths import PROJ_ROOT, SCHEMES_DIR
from perfanalysis.studies import boundaries as b

from .test_tier_codes import _codes_of, cases

SAMPLES = PROJ_ROOT / "data" / "sample"


def _reference(units: pd.DataFrame, scheme, events, totals, tieb):
    """Per-draw reference tiers and within-sequence min-ranks by total."""
    codes, ranks = [], []
    for d in range(len(totals)):
        table = units.assign(a=totals[d] - tieb[d], b=tieb[d], total=totals[d])
        codes.append(_codes_of(assign_tiers(table, scheme, events), scheme))
        ranks.append(table.groupby("sequence")["total"].rank(method="min", ascending=False)
                     .to_numpy())
    return np.array(codes), np.array(ranks)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.sampled_from(["grid", "off_grid", "shuffled"]), st.randoms())
def test_every_sort_path_equals_the_reference(case, variant, rnd):
    scheme, units, totals, tieb, events = case
    if variant == "off_grid":  # totals not rounded to 6 decimals: the float sort
        totals = totals + np.array([rnd.choice([0.0, 1e-7, 3.3e-8]) for _ in
                                    range(totals.size)]).reshape(totals.shape)
    if variant == "shuffled":  # sequences not contiguous: the float sort
        perm = np.array(rnd.sample(range(len(units)), len(units)))
        units, totals, tieb = units.iloc[perm].reset_index(drop=True), totals[:, perm], tieb[:, perm]
    model = tier_model(scheme, list(units["unit_id"]), list(units["sequence"]), events)
    tie = tieb[..., None] if scheme.tiers.tie_break else None
    codes, ranks = tier_codes(model, totals, tie, ranks=True)
    want_codes, want_ranks = _reference(units, scheme, events, totals, tieb)
    assert np.array_equal(codes, want_codes)
    assert np.array_equal(ranks, want_ranks)


def test_integer_and_float_sorts_agree_at_scale():
    """300 units in 7 sequences, 200 draws with many ties: passing the grid integers, letting
    ``sorted_tiers`` find them, and the float sort (one unit order shuffled) agree."""
    data = load_data(SAMPLES / "heshan")
    scheme = load_scheme(SCHEMES_DIR / "heshan_2013.yaml")  # no tie components passed
    rng = np.random.default_rng(5)
    n, seqs = 300, [f"s{i}" for i in range(7)]
    ids = [f"u{i:03d}" for i in range(n)]
    seq = sorted(seqs[i % 7] for i in range(n))
    events = data.events.iloc[:0]
    model = tier_model(scheme, ids, seq, events)
    totals = np.round(rng.integers(600, 900, (200, n)) + rng.choice([0, 0.5, 0.25], (200, n)), 6)
    micro = np.rint(totals * GRID)
    a = sorted_tiers(model, totals, ranks=True, micro=micro)
    b_ = sorted_tiers(model, totals, ranks=True)
    assert on_grid(totals) is not None and on_grid(totals + 1e-7) is None
    for x in (a, b_):
        assert np.array_equal(x.scatter(x.code, n, np.int8), a.scatter(a.code, n, np.int8))
    perm = rng.permutation(n)
    inv = np.argsort(perm)
    shuffled = tier_model(scheme, [ids[i] for i in perm], [seq[i] for i in perm], events)
    c, r = tier_codes(shuffled, totals[:, perm], ranks=True)
    assert np.array_equal(c[:, inv], a.scatter(a.code, n, np.int8))
    assert np.array_equal(r[:, inv], a.scatter(a.rank, n, np.int32))


@given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(-10**12, 10**12))
def test_micro_cut_reproduces_the_float_comparison(threshold, r):
    cut = _micro_cut(threshold)
    assert (r < cut) == (r / GRID < threshold)
    assert (cut - 1) / GRID < threshold <= cut / GRID


# --- grouped methods ------------------------------------------------------------------

@st.composite
def grouped(draw):
    sizes = draw(st.lists(st.integers(1, 6), min_size=1, max_size=5))
    groups = np.repeat(np.arange(len(sizes)), sizes)
    rows = draw(st.integers(1, 3))
    x = np.array([[draw(st.sampled_from([0.0, 1.0, 1.5, 2.0, -3.0, 7.25, 1e-12, np.nan,
                                         np.inf, -np.inf])) for _ in groups]
                  for _ in range(rows)])
    return x, groups


def _group_by_group(fn, x, groups, **kw):
    out = np.empty_like(x)
    for g in np.unique(groups):
        m = groups == g
        out[:, m] = fn(x[:, m], np.zeros(m.sum(), dtype=int), **kw)
    return out


@settings(max_examples=200, deadline=None)
@given(grouped(), st.booleans(), st.booleans())
def test_grouped_methods_equal_group_by_group(case, reverse, skip):
    x, groups = case
    with np.errstate(invalid="ignore"):
        for fn in (M.minmax, M.places):
            got = fn(x, groups, reverse=reverse, skip_missing=skip)
            want = _group_by_group(fn, x, groups, reverse=reverse, skip_missing=skip)
            assert np.array_equal(got, want, equal_nan=True), fn.__name__
        # non-contiguous groups take the loop: the same figures
        if len(np.unique(groups)) > 1:
            perm = np.argsort((np.arange(len(groups)) * 7919) % len(groups), kind="stable")
            got = M.minmax(x[:, perm], groups[perm], reverse=reverse, skip_missing=skip)
            want = M.minmax(x, groups, reverse=reverse, skip_missing=skip)[:, perm]
            assert np.array_equal(got, want, equal_nan=True)



@st.composite
def finite_grouped(draw):
    """Contiguous groups of finite values with near-ties around the 10⁻¹⁰ tie grid and
    magnitudes up to beyond the integer sort's range."""
    sizes = draw(st.lists(st.integers(1, 40), min_size=2, max_size=6))
    groups = np.repeat(np.arange(len(sizes)), sizes)
    scale = draw(st.sampled_from([1.0, 1e3, 3e6, 1e9]))
    rows = draw(st.integers(1, 3))
    cells = st.lists(st.sampled_from([0.0, 1.0, -2.5, 7.25, 0.1 + 0.2, 0.3]),
                     min_size=len(groups), max_size=len(groups))
    nudges = st.lists(st.sampled_from([0.0, 4e-11, -4e-11, 2e-10, 1e-9]),
                      min_size=len(groups), max_size=len(groups))
    x = np.array([np.array(draw(cells)) * scale + np.array(draw(nudges))
                  for _ in range(rows)])
    return x, groups


@settings(max_examples=200, deadline=None)
@given(finite_grouped(), st.booleans())
def test_integer_sorted_places_equal_the_float_path(case, reverse):
    """``places`` on finite values in contiguous groups sorts packed integer keys; the
    figures equal the float argsort path (``_grouped_rank_min``) and pandas' min ranks of
    the values rounded to 10 decimals, group by group; beyond its range it falls back."""
    x, groups = case
    starts, sizes = M.group_blocks(groups)
    table = np.maximum(1.0 - 0.25 * np.arange(x.shape[-1]), 0.0)
    packed = M._packed_places(x, starts, sizes, reverse=reverse, values=table)
    rounded = np.round(x, M.TIE_DECIMALS)
    key = rounded if reverse else -rounded
    want = M._grouped_rank_min(key, starts, sizes, values=table)
    width = int(sizes.max())
    fits = np.abs(x).max() * M.TIE_SCALE < 2 ** (62 - max(1, (width - 1).bit_length())) - 1
    if fits:
        assert packed is not None
        assert np.array_equal(packed, want)
    got = M.places(x, groups, reverse=reverse)
    for row, out in zip(rounded, got):
        ranks = pd.Series(row).groupby(groups).rank(method="min", ascending=reverse)
        assert np.array_equal(out, ranks.to_numpy())


def test_integer_sort_range_and_gaps_fall_back():
    groups = np.array([0, 0, 1, 1])
    starts, sizes = M.group_blocks(groups)
    # groups of 2 use 1 slot bit: keys up to 2⁶¹ on the 10⁻¹⁰ grid, |x| < 2.3 × 10⁸
    assert M._packed_places(np.array([1e8, 2.0, 3.0, 4.0]), starts, sizes, reverse=False,
                            values=None).tolist() == [1.0, 2.0, 2.0, 1.0]
    for bad in (1e9, np.nan, np.inf):
        x = np.array([bad, 2.0, 3.0, 4.0])
        assert M._packed_places(x, starts, sizes, reverse=False, values=None) is None
    # the fallback gives the same places: 1e9 first in its group, NaN poisons its group
    assert M.places(np.array([1e9, 2.0, 3.0, 4.0]), groups).tolist() == [1.0, 2.0, 2.0, 1.0]
    assert np.isnan(M.places(np.array([np.nan, 2.0, 3.0, 4.0]), groups)[:2]).all()


def test_minmax_by_hand():
    # groups [1, 3, 2] and [5, 5]: (x − min)/(max − min) → 0, 1, 0.5; an all-equal group → 1
    got = M.minmax(np.array([1.0, 3.0, 2.0, 5.0, 5.0]), np.array([0, 0, 0, 1, 1]))
    assert got.tolist() == [0.0, 1.0, 0.5, 1.0, 1.0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from([0.0, 1.0, 2.0, 2.5, -1.0, np.inf]), min_size=5,
                         max_size=5), min_size=1, max_size=6),
       st.lists(st.integers(1, 5), min_size=1, max_size=6))
def test_rank_min_equals_scipy_with_and_without_lengths(rows, lengths):
    a = np.array(rows)
    assert np.array_equal(M.rank_min(a), rankdata(a, method="min", axis=-1))
    lens = np.resize(np.array(lengths), len(a))
    padded = a.copy()
    for i, n in enumerate(lens):
        padded[i, n:] = np.inf
    finite = np.isfinite(a).all()
    if finite:  # only rows whose real values are finite may ignore ties in the padding
        got = M.rank_min(padded, lengths=lens)
        for i, n in enumerate(lens):
            assert np.array_equal(got[i, :n], rankdata(a[i, :n], method="min"))


def test_rank_points_by_hand():
    # places 1, 3, 2 (ties none) with 3 points and step 1 → 3, 1, 2 points → 1, 1/3, 2/3
    got = M.rank_points(np.array([9.0, 1.0, 5.0]), np.zeros(3, dtype=int), points=3, step=1)
    assert np.allclose(got, [1.0, 1 / 3, 2 / 3])


# --- noisy draws and threads ------------------------------------------------------------


def test_noisy_components_equal_the_reference_engine():
    data = load_data(SAMPLES / "yiyang")
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    model = b.prepare_model(data, scheme, 2019, noise=0.1)
    inp, draws, n, e = model.inp, 40, model.n_units, model.errors
    assert set(e.code) == {0, 1, 2}  # exact, relative and additive leaves all present
    got = b._noisy_components(model, np.random.default_rng(8), draws, None)
    # the same deviates in the same order: per leaf with an error, this year's block z, then
    # last year's w where growth or increment reads it; last year's deviate ρz + √(1−ρ²)w.
    # Relative: x·(1 + σz) (at σ = 0.1 the window ±1/σ = ±10 deviations never binds);
    # additive: x + s·tri(z), tri the triangle wave of period 4a and amplitude a = room/s,
    # (2a/π)·asin(sin(πz/2a)) (an independent formula)
    rng = np.random.default_rng(8)
    level = np.broadcast_to(inp.level, (draws, *inp.level.shape)).copy()
    prev = np.broadcast_to(inp.previous, (draws, *inp.previous.shape)).copy()

    def apply(x, k, z):
        if e.code[k] == 1:
            return x * (1 + e.size[k] * z)
        room = np.minimum(x - e.lower[k], e.upper[k] - x)
        a = np.minimum(np.where(room > 0, room, 1.0) / e.size[k], 1e6)
        tri = 2 * a / np.pi * np.arcsin(np.sin(np.pi * z / (2 * a)))
        return x + np.where(room > 0, e.size[k], 0.0) * tri

    for k in range(len(inp.leaves)):
        if not e.code[k]:
            continue
        z = rng.standard_normal((draws, n))
        level[..., k] = apply(inp.level[:, k], k, z)
        if model.uses_prev[k]:
            w = rng.standard_normal((draws, n))
            rho = e.rho[k]
            prev[..., k] = apply(inp.previous[:, k], k, rho * z + np.sqrt(1 - rho ** 2) * w)
    frac = leaf_fractions(inp, level, prev)
    want = component_scores(inp, scheme, np.where(np.isfinite(frac), frac, 0.0))
    assert got.shape == want.shape
    assert np.allclose(got, want, rtol=0, atol=1e-7)
    assert np.abs(got - got[0]).max() > 0.1  # the draws do differ


def test_threads_give_the_serial_tally():
    data = load_data(SAMPLES / "heshan")
    scheme = load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
    model = b.prepare_model(data, scheme, 2013, noise=0.05, weights=300)
    for kw in ({"draws": 700, "chunk": 100}, {"draws": None, "chunk": 150, "se_target": 0.03,
                                              "min_draws": 300}):
        one = b.run(model, seed=4, workers=1, **kw)
        two = b.run(model, seed=4, workers=3, **kw)
        assert one.draws == two.draws
        for f in ("tier_counts", "rank_hist", "total_sum", "total_sq", "payout"):
            assert np.array_equal(getattr(one, f), getattr(two, f)), f
        assert (one.changes, one.top_exact) == (two.changes, two.top_exact)


def test_keep_freed_memory_on_glibc():
    result = keep_freed_memory()
    assert result is keep_freed_memory()  # once per process
    if platform.system() == "Linux" and platform.libc_ver()[0] == "glibc":
        assert result is True
