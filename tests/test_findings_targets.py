"""Findings sentences and charts of the targets study: every number comes from the tables
given, the right rule is named, the charts hold what they claim."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perfanalysis import load_scheme
from perfanalysis.paths import PROJ_ROOT
from perfanalysis.report.figures import targets as figs
from perfanalysis.report.findings import targets as say

LABELS = {"a": "近3年平均", "b": "近3年平均增速", "c": "同序列增速中位数"}
NAMES = {"x": "财政总收入"}


def summary() -> pd.DataFrame:
    return pd.DataFrame({
        "indicator": "x", "rule": ["a", "b", "c"], "n": 24, "n_invalid": 0, "years": 3,
        "share_met": [0.8333, 0.5, 0.4167], "share_met_lo": [0.6667, 0.375, 0.25],
        "share_met_hi": [0.9583, 0.625, 0.5833], "mape": [0.0992, 0.0605, 0.0579],
        "mape_lo": [0.065, 0.042, 0.039], "mape_hi": [0.132, 0.086, 0.085],
        "equity_rho": [0.68, 0.11, -0.35], "equity_rho_lo": [0.18, -0.15, -0.80],
        "equity_rho_hi": [0.95, 0.31, 0.20], "equity_n": 8, "small_met": [0.1667, 0.3333, 0.25],
        "small_met_lo": [0.0, 0.1, 0.05], "small_met_hi": [0.4, 0.6, 0.5], "small_n": 12,
        "large_met": [0.75, 0.6667, 0.5833], "large_met_lo": [0.5, 0.4, 0.3],
        "large_met_hi": [1.0, 0.9, 0.8], "large_n": 12})


def test_accuracy_names_the_lowest_and_highest_error():
    text, note = say.accuracy_sentences(summary(), LABELS, NAMES)
    # c has the smallest level MAPE (5.79 %), a the largest (9.92 %); met shares 42 % … 83 %
    assert text.startswith("“财政总收入”:3个年度、24个单位-年度的回测中")
    assert ("最准确的规则是同序列增速中位数(平均绝对百分比误差5.8%,90%区间3.9%至8.5%)"
            in text)
    assert "最不准确的是近3年平均(9.9%,90%区间6.5%至13.2%)" in text
    assert ("从同序列增速中位数的42%(90%区间25%至58%)到近3年平均的83%(90%区间67%至96%)"
            in text)
    assert "误差按水平值计算" in note


def test_equity_names_the_rule_closest_to_zero_and_the_hardest_on_small_units():
    text = say.equity_sentences(summary(), LABELS, NAMES, "population_2020")[0]
    # |0.11| is the smallest: b; 0.68 the largest positive: a
    assert "按2020年常住人口衡量规模,达成度与规模关系最弱的规则是近3年平均增速" in text
    assert ("秩相关系数0.11,90%区间-0.15至0.31,8个单位;小单位完成33%(90%区间10%至60%,"
            "12个单位年),大单位完成67%(90%区间40%至90%,12个单位年)") in text
    assert "对小单位最不利的是近3年平均(秩相关系数0.68" in text
    assert "population" not in text and "不足以判断" not in text
    # |ρ| ≥ 0.3 with an interval across 0: too few units to decide, said so
    s = summary()
    s.loc[1, ["equity_rho", "equity_rho_lo", "equity_rho_hi"]] = [0.05, -0.3, 0.4]
    text = say.equity_sentences(s, LABELS, NAMES, "population_2020")[0]
    assert "近3年平均(秩相关系数0.68" in text
    s.loc[0, ["equity_rho", "equity_rho_lo", "equity_rho_hi"]] = [0.45, -0.2, 0.9]
    text = say.equity_sentences(s, LABELS, NAMES, "population_2020")[0]
    assert "0.45,90%区间-0.20至0.90,8个单位;8个单位不足以判断" in text


def test_a_rule_nearly_everyone_meets_is_not_called_the_fairest():
    """The provincial panel's GDP: the three-year average level is met in every unit-year
    of a growing series (100 %), and its attainment relates to size least. Among the rules
    that bind (met below 95 %) the weakest relation is b's |0.11|; the easy rule d
    (ρ = −0.03, met 100 %) is named apart; if every rule were easy, the chosen one says so."""
    s = pd.concat([summary(), summary().iloc[[1]].assign(
        rule="d", equity_rho=-0.03, equity_rho_lo=-0.38, equity_rho_hi=0.37, share_met=1.0,
        share_met_lo=1.0, share_met_hi=1.0)], ignore_index=True)
    labels = {**LABELS, "d": "近3年平均水平"}
    text = say.equity_sentences(s, labels, NAMES, "population_2020")[0]
    assert "达成度与规模关系最弱的规则是近3年平均增速(达成度与规模的秩相关系数0.11" in text
    assert (";近3年平均水平的秩相关更接近0(-0.03),但其目标100%都能完成(各次重抽样结果均相同,"
            "区间不能说明其不确定性),几乎不构成约束,不作比较") in text
    # 95 % is the line: a rule met 94 % binds
    s.loc[3, "share_met"] = 0.94
    s.loc[3, ["share_met_lo", "share_met_hi"]] = [0.9, 0.97]
    assert "关系最弱的规则是近3年平均水平" in say.equity_sentences(s, labels, NAMES,
                                                                "population_2020")[0]
    every = s.assign(share_met=0.97, share_met_lo=0.95, share_met_hi=0.99)
    text = say.equity_sentences(every, labels, NAMES, "population_2020")[0]
    assert ("关系最弱的规则是近3年平均水平" in text and
            ",但该规则的目标97%都能完成(90%区间95%至99%),几乎不构成约束,关系弱不能说明它对各单位"
            "公平" in text)


def test_not_applicable_and_cap_sentences():
    absent = pd.DataFrame({"indicator": ["x", "y"], "basis": "increment",
                           "rule": "a", "reason": "作为增量目标等于要求下降"})
    (text,) = say.not_applicable_sentences(absent, LABELS, {"x": "财政总收入", "y": "固定资产投资"})
    assert text == "“近3年平均”未用于“财政总收入”、“固定资产投资”:作为增量目标等于要求下降。"
    cap = pd.DataFrame({"indicator": ["x", "y", "all"], "indicator_name": ["甲", "乙", "全部"],
                        "cap": 1.2, "points": [5.0, 3.0, 8.0], "n": [8, 8, 16],
                        "at_cap": [5, 1, 6], "share_at_cap": [0.625, 0.125, 0.375],
                        "share_lo": [0.35, 0.03, 0.2], "share_hi": [0.84, 0.41, 0.58],
                        "units_above_full": [6, 2, 8], "points_above_full": [5.7, 0.4, 6.1],
                        "max_points_above": [1.0, 0.3, 1.0]})
    (text,) = say.cap_sentences(cap, 2019)
    assert text.startswith("2019年,按方案现行规则,16个“单位×完成率指标”得分中有6个"
                           "达到完成率上限120%(38%,90%区间20%至58%)")
    assert "其中“甲”最多(5/8)" in text
    assert "8个得分超过满分,合计多得6.10分,单项最多多得1.00分" in text
    assert say.cap_sentences(cap.iloc[:0], 2019) == []


def test_focus_unit_counts_met_targets_per_rule():
    bt = pd.DataFrame({"unit_id": ["d"] * 6 + ["e"] * 2, "rule": ["a", "a", "b", "b", "c", "c",
                                                                   "a", "b"],
                       "met": [True, False, True, True, False, False, True, True],
                       "valid": True})
    (text,) = say.focus_sentences(bt, "d", "大通湖区", LABELS)
    # d: a meets 1 of 2, b 2 of 2, c 0 of 2
    assert text.startswith("大通湖区在回测的2个目标(指标×年度)中:按近3年平均完成1个,"
                           "按近3年平均增速完成2个,按同序列增速中位数完成0个。")
    assert "最有利的是近3年平均增速,最不利的是同序列增速中位数" in text
    # a rule that sets fewer targets (applies to fewer indicators) is compared by shares
    (text,) = say.focus_sentences(bt.iloc[[0, 2, 3, 4, 5]], "d", "大通湖区", LABELS)
    assert "按近3年平均完成1/1个,按近3年平均增速完成2/2个,按同序列增速中位数完成0/2个" in text
    assert "最有利的是近3年平均," in text


def test_effects_and_warnings_sentences():
    shifts = pd.DataFrame({"rule": ["scheme", "b", "b"], "name": ["甲", "甲", "乙"],
                           "shift": [0, 2, -2], "tier_changed": [False, True, True],
                           "tier_base": ["达标", "达标", "优秀"], "tier": ["达标", "优秀", "达标"]})
    (text,) = say.effect_sentences(shifts, LABELS, 2019)
    assert text == ("把完成率指标的目标改为近3年平均增速,2019年有2个单位等次改变:"
                    "甲(由达标变为优秀)、乙(由优秀变为达标);名次最多变动2位。")
    warn = pd.DataFrame({"unit_id": ["heshan"], "name": ["赫山区"], "indicator": ["f"],
                         "indicator_name": ["财政总收入"], "year": [2019],
                         "rule": ["own_average(3)×1.1"], "target": [20.02],
                         "last_actual": [20.54], "direction": ["positive"]})
    head, line = say.warning_summary(warn, 2019)
    assert "有1个目标比上年实际值还容易完成" in head
    assert line == ("赫山区的“财政总收入”2019年目标值20.02低于上年实际值20.54,"
                    "目标比已达到的水平还低。")  # no rule spelled as code
    many = pd.concat([warn] * 40, ignore_index=True)
    got = say.warning_summary(many, 2019, limit=30)
    assert len(got) == 31 and "以下列出前30个,完整数据见导出的结果表 scores.xlsx" in got[0]
    assert "规则" not in say.display_warnings(many).columns
    assert say.warning_summary(warn.iloc[:0], 2019)[0].startswith("按方案现行规则,2019年没有")


def test_k_note():
    assert say.k_note(3, 3, 2013, 2019) == []
    assert say.k_note(3, 1, 2011, 2013) == [
        "数据从2011年开始,评估2013年最多可用1年历史,因此各规则的历史年数由3改为1。"]


def _bt() -> pd.DataFrame:
    units = ["u1", "u2", "u3", "u4"]
    size = np.array([10.0, 100.0, 1000.0, 10000.0])
    rows = []
    for rule, slope in (("a", 0.1), ("b", 0.0)):
        for year in (2018, 2019):
            for u, s in zip(units, size):
                att = 1.0 + slope * np.log(s)
                rows.append({"indicator": "x", "unit_id": u, "name": u + "区", "year": year,
                             "rule": rule, "target": 10.0, "actual": 10.0 * att,
                             "attainment": att, "met": att >= 1, "valid": True})
    return pd.DataFrame(rows), pd.Series(size, index=units)


def test_equity_scatter_fitted_line_is_least_squares_on_log_size():
    bt, size = _bt()
    fig = figs.equity_scatter(bt, size, "population", LABELS, "财政总收入")
    lines = [t for t in fig.data if t.mode == "lines"]
    assert len(lines) == 2
    # rule a: attainment = 1 + 0.1·ln(size) exactly, so the line passes through the points
    x = np.asarray(lines[0].x, dtype=float)
    assert np.asarray(lines[0].y, dtype=float) == pytest.approx(1 + 0.1 * np.log(x))
    assert np.asarray(lines[1].y, dtype=float) == pytest.approx(np.ones(len(x)))
    assert fig.layout.xaxis.type == "log"


def test_heatmap_and_dumbbell_hold_every_rule():
    bt, _size = _bt()
    heat = figs.attainment_heatmap(bt, "财政总收入", LABELS, ["u1区", "u2区", "u3区", "u4区"])
    # per rule a grey layer for cells without a target under the coloured one
    assert [t.type for t in heat.data] == ["heatmap"] * 4
    assert list(heat.data[1].y) == ["u1区", "u2区", "u3区", "u4区"]
    assert {a.text for a in heat.layout.annotations} >= {"近3年平均", "近3年平均增速"}
    assert "实际÷目标" in heat.layout.title.text
    bell = figs.dumbbell_chart(bt, 2019, "财政总收入", LABELS)
    names = [t.name for t in bell.data if t.mode == "markers"]
    assert names == ["近3年平均", "近3年平均增速", "实际值"]


def test_heatmap_names_on_the_first_column_grey_gaps_reverse_title():
    bt, _size = _bt()
    bt = pd.concat([bt, bt.assign(rule="c"), bt.assign(rule="a2")], ignore_index=True)
    bt.loc[(bt["rule"] == "c") & (bt["unit_id"] == "u1"), "attainment"] = np.nan
    heat = figs.attainment_heatmap(bt, "PM2.5年均浓度", {**LABELS, "a2": "其他"},
                                   reverse=True)
    # 4 panels: 3 columns, 2 rows; names only on column 1 of each row
    shown = {k: heat.layout[k].showticklabels for k in heat.layout
             if k.startswith("yaxis")}
    assert shown == {"yaxis": True, "yaxis2": False, "yaxis3": False, "yaxis4": True,
                     "yaxis5": False, "yaxis6": False}
    # the cell without attainment is grey (the layer under rule c), not white (= 1)
    grey, colour = heat.data[4], heat.data[5]
    row = list(colour.y).index("u1区")
    assert np.isnan(colour.z[row][0]) and grey.z[row][0] == 1.0
    assert grey.colorscale[0][1] == figs.NO_DATA_COLOUR
    assert "目标÷实际" in heat.layout.title.text


def test_attainment_cube_is_the_mean_pivot_of_each_rule():
    """Hand-made back-test rows: a duplicated cell is averaged, a NaN is skipped (a cell
    with only NaN stays NaN), an infinite value carries through, units not shown and rules
    or years not asked for are left out; the cube equals pandas' mean pivot, rule by rule."""
    rows = [("a", "甲", 2018, 1.0), ("a", "甲", 2018, 2.0), ("a", "甲", 2019, np.nan),
            ("a", "乙", 2018, 0.5), ("a", "丙", 2018, 9.0), ("b", "乙", 2019, np.inf),
            ("b", "甲", 2019, np.nan), ("b", "甲", 2019, 0.8), ("z", "甲", 2018, 7.0),
            ("a", "甲", 2017, 5.0)]
    bt = pd.DataFrame(rows, columns=["rule", "name", "year", "attainment"])
    names, years = ["甲", "乙"], [2018, 2019]
    cube = figs.attainment_cube(bt, ["a", "b"], names, years)
    nan, inf = np.nan, np.inf
    np.testing.assert_array_equal(cube, [[[1.5, nan], [0.5, nan]], [[nan, 0.8], [nan, inf]]])
    twice = figs.attainment_cube(bt, ["a", "b"], ["甲", "乙", "甲"], years)
    np.testing.assert_array_equal(twice, cube[:, [0, 1, 0], :])
    for k, rule in enumerate(["a", "b"]):
        pivot = bt.loc[bt["rule"] == rule].pivot_table(
            index="name", columns="year", values="attainment").reindex(
            index=names, columns=years).to_numpy(float)
        np.testing.assert_array_equal(cube[k], pivot)


def test_one_extreme_value_does_not_set_the_scale():
    bt, size = _bt()
    bt = pd.concat([bt] * 6, ignore_index=True)
    bt["unit_id"] = [f"u{i}" for i in range(len(bt))]
    bt["name"] = bt["unit_id"] + "区"
    size = pd.Series(np.linspace(1, 1000, len(bt)), index=bt["unit_id"])
    bt.loc[0, "attainment"] = 40.0  # e.g. a target near 0
    scatter = figs.equity_scatter(bt, size, "population", LABELS)
    _lo, hi = scatter.layout.yaxis.range
    assert hi < 10 and max(np.nanmax(np.asarray(t.y, float)) for t in scatter.data
                          if "markers" in t.mode) <= hi
    heat = figs.attainment_heatmap(bt, "x", LABELS)
    assert heat.data[1].zmax < 3 and "▲" in np.asarray(heat.data[1].text).ravel()
    bell = bt.assign(year=2019, target=bt["actual"])
    bell.loc[0, "target"] = 50 * bell.loc[0, "actual"]
    fig = figs.dumbbell_chart(bell, 2019, "x", LABELS)
    assert fig.layout.xaxis.range[1] < 200


def test_rank_change_chart_colours_tiers():
    scheme = load_scheme(PROJ_ROOT / "data/schemes/yiyang_2018.yaml")
    shifts = pd.DataFrame({"rule": ["scheme", "b"], "unit_id": "u", "name": "甲",
                           "sequence": "counties", "rank_base": 1, "rank": [1, 2],
                           "shift": [0, -1], "tier_base": "优秀", "tier": ["优秀", "达标"],
                           "tier_changed": [False, True]})
    fig = figs.rank_change_chart(shifts, scheme, 2019, {"scheme": "方案现行规则", **LABELS})
    unit = fig.data[0]
    assert list(unit.y) == [1, 2] and list(unit.x) == ["方案现行规则", "近3年平均增速"]
    assert unit.marker.color[0] != unit.marker.color[1]


def test_charts_stay_readable_for_a_large_panel():
    units = [f"u{i:03d}" for i in range(150)]
    bt = pd.DataFrame({"indicator": "x", "unit_id": units, "name": units, "year": 2019,
                       "rule": "a", "target": 1.0, "actual": np.linspace(0.9, 1.1, 150),
                       "attainment": np.linspace(0.9, 1.1, 150), "met": True, "valid": True})
    bell = figs.dumbbell_chart(bt, 2019, "财政总收入", LABELS, keep=("u075",))
    heat = figs.attainment_heatmap(bt, "财政总收入", LABELS, keep=("u075",))
    # the 20 lowest and 20 highest attainments and the unit asked about, names readable
    rows = list(heat.data[1].y)
    assert len(rows) == 41 and {"u000", "u019", "u130", "u149", "u075"} <= set(rows)
    assert "共 150 个单位" in heat.layout.title.text and "共 150 个单位" in bell.layout.title.text
    assert heat.layout.yaxis.showticklabels is True
    assert bell.layout.height <= 41 * 26 + 400 and heat.layout.height <= 41 * 26 + 400
    # the equity chart: 20 size groups of 7–8 units each, the fitted line on all units
    size = pd.Series(np.arange(1.0, 151.0), index=units)
    eq = figs.equity_scatter(bt, size, "population", LABELS)
    groups, line = eq.data[0], eq.data[1]
    assert len(groups.x) == 20 and sum(c[0] for c in groups.customdata) == 150
    assert groups.customdata[0][1] == pytest.approx(bt["attainment"].iloc[:8].mean())
    slope, icpt = np.polyfit(np.log(size.to_numpy()), bt["attainment"].to_numpy(), 1)
    assert np.asarray(line.y, float) == pytest.approx(icpt + slope * np.log(
        np.asarray(line.x, float)))


def test_rank_chart_with_31_sequences_aggregates():
    # the national case: 31 sequences used to ask for 31 facets in one row and crash
    scheme = load_scheme(PROJ_ROOT / "data/schemes/yiyang_2018.yaml")
    rng = np.random.default_rng(1)
    n = 31 * 20
    base = pd.DataFrame({"unit_id": [f"u{i}" for i in range(n)], "name": [f"u{i}" for i in
                                                                          range(n)],
                         "sequence": [f"s{i % 31}" for i in range(n)], "rank_base": 1,
                         "tier_base": "优秀"})
    shifts = pd.concat([base.assign(rule=r, rank=1 + rng.integers(0, 3, n)) for r in
                        ("scheme", "b")], ignore_index=True)
    shifts["shift"] = shifts["rank_base"] - shifts["rank"]
    shifts["tier"] = np.where(shifts["shift"] < -1, "达标", "优秀")
    shifts["tier_changed"] = shifts["tier"] != shifts["tier_base"]
    fig = figs.rank_change_chart(shifts, scheme, 2019, LABELS)
    assert [t.type for t in fig.data] == ["box"]
    changed = int(shifts.loc[shifts["rule"] == "b", "tier_changed"].sum())
    assert fig.layout.annotations[0].text == f"等次改变 {changed} 个"
    moved = shifts.loc[shifts["rule"] == "b", "shift"]
    assert (fig.data[0].median[0], fig.data[0].q1[0], fig.data[0].lowerfence[0]) == (
        moved.median(), moved.quantile(0.25), moved.min())
    assert "31 个序列" in fig.layout.title.text
    # a few sequences still get one panel each, wrapping after three columns
    few = shifts.loc[shifts["sequence"].isin(["s0", "s1", "s2", "s3"])].groupby(
        ["rule", "sequence"]).head(3)
    fig = figs.rank_change_chart(few, scheme, 2019, LABELS)
    assert fig.layout.xaxis4.anchor == "y4" and fig.layout.height == 1040


def test_long_change_tables_show_the_largest_moves_and_the_units_asked_about():
    n = 100
    shifts = pd.DataFrame({"rule": "b", "unit_id": [f"u{i}" for i in range(n)],
                           "name": [f"县{i}" for i in range(n)], "rank_base": 50,
                           "rank": 50 - np.arange(n) % 7 + 3, "tier_base": "达标",
                           "tier": "达标"})
    shifts["shift"] = shifts["rank_base"] - shifts["rank"]
    shifts["tier_changed"] = False
    shifts.loc[5, ["tier", "tier_changed"]] = ["优秀", True]
    table = say.display_changes(shifts, LABELS, limit=10, keep=("u99",))
    # the unit asked about first, then the tier change, then the largest moves (±3)
    assert list(table["单位"][:2]) == ["县99", "县5"] and len(table) == 11
    assert table["上升位数"].iloc[2:].abs().eq(3).all()
    moved = int((shifts["shift"] != 0).sum())
    assert say.changes_note(shifts, 10) == [
        (f"名次或等次变化共{moved}行,下表只列等次改变和名次变动最大的10行;"
         "完整数据见导出的结果表 scores.xlsx。")]


def test_a_collapsed_interval_is_said_to_show_no_uncertainty():
    """No small unit met a target under rule b in any year: every resample of units gives
    0 %, and the sentence says the interval shows nothing instead of printing 0%至0%."""
    s = summary()
    s.loc[1, ["small_met", "small_met_lo", "small_met_hi"]] = [0.0, 0.0, 0.0]
    s.loc[0, ["share_met", "share_met_lo", "share_met_hi"]] = [1.0, 1.0, 1.0]
    text = say.equity_sentences(s, LABELS, NAMES, "population_2020")[0]
    assert "小单位完成0%(各次重抽样结果均相同,区间不能说明其不确定性,12个单位年)" in text
    assert "0%至0%" not in text
    acc = say.accuracy_sentences(s, LABELS, NAMES)[0]
    assert "到近3年平均的100%(各次重抽样结果均相同,区间不能说明其不确定性)" in acc
