"""No code identifiers in what the chapters show, on several schemes and data sets (issue
23): every displayed Markdown text, table (its cells too) and chart label of every chapter,
executed in process once per test run and shared with tests/test_chapter_matrix.py
(``chapter_case`` in tests/conftest.py; the Yiyang sample's from the session's report run),
goes through the reader-text scan
(tests/readertext.py). The cases differ where reader text is generated: the sample county
scheme, 87 departments in 7 sequences (charts and tables select), the provincial panel
(real data, four regions), a forced distribution and a one-indicator scheme."""

from __future__ import annotations

from typing import Any

import pytest

from perfanalysis.report.notebook import PLOTLY_MIME

from .readertext import report, scan_chapters
from .test_chapter_matrix import executed_chapters, one_indicator_case, preset_case

pytestmark = pytest.mark.slow

CASES = ("heshan_2013_departments", "china_provinces", "changsha_forced")


def _scan(texts: dict[str, list[str]], outputs: list[tuple[str, dict[str, Any]]]) -> None:
    assert all(texts.values()) and len(outputs) > 20  # the scan had something to read
    findings = scan_chapters(texts, outputs, PLOTLY_MIME)
    assert findings == [], report(findings)


@pytest.mark.parametrize("preset", CASES)
def test_the_chapters_show_no_code_on_the_preset(preset: str, chapter_case: Any) -> None:
    case = chapter_case(preset, preset_case(preset))
    _scan(case["texts"], case["outputs"])


def test_the_chapters_show_no_code_on_the_yiyang_sample(sample_run: dict[str, Any]) -> None:
    """The Yiyang preset's case: the session's report run, read from its executed
    notebooks (its chapters ran in kernels with the report's own study parameters)."""
    from .conftest import SAMPLE_YEAR

    _scan(*executed_chapters(sample_run["out"], sample_run["record"]["chapters"],
                             SAMPLE_YEAR))


def test_the_chapters_show_no_code_on_a_one_indicator_scheme(chapter_case: Any) -> None:
    case = chapter_case("one_indicator", one_indicator_case)
    _scan(case["texts"], case["outputs"])


def test_scan_chapters_reads_text_tables_and_chart_labels() -> None:
    """The scan of chapter outputs finds an id in Markdown, in a table cell and in a chart
    label, and names the chapter; a clean chapter gives nothing."""
    texts = {"00_scorecard": ["得分见下表。\n\n- 单位 unit_07 的总分最高"], "01_x": ["无。"]}
    outputs = [("00_scorecard", {"text/html": "<table><tr><th>单位</th></tr>"
                                              "<tr><td>u_12</td></tr></table>"}),
               ("03_tiers", {PLOTLY_MIME: {"data": [{"name": "tier_a", "x": [1]}],
                                           "layout": {"title": {"text": "等次"}}},
                             "text/html": "<div>not read: the chart's JSON is</div>"})]
    found = [(f.where.split()[0], f.rule, f.match)
             for f in scan_chapters(texts, outputs, PLOTLY_MIME)]
    assert found == [("00_scorecard", "identifier", "unit_07"),
                     ("00_scorecard", "identifier", "u_12"),
                     ("03_tiers", "identifier", "tier_a")]
