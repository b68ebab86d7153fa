"""Findings sentences and charts of the targets study: every number comes from the tables
given, the right rule is named, the charts hold what they claim."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perfanalysis import load_scheme
from perfanalysis.figures import targets as figs
from perfanalysis.findings import targets as say
from perfanalysis.paths import PROJ_ROOT

LABELS = {"a": "近3年平均", "b": "近3年平均增速", "c": "同序列增速中位数"}
NAMES = {"x": "财政总收入"}


def summary() -> pd.DataFrame:
    return pd.DataFrame({
        "indicator": "x", "rule": ["a", "b", "c"], "n": 24, "n_invalid": 0, "years": 3,
        "share_met": [0.8333, 0.5, 0.4167], "mape": [0.0992, 0.0605, 0.0579],
        "equity_rho": [0.68, 0.11, 0.35], "equity_rho_lo": [0.18, -0.15, 0.07],
        "equity_rho_hi": [0.95, 0.31, 0.53], "small_met": [0.1667, 0.3333, 0.25],
        "large_met": [0.75, 0.6667, 0.5833]})


def test_accuracy_names_the_lowest_and_highest_error():
    (text,) = say.accuracy_sentences(summary(), LABELS, NAMES)
    # c has the smallest mape (5.79 %), a the largest (9.92 %); met shares 42 % … 83 %
    assert "最准确的目标规则是同序列增速中位数(目标与实际的平均绝对百分比误差 5.8%)" in text
    assert "最不准确的是近3年平均(9.9%)" in text
    assert "从同序列增速中位数的42%到近3年平均的83%" in text


def test_equity_names_the_rule_closest_to_zero_and_the_hardest_on_small_units():
    text = say.equity_sentences(summary(), LABELS, NAMES, "population_2020")[0]
    # |0.11| is the smallest: b; 0.68 the largest positive: a
    assert "按常住人口(population_2020)衡量规模,最公平的规则是近3年平均增速" in text
    assert "秩相关系数 0.11,90%区间 -0.15~0.31;小单位完成 33%,大单位完成 67%" in text
    assert "对小单位最不利的是近3年平均(秩相关系数 0.68" in text


def test_focus_unit_counts_met_targets_per_rule():
    bt = pd.DataFrame({"unit_id": ["d"] * 6 + ["e"] * 2, "rule": ["a", "a", "b", "b", "c", "c",
                                                                   "a", "b"],
                       "met": [True, False, True, True, False, False, True, True],
                       "valid": True})
    (text,) = say.focus_sentences(bt, "d", "大通湖区", LABELS)
    # d: a meets 1 of 2, b 2 of 2, c 0 of 2
    assert text.startswith("大通湖区在回测的 2 个目标(指标×年度)中:按近3年平均完成 1 个,"
                           "按近3年平均增速完成 2 个,按同序列增速中位数完成 0 个。")
    assert "最有利的是近3年平均增速,最不利的是同序列增速中位数" in text


def test_effects_and_warnings_sentences():
    shifts = pd.DataFrame({"rule": ["scheme", "b", "b"], "name": ["甲", "甲", "乙"],
                           "shift": [0, 2, -2], "tier_changed": [False, True, True],
                           "tier_base": ["达标", "达标", "优秀"], "tier": ["达标", "优秀", "达标"]})
    (text,) = say.effect_sentences(shifts, LABELS, 2019)
    assert text == ("把完成率指标的目标改为近3年平均增速,2019年有 2 个单位等次改变:"
                    "甲(达标→优秀)、乙(优秀→达标);名次最多变动 2 位。")
    warn = pd.DataFrame({"unit_id": ["heshan"], "name": ["赫山区"], "indicator": ["f"],
                         "indicator_name": ["财政总收入"], "year": [2019],
                         "rule": ["own_average(3)×1.1"], "target": [20.02],
                         "last_actual": [20.54], "direction": ["positive"]})
    head, line = say.warning_summary(warn, 2019)
    assert "有 1 个目标比上年实际值还容易完成" in head
    assert line.startswith("赫山区的“财政总收入”2019年目标值 20.02 低于上年实际值 20.54")
    assert say.warning_summary(warn.iloc[:0], 2019)[0].startswith("按方案现行规则,2019年没有")


def test_k_note():
    assert say.k_note(3, 3, 2013, 2019) == []
    assert say.k_note(3, 1, 2011, 2013) == [
        "数据从 2011 年开始,评估 2013 年最多可用 1 年历史,因此各规则的历史年数由 3 改为 1。"]


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
    assert [t.type for t in heat.data] == ["heatmap", "heatmap"]
    assert list(heat.data[0].y) == ["u1区", "u2区", "u3区", "u4区"]
    assert {a.text for a in heat.layout.annotations} >= {"近3年平均", "近3年平均增速"}
    bell = figs.dumbbell_chart(bt, 2019, "财政总收入", LABELS)
    names = [t.name for t in bell.data if t.mode == "markers"]
    assert names == ["近3年平均", "近3年平均增速", "实际值"]


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
    bell = figs.dumbbell_chart(bt, 2019, "财政总收入", LABELS)
    heat = figs.attainment_heatmap(bt, "财政总收入", LABELS)
    # names on hover only, and no more than ~8 px per unit row (150 units: 4 px)
    assert bell.layout.yaxis.showticklabels is False
    assert heat.layout.yaxis.showticklabels is False
    assert bell.layout.height <= 150 * 4 + 400 and heat.layout.height <= 150 * 4 + 400
