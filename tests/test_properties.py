"""Hypothesis properties: monotone in positive indicators, row-order invariance, caps and
quotas never exceeded, totals within the scheme's range."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfanalysis import (
    adjustment_table,
    assign_tiers,
    component_scores,
    leaf_fractions,
    load_data,
    load_scheme,
    prepare,
    quota_for,
    scorecard,
)
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
YIYANG = load_data(SAMPLE_DIR / "yiyang")
HESHAN = load_data(SAMPLE_DIR / "heshan")
S_YIYANG = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
S_HESHAN = load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
S_CHANGSHA = load_scheme(SCHEMES_DIR / "changsha_forced.yaml")
INPUTS = {
    "yiyang": (prepare(YIYANG, S_YIYANG, 2019), S_YIYANG),
    "changsha": (prepare(YIYANG, S_CHANGSHA, 2019), S_CHANGSHA),
    "heshan": (prepare(HESHAN, S_HESHAN, 2013), S_HESHAN),
}


def _indicator_total(inp, scheme, level):
    return component_scores(inp, scheme, leaf_fractions(inp, level=level)).sum(axis=-1)


@SETTINGS
@given(which=st.sampled_from(sorted(INPUTS)), data=st.data())
def test_better_value_on_positive_indicator_never_lowers_total(which, data):
    inp, scheme = INPUTS[which]
    positive = [k for k, leaf in enumerate(inp.leaves)
                if leaf.direction == "positive" and leaf.method != "deduction"]
    k = data.draw(st.sampled_from(positive))
    i = data.draw(st.integers(0, len(inp.unit_ids) - 1))
    factor = data.draw(st.floats(1.0, 3.0))
    bump = data.draw(st.floats(0.0, 50.0))
    before = _indicator_total(inp, scheme, inp.level)
    level = inp.level.copy()
    level[i, k] = level[i, k] * factor + bump
    after = _indicator_total(inp, scheme, level)
    assert after[i] >= before[i] - 1e-9


@SETTINGS
@given(which=st.sampled_from(sorted(INPUTS)), seed=st.integers(0, 2**32 - 1),
       scale=st.floats(0.01, 10.0))
def test_indicator_components_within_points(which, seed, scale):
    inp, scheme = INPUTS[which]
    rng = np.random.default_rng(seed)
    draws = inp.level[None] * rng.lognormal(0, 0.5, (16, *inp.level.shape)) * scale
    comps = component_scores(inp, scheme, leaf_fractions(inp, level=draws))
    maxima = np.array([scheme.component(c).points for c in inp.indicator_components])
    assert comps.shape == (16, len(inp.unit_ids), len(maxima))
    assert (comps >= -1e-9).all() and (comps <= maxima + 1e-9).all()


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(seed, tmp_path_factory):
    rng = np.random.default_rng(seed)
    folder = tmp_path_factory.mktemp("shuffled")
    for name in ("units", "observations", "ratings", "events"):
        df = pd.read_csv(SAMPLE_DIR / "heshan" / f"{name}.csv", dtype=str, keep_default_na=False)
        df.sample(frac=1.0, random_state=rng.integers(2**31)).to_csv(folder / f"{name}.csv",
                                                                     index=False)
    a = scorecard(HESHAN, S_HESHAN, 2013)
    b = scorecard(load_data(folder), S_HESHAN, 2013)
    pd.testing.assert_frame_equal(a, b)


EVENT_NAMES = sorted(S_HESHAN.events)


@SETTINGS
@given(rows=st.lists(st.tuples(st.integers(0, 15), st.sampled_from(EVENT_NAMES),
                               st.integers(0, 4), st.sampled_from(["", "p1", "p2", "p3"])),
                     max_size=40))
def test_bonus_caps_never_exceeded(rows):
    units = sorted(HESHAN.units["unit_id"])
    events = pd.DataFrame([{"unit_id": units[u], "year": 2013, "event": e, "count": n,
                            "project": p or None} for u, e, n, p in rows],
                          columns=["unit_id", "year", "event", "count", "project"])
    data = dataclasses.replace(HESHAN, events=events)
    adj = adjustment_table(data, S_HESHAN, 2013, units)
    # rank bonus ≤ 10; province-or-above commendations ≤ 5 → commendation ≤ 5 + city ones
    assert (adj["bonus_growth_rank"] <= 10 + 1e-9).all()
    city = events.loc[events["event"] == "commendation_city"].groupby("unit_id")["count"].sum()
    assert (adj["bonus_commendation"] <= 5 + city.reindex(units, fill_value=0) + 1e-9).all()
    assert (adj["bonus"] >= 0).all() and (adj["penalty"] >= 0).all()


@SETTINGS
@given(n_seq=st.lists(st.integers(1, 12), min_size=1, max_size=4),
       seed=st.integers(0, 2**32 - 1), veto_share=st.floats(0, 0.6))
def test_quotas_never_exceeded(n_seq, seed, veto_share):
    rng = np.random.default_rng(seed)
    seqs = ["industrial_towns", "agricultural_towns", "streets", "economic_departments"]
    rows, events = [], []
    for s, n in zip(seqs, n_seq):
        totals = rng.permutation(np.arange(n)) * 7.0 + 550  # distinct totals
        for j, t in enumerate(totals):
            uid = f"{s}_{j}"
            rows.append({"unit_id": uid, "name": uid, "sequence": s, "indicators": t,
                         "total": t})
            if rng.random() < veto_share:
                events.append({"unit_id": uid, "year": 2013, "event": "veto", "count": 1,
                               "project": None})
    scores = pd.DataFrame(rows)
    ev = pd.DataFrame(events, columns=["unit_id", "year", "event", "count", "project"])
    t = assign_tiers(scores, S_HESHAN, ev)
    vetoed = set(ev["unit_id"])
    for s, grp in t.groupby("sequence"):
        k = quota_for(S_HESHAN.tiers, s, len(grp))
        top = grp.loc[grp["tier"] == "优秀", "unit_id"]
        eligible = len(grp) - len(vetoed & set(grp["unit_id"]))
        assert len(top) == min(k, eligible)
        assert not (set(top) & vetoed)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_totals_within_scheme_range(seed):
    inp, scheme = INPUTS["yiyang"]
    rng = np.random.default_rng(seed)
    level = inp.level * rng.lognormal(0, 1.0, inp.level.shape)
    total = _indicator_total(inp, scheme, level)
    low, high = scheme.total_range()
    assert (total >= low - 1e-9).all() and (total <= high + 1e-9).all()
    assert high == 100.0 and low == 0.0
