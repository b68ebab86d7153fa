"""Chapter 04 on a scheme with nothing to vary (issue 20 §5): one first-level indicator on
its level, tiers already forced. Before the fix the generic scenario file was empty and
refused ("Dictionary should have at least 1 item"), which lost the whole report."""

from __future__ import annotations

import pandas as pd

from perfanalysis import scheme_from_mapping
from perfanalysis.engine.scenarios import generic_scenarios_note, scenarios_for
from perfanalysis.paths import PROJ_ROOT, SCHEMES_DIR
from perfanalysis.report.findings.weightings import (
    removal_sentences,
    scenario_sentences,
    sobol_sentences,
)

YIYANG_SCENARIOS = PROJ_ROOT / "data" / "scenarios" / "yiyang_reform.yaml"


def _one(tiers: dict) -> dict:
    return {"id": "one", "name": "单指标", "sequences": {"c": "区县"},
            "components": [{"id": "indicators", "name": "指标", "points": 100,
                            "source": "indicators", "children": [
                                {"id": "gdp", "name": "地区生产总值", "points": 100,
                                 "method": "efficacy"}]}],
            "tiers": tiers}


FORCED = {"method": "forced_distribution", "labels": ["一等", "二等", "三等"],
          "shares": [0.15, 0.80, 0.05]}
QUOTA = {"method": "quota_threshold", "labels": ["优秀", "达标", "不达标"],
         "quota": [{"share": 0.25}], "thresholds": [{"label": "达标", "min_total": 60}]}


def test_nothing_to_vary_gives_no_scenario_and_says_why() -> None:
    scheme = scheme_from_mapping(_one(FORCED))
    scenarios, note = scenarios_for(YIYANG_SCENARIOS, scheme)
    assert scenarios == []
    assert note is not None and "没有适用的通用情景" in note
    for what in ("一个一级指标", "没有增量+增速指标", "等次已按强制分布确定"):
        assert what in note


def test_a_quota_scheme_keeps_the_forced_scenario_and_names_the_rest() -> None:
    scheme = scheme_from_mapping(_one(QUOTA))
    scenarios, note = scenarios_for(YIYANG_SCENARIOS, scheme)
    assert [s.name for s in scenarios] == ["强制分布15:80:5"]
    assert "适用的通用情景:强制分布15:80:5。" in generic_scenarios_note(scheme)
    assert note is not None and "一个一级指标" in note and "强制分布(" not in note


def test_the_yiyang_default_can_vary_everything() -> None:
    from perfanalysis import load_scheme

    note = generic_scenarios_note(load_scheme(SCHEMES_DIR / "yiyang_2018_levels.yaml"))
    assert "无法变动" not in note and "一级指标等权" in note


def test_findings_on_empty_tables() -> None:
    empty = pd.DataFrame(columns=["scenario", "scenario_id", "n_tier_changes",
                                  "mean_abs_shift", "max_abs_shift", "top_set_changed",
                                  "top_entered", "top_left"])
    text = scenario_sentences(empty, pd.DataFrame(columns=["name", "n_tiers"]),
                              pd.DataFrame(columns=["scenario_a", "scenario_b", "tau"]),
                              "现行方案", 2011)
    assert len(text) == 1 and "没有可与现行方案比较的情景" in text[0]
    assert "不影响" not in text[0]
    zeros = pd.DataFrame({"target": ["平均绝对名次变化"] * 2 + ["甲"] * 2,
                          "parameter": ["地区生产总值权重", "计分方法"] * 2,
                          "S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0})
    text = sobol_sentences(zeros, "平均绝对名次变化", 32)
    assert text[0] == "在32组抽样中,地区生产总值权重、计分方法的变化都没有改变任何单位的名次。"
    assert "一个一级指标" in removal_sentences(pd.DataFrame())[0]


def test_fixed_bound_efficacy_keeps_its_method_in_the_sobol_study() -> None:
    """hunan_province_tiers scores 群众安全感 by efficacy with 满意值/不允许值: it compares no
    units and has no min–max form, so the method factor leaves it alone (the chapter used to
    stop with "'satisfactory'/'allowed' are only used by method 'efficacy'")."""
    from perfanalysis import load_data, load_scheme
    from perfanalysis.paths import SAMPLE_DIR
    from perfanalysis.studies.weightings import compares_units, weight_sensitivity

    scheme = load_scheme(SCHEMES_DIR / "hunan_province_tiers.yaml")
    fixed = [leaf for leaf in scheme.indicators() if leaf.satisfactory is not None]
    assert fixed and not any(compares_units(leaf) for leaf in fixed)
    sens = weight_sensitivity(load_data(SAMPLE_DIR / "yiyang"), scheme, 2019, n=8, seed=1)
    assert "计分方法" in set(sens.sobol["parameter"])


def test_units_sensitive_to_the_same_factor_share_one_clause_with_the_st_range() -> None:
    """Per-unit Sobol indices: units whose largest total index is the same factor are named
    together with the range of ST and the widest 95 % half-width (the provincial panel
    listed six units one by one, each 'ST = 1.01'); below 0.1 a unit is not named; a unit
    with every index 0 is said not to move."""
    rows = [("平均绝对名次变化", "α", 0.9, 0.02, 0.95, 0.05),
            ("甲", "α", 0.9, 0.05, 1.01, 0.05), ("甲", "经济发展权重", 0.0, 0.01, 0.02, 0.01),
            ("乙", "α", 0.8, 0.05, 0.98, 0.07), ("丙", "经济发展权重", 0.3, 0.05, 0.4, 0.1),
            ("丁", "α", 0.01, 0.01, 0.05, 0.02), ("戊", "α", 0.0, 0.0, 0.0, 0.0),
            ("戊", "经济发展权重", 0.0, 0.0, 0.0, 0.0)]
    sobol = pd.DataFrame(rows, columns=["target", "parameter", "S1", "S1_conf", "ST", "ST_conf"])
    text = sobol_sentences(sobol, "平均绝对名次变化", 64)
    assert text[0] == ("在64组抽样中,名次平均变化主要取决于α(总效应指数ST=0.95,95%区间±0.05;"
                       "一阶指数S1=0.9)。")
    assert text[1] == ("甲、乙的名次主要受α影响(ST为0.98至1.01,95%区间半宽不超过0.07);"
                       "丙的名次主要受经济发展权重影响(ST为0.4,95%区间半宽不超过0.1)。")
    assert text[2] == "戊在所有抽样中名次不变,对权重和方法选择不敏感。"
