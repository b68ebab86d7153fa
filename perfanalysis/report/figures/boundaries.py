"""Charts of study 3 (tier boundaries): margins with tier bands, tier probabilities, rank
intervals with quota lines, threshold sensitivity and the payout distribution.

The study's computation: ``perfanalysis.studies.boundaries``; its findings:
``perfanalysis.report.findings.boundaries``; chapter ``notebooks/03_tier_boundaries.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ...engine.errormodel import error_size_units
from ...engine.scheme import Scheme
from ..charts import (
    SHOWN_EACH_END,
    TIER_PALETTE,
    _layout,
    _x,
    chart_rows,
    selection_title,
    tier_colours,
)

#: what a large panel's margin and probability charts draw (``chart_rows``' "lowest")
LEAST_CERTAIN = f"保持正式等次概率最低的{2 * SHOWN_EACH_END}个"


def _order(table: pd.DataFrame) -> pd.DataFrame:
    return table.sort_values(["sequence", "total"], ascending=[True, False], kind="stable")


def _least_certain(probs: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The units a per-unit chart of this chapter draws, in sequence and total order: all
    of a small panel; of a large one (``UNIT_CHART_LIMIT``), those least likely to keep
    their official tier — where the tier is in question. Also the number of units."""
    t = _order(probs).reset_index(drop=True)
    return t.loc[chart_rows(t["p_official"], "lowest")], len(t)


def margin_chart(probs: pd.DataFrame, scheme: Scheme, year: int) -> go.Figure:
    """Each unit's official total (dot, coloured by official tier) with the simulated
    5–95 % range of its total, over the score bands of the tiers (thresholds)."""
    t, n_units = _least_certain(probs)
    colours = tier_colours(scheme)
    fig = go.Figure()
    lines = [th.min_total for th in scheme.tiers.thresholds]
    if lines:
        lows = [float(t["total"].min() - 3 * t["total_sd"].max())] + lines[::-1]
        highs = lines[::-1] + [float(t["total"].max() + 3 * t["total_sd"].max())]
        labels = [scheme.tiers.labels[-1]] + [th.label for th in scheme.tiers.thresholds][::-1]
        for lo, hi, lab in zip(lows, highs, labels, strict=True):
            if hi > lo:
                fig.add_hrect(y0=lo, y1=hi, fillcolor=colours.get(lab, "#ddd"), opacity=0.08,
                              line_width=0, annotation_text=f"{lab}区间",
                              annotation_position="right", annotation_font_size=10)
    err = 1.645 * t["total_sd"]
    fig.add_scatter(x=_x(t, scheme), y=t["total"], mode="markers", showlegend=False,
                    error_y={"type": "data", "array": err, "visible": True, "color": "#888"},
                    marker={"size": 10, "color": [colours.get(str(v), "#7f7f7f")
                                                  for v in t["official_tier"]]},
                    customdata=np.stack([t["official_tier"], t["p_official"]], axis=-1),
                    hovertemplate="%{x}<br>总分 %{y:.2f}<br>正式等次 %{customdata[0]},"
                                  "保持概率 %{customdata[1]:.0%}<extra></extra>")
    for label in scheme.tiers.labels:
        fig.add_scatter(x=[None], y=[None], mode="markers", name=label,
                        marker={"size": 10, "color": colours[label]})
    fig.update_yaxes(title="总分(竖线:模拟中90%的范围)")
    return _layout(fig, selection_title(f"{year}年各单位总分与等次区间", n_units, len(t),
                                        LEAST_CERTAIN), len(t))


def probability_chart(probs: pd.DataFrame, scheme: Scheme, year: int) -> go.Figure:
    """Stacked bars: each unit's probability of every tier under the simulated noise."""
    t, n_units = _least_certain(probs)
    colours = tier_colours(scheme)
    fig = go.Figure()
    x = _x(t, scheme)
    for lab in scheme.tiers.labels:
        fig.add_bar(x=x, y=t[f"p_{lab}"], name=lab, marker_color=colours[lab],
                    hovertemplate="%{x}<br>" + lab + " %{y:.1%}<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title="概率", tickformat=".0%", range=[0, 1])
    return _layout(fig, selection_title(f"{year}年各单位评为各等次的概率", n_units, len(t),
                                        LEAST_CERTAIN), len(t))


def rank_interval_chart(sets: pd.DataFrame, scheme: Scheme, quotas: dict[str, int],
                        year: int) -> go.Figure:
    """Caterpillar: each unit's rank (dot) and its 95 % confidence set (bar) within its
    sequence, with a line under the last place of the top-tier quota. A large panel
    (``UNIT_CHART_LIMIT``) draws the units with the widest confidence sets."""
    n_units = len(sets)
    sets = sets.reset_index(drop=True)
    sets = sets.loc[chart_rows(sets["lower"] - sets["upper"], "lowest")]
    fig = go.Figure()
    seqs = list(dict.fromkeys(sets["sequence"]))
    for k, seq in enumerate(seqs):
        s = sets.loc[sets["sequence"] == seq].sort_values("rank", kind="stable")
        name = scheme.sequences.get(str(seq), str(seq))
        colour = TIER_PALETTE[k % len(TIER_PALETTE)] if len(seqs) > 1 else "#4575b4"
        x = [[name] * len(s), list(s["name"])] if len(seqs) > 1 else list(s["name"])
        fig.add_scatter(x=x, y=s["rank"], mode="markers", name=name,
                        showlegend=len(seqs) > 1, marker={"size": 9, "color": colour},
                        error_y={"type": "data", "symmetric": False,
                                 "array": s["upper"] - s["rank"],
                                 "arrayminus": s["rank"] - s["lower"], "color": colour},
                        hovertemplate="%{x}<br>名次 %{y}<extra></extra>")
        q = quotas.get(str(seq))
        if q and len(seqs) == 1:
            fig.add_hline(y=q + 0.5, line_dash="dash", line_color=TIER_PALETTE[0],
                          annotation_text=f"评优名额{q}名", annotation_position="right")
        elif q:
            # the sequence's first and last unit carry the line (two points, not one per unit)
            ends = [str(s["name"].iloc[0]), str(s["name"].iloc[-1])]
            fig.add_scatter(x=[[name] * 2, ends], y=[q + 0.5] * 2,
                            mode="lines", line={"dash": "dash", "color": TIER_PALETTE[0]},
                            name="评优名额线", showlegend=k == 0, hoverinfo="skip")
    fig.update_yaxes(title="序列内名次(1为最好)", autorange="reversed")
    title = selection_title(f"{year}年名次的95%置信区间", n_units, len(sets),
                            f"置信区间最宽的{2 * SHOWN_EACH_END}个")
    return _layout(fig, title, len(sets))


#: Each kind of tier rule: its panel title and its x-axis (one unit per axis: points,
#: places, percent or percentage points never share an axis).
RULE_KINDS = {"threshold": ("分数线", "分数线移动(分)"),
              "quota_top": ("评优名额", "每序列评优名额(名)"),
              "quota_share": ("评优比例", "评优比例(%)"),
              "forced_share": ("强制分布比例", "第一等次比例变化(百分点)")}


def sensitivity_chart(sens: pd.DataFrame, year: int) -> go.Figure:
    """Units changing tier as each score line moves, or as the quota or top share
    changes: one panel per kind of rule, so each x-axis has one unit (points, places,
    percent), the y-axis (units changing tier) shared."""
    kinds = [k for k in RULE_KINDS if (sens["kind"] == k).any()]
    fig = make_subplots(rows=1, cols=max(len(kinds), 1), shared_yaxes=True,
                        horizontal_spacing=0.06,
                        subplot_titles=[RULE_KINDS[k][0] for k in kinds])
    colour = 0
    for j, kind in enumerate(kinds, start=1):
        xt = RULE_KINDS[kind][1]
        for rule, sub in sens.loc[sens["kind"] == kind].groupby("rule", sort=False):
            fig.add_scatter(x=sub["shift"], y=sub["n_changed"], name=str(rule),
                            mode="lines+markers", line={"color": TIER_PALETTE[colour % 6]},
                            hovertemplate=xt + " %{x}<br>等次变化 %{y} 个单位<extra></extra>",
                            row=1, col=j)
            colour += 1
        fig.update_xaxes(title=xt, row=1, col=j)
    fig.update_yaxes(rangemode="tozero")
    fig.update_yaxes(title="等次与正式结果不同的单位数", row=1, col=1)
    fig = _layout(fig, f"{year}年等次对分数线和名额的敏感性", 0, height=480)
    # the legend below the axis titles: above the plots it ran into the panel titles
    return fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left",
                                     "y": -0.22, "yanchor": "top"},
                             margin={"b": 110})


def payout_chart(samples: np.ndarray, official: float, year: int) -> go.Figure:
    """Histogram of the total payout (万元) over the draws, with the official payout."""
    fig = go.Figure()
    fig.add_histogram(x=np.asarray(samples) / 1e4, nbinsx=40, marker_color="#4575b4",
                      name="模拟", hovertemplate="奖金 %{x} 万元<br>%{y} 次<extra></extra>")
    fig.add_vline(x=official / 1e4, line_dash="dash", line_color=TIER_PALETTE[3],
                  annotation_text=f"正式等次:{official / 1e4:.1f}万元")
    fig.update_xaxes(title="奖金合计(万元)")
    fig.update_yaxes(title="模拟次数")
    return _layout(fig, f"{year}年绩效奖金合计的分布", 0, height=420)


def probability_table(probs: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """The per-unit table for display: Chinese headers, probabilities in percent."""
    t = _order(probs)
    out = pd.DataFrame({"序列": [scheme.sequences.get(str(s), str(s)) for s in t["sequence"]],
                        "单位": t["name"], "总分": t["total"].round(2),
                        "正式等次": t["official_tier"]})
    for lab in scheme.tiers.labels:
        out[f"{lab}概率(%)"] = (t[f"p_{lab}"] * 100).round(1)
    out["名次(5%–95%)"] = [f"{a}–{b}" for a, b in zip(t["rank_p05"], t["rank_p95"], strict=True)]
    if "bias" in t:
        out["偏差(分)"] = t["bias"].round(2)
        out["偏差标准误"] = t["bias_se"].round(2)
    return out.reset_index(drop=True)


KIND_ZH = {"relative": "相对误差", "absolute": "绝对误差(百分点)", "se": "标准误(分)",
           "growth": "增速误差(百分点)", "none": "精确(无误差)"}
CLASS_ZH = {"volume": "总量类", "rate": "比率类", "growth_rate": "官方增速", "score": "考评得分",
            "count": "计数类", "rating": "评议得分"}


def _bound(v: object) -> str:
    return "" if v is None or pd.isna(v) else f"{float(v):g}"  # type: ignore[arg-type]


def error_model_display(errors: pd.DataFrame) -> pd.DataFrame:
    """The error model's table for display: Chinese headers and kinds, relative sizes in
    percent, absolute ones with their unit (个百分点, 万元), the valid range as an interval."""
    size = [("—" if k == "none" or v <= 0 else f"{v * 100:.3g}%" if k == "relative"
             else f"{v:.3g}{u}")
            for k, v, u in zip(errors["kind"], errors["size"], error_size_units(errors),
                               strict=True)]
    rng = [("" if not _bound(lo) and not _bound(hi) else
            ("[" + _bound(lo) if _bound(lo) else "(−∞") + ", "
            + (_bound(hi) + "]" if _bound(hi) else "+∞)"))
           for lo, hi in zip(errors["lower"], errors["upper"], strict=True)]
    return pd.DataFrame({
        "指标": errors["name"], "类别": errors["class"].map(CLASS_ZH).fillna(errors["class"]),
        "误差类型": errors["kind"].map(KIND_ZH).fillna(errors["kind"]), "误差大小": size,
        "相邻年份误差相关": [f"{r:g}" if k != "none" else "—"
                      for k, r in zip(errors["kind"], errors["year_correlation"], strict=True)],
        "有效范围": rng, "来源": errors["source"]}).reset_index(drop=True)
