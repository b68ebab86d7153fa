"""The vectorised tier core (``tier_codes``) equals the per-unit reference ``assign_tiers``:
on every preset with its sample, and on hypothesis-generated rule sets with ties, events
and 后k位 rules; plus the issue-13 rounding cases and the bottom-k rules by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfanalysis import assign_tiers, load_data, load_scheme, scheme_from_mapping, score
from perfanalysis.engine.tiers import forced_counts, tier_codes, tier_model
from perfanalysis.paths import PROJ_ROOT, SCHEMES_DIR

NO_EVENTS = pd.DataFrame(columns=["unit_id", "year", "event", "count", "project"])
PRESET_CASES = [("yiyang", "yiyang_2018", 2019), ("yiyang", "changsha_forced", 2019),
                ("heshan", "heshan_2013", 2013)]


def _codes_of(table: pd.DataFrame, scheme) -> np.ndarray:
    return table["tier"].map({lab: i for i, lab in enumerate(scheme.tiers.labels)}).to_numpy()


def _vector(table: pd.DataFrame, scheme, events: pd.DataFrame) -> np.ndarray:
    model = tier_model(scheme, list(table["unit_id"]), list(table["sequence"]), events)
    tie = (table[scheme.tiers.tie_break].to_numpy(dtype=float)[None]
           if scheme.tiers.tie_break else None)
    return tier_codes(model, table["total"].to_numpy(dtype=float)[None], tie)[0]


@pytest.mark.parametrize("sample, preset, year", PRESET_CASES)
def test_presets_vectorised_equals_reference(sample, preset, year):
    data = load_data(PROJ_ROOT / "data" / "sample" / sample)
    scheme = load_scheme(SCHEMES_DIR / f"{preset}.yaml")
    for y in (year, max(data.observations["year"])):
        scores = score(data, scheme, int(y))
        events = data.events.loc[data.events["year"] == y]
        ref = assign_tiers(scores, scheme, events)
        assert (_vector(scores, scheme, events) == _codes_of(ref, scheme)).all()


def test_draws_axis_and_ranks():
    data = load_data(PROJ_ROOT / "data" / "sample" / "heshan")
    scheme = load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
    scores = score(data, scheme, 2013)
    events = data.events.loc[data.events["year"] == 2013]
    model = tier_model(scheme, list(scores["unit_id"]), list(scores["sequence"]), events)
    rng = np.random.default_rng(1)
    totals = scores["total"].to_numpy()[None] + rng.normal(0, 40, (7, len(scores)))
    tie = scores[["indicators"]].to_numpy()[None] + rng.normal(0, 5, (7, len(scores), 1))
    codes, ranks = tier_codes(model, totals, tie, ranks=True)
    for d in range(7):
        t = scores.assign(total=totals[d], indicators=tie[d, :, 0])
        ref = assign_tiers(t, scheme, events)
        assert (codes[d] == _codes_of(ref, scheme)).all()
        want = t.groupby("sequence")["total"].rank(method="min", ascending=False)
        assert (ranks[d] == want.to_numpy()).all()


# --- hypothesis: random rule sets -------------------------------------------------------

EVENTS = ["veto", "crit", "aff"]


@st.composite
def cases(draw):
    n_seq = draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 9)) for _ in range(n_seq)]
    seqs = [f"s{i}" for i in range(n_seq)]
    n_labels = draw(st.integers(2, 4))
    labels = [f"L{i}" for i in range(n_labels)]
    forced = draw(st.booleans())
    tiers: dict = {"labels": labels, "tie_break": draw(st.sampled_from([[], ["b"]])),
                   "quota_passes_down": draw(st.booleans())}
    if forced:
        raw = [draw(st.integers(0, 10)) for _ in labels]
        raw[0] = max(raw[0], 1)
        tot = sum(raw)
        shares = [r / tot for r in raw]
        shares[-1] = 1 - sum(shares[:-1])
        tiers.update(method="forced_distribution", shares=shares,
                     rounding=draw(st.sampled_from(["half_up", "floor"])))
    else:
        quota = ({"top": draw(st.integers(0, 4))} if draw(st.booleans()) else
                 {"share": draw(st.sampled_from([0.1, 0.25, 0.5])),
                  "rounding": draw(st.sampled_from(["half_up", "floor"])),
                  "min_count": draw(st.integers(0, 1))})
        tiers.update(method="quota_threshold", quota=[quota],
                     thresholds=[{"label": lab, "min_total": 8 - 2 * i}
                                 for i, lab in enumerate(labels[1:-1])])
        if n_labels > 2 and draw(st.booleans()):
            tiers["quota_requires"] = labels[1]
    if draw(st.booleans()):
        tiers["disqualifications"] = [{"id": "v", "name": "否决", "events": ["veto"]},
                                      {"id": "c", "name": "批评", "events": ["crit"]}]
        if draw(st.booleans()):
            tiers["demote_at"] = draw(st.integers(1, 2))
    if draw(st.booleans()):
        tiers["affirmation"] = {"events": ["aff"]}
        if n_labels > 2 and draw(st.booleans()):
            tiers["affirmation"]["requires"] = labels[-2]
    bottom = []
    for j in range(draw(st.integers(0, 2))):
        rule = {"id": f"b{j}", "name": f"后位{j}",
                "effect": draw(st.sampled_from(["no_top", "last_tier", "flag"]))}
        if draw(st.booleans()):
            rule["count"] = draw(st.integers(1, 3))
        else:
            rule["share"] = draw(st.sampled_from([0.1, 0.3]))
        if draw(st.booleans()):
            rule["sequences"] = [seqs[0]]
        bottom.append(rule)
    tiers["bottom"] = bottom
    scheme = {"id": "h", "name": "h", "sequences": {s: s for s in seqs},
              "events": {e: e for e in EVENTS},
              "components": [{"id": "a", "name": "a", "points": 10, "source": "rating"},
                             {"id": "b", "name": "b", "points": 10, "source": "rating"}],
              "tiers": tiers}
    n = sum(sizes)
    d = draw(st.integers(1, 4))
    totals = np.array(draw(st.lists(st.integers(0, 12), min_size=n * d, max_size=n * d)),
                      dtype=float).reshape(d, n)
    tieb = np.array(draw(st.lists(st.integers(0, 2), min_size=n * d, max_size=n * d)),
                    dtype=float).reshape(d, n)
    ev = [{"unit_id": f"u{i}", "year": 2020, "event": e, "count": 1, "project": None}
          for i in range(n) for e in EVENTS if draw(st.integers(0, 5)) == 0]
    units = pd.DataFrame({"unit_id": [f"u{i}" for i in range(n)],
                          "name": [f"u{i}" for i in range(n)],
                          "sequence": [s for s, m in zip(seqs, sizes, strict=True)
                                       for _ in range(m)]})
    events = pd.DataFrame(ev) if ev else NO_EVENTS
    return scheme_from_mapping(scheme), units, totals, tieb, events


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_vectorised_equals_reference_on_generated_cases(case):
    scheme, units, totals, tieb, events = case
    model = tier_model(scheme, list(units["unit_id"]), list(units["sequence"]), events)
    tie = tieb[..., None] if scheme.tiers.tie_break else None
    codes = tier_codes(model, totals, tie)
    for d in range(len(totals)):
        table = units.assign(a=totals[d] - tieb[d], b=tieb[d], total=totals[d])
        ref = assign_tiers(table, scheme, events)
        assert list(codes[d]) == list(_codes_of(ref, scheme)), (d, ref)


# --- issue 13: forced-distribution rounding, by hand ------------------------------------


def _forced(shares, rounding="half_up", labels=None):
    labels = labels or ["一等", "二等", "三等", "四等"][:len(shares)]
    return scheme_from_mapping({
        "id": "f", "name": "f",
        "components": [{"id": "a", "name": "a", "points": 100, "source": "rating"}],
        "tiers": {"method": "forced_distribution", "labels": labels, "shares": shares,
                  "rounding": rounding}}).tiers


@pytest.mark.parametrize("shares, rounding, n, expected", [
    # 6 units, 15:80:5: 一等 0.9 → half up 1; 三等 0.3 → ceiling 0; 二等 the remainder 5
    ([0.15, 0.80, 0.05], "half_up", 6, [1, 5, 0]),
    # floor would give 一等 0.9 → 0, but a positive top share guarantees one
    ([0.15, 0.80, 0.05], "floor", 6, [1, 5, 0]),
    # 20 cadres, 15:80:4:1: 优秀 3; 基本称职 0.8 → 0 and 不称职 0.2 → 0 (ceilings); 称职 17
    ([0.15, 0.80, 0.04, 0.01], "half_up", 20, [3, 17, 0, 0]),
    # 100 cadres: 15 / 80 / 4 / 1 exactly
    ([0.15, 0.80, 0.04, 0.01], "half_up", 100, [15, 80, 4, 1]),
    # 99 cadres: 14.85 → 15; 3.96 → 3; 0.99 → 0; 称职 99 − 18 = 81
    ([0.15, 0.80, 0.04, 0.01], "half_up", 99, [15, 81, 3, 0]),
    # 30 units 15:80:5: 4.5 → half up 5 (floor 4); 1.5 → ceiling 1
    ([0.15, 0.80, 0.05], "half_up", 30, [5, 24, 1]),
    ([0.15, 0.80, 0.05], "floor", 30, [4, 25, 1]),
    # one unit: it is the top unit
    ([0.15, 0.80, 0.05], "half_up", 1, [1, 0, 0]),
])
def test_forced_counts_round_each_tier(shares, rounding, n, expected):
    assert forced_counts(_forced(shares, rounding), n) == expected


@given(st.lists(st.integers(0, 20), min_size=2, max_size=5), st.integers(0, 60),
       st.sampled_from(["half_up", "floor"]))
def test_forced_counts_properties(raw, n, rounding):
    if raw[0] == 0:
        raw[0] = 1
    shares = [r / sum(raw) for r in raw]
    shares[-1] = 1 - sum(shares[:-1])
    if shares[-1] < 0:
        return
    rules = _forced(shares, rounding, [f"L{i}" for i in range(len(shares))])
    counts = forced_counts(rules, n)
    assert sum(counts) == n and min(counts) >= 0
    if n > 0:
        assert counts[0] >= 1  # a positive top share always names a top unit
    mid = max(range(len(shares)), key=lambda t: (shares[t], -abs(t - (len(shares) - 1) / 2), -t))
    for t in range(mid + 1, len(shares)):
        assert counts[t] <= shares[t] * n + 1e-9  # bottom shares are ceilings (不超过)


# --- 后k位 rules ------------------------------------------------------------------------


def _bottom_scheme(effect: str, **extra):
    rule = {"id": "last_two", "name": "所属类别后两位取消评优", "count": 2, "effect": effect,
            **extra}
    return scheme_from_mapping({
        "id": "b", "name": "b", "sequences": {"a": "甲类", "b": "乙类"},
        "components": [{"id": "x", "name": "x", "points": 100, "source": "rating"}],
        "tiers": {"method": "quota_threshold", "labels": ["优秀", "达标", "不达标"],
                  "quota": [{"top": 4}], "thresholds": [{"label": "达标", "min_total": 50}],
                  "bottom": [rule]}})


def _units(totals, seq="a"):
    return pd.DataFrame({"unit_id": [f"U{i}" for i in range(len(totals))],
                         "name": [f"U{i}" for i in range(len(totals))], "sequence": seq,
                         "x": totals, "total": totals})


def test_bottom_rules_by_hand():
    totals = [90.0, 80, 70, 60, 40]
    # quota 4 of 5; the last two (U3 60, U4 40) are barred from 优秀: U0–U2 优秀, U3 by
    # threshold 60 ≥ 50 → 达标, U4 40 < 50 → 不达标
    t = assign_tiers(_units(totals), _bottom_scheme("no_top"), NO_EVENTS).set_index("unit_id")
    assert list(t["tier"]) == ["优秀", "优秀", "优秀", "达标", "不达标"]
    assert t.loc["U3", "tier_flags"] == "所属类别后两位取消评优" and t.loc["U2", "tier_flags"] == ""
    assert t.loc["U3", "tier_basis"] == "disqualified"
    # last_tier: U3 and U4 → 不达标 whatever their score; quota 4 then takes U0–U2 only
    t = assign_tiers(_units(totals), _bottom_scheme("last_tier"), NO_EVENTS)
    assert list(t["tier"]) == ["优秀", "优秀", "优秀", "不达标", "不达标"]
    # flag: tiers unchanged (U0–U3 优秀 by quota), the flag recorded
    t = assign_tiers(_units(totals), _bottom_scheme("flag"), NO_EVENTS)
    assert list(t["tier"]) == ["优秀", "优秀", "优秀", "优秀", "不达标"]
    assert list(t["tier_flags"] != "") == [False, False, False, True, True]
    # a tie at the cut: U2 and U3 both 60 → both have fewer than 2 units behind → 3 flagged
    t = assign_tiers(_units([90.0, 80, 60, 60, 40]), _bottom_scheme("flag"), NO_EVENTS)
    assert list(t["tier_flags"] != "") == [False, False, True, True, True]
    # limited to sequence b: nothing happens in a
    t = assign_tiers(_units(totals), _bottom_scheme("last_tier", sequences=["b"]), NO_EVENTS)
    assert (t["tier_flags"] == "").all() and t["tier"].iloc[3] == "优秀"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.randoms(use_true_random=False))
def test_order_invariance_and_quota_never_exceeded(case, rnd):
    scheme, units, totals, tieb, events = case
    tie = tieb[..., None] if scheme.tiers.tie_break else None
    model = tier_model(scheme, list(units["unit_id"]), list(units["sequence"]), events)
    codes = tier_codes(model, totals, tie)
    perm = list(range(len(units)))
    rnd.shuffle(perm)
    shuffled = units.iloc[perm].reset_index(drop=True)
    model2 = tier_model(scheme, list(shuffled["unit_id"]), list(shuffled["sequence"]), events)
    codes2 = tier_codes(model2, totals[:, perm], tie[:, perm] if tie is not None else None)
    assert (codes2 == codes[:, perm]).all()  # the order of the rows never matters
    if scheme.tiers.affirmation is None:
        # distinct totals and tie-breaks: the top tier never holds more than its quota
        for s, idx in enumerate(model.seq_index):
            for d in range(len(totals)):
                keys = list(zip(totals[d, idx], tieb[d, idx] if tie is not None
                                else np.zeros(len(idx)), strict=True))
                if len(set(keys)) == len(keys):
                    assert (codes[d, idx] == 0).sum() <= model.top_count[s]
