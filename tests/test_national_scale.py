"""The report at national shape (issue 20 §5, issue 23 "National scale"): many comparison
groups and many units per chart. A small national-shaped case (31 sequences × 8 units,
the benchmarks' synthetic national scheme with 10 indicators) runs every chapter with fast
parameters, and every chart and table stays readable and small: at most ``MAX_TRACES``
traces, ``MAX_FACETS`` panels, ``MAX_UNITS_DRAWN`` units named on a chart's axis (a chart
drawing every one of the 248 units fails), ``MAX_FIGURE_KB`` of figure JSON,
``MAX_TABLE_ROWS`` rows in a shown table, and no empty chart; and no displayed text, table
or chart label carries a code identifier (tests/readertext.py). The full-size case (2 850
units) is the benchmark ``benchmarks/bench_report.py --case national``; no timing is
asserted here."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from perfanalysis.paths import PROJ_ROOT
from perfanalysis.report.charts import SHOWN_EACH_END, UNIT_CHART_LIMIT
from perfanalysis.report.notebook import LONG_TABLE_ROWS, PLOTLY_MIME
from perfanalysis.report.summary import DETAIL_ROWS_SHOWN

from .helpers import run_chapters
from .readertext import report, scan_chapters

pytestmark = pytest.mark.slow

SEQUENCES, PER_SEQUENCE, INDICATORS = 31, 8, 10
#: a chart with more traces than this has a line or marker set per unit: not readable
MAX_TRACES = 64
#: small multiples at most 3 × 3
MAX_FACETS = 9
#: units named on one axis of a chart: a per-unit chart of more than UNIT_CHART_LIMIT units
#: draws 2 × SHOWN_EACH_END of them (and the units asked about, a few)
MAX_UNITS_DRAWN = 2 * SHOWN_EACH_END + 5
assert MAX_UNITS_DRAWN < UNIT_CHART_LIMIT < SEQUENCES * PER_SEQUENCE
#: figure JSON (the plotly bundle plus its HTML) per chart, at 248 units
MAX_FIGURE_KB = 250
#: rows of a table on the page (top/bottom excerpts plus the units asked about); the
#: indicator detail (one row per unit and indicator) is shown up to the scorecard's limit
MAX_TABLE_ROWS = LONG_TABLE_ROWS + 10
DETAIL_CAPTIONS = ("指标明细", "指标得分明细")


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(PROJ_ROOT / "benchmarks"))
    try:
        from bench_report import national_case
    finally:
        sys.path.remove(str(PROJ_ROOT / "benchmarks"))
    folder = tmp_path_factory.mktemp("national")
    national_case(folder, SEQUENCES * PER_SEQUENCE, SEQUENCES, INDICATORS)
    return folder


def facets(fig: dict[str, Any]) -> int:
    """Panels of a figure: its x axes (``xaxis``, ``xaxis2`` …)."""
    return sum(1 for k in fig["layout"] if re.fullmatch(r"xaxis\d*", k)) or 1


def figure_kb(bundle: dict[str, Any]) -> float:
    return (len(json.dumps(bundle[PLOTLY_MIME])) + len(bundle["text/html"])) / 1e3


def units_drawn(fig: dict[str, Any]) -> int:
    """Most distinct names on one category axis of a figure (a unit's name on the x axis
    of a bar chart, on the y axis of a heat-map or a dumbbell chart): the last level of a
    two-level axis, over all traces on that axis."""
    names: dict[str, set[str]] = {}
    for trace in fig["data"]:
        for letter in ("x", "y"):
            values = trace.get(letter)
            if not isinstance(values, list) or not values:
                continue
            if isinstance(values[0], list):  # multicategory: [groups, names]
                values = values[-1]
            axis = trace.get(f"{letter}axis") or letter
            names.setdefault(axis, set()).update(v for v in values if isinstance(v, str))
    return max((len(v) for v in names.values()), default=0)


def test_limits_are_measured_as_stated() -> None:
    """The measures the limits apply to: panels counted by x axes, size in kB of both
    the plotly JSON and the HTML."""
    fig = {"data": [], "layout": {"xaxis": {}, "xaxis2": {}, "yaxis": {}, "title": {}}}
    assert facets(fig) == 2
    assert facets({"data": [], "layout": {}}) == 1
    assert figure_kb({PLOTLY_MIME: {"a": "x" * 998}, "text/html": "y" * 1000}) == pytest.approx(
        (len('{"a": "' + "x" * 998 + '"}') + 1000) / 1e3)
    bars = {"data": [{"type": "bar", "x": [["甲", "甲", "乙"], ["县1", "县2", "县3"]],
                      "y": [1, 2, 3]},
                     {"type": "bar", "x": [["甲", "乙"], ["县2", "县4"]], "y": [1.0, 2.0]},
                     {"type": "scatter", "x": [1.5, 2.5], "y": [3, 4]}], "layout": {}}
    assert units_drawn(bars) == 4  # 县1–县4; the sequences and numbers are not names
    heat = {"data": [{"type": "heatmap", "x": ["情景一", "情景二"],
                      "y": [f"县{i}" for i in range(248)], "z": [[1, 2]] * 248}]}
    assert units_drawn(heat) == 248 > MAX_UNITS_DRAWN


def test_every_chapter_runs_and_every_chart_reads_at_national_shape(
        national: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outputs: list[tuple[str, dict[str, Any]]] = []
    texts = run_chapters(national / "data", national / "national.yaml", 2019, tmp_path / "out",
                         monkeypatch, outputs)
    figures = [(c, b) for c, b in outputs if PLOTLY_MIME in b]
    tables = [(c, b["text/html"]) for c, b in outputs
              if PLOTLY_MIME not in b and "pa-sortable" in b.get("text/html", "")]
    assert all(texts.values()), [k for k, v in texts.items() if not v]
    assert {c for c, _ in figures} >= {"00_scorecard", "01_differentiated_targets",
                                       "02_growth_vs_level", "03_tier_boundaries",
                                       "04_alternative_weightings", "05_brief"}
    problems = []
    for chapter, bundle in figures:
        fig = bundle[PLOTLY_MIME]
        title = str(fig["layout"].get("title", {}).get("text", ""))
        n_traces, n_facets, kb = len(fig["data"]), facets(fig), figure_kb(bundle)
        if units_drawn(fig) > MAX_UNITS_DRAWN:
            problems.append(f"{chapter} {title}: {units_drawn(fig)} units drawn")
        if not 0 < n_traces <= MAX_TRACES:
            problems.append(f"{chapter} {title}: {n_traces} traces")
        if n_facets > MAX_FACETS:
            problems.append(f"{chapter} {title}: {n_facets} panels")
        if kb > MAX_FIGURE_KB:
            problems.append(f"{chapter} {title}: {kb:.0f} kB")
    for chapter, html in tables:
        body = html.split("<tbody>", 1)[1]
        rows = body.count("<tr>")
        found = re.search(r"<caption>(.*?)</caption>", html)
        caption = found.group(1) if found else ""
        limit = DETAIL_ROWS_SHOWN if caption.endswith(DETAIL_CAPTIONS) else MAX_TABLE_ROWS
        if rows > limit:
            problems.append(f"{chapter} table {caption}: {rows} rows")
    assert problems == [], "\n".join(problems)
    findings = scan_chapters(texts, outputs, PLOTLY_MIME)
    assert findings == [], report(findings)
    assert len(tables) > 10
    # the full tables are saved for scores.xlsx
    assert (tmp_path / "out" / "tables" / "scores.csv").exists()
