"""Charts of the growth-vs-level fairness study (Chinese labels): score against size per
variant with its fitted line, the fairness–stability frontier over α, rank bump charts across
years, and rank volatility against size.

Charts stay small and legible for thousands of units (a national case: 2 850 units in 31
sequences): above ``MAX_POINTS`` units the scatter charts show size-bin medians with their
interquartile range instead of one marker per unit, and the bump chart follows at most
``MAX_BUMP_UNITS`` units (the focus unit's group, spread over size).

The study's computation: ``perfanalysis.studies.fairness``; its findings:
``perfanalysis.report.findings.fairness``; chapter ``notebooks/02_growth_vs_level.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ...studies.fairness import VARIANT_NAMES
from ..charts import LEGEND_RIGHT, PART_PALETTE, chart_frame

MAX_POINTS = 400
"""Above this many units a scatter chart shows size bins instead of units."""
SIZE_BINS = 30
MAX_BUMP_UNITS = 20
"""Most units a bump chart draws (one line each)."""

UNIT_PALETTE = PART_PALETTE + ["#e15759", "#ff9da7", "#86bcb6", "#8cd17d", "#499894",
                               "#d37295", "#fabfd2", "#b6992d", "#79706e", "#d4a6c8"]


def variant_title(variant: str, alpha: float | None = None,
                  table: pd.DataFrame | None = None) -> str:
    """Chinese name of a variant (the table's ``label`` when it has one, e.g. the scheme's
    own method); blends carry their α."""
    if table is not None and "label" in table.columns:
        sub = _pick(table, variant, alpha)
        if len(sub) and isinstance(sub["label"].iloc[0], str):
            return str(sub["label"].iloc[0])
    name = VARIANT_NAMES.get(variant, variant)
    if variant == "blend" and alpha is not None and np.isfinite(alpha):
        return f"{name} α={alpha:.2f}"
    return name


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    return chart_frame(fig, title, height, {"l": 60, "r": 40, "t": 90, "b": 50},
                       legend=LEGEND_RIGHT)


def _pick(table: pd.DataFrame, variant: str, alpha: float | None) -> pd.DataFrame:
    sub = table.loc[table["variant"] == variant]
    if variant == "blend" and alpha is not None:
        sub = sub.loc[np.isclose(sub["alpha"], alpha)]
    return sub


def present(table: pd.DataFrame, panels: list[tuple[str, float | None]]
            ) -> list[tuple[str, float | None]]:
    """The requested (variant, α) panels the table has (a total has no per-capita score)."""
    return [p for p in panels if not _pick(table, *p).empty]


def _series(table: pd.DataFrame, panel: tuple[str, float | None], value: str) -> pd.Series:
    """A panel's values indexed by unit (and year where the table has years), sorted."""
    sub = _pick(table, *panel)
    keys = [c for c in ("unit_id", "year") if c in sub.columns]
    return sub.set_index(keys)[value].astype(float).sort_index()


def distinct_panels(table: pd.DataFrame, panels: list[tuple[str, float | None]], value: str
                    ) -> list[tuple[str, float | None]]:
    """The requested panels the table has, without a panel whose ``value`` equals an
    earlier one's for every unit (and year): a blend at α=0 is the growth score and at α=1
    the level score, and drawing it again shows one series under two names."""
    kept: list[tuple[tuple[str, float | None], pd.Series]] = []
    for p in present(table, panels):
        s = _series(table, p, value)
        if any(s.index.equals(k.index) and np.allclose(s.to_numpy(), k.to_numpy(),
                                                       equal_nan=True)
               for _, k in kept):
            continue
        kept.append((p, s))
    return [p for p, _ in kept]


def size_bins(x: pd.Series, y: pd.Series, bins: int = SIZE_BINS) -> pd.DataFrame:
    """Median, quartiles and count of ``y`` in ``bins`` quantile bins of ``x`` (x = the
    bin's median size), for charts of thousands of units."""
    df = pd.DataFrame({"x": x.to_numpy(dtype=float), "y": y.to_numpy(dtype=float)}).dropna()
    df["bin"] = pd.qcut(df["x"].rank(method="first"), min(bins, len(df)), labels=False)
    g = df.groupby("bin", sort=True)
    return pd.DataFrame({"x": g["x"].median(), "y": g["y"].median(),
                         "q1": g["y"].quantile(0.25), "q3": g["y"].quantile(0.75),
                         "count": g.size()}).reset_index(drop=True)


def _binned_trace(sub: pd.DataFrame, column: str, name: str, color: str,
                  showlegend: bool) -> go.Scatter:
    b = size_bins(sub["size"], sub[column])
    return go.Scatter(
        x=b["x"], y=b["y"], mode="markers", name=name, showlegend=showlegend,
        marker={"size": 7, "color": color},
        error_y={"type": "data", "symmetric": False, "array": (b["q3"] - b["y"]).round(4),
                 "arrayminus": (b["y"] - b["q1"]).round(4), "thickness": 1},
        customdata=b[["count"]],
        hovertemplate="规模中位数 %{x:,.0f}<br>中位数 %{y:.2f}<br>%{customdata[0]}个单位"
                      "<extra></extra>")


def within_fit(score: np.ndarray, log_size: np.ndarray,
               groups: np.ndarray | None = None) -> tuple[float, float]:
    """(slope, intercept) of score on log size; with ``groups`` the slope is the within-group
    one (group fixed effects: both demeaned inside each group), the line drawn through the
    overall means, so the chart shows the comparison the scheme makes."""
    y, x = np.asarray(score, dtype=float), np.asarray(log_size, dtype=float)
    if groups is not None:
        g = pd.Series(groups)
        yd = y - pd.Series(y).groupby(g).transform("mean").to_numpy()
        xd = x - pd.Series(x).groupby(g).transform("mean").to_numpy()
    else:
        yd, xd = y - y.mean(), x - x.mean()
    den = float((xd ** 2).sum())
    slope = float((xd * yd).sum() / den) if den > 0 else 0.0
    return slope, float(y.mean() - slope * x.mean())


def score_vs_size(table: pd.DataFrame, size: pd.Series, panels: list[tuple[str, float | None]],
                  size_label: str = "规模", title: str = "各计分方式下得分与规模",
                  groups: pd.Series | None = None) -> go.Figure:
    """One panel per variant: score against size (log axis), with the line of score on log
    size (within the comparison ``groups`` when given: group fixed effects), so a rising
    line shows a variant that favours large units. Above ``MAX_POINTS`` units each panel
    shows size-bin medians with their quartiles. A panel equal to an earlier one is
    drawn once (``distinct_panels``)."""
    panels = distinct_panels(table, panels, "score")
    cols = min(3, len(panels))
    rows = int(np.ceil(len(panels) / cols))
    fig = make_subplots(rows=rows, cols=cols, horizontal_spacing=0.08,
                        vertical_spacing=min(0.16, 0.9 / max(rows - 1, 1)),
                        subplot_titles=[variant_title(v, a, table) for v, a in panels])
    for i, (variant, alpha) in enumerate(panels):
        r, c = i // cols + 1, i % cols + 1
        sub = _pick(table, variant, alpha).assign(size=lambda d: d["unit_id"].map(size))
        sub = sub.dropna(subset=["size", "score"]).sort_values("size")
        if len(sub) > MAX_POINTS:
            fig.add_trace(_binned_trace(sub, "score", f"规模分组中位数({SIZE_BINS}组)",
                                        "#4e79a7", i == 0), row=r, col=c)
        else:
            fig.add_trace(go.Scatter(
                x=sub["size"], y=sub["score"], mode="markers", name="单位",
                marker={"size": 8, "color": "#4e79a7"}, showlegend=i == 0,
                customdata=sub[["name", "rank"]],
                hovertemplate="%{customdata[0]}<br>规模 %{x:,.0f}<br>得分 %{y:.2f}"
                              "<br>名次 %{customdata[1]}<extra></extra>"), row=r, col=c)
        lx = np.log(sub["size"].to_numpy(dtype=float))
        if len(sub) >= 2 and np.ptp(lx) > 0:
            grp = None if groups is None else sub["unit_id"].map(groups).to_numpy()
            b, a = within_fit(sub["score"].to_numpy(dtype=float), lx, grp)
            xs = np.linspace(lx.min(), lx.max(), 30)
            fig.add_trace(go.Scatter(x=np.exp(xs), y=a + b * xs, mode="lines",
                                     name="拟合线" if groups is None else "拟合线(组内)",
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


def bump_units(panel: pd.DataFrame, size: pd.Series, focus: str = "",
               limit: int = MAX_BUMP_UNITS) -> list[str]:
    """Units a bump chart follows: all when there are at most ``limit``; otherwise the units
    of the focus unit's sequence (the first sequence without one), and when that is still too
    many the focus unit plus units spread evenly over size."""
    ids = sorted(panel["unit_id"].astype(str).unique())
    if len(ids) <= limit:
        return ids
    seq = panel.drop_duplicates("unit_id").set_index("unit_id")["sequence"].astype(str)
    group = seq.get(focus, min(seq.unique()))
    members = sorted(seq.index[seq == group])
    if len(members) <= limit:
        return members
    keep = [focus] if focus in members else []
    rest = size.reindex([u for u in members if u not in keep]).sort_values(kind="stable")
    spread = np.unique(np.round(np.linspace(0, len(rest) - 1, limit - len(keep))).astype(int))
    return sorted(keep + [str(u) for u in rest.index[spread]])


def bump_chart(panel: pd.DataFrame, panels: list[tuple[str, float | None]],
               title: str = "各年名次变化", units: list[str] | None = None) -> go.Figure:
    """Rank (1 = best) of every unit across years, one panel per variant; ``units`` limits
    the lines (see ``bump_units``) and the title says how many are shown. A panel equal to
    an earlier one is drawn once (``distinct_panels``)."""
    panels = distinct_panels(panel, panels, "rank")
    if units is not None:
        total = panel["unit_id"].nunique()
        panel = panel.loc[panel["unit_id"].isin(units)]
        if len(units) < total:
            title = f"{title}(共{total}个单位,图中为{len(units)}个)"
    cols = min(3, len(panels))
    rows = int(np.ceil(len(panels) / cols))
    fig = make_subplots(rows=rows, cols=cols, horizontal_spacing=0.06,
                        vertical_spacing=min(0.16, 0.9 / max(rows - 1, 1)),
                        subplot_titles=[variant_title(v, a, panel) for v, a in panels])
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
        fig.update_yaxes(autorange=False, range=[max_rank + 0.5, 0.5],
                         dtick=1 if max_rank <= 30 else None,
                         title_text="名次" if c == 1 else None, row=r, col=c)
        fig.update_xaxes(dtick=1, row=r, col=c)
    return _layout(fig, title, height=340 * rows + 120)


def volatility_chart(volatility: pd.DataFrame, panels: list[tuple[str, float | None]],
                     size_label: str = "规模",
                     title: str = "测量误差下的名次波动与规模") -> go.Figure:
    """Rank SD under the noise model against size (log axis), one line per variant; above
    ``MAX_POINTS`` units, size-bin medians with their quartiles. A series equal to an
    earlier one is drawn once (``distinct_panels``)."""
    panels = distinct_panels(volatility, panels, "rank_sd")
    fig = go.Figure()
    for i, (variant, alpha) in enumerate(panels):
        sub = _pick(volatility, variant, alpha).dropna(subset=["size"]).sort_values("size")
        colour = UNIT_PALETTE[i % len(UNIT_PALETTE)]
        name = variant_title(variant, alpha, volatility)
        if len(sub) > MAX_POINTS:
            trace = _binned_trace(sub, "rank_sd", name, colour, True)
            trace.update(mode="lines+markers", line={"color": colour})
            fig.add_trace(trace)
            continue
        fig.add_trace(go.Scatter(
            x=sub["size"], y=sub["rank_sd"], mode="lines+markers", name=name,
            line={"color": colour}, customdata=sub[["name"]],
            hovertemplate="%{customdata[0]}<br>规模 %{x:,.0f}<br>名次标准差 %{y:.2f}"
                          "<extra></extra>"))
    fig.update_xaxes(type="log", title_text=size_label)
    fig.update_yaxes(title_text="名次标准差(位)", rangemode="tozero")
    return _layout(fig, title, height=460)
