"""Charts of the annual brief: tiers by unit and year, and the alternatives' trade-offs.

The brief's facts: ``perfanalysis.report.brief``; its findings:
``perfanalysis.report.findings.brief``; chapter ``notebooks/05_brief.py``.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from ..charts import TIER_PALETTE, chart_frame, size_label_zh


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    return chart_frame(fig, title, height, {"l": 120, "r": 40, "t": 80, "b": 60},
                       legend=None, title_at_top=False)


MAX_CHART_UNITS = 40


def tier_history_chart(history: pd.DataFrame, labels: list[str],
                       focus: list[str] | None = None, flagged: list[str] | None = None,
                       max_units: int = MAX_CHART_UNITS) -> go.Figure:
    """Heatmap of each unit's tier by year (colour = tier, text = rank), units ordered by
    sequence and their latest rank; focus units' names are marked ★. With more than
    ``max_units`` units only the focus units and the ``flagged`` ones (follow-ups) are drawn,
    and the title says so (the full history is the tier_history table)."""
    focus = set(focus or [])
    if history.empty:
        return _layout(go.Figure(), "逐年等次(无可计分年度)", 300)
    n_all = history["unit_id"].nunique()
    title = "各单位逐年等次与序列排名(★为重点单位)"
    if n_all > max_units:
        keep = focus | set(flagged or [])
        history = history.loc[history["unit_id"].isin(keep)]
        title = (f"重点单位和触发后续处理的单位逐年等次与序列排名(共{n_all}个单位,"
                 f"图中{history['unit_id'].nunique()}个,★为重点单位)")
        if history.empty:
            return _layout(go.Figure(), title, 300)
    years = sorted(int(y) for y in history["year"].unique())
    last = history.sort_values("year").groupby("unit_id").tail(1)
    order = last.sort_values(["sequence", "rank", "unit_id"], ascending=[False, False, False],
                             kind="stable")
    names = [("★" if u in focus else "") + str(n) for u, n in zip(order["unit_id"],
                                                                  order["name"])]
    code = {lab: i for i, lab in enumerate(labels)}
    piv = history.pivot(index="unit_id", columns="year", values="tier").reindex(
        index=order["unit_id"], columns=years)
    rank = history.pivot(index="unit_id", columns="year", values="rank").reindex(
        index=order["unit_id"], columns=years)
    z = piv.apply(lambda col: col.map(code)).to_numpy(dtype=float)
    text = [[("" if isinstance(t, float) else f"{t}<br>第{int(r)}位") if not (
        isinstance(r, float) and math.isnan(r)) else "" for t, r in zip(trow, rrow)]
        for trow, rrow in zip(piv.to_numpy(), rank.to_numpy())]
    n = len(labels)
    picks = list(range(n)) if n >= 4 else [*range(n - 1), 3]  # worst tier red, as charts.py
    scale: list[list[float | str]] = []
    for i, pick in enumerate(picks):  # one flat band per tier code
        colour = TIER_PALETTE[pick % len(TIER_PALETTE)]
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    fig = go.Figure(go.Heatmap(
        z=z, x=[str(y) for y in years], y=names, text=text, texttemplate="%{text}",
        zmin=-0.5, zmax=len(labels) - 0.5, colorscale=scale, xgap=2, ygap=2,
        colorbar={"tickvals": list(range(len(labels))), "ticktext": labels, "title": "等次"},
        hovertemplate="%{y} %{x}年<br>%{text}<extra></extra>"))
    fig.update_xaxes(title="年度", type="category")
    fig.update_yaxes(title="")
    return _layout(fig, title, max(320, 28 * len(names) + 140))


def jitter(x: pd.Series, y: pd.Series, step: float = 0.15) -> pd.Series:
    """Vertical offsets that separate points sharing the same (x, y) (rounded to 2
    decimals): the k-th duplicate moves by ±step·⌈k/2⌉, the first stays put."""
    key = pd.Series(list(zip(x.round(2), y.round(2))), index=x.index)
    k = key.groupby(key).cumcount()
    return k.map(lambda i: 0.0 if i == 0 else step * ((i + 1) // 2) * (1 if i % 2 else -1))


#: The plot area the trade-off chart gets in the report (px, body column at 1 280 px) and
#: its label font: a label is a box of text above its marker (below, for the current scheme).
PLOT_PX = (620.0, 300.0)
LABEL_PX = (13.0, 7.0, 16.0, 7.0)  # width of a CJK / other character, text height, gap


def label_box(x: float, y: float, label: str, official: bool, top: int
              ) -> tuple[float, float, float, float]:
    """The pixel box (left, right, bottom, top) a point's label takes in the trade-off chart:
    ρ from −1.05 to 1.05 across the plot width, tier changes from −0.6 to top + 0.8 up its
    height; text centred on the marker, above it (below for the current scheme)."""
    cjk, other, height, gap = LABEL_PX
    width = sum(cjk if ord(ch) > 0x2E7F else other for ch in label)
    px = (x + 1.05) / 2.1 * PLOT_PX[0]
    py = (y + 0.6) / (top + 1.4) * PLOT_PX[1]
    low = py - gap - height if official else py + gap
    return px - width / 2, px + width / 2, low, low + height


def boxes_overlap(a: tuple[float, float, float, float],
                  b: tuple[float, float, float, float]) -> bool:
    """Whether two label boxes (left, right, bottom, top) share any pixel."""
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def tradeoff_groups(t: pd.DataFrame) -> pd.DataFrame:
    """The trade-off points grouped by position (ρ to 3 decimals, tier changes): one row per
    distinct point with its alternatives' names, whether the current scheme is among them,
    and its label — the current scheme's name (+ how many share its point), or a lone
    alternative's name, or "first等N个方案"; a label whose box (``label_box``) would
    overlap one already placed (nearest the current scheme first) is dropped."""
    t = t.assign(_x=t["size_rho"].astype(float).round(3), _off=t["kind"] == "official")
    rows = []
    for (x, y), grp in t.groupby(["_x", "tier_changes"], sort=True):
        names = [str(a) for a in grp.sort_values("_off", ascending=False)["alternative"]]
        off = bool(grp["_off"].any())
        label = names[0] if len(names) == 1 else f"{names[0]}等{len(names)}个方案"
        rows.append({"x": float(x), "y": int(y), "names": names, "official": off,
                     "label": label})
    g = pd.DataFrame(rows)
    base = g.loc[g["official"], "x"]
    x0 = float(base.iloc[0]) if len(base) else 0.0
    g = g.assign(_d=(g["x"] - x0).abs()).sort_values(["official", "_d"],
                                                      ascending=[False, True], kind="stable")
    top = int(g["y"].max())
    placed: list[tuple[float, float, float, float]] = []
    keep = []
    for r in g.itertuples(index=False):
        box = label_box(r.x, r.y, r.label, r.official, top)
        keep.append(r.official or not any(boxes_overlap(box, b) for b in placed))
        if keep[-1]:
            placed.append(box)
    g["label"] = [lab if k else "" for lab, k in zip(g["label"], keep)]
    return g.drop(columns="_d").sort_values(["x", "y"]).reset_index(drop=True)


def tradeoffs_chart(trade: pd.DataFrame, size_col: str | None) -> go.Figure:
    """Each alternative as a point: size dependence (ρ of total with size) against the
    number of tier changes vs the official scheme. Alternatives at the same point are one
    marker (hover lists them); labels only where they stay readable (``tradeoff_groups``);
    the current scheme's star drawn last, on top."""
    t = trade.dropna(subset=["size_rho"])
    fig = go.Figure()
    if t.empty:
        fig.add_bar(x=list(trade["alternative"]), y=list(trade["tier_changes"]),
                    marker_color="#4575b4",
                    hovertemplate="%{x}<br>等次改变 %{y} 个单位<extra></extra>")
        fig.update_yaxes(title="与现行方案相比等次改变的单位数")
        return _layout(fig, "各方案与现行方案相比的等次变化", 420)
    g = tradeoff_groups(t)
    hover = ["<br>".join(n[:12]) + (f"<br>……共{len(n)}个" if len(n) > 12 else "")
             for n in g["names"]]
    g = g.assign(hover=hover)
    for is_off, sub in ((False, g.loc[~g["official"]]), (True, g.loc[g["official"]])):
        if sub.empty:
            continue
        fig.add_scatter(
            x=sub["x"], y=sub["y"], mode="markers+text", text=sub["label"],
            customdata=sub["hover"], textposition="top center" if is_off else "bottom center",
            name="现行方案" if is_off else "替代方案",
            marker={"size": 18 if is_off else 10, "color": "#d73027" if is_off else "#4575b4",
                    "symbol": "star" if is_off else "circle",
                    "line": {"width": 1, "color": "white"}},
            hovertemplate="%{customdata}<br>ρ=%{x:.2f}<br>等次改变 %{y} 个单位<extra></extra>")
    fig.add_vline(x=0, line_dash="dot", line_color="#888")
    fig.update_xaxes(title=f"总分与规模({size_label_zh(size_col)})的等级相关系数ρ"
                           "(越接近0越不依赖规模)", range=[-1.05, 1.05])
    top = int(g["y"].max()) if len(g) else 0
    fig.update_yaxes(title="与现行方案相比等次改变的单位数", range=[-0.6, top + 0.8],
                     dtick=1 if top <= 10 else None)
    return _layout(fig, "各方案的利弊:规模依赖与等次变化", 480)


def alternatives_chart(alts: pd.DataFrame, size_col: str | None) -> go.Figure:
    """The brief's key chart: each way of scoring the economic block (one construct per
    point) at its size dependence ρ with the interval as an error bar, against tier changes.
    Only the current scheme and the first-ranked alternative carry labels; the rest show on
    hover; identical points are jittered apart."""
    from ..reply import size_name

    fig = go.Figure()
    if alts.empty:
        return _layout(fig, "经济指标没有可比较的替代计分方式", 300)
    a = alts.reset_index(drop=True)
    y = a["tier_changes"].astype(float) + jitter(a["block_rho"], a["tier_changes"].astype(float))
    named = a["is_current"].astype(bool) | (a["rank"] == 1)
    label = [("现行:" if c else "首选:") + str(n) if m else ""
             for n, c, m in zip(a["alternative"], a["is_current"].astype(bool), named)]
    for kind, sel, colour, symbol in (("现行方案", a["is_current"].astype(bool), "#d73027",
                                       "star"),
                                      ("其他计分方式", ~a["is_current"].astype(bool), "#4575b4",
                                       "circle")):
        sub = a.loc[sel]
        if sub.empty:
            continue
        fig.add_scatter(
            x=sub["block_rho"], y=y.loc[sel], mode="markers+text",
            text=[label[i] for i in sub.index], textposition="top center", name=kind,
            customdata=list(zip(sub["alternative"], sub["block_rho_lo"], sub["block_rho_hi"],
                                sub["tier_changes"])),
            error_x={"type": "data", "symmetric": False,
                     "array": (sub["block_rho_hi"] - sub["block_rho"]).tolist(),
                     "arrayminus": (sub["block_rho"] - sub["block_rho_lo"]).tolist(),
                     "color": colour, "thickness": 1},
            marker={"size": 14 if symbol == "star" else 10, "color": colour, "symbol": symbol},
            hovertemplate="%{customdata[0]}<br>ρ=%{x:.2f}(区间%{customdata[1]:.2f}至"
                          "%{customdata[2]:.2f})<br>等次改变 %{customdata[3]} 个单位"
                          "<extra></extra>")
    fig.add_vline(x=0, line_dash="dot", line_color="#888")
    fig.update_xaxes(title=f"经济指标得分与{size_name(size_col)}的等级相关系数ρ"
                           "(正:规模大的得分高;负:规模小的得分高)", range=[-1.05, 1.05])
    fig.update_yaxes(title="与现行方案相比等次改变的单位数", rangemode="tozero")
    return _layout(fig, "经济指标的计分方式:规模影响与等次变化", 460)
