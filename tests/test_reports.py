"""The Quarto project and the CI workflow: valid YAML, every notebook listed, self-contained
HTML settings; a real Quarto render when quarto is on PATH."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from perfanalysis.paths import NOTEBOOKS_DIR, PROJ_ROOT, REPORTS_DIR

QUARTO_YML = REPORTS_DIR / "_quarto.yml"
WORKFLOW = PROJ_ROOT / ".github" / "workflows" / "report.yml"


def test_quarto_yml_is_valid_and_lists_every_notebook_in_order() -> None:
    cfg = yaml.safe_load(QUARTO_YML.read_text(encoding="utf-8"))
    assert cfg["project"]["type"] == "default"
    assert cfg["project"]["render"] == ["report.ipynb"]
    # the brief (05_brief) runs last, since it reads the studies' tables, and is read first
    names = sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb"))
    first = [n for n in names if n.endswith("_brief.ipynb")]
    assert cfg["report-chapters"] == first + [n for n in names if n not in first]
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
    assert 'src="https://cdn.plot.ly' not in html
    with zipfile.ZipFile(out / "report.docx") as z:
        assert "word/document.xml" in z.namelist()
