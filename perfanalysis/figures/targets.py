"""Charts of the differentiated-targets study (Chinese labels): target vs actual per unit,
attainment heat-maps per rule, attainment vs size with fitted lines, rank/tier changes.

Each takes tables of ``perfanalysis.studies.targets`` and returns a ``go.Figure``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..charts import FONT, PART_PALETTE, tier_colours
from ..findings.targets import size_name_zh
from ..scheme import Scheme

ACTUAL_COLOUR = "#222222"
MANY_UNITS = 60  # beyond this many units, rows get thinner and unit names show on hover only


def _row_px(n: int, wide: int) -> int:
    """Pixels per unit row: readable names for a few units, a compact strip for a panel."""
    return wide if n <= MANY_UNITS else max(4, 8 * MANY_UNITS // n)


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0.01, "xanchor": "left", "y": 0.98,
                             "yanchor": "top", "yref": "container"},
                      height=height, font={"family": FONT}, template="plotly_white",
                      margin={"l": 60, "r": 40, "t": 110, "b": 50},
                      legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02,
                              "yanchor": "bottom"})
    return fig


def _colours(rules: list[str]) -> dict[str, str]:
    return {r: PART_PALETTE[i % len(PART_PALETTE)] for i, r in enumerate(rules)}


def _label(labels: Mapping[str, str], rule: str) -> str:
    return str(labels.get(rule, rule))


def dumbbell_chart(bt: pd.DataFrame, year: int, indicator_name: str,
                   labels: Mapping[str, str]) -> go.Figure:
    """One row per unit: the actual value (black) and each rule's target for ``year``,
    joined by a line spanning them; units ordered by actual value."""
    sub = bt.loc[bt["year"] == year]
    actual = sub.groupby("name", sort=False)["actual"].first().sort_values()
    names = list(actual.index.astype(str))
    rules = list(dict.fromkeys(sub["rule"]))
    colours = _colours(rules)
    fig = go.Figure()
    wide = sub.pivot_table(index="name", columns="rule", values="target").reindex(names)
    lo = np.fmin(wide.min(axis=1).to_numpy(float), actual.to_numpy(float))
    hi = np.fmax(wide.max(axis=1).to_numpy(float), actual.to_numpy(float))
    xs, ys = [], []
    for name, a, b in zip(names, lo, hi):
        xs += [a, b, None]
        ys += [name, name, None]
    fig.add_scatter(x=xs, y=ys, mode="lines", line={"color": "#c8c8c8", "width": 3},
                    showlegend=False, hoverinfo="skip")
    for rule in rules:
        vals = wide[rule] if rule in wide else pd.Series(np.nan, index=names)
        fig.add_scatter(x=vals, y=names, mode="markers", name=_label(labels, rule),
                        marker={"size": 10, "color": colours[rule], "opacity": 0.85},
                        hovertemplate="%{y}<br>" + _label(labels, rule)
                                      + " 目标 %{x:.2f}<extra></extra>")
    fig.add_scatter(x=actual.to_numpy(float), y=names, mode="markers", name="实际值",
                    marker={"size": 12, "symbol": "diamond", "color": ACTUAL_COLOUR},
                    hovertemplate="%{y}<br>实际值 %{x:.2f}<extra></extra>")
    fig.update_xaxes(title=f"{indicator_name}")
    fig.update_yaxes(title="", automargin=True)
    if len(names) > MANY_UNITS:
        fig.update_yaxes(showticklabels=False, title=f"{len(names)} 个单位(悬停查看名称)")
    return _layout(fig, f"{year}年“{indicator_name}”各规则目标值与实际值",
                   max(380, _row_px(len(names), 26) * len(names) + 180))


def attainment_heatmap(bt: pd.DataFrame, indicator_name: str, labels: Mapping[str, str],
                       order: list[str] | None = None) -> go.Figure:
    """Attainment (actual ÷ target; reversed for negative indicators) by unit and year,
    one panel per rule; blue ≥ 1 (target met), red < 1. ``order``: unit names, top first."""
    rules = list(dict.fromkeys(bt["rule"]))
    if not rules:  # no year with the history a rule reads: nothing to back-test
        return _layout(go.Figure(), f"“{indicator_name}”没有可回测的年份", 200)
    cols = min(3, len(rules))
    rows = int(np.ceil(len(rules) / cols))
    fig = make_subplots(rows=rows, cols=cols, shared_yaxes=True, horizontal_spacing=0.03,
                        vertical_spacing=0.12,
                        subplot_titles=[_label(labels, r) for r in rules])
    names = order or sorted(bt["name"].astype(str).unique())
    years = sorted(int(y) for y in bt["year"].unique())
    span = float(np.nanmax(np.abs(bt["attainment"].to_numpy(float) - 1.0))) if len(bt) else 0.1
    span = min(max(span, 0.05), 1.0)
    for k, rule in enumerate(rules):
        sub = bt.loc[bt["rule"] == rule]
        z = sub.pivot_table(index="name", columns="year", values="attainment") \
            .reindex(index=names, columns=years)
        fig.add_trace(go.Heatmap(
            z=z.to_numpy(float), x=[str(y) for y in years], y=names, zmid=1.0,
            zmin=1.0 - span, zmax=1.0 + span, colorscale="RdBu", showscale=k == 0,
            colorbar={"title": "达成度", "len": 0.8}, xgap=1, ygap=1,
            hovertemplate="%{y} %{x}年<br>达成度 %{z:.3f}<extra>" + _label(labels, rule)
                          + "</extra>"), row=k // cols + 1, col=k % cols + 1)
    fig.update_yaxes(autorange="reversed", automargin=True,
                     showticklabels=len(names) <= MANY_UNITS)
    fig.update_annotations(font_size=12)
    return _layout(fig, f"“{indicator_name}”目标达成度(实际÷目标,逐年回测)",
                   max(360, rows * (_row_px(len(names), 18) * len(names) + 90) + 120))


def equity_scatter(bt: pd.DataFrame, size: pd.Series, size_label: str,
                   labels: Mapping[str, str], indicator_name: str = "") -> go.Figure:
    """Each unit's mean attainment over the back-test years against its size (log scale),
    one colour per rule, with the least-squares line of attainment on log size."""
    rules = list(dict.fromkeys(bt["rule"]))
    colours = _colours(rules)
    ok = bt.loc[bt["valid"].astype(bool)]
    means = ok.groupby(["rule", "unit_id"], sort=False).agg(
        attainment=("attainment", "mean"), name=("name", "first")).reset_index()
    means["size"] = means["unit_id"].map(size).astype(float)
    means = means.loc[np.isfinite(means["size"]) & (means["size"] > 0)]
    fig = go.Figure()
    for rule in rules:
        m = means.loc[means["rule"] == rule]
        label = _label(labels, rule)
        fig.add_scatter(x=m["size"], y=m["attainment"], mode="markers", name=label,
                        legendgroup=rule, text=m["name"],
                        marker={"size": 9, "color": colours[rule], "opacity": 0.8},
                        hovertemplate="%{text}<br>规模 %{x:,.0f}<br>平均达成度 %{y:.3f}"
                                      "<extra>" + label + "</extra>")
        if len(m) >= 2 and m["size"].nunique() >= 2:
            lx = np.log(m["size"].to_numpy(float))
            slope, icpt = np.polyfit(lx, m["attainment"].to_numpy(float), 1)
            grid = np.linspace(lx.min(), lx.max(), 30)
            fig.add_scatter(x=np.exp(grid), y=icpt + slope * grid, mode="lines",
                            legendgroup=rule, showlegend=False,
                            line={"color": colours[rule], "dash": "dash"}, hoverinfo="skip")
    fig.add_hline(y=1.0, line_color="#888", line_dash="dot",
                  annotation_text="达成度 = 1(恰好完成)", annotation_position="bottom right")
    fig.update_xaxes(type="log", title=f"单位规模:{size_name_zh(size_label)}(对数刻度)")
    fig.update_yaxes(title="平均达成度")
    title = f"“{indicator_name}”" if indicator_name else ""
    return _layout(fig, f"{title}目标达成度与单位规模(虚线为拟合线)", 500)


def rank_change_chart(shifts: pd.DataFrame, scheme: Scheme, year: int,
                      labels: Mapping[str, str]) -> go.Figure:
    """Rank of every unit under each rule (a line per unit, one column per rule, one panel
    per sequence), markers coloured by tier; hovering shows the places moved against the
    scheme's own rules."""
    rules = list(dict.fromkeys(shifts["rule"]))
    colours = tier_colours(scheme)
    seqs = list(dict.fromkeys(shifts["sequence"].astype(str)))
    fig = make_subplots(rows=1, cols=len(seqs), horizontal_spacing=0.04,
                        subplot_titles=[scheme.sequences.get(q, q) for q in seqs]
                        if len(seqs) > 1 else None)
    xs = [_label(labels, r) for r in rules]
    for uid, g in shifts.groupby("unit_id", sort=False):
        g = g.set_index("rule").reindex(rules)
        name = str(g["name"].dropna().iloc[0])
        seq = str(g["sequence"].dropna().iloc[0])
        fig.add_trace(go.Scatter(
            x=xs, y=g["rank"], mode="lines+markers", name=name, showlegend=False,
            line={"color": "#bbbbbb", "width": 1},
            marker={"size": 11, "color": [colours.get(str(t), "#7f7f7f") for t in g["tier"]]},
            customdata=np.stack([g["tier"].astype(str), g["shift"].astype(float)], axis=-1),
            hovertemplate=f"{name}<br>%{{x}}<br>名次 %{{y}} · %{{customdata[0]}}"
                          "<br>较现行规则上升 %{customdata[1]:.0f} 位"
                          f"<extra>{uid}</extra>"), row=1, col=seqs.index(seq) + 1)
    for label in scheme.tiers.labels:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=label,
                                 marker={"size": 11, "color": colours[label]}), row=1, col=1)
    fig.update_yaxes(autorange="reversed", dtick=1)
    fig.update_yaxes(title="序列内名次(1 = 第一)", row=1, col=1)
    fig.update_xaxes(tickangle=-30)
    return _layout(fig, f"{year}年各目标规则下的名次与等次", 520)
