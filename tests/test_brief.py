"""The annual brief: its numbers equal those of the study tables it cites (small fake study
tables written to a tmp OUT/tables following the shared contract), the trade-offs
arithmetic, focus units, and what it says when studies are missing."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from perfanalysis import DataError, PipelineError, assemble_brief, load_data
from perfanalysis.engine.scheme import HESHAN_FOLLOWUPS, scheme_from_mapping
from perfanalysis.paths import SAMPLE_DIR
from perfanalysis.report.brief import (
    CONTRACT,
    focus_units,
    read_study_tables,
    size_column,
    size_dependence_row,
    tradeoffs,
)
from perfanalysis.report.findings import brief as say
from tests.helpers import preset_mapping

YEAR = 2019
# Yiyang sample, population_2020 ascending (units.csv)
BY_SIZE = ["datonghu", "gaoxin", "ziyang", "nanxian", "yuanjiang", "taojiang", "heshan", "anhua"]
# official 2019 tiers of the sample under the levels reading (yiyang_2018_levels, the
# pre-reform 总量横向比较 counterfactual): 优秀 yuanjiang, nanxian; 基本达标 anhua, taojiang
GROWTH_TIERS = {"datonghu": "优秀", "gaoxin": "优秀", "ziyang": "达标", "nanxian": "达标",
                "yuanjiang": "达标", "taojiang": "基本达标", "heshan": "达标", "anhua": "基本达标"}
LEVEL_TIERS = {"datonghu": "达标", "gaoxin": "达标", "ziyang": "达标", "nanxian": "优秀",
               "yuanjiang": "优秀", "taojiang": "基本达标", "heshan": "达标", "anhua": "基本达标"}
EQUAL_TIERS = {**LEVEL_TIERS, "taojiang": "不达标"}


@pytest.fixture(scope="module")
def sample():
    # the follow-up machinery needs declared rules (issue 22: none apply unless a scheme
    # declares them; the Yiyang reply has none): Heshan 2013's two, declared here
    raw = preset_mapping("yiyang_2018_levels")
    raw["tiers"]["followups"] = [f.model_dump() for f in HESHAN_FOLLOWUPS]
    # the official history these tests pin (安化县, 桃江县 基本达标 in 2018 and 2019) is the
    # one with the structural levels (贫困发生率, 单位GDP能耗, 水质达标率) compared across
    # counties by efficacy; the preset now scores them against own baselines (issue 22),
    # which the brief's arithmetic does not depend on
    for group in raw["components"][0]["children"]:
        for leaf in group["children"]:
            if leaf["id"] in ("poverty_rate", "energy_intensity", "water_quality"):
                for key in ("cap", "target"):
                    leaf.pop(key, None)
                leaf["method"] = "efficacy"
    return load_data(SAMPLE_DIR / "yiyang"), scheme_from_mapping(raw)


def _alt(study: str, label: str, kind: str, totals: dict[str, float], tiers: dict[str, str],
         names: dict[str, str], **extra: object) -> pd.DataFrame:
    rows = [{"study": study, "alternative": label, "kind": kind, "unit_id": u, "name": names[u],
             "sequence": "counties", "total": totals[u], "rank": 0, "tier": tiers[u], **extra}
            for u in BY_SIZE]
    df = pd.DataFrame(rows)
    df["rank"] = df["total"].rank(method="min", ascending=False).astype(int)
    return df


def write_fake_studies(tables: Path, names: dict[str, str]) -> None:
    """Contract tables of three studies (targets partly: no targets_summary)."""
    tables.mkdir(parents=True, exist_ok=True)
    growth = {u: 99.0 - i for i, u in enumerate(BY_SIZE)}  # smallest unit highest: ρ = -1
    level = {u: 92.0 + i for i, u in enumerate(BY_SIZE)}   # largest unit highest: ρ = +1
    pd.concat([
        _alt("fairness", "按增速计分(α=0)", "alpha", growth, GROWTH_TIERS, names, alpha=0.0,
             variant="blend"),
        _alt("fairness", "按总量计分(α=1)", "alpha", level, LEVEL_TIERS, names, alpha=1.0,
             variant="blend"),
    ]).to_csv(tables / "alternatives_fairness.csv", index=False)
    _alt("weightings", "均等权重", "scenario", dict.fromkeys(BY_SIZE, 80.0), EQUAL_TIERS,
         names).to_csv(tables / "alternatives_weightings.csv", index=False)
    vol = [{"unit_id": u, "name": names[u], "size": i, "variant": "blend", "alpha": 0.0,
            "rank_sd": 0.5 * (i + 1)} for i, u in enumerate(BY_SIZE)]  # 0.5 … 4.0
    vol += [{"unit_id": u, "name": names[u], "size": i, "variant": "blend", "alpha": 1.0,
             "rank_sd": 1.0} for i, u in enumerate(BY_SIZE)]
    pd.DataFrame(vol).to_csv(tables / "fairness_volatility.csv", index=False)
    pd.DataFrame([{"unit_id": "datonghu", "name": "大通湖区", "variant": "blend", "alpha": 0.0,
                   "p_top": 0.62},
                  {"unit_id": "datonghu", "name": "大通湖区", "variant": "blend", "alpha": 1.0,
                   "p_top": 0.05}]).to_csv(tables / "fairness_top_chance.csv", index=False)
    probs = [{"unit_id": u, "name": names[u], "sequence": "counties", "total": 80.0,
              "official_tier": "达标", "p_优秀": 0.1, "p_达标": 0.8, "p_基本达标": 0.1,
              "p_不达标": 0.0, "p_official": 0.8, "rank_p05": 1, "rank_p50": 4, "rank_p95": 8}
             for u in BY_SIZE if u != "datonghu"]
    probs.append({"unit_id": "datonghu", "name": "大通湖区", "sequence": "counties",
                  "total": 78.4, "official_tier": "达标", "p_优秀": 0.2, "p_达标": 0.7,
                  "p_基本达标": 0.1, "p_不达标": 0.0, "p_official": 0.7, "rank_p05": 3,
                  "rank_p50": 5, "rank_p95": 7})
    pd.DataFrame(probs).to_csv(tables / "tier_probabilities.csv", index=False)
    pd.DataFrame({"statistic": ["official", "mean", "p05", "p50", "p95"],
                  "value": [120000.0, 118500.0, 100000.0, 119000.0, 130000.0]}).to_csv(
        tables / "reward_cost.csv", index=False)
    back = []
    for rule, mets in (("统一目标", [True, False, False]), ("前三年平均", [True, True, True])):
        for ind, met in zip(("gdp", "revenue", "invest"), mets):
            back.append({"indicator": ind, "unit_id": "datonghu", "name": "大通湖区",
                         "year": YEAR, "rule": rule, "target": 10.0, "actual": 9.0,
                         "attainment": 0.9, "met": met})
    for y in (2018, 2020):  # other years: not counted for 2019
        back.append({"indicator": "gdp", "unit_id": "datonghu", "name": "大通湖区", "year": y,
                     "rule": "统一目标", "target": 1.0, "actual": 2.0, "attainment": 2.0,
                     "met": True})
    pd.DataFrame(back).to_csv(tables / "targets_backtest.csv", index=False)
    pd.DataFrame({"variant": ["level", "growth", "blend"], "alpha": [None, None, 0.5],
                  "rho": [0.95, 0.67, 0.1], "rho_lo": [0.73, -0.11, -0.5],
                  "rho_hi": [1.0, 0.97, 0.6], "slope": 0.0, "slope_se": 0.0}).to_csv(
        tables / "fairness_size_dependence.csv", index=False)
    pd.DataFrame({"indicator": ["gdp", "fai", "gdp", "fai"],
                  "rule": ["统一目标", "统一目标", "前三年平均", "前三年平均"],
                  "share_met": [0.5, 0.7, 0.9, 0.9], "mape": 0.1, "equity_rho": 0.0,
                  "equity_rho_lo": 0.0, "equity_rho_hi": 0.0,
                  "small_met": [0.2, 0.4, 0.85, 0.95], "large_met": [0.8, 1.0, 0.9, 0.9]}).to_csv(
        tables / "targets_summary.csv", index=False)
    pd.DataFrame({"rule": ["前三年平均", "统一目标"], "indicators": 2, "n": [48, 40],
                  "units": 8, "share_met": [0.9, 0.6], "share_met_lo": [0.85, 0.45],
                  "share_met_hi": [0.95, 0.7], "small_met": [0.9, 0.3],
                  "small_met_lo": [0.8, 0.3], "small_met_hi": [1.0, 0.3],
                  "large_met": [0.9, 0.9], "large_met_lo": [0.8, 0.75],
                  "large_met_hi": [1.0, 1.0], "level": 0.9, "boot": 1000}).to_csv(
        tables / "targets_rule_means.csv", index=False)
    pd.DataFrame({"draws": [1000], "expected_changes": [1.234], "p_top_set_exact": [0.5],
                  "max_se": [0.01]}).to_csv(tables / "tier_uncertainty_summary.csv", index=False)


@pytest.fixture(scope="module")
def brief(sample, tmp_path_factory):
    data, scheme = sample
    out = tmp_path_factory.mktemp("out")
    names = dict(zip(data.units["unit_id"], data.units["name"]))
    write_fake_studies(out / "tables", names)
    return assemble_brief(data, scheme, YEAR, out / "tables", focus_unit="大通湖区"), out


def _fact(facts: pd.DataFrame, topic: str, statistic: str, alternative: str = "") -> pd.Series:
    sel = facts.loc[(facts["topic"] == topic) & (facts["statistic"] == statistic)
                    & (facts["alternative"] == alternative)]
    assert len(sel) == 1, (topic, statistic, alternative)
    return sel.iloc[0]


def test_facts_equal_the_study_tables_they_cite(brief) -> None:
    b, out = brief
    f = b.facts
    assert set(f["unit_id"]) == {"", "datonghu"}  # "": facts about all units
    probs = pd.read_csv(out / "tables" / "tier_probabilities.csv").set_index("unit_id")
    p = _fact(f, "probability", "p_official")
    assert p["source"] == "tier_probabilities"
    assert p["value"] == probs.at["datonghu", "p_official"] == 0.7
    assert _fact(f, "probability", "p_优秀")["value"] == probs.at["datonghu", "p_优秀"]
    assert _fact(f, "probability", "rank_p95")["value"] == probs.at["datonghu", "rank_p95"]
    chance = pd.read_csv(out / "tables" / "fairness_top_chance.csv")
    assert _fact(f, "top_chance", "p_top", "总量与增速混合 α=0")["value"] == chance["p_top"].iloc[0]
    alts = pd.concat([pd.read_csv(out / "tables" / f"alternatives_{s}.csv")
                      for s in ("fairness", "weightings")])
    for r in alts.loc[alts["unit_id"] == "datonghu"].itertuples():
        fact = _fact(f, "alternative", "rank", r.alternative)
        assert (fact["value"], fact["label"], fact["source"]) == (
            r.rank, r.tier, f"alternatives_{r.study}")
    # targets met in 2019: 统一目标 1 of 3, 前三年平均 3 of 3 (2018 and 2020 rows not counted)
    assert _fact(f, "targets", "met", "统一目标")["value"] == 1
    assert _fact(f, "targets", "targets", "统一目标")["value"] == 3
    assert _fact(f, "targets", "met", "前三年平均")["value"] == 3
    # no scores table: this year's result comes from the brief's own tier history
    hist = b.history.set_index(["unit_id", "year"])
    total = _fact(f, "score", "total")
    assert total["source"] == "tier_history"
    assert total["value"] == hist.at[("datonghu", YEAR), "total"]
    assert _fact(f, "score", "n_sequence")["value"] == 8


def test_tradeoffs_arithmetic(brief) -> None:
    b, _ = brief
    t = b.trade.set_index("alternative")
    assert list(b.trade["alternative"]) == ["现行方案", "按增速计分(α=0)", "按总量计分(α=1)",
                                            "均等权重"]
    # totals strictly decreasing / increasing with population: ρ = -1 / +1; equal totals: NaN
    assert t.at["按增速计分(α=0)", "size_rho"] == -1.0
    assert t.at["按总量计分(α=1)", "size_rho"] == 1.0
    assert math.isnan(t.at["均等权重", "size_rho"])
    # tier changes vs official: α=0 moves datonghu, gaoxin up and nanxian, yuanjiang down (4);
    # α=1 keeps the official tiers (0); 均等权重 moves taojiang down (1)
    assert list(b.trade["tier_changes"]) == [0, 4, 0, 1]
    # mean rank_sd of the alternative's α: (0.5 + 1 + … + 4) / 8 = 18 / 8 = 2.25; α=1: 1.0
    assert t.at["按增速计分(α=0)", "rank_volatility"] == 2.25
    assert t.at["按总量计分(α=1)", "rank_volatility"] == 1.0
    assert math.isnan(t.at["均等权重", "rank_volatility"])
    assert t.at["现行方案", "reward_cost"] == 120000.0
    assert math.isnan(t.at["按增速计分(α=0)", "reward_cost"])
    assert t.at["按增速计分(α=0)", "focus_tier"] == "优秀"


def test_reward_cost_of_each_alternative_with_a_price_function(brief) -> None:
    b, _ = brief
    pay = {"优秀": 2000.0, "达标": 1000.0, "基本达标": 300.0, "不达标": 0.0}

    def price(table: pd.DataFrame) -> float:
        return float(table["tier"].map(pay).sum())

    official = b.history.loc[b.history["year"] == YEAR]
    t = tradeoffs(official, b.alternatives, None, b.studies, ["datonghu"], price)
    # official and α=0: 2 优秀, 4 达标, 2 基本达标 = 4000 + 4000 + 600 = 8600;
    # 均等权重: 2 优秀, 4 达标, 1 基本达标, 1 不达标 = 4000 + 4000 + 300 = 8300
    assert list(t["reward_cost"]) == [8600.0, 8600.0, 8600.0, 8300.0]
    op = "".join(say.option_sentences(b.facts, t, b.alt_flags, b.top_label, None))
    assert "现行方案的奖励成本为8,600元,各替代方案为8,300至8,600元" in op
    # without a price function the official cost is reward_cost's 'official' row
    op = "".join(say.option_sentences(b.facts, b.trade, b.alt_flags, b.top_label, None,
                                      b.reward_note))
    assert "现行方案的奖励成本为120,000元(来源:各方案利弊表" in op and "奖励成本表" in op
    assert b.reward_note.startswith("考核方案没有奖金规则") and b.reward_note in op


def test_followups_under_each_alternative(brief) -> None:
    b, _ = brief
    # official history: 安化县 and 桃江县 are 基本达标 in 2018 and 2019 (通报批评)
    official = b.flags.loc[b.flags["year"] == YEAR]
    assert sorted(official["unit_id"]) == ["anhua", "taojiang"]
    by_alt = b.alt_flags.groupby("alternative")["unit_id"].apply(sorted).to_dict()
    assert by_alt["按增速计分(α=0)"] == ["anhua", "taojiang"]
    assert by_alt["均等权重"] == ["anhua"]  # taojiang 不达标 there: a first year, no flag


def test_sentences_carry_the_table_numbers_and_sources(brief) -> None:
    b, _ = brief
    ev = "".join(say.evidence_sentences(b.facts, YEAR, b.top_label, b.size_col))
    rho = b.trade.set_index("alternative").at["现行方案", "size_rho"]
    assert f"本年度总分与单位规模(常住人口)的等级相关系数ρ为{rho:.2f}".replace("-", "−") in ev
    # with its interval and n: the size-dependence definition (studies/size.py) on the
    # official totals, 1 000 resamples within the sequences, as the trade-offs table holds it
    from perfanalysis.report.wording import interval
    from perfanalysis.studies.size import size_dependence as size_dep

    official = b.trade.iloc[0]
    scores = b.history.loc[b.history["year"] == YEAR].set_index("unit_id")
    units = load_data(SAMPLE_DIR / "yiyang").units.set_index("unit_id")
    dep = size_dep(scores["total"], units[b.size_col].astype(float),
                   scores["sequence"], boot=1000, seed=0)
    assert (official["size_rho_lo"], official["size_rho_hi"], official["size_n"]) == \
        pytest.approx((dep["rho_lo"], dep["rho_hi"], dep["n"]), abs=1e-6)
    assert dep["n"] == 8 and dep["rho_lo"] < dep["rho_hi"]
    assert (f"({interval(dep['rho_lo'], dep['rho_hi'])},8个单位,序列内计算,"
            "正值表示规模越大得分越高)") in ev
    assert ("按总量计分ρ=0.95(区间0.73至1.00);按增速计分ρ=0.67(区间−0.11至0.97)"
            "(来源:得分与规模相关系数表") in ev
    # means over the two indicators (targets_rule_means, the study's mean of the summary's
    # shares): 统一目标 (0.5+0.7)/2 = 60 %, small (0.2+0.4)/2 = 30 %, large (0.8+1.0)/2 =
    # 90 %; 前三年平均 90 %, (0.85+0.95)/2 = 90 %, 90 %; each with its interval and n
    assert ("按“前三年平均”全体完成90.0%(85.0%至95.0%,共48个单位年、2个指标),小单位90.0%"
            "(80.0%至100.0%)、大单位90.0%(80.0%至100.0%);按“统一目标”全体完成60.0%(45.0%至"
            "70.0%,共40个单位年、2个指标)") in ev
    assert "(来源:目标完成比例的指标平均表" in ev
    assert "考虑测量误差(1000次模拟),预计平均有1.2个单位的等次会与现行结果不同" in ev
    assert "大通湖区保持达标的概率为70.0%,评为优秀的概率为20.0%,排名的90%区间为第3至第7位" in ev
    assert "(来源:等次概率表" in ev
    total = b.history.set_index(["unit_id", "year"]).at[("datonghu", YEAR), "total"]
    assert f"大通湖区{YEAR}年总分{total:.2f}分" in ev
    op = "".join(say.option_sentences(b.facts, b.trade, b.alt_flags, b.top_label, b.size_col))
    assert "方案“按增速计分(α=0)”(增量与增速的公平性):与现行方案相比4个单位等次改变" in op
    assert "ρ为−1.00(90%置信区间−1.00至−1.00,8个单位)" in op, op
    assert "测量误差下排名的标准差平均2.25位" in op
    assert "大通湖区在3个替代方案中有1个能评为优秀(按增速计分(α=0))" in op
    assert "进入优秀的概率:总量与增速混合 α=0下62.0%、总量与增速混合 α=1下5.0%" in op
    assert ("大通湖区2019年各目标规则下的目标完成情况(回测):按“前三年平均”完成3/3项;"
            "按“统一目标”完成1/3项") in op
    # issue 21: the total's smallest |ρ| is no recommendation (it picked the pre-reform
    # level comparison); the alternatives are ranked on the economic block instead
    assert "总分与规模关系最弱" not in op
    # per unit: anhua under all 3 alternatives, taojiang under 2 of them (not 均等权重)
    assert "安化县在全部3个替代方案下本年度都会触发通报批评(现行方案下同样触发)" in op
    assert "桃江县在2个替代方案(按增速计分(α=0)、按总量计分(α=1))下本年度都会触发通报批评" in op
    status = b.status.set_index("study")["status"]
    assert status["fairness"] == "部分缺失" and status["scorecard"] == "缺失"
    missing = "".join(say.missing_sentences(b.status))
    assert "“年度考核结果总览”一章尚未生成结果表" in missing
    assert "缺少2张结果表" in missing  # targets_warnings, alternatives_targets


def test_a_study_with_many_alternatives_is_summarised_by_ranges(brief) -> None:
    b, _ = brief
    many = pd.concat([b.trade.iloc[[0]]] + [b.trade.iloc[[1, 2]].assign(
        alternative=lambda d, k=k: d["alternative"] + f"#{k}") for k in range(3)],
        ignore_index=True)  # 6 fairness alternatives: ρ -1 and +1, tier changes 4 and 0
    op = "".join(say.option_sentences(b.facts.iloc[:0], many, b.alt_flags.iloc[:0],
                                      b.top_label, b.size_col))
    assert ("“增量与增速的公平性”测算了6个方案(从“按增速计分(α=0)#0”到“按总量计分(α=1)#2”):"
            "等次改变的单位数为0至4个,总分与规模的相关系数ρ为−1.00至1.00(各方案的区间见表),"
            "测量误差下排名的标准差平均1.00至2.25位") in op


def test_tables_saved_by_the_brief(brief) -> None:
    b, _ = brief
    assert {"brief_facts", "brief_tradeoffs", "tier_history", "tier_followups",
            "followups_alternatives", "brief_status"} <= set(b.tables())


def test_without_study_tables_the_brief_says_what_is_missing(sample, tmp_path: Path) -> None:
    data, scheme = sample
    b = assemble_brief(data, scheme, YEAR, tmp_path / "tables")
    assert b.focus == ["datonghu"]  # the smallest unit by population_2020
    assert list(b.trade["alternative"]) == ["现行方案"]
    assert (b.status["status"] == "缺失").all()
    op = say.option_sentences(b.facts, b.trade, b.alt_flags, b.top_label, b.size_col)
    assert op[0].startswith("目前没有可比较的替代方案")


def test_a_table_missing_contract_columns_is_an_error(tmp_path: Path) -> None:
    pd.DataFrame({"unit_id": ["a"], "p_top": [0.5]}).to_csv(
        tmp_path / "fairness_top_chance.csv", index=False)
    with pytest.raises(PipelineError, match=r"fairness_top_chance.*lacks column"):
        read_study_tables(tmp_path)
    assert set(read_study_tables(tmp_path / "none").missing) == set(CONTRACT)


def test_focus_units_and_size_column(sample) -> None:
    data, _ = sample
    units = data.units
    assert size_column(units) == "population_2020"
    assert size_column(units, "staff") == "staff"
    with pytest.raises(DataError, match="size column 'area'"):
        size_column(units, "area")
    assert focus_units(units, "大通湖区") == ["datonghu"]
    assert focus_units(units, "datonghu") == ["datonghu"]
    with pytest.raises(DataError, match="Unknown focus unit"):
        focus_units(units, "洞庭湖区")
    # by staff the smallest is 益阳高新区 (260 < 310)
    assert focus_units(units, "", "staff") == ["gaoxin"]
    assert focus_units(units, "", None) == []


def test_size_dependence_is_weighted_by_sequence_size() -> None:
    # sequence A (4 units): totals rise with size, ρ = 1; sequence B (3 units): they fall,
    # ρ = -1; sequence C (2 units) too small. Weighted: (4·1 + 3·(-1)) / 7 = 1/7
    totals = pd.DataFrame({"unit_id": list("abcdefgxy"), "sequence": list("AAAABBBCC"),
                           "total": [1, 2, 3, 4, 3, 2, 1, 5, 6]})
    sizes = pd.Series([10, 20, 30, 40, 1, 2, 3, 1, 2], index=list("abcdefgxy"), dtype=float)
    assert size_dependence_row(totals, sizes, boot=0)["size_rho"] == pytest.approx(1 / 7,
                                                                                abs=1e-6)
    assert math.isnan(size_dependence_row(totals.iloc[7:], sizes, boot=0)["size_rho"])


def test_tier_history_chart_keeps_focus_and_flagged_units_on_large_panels() -> None:
    from perfanalysis.report.figures.brief import tier_history_chart

    # 50 units × 2 years; u00 is the focus, u07 flagged: only those 2 rows are drawn
    hist = pd.DataFrame([{"unit_id": f"u{i:02d}", "name": f"单位{i:02d}", "sequence": "s",
                          "year": y, "total": 50.0 + i, "rank": 50 - i,
                          "tier": "达标" if i % 2 else "基本达标"}
                         for i in range(50) for y in (2018, 2019)])
    labels = ["优秀", "达标", "基本达标", "不达标"]
    fig = tier_history_chart(hist, labels, ["u00"], ["u07"])
    assert sorted(fig.data[0].y) == ["★单位00", "单位07"]
    assert "共50个单位" in fig.layout.title.text
    # 达标 is code 1, 基本达标 code 2 (colour bands of the tier labels, best first)
    z = {name: list(row) for name, row in zip(fig.data[0].y, fig.data[0].z)}
    assert z["★单位00"] == [2.0, 2.0] and z["单位07"] == [1.0, 1.0]
    small = tier_history_chart(hist.loc[hist["unit_id"] < "u10"], labels, ["u00"])
    assert len(small.data[0].y) == 10


def test_target_rules_are_named_by_their_chinese_label_when_given(brief) -> None:
    from perfanalysis.report.brief import StudyTables, focus_facts

    b, _ = brief
    back = pd.DataFrame({"indicator": ["gdp", "fai"], "unit_id": "datonghu", "name": "大通湖区",
                         "year": YEAR, "rule": "own_average", "target": 1.0, "actual": 1.0,
                         "attainment": 1.0, "met": [True, True], "rule_label": "近3年平均"})
    f = focus_facts("datonghu", YEAR, StudyTables({"targets_backtest": back}), b.history,
                    b.flags, b.alternatives.iloc[:0], b.top_label)
    assert set(f.loc[f["topic"] == "targets", "alternative"]) == {"近3年平均"}


def test_targets_fall_back_to_the_latest_backtested_year(brief) -> None:
    from perfanalysis.report.brief import StudyTables, focus_facts

    b, _ = brief
    back = pd.DataFrame({"indicator": ["gdp", "fai", "gdp"], "unit_id": "datonghu",
                         "name": "大通湖区", "year": [2017, 2018, 2018], "rule": "统一目标",
                         "target": 1.0, "actual": 1.0, "attainment": 1.0,
                         "met": [True, False, True]})
    f = focus_facts("datonghu", YEAR, StudyTables({"targets_backtest": back}), b.history,
                    b.flags, b.alternatives.iloc[:0], b.top_label)
    t = f.loc[f["topic"] == "targets"].set_index("statistic")
    # 2019 not back-tested: the 2018 rows, 1 of 2 met
    assert (t.at["met", "value"], t.at["targets", "value"], t.at["met", "label"]) == (1, 2, "2018")


def test_followup_sentences_with_and_without_rules(brief) -> None:
    b, _ = brief
    text = "".join(say.followup_sentences(b.flags, YEAR, b.followup_text))
    assert text.startswith("按连续2年基本达标的单位通报批评;连续2年不达标的单位组织调整,"
                           "2019年触发")
    assert "安化县(连续3年基本达标,通报批评)" in text
    assert say.followup_sentences(b.flags.iloc[:0], YEAR, "")[0].startswith("本考核方案没有")


def test_variant_label_names_the_schemes_own_rows() -> None:
    from perfanalysis.report.brief import variant_label

    assert variant_label("scheme:total", float("nan")) == "现行方案:总分"
    assert variant_label("scheme:gdp", float("nan"), "现行方案:地区生产总值") == "现行方案:地区生产总值"
    assert variant_label("level", float("nan")) == "总量"
    assert variant_label("blend", 0.3).endswith("α=0.3")


def test_target_shares_averaged_over_indicators_carry_interval_and_n(brief) -> None:
    """The brief quotes targets_rule_means (the study's joint unit bootstrap): each share
    with its interval, n unit-years and the indicators averaged; a collapsed interval (all
    small units alike: 0.3–0.3) is said to show no uncertainty."""
    b, out = brief
    means = pd.read_csv(out / "tables" / "targets_rule_means.csv").set_index("rule")
    for stat in ("share_met", "share_met_lo", "small_met_hi", "large_met_lo", "n"):
        fact = _fact(b.facts, "targets_equity", stat, "统一目标")
        assert (fact["value"], fact["source"]) == (means.at["统一目标", stat],
                                                   "targets_rule_means")
    text = "".join(say.general_sentences(b.facts, b.size_col))
    assert ("按“统一目标”全体完成60.0%(45.0%至70.0%,共40个单位年、2个指标),"
            "小单位30.0%(各次重抽样结果均相同,区间不能说明其不确定性)、大单位90.0%(75.0%至"
            "100.0%)") in text
    assert "按单位重抽样的90%区间" in text and "目标完成比例的指标平均表" in text


def _rule_means_facts() -> pd.DataFrame:
    """general_facts on a hand targets_rule_means of three rules (the third collapsed: every
    unit met every target in every resample)."""
    from perfanalysis.report.brief import general_facts

    rows = [("A", .456, .407, .505, .423, .352, .509, .491, .426, .556, 215, 9),
            ("B", .917, .867, .967, .867, .787, .956, .967, .933, 1.0, 120, 5),
            ("C", 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 186, 1)]
    cols = ["rule", "share_met", "share_met_lo", "share_met_hi", "small_met", "small_met_lo",
            "small_met_hi", "large_met", "large_met_lo", "large_met_hi", "n", "indicators"]
    means = pd.DataFrame(rows, columns=cols).assign(level=0.9)
    return general_facts({"targets_rule_means": means}, pd.DataFrame())


def test_many_target_rules_give_the_range_in_prose_and_every_rule_in_a_table() -> None:
    """Beyond two rules the brief writes the lowest and the highest overall share, each with
    interval and n, and points to the table; the table holds every rule in percent, a
    collapsed interval as 各次相同, which the sentence explains."""
    from perfanalysis.report.brief import display_target_means

    facts = _rule_means_facts()
    text = "".join(say.general_sentences(facts, "population"))
    assert ("3种目标规则中,全体完成比例最低的是“A”的45.6%(40.7%至50.5%,共215个单位年、9个指标),"
            "最高的是“C”的100.0%(各次重抽样结果均相同,区间不能说明其不确定性,共186个单位年、"
            "1个指标);") in text
    assert f"见本附件“{say.TARGET_MEANS_CAPTION}”表;表中“各次相同”表示各次重抽样结果" in text
    assert "按“B”" not in text  # the middle rule is in the table only
    table = display_target_means(facts)
    assert list(table["目标规则"]) == ["A", "B", "C"]
    assert list(table.iloc[0]) == ["A", "45.6 (40.7–50.5)", "42.3 (35.2–50.9)",
                                   "49.1 (42.6–55.6)", 215, 9]
    assert table.iloc[1]["大单位(%)"] == "96.7 (93.3–100.0)"
    assert set(table.iloc[2][["全体(%)", "小单位(%)", "大单位(%)"]]) == {"100.0 (各次相同)"}
    assert len(say.general_sentences(facts, None)) == 1  # nothing else among the facts
    # without a collapsed interval the note is not written
    facts2 = facts.loc[facts["alternative"] != "C"]
    facts2 = pd.concat([facts2, _rule_means_facts().query("alternative == 'A'")
                        .assign(alternative="D")], ignore_index=True)
    text2 = "".join(say.general_sentences(facts2, None))
    assert "3种目标规则中" in text2 and "各次相同" not in text2
    assert "最高的是“B”的91.7%(86.7%至96.7%,共120个单位年、5个指标)" in text2


def test_the_panel_brief_tables_every_target_rule_it_does_not_write_out(panel_run) -> None:
    """On the provincial panel (seven rules, two indicators, 31 units) the brief's sentence
    gives the range and its table shows each rule of targets_rule_means: the shares in
    percent and the interval bounds, read back from the report's HTML."""
    import re

    out, page = panel_run["out"], panel_run["html"]
    means = pd.read_csv(out / "tables" / "targets_rule_means.csv", encoding="utf-8-sig")
    assert len(means) > say.MAX_LISTED_RULES
    found = re.search(f"<caption>{say.TARGET_MEANS_CAPTION}</caption>(.*?)</table>", page,
                      re.DOTALL)
    assert found, "the brief shows no table of the target rules"
    rows = [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
            for r in re.findall(r"<tr>(.*?)</tr>", found.group(1))]
    rows = [r for r in rows if r]
    assert [r[0] for r in rows] == list(means["rule_label"])
    for r, m in zip(rows, means.itertuples(index=False)):
        for cell, key in zip(r[1:4], ("share_met", "small_met", "large_met")):
            share, lo, hi = (100 * getattr(m, k) for k in (key, f"{key}_lo", f"{key}_hi"))
            assert cell == f"{share:.1f} " + ("(各次相同)" if lo == hi else f"({lo:.1f}–{hi:.1f})")
        assert (r[-2], r[-1]) == (str(m.n), str(m.indicators))
    low = means.loc[means["share_met"].idxmin()]
    assert f"全体完成比例最低的是“{low['rule_label']}”的{100 * low['share_met']:.1f}%" in page
