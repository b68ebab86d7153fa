"""Rendering without a kernel: a synthetic executed notebook through the nbconvert fallback,
with PNG export switched off (the path a machine without Chrome/Chromium takes)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import nbformat
import plotly.graph_objects as go
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from perfanalysis import notebook as pnb
from perfanalysis.errors import PipelineError
from perfanalysis.render import choose_renderer, combine, render_nbconvert

RECORD = {
    "parameters": {"data": "d", "scheme": "s.yaml", "year": 2019, "seed": 1,
                   "study_parameters": {"alpha": 0.5}},
    "scheme": {"id": "x", "name": "测试方案"},
    "data": {"fingerprint": "f" * 64, "illustrative_sample": False},
    "packages": {"python": "3.11"}, "git": None,
}


def _executed(tmp: Path, name: str, n_figs: int) -> Path:
    cells = [new_markdown_cell(f"# 第{name}章"),
             new_code_cell("x = 1", metadata={"tags": ["parameters"]})]
    for i in range(n_figs):
        fig = go.Figure(go.Bar(x=["甲", "乙"], y=[1, 2]), layout={"title": f"图{i}"})
        out = new_output("display_data", data=pnb.figure_bundle(fig))
        cells.append(new_code_cell("show(fig)", outputs=[out]))
    nb = new_notebook(cells=cells)
    path = tmp / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def no_png(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFANALYSIS_PNG", "0")
    monkeypatch.setitem(pnb._state, "plotlyjs_done", False)


def test_combine_keeps_plotlyjs_once_and_drops_parameter_cells(tmp_path: Path, no_png) -> None:
    from plotly.offline import get_plotlyjs

    a = _executed(tmp_path, "a", 2)
    pnb._state["plotlyjs_done"] = False  # a new notebook (kernel) starts fresh
    b = _executed(tmp_path, "b", 1)
    nb = combine([a, b], "# 封面")
    htmls = [o["data"]["text/html"] for c in nb.cells for o in c.get("outputs", [])]
    assert len(htmls) == 3
    assert [get_plotlyjs() in h for h in htmls] == [True, False, False]
    assert "x = 1" not in nbformat.writes(nb)
    assert [c.source for c in nb.cells if c.cell_type == "markdown"] == ["# 封面", "# 第a章",
                                                                          "# 第b章"]
    assert len({c["id"] for c in nb.cells}) == len(nb.cells)


def test_fallback_without_png_says_no_charts_in_docx(tmp_path: Path, no_png) -> None:
    a = _executed(tmp_path, "a", 2)
    assert pnb.png_export_status()["available"] is False
    result = render_nbconvert([a], RECORD, tmp_path)
    html = result.html.read_text(encoding="utf-8")
    assert html.count('class="plotly-graph-div"') == 2 and "测试方案" in html
    assert "示例数据说明" not in html  # not the bundled sample
    assert result.docx is not None and result.docx_charts is False
    assert any("no charts in DOCX" in n for n in result.notes)
    with zipfile.ZipFile(result.docx) as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")]
        text = re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode("utf-8"))
    assert "no charts in DOCX" in text
    assert "图1:交互图表见 HTML 版" in text and "¶" not in text and "目录" in text
    # export was switched off on purpose: the DOCX says so (run.json's words), not "no Chrome"
    assert "PNG export switched off (PERFANALYSIS_PNG=0)" in text
    assert "Chrome" not in text
    assert any("PERFANALYSIS_PNG=0" in n for n in result.notes)


# a 1×1 PNG: charts with a static image without needing Chrome in the test
PNG_1PX = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAAB"
           "JRU5ErkJggg==")


def test_docx_charts_have_their_titles_as_alt_text_and_no_html_only_hint(
        tmp_path: Path, no_png) -> None:
    import pandas as pd

    cells = [new_markdown_cell("# 第一章")]
    for title in ("2019年各单位总分与等次", "2019年各单位得分构成"):
        fig = go.Figure(go.Bar(x=["甲", "乙"], y=[1, 2]), layout={"title": title})
        data = pnb.figure_bundle(fig) | {"image/png": PNG_1PX}
        cells.append(new_code_cell("show(fig)", outputs=[new_output("display_data", data=data)]))
    table = pd.DataFrame({"单位": ["甲", "乙"], "总分": [1.5, 2.5]})
    cells.append(new_code_cell("show_table(t)", outputs=[new_output(
        "display_data", data={"text/html": pnb.sortable_table_html(table, "成绩"),
                              "text/plain": "t"})]))
    path = tmp_path / "a.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    dest = tmp_path / "out"
    dest.mkdir()
    result = render_nbconvert([path], RECORD, dest)
    assert result.docx_charts is True
    assert sorted(p.name for p in dest.iterdir()) == ["report.docx", "report.html"]  # no media
    assert pnb.SORT_HINT in result.html.read_text(encoding="utf-8")  # in the HTML's script
    with zipfile.ZipFile(result.docx) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        xml = z.read("word/document.xml").decode("utf-8")
    assert len(media) == 2
    descr = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', xml)
    assert descr == ["2019年各单位总分与等次", "2019年各单位得分构成"]
    assert "data:image" not in xml and "No description has been provided" not in xml
    assert all(len(d) < 40 for d in re.findall(r'<pic:cNvPr [^>]*descr="([^"]*)"', xml))
    text = re.sub(r"<[^>]+>", "", xml)
    assert text.count("2019年各单位得分构成") == 1  # the caption under the figure (descr is a tag)
    assert pnb.SORT_HINT not in text and "点击" not in text


def test_renderer_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("perfanalysis.render.quarto_path", lambda: None)
    assert choose_renderer("auto")[0] == "nbconvert"
    with pytest.raises(PipelineError, match="'quarto' is not on PATH"):
        choose_renderer("quarto")
    with pytest.raises(PipelineError, match="unknown renderer 'pdf'"):
        choose_renderer("pdf")
    monkeypatch.setattr("perfanalysis.render.quarto_path", lambda: "/opt/quarto/bin/quarto")
    assert choose_renderer("auto")[0] == "quarto"
    assert choose_renderer("nbconvert")[0] == "nbconvert"
