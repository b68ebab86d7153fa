"""Target rules (perfanalysis/engine/targets.py): hand-computed targets on a tiny panel, bounds,
reverse indicators, fallbacks, errors, and scoring with the new rules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfanalysis import DataError, SchemeError, load_data, scheme_from_mapping, score
from perfanalysis.engine.scheme import TargetRule
from perfanalysis.engine.targets import rule_targets, target_warnings

from .helpers import write_dataset

YEARS = [2015, 2016, 2017, 2018]
# levels 2015–2018 (columns: units A, B, C in sequence s; D alone in sequence t)
PANEL = {"A": [100, 110, 121, 133.1], "B": [50, 50, 60, 63], "C": [200, 190, 180, 171],
         "D": [10, 12, 12, 15]}
LEVELS = np.array([PANEL[u] for u in "ABCD"], dtype=float).T
GROUPS = np.array([0, 0, 0, 1])


def targets(rule: dict, **kw) -> np.ndarray:
    return rule_targets(TargetRule(**rule), LEVELS, YEARS, 2019, groups=GROUPS, **kw)


def test_own_average():
    # A (110+121+133.1)/3 = 121.3667; B (50+60+63)/3 = 57.6667; C (190+180+171)/3 = 180.3333
    got = targets({"rule": "own_average", "years": 3})
    assert got[:3] == pytest.approx([121.366667, 57.666667, 180.333333], rel=1e-6)
    # × 1.1 + 1: A 121.3667·1.1 + 1 = 134.5033
    assert targets({"rule": "own_average", "years": 3, "factor": 1.1, "add": 1})[0] == \
        pytest.approx(134.503333, rel=1e-6)


def test_last_growth():
    # A: growth 0.1 each year → 133.1·1.1 = 146.41
    # B: growths 0, 0.2, 0.05 → mean 0.083333 → 63·1.083333 = 68.25
    # C: growths −0.05, −0.0526316, −0.05 → mean −0.0508772 → 171·0.9491228 = 162.3
    got = targets({"rule": "last_growth", "years": 3})
    assert got[:3] == pytest.approx([146.41, 68.25, 162.3], rel=1e-5)
    # years 1: last growth only; B 63·(1 + 0.05) = 66.15
    assert targets({"rule": "last_growth", "years": 1})[1] == pytest.approx(66.15)


def test_trend():
    # A on 2016–2018 (110, 121, 133.1): mean 121.3667, slope (133.1 − 110)/2 = 11.55,
    #   2019 is two steps from the middle year: 121.3667 + 2·11.55 = 144.4667
    # B (50, 60, 63): mean 57.6667, slope 6.5 → 57.6667 + 13 = 70.6667
    got = targets({"rule": "trend", "years": 3})
    assert got[:2] == pytest.approx([144.466667, 70.666667], rel=1e-6)
    # years 2 on B (60, 63): the line through two points, one year on: 63 + 3 = 66
    assert targets({"rule": "trend", "years": 2})[1] == pytest.approx(66.0)


def test_peer():
    # 2018 growths in sequence s: A 0.1, B 0.05, C −0.05 → median 0.05
    #   A 133.1·1.05 = 139.755; B 63·1.05 = 66.15; C 171·1.05 = 179.55
    # D alone in sequence t: 15/12 − 1 = 0.25 → 15·1.25 = 18.75
    got = targets({"rule": "peer"})
    assert got == pytest.approx([139.755, 66.15, 179.55, 18.75])
    # all units one group: median of (0.1, 0.05, −0.05, 0.25) = 0.075 → A 133.1·1.075
    assert targets({"rule": "peer", "peer_group": "all"})[0] == pytest.approx(143.0825)


def test_blend_of_any_two_rules():
    # A: 0.25·last_growth(3) + 0.75·peer = 0.25·146.41 + 0.75·139.755 = 141.41875
    rule = {"rule": "blend", "weight": 0.25,
            "of": [{"rule": "last_growth", "years": 3}, {"rule": "peer"}]}
    assert targets(rule)[0] == pytest.approx(141.41875)
    # a blend of a blend: 0.5·uniform(100) + 0.5·(0.25·146.41 + 0.75·139.755) = 120.709375
    nested = {"rule": "blend", "weight": 0.5, "of": [{"rule": "uniform", "value": 100}, rule]}
    assert targets(nested)[0] == pytest.approx(120.709375)


def test_floor_ceiling_and_not_below_last():
    own = {"rule": "own_average", "years": 3}
    # A own average 121.3667: floor 125 lifts it, ceiling 120 cuts it
    assert targets({**own, "floor": 125})[0] == pytest.approx(125)
    assert targets({**own, "ceiling": 120})[0] == pytest.approx(120)
    # not_below_last: A 121.3667 < 133.1 → 133.1; C 180.3333 > 171 → stays
    got = targets({**own, "not_below_last": True})
    assert got[0] == pytest.approx(133.1) and got[2] == pytest.approx(180.333333)


def test_reverse_indicator():
    # lower is better: extrapolating rules read history the same way (C's decline goes on:
    # last_growth 162.3), but "not easier than last year" now means not ABOVE last year:
    # C own average 180.3333 > 171 → 171; A 121.3667 < 133.1 stays
    assert targets({"rule": "last_growth", "years": 3}, reverse=True)[2] == \
        pytest.approx(162.3, rel=1e-5)
    got = targets({"rule": "own_average", "years": 3, "not_below_last": True}, reverse=True)
    assert got[2] == pytest.approx(171) and got[0] == pytest.approx(121.366667, rel=1e-6)


def test_growth_basis():
    # own_average on the growth basis: A's growth 2016–2018 is 0.1 each year → 0.1
    got = targets({"rule": "own_average", "years": 3}, basis="growth")
    assert got[0] == pytest.approx(0.1)


def test_fallback_for_missing_history():
    levels = LEVELS.copy()
    levels[:2, 1] = np.nan  # B has no 2015, 2016
    rule = TargetRule(rule="last_growth", years=3,
                      fallback=TargetRule(rule="own_average", years=2))
    got = rule_targets(rule, levels, YEARS, 2019, groups=GROUPS)
    # A keeps last_growth 146.41; B falls back to (60 + 63)/2 = 61.5
    assert got[:2] == pytest.approx([146.41, 61.5])


@pytest.fixture
def panel_dir(tmp_path):
    def make(rule: dict, drop: tuple = (), direction: str = "positive"):
        raw = {"id": "t", "name": "测试", "components": [{
            "id": "indicators", "name": "指标", "points": 10, "source": "indicators",
            "clip": False, "children": [{"id": "x", "name": "财政收入", "points": 10, "method": "completion",
                          "cap": 1.2, "direction": direction, "target": rule}]}],
               "tiers": {"method": "forced_distribution", "labels": ["一等", "二等"],
                         "shares": [0.5, 0.5]}}
        series = {u: [*v, v[-1] * 1.1] for u, v in PANEL.items() if u != "D"}
        obs = [{"unit_id": u, "year": y, "indicator": "x", "value": v}
               for u, vs in series.items() for y, v in zip(range(2015, 2020), vs)
               if (u, y) not in drop]
        folder = write_dataset(tmp_path / "p", {
            "units": [{"unit_id": u, "name": f"{u}区", "sequence": "s"} for u in series],
            "observations": obs})
        return load_data(folder), scheme_from_mapping(raw)
    return make


def test_scoring_uses_the_rule(panel_dir):
    data, scheme = panel_dir({"rule": "last_growth", "years": 3})
    table = score(data, scheme, 2019).set_index("unit_id")
    # A: actual 133.1·1.1 = 146.41 against the target 146.41 → 10 points
    # B: actual 63·1.1 = 69.3 against 68.25 → 69.3/68.25 = 1.015385 → 10.15385 points
    assert table.loc["A", "total"] == pytest.approx(10.0)
    assert table.loc["B", "total"] == pytest.approx(10 * 69.3 / 68.25, rel=1e-6)


def test_missing_history_names_unit_indicator_and_years(panel_dir):
    data, scheme = panel_dir({"rule": "last_growth", "years": 3},
                             drop=(("B", 2015), ("B", 2016)))
    # check_data lists each missing value; the engine itself says the same when unchecked
    with pytest.raises(DataError, match=r"unit B区 \(B\), year 2015, indicator 财政收入 \(x\)"):
        score(data, scheme, 2019)
    from perfanalysis.engine.scoring import prepare

    with pytest.raises(DataError, match=r"unit B, indicator 'x' .*missing for year\(s\) "
                                        r"2015, 2016"):
        prepare(data, scheme, 2019, check=False)


def test_fallback_lets_scoring_run(panel_dir):
    rule = {"rule": "last_growth", "years": 3, "fallback": {"rule": "own_average", "years": 2}}
    data, scheme = panel_dir(rule, drop=(("B", 2015), ("B", 2016)))
    table = score(data, scheme, 2019).set_index("unit_id")
    # B falls back to (60 + 63)/2 = 61.5; actual 69.3 → 69.3/61.5 = 1.12683 → 11.2683
    assert table.loc["B", "total"] == pytest.approx(10 * 69.3 / 61.5, rel=1e-6)


def test_non_positive_target_is_an_error(panel_dir, tmp_path):
    raw_rule = {"rule": "trend", "years": 3}
    data, scheme = panel_dir(raw_rule)
    # a steep fall 300, 200, 100 extrapolates to 0 and below: trend(3) = 200 − 2·100 = 0
    obs = data.observations.copy()
    obs.loc[(obs["unit_id"] == "C") & (obs["year"] == 2016), "value"] = 300
    obs.loc[(obs["unit_id"] == "C") & (obs["year"] == 2017), "value"] = 200
    obs.loc[(obs["unit_id"] == "C") & (obs["year"] == 2018), "value"] = 100
    folder = write_dataset(tmp_path / "fall", {
        "units": data.units[["unit_id", "name", "sequence"]],
        "observations": obs[["unit_id", "year", "indicator", "value"]]})
    with pytest.raises(DataError, match=r"unit C区 \(C\) in 2019: its completion target is 0"):
        score(load_data(folder), scheme, 2019)


def test_below_last_actual_warning(panel_dir):
    data, scheme = panel_dir({"rule": "own_average", "years": 3})
    warn = target_warnings(data, scheme, 2019).set_index("unit_id")
    # A (121.37 < 133.1) and B (57.67 < 63) are asked to do less than last year; C is not
    assert sorted(warn.index) == ["A", "B"]
    assert warn.loc["A", "target"] == pytest.approx(121.366667, rel=1e-6)
    assert warn.loc["A", "last_actual"] == pytest.approx(133.1)
    # negative indicator: only a target ABOVE last year's actual warns (C: 180.33 > 171)
    data, scheme = panel_dir({"rule": "own_average", "years": 3}, direction="negative")
    assert list(target_warnings(data, scheme, 2019)["unit_id"]) == ["C"]


@pytest.mark.parametrize("rule, message", [
    ({"rule": "blend", "of": [{"rule": "peer"}]}, "needs 'of' \\(exactly two rules\\)"),
    ({"rule": "trend", "years": 1}, "needs 'years' ≥ 2"),
    ({"rule": "own_average", "floor": 5, "ceiling": 2}, "'floor' \\(5\\) is above"),
    ({"rule": "own_average", "floor": -1}, "must be positive"),
    ({"rule": "peer", "value": 3}, "only used by rule 'uniform'"),
    ({"rule": "own_average", "years": 2,
      "fallback": {"rule": "last_growth", "years": 3}}, "fallback' must need less history"),
])
def test_rule_validation(rule, message):
    raw = {"id": "t", "name": "t", "components": [{
        "id": "i", "name": "i", "points": 1, "source": "indicators",
        "children": [{"id": "x", "name": "x", "points": 1, "method": "completion",
                      "target": rule}]}],
           "tiers": {"method": "forced_distribution", "labels": ["一", "二"], "shares": [.5, .5]}}
    with pytest.raises(SchemeError, match=message):
        scheme_from_mapping(raw)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(1, 1000), min_size=4, max_size=4),
       st.sampled_from(["own_average", "last_growth", "trend", "peer"]))
def test_not_below_last_is_never_below_last(history, name):
    levels = np.array(history)[:, None] * np.array([1.0, 0.5])  # two units
    got = rule_targets(TargetRule(rule=name, years=2, not_below_last=True), levels, YEARS,
                       2019)
    assert (got >= levels[-1] - 1e-9).all()
    rev = rule_targets(TargetRule(rule=name, years=2, not_below_last=True), levels, YEARS,
                       2019, reverse=True)
    assert (rev <= levels[-1] + 1e-9).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(1, 1000), min_size=4, max_size=4), st.floats(1.01, 3))
def test_rules_scale_with_the_data(history, c):
    # every history rule is homogeneous: scaling the history scales the target
    levels = np.array(history)[:, None]
    for name in ("own_average", "last_growth", "trend", "peer"):
        rule = TargetRule(rule=name, years=3)
        assert rule_targets(rule, levels * c, YEARS, 2019) == \
            pytest.approx(c * rule_targets(rule, levels, YEARS, 2019), rel=1e-9, abs=1e-9)


def test_validate_command_warns_with_both_numbers(tmp_path):
    import yaml
    from typer.testing import CliRunner

    from perfanalysis.cli import app
    from perfanalysis.paths import PROJ_ROOT

    from .helpers import preset_mapping

    # the issue's example, pinned to the rule it describes (the preset may be re-encoded):
    # 赫山区: (16.13 + 17.93 + 20.54)/3 × 1.1 = 54.60/3 × 1.1 = 20.02 < 20.54 (2018)
    raw = preset_mapping("yiyang_2018")

    def pin(nodes):
        for node in nodes:
            if node.get("id") == "fiscal_revenue":
                node["target"] = {"rule": "own_average", "years": 3, "factor": 1.1}
            pin(node.get("children") or [])

    pin(raw["components"])
    path = tmp_path / "yiyang_own_average.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    res = CliRunner().invoke(app, [
        "validate", "--data", str(PROJ_ROOT / "data/sample/yiyang"),
        "--scheme", str(path), "--year", "2019"])
    assert res.exit_code == 0
    assert "unit heshan, indicator fiscal_revenue: 2019 target 20.02 is below the 2018 " \
           "actual 20.54" in res.output
    assert "赫山区的“财政总收入”2019年目标值 20.02 低于上年实际值 20.54" in res.output


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(1, 1000), min_size=12, max_size=12), st.floats(0.01, 500))
def test_a_higher_last_actual_never_lowers_the_target(values, bump):
    # three units, four years; raising one unit's last value raises (or keeps) its target
    levels = np.array(values).reshape(4, 3)
    higher = levels.copy()
    higher[-1, 0] += bump
    for name in ("own_average", "last_growth", "trend", "peer"):
        rule = TargetRule(rule=name, years=3)
        before = rule_targets(rule, levels, YEARS, 2019)[0]
        after = rule_targets(rule, higher, YEARS, 2019)[0]
        assert after >= before - 1e-9 * max(1.0, abs(before)), name
