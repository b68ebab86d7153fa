"""Charts that read at any scale (issue 23): a series equal to another is drawn once, one
axis holds one kind of quantity, and beyond a readable number of units a chart draws a
stated selection (the full tables are in scores.xlsx)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from perfanalysis.figures import boundaries as bf
from perfanalysis.figures import fairness as ff
from perfanalysis.figures import weightings as wf


def _variants() -> pd.DataFrame:
    """Two units over two years: the blend at α=0 is the growth score, at α=0.5 not."""
    rows = []
    for uid, lv, gr in (("a", [1, 2], [2, 1]), ("b", [2, 1], [1, 2])):
        for year, lvl, grw in zip((2018, 2019), lv, gr, strict=True):
            rows += [{"unit_id": uid, "name": uid, "year": year, "variant": "level",
                      "alpha": np.nan, "rank": lvl},
                     {"unit_id": uid, "name": uid, "year": year, "variant": "growth",
                      "alpha": np.nan, "rank": grw},
                     {"unit_id": uid, "name": uid, "year": year, "variant": "blend",
                      "alpha": 0.0, "rank": grw},
                     {"unit_id": uid, "name": uid, "year": year, "variant": "blend",
                      "alpha": 0.5, "rank": 3 - grw if year == 2019 else grw}]
    return pd.DataFrame(rows)


def test_a_blend_equal_to_the_growth_series_is_drawn_once() -> None:
    panel = _variants()
    wanted = [("level", None), ("growth", None), ("blend", 0.0), ("blend", 0.5)]
    assert ff.distinct_panels(panel, wanted, "rank") == [("level", None), ("growth", None),
                                                         ("blend", 0.5)]
    fig = ff.bump_chart(panel, [("level", None), ("growth", None), ("blend", 0.0)])
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["总量", "增速"]  # no "α=0.00" panel repeating 增速
    assert len(fig.data) == 2 * 2  # two units in two panels


def test_the_sensitivity_chart_has_one_unit_per_axis() -> None:
    sens = pd.DataFrame({
        "rule": ["达标线"] * 3 + ["评优名额"] * 2 + ["评优比例"] * 2,
        "kind": ["threshold"] * 3 + ["quota_top"] * 2 + ["quota_share"] * 2,
        "shift": [-1.0, 0.0, 1.0, 1, 2, 10, 20], "n_changed": [1, 0, 2, 1, 0, 0, 3]})
    fig = bf.sensitivity_chart(sens, 2019)
    axes = {k: fig.layout[k].title.text for k in ("xaxis", "xaxis2", "xaxis3")}
    assert axes == {"xaxis": "分数线移动(分)", "xaxis2": "每序列评优名额(名)",
                    "xaxis3": "评优比例(%)"}
    assert [t.xaxis for t in fig.data] == ["x", "x2", "x3"]


def test_sobol_factors_of_each_kind_get_their_own_panel() -> None:
    sobol = pd.DataFrame({"target": "平均绝对名次变化",
                          "parameter": ["甲权重", "乙权重", "增量与增速权重α", "计分方法"],
                          "factor": ["a", "b", "alpha", "method"],
                          "S1": [0.1, 0.2, 0.3, 0.4], "S1_conf": 0.05,
                          "ST": [0.2, 0.3, 0.4, 0.5], "ST_conf": 0.05})
    fig = wf.sobol_chart(sobol, "平均绝对名次变化")
    by_axis = {}
    for t in fig.data:
        by_axis.setdefault(t.xaxis, set()).update(t.x)
    assert by_axis == {"x": {"甲权重", "乙权重"}, "x2": {"增量与增速权重α"}, "x3": {"计分方法"}}


def _totals(n: int) -> pd.DataFrame:
    """n units in a base and one other scenario; unit k moves k % 7 places down."""
    rows = []
    for k in range(n):
        rows.append({"scenario": "基准方案", "unit_id": f"u{k:03d}", "name": f"县{k}",
                     "total": float(n - k), "tier": "达标"})
        rows.append({"scenario": "情景", "unit_id": f"u{k:03d}", "name": f"县{k}",
                     "total": float(n - k) - (k % 7) * 1.01 + 0.001 * k,
                     "tier": "达标" if k % 7 < 4 else "基本达标"})
    return pd.DataFrame(rows)


def test_the_scenario_bump_chart_draws_the_units_that_move_most_beyond_30() -> None:
    small = wf.rank_bump_chart(_totals(12), 2019)
    assert len(small.data) == 12 and "图中" not in small.layout.title.text
    fig = wf.rank_bump_chart(_totals(300), 2019)
    assert len(fig.data) == wf.BUMP_LIMIT
    assert "共300个单位,图中为位次变化最大的20个" in fig.layout.title.text
    t = _totals(300)
    t["position"] = t.groupby("scenario")["total"].rank(method="min", ascending=False)
    base = t.loc[t["scenario"] == "基准方案"].set_index("unit_id")["position"]
    shift = (t["position"] - t["unit_id"].map(base)).abs().groupby(t["unit_id"]).max()
    drawn = {tr.name for tr in fig.data}
    moved_least_drawn = min(shift[f"u{int(n[1:]):03d}"] for n in drawn)
    assert moved_least_drawn >= shift.sort_values(ascending=False).iloc[wf.BUMP_LIMIT - 1]


def test_the_tier_matrix_and_sobol_heatmap_keep_a_readable_number_of_rows() -> None:
    totals = _totals(300)
    fig = wf.tier_matrix_chart(totals, ["达标", "基本达标"], 2019)
    changing = int((np.arange(300) % 7 >= 4).sum())  # units whose tier changes: 3 in 7
    assert len(fig.data[0].y) == wf.MATRIX_LIMIT
    assert f"等次随情景变化的单位共{changing}个" in fig.layout.title.text
    sobol = pd.DataFrame({"target": [f"县{k}" for k in range(100) for _ in range(2)],
                          "parameter": ["甲权重", "乙权重"] * 100,
                          "ST": [k / 100 for k in range(100) for _ in range(2)],
                          "S1": 0.0, "S1_conf": 0.0, "ST_conf": 0.0})
    heat = wf.sobol_unit_heatmap(sobol, "平均绝对名次变化")
    assert list(heat.data[0].y) == [f"县{k}" for k in range(60, 100)]  # the 40 most sensitive
    assert "共100个单位,列出最敏感的40个" in heat.layout.title.text
