"""The Quarto project and the CI workflow: valid YAML, every notebook listed, self-contained
HTML settings; a real Quarto render when quarto is on PATH."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from perfanalysis.paths import NOTEBOOKS_DIR, PROJ_ROOT, REPORTS_DIR
from perfanalysis.render import reading_order

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


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("quarto") is None,
                    reason="quarto is not on PATH (install it from environment.yml or "
                           "https://quarto.org to run the Quarto render test)")
def test_quarto_render(tmp_path: Path) -> None:
    from perfanalysis.pipeline import RunConfig, run_report

    out = tmp_path / "report"
    result = run_report(RunConfig(data=PROJ_ROOT / "data" / "sample" / "yiyang",
                                  scheme=PROJ_ROOT / "data" / "schemes" / "yiyang_2018.yaml",
                                  out=out, year=2019, renderer="quarto"))
    assert result.renderer == "quarto"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "年度考核结果总览" in html and "plotly-graph-div" in html
    assert "Unable to display output" not in html
    # no http(s) script/link/img; each chart in the section whose heading precedes it
    executed = [out / "notebooks" / f"{Path(c).stem}-2019.ipynb"
                for c in result.record["chapters"]]
    assert_shared_html_checks(html, executed)
    rec = result.record
    assert rec["renderer"]["tools"]["quarto"] and rec["renderer"]["tools"]["pandoc"]
    assert isinstance(rec["renderer"]["warnings"], list)
    text, media, descr = docx_text_and_media(out / "report.docx")
    if rec["png_export"]["available"]:  # DOCX images = charts, with alt text
        assert len(media) == rec["png_export"]["figures"] and all(descr)
    else:
        assert media == [] and "no charts in DOCX" in text
