"""Charts of the growth-vs-level fairness study (Chinese labels): score against size per
variant with its fitted line, the fairness–stability frontier over α, rank bump charts across
years, and rank volatility against size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..charts import FONT, PART_PALETTE
from ..studies.fairness import VARIANT_NAMES

UNIT_PALETTE = PART_PALETTE + ["#e15759", "#ff9da7", "#86bcb6", "#8cd17d", "#499894",
                               "#d37295", "#fabfd2", "#b6992d", "#79706e", "#d4a6c8"]


def variant_title(variant: str, alpha: float | None = None) -> str:
    """Chinese name of a variant; blends carry their α."""
    name = VARIANT_NAMES.get(variant, variant)
    if variant == "blend" and alpha is not None and np.isfinite(alpha):
        return f"{name} α={alpha:.2f}"
    return name


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0.01, "xanchor": "left", "y": 0.98,
                             "yanchor": "top", "yref": "container"}, height=height,
                      font={"family": FONT}, template="plotly_white",
                      margin={"l": 60, "r": 40, "t": 90, "b": 50},
                      # legend right of the plots: below, it ran into the x-axis title; above,
                      # into the panel titles (found by tests/test_screens.py)
                      legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1,
                              "yanchor": "top"})
    return fig


def _pick(table: pd.DataFrame, variant: str, alpha: float | None) -> pd.DataFrame:
    sub = table.loc[table["variant"] == variant]
    if variant == "blend" and alpha is not None:
        sub = sub.loc[np.isclose(sub["alpha"], alpha)]
    return sub


def present(table: pd.DataFrame, panels: list[tuple[str, float | None]]
            ) -> list[tuple[str, float | None]]:
    """The requested (variant, α) panels the table has (a total has no per-capita score)."""
    return [p for p in panels if not _pick(table, *p).empty]


def score_vs_size(table: pd.DataFrame, size: pd.Series, panels: list[tuple[str, float | None]],
                  size_label: str = "规模", title: str = "各计分方式下得分与规模") -> go.Figure:
    """One panel per variant: score against size (log axis), with the OLS line of score on
    log size, so a rising line shows a variant that favours large units."""
    panels = present(table, panels)
    cols = min(3, len(panels))
    rows = int(np.ceil(len(panels) / cols))
    fig = make_subplots(rows=rows, cols=cols, horizontal_spacing=0.08, vertical_spacing=0.16,
                        subplot_titles=[variant_title(v, a) for v, a in panels])
    for i, (variant, alpha) in enumerate(panels):
        r, c = i // cols + 1, i % cols + 1
        sub = _pick(table, variant, alpha).assign(size=lambda d: d["unit_id"].map(size))
        sub = sub.dropna(subset=["size", "score"]).sort_values("size")
        fig.add_trace(go.Scatter(
            x=sub["size"], y=sub["score"], mode="markers", name="单位",
            marker={"size": 8, "color": "#4e79a7"}, showlegend=i == 0,
            customdata=sub[["name", "rank"]],
            hovertemplate="%{customdata[0]}<br>规模 %{x:,.0f}<br>得分 %{y:.2f}"
                          "<br>名次 %{customdata[1]}<extra></extra>"), row=r, col=c)
        lx = np.log(sub["size"].to_numpy(dtype=float))
        if len(sub) >= 2 and np.ptp(lx) > 0:
            b, a = np.polyfit(lx, sub["score"].to_numpy(dtype=float), 1)
            xs = np.linspace(lx.min(), lx.max(), 30)
            fig.add_trace(go.Scatter(x=np.exp(xs), y=a + b * xs, mode="lines", name="拟合线",
                                     line={"color": "#e15759"}, showlegend=i == 0,
                                     hoverinfo="skip"), row=r, col=c)
        fig.update_xaxes(type="log", title_text=size_label if r == rows else None, row=r, col=c)
    return _layout(fig, title, height=320 * rows + 80)


def frontier_chart(front: pd.DataFrame, chosen: tuple[float, float] | None, max_rho: float,
                   max_volatility: float,
                   title: str = "公平与稳定的权衡:总量权重α") -> go.Figure:
    """Size dependence |ρ| and mean rank SD over α, thresholds dashed, the α range inside
    both shaded."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=front["alpha"], y=front["size_rho"].abs(), mode="lines+markers",
                             name="规模相关程度 |ρ|", line={"color": "#4e79a7"}),
                  secondary_y=False)
    fig.add_trace(go.Scatter(x=front["alpha"], y=front["volatility"], mode="lines+markers",
                             name="平均名次波动(标准差,位)", line={"color": "#f28e2b"}),
                  secondary_y=True)
    fig.add_hline(y=max_rho, line={"dash": "dash", "color": "#4e79a7"}, secondary_y=False,
                  annotation_text=f"|ρ|上限 {max_rho:g}", annotation_position="top left")
    fig.add_hline(y=max_volatility, line={"dash": "dot", "color": "#f28e2b"}, secondary_y=True,
                  annotation_text=f"波动上限 {max_volatility:g}",
                  annotation_position="bottom right")
    if chosen is not None:
        lo, hi = chosen
        pad = 0.02 if lo == hi else 0.0
        fig.add_vrect(x0=lo - pad, x1=hi + pad, fillcolor="#59a14f", opacity=0.18, line_width=0,
                      annotation_text="两项均达标的α", annotation_position="top left")
    fig.update_xaxes(title_text="α(总量得分的权重;1−α为增速得分的权重)", range=[-0.03, 1.03])
    fig.update_yaxes(title_text="|ρ| 得分与规模的秩相关", range=[0, 1.05], secondary_y=False)
    fig.update_yaxes(title_text="名次标准差(位)", rangemode="tozero", secondary_y=True)
    return _layout(fig, title, height=460)


def bump_chart(panel: pd.DataFrame, panels: list[tuple[str, float | None]],
               title: str = "各年名次变化") -> go.Figure:
    """Rank (1 = best) of every unit across years, one panel per variant."""
    panels = present(panel, panels)
    cols = min(3, len(panels))
    rows = int(np.ceil(len(panels) / cols))
    fig = make_subplots(rows=rows, cols=cols, horizontal_spacing=0.06, vertical_spacing=0.16,
                        subplot_titles=[variant_title(v, a) for v, a in panels])
    ids = sorted(panel["unit_id"].unique())
    colour = {u: UNIT_PALETTE[i % len(UNIT_PALETTE)] for i, u in enumerate(ids)}
    max_rank = int(panel["rank"].max()) if len(panel) else 1
    for i, (variant, alpha) in enumerate(panels):
        r, c = i // cols + 1, i % cols + 1
        sub = _pick(panel, variant, alpha)
        for uid, g in sub.groupby("unit_id", sort=True):
            g = g.sort_values("year")
            name = str(g["name"].iloc[0]) if "name" in g.columns else str(uid)
            fig.add_trace(go.Scatter(
                x=g["year"], y=g["rank"], mode="lines+markers", name=name, legendgroup=uid,
                showlegend=i == 0, line={"color": colour[uid]},
                hovertemplate=f"{name}<br>%{{x}}年 第%{{y}}名<extra></extra>"), row=r, col=c)
        fig.update_yaxes(autorange=False, range=[max_rank + 0.5, 0.5], dtick=1,
                         title_text="名次" if c == 1 else None, row=r, col=c)
        fig.update_xaxes(dtick=1, row=r, col=c)
    return _layout(fig, title, height=340 * rows + 120)


def volatility_chart(volatility: pd.DataFrame, panels: list[tuple[str, float | None]],
                     size_label: str = "规模",
                     title: str = "测量误差下的名次波动与规模") -> go.Figure:
    """Rank SD under the noise model against size (log axis), one line per variant."""
    panels = present(volatility, panels)
    fig = go.Figure()
    for i, (variant, alpha) in enumerate(panels):
        sub = _pick(volatility, variant, alpha).dropna(subset=["size"]).sort_values("size")
        fig.add_trace(go.Scatter(
            x=sub["size"], y=sub["rank_sd"], mode="lines+markers",
            name=variant_title(variant, alpha),
            line={"color": UNIT_PALETTE[i % len(UNIT_PALETTE)]}, customdata=sub[["name"]],
            hovertemplate="%{customdata[0]}<br>规模 %{x:,.0f}<br>名次标准差 %{y:.2f}"
                          "<extra></extra>"))
    fig.update_xaxes(type="log", title_text=size_label)
    fig.update_yaxes(title_text="名次标准差(位)", rangemode="tozero")
    return _layout(fig, title, height=460)
