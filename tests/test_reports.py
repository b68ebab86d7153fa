"""The Quarto project and the CI workflow: valid YAML, every notebook listed, self-contained
HTML settings; a real Quarto render when quarto is on PATH."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from perfanalysis.paths import NOTEBOOKS_DIR, PROJ_ROOT, REPORTS_DIR
from perfanalysis.report.render import reading_order

from .test_render import assert_shared_html_checks, docx_text_and_media

QUARTO_YML = REPORTS_DIR / "_quarto.yml"
WORKFLOW = PROJ_ROOT / ".github" / "workflows" / "report.yml"


def test_quarto_yml_is_valid_and_lists_every_notebook_once_brief_first() -> None:
    cfg = yaml.safe_load(QUARTO_YML.read_text(encoding="utf-8"))
    assert cfg["project"]["type"] == "default"
    assert cfg["project"]["render"] == ["report.ipynb"]
    chapters = cfg["report-chapters"]
    notebooks = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    assert sorted(chapters) == [p.name for p in notebooks]  # each notebook listed, once
    assert len(set(chapters)) == len(chapters)
    # reading order: the brief (it executes last) first, then the chapters in name order
    briefs = [c for c in chapters if c.endswith("_brief.ipynb")]
    assert chapters == briefs + sorted(c for c in chapters if c not in briefs)
    assert [p.name for p in reading_order(notebooks, QUARTO_YML)] == chapters
    html = cfg["format"]["html"]
    assert html["embed-resources"] is True and html["plotly-connected"] is False
    assert html["echo"] is False
    assert "docx" in cfg["format"]
    assert (REPORTS_DIR / html["css"]).is_file()  # wide tables scroll, numbers stay whole
    assert cfg["execute"]["enabled"] is False


def test_workflow_runs_the_make_targets_with_quarto() -> None:
    wf = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = wf["jobs"]["report"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/checkout@") for u in uses)
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert "quarto-dev/quarto-actions/setup@v2" in uses
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    runs = " ".join(s.get("run", "") for s in steps)
    assert "make test" in runs and "make report" in runs


def chapter_titles(executed: list[Path]) -> list[str]:
    """The first level-1 heading of each executed chapter (its title)."""
    import nbformat

    titles = []
    for path in executed:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                found = [ln[2:].strip() for ln in cell.source.splitlines() if ln.startswith("# ")]
                if found:
                    titles.append(found[0])
                    break
    return titles


@pytest.mark.slow
def test_quarto_render_writes_html_and_docx_with_every_chapter(quarto_report: dict) -> None:
    """The real Quarto (``.ci/run`` installs it): HTML and DOCX both written, every chapter
    present in both, each chart under its own heading, nothing fetched over http(s)."""
    result = quarto_report["result"]
    dest: Path = quarto_report["dest"]
    assert result.renderer == "quarto"
    assert (dest / "report.html").is_file() and (dest / "report.docx").is_file()
    html = quarto_report["html"]
    executed = quarto_report["executed"]
    titles = chapter_titles(executed)
    assert len(titles) == len(executed) == 6
    for title in titles:
        assert title in html, title
    assert "Unable to display output" not in html and "plotly-graph-div" in html
    assert_shared_html_checks(html, executed)  # no http(s) script/link/img; charts in sections
    # the "other formats" link points at the DOCX beside the HTML
    for target in re.findall(r'href="([^"#?]+\.docx)"', html):
        assert (dest / target).is_file(), target
    assert result.tool_versions["quarto"] and result.tool_versions["pandoc"]
    text, media, descr = docx_text_and_media(dest / "report.docx")
    for title in titles:
        assert title in text, title
    rec = quarto_report["record"]
    if rec["png_export"]["available"]:  # DOCX images = charts, with alt text
        assert len(media) == rec["png_export"]["figures"] and all(descr)
        assert result.docx_charts is True
    else:
        assert media == [] and "DOCX 版不含图表" in text
