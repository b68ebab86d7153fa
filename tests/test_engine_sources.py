"""Engine capabilities the source documents need, on hand-computed examples.

每差1个百分点扣分 (gap_points), 功效系数法 with fixed 满意值/不允许值, 序时进度, official growth
rates read directly (basis given_rate), event amounts from events.csv (per_event: from_data),
and the progress award 进位奖.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfanalysis import load_data, scheme_from_mapping, score
from perfanalysis.engine import methods
from perfanalysis.errors import DataError, SchemeError

from .helpers import write_dataset


def mini_scheme(leaves, **extra):
    raw = {"id": "mini", "name": "测试", "sequences": {"s": "序列"},
           "components": [{"id": "ind", "name": "指标", "points": sum(x["points"] for x in leaves),
                           "source": "indicators", "clip": False, "children": leaves}],
           "tiers": {"method": "forced_distribution", "labels": ["一等", "二等"],
                     "shares": [0.5, 0.5]}}
    raw.update(extra)
    return scheme_from_mapping(raw)


def obs(rows):
    return [{"unit_id": u, "year": y, "indicator": i, "value": v} for u, y, i, v in rows]


UNITS = [{"unit_id": u, "name": n, "sequence": "s"} for u, n in
         [("a", "甲"), ("b", "乙"), ("c", "丙")]]


def test_gap_points_on_an_official_growth_rate(tmp_path):
    # 目标增速8%: 每差1个百分点扣2分,每超1个百分点加1分,最多加1分; 10 points
    leaf = {"id": "gdp_rate", "name": "GDP增速(可比价)", "points": 10, "method": "gap_points",
            "basis": "given_rate", "per_point": 2, "per_point_above": 1, "max_bonus": 1,
            "target": {"rule": "uniform", "value": 0.08}}
    s = mini_scheme([leaf])
    d = load_data(write_dataset(tmp_path, {"units": UNITS, "observations": obs([
        ("a", 2020, "gdp_rate", 6.5),   # 1.5 pp short: 10 − 1.5·2 = 7
        ("b", 2020, "gdp_rate", 9.5),   # 1.5 pp above: 10 + min(1.5·1, 1) = 11
        ("c", 2020, "gdp_rate", 1.0),   # 7 pp short: 10 − 14 → 0 (stops at zero)
    ])}))
    t = score(d, s, 2020).set_index("unit_id")
    assert t.loc["a", "ind"] == pytest.approx(7.0)
    assert t.loc["b", "ind"] == pytest.approx(11.0)
    assert t.loc["c", "ind"] == pytest.approx(0.0)
    assert s.total_range()[1] == pytest.approx(11.0)


def test_gap_points_deduction_cap_and_reverse():
    # 每超1个百分点扣0.5分,最多扣3分 on a reverse indicator (PM2.5 vs 目标 35)
    x = np.array([35.0, 37.0, 50.0, 30.0])
    frac = methods.gap_points(x, np.full(4, 35.0), points=5, per_point=0.5, max_deduction=3,
                              reverse=True)
    # 5, 5 − 2·0.5 = 4, 5 − min(15·0.5, 3) = 2, 5 (better than target, no bonus)
    assert frac * 5 == pytest.approx([5.0, 4.0, 2.0, 5.0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-20, 40), min_size=2, max_size=8),
       st.floats(0.1, 5), st.floats(0, 3), st.floats(0, 4))
def test_gap_points_monotone_and_bounded(xs, per, per_above, max_bonus):
    x = np.sort(np.array(xs))
    frac = methods.gap_points(x, np.full(len(x), 10.0), points=6, per_point=per,
                              per_point_above=per_above, max_bonus=max_bonus)
    assert np.all(np.diff(frac) >= -1e-12)
    assert np.all(frac >= 0) and np.all(frac <= 1 + max_bonus / 6 + 1e-12)


def test_efficacy_with_fixed_satisfactory_and_allowed(tmp_path):
    # 满意值100, 不允许值60, 基础分60%: 80 → 0.6 + 0.4·(80−60)/40 = 0.8 of 10 points = 8;
    # 50 (below 不允许值) → 6; 120 (above 满意值) → 10. Other units do not move the score.
    leaf = {"id": "q", "name": "达标率", "points": 10, "method": "efficacy",
            "satisfactory": 100, "allowed": 60}
    s = mini_scheme([leaf])
    d = load_data(write_dataset(tmp_path, {"units": UNITS, "observations": obs([
        ("a", 2020, "q", 80), ("b", 2020, "q", 50), ("c", 2020, "q", 120)])}))
    t = score(d, s, 2020).set_index("unit_id")
    assert list(t.loc[["a", "b", "c"], "ind"]) == pytest.approx([8.0, 6.0, 10.0])
    # reverse: 满意值10 below 不允许值30; 15 → position (15−30)/(10−30) = 0.75 → 0.9
    assert methods.efficacy_fixed(np.array([15.0]), satisfactory=10, allowed=30) == \
        pytest.approx([0.9])
    with pytest.raises(SchemeError, match="satisfactory"):
        mini_scheme([{**leaf, "direction": "negative"}])
    with pytest.raises(SchemeError, match="both"):
        mini_scheme([{k: v for k, v in leaf.items() if k != "allowed"}])


def test_time_progress_against_the_elapsed_share():
    # annual target 100, end of September (elapsed 0.75): 60 done → 60/75 = 0.8; 90 → capped 1
    frac = methods.time_progress(np.array([60.0, 90.0]), np.array([100.0, 100.0]), elapsed=0.75)
    assert frac == pytest.approx([0.8, 1.0])
    s = mini_scheme([{"id": "fai", "name": "固定资产投资", "points": 10, "method": "time_progress",
                      "elapsed": 0.75, "target": {"rule": "uniform", "value": 100}}])
    assert s.indicators()[0].elapsed == 0.75


def test_given_rate_needs_no_previous_year(tmp_path):
    # one year of data is enough: the rate is read, not computed from levels
    leaf = {"id": "r", "name": "增速", "points": 10, "method": "efficacy", "basis": "given_rate"}
    d = load_data(write_dataset(tmp_path, {"units": UNITS, "observations": obs([
        ("a", 2020, "r", 8.0), ("b", 2020, "r", 6.0), ("c", 2020, "r", 7.0)])}))
    t = score(d, mini_scheme([leaf]), 2020).set_index("unit_id")
    # efficacy: 6 + 4·(7 − 6)/(8 − 6) = 8 for c
    assert t.loc["c", "ind"] == pytest.approx(8.0)
    with pytest.raises(SchemeError, match="given_rate"):
        mini_scheme([{**leaf, "blend": {"basis": "growth"}}])


def test_event_points_from_data(tmp_path):
    # 被扣分的,给予相应减分: rows carry the points; a row without points uses 1 × count
    leaf = {"id": "q", "name": "指标", "points": 10, "method": "efficacy"}
    penalty = {"rules": [{"id": "acceptance", "name": "验收扣分相应减分", "per_event": "from_data",
                          "points": {"acceptance_deducted": 1}}]}
    s = mini_scheme([leaf], penalty=penalty,
                    events={"acceptance_deducted": "验收被扣分"})
    events = [
        {"unit_id": "a", "year": 2020, "event": "acceptance_deducted", "count": 1, "points": 0.5},
        {"unit_id": "a", "year": 2020, "event": "acceptance_deducted", "count": 1, "points": 1.25},
        {"unit_id": "b", "year": 2020, "event": "acceptance_deducted", "count": 2, "points": None},
    ]
    d = load_data(write_dataset(tmp_path, {"units": UNITS, "events": events, "observations": obs([
        ("a", 2020, "q", 1), ("b", 2020, "q", 1), ("c", 2020, "q", 1)])}))
    t = score(d, s, 2020).set_index("unit_id")
    assert t.loc["a", "penalty"] == pytest.approx(1.75)  # 0.5 + 1.25
    assert t.loc["b", "penalty"] == pytest.approx(2.0)   # no points: 2 × 1
    assert t.loc["c", "penalty"] == 0.0


def test_event_points_in_a_deduction_indicator(tmp_path):
    leaf = {"id": "safety", "name": "安全生产", "points": 6, "method": "deduction",
            "event": "accident", "per_event": "from_data"}
    other = {"id": "q", "name": "指标", "points": 4, "method": "efficacy"}
    s = mini_scheme([leaf, other], events={"accident": "安全事故"})
    events = [{"unit_id": "a", "year": 2020, "event": "accident", "count": 1, "points": 2.5},
              {"unit_id": "b", "year": 2020, "event": "accident", "count": 1, "points": 9}]
    d = load_data(write_dataset(tmp_path, {"units": UNITS, "events": events, "observations": obs(
        [("a", 2020, "q", 1), ("b", 2020, "q", 1), ("c", 2020, "q", 1)])}))
    t = score(d, s, 2020).set_index("unit_id")
    # 6 − 2.5 = 3.5; 6 − 9 → 0; c no event → 6; plus 4 for q (all equal: full points)
    assert list(t.loc[["a", "b", "c"], "ind"]) == pytest.approx([7.5, 4.0, 10.0])


def test_negative_event_points_are_refused(tmp_path):
    events = [{"unit_id": "a", "year": 2020, "event": "e", "count": 1, "points": -1}]
    with pytest.raises(DataError, match="points"):
        load_data(write_dataset(tmp_path, {"units": UNITS, "events": events, "observations": obs(
            [("a", 2020, "q", 1)])}))


def test_progress_award_on_rank_gained(tmp_path):
    # 进位奖: 1 point per place gained in the sequence, from 1 place, at most 1.5
    leaf = {"id": "q", "name": "指标", "points": 100, "method": "completion",
            "target": {"rule": "uniform", "value": 100}}
    bonus = {"rules": [{"kind": "progress", "id": "progress", "name": "进位奖", "per_place": 1,
                        "cap": 1.5}]}
    s = mini_scheme([leaf], bonus=bonus)
    d = load_data(write_dataset(tmp_path, {"units": UNITS, "observations": obs([
        ("a", 2019, "q", 90), ("b", 2019, "q", 80), ("c", 2019, "q", 70),   # ranks 1, 2, 3
        ("a", 2020, "q", 85), ("b", 2020, "q", 80), ("c", 2020, "q", 95),   # ranks 2, 3, 1
    ])}))
    t = score(d, s, 2020).set_index("unit_id")
    # c: 3 → 1, two places: min(2·1, 1.5) = 1.5 → total 96.5; a, b lost places → 0
    assert t.loc["c", "bonus"] == pytest.approx(1.5)
    assert t.loc["c", "total"] == pytest.approx(96.5)
    assert t.loc["a", "bonus"] == 0 and t.loc["b", "bonus"] == 0
    with pytest.raises(DataError, match="2019|2018"):
        score(d, s, 2019)  # no 2018 to compare with


def test_events_points_column_is_optional(tmp_path):
    events = [{"unit_id": "a", "year": 2020, "event": "e", "count": 1}]
    d = load_data(write_dataset(tmp_path, {"units": UNITS, "events": events, "observations": obs(
        [("a", 2020, "q", 1)])}))
    assert "points" in d.events.columns and d.events["points"].isna().all()
    assert isinstance(d.events, pd.DataFrame)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 12), st.integers(1, 12)), min_size=1, max_size=12),
       st.floats(0.1, 3), st.one_of(st.none(), st.floats(0.5, 5)), st.integers(1, 3))
def test_progress_points_capped_and_only_for_gains(ranks, per_place, cap, min_places):
    from perfanalysis.engine.adjustments import progress_points
    from perfanalysis.engine.scheme import ProgressRule

    rule = ProgressRule(kind="progress", id="p", name="进位奖", per_place=per_place, cap=cap,
                        min_places=min_places)
    idx = [f"u{i}" for i in range(len(ranks))]
    before = pd.Series([float(b) for b, _ in ranks], index=idx)
    now = pd.Series([float(a) for _, a in ranks], index=idx)
    pts = progress_points(rule, pd.Series("s", index=idx), now, before)
    gained = before - now
    assert (pts[gained < min_places] == 0).all()
    assert (pts >= 0).all()
    if cap is not None:
        assert (pts <= cap + 1e-12).all()
    expected = np.where(gained >= min_places, gained * per_place, 0.0)
    if cap is not None:
        expected = np.minimum(expected, cap)
    assert pts.to_numpy() == pytest.approx(expected)


def test_gap_points_blend_half_on_growth_counts_percentage_points(tmp_path):
    # 10 points, 每差1个百分点/每差1亿元扣1分; level half against 110, growth half against 8 %
    leaf = {"id": "gdp", "name": "地区生产总值", "points": 10, "method": "gap_points",
            "per_point": 1, "target": {"rule": "uniform", "value": 110},
            "blend": {"basis": "growth", "alpha": 0.5,
                      "target": {"rule": "uniform", "value": 0.08}}}
    s = mini_scheme([leaf])
    d = load_data(write_dataset(tmp_path, {"units": UNITS, "observations": obs([
        (u, y, "gdp", v) for u, vals in (("a", (100, 106)), ("b", (100, 110)), ("c", (50, 55)))
        for y, v in zip((2019, 2020), vals, strict=True)])}))
    t = score(d, s, 2020).set_index("unit_id")
    # a: level 106 → 4 short → 10 − 4 = 6; growth 6 % → 2 pp short → 10 − 2 = 8; ½·6 + ½·8 = 7
    assert t.loc["a", "ind"] == pytest.approx(7.0)
    # b: level 110 → 10; growth 10 % → 2 pp above, no bonus rule → 10; 10
    assert t.loc["b", "ind"] == pytest.approx(10.0)
    # c: level 55 → 55 short → 0; growth 10 % → 10; ½·0 + ½·10 = 5
    assert t.loc["c", "ind"] == pytest.approx(5.0)
