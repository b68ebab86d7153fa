"""Charts of the differentiated-targets study (Chinese labels): target vs actual per unit,
attainment heat-maps per rule, attainment vs size with fitted lines, rank/tier changes.

Each takes tables of ``perfanalysis.studies.targets`` and returns a ``go.Figure``.

The study's computation: ``perfanalysis.studies.targets``; its findings:
``perfanalysis.report.findings.targets``; chapter ``notebooks/01_differentiated_targets.py``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ...engine.scheme import Scheme
from ...studies.size import size_name_zh
from ..charts import PART_PALETTE, SHOWN_EACH_END, UNIT_CHART_LIMIT, chart_frame, tier_colours

ACTUAL_COLOUR = "#222222"
NO_DATA_COLOUR = "#d0d0d0"  # a cell without a target (no history, or a target ≤ 0)
#: beyond this many units, charts show a selection (names readable): the report's one rule
MANY_UNITS = UNIT_CHART_LIMIT
MAX_PANEL_COLS = 3  # small multiples wrap after this many columns
MAX_SEQUENCE_PANELS = 4  # beyond this many sequences the rank chart aggregates
RATIO_ZH = {"level": "实际÷目标", "increment": "实际增量÷目标增量",
            "growth": "实际增速÷目标增速", "given_rate": "实际增速÷目标增速"}
RATIO_REVERSE_ZH = {"level": "目标÷实际", "increment": "目标增量÷实际增量",
                    "growth": "目标增速÷实际增速", "given_rate": "目标增速÷实际增速"}


def _row_px(n: int, wide: int) -> int:
    """Pixels per unit row: readable names for a few units, a compact strip for a panel."""
    return wide if n <= MANY_UNITS else max(4, 8 * MANY_UNITS // n)


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    return chart_frame(fig, title, height, {"l": 60, "r": 40, "t": 110, "b": 50})


def _colours(rules: list[str]) -> dict[str, str]:
    return {r: PART_PALETTE[i % len(PART_PALETTE)] for i, r in enumerate(rules)}


def _label(labels: Mapping[str, str], rule: str) -> str:
    return str(labels.get(rule, rule))


def clip_range(values: np.ndarray, fence: float = 3.0, pad: float = 0.08
               ) -> tuple[float, float]:
    """An axis range set by the bulk of the values: the data's range cut at the quartiles
    ± ``fence`` interquartile ranges (padded), so one extreme value does not set a chart's
    scale; values outside are drawn at the edge with a marker (``clipped``)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not len(v):
        return 0.0, 1.0
    q1, q3 = np.quantile(v, [0.25, 0.75])
    iqr = q3 - q1
    lo, hi = max(v.min(), q1 - fence * iqr), min(v.max(), q3 + fence * iqr)
    span = max(hi - lo, 1e-9 + 0.05 * abs(hi))
    return float(lo - pad * span), float(hi + pad * span)


def clipped(values: np.ndarray, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """Values held inside [lo, hi] and the mask of those that were outside."""
    v = np.asarray(values, dtype=float)
    out = np.isfinite(v) & ((v < lo) | (v > hi))
    return np.clip(v, lo, hi), out


def select_units(bt: pd.DataFrame, limit: int = MANY_UNITS, each: int = SHOWN_EACH_END,
                 keep: tuple[str, ...] = ()) -> tuple[list[str], str]:
    """Unit names a per-unit chart shows: all of them up to ``limit``, else the ``each``
    with the lowest and the ``each`` with the highest mean attainment (and the units in
    ``keep``), with a Chinese note saying so ("" when all are shown)."""
    names = list(dict.fromkeys(bt["name"].astype(str)))
    if len(names) <= limit:
        return names, ""
    mean = bt.groupby(bt["name"].astype(str))["attainment"].mean().sort_values(kind="stable")
    chosen = set(mean.index[:each]) | set(mean.index[-each:]) | (set(keep) & set(names))
    return ([n for n in mean.index if n in chosen],
            f"共 {len(names)} 个单位,显示平均达成度最低与最高各 {each} 个")


def dumbbell_chart(bt: pd.DataFrame, year: int, indicator_name: str,
                   labels: Mapping[str, str], keep: tuple[str, ...] = ()) -> go.Figure:
    """One row per unit: each rule's level target for ``year`` as a percentage of the
    actual level (actual = 100, the black diamond), joined by a line spanning them; units
    ordered by actual value. Targets far outside the bulk sit at the edge as triangles
    (hover shows the value); a large panel shows the units with the lowest and highest
    attainment (``select_units``)."""
    sub = bt.loc[bt["year"] == year]
    shown, note = select_units(sub, keep=keep)
    sub = sub.loc[sub["name"].astype(str).isin(shown)]
    actual = sub.groupby("name", sort=False)["actual"].first().sort_values()
    names = list(actual.index.astype(str))
    rules = list(dict.fromkeys(sub["rule"]))
    colours = _colours(rules)
    fig = go.Figure()
    wide = sub.pivot_table(index="name", columns="rule", values="target").reindex(names)
    rel = 100 * wide.div(actual.reindex(names), axis=0)
    lo, hi = clip_range(np.r_[rel.to_numpy(float).ravel(), 100.0])
    lo, hi = min(lo, 99.0), max(hi, 101.0)
    held = rel.clip(lower=lo, upper=hi)
    left = np.fmin(held.min(axis=1).to_numpy(float), 100.0)
    right = np.fmax(held.max(axis=1).to_numpy(float), 100.0)
    xs, ys = [], []
    for name, a, b in zip(names, left, right):
        xs += [a, b, None]
        ys += [name, name, None]
    fig.add_scatter(x=xs, y=ys, mode="lines", line={"color": "#c8c8c8", "width": 3},
                    showlegend=False, hoverinfo="skip")
    for rule in rules:
        vals = rel[rule] if rule in rel else pd.Series(np.nan, index=names)
        x, out = clipped(vals.to_numpy(float), lo, hi)
        level = wide[rule] if rule in wide else pd.Series(np.nan, index=names)
        fig.add_scatter(x=x, y=names, mode="markers", name=_label(labels, rule),
                        customdata=np.stack([level.to_numpy(float), vals.to_numpy(float)],
                                            axis=-1),
                        marker={"size": 10, "color": colours[rule], "opacity": 0.85,
                                "symbol": np.where(out, np.where(vals > hi,
                                                                 "triangle-right",
                                                                 "triangle-left"),
                                                   "circle").tolist()},
                        hovertemplate="%{y}<br>" + _label(labels, rule)
                                      + " 目标 %{customdata[0]:,.2f}(实际值的 "
                                        "%{customdata[1]:.1f}%)<extra></extra>")
    fig.add_scatter(x=np.full(len(names), 100.0), y=names, mode="markers", name="实际值",
                    customdata=actual.to_numpy(float),
                    marker={"size": 12, "symbol": "diamond", "color": ACTUAL_COLOUR},
                    hovertemplate="%{y}<br>实际值 %{customdata:,.2f}<extra></extra>")
    fig.update_xaxes(title="目标值占实际值的百分比(实际值 = 100;三角形:超出坐标范围)",
                     range=[lo, hi])
    fig.update_yaxes(title="", automargin=True)
    title = f"{year}年“{indicator_name}”各规则目标值与实际值"
    if note:
        title += f"<br><sup>{note}</sup>"
    return _layout(fig, title, max(380, _row_px(len(names), 26) * len(names) + 180))


def attainment_cube(bt: pd.DataFrame, rules: list[str], names: list[str],
                    years: list[int]) -> np.ndarray:
    """Mean attainment (rules × names × years) of a back-test table, NaN where a cell has no
    value; rows of units not in ``names`` are left out. One pass over the table: the mean
    ``pivot_table`` gives per rule, without a pivot per rule."""
    uniq = list(dict.fromkeys(names))  # a name listed twice gets its row twice
    shape = (len(rules), len(uniq), len(years))
    r = pd.Index(list(dict.fromkeys(rules))).get_indexer(bt["rule"])  # -1: not asked for
    n = pd.Index(uniq).get_indexer(bt["name"])
    y = pd.Index(list(dict.fromkeys(years))).get_indexer(bt["year"].astype(int))
    att = bt["attainment"].to_numpy(float)
    keep = (r >= 0) & (n >= 0) & (y >= 0) & ~np.isnan(att)
    flat = np.ravel_multi_index((r[keep], n[keep], y[keep]), shape)
    size = int(np.prod(shape))
    total = np.bincount(flat, weights=att[keep], minlength=size)
    count = np.bincount(flat, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        cube = np.where(count > 0, total / np.maximum(count, 1), np.nan).reshape(shape)
    return cube[:, [uniq.index(x) for x in names], :] if len(uniq) < len(names) else cube


def attainment_heatmap(bt: pd.DataFrame, indicator_name: str, labels: Mapping[str, str],
                       order: list[str] | None = None, *, reverse: bool = False,
                       keep: tuple[str, ...] = ()) -> go.Figure:
    """Attainment by unit and year, one panel per rule (wrapping after three columns);
    blue ≥ 1 (target met), red < 1, grey: no target. Attainment is actual ÷ target in the
    scored terms (increment, growth or level; target ÷ actual for a reverse indicator, as
    the title says). The colour scale covers the bulk of the values; cells beyond it carry
    ▲/▼. Unit names on the first column only; a large panel shows the units with the
    lowest and highest mean attainment (``select_units``). ``order``: unit names, top
    first."""
    rules = list(dict.fromkeys(bt["rule"]))
    if not rules:  # no year with the history a rule reads: nothing to back-test
        return _layout(go.Figure(), f"“{indicator_name}”没有可回测的年份", 200)
    cols = min(MAX_PANEL_COLS, max(len(rules), 1))
    rows = int(np.ceil(len(rules) / cols)) or 1
    fig = make_subplots(rows=rows, cols=cols, shared_yaxes=True, horizontal_spacing=0.03,
                        vertical_spacing=min(0.12, 0.5 / rows),
                        subplot_titles=[_label(labels, r) for r in rules])
    shown, note = select_units(bt, keep=keep)
    names = [n for n in (order or sorted(shown)) if n in set(shown)]
    years = sorted(int(y) for y in bt["year"].unique())
    att = bt["attainment"].to_numpy(float)
    dev = np.abs(att[np.isfinite(att)] - 1.0)
    span = float(np.quantile(dev, 0.95)) if len(dev) else 0.1
    span = min(max(span, 0.05), 1.0)
    cube = attainment_cube(bt, rules, names, years)
    traces: list[go.Heatmap] = []
    at: list[tuple[int, int]] = []
    for k, rule in enumerate(rules):
        z = cube[k]
        row, col = k // cols + 1, k % cols + 1
        xs = [str(y) for y in years]
        traces.append(go.Heatmap(
            z=np.where(np.isfinite(z), np.nan, 1.0), x=xs, y=names, showscale=False,
            colorscale=[[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]], xgap=1, ygap=1,
            hovertemplate="%{y} %{x}年<br>无目标(历史数据不足或目标不为正)<extra></extra>"))
        marks = np.where(z > 1 + span, "▲", np.where(z < 1 - span, "▼", ""))
        traces.append(go.Heatmap(
            z=z, x=xs, y=names, zmid=1.0, text=marks, texttemplate="%{text}",
            zmin=1.0 - span, zmax=1.0 + span, colorscale="RdBu", showscale=k == 0,
            colorbar={"title": "达成度", "len": 0.8}, xgap=1, ygap=1,
            hovertemplate="%{y} %{x}年<br>达成度 %{z:.3f}<extra>" + _label(labels, rule)
                          + "</extra>"))
        at += [(row, col)] * 2
    # added in one call: trace by trace, each addition re-validated the figure
    fig.add_traces(traces, rows=[r for r, _ in at], cols=[c for _, c in at])
    # one layout update for every axis and subplot title (plotly's update_yaxes(row=, col=)
    # walks the whole grid each call): names on the first column only
    axes = {f"yaxis{'' if i == 1 else i}": {"autorange": "reversed", "automargin": True,
                                            "showticklabels": (i - 1) % cols == 0}
            for i in range(1, rows * cols + 1)}
    fig.update_layout(axes, annotations=[{**a.to_plotly_json(), "font": {"size": 12}}
                                         for a in fig.layout.annotations])
    bases = [b for b in dict.fromkeys(bt["basis"])] if "basis" in bt else ["level"]
    ratio = (RATIO_REVERSE_ZH if reverse else RATIO_ZH).get(bases[0] if bases else "level")
    title = f"“{indicator_name}”目标达成度({ratio},逐年回测)"
    sub_title = "灰色:无目标;▲▼:超出色标范围"
    if note:
        sub_title = note + ";" + sub_title
    return _layout(fig, f"{title}<br><sup>{sub_title}</sup>",
                   max(360, rows * (_row_px(len(names), 18) * len(names) + 90) + 140))


def equity_scatter(bt: pd.DataFrame, size: pd.Series, size_label: str,
                   labels: Mapping[str, str], indicator_name: str = "") -> go.Figure:
    """Each unit's mean attainment over the back-test years against its size (log scale),
    one colour per rule, with the least-squares line of attainment on log size. The
    y-axis covers the bulk of the points; points beyond sit at the edge as triangles."""
    rules = list(dict.fromkeys(bt["rule"]))
    colours = _colours(rules)
    ok = bt.loc[bt["valid"].astype(bool)]
    means = ok.groupby(["rule", "unit_id"], sort=False).agg(
        attainment=("attainment", "mean"), name=("name", "first")).reset_index()
    means["size"] = means["unit_id"].map(size).astype(float)
    means = means.loc[np.isfinite(means["size"]) & (means["size"] > 0)]
    lo, hi = clip_range(np.r_[means["attainment"].to_numpy(float), 1.0])
    fig = go.Figure()
    many = means["unit_id"].nunique() > MANY_UNITS
    for rule in rules:
        m = means.loc[means["rule"] == rule]
        label = _label(labels, rule)
        if many:
            b = size_bins(m)
            fig.add_scatter(x=b["size"], y=np.clip(b["attainment"], lo, hi),
                            mode="lines+markers", name=label, legendgroup=rule,
                            customdata=np.stack([b["n"], b["attainment"]], axis=-1),
                            marker={"size": 8, "color": colours[rule]},
                            line={"color": colours[rule], "width": 1},
                            hovertemplate="规模中位数 %{x:,.0f}(%{customdata[0]} 个单位)"
                                          "<br>平均达成度 %{customdata[1]:.3f}<extra>"
                                          + label + "</extra>")
        else:
            y, out = clipped(m["attainment"].to_numpy(float), lo, hi)
            fig.add_scatter(x=m["size"], y=y, mode="markers", name=label,
                            legendgroup=rule, text=m["name"],
                            customdata=m["attainment"].to_numpy(float),
                            marker={"size": 9, "color": colours[rule], "opacity": 0.8,
                                    "symbol": np.where(out, np.where(m["attainment"] > hi,
                                                                     "triangle-up",
                                                                     "triangle-down"),
                                                       "circle").tolist()},
                            hovertemplate="%{text}<br>规模 %{x:,.0f}<br>平均达成度 "
                                          "%{customdata:.3f}<extra>" + label + "</extra>")
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
    fig.update_yaxes(title="平均达成度(三角形:超出坐标范围)", range=[lo, hi])
    title = f"“{indicator_name}”" if indicator_name else ""
    title += "目标达成度与单位规模(虚线为拟合线)"
    if many:
        title += (f"<br><sup>共 {means['unit_id'].nunique()} 个单位:按规模分为 {SIZE_BINS} 组,"
                  "每点为一组的平均达成度</sup>")
    return _layout(fig, title, 500)


SIZE_BINS = 20  # size groups of a large panel's equity chart


def size_bins(means: pd.DataFrame, bins: int = SIZE_BINS) -> pd.DataFrame:
    """Units (size, attainment) grouped into ``bins`` groups of equal count by size: each
    group's median size, mean attainment and number of units."""
    m = means.sort_values(["size", "unit_id"], kind="stable").reset_index(drop=True)
    group = np.arange(len(m)) * bins // max(len(m), 1)
    return (m.groupby(group).agg(size=("size", "median"), attainment=("attainment", "mean"),
                                 n=("attainment", "size")).reset_index(drop=True))


def rank_change_chart(shifts: pd.DataFrame, scheme: Scheme, year: int,
                      labels: Mapping[str, str]) -> go.Figure:
    """Rank of every unit under each rule (a line per unit, one column per rule, one panel
    per sequence, wrapping after three), markers coloured by tier; hovering shows the
    places moved against the scheme's own rules. With more than four sequences or more
    than ``MANY_UNITS`` units, the distribution of places moved per rule instead
    (``rank_shift_summary_chart``)."""
    seqs = list(dict.fromkeys(shifts["sequence"].astype(str)))
    if len(seqs) > MAX_SEQUENCE_PANELS or shifts["unit_id"].nunique() > MANY_UNITS:
        return rank_shift_summary_chart(shifts, year, labels)
    rules = list(dict.fromkeys(shifts["rule"]))
    colours = tier_colours(scheme)
    cols = min(MAX_PANEL_COLS, len(seqs))
    rows = int(np.ceil(len(seqs) / cols))
    fig = make_subplots(rows=rows, cols=cols, horizontal_spacing=0.04,
                        vertical_spacing=min(0.15, 0.5 / rows),
                        subplot_titles=[scheme.sequences.get(q, q) for q in seqs]
                        if len(seqs) > 1 else None)
    xs = [_label(labels, r) for r in rules]
    for uid, g in shifts.groupby("unit_id", sort=False):
        g = g.set_index("rule").reindex(rules)
        name = str(g["name"].dropna().iloc[0])
        seq = str(g["sequence"].dropna().iloc[0])
        i = seqs.index(seq)
        fig.add_trace(go.Scatter(
            x=xs, y=g["rank"], mode="lines+markers", name=name, showlegend=False,
            line={"color": "#bbbbbb", "width": 1},
            marker={"size": 11, "color": [colours.get(str(t), "#7f7f7f") for t in g["tier"]]},
            customdata=np.stack([g["tier"].astype(str), g["shift"].astype(float)], axis=-1),
            hovertemplate=f"{name}<br>%{{x}}<br>名次 %{{y}} · %{{customdata[0]}}"
                          "<br>较现行规则上升 %{customdata[1]:.0f} 位"
                          f"<extra>{uid}</extra>"), row=i // cols + 1, col=i % cols + 1)
    for label in scheme.tiers.labels:
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=label,
                                 marker={"size": 11, "color": colours[label]}), row=1, col=1)
    fig.update_yaxes(autorange="reversed", dtick=1)
    fig.update_yaxes(title="序列内名次(1 = 第一)", row=1, col=1)
    fig.update_xaxes(tickangle=-30)
    return _layout(fig, f"{year}年各目标规则下的名次与等次", 520 * rows)


def rank_shift_summary_chart(shifts: pd.DataFrame, year: int,
                             labels: Mapping[str, str]) -> go.Figure:
    """Places moved against the scheme's own rules, one box per rule (quartiles, whiskers
    at the extremes, over all units of all sequences), with the number of units whose tier
    changes above each box: a large panel stays legible and light (five numbers a rule)."""
    rules = [r for r in dict.fromkeys(shifts["rule"]) if r != "scheme"]
    fig = go.Figure()
    for i, rule in enumerate(rules):
        g = shifts.loc[shifts["rule"] == rule]
        label = _label(labels, rule)
        y = g["shift"].to_numpy(float)
        q1, med, q3 = np.percentile(y, [25, 50, 75])
        fig.add_trace(go.Box(x=[label], q1=[q1], median=[med], q3=[q3],
                             lowerfence=[y.min()], upperfence=[y.max()], name=label,
                             marker={"color": PART_PALETTE[i % len(PART_PALETTE)]},
                             showlegend=False))
        fig.add_annotation(x=label, y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                           text=f"等次改变 {int(g['tier_changed'].sum())} 个")
    fig.add_hline(y=0, line_color="#888", line_dash="dot")
    n, q = shifts["unit_id"].nunique(), shifts["sequence"].nunique()
    fig.update_yaxes(title="较现行规则上升的位数(序列内名次)")
    fig.update_xaxes(tickangle=-30)
    return _layout(fig, f"{year}年各目标规则下的名次变动({n} 个单位,{q} 个序列)", 520)
