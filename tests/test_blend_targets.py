"""增量+增速 by completion: a blend basis with its own target rule (``blend.target``), the
``min_growth`` bound that keeps increment and growth targets positive, and the places that
rewrite a blend (scenario α, the weightings study's α factor, the targets study's rules)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import perfanalysis as pa
from perfanalysis import DataError, SchemeError, scheme_from_mapping, score
from perfanalysis.engine.scenarios import ScenarioSpec, scenario_scheme
from perfanalysis.engine.scheme import TargetRule
from perfanalysis.engine.targets import rule_targets
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR
from perfanalysis.studies import targets as tg
from perfanalysis.studies import weightings as wt

from .helpers import write_dataset

YEARS = [2015, 2016, 2017, 2018]
# levels 2015–2018 of units A, B, C, D
PANEL = {"A": [100, 110, 121, 133.1], "B": [50, 50, 60, 63], "C": [200, 190, 180, 171],
         "D": [10, 12, 12, 15]}
LEVELS = np.array([PANEL[u] for u in "ABCD"], dtype=float).T


def _targets(rule: dict, basis: str) -> np.ndarray:
    return rule_targets(TargetRule(**rule), LEVELS, YEARS, 2019, basis=basis)


def test_min_growth_in_the_terms_of_each_basis():
    rule = {"rule": "own_average", "years": 2, "min_growth": 0.02}
    # increments 2017, 2018: A 11, 12.1 → 11.55; B 10, 3 → 6.5; C −10, −9 → −9.5, lifted to
    # 2 % of 171 = 3.42; D 0, 3 → 1.5 (2 % of 15 = 0.3 below it)
    assert _targets(rule, "increment") == pytest.approx([11.55, 6.5, 3.42, 1.5])
    # growth: A 0.1, 0.1 → 0.1; B 0.2, 0.05 → 0.125; C −0.0526, −0.05 → −0.0513 → 0.02;
    # D 0, 0.25 → 0.125
    assert _targets(rule, "growth") == pytest.approx([0.1, 0.125, 0.02, 0.125])
    # level, own_average(3): A 121.3667 < 133.1 × 1.02 = 135.762 → 135.762; C 180.3333 >
    # 171 × 1.02 = 174.42 stays
    got = _targets({**rule, "years": 3}, "level")
    assert got[0] == pytest.approx(135.762) and got[2] == pytest.approx(180.333333)
    assert TargetRule(**rule).label() == "own_average(2)≥2%"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(1.0, 1e4), min_size=5, max_size=5),
       st.sampled_from(["own_average", "last_growth", "trend", "peer"]),
       st.sampled_from(["increment", "growth"]),
       st.floats(0.001, 0.2))
def test_min_growth_keeps_every_target_positive(levels, name, basis, rate):
    # whatever the history (falls included) and rule, the target is at least the bound,
    # which is positive for a positive last level
    lv = np.array(levels, dtype=float)[:, None]
    rule = TargetRule(rule=name, years=2, min_growth=rate)
    got = rule_targets(rule, lv, list(range(2014, 2019)), 2019, basis=basis)[0]
    assume(np.isfinite(got))  # a growth rate of a zero increment has no target at all
    least = rate * lv[-1, 0] if basis == "increment" else rate
    assert got >= least - 1e-12 and got > 0


def _one_leaf(blend_target: dict | None, target: dict) -> dict:
    blend = {"basis": "growth", "alpha": 0.5}
    if blend_target is not None:
        blend["target"] = blend_target
    return {
        "id": "t", "name": "测试", "sequences": {"s": "序列"},
        "components": [{"id": "indicators", "name": "指标", "points": 10,
                        "source": "indicators", "clip": False, "children": [
                            {"id": "x", "name": "产值", "points": 10, "method": "completion",
                             "cap": 1.2, "basis": "increment", "target": target,
                             "blend": blend}]}],
        "tiers": {"method": "quota_threshold", "labels": ["优秀", "达标", "不达标"],
                  "quota": [{"top": 1}], "thresholds": [{"label": "达标", "min_total": 5}]}}


def _panel(tmp_path, now: dict[str, float]) -> pa.Dataset:
    obs = [{"unit_id": u, "year": y, "indicator": "x", "value": v}
           for u, vals in PANEL.items() for y, v in zip(YEARS, vals, strict=True)]
    obs += [{"unit_id": u, "year": 2019, "indicator": "x", "value": v} for u, v in now.items()]
    units = [{"unit_id": u, "name": f"{u}区", "sequence": "s"} for u in PANEL]
    return pa.load_data(write_dataset(tmp_path, {"units": units, "observations": obs}))


def test_blend_basis_scored_against_its_own_rule(tmp_path):
    # increment half: own_average(2) ≥ 2 % (targets 11.55, 6.5, 3.42, 1.5 as above); growth
    # half against a uniform 5 % growth (its own rule), cap 120 %, α = 0.5, 10 points
    raw = _one_leaf({"rule": "uniform", "value": 0.05},
                    {"rule": "own_average", "years": 2, "min_growth": 0.02})
    data = _panel(tmp_path, {"A": 140, "B": 66, "C": 174, "D": 16})
    got = score(data, scheme_from_mapping(raw), 2019).set_index("unit_id")["total"]
    # A: increment 6.9/11.55 = 0.597403; growth 6.9/133.1 = 0.051841 → /0.05 = 1.036814
    #    → 10 × (0.597403 + 1.036814)/2 = 8.17108
    # B: increment 3/6.5 = 0.461538; growth 3/63 = 0.047619 → 0.952381 → 7.06960
    # C: increment 3/3.42 = 0.877193; growth 3/171 = 0.017544 → 0.350877 → 6.14035
    # D: increment 1/1.5 = 0.666667; growth 1/15 = 0.066667 → 1.333 → cap 1.2 → 9.33333
    expected = {"A": 5 * (6.9 / 11.55 + 6.9 / 133.1 / 0.05), "B": 5 * (3 / 6.5 + 3 / 63 / 0.05),
                "C": 5 * (3 / 3.42 + 3 / 171 / 0.05), "D": 5 * (1 / 1.5 + 1.2)}
    for u, v in expected.items():
        assert got[u] == pytest.approx(v, abs=1e-6), u
    # without its own rule the growth half takes the indicator's: own_average(2) of growth
    # ≥ 2 %: A 0.1 → 0.51841; 10 × (0.597403 + 0.518407)/2 = 5.57905
    plain = _one_leaf(None, {"rule": "own_average", "years": 2, "min_growth": 0.02})
    got = score(data, scheme_from_mapping(plain), 2019).set_index("unit_id")["total"]
    assert got["A"] == pytest.approx(5 * (6.9 / 11.55 + 6.9 / 133.1 / 0.1), abs=1e-6)


def test_blend_target_lets_the_increment_half_use_assigned_tasks(tmp_path):
    # 专项职能部门确定的工作任务: the increment half from targets.csv, growth from history
    raw = _one_leaf({"rule": "own_average", "years": 2, "min_growth": 0.02},
                    {"rule": "table"})
    data = _panel(tmp_path, {"A": 140, "B": 66, "C": 174, "D": 16})
    tables = {"units": data.units[["unit_id", "name", "sequence"]],
              "observations": data.observations[["unit_id", "year", "indicator", "value"]],
              "targets": pd.DataFrame({"unit_id": list("ABCD"), "year": 2019, "indicator": "x",
                                       "target": [10.0, 3.0, 2.0, 2.0]})}
    data = pa.load_data(write_dataset(tmp_path / "tasks", tables))
    got = score(data, scheme_from_mapping(raw), 2019).set_index("unit_id")["total"]
    # A: increment 6.9/10 = 0.69; growth target 0.1 → 0.518407 → 10 × 0.604204 = 6.04204
    assert got["A"] == pytest.approx(5 * (0.69 + 6.9 / 133.1 / 0.1), abs=1e-6)


@pytest.mark.parametrize("change, message", [
    (lambda leaf: leaf["blend"].update(target={"rule": "table"}), "cannot be rule 'table'"),
    (lambda leaf: leaf.update(direction="negative"), "'min_growth' asks for growth"),
    (lambda leaf: leaf.update(method="efficacy", target=None, cap=1.0),
     "'blend.target' is only used by methods"),
    (lambda leaf: leaf["blend"].pop("target") and leaf.update(target={"rule": "table"}),
     "needs a target rule from history"),
])
def test_blend_target_validation(change, message):
    raw = _one_leaf({"rule": "own_average", "years": 2, "min_growth": 0.02},
                    {"rule": "own_average", "years": 2, "min_growth": 0.02})
    leaf = raw["components"][0]["children"][0]
    change(leaf)
    raw["components"][0]["children"][0] = {k: v for k, v in leaf.items() if v is not None}
    with pytest.raises(SchemeError, match=message):
        scheme_from_mapping(raw)


def test_alpha_overrides_keep_the_blend_target():
    base = pa.load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    changed = scenario_scheme(base, "more_growth", ScenarioSpec(name="增速权重提高", alpha=0.3))
    for leaf in changed.indicators():
        if leaf.blend is not None:
            own = next(i for i in base.indicators() if i.id == leaf.id)
            assert leaf.blend.alpha == 0.3 and leaf.blend.target == own.blend.target


def test_weightings_alpha_ends_score_each_half_with_its_own_target(tmp_path):
    # the α factor's two ends (α = 1: increment half only, α = 0: growth half only) on a
    # scheme whose halves have different rules; the scheme's α = 0.5 is their mean
    raw = _one_leaf({"rule": "uniform", "value": 0.05},
                    {"rule": "own_average", "years": 2, "min_growth": 0.02})
    data = _panel(tmp_path, {"A": 140, "B": 66, "C": 174, "D": 16})
    eng = wt._engine(data, scheme_from_mapping(raw), 2019, ())
    i = eng.inp.unit_ids.index("A")
    assert eng.f1[0][i, 0] == pytest.approx(6.9 / 11.55)           # increment 0.597403
    assert eng.f0[0][i, 0] == pytest.approx(6.9 / 133.1 / 0.05)    # growth vs 5 %: 1.036814


def test_targets_study_rules_keep_the_schemes_bounds():
    own = TargetRule(rule="own_average", years=3, min_growth=0.02, ceiling=50)
    trend = tg.bounded_rule(TargetRule(rule="trend", years=3), own)
    assert (trend.rule, trend.min_growth, trend.ceiling) == ("trend", 0.02, 50)
    # a bound the alternative sets itself wins
    assert tg.bounded_rule(TargetRule(rule="peer", ceiling=9), own).ceiling == 9
    assert tg.bounded_rule(TargetRule(rule="peer"), None) == TargetRule(rule="peer")


def test_targets_study_rescoring_the_default_never_meets_a_target_below_zero():
    # every rule of the study on the default preset's increment/growth leaves: the 2 %
    # bound keeps every target positive, so every rule rescores the year
    data = pa.load_data(SAMPLE_DIR / "yiyang")
    scheme = pa.load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    res = tg.run_study(data, scheme, 2019, n_boot=20)
    # every rule rescores the year but the mean level (no increment target) and the
    # assigned targets (none in the sample), and the note names the first
    assert set(res.alternatives["rule"]) == set(tg.RULE_NAMES) - {"mean_level", "table"}
    assert res.effects_note.count("“") == 1 and "“近3年平均水平”" in res.effects_note
    # the back-test of the increment half reports a raw rule's non-positive increment
    # targets (a level target below last year's) as not valid instead of failing
    bt = res.backtest.loc[res.backtest["indicator"].isin(["fai", "industry_va"])]
    assert (bt.loc[~bt["valid"], "target_basis"] <= 0).all()
    assert (bt.loc[~bt["valid"], "target"] <= bt.loc[~bt["valid"], "last"]).all()


def test_targets_study_skips_a_rule_that_leaves_a_target_at_zero(tmp_path):
    # a scheme without bounds: trend(2) of C's increments (−10, −9) → −8 ≤ 0 is not usable
    raw = _one_leaf(None, {"rule": "own_average", "years": 2})
    raw["components"][0]["children"][0]["target"] = {"rule": "own_average", "years": 2,
                                                     "floor": 0.01}
    data = _panel(tmp_path, {"A": 140, "B": 66, "C": 174, "D": 16})
    scheme = scheme_from_mapping(raw)
    skipped: list[tuple[str, DataError]] = []
    alts, _ = tg.score_effects(data, scheme, 2019, {"scheme": None, "peer": {"rule": "peer"}},
                               skipped=skipped)
    # peer on increments: C's 2018 increment −9 × (1 + median growth of increments) < 0,
    # but the scheme's floor 0.01 is kept, so peer rescores
    assert set(alts["rule"]) == {"scheme", "peer"} and not skipped
    bare = scheme_from_mapping(_one_leaf(None, {"rule": "own_average", "years": 2,
                                                "add": 20}))
    alts, _ = tg.score_effects(data, bare, 2019, {"scheme": None, "trend": {"rule": "trend",
                                                                             "years": 2}},
                               skipped=skipped)
    assert set(alts["rule"]) == {"scheme"} and [n for n, _ in skipped] == ["trend"]
    note = tg.skipped_note(skipped, {"trend": "近2年趋势"})
    assert note.startswith("以下目标规则在当年数据上不适用") and "“近2年趋势”" in note
    with pytest.raises(DataError):
        tg.score_effects(data, bare, 2019, {"trend": {"rule": "trend", "years": 2}})


def test_targets_study_rescores_each_half_of_a_blend_with_its_own_target(tmp_path):
    # the scheme: increment half own_average(2), growth half own_average(2) of growth, both
    # ≥ 2 %; the study's mean increment (k = 2) and mean growth (k = 2) give the same
    # targets (A: 133.1 + (133.1 − 110)/2 → increment 11.55; growth 0.1), so scoring the
    # blended leaf as two leaves with α and 1 − α of its points changes no total
    rule = {"rule": "own_average", "years": 2, "min_growth": 0.02}
    scheme = scheme_from_mapping(_one_leaf(rule, rule))
    data = _panel(tmp_path, {"A": 140, "B": 66, "C": 174, "D": 16})
    split_data, split = tg.rescoring_inputs(data, scheme, 2019, ["x"],
                                            ("mean_increment", "mean_growth"), 2)
    assert [(i.id, i.basis, i.points) for i in split.indicators()] == [
        ("x", "increment", 5.0), ("x__blend_half", "growth", 5.0)]
    tg_ = split_data.targets.set_index(["indicator", "unit_id"])["target"]
    assert tg_[("x", "A")] == pytest.approx(11.55)
    assert tg_[("x__blend_half", "A")] == pytest.approx(0.1)
    base = score(data, scheme, 2019).set_index("unit_id")["total"]
    again = score(split_data, split, 2019).set_index("unit_id")["total"]
    assert again.to_dict() == pytest.approx(base.to_dict())
    # A: 5 × (6.9/11.55 + (6.9/133.1)/0.1) = 5.579050
    assert again["A"] == pytest.approx(5 * (6.9 / 11.55 + 6.9 / 133.1 / 0.1))


def test_cap_saturation_counts_leaves_at_the_cap_and_points_above_full(tmp_path):
    from statsmodels.stats.proportion import proportion_confint

    # D grows 15 → 30: increment 15 against 1.5 and growth 100 % against 5 %, both capped
    # at 120 %: fraction 1.2, 12 of 10 points (2 above 满分); A, B, C stay below the cap
    raw = _one_leaf({"rule": "uniform", "value": 0.05},
                    {"rule": "own_average", "years": 2, "min_growth": 0.02})
    data = _panel(tmp_path, {"A": 140, "B": 66, "C": 174, "D": 30})
    cap = tg.cap_saturation(data, scheme_from_mapping(raw), 2019, ["x"]).set_index("indicator")
    x = cap.loc["x"]
    assert (x["n"], x["at_cap"], x["units_above_full"]) == (4, 1, 1)
    assert x["share_at_cap"] == 0.25 and x["points_above_full"] == pytest.approx(2.0)
    lo, hi = proportion_confint(1, 4, alpha=0.1, method="wilson")
    assert (x["share_lo"], x["share_hi"]) == pytest.approx((lo, hi))
    assert cap.loc["all", "at_cap"] == 1
