"""Charts of study 4 (alternative weightings): rank bump chart across scenarios, tier-change
matrix, Kendall τ heat-map, Sobol indices with intervals, group-removal check.

Each function takes a table from ``perfanalysis.studies.weightings`` and returns a figure.

The study's computation: ``perfanalysis.studies.weightings``; its findings:
``perfanalysis.report.findings.weightings``; chapter ``notebooks/04_alternative_weightings.py``.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..charts import PART_PALETTE, TIER_PALETTE, chart_frame

LABEL_LIMIT = 30  # name the lines of the bump chart up to this many units
#: Beyond LABEL_LIMIT units (national scale) the bump chart draws the units that move most.
BUMP_LIMIT = 20
MATRIX_LIMIT = 40  # beyond this many units the tier matrix keeps the units that change
HEATMAP_LIMIT = 40  # the Sobol heat-map shows at most this many units (the most sensitive)
#: Sobol factors by kind: each kind has its own panel, so one axis holds one kind of
#: quantity (weights in points, the blend share α, the choice of method).
FACTOR_KINDS = (("weight", "一级指标权重(分值)"), ("alpha", "增量与增速权重α(比例)"),
                ("method", "计分方法(二选一)"))


def _layout(fig: go.Figure, title: str, height: int = 500) -> go.Figure:
    return chart_frame(fig, title, height, {"l": 60, "r": 60, "t": 100, "b": 40})


def rank_bump_chart(totals: pd.DataFrame, year: int) -> go.Figure:
    """Each unit's position (by total, among all units) in every scenario: crossing lines
    are rank changes."""
    order = list(dict.fromkeys(totals["scenario"]))
    t = totals.copy()
    t["position"] = t.groupby("scenario")["total"].rank(method="min", ascending=False)
    base = t.loc[t["scenario"] == order[0]].set_index("unit_id")["position"]
    units = sorted(dict.fromkeys(t["unit_id"]), key=lambda u: (base.get(u, 0), u))
    title = f"{year}年各情景下的总分位次"
    if len(units) > LABEL_LIMIT:
        units = biggest_movers(t, base, BUMP_LIMIT)
        title += (f"(共{t['unit_id'].nunique()}个单位,图中为位次变化最大的{len(units)}个;"
                  "全部单位见 scores.xlsx)")
    fig = go.Figure()
    n = len(units)
    for k, uid in enumerate(units):
        sub = t.loc[t["unit_id"] == uid].set_index("scenario").reindex(order)
        name = str(sub["name"].dropna().iloc[0])
        fig.add_scatter(x=order, y=sub["position"], mode="lines+markers", name=name,
                        line={"color": PART_PALETTE[k % len(PART_PALETTE)], "width": 2},
                        customdata=sub[["total", "tier"]].to_numpy(),
                        hovertemplate=name + "<br>%{x}<br>位次 %{y}<br>总分 %{customdata[0]:.2f}"
                                      "<br>%{customdata[1]}<extra></extra>",
                        showlegend=False)
        if n <= LABEL_LIMIT:
            fig.add_annotation(x=order[-1], y=float(sub["position"].iloc[-1]), text=name,
                               xanchor="left", xshift=8, showarrow=False, font={"size": 11})
    fig.update_yaxes(title="总分位次(1为最高)", autorange="reversed", dtick=1 if n <= 30 else None)
    fig.update_xaxes(title="", tickangle=-30 if len(order) > 5 else 0)
    fig.update_layout(margin={"r": 110})
    return _layout(fig, title, height=max(420, 26 * min(n, 40) + 160))


def biggest_movers(positions: pd.DataFrame, base: pd.Series, limit: int) -> list[str]:
    """The ``limit`` units whose position moves most from the base scenario's in any
    scenario (ties: better base position first, then unit id), in base order."""
    shift = (positions["position"] - positions["unit_id"].map(base)).abs()
    most = shift.groupby(positions["unit_id"]).max()
    ranked = sorted(most.index, key=lambda u: (-most[u], base.get(u, 0), u))[:limit]
    return sorted(ranked, key=lambda u: (base.get(u, 0), u))


def tier_matrix_chart(totals: pd.DataFrame, labels: list[str], year: int) -> go.Figure:
    """Units × scenarios coloured by tier (best green … worst red); a unit whose tier
    depends on the scenario shows a changing row."""
    order = list(dict.fromkeys(totals["scenario"]))
    all_labels = list(dict.fromkeys([*labels, *totals["tier"].astype(str)]))
    wide = totals.pivot(index="name", columns="scenario", values="tier")[order]
    base = totals.loc[totals["scenario"] == order[0]].set_index("name")
    distinct = wide.nunique(axis=1)
    changing = distinct > 1
    note = ""
    if len(wide) > MATRIX_LIMIT and changing.any():
        wide = wide.loc[changing]
        note = "(仅列出等次随情景变化的单位)"
        if len(wide) > MATRIX_LIMIT:
            keep = sorted(wide.index, key=lambda u: (-distinct[u], -base.at[u, "total"], u))
            note = (f"(等次随情景变化的单位共{len(wide)}个,列出等次变化最多的"
                    f"{MATRIX_LIMIT}个;全部单位见 scores.xlsx)")
            wide = wide.loc[keep[:MATRIX_LIMIT]]
    wide = wide.loc[sorted(wide.index, key=lambda u: (base.at[u, "total"] * -1, u))]
    z = wide.apply(lambda col: col.map(all_labels.index)).to_numpy(dtype=float)
    n_lab = len(all_labels)
    colours = [TIER_PALETTE[min(i, len(TIER_PALETTE) - 1)] for i in range(n_lab)]
    scale = []
    for i, c in enumerate(colours):
        lo, hi = i / n_lab, (i + 1) / n_lab
        scale += [[lo, c], [hi, c]]
    fig = go.Figure(go.Heatmap(z=z, x=order, y=list(wide.index), text=wide.to_numpy(),
                               texttemplate="%{text}", zmin=-0.5, zmax=n_lab - 0.5,
                               colorscale=scale, showscale=False, xgap=2, ygap=2,
                               hovertemplate="%{y}<br>%{x}:%{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top", tickangle=-30 if len(order) > 5 else 0)
    return _layout(fig, f"{year}年各情景下的等次{note}", height=max(360, 28 * len(wide) + 180))


def kendall_heatmap(kendall: pd.DataFrame) -> go.Figure:
    """Kendall τ between every pair of scenarios' totals (1 = the same order)."""
    order = list(dict.fromkeys(kendall["scenario_a"]))
    m = kendall.pivot(index="scenario_a", columns="scenario_b", values="tau").loc[order, order]
    fig = go.Figure(go.Heatmap(z=m.to_numpy(), x=order, y=order, zmin=-1, zmax=1,
                               colorscale="RdBu", text=m.round(2).to_numpy(),
                               texttemplate="%{text:.2f}", colorbar={"title": "τ"},
                               hovertemplate="%{y} × %{x}<br>τ = %{z:.3f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=-30 if len(order) > 5 else 0)
    return _layout(fig, "情景之间总分排序的一致性(Kendall τ)", height=max(420, 40 * len(order) + 200))


def factor_kind(factor: str) -> str:
    """Kind of a Sobol factor by its id: the blend share α, the method choice, or a
    first-level weight (every other id is a group's)."""
    return factor if factor in ("alpha", "method") else "weight"


def sobol_chart(sobol: pd.DataFrame, target: str) -> go.Figure:
    """First-order (S1) and total (ST) Sobol indices of one target, with their intervals;
    one panel per kind of factor (weights, α, method), so no axis mixes a weight in points
    with a share or a choice."""
    sub = sobol.loc[sobol["target"] == target]
    kinds = sub["factor"].map(factor_kind) if "factor" in sub.columns else \
        pd.Series("weight", index=sub.index)
    panels = [(k, title) for k, title in FACTOR_KINDS if (kinds == k).any()]
    widths = [max(int((kinds == k).sum()), 1) + 1 for k, _ in panels]
    fig = make_subplots(rows=1, cols=max(len(panels), 1), shared_yaxes=True,
                        column_widths=[w / sum(widths) for w in widths] if widths else None,
                        horizontal_spacing=0.04,
                        subplot_titles=[title for _, title in panels])
    for j, (kind, _) in enumerate(panels, start=1):
        part = sub.loc[kinds == kind]
        for col, name, colour in (("S1", "一阶指数 S1", PART_PALETTE[0]),
                                  ("ST", "总效应指数 ST", PART_PALETTE[1])):
            fig.add_bar(x=part["parameter"], y=part[col], name=name, marker_color=colour,
                        legendgroup=col, showlegend=j == 1,
                        error_y={"type": "data", "array": part[f"{col}_conf"],
                                 "visible": True},
                        hovertemplate="%{x}<br>" + name + " %{y:.3f}<extra></extra>",
                        row=1, col=j)
    fig.update_layout(barmode="group")
    fig.update_yaxes(rangemode="tozero")
    fig.update_yaxes(title="Sobol 指数(95%置信区间)", row=1, col=1)
    fig.update_xaxes(title="")
    fig = _layout(fig, f"{target}对权重与方法选择的敏感性")
    # the legend right of the plots: above them it ran into the panel titles, below them
    # into the (long, angled) factor names
    return fig.update_layout(legend={"orientation": "v", "x": 1.01, "xanchor": "left",
                                     "y": 1, "yanchor": "top"},
                             margin={"r": 150})


def sobol_unit_heatmap(sobol: pd.DataFrame, shift_target: str) -> go.Figure:
    """Total Sobol index of each unit's rank to each factor (darker = more sensitive)."""
    sub = sobol.loc[sobol["target"] != shift_target]
    order = list(dict.fromkeys(sub["parameter"]))
    m = sub.pivot(index="target", columns="parameter", values="ST")[order]
    units = list(dict.fromkeys(sub["target"]))
    title = "各单位名次的总效应 Sobol 指数"
    if len(units) > HEATMAP_LIMIT:
        most = m.max(axis=1)
        pos = {u: i for i, u in enumerate(units)}
        keep = set(sorted(units, key=lambda u: (-most[u], pos[u]))[:HEATMAP_LIMIT])
        title += (f"(共{len(units)}个单位,列出最敏感的{HEATMAP_LIMIT}个;"
                  "全部单位见 scores.xlsx)")
        units = [u for u in units if u in keep]
    m = m.loc[units]
    fig = go.Figure(go.Heatmap(z=m.to_numpy().clip(0, 1), x=order, y=units, zmin=0, zmax=1,
                               colorscale="Blues", text=m.round(2).to_numpy(),
                               texttemplate="%{text:.2f}" if len(units) <= 40 else None,
                               colorbar={"title": "ST"},
                               hovertemplate="%{y}<br>%{x}<br>ST = %{z:.3f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title,
                   height=max(380, 24 * min(len(units), 60) + 180))


def removal_chart(removal: pd.DataFrame) -> go.Figure:
    """Mean and largest absolute rank change when each first-level group is dropped."""
    fig = go.Figure()
    fig.add_bar(x=removal["name"], y=removal["mean_abs_rank_change"], name="平均名次变化",
                marker_color=PART_PALETTE[0])
    fig.add_bar(x=removal["name"], y=removal["max_abs_rank_change"], name="最大名次变化",
                marker_color=PART_PALETTE[1])
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="名次变化(位)", rangemode="tozero")
    return _layout(fig, "去掉一个一级指标后的名次变化")
