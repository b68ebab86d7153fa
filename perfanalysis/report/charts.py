"""Plotly figures for the report: Chinese labels, tier colours, threshold lines.

Each function takes tables the package computed and returns a ``go.Figure``; showing it
(HTML + PNG outputs for Quarto and nbconvert) is ``perfanalysis.report.notebook.show``'s job.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from ..engine.scheme import Scheme

# Good → bad: green, blue, orange, red (colour-blind safe ColorBrewer RdYlBu/RdYlGn ends).
TIER_PALETTE = ["#1a9850", "#4575b4", "#fdae61", "#d73027", "#762a83", "#7f7f7f"]
PART_PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948",
                "#9c755f", "#bab0ac"]
# Bonus and penalty: colours no component uses, plus a hatch, so 加分 never reads as a part.
ADJUSTMENT_STYLE = {"bonus": ("#1f1f5c", "/"), "penalty": ("#c51b7d", "x")}
MANY_UNITS = 10  # angle the unit names beyond this many bars
#: Beyond this many units a chart with one mark per unit shows a selection, so the names
#: stay readable and the page small at national scale (the limit of a long table's page,
#: ``LONG_TABLE_ROWS``); the whole list is in scores.xlsx. Chapters 00, 01 and 03 use it.
UNIT_CHART_LIMIT = 60
#: Units a selecting chart shows at each end of its ranking (2 × this many in all).
SHOWN_EACH_END = 20
#: A unit axis groups its names under their sequence up to this many sequences (the
#: presets have at most 10); beyond, each name carries its sequence.
MAX_SEQUENCE_GROUPS = 12
#: Height of a bar's value label (11-px text plus plotly's offset) and a conservative height
#: of the plot area of a 500-px chart, in pixels: a label spans LABEL_PX / PLOT_PX of the axis.
LABEL_PX = 20.0
PLOT_PX = 260.0
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"


#: Chinese names of the size measures the data carries (``population_2020`` → 常住人口(2020年)).
SIZE_MEASURES_ZH = {"population": "常住人口", "staff": "人员编制", "area": "面积",
                    "gdp": "地区生产总值"}


def size_label_zh(column: str | None) -> str:
    """A reader's name for a size column: “常住人口(2020年)” for ``population_2020``, the
    measure's name for ``population``; a name that is not a code identifier is kept as is,
    and an unknown identifier becomes “规模” (reader text never shows code names)."""
    if not column:
        return "规模"
    m = re.fullmatch(r"([a-z]+)(?:_(\d{4}))?", str(column))
    if m is None:
        return str(column) if not re.search(r"[A-Za-z_]\w*_\w+", str(column)) else "规模"
    name = SIZE_MEASURES_ZH.get(m.group(1), "规模")
    return f"{name}({m.group(2)}年)" if m.group(2) else name


def figure_spec(fig: go.Figure) -> dict[str, Any]:
    """The figure as plain JSON data (``{"data": [...], "layout": {...}}``), encoded once
    without validation or deep copies (``go.Figure(fig)`` and ``to_dict`` deep-copied every
    array: a third of a chart-heavy chapter's time)."""
    spec = {"data": fig._data, "layout": fig._layout}  # plotly's own storage, read only
    return json.loads(pio.to_json(spec, validate=False, pretty=False))


def _values(values: object) -> np.ndarray | None:
    """A trace's x or y as floats (plain lists or plotly's typed arrays), None if not
    numeric."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]),
                             dtype=np.dtype(values.get("dtype", "f8"))).astype(float)
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return None


def _axis_values(spec: dict[str, Any]) -> dict[str, list[np.ndarray | None]]:
    """The values each trace plots on each axis (``xaxis``, ``yaxis2`` …): floats, or None
    where they are not numbers (categories). A horizontal trace's y (its categories) is
    left out."""
    found: dict[str, list[np.ndarray | None]] = {}
    for trace in spec.get("data", []):
        for letter in ("x", "y"):
            values = trace.get(letter)
            if values is None or trace.get("orientation") == "h" and letter == "y":
                continue
            ref = trace.get(f"{letter}axis") or letter
            found.setdefault(f"{letter}axis{ref[1:]}", []).append(_values(values))
    return found


def _year_axes(values: dict[str, list[np.ndarray | None]]) -> set[str]:
    """Axes every trace on which plots whole numbers between 1900 and 2100 only: years,
    which a reader writes 2019, never 2,019 (``values``: ``_axis_values``)."""
    def years(arr: np.ndarray | None) -> bool:
        if arr is None:
            return False
        arr = arr[np.isfinite(arr)]
        return bool(len(arr)) and bool(np.all((arr == np.round(arr)) & (arr >= 1900)
                                               & (arr <= 2100)))

    return {name for name, arrs in values.items() if all(years(a) for a in arrs)}


_AXIS = re.compile(r"[xy]axis\d*")
#: labels a log axis across the full width of a chart may carry (fewer on a narrower panel)
LOG_LABELS_FULL_WIDTH = 8


def log_ticks(lo: float, hi: float, max_labels: float = LOG_LABELS_FULL_WIDTH
              ) -> tuple[list[float], list[str]]:
    """Tick values and labels of a log axis covering [lo, hi] (both > 0), written in full
    (20,000; 0.5), so no tick reads "2" where it means 200,000: 1, 2 and 5 of each decade,
    from the last such value at or below ``lo`` to the first at or above ``hi``; each decade
    only when more than ``max_labels`` of the 1-2-5 ticks fall inside [lo, hi], unless
    fewer than two decades do (a scale needs two labels)."""
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    tol = 1e-12

    def bracket(steps: tuple[int, ...]) -> tuple[list[float], int]:
        vals = [m * 10.0 ** k for k in range(first, last + 1) for m in steps]
        below = max(v for v in vals if v <= lo * (1 + tol))
        above = min(v for v in vals if v >= hi * (1 - tol))
        inside = sum(lo * (1 - tol) <= v <= hi * (1 + tol) for v in vals)
        return [v for v in vals if below <= v <= above], inside

    vals, inside = bracket((1, 2, 5))
    if inside > max_labels:
        decades, n_decades = bracket((1,))
        if n_decades >= 2:
            vals = decades
    labels = [f"{v:,.0f}" if v >= 1 else f"{v:g}" for v in vals]
    return vals, labels


def _log_range(axis: dict[str, Any], values: list[np.ndarray | None]
               ) -> tuple[float, float] | None:
    """A log axis's set range (log10 units), else the positive range of its ``values``."""
    if isinstance(axis.get("range"), list | tuple) and len(axis["range"]) == 2:
        lo, hi = sorted(10.0 ** float(v) for v in axis["range"])
        return lo, hi
    pos = [a[np.isfinite(a) & (a > 0)] for a in values if a is not None]
    pos = [a for a in pos if len(a)]
    return (min(float(a.min()) for a in pos), max(float(a.max()) for a in pos)) if pos \
        else None


def reader_axes_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """``reader_axes`` on a figure's JSON data (``figure_spec``), in place; returns it."""
    layout = spec.setdefault("layout", {})
    values = _axis_values(spec)
    years = _year_axes(values)
    for name in sorted({"xaxis", "yaxis", *(k for k in layout if _AXIS.fullmatch(k))}):
        axis = layout.setdefault(name, {})
        if name in years:
            axis.setdefault("tickformat", "d")
            axis.setdefault("separatethousands", False)
        # a log axis labels 1, 2 and 5 of each decade in full (log_ticks), not every digit
        # (on a narrow panel they run into the decade's label) nor plotly's short "2", "5"
        if axis.get("type") == "log" and "tickvals" not in axis and "dtick" not in axis:
            span = _log_range(axis, values.get(name, []))
            if span is None:
                axis["dtick"] = 1  # nothing plotted: one label per decade
            else:
                start, end = axis.get("domain") or (0.0, 1.0)  # the axis's share of the width
                axis["tickvals"], axis["ticktext"] = log_ticks(
                    *span, max_labels=LOG_LABELS_FULL_WIDTH * (float(end) - float(start)))
        axis.setdefault("exponentformat", "none")
        axis.setdefault("separatethousands", True)
    return spec


def reader_axes(fig: go.Figure) -> go.Figure:
    """Axis numbers as a Chinese reader writes them: full digits with thousands separators
    (100,000), never SI suffixes such as "100k" or exponents, on every axis whose chart did
    not choose a format itself; years (axes holding only whole numbers 1900–2100) without a
    separator (2019, not 2,019); log axes label 1-2-5 per decade in full digits
    (``log_ticks``). Returns a copy."""
    return go.Figure(reader_axes_spec(figure_spec(fig)))


def tier_colours(scheme: Scheme) -> dict[str, str]:
    """Colour of each tier label, best tier green, worst red."""
    labels = list(scheme.tiers.labels)
    if len(labels) <= 4:
        picks = [0, 1, 2, 3][: len(labels)]
        if len(labels) < 4:
            picks = picks[:-1] + [3]
    else:
        picks = list(range(len(labels)))
    return {lab: TIER_PALETTE[i % len(TIER_PALETTE)] for lab, i in zip(labels, picks)}


#: legend positions of the report's charts: in a row between title and plot (never over
#: the unit names), or right of the plots (below, it ran into an x-axis title; above, into
#: panel titles)
LEGEND_ABOVE = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}
LEGEND_RIGHT = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"}


#: the plotly template of the report's charts
REPORT_TEMPLATE = "plotly_white"


def use_report_template() -> None:
    """Make ``REPORT_TEMPLATE`` plotly's default (the report's kernels do, in
    ``notebook_setup``): a new figure then starts with it, applied without validation, and
    ``chart_frame`` need not set it again (validating the template was a tenth of a chart's
    time)."""
    pio.templates.default = REPORT_TEMPLATE


def chart_frame(fig: go.Figure, title: str, height: int, margin: dict[str, int], *,
                legend: dict[str, Any] | None = LEGEND_ABOVE,
                title_at_top: bool = True) -> go.Figure:
    """The report's frame of a chart: ``title`` at the top left (held at the figure's top
    edge when ``title_at_top``, whatever the margin), the house font and white template,
    ``margin`` in px and the legend where given (the template is the figure's own already
    after ``use_report_template``). Every chart module frames its charts with it; they
    differ only in margins and legend place."""
    heading: dict[str, Any] = {"text": title, "x": 0.01, "xanchor": "left"}
    if title_at_top:
        heading |= {"y": 0.98, "yanchor": "top", "yref": "container"}
    extra: dict[str, Any] = {} if legend is None else {"legend": legend}
    if pio.templates.default != REPORT_TEMPLATE:  # else the figure started with it
        extra["template"] = REPORT_TEMPLATE
    fig.update_layout(title=heading, height=height, font={"family": FONT}, margin=margin,
                      **extra)
    return fig


def _layout(fig: go.Figure, title: str, n_bars: int, height: int = 500) -> go.Figure:
    """The report frame, the bottom margin growing with the (angled, when many) unit
    names."""
    chart_frame(fig, title, height, {"l": 60, "r": 80, "t": 100, "b": 40})
    fig.update_xaxes(automargin=True, tickangle=-45 if n_bars > MANY_UNITS else 0)
    return fig


def chart_rows(values: pd.Series, how: str, limit: int = UNIT_CHART_LIMIT,
               each: int = SHOWN_EACH_END) -> pd.Index:
    """The rows (index labels of ``values``, one per unit) a per-unit chart draws, in the
    order of ``values``: all up to ``limit`` units; beyond, by ``how`` — "ends": the
    ``each`` highest and the ``each`` lowest values, "lowest": the ``2 × each`` lowest —
    ties in table order (``UNIT_CHART_LIMIT``: one rule for every per-unit chart)."""
    if len(values) <= limit:
        return values.index
    order = values.sort_values(kind="stable")
    if how == "ends":
        keep = set(order.index[:each]) | set(order.index[-each:])
    elif how == "lowest":
        keep = set(order.index[: 2 * each])
    else:
        raise ValueError(f"chart_rows: how must be 'ends' or 'lowest', not {how!r}")
    return pd.Index([i for i in values.index if i in keep])


def selection_title(title: str, n_units: int, n_drawn: int, what: str) -> str:
    """A per-unit chart's title; when it draws a selection, a second line says how many
    units there are, which ``what`` are drawn, and that the whole list is in scores.xlsx."""
    if n_drawn >= n_units:
        return title
    return f"{title}<br><sup>共{n_units}个单位,图中为{what};全部单位见 scores.xlsx</sup>"


def _x(table: pd.DataFrame, scheme: Scheme) -> list[list[str]] | list[str]:
    """Category axis: unit names, grouped by sequence when there are several."""
    names = list(table["name"].astype(str))
    seqs = [scheme.sequences.get(str(s), str(s)) for s in table["sequence"]]
    # a selection from dozens of sequences (one or two units each): the group labels would
    # run into each other; each bar says its sequence instead
    if len(set(seqs)) > MAX_SEQUENCE_GROUPS:
        return [f"{q} {n}" for q, n in zip(seqs, names, strict=True)]
    return [seqs, names] if len(set(seqs)) > 1 else names


def value_label_positions(values: Sequence[float], lines: Sequence[float], span: float
                          ) -> tuple[np.ndarray, list[str]]:
    """Where each bar's value label goes so that no threshold line runs through it.

    A label spans ``span`` axis units: above the bar ([v, v + span]) when no line crosses
    that band; else inside the top of the bar ([v - span, v]) when the bar is tall enough and
    no line crosses there; else just above the line(s) it would hit, moved up until clear.
    Lines within a tenth of ``span`` of a label's edge count as crossing it. Returns each
    label's anchor (its lower edge above, upper edge inside) and "above" / "inside"."""
    pad = 0.1 * span
    cuts = np.sort(np.asarray(list(lines), dtype=float))

    def crossed(lo: float, hi: float) -> np.ndarray:
        return cuts[(cuts >= lo - pad) & (cuts <= hi + pad)]

    anchors, where = [], []
    for v in np.asarray(list(values), dtype=float):
        if crossed(v, v + span).size == 0:
            anchors.append(v)
            where.append("above")
        elif v - span - pad >= 0 and crossed(v - span, v).size == 0:
            anchors.append(v)
            where.append("inside")
        else:
            base = v
            hit = crossed(base, base + span)
            while hit.size:
                base = float(hit.max()) + 2 * pad
                hit = crossed(base, base + span)
            anchors.append(base)
            where.append("above")
    return np.asarray(anchors, dtype=float), where


def totals_chart(table: pd.DataFrame, scheme: Scheme, year: int) -> go.Figure:
    """Totals by unit within each sequence (best first), coloured by tier, with the
    threshold lines of the scheme's tier rules and value labels clear of those lines."""
    t = table.sort_values(["sequence", "total"], ascending=[True, False], kind="stable")
    n_units = len(t)
    t = t.loc[chart_rows(t["total"], "ends")]
    title = selection_title(f"{year}年各单位总分与等次(按序列)", n_units, len(t),
                            f"总分最高与最低各{SHOWN_EACH_END}个")
    colours = tier_colours(scheme)
    x = _x(t, scheme)
    fig = go.Figure()
    fig.add_bar(x=x, y=t["total"], showlegend=False,
                marker_color=[colours.get(str(v), "#7f7f7f") for v in t["tier"]],
                customdata=t[["tier", "tier_reason"]].to_numpy(),
                hovertemplate="%{x}<br>总分 %{y:.2f}<br>%{customdata[0]}:%{customdata[1]}"
                              "<extra></extra>")
    for label in scheme.tiers.labels:  # legend entries for the tier colours
        fig.add_scatter(x=[None], y=[None], mode="markers", name=label,
                        marker={"size": 12, "symbol": "square", "color": colours[label]})
    lines = [thr.min_total for thr in scheme.tiers.thresholds]
    for i, thr in enumerate(scheme.tiers.thresholds):
        # labels in the right margin (never over the bars' value labels); alternate above /
        # below the line so two close lines do not print on top of each other
        fig.add_hline(y=thr.min_total, line_dash="dash", line_color=colours.get(thr.label, "#555"),
                      annotation_text=f"{thr.label}线<br>{thr.min_total:g}分",
                      annotation_position="right", annotation_font_size=11,
                      annotation_yanchor="bottom" if i % 2 == 0 else "top")
    # bars start at 0: a cut axis would exaggerate differences
    high = max([float(t["total"].max())] + lines) * 1.08
    span = LABEL_PX / PLOT_PX * high
    anchors, where = value_label_positions(list(t["total"]), lines, span)
    top = float(anchors.max() + span * 1.1) if len(anchors) else high
    fig.add_scatter(x=x, y=anchors, mode="text", text=[f"{v:.1f}" for v in t["total"]],
                    textposition=["top center" if w == "above" else "bottom center"
                                  for w in where],
                    textfont={"size": 11, "color": ["#333333" if w == "above" else "white"
                                                    for w in where]},
                    showlegend=False, hoverinfo="skip", cliponaxis=False, name="value")
    fig.update_yaxes(title="总分", range=[0.0, max(high, top)], rangemode="tozero")
    fig.update_xaxes(title="")
    return _layout(fig, title, len(t))


def breakdown_chart(breakdown: pd.DataFrame, table: pd.DataFrame, scheme: Scheme,
                    year: int) -> go.Figure:
    """Stacked bars: each unit's total split into its parts (``summary.score_breakdown``)."""
    t = table.sort_values(["sequence", "total"], ascending=[True, False], kind="stable")
    n_units = len(t)
    t = t.loc[chart_rows(t["total"], "ends")]
    x = _x(t, scheme)
    fig = go.Figure()
    parts = list(dict.fromkeys(breakdown["part"]))
    for k, part in enumerate(parts):
        sub = breakdown.loc[breakdown["part"] == part].set_index("unit_id")
        vals = sub["points"].reindex(t["unit_id"]).fillna(0.0)
        if part in ("bonus", "penalty") and (vals.abs() < 1e-12).all():
            continue
        name = str(sub["part_name"].iloc[0])
        colour, hatch = ADJUSTMENT_STYLE.get(part, (PART_PALETTE[k % len(PART_PALETTE)], ""))
        fig.add_bar(x=x, y=vals, name=name, marker_color=colour,
                    marker_pattern_shape=hatch, marker_pattern_fgcolor="white",
                    hovertemplate="%{x}<br>" + name + " %{y:.2f}分<extra></extra>")
    fig.update_layout(barmode="relative")
    fig.update_yaxes(title="得分")
    return _layout(fig, selection_title(f"{year}年各单位得分构成", n_units, len(t),
                                        f"总分最高与最低各{SHOWN_EACH_END}个"), len(t))
