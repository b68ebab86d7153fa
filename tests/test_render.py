"""Rendering without a kernel: synthetic executed notebooks through the nbconvert renderer and
through the notebook Quarto is handed (Quarto itself is not needed), with PNG export off
(the path a machine without Chrome/Chromium takes) and with 1-pixel PNGs standing in."""

from __future__ import annotations

import itertools
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import plotly.graph_objects as go
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from perfanalysis.errors import PipelineError
from perfanalysis.report import notebook as pnb
from perfanalysis.report.cover import appendix_markdown, software_rows, title_block_markdown
from perfanalysis.report.render import (
    choose_renderer,
    combine,
    external_references,
    quarto_notebook,
    reading_order,
    render_nbconvert,
    warning_lines,
)

RECORD = {
    "parameters": {"data": "d", "scheme": "s.yaml", "year": 2019, "seed": 1,
                   "study_parameters": {"alpha": 0.5}},
    "scheme": {"id": "x", "name": "测试方案"},
    "data": {"fingerprint": "f" * 64, "illustrative_sample": False},
    "packages": {"python": "3.11", "nbconvert": "7.0", "pypandoc-binary": "1.0"}, "git": None,
}
# a 1×1 PNG: charts with a static image without needing Chrome in the test
PNG_1PX = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAAB"
           "JRU5ErkJggg==")


def _chapter(tmp: Path, name: str, sections: dict[str, list[str]], png: bool = False) -> Path:
    """An executed chapter as ``show`` writes it: plotly.js as its own output once, just
    before the first chart; one heading per section, then its charts (titles given)."""
    cells = [new_markdown_cell(f"# 第{name}章"),
             new_code_cell("x = 1", metadata={"tags": ["parameters"]})]
    js_done = False
    for heading, titles in sections.items():
        cells.append(new_markdown_cell(f"## {heading}\n\n说明文字。"))
        for title in titles:
            fig = go.Figure(go.Bar(x=["甲", "乙"], y=[1, 2]), layout={"title": title})
            outs = []
            if not js_done:
                outs.append(new_output("display_data", data=pnb.plotlyjs_bundle()))
                js_done = True
            data = pnb.figure_bundle(fig) | ({"image/png": PNG_1PX} if png else {})
            outs.append(new_output("display_data", data=data))
            cells.append(new_code_cell("show(fig)", outputs=outs))
    path = tmp / f"{name}.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    return path


@pytest.fixture
def no_png(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFANALYSIS_PNG", "0")


# --- shared checks (run on every renderer's HTML) ---------------------------------------
_EXTERNAL = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//",
                       re.IGNORECASE)


class _Outline(HTMLParser):
    """Headings (h1–h6) and charts (div.pa-figure) in document order; where <head> ends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, str]] = []
        self._in_heading: str | None = None
        self._text: list[str] = []
        self.in_head = False
        self.charts_in_head = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "head":
            self.in_head = True
        if re.fullmatch(r"h[1-6]", tag):
            self._in_heading, self._text = tag, []
        if tag == "div" and pnb.FIGURE_CLASS in (a.get("class") or "").split():
            self.events.append(("chart", a.get("data-title") or ""))
            self.charts_in_head += self.in_head

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        if tag == self._in_heading:
            text = "".join(self._text).replace("¶", "").strip()
            self.events.append(("heading", text))
            self._in_heading = None

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self._text.append(data)


def chart_sections(page: str) -> list[tuple[str, str]]:
    """(chart title, text of the nearest heading before it) for each chart of an HTML page."""
    outline = _Outline()
    outline.feed(page)
    assert outline.charts_in_head == 0, "a chart was moved into <head>"
    last, pairs = "", []
    for kind, text in outline.events:
        if kind == "heading":
            last = text
        else:
            pairs.append((text, last))
    return pairs


def notebook_chart_sections(paths: list[Path]) -> list[tuple[str, str]]:
    """The same pairs read from the notebooks: the Markdown heading preceding each chart."""
    pairs, last = [], ""
    for path in paths:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                heads = [ln.lstrip("#").strip() for ln in cell.source.splitlines()
                         if ln.startswith("#")]
                last = heads[-1] if heads else last
            for out in cell.get("outputs", []):
                if pnb.PLOTLY_MIME in out.get("data", {}):
                    pairs.append((out["data"][pnb.PLOTLY_MIME]["layout"]["title"]["text"], last))
    return pairs


def assert_shared_html_checks(page: str, chapters: list[Path]) -> None:
    """No http(s) src/href on script, link or img; each chart in its notebook section."""
    assert _EXTERNAL.findall(page) == []
    assert external_references(page) == []
    assert chart_sections(page) == notebook_chart_sections(chapters)


def docx_text_and_media(path: Path) -> tuple[str, list[str], list[str]]:
    with zipfile.ZipFile(path) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        xml = z.read("word/document.xml").decode("utf-8")
    descr = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', xml)
    return re.sub(r"<[^>]+>", "", xml), media, descr


SECTIONS_A = {"总体情况": ["图甲"], "分项得分": ["图乙", "图丙"]}
SECTIONS_B = {"稳健性": ["图丁"]}


# --- tests --------------------------------------------------------------------------------
def test_figure_html_never_carries_plotlyjs_and_is_marked() -> None:
    from plotly.offline import get_plotlyjs

    bundle = pnb.figure_bundle(go.Figure(go.Bar(y=[1]), layout={"title": "某图"}))
    assert get_plotlyjs() not in bundle["text/html"]
    assert bundle["text/html"].startswith('<div class="pa-figure" data-title="某图">')
    js = pnb.plotlyjs_bundle()["text/html"]
    assert get_plotlyjs() in js and "plotly-graph-div" not in js
    assert "require" not in bundle["text/html"]


def test_combine_keeps_one_plotlyjs_output_apart_from_charts(tmp_path: Path, no_png) -> None:
    from plotly.offline import get_plotlyjs

    a = _chapter(tmp_path, "a", SECTIONS_A)
    b = _chapter(tmp_path, "b", SECTIONS_B)  # each notebook (kernel) emits plotly.js once
    nb = combine([a, b], "# 标题", "# 附录")
    outs = [(i, o) for i, c in enumerate(nb.cells) for o in c.get("outputs", [])]
    js_outs = [(i, o) for i, o in outs if get_plotlyjs() in o["data"].get("text/html", "")]
    charts = [(i, o) for i, o in outs if pnb.PLOTLY_MIME in o["data"]]
    assert len(js_outs) == 1 and len(charts) == 4
    js_cell, js_out = js_outs[0]
    assert pnb.PLOTLY_MIME not in js_out["data"]
    assert len(nb.cells[js_cell].outputs) == 1  # an output (and a cell) of its own
    assert js_cell < charts[0][0]  # before the first chart
    assert "x = 1" not in nbformat.writes(nb)
    assert [c.source for c in nb.cells if c.cell_type == "markdown"][::3] == [
        "# 标题", "## 分项得分\n\n说明文字。", "# 附录"]
    assert nb.cells[-1].source == "# 附录"
    assert len({c["id"] for c in nb.cells}) == len(nb.cells)


def test_combine_strips_plotlyjs_inlined_by_older_notebooks(tmp_path: Path) -> None:
    from plotly.offline import get_plotlyjs

    fig = go.Figure(go.Bar(y=[1]), layout={"title": "旧图"})
    old = {pnb.PLOTLY_MIME: {"layout": {"title": {"text": "旧图"}}},
           "text/html": fig.to_html(full_html=False, include_plotlyjs=True)}
    path = tmp_path / "old.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("show(fig)", outputs=[
        new_output("display_data", data=old)])]), path)
    nb = combine([path], "# 标题", "# 附录")
    htmls = [o["data"]["text/html"] for c in nb.cells for o in c.get("outputs", [])]
    assert [get_plotlyjs() in h for h in htmls] == [True, False]


def test_nbconvert_html_is_self_contained_with_charts_in_their_sections(
        tmp_path: Path, no_png) -> None:
    chapters = [_chapter(tmp_path, "a", SECTIONS_A), _chapter(tmp_path, "b", SECTIONS_B)]
    dest = tmp_path / "out"
    dest.mkdir()
    result = render_nbconvert(chapters, RECORD, dest)
    page = result.html.read_text(encoding="utf-8")
    assert_shared_html_checks(page, chapters)
    assert chart_sections(page)[0] == ("图甲", "总体情况")
    assert result.warnings == [] or all(isinstance(w, str) for w in result.warnings)
    # title block first, then the chapters, the appendix last
    first_chapter, appendix = page.index("第a章"), page.index("数据与方法说明")
    assert page.index("测试方案") < first_chapter < page.index("第b章") < appendix
    assert page.index("数据指纹") > appendix and page.index("软件版本") > appendix


@pytest.mark.parametrize("case", ["switched_off", "no_kaleido", "no_browser"])
def test_the_docx_says_in_chinese_why_it_has_no_charts(case: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Each reason PNG export can be unavailable reaches the DOCX's readers in Chinese,
    without a variable, package or command name; run.json keeps the technical note."""
    import sys

    from perfanalysis.report.render import no_png_note

    monkeypatch.setenv("PERFANALYSIS_PNG", "0" if case == "switched_off" else "1")
    if case == "no_kaleido":
        monkeypatch.setitem(sys.modules, "kaleido", None)  # import kaleido → ImportError
    if case == "no_browser":
        monkeypatch.setattr(pnb, "find_browser", lambda: None)
    status = pnb.png_export_status()
    assert status["available"] is False and status["note"].isascii()
    note = no_png_note({"png_export": status})
    assert re.fullmatch(r"DOCX 版不含图表\([^A-Za-z()]+\);交互图表请看 HTML 版。", note), note
    assert no_png_note({}) == note  # a record without the note: the status now


def test_fallback_without_png_says_no_charts_in_docx(tmp_path: Path, no_png) -> None:
    a = _chapter(tmp_path, "a", SECTIONS_A)
    assert pnb.png_export_status()["available"] is False
    result = render_nbconvert([a], RECORD, tmp_path)
    html = result.html.read_text(encoding="utf-8")
    assert html.count('class="plotly-graph-div"') == 3 and "测试方案" in html
    assert "示例数据说明" not in html  # not the bundled sample
    assert result.docx is not None and result.docx_charts is False
    assert any("no charts in DOCX" in n for n in result.notes)
    text, media, _ = docx_text_and_media(result.docx)
    assert media == []
    assert "DOCX 版不含图表" in text
    assert "图乙:交互图表见 HTML 版" in text and "¶" not in text and "目录" in text
    # export was switched off on purpose: the DOCX says so in Chinese (run.json keeps the
    # technical words), not "no browser"
    assert "DOCX 版不含图表(本次运行未导出图表图片)" in text
    assert "浏览器" not in text and "PERFANALYSIS_PNG" not in text and "no charts" not in text
    assert any("PERFANALYSIS_PNG=0" in n for n in result.notes)


def test_docx_charts_have_their_titles_as_alt_text_and_no_html_only_hint(
        tmp_path: Path, no_png) -> None:
    import pandas as pd

    cells = [new_markdown_cell("# 第一章"), new_code_cell("show(fig)", outputs=[
        new_output("display_data", data=pnb.plotlyjs_bundle())])]
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
    assert result.docx_charts is True and result.notes == []
    assert sorted(p.name for p in dest.iterdir()) == ["report.docx", "report.html"]  # no media
    assert pnb.SORT_HINT in result.html.read_text(encoding="utf-8")  # in the HTML's script
    text, media, descr = docx_text_and_media(result.docx)
    assert len(media) == 2  # DOCX images = charts
    assert descr == ["2019年各单位总分与等次", "2019年各单位得分构成"]
    assert text.count("2019年各单位得分构成") == 1  # the caption under the figure (descr is a tag)
    assert pnb.SORT_HINT not in text and "点击" not in text
    assert "DOCX 版不含图表" not in text


def test_docx_uses_the_official_reference(tmp_path: Path, no_png) -> None:
    from perfanalysis.report.officialdoc import docx_summary

    a = _chapter(tmp_path, "a", SECTIONS_A, png=True)
    result = render_nbconvert([a], RECORD, tmp_path)
    assert result.docx is not None
    s = docx_summary(result.docx)
    assert s["page_mm"] == (210, 297)  # A4
    assert s["margins_mm"] == {"top": 37, "bottom": 35, "left": 28, "right": 26}  # GB/T 9704
    assert s["footer_fields"] == ["PAGE"]
    assert s["fonts"]["Title"] == "方正小标宋简体"
    assert s["fonts"]["Normal"] == s["fonts"]["Body Text"] == "仿宋_GB2312"
    assert s["fonts"]["Heading 1"] == "黑体"
    styles = [h[0] for h in s["headings"]]
    texts = [h[1] for h in s["headings"]]
    assert styles[0] == "Title" and texts[0].startswith("测试方案")
    assert texts[1] == "第a章" and texts[-3:] == ["附录 数据与方法说明", "报告信息", "软件版本"] or \
        "附录 数据与方法说明" in texts
    assert [d["descr"] for d in s["images"]] == ["图甲", "图乙", "图丙"]
    # the text width, 210 − 28 − 26 = 156 mm = 442.2 pt = 8844 twips (fixed column widths)
    assert s["tables"] >= 2 and set(s["table_widths"]) == {"8844dxa"}
    with zipfile.ZipFile(result.docx) as z:
        fonts = z.read("word/fontTable.xml").decode("utf-8")
    assert 'w:name="仿宋_GB2312"' in fonts and 'w:val="仿宋"' in fonts  # fallback declared


def test_software_table_names_the_renderer_and_pandoc_used() -> None:
    rows = dict(software_rows(RECORD, {"quarto": "1.9.38", "pandoc": "3.6.3"}))
    assert rows["渲染器 Quarto"] == "1.9.38" and rows["pandoc(DOCX 转换)"] == "3.6.3"
    assert "nbconvert" not in rows and "pypandoc-binary" not in rows
    md = appendix_markdown(RECORD, {"nbconvert": "7.0", "pandoc": "3.9"})
    assert md.startswith("# 附录 数据与方法说明")
    assert "| 渲染器 nbconvert | 7.0 |" in md and "| pandoc(DOCX 转换) | 3.9 |" in md
    assert "`" + "f" * 64 + "`" in md and "| 名次置信集的显著性水平 | 0.5 |" in md
    top = title_block_markdown(RECORD | {"data": {"fingerprint": "x",
                                                  "illustrative_sample": True}})
    assert "示例数据说明" in top and "测试方案" in top and "2019" in top
    assert "SHA-256" not in top and "软件" not in top  # the cover material is in the appendix


def test_nbconvert_run_json_tools_name_pandoc(tmp_path: Path, no_png) -> None:
    a = _chapter(tmp_path, "a", SECTIONS_B)
    result = render_nbconvert([a], RECORD, tmp_path)
    assert set(result.tool_versions) == {"nbconvert", "pandoc"}
    assert re.fullmatch(r"\d+(\.\d+)+", result.tool_versions["pandoc"])
    page = result.html.read_text(encoding="utf-8")
    assert re.search(re.escape("pandoc(DOCX 转换)") + r"</td>\s*<td[^>]*>" + re.escape(
        result.tool_versions["pandoc"]) + "</td>", page)
    assert result.warnings == []  # pandoc said nothing (e.g. its zh-Hans terms load)


# --- the notebook handed to Quarto ---------------------------------------------------------
_RAW_OPEN = re.compile(r"^(`{3,})\{=html\}$")


def raw_blocks(md: str) -> list[str]:
    """The raw HTML blocks of a Markdown text; fails on an unclosed one."""
    blocks, lines, i = [], md.splitlines(), 0
    while i < len(lines):
        m = _RAW_OPEN.match(lines[i])
        if m:
            fence = m.group(1)
            end = next((j for j in range(i + 1, len(lines)) if lines[j] == fence), None)
            assert end is not None, f"raw block opened at line {i} is never closed"
            blocks.append("\n".join(lines[i + 1:end]))
            i = end
        i += 1
    return blocks


@pytest.mark.parametrize("png", [False, True])
def test_quarto_input_has_no_outputs_and_well_formed_raw_blocks(
        tmp_path: Path, no_png, png: bool) -> None:
    from plotly.offline import get_plotlyjs

    chapters = [_chapter(tmp_path, "a", SECTIONS_A, png), _chapter(tmp_path, "b", SECTIONS_B, png)]
    nb = combine(chapters, "标题块", "# 附录 数据与方法说明", front_matter="---\ntitle: T\n---")
    media = tmp_path / "media"
    qnb, n, with_png = quarto_notebook(nb, media)
    assert (n, with_png) == (4, 4 if png else 0)
    assert {c.cell_type for c in qnb.cells} <= {"markdown", "raw"}  # no output for Quarto
    assert qnb.cells[0].cell_type == "raw" and qnb.cells[-1].source == "# 附录 数据与方法说明"
    md = "\n\n".join(c.source for c in qnb.cells if c.cell_type == "markdown")
    blocks = raw_blocks(md)
    with_js = [b for b in blocks if get_plotlyjs() in b]
    assert len(with_js) == 1 and "plotly-graph-div" not in with_js[0]
    charts = [b for b in blocks if "plotly-graph-div" in b]
    assert len(charts) == 4 and all(b.count("plotly-graph-div") == 1 for b in charts)
    assert md.index(get_plotlyjs()) < md.index("plotly-graph-div")
    for cell in qnb.cells:  # fenced divs balanced within each cell
        opens = len(re.findall(r"^::: \{", cell.source, re.MULTILINE))
        assert opens == len(re.findall(r"^:::$", cell.source, re.MULTILINE))
    # each chart stays in its section: the Markdown heading before it is the notebook's
    pairs, last = [], ""
    for cell in qnb.cells:
        fence = None  # inside a raw block: HTML, not Markdown headings
        for ln in cell.source.splitlines():
            if fence is None and _RAW_OPEN.match(ln):
                fence = _RAW_OPEN.match(ln).group(1)
            elif fence is not None and ln == fence:
                fence = None
            elif fence is None and ln.startswith("#"):
                last = ln.lstrip("#").strip()
            elif fence is not None:
                pairs += [(m.group(1), last) for m in re.finditer(r'data-title="([^"]*)"', ln)]
    assert pairs == notebook_chart_sections(chapters)
    images = re.findall(r'!\[([^\]]*)\]\(([^)]+)\)\{fig-alt="([^"]*)"\}', md)
    if png:  # DOCX images = charts, alt text = caption = title
        assert [(cap, alt) for cap, _, alt in images] == [(t, t) for t, _ in pairs]
        assert all((media.parent / "media" / Path(p).name).is_file() for _, p, _ in images)
    else:  # the note, in every non-HTML format
        assert images == [] and md.count("交互图表见 HTML 版") == 4
        assert not media.exists()


def test_each_format_gets_only_its_own_parts(tmp_path: Path, no_png) -> None:
    """The run renders HTML and DOCX from a notebook each: the HTML one holds no DOCX part
    (no image, no note, no PNG written) and loads plotly.js from the file named; the DOCX one
    holds no raw HTML but the tables; both keep every chart (counted) and the prose."""
    import pandas as pd
    from plotly.offline import get_plotlyjs

    chapters = [_chapter(tmp_path, "a", SECTIONS_A, png=True)]
    table = pnb.sortable_table_html(pd.DataFrame({"单位": ["甲"], "总分": [1.5]}), "成绩")
    wide = pnb.sortable_table_html(pd.DataFrame({f"列{i}": [1.0] for i in range(15)}), "宽表")
    extra = tmp_path / "t.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("t", outputs=[
        new_output("display_data", data={"text/html": t, "text/plain": "t"})])
        for t in (table, wide)]), extra)
    nb = combine([*chapters, extra], "标题块", "# 附录")
    both, n, png = quarto_notebook(nb, tmp_path / "m_both")
    html_nb, n_html, _ = quarto_notebook(nb, tmp_path / "m_html", fmt="html",
                                         plotlyjs_src="plotly.min.js")
    docx_nb, n_docx, png_docx = quarto_notebook(nb, tmp_path / "m_docx", fmt="docx")
    assert n == n_html == n_docx == 3 and png == png_docx == 3
    md = {k: "\n".join(c.source for c in q.cells)
          for k, q in (("both", both), ("html", html_nb), ("docx", docx_nb))}
    assert "content-visible" in md["both"]
    assert "content-visible" not in md["html"] and "content-visible" not in md["docx"]
    # HTML: plotly.js by file, three chart divs, the tables and their scripts, no image
    assert get_plotlyjs() not in md["html"]
    assert md["html"].count('src="plotly.min.js"') == 1
    assert md["html"].count("plotly-graph-div") == 3 and "<script>" in md["html"]
    assert "![" not in md["html"] and not (tmp_path / "m_html").exists()
    assert ".column-page .pa-wide-table" in md["html"] and "“宽表”共15列" not in md["html"]
    # DOCX: the images with their files, the narrow table, the wide table's pointer only
    assert get_plotlyjs() not in md["docx"] and "plotly-graph-div" not in md["docx"]
    assert "<script" not in md["docx"] and "pa-wide-table" not in md["docx"]
    assert md["docx"].count("![") == 3 and len(list((tmp_path / "m_docx").iterdir())) == 3
    assert "<table" in md["docx"] and md["docx"].count("<table") == 1
    assert "“宽表”共15列" in md["docx"]
    for text in ("说明文字。", "# 附录"):
        assert text in md["html"] and text in md["docx"]


def test_quarto_input_tables_reach_docx_scripts_stay_html(tmp_path: Path) -> None:
    import pandas as pd

    table = pnb.sortable_table_html(pd.DataFrame({"单位": ["甲"], "总分": [1.5]}), "成绩")
    path = tmp_path / "t.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("t", outputs=[new_output(
        "display_data", data={"text/html": table, "text/plain": "t"})]),
        new_code_cell("s", outputs=[new_output("display_data", data={
            "text/markdown": "总分最高的是甲。", "text/plain": "x"})])]), path)
    qnb, _, _ = quarto_notebook(combine([path], "", ""), tmp_path / "m")
    md = "\n".join(c.source for c in qnb.cells)
    blocks = raw_blocks(md)
    assert any(b.startswith("<table") and b.endswith("</table>") for b in blocks)
    table_pos = md.index("<table")
    assert 'when-format="html"' not in md[max(0, table_pos - 60):table_pos]  # every format
    script_pos = md.index("<script>")
    assert 'when-format="html"' in md[script_pos - 80:script_pos]
    assert "总分最高的是甲。" in md and "```{=html}\n总分最高" not in md


def test_external_references_and_warning_lines() -> None:
    page = ('<script src="https://cdnjs.cloudflare.com/require.min.js"></script>'
            "<link href='//fonts.example/x.css' rel='stylesheet'><img src=data:image/png;base64,x>"
            '<a href="https://quarto.org">ok: a link to read, not a resource</a>')
    assert len(external_references(page)) == 2
    err = "WARN: Unable to resolve link\nrendering...\n[WARNING] Could not fetch resource\n"
    assert warning_lines(err) == ["WARN: Unable to resolve link", "[WARNING] Could not fetch resource"]


def test_reading_order_follows_report_chapters(tmp_path: Path) -> None:
    for name in ("00_scorecard", "01_targets", "05_brief"):
        (tmp_path / f"{name}.ipynb").write_text("{}", encoding="utf-8")
    nbs = sorted(tmp_path.glob("*.ipynb"))
    yml = tmp_path / "_quarto.yml"
    yml.write_text("report-chapters:\n  - 05_brief.ipynb\n  - 00_scorecard.ipynb\n"
                   "  - 01_targets.ipynb\n", encoding="utf-8")
    assert [p.name for p in reading_order(nbs, yml)] == [
        "05_brief.ipynb", "00_scorecard.ipynb", "01_targets.ipynb"]
    yml.write_text("report-chapters:\n  - 05_brief.ipynb\n  - 00_scorecard.ipynb\n"
                   "  - 09_gone.ipynb\n", encoding="utf-8")
    with pytest.raises(PipelineError, match=r"listed but not in the notebooks folder: "
                                            r"09_gone.ipynb; notebooks not listed: 01_targets"):
        reading_order(nbs, yml)
    yml.write_text("report-chapters:\n  - 05_brief.ipynb\n  - 05_brief.ipynb\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="lists 05_brief.ipynb twice"):
        reading_order(nbs, yml)


def test_renderer_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("perfanalysis.report.render.quarto_path", lambda: None)
    assert choose_renderer("auto")[0] == "nbconvert"
    with pytest.raises(PipelineError, match="'quarto' is not on PATH"):
        choose_renderer("quarto")
    with pytest.raises(PipelineError, match="unknown renderer 'pdf'"):
        choose_renderer("pdf")
    monkeypatch.setattr("perfanalysis.report.render.quarto_path", lambda: "/opt/quarto/bin/quarto")
    assert choose_renderer("auto")[0] == "quarto"
    assert choose_renderer("nbconvert")[0] == "nbconvert"


# --- render_quarto with a stand-in Quarto (pandoc + Quarto's content-visible rules) ------
FAKE_QUARTO = Path(__file__).parent / "data" / "fake_quarto"


@pytest.mark.parametrize("png", [False, True])
def test_render_quarto_path_with_a_stand_in_quarto(tmp_path: Path, no_png, png: bool,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from perfanalysis.report.officialdoc import docx_summary
    from perfanalysis.report.render import pandoc_path, render_quarto

    monkeypatch.setenv("PATH", f"{FAKE_QUARTO}:{__import__('os').environ['PATH']}")
    monkeypatch.setenv("FAKE_QUARTO_PANDOC", str(pandoc_path()))
    chapters = [_chapter(tmp_path, "a", SECTIONS_A, png), _chapter(tmp_path, "b", SECTIONS_B, png)]
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "_quarto.yml").write_text("report-chapters: [a.ipynb, b.ipynb]\n", encoding="utf-8")
    dest = tmp_path / "out"
    dest.mkdir()
    result = render_quarto(chapters, RECORD, dest, tmp_path / "work", reports)
    assert result.renderer == "quarto"
    assert result.tool_versions["quarto"] == "1.9.38"
    assert re.fullmatch(r"\d+(\.\d+)+", result.tool_versions["pandoc"])
    assert "quarto: WARN: emulated Quarto warning" in result.warnings  # surfaced
    page = result.html.read_text(encoding="utf-8")
    assert_shared_html_checks(page, chapters)
    assert "交互图表见 HTML 版" not in page and "渲染器 Quarto" in page
    text, media, descr = docx_text_and_media(result.docx)
    if png:  # DOCX images = charts, alt text = chart title
        assert len(media) == 4 and descr == ["图甲", "图乙", "图丙", "图丁"]
        assert result.docx_charts is True and "DOCX 版不含图表" not in text
    else:  # the same note as the nbconvert path, at each chart and on top
        assert media == [] and result.docx_charts is False
        assert text.count("交互图表见 HTML 版(DOCX 不含图表)") == 4
        assert "DOCX 版不含图表(本次运行未导出图表图片)" in text
        assert "PERFANALYSIS_PNG" not in text
        assert any("no charts in DOCX" in n for n in result.notes)
    assert "plotly" not in text.lower()
    summary = docx_summary(result.docx)
    assert summary["fonts"]["Normal"] == "仿宋_GB2312" and summary["page_mm"] == (210, 297)
    assert ("Heading 1", "附录 数据与方法说明") in summary["headings"]


def test_unique_ids_renames_repeats_and_their_anchor_links() -> None:
    from perfanalysis.report.render import unique_ids

    html = ('<h2 id="结果摘要">结果摘要<a class="anchor-link" href="#结果摘要">¶</a></h2>'
            '<p id="x">a</p>'
            '<h2 id="结果摘要">结果摘要<a class="anchor-link" href="#结果摘要">¶</a></h2>')
    out = unique_ids(html)
    # the first keeps its id, the second becomes 结果摘要-2 and its own link follows
    assert out.count('id="结果摘要"') == 1 and out.count('id="结果摘要-2"') == 1
    assert out.count('href="#结果摘要-2"') == 1 and out.count('href="#结果摘要"') == 1
    assert unique_ids(out) == out


def test_unique_ids_leaves_scripts_alone() -> None:
    from perfanalysis.report.render import unique_ids

    script = '<script>var a = \'<div id="x">\'; var b = \'<div id="x">\';</script>'
    html = f'<div id="x"></div>{script}<div id="x"></div>'
    out = unique_ids(html)
    assert script in out and out.endswith('<div id="x-2"></div>')


def test_quarto_front_matter_lists_html_and_docx() -> None:
    """A document-level ``format:`` limits Quarto to the formats it lists: DOCX alone (the old
    front matter) made no HTML. Both are listed; the DOCX link only when it sits beside."""
    import yaml

    from perfanalysis.report.render import REFERENCE_DOCX, quarto_front_matter

    front = yaml.safe_load(quarto_front_matter("标题").strip("-\n"))
    assert set(front["format"]) == {"html", "docx"}
    assert front["format"]["docx"]["reference-doc"] == REFERENCE_DOCX
    assert front["format"]["html"]["format-links"] is True
    apart = yaml.safe_load(quarto_front_matter("标题", docx_beside_html=False).strip("-\n"))
    assert apart["format"]["html"]["format-links"] is False


def test_stand_in_quarto_honours_the_document_formats(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in renders only the formats of the document's front matter, as Quarto does,
    so a DOCX-only front matter makes no HTML there too."""
    import subprocess

    from perfanalysis.report.render import pandoc_path

    monkeypatch.setenv("FAKE_QUARTO_PANDOC", str(pandoc_path()))
    for formats, expected in ((["docx"], {"report.docx"}),
                              (["html", "docx"], {"report.html", "report.docx"})):
        work = tmp_path / "-".join(formats)
        work.mkdir()
        fm = "---\ntitle: t\nformat:\n" + "".join(f"  {f}:\n    toc: true\n" for f in formats)
        nbformat.write(new_notebook(cells=[nbformat.v4.new_raw_cell(fm + "---"),
                                           new_markdown_cell("# 标题\n\n正文。")]),
                       work / "report.ipynb")
        proc = subprocess.run([str(FAKE_QUARTO / "quarto"), "render"], cwd=work,
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
        assert {p.name for p in work.glob("report.*")} - {"report.ipynb", "report.md"} == expected

def _one_chapter_project(tmp_path: Path) -> tuple[list[Path], Path, Path]:
    """One chapter (SECTIONS_A), a reports folder listing it, an empty output folder."""
    chapters = [_chapter(tmp_path, "a", SECTIONS_A)]
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "_quarto.yml").write_text("report-chapters: [a.ipynb]\n", encoding="utf-8")
    dest = tmp_path / "out"
    dest.mkdir()
    return chapters, reports, dest



def test_quarto_exiting_0_without_an_output_is_an_error_naming_it(
        tmp_path: Path, no_png, monkeypatch: pytest.MonkeyPatch) -> None:
    """The old crash: Quarto exited 0 without report.html (then a DOCX-only front matter;
    here a render that writes nothing for HTML). The run stops with a PipelineError naming
    the missing file (no FileNotFoundError)."""
    import subprocess

    from perfanalysis.report import render
    from perfanalysis.report.render import pandoc_path, render_quarto

    monkeypatch.setenv("PATH", f"{FAKE_QUARTO}:{__import__('os').environ['PATH']}")
    monkeypatch.setenv("FAKE_QUARTO_PANDOC", str(pandoc_path()))
    real_run = render._run

    def html_writes_nothing(args: list[str], cwd: Path | None = None
                            ) -> subprocess.CompletedProcess[str]:
        if args[1:] == ["render", "--to", "html"]:
            return subprocess.CompletedProcess(args, 0, "", "")
        return real_run(args, cwd)

    monkeypatch.setattr(render, "_run", html_writes_nothing)
    chapters, reports, dest = _one_chapter_project(tmp_path)
    with pytest.raises(PipelineError, match=r"did not write .*report\.html"):
        render_quarto(chapters, RECORD, dest, tmp_path / "work", reports)
    assert not (dest / "report.html").exists()


def test_quarto_renders_html_and_docx_at_once_and_names_a_failing_format(
        tmp_path: Path, no_png, monkeypatch: pytest.MonkeyPatch) -> None:
    """HTML and DOCX are two ``quarto render --to`` processes (the DOCX in a copy of the
    work folder); a failing one stops the run naming its format and its last lines."""
    import subprocess

    from perfanalysis.report import render
    from perfanalysis.report.render import DOCX_WORKDIR, pandoc_path, render_quarto

    monkeypatch.setenv("PATH", f"{FAKE_QUARTO}:{__import__('os').environ['PATH']}")
    monkeypatch.setenv("FAKE_QUARTO_PANDOC", str(pandoc_path()))
    real_run = render._run
    calls: list[tuple[list[str], Path | None]] = []

    def docx_fails(args: list[str], cwd: Path | None = None
                   ) -> subprocess.CompletedProcess[str]:
        calls.append((args[1:], cwd))
        if args[1:] == ["render", "--to", "docx"]:
            return subprocess.CompletedProcess(args, 3, "", "ERROR: 故意失败\n")
        return real_run(args, cwd)

    monkeypatch.setattr(render, "_run", docx_fails)
    chapters, reports, dest = _one_chapter_project(tmp_path)
    work = tmp_path / "work"
    with pytest.raises(PipelineError, match=r"quarto render --to docx failed in .*_docx "
                                            r"\(exit 3\):\nERROR: 故意失败"):
        render_quarto(chapters, RECORD, dest, work, reports)
    renders = sorted((a, c) for a, c in calls if a[0] == "render")
    assert renders == [(["render", "--to", "docx"], work / DOCX_WORKDIR),
                       (["render", "--to", "html"], work)]
    assert (work / "report.html").is_file()  # the HTML went on while the DOCX failed
    assert not (dest / "report.html").exists()


def test_nbconvert_page_has_a_linked_table_of_contents(tmp_path: Path, no_png) -> None:
    from perfanalysis.report.render import html_toc

    result = render_nbconvert([_chapter(tmp_path, "a", SECTIONS_A),
                               _chapter(tmp_path, "b", SECTIONS_B)], RECORD, tmp_path)
    page = result.html.read_text(encoding="utf-8")
    nav = re.search(r'<nav class="pa-toc".*?</nav>', page, re.DOTALL)
    assert nav is not None
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', nav.group(0))
    texts = [t for _, t in links]
    assert texts[:6] == ["第a章", "总体情况", "分项得分", "第b章", "稳健性", "附录 数据与方法说明"]
    for ident, _ in links:  # every entry leads to a heading of the page
        assert re.search(rf'<h[12][^>]*id="{re.escape(ident)}"', page), ident
    assert page.index("<nav") > page.index("测试方案")  # after the title block
    assert html_toc(html_toc("<h1 id='x'>a</h1>")) == "<h1 id='x'>a</h1>"  # too few headings


def test_wide_tables_take_the_page_in_html_and_a_pointer_in_docx(tmp_path: Path) -> None:
    import pandas as pd

    from perfanalysis.report.render import WIDE_TABLE_COLUMNS, table_shape, wide_table_note

    wide = pd.DataFrame({f"列{i}": [1.5, 2.5, 3.5] for i in range(WIDE_TABLE_COLUMNS + 6)})
    narrow = wide.iloc[:, :WIDE_TABLE_COLUMNS]
    wide_html = pnb.sortable_table_html(wide, "指标得分明细")
    assert table_shape(wide_html) == (WIDE_TABLE_COLUMNS + 6, 3)
    assert wide_table_note(pnb.sortable_table_html(narrow, "窄表")) is None
    note = wide_table_note(wide_html)
    assert note is not None and "“指标得分明细”共18列、3行" in note and "scores.xlsx" in note
    cells = [new_markdown_cell("# 章"), new_code_cell("t", outputs=[new_output(
        "display_data", data={"text/html": wide_html, "text/plain": "t"})])]
    nb = new_notebook(cells=cells)
    qnb, _, _ = quarto_notebook(nb, tmp_path)
    md = "\n".join(c.source for c in qnb.cells)
    assert ".column-page .pa-wide-table" in md and note in md
    assert md.index(".column-page") < md.index("<table")
    # the table itself only where the format is HTML
    assert md.index('::::: {.content-visible when-format="html"}') < md.index("<table")


# --- reading at any scale: shared helpers -------------------------------------------------
def test_long_table_excerpt_top_bottom_and_the_units_asked_about() -> None:
    import pandas as pd

    df = pd.DataFrame({"name": [f"单位{i:04d}" for i in range(2850)],
                       "total": [float((i * 37) % 2850) for i in range(2850)]})
    shown, by = pnb.long_table_excerpt(df, "total", n=10, keep=["单位0000", "单位0077"])
    assert by == "total"
    # hand-computed: total = 37·i mod 2850, a permutation of 0…2849 (gcd(37, 2850) = 1); the
    # top ten are 2849…2840, the bottom ten 9…0; 单位0000 has 0 (bottom), 单位0077 has 2849
    assert list(shown["total"][:10]) == [2849.0 - k for k in range(10)]
    assert list(shown["total"][-10:]) == [float(9 - k) for k in range(10)]
    assert (df.loc[77, "total"], df.loc[0, "total"]) == (2849.0, 0.0)
    assert list(shown["位置"]).count("关注单位") == 0  # both already shown
    shown2, _ = pnb.long_table_excerpt(df, "total", n=10, keep=["单位0001"])
    assert list(shown2["位置"]) == ["前10"] * 10 + ["关注单位"] + ["后10"] * 10
    assert shown2.loc[10, "name"] == "单位0001" and shown2.loc[10, "total"] == 37.0
    small = df.head(pnb.LONG_TABLE_ROWS)
    assert pnb.long_table_excerpt(small, "total")[1] is None  # short tables stay whole
    with pytest.raises(KeyError, match="no column 'score'"):
        pnb.long_table_excerpt(df, "score")


def test_size_labels_never_show_code_names() -> None:
    from perfanalysis.report.charts import size_label_zh

    assert size_label_zh("population_2020") == "常住人口(2020年)"
    assert size_label_zh("population") == "常住人口"
    assert size_label_zh(None) == "规模" and size_label_zh("some_code_name") == "规模"
    assert size_label_zh("外部规模表") == "外部规模表"


def test_tradeoff_chart_labels_stay_apart_and_the_current_scheme_is_on_top() -> None:
    import pandas as pd

    from perfanalysis.report.figures.brief import (
        boxes_overlap,
        label_box,
        tradeoff_groups,
        tradeoffs_chart,
    )

    rows = [("现行方案", "official", -0.64, 0)] + [
        (f"α={a / 10:.2f}", "alpha", -0.64, 0) for a in range(11)] + [
        ("近3年趋势", "target_rule", -0.52, 2), ("总量横向比较", "scenario", -0.17, 3),
        ("分类考核", "scenario", -0.60, 2), ("人均水平", "scenario", -0.48, 1)]
    trade = pd.DataFrame(rows, columns=["alternative", "kind", "size_rho", "tier_changes"])
    g = tradeoff_groups(trade)
    official = g.loc[g["official"]].iloc[0]
    assert official["label"] == "现行方案等12个方案" and len(official["names"]) == 12
    labelled = g.loc[g["label"] != ""]
    top = int(g["y"].max())
    boxes = [label_box(r.x, r.y, r.label, r.official, top) for r in labelled.itertuples()]
    assert not any(boxes_overlap(a, b) for a, b in itertools.combinations(boxes, 2))
    # the box arithmetic: 0.15 on ρ is 0.15 / 2.1 × 620 = 44 px between centres, two
    # 4-character CJK labels are 4 × 13 = 52 px wide: at one height they overlap (44 < 52),
    # one tier apart they do not (top = 3: 300 / 4.4 = 68 px per tier > 16 px of text)
    a = label_box(0.0, 1, "甲乙丙丁", False, 3)
    assert a[1] - a[0] == 52 and boxes_overlap(a, label_box(0.15, 1, "甲乙丙丁", False, 3))
    assert not boxes_overlap(a, label_box(0.15, 2, "甲乙丙丁", False, 3))
    assert not boxes_overlap(a, label_box(0.6, 1, "甲乙丙丁", False, 3))  # 177 px apart
    # -0.52 and -0.60 at y = 2 are 0.08 apart: only one is labelled (-0.60 is nearer −0.64)
    two = g.loc[g["y"] == 2].set_index("x")["label"]
    assert two[-0.6] == "分类考核" and two[-0.52] == ""
    fig = tradeoffs_chart(trade, "population_2020")
    assert fig.data[-1].name == "现行方案"  # drawn last, on top
    assert "population_2020" not in fig.layout.xaxis.title.text
    assert "常住人口(2020年)" in fig.layout.xaxis.title.text


def test_chart_pngs_are_added_after_the_notebooks_in_one_pass(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kernels defer PNG export; the run adds a PNG to every chart without one (one browser
    for all) and leaves existing PNGs and other outputs alone."""
    monkeypatch.setenv(pnb.PNG_DEFER_ENV, "1")
    assert pnb._png({"data": [{"type": "bar", "y": [1]}], "layout": {}}) is None  # deferred
    a = _chapter(tmp_path, "a", SECTIONS_A)  # three charts, no PNG
    b = _chapter(tmp_path, "b", SECTIONS_B, png=True)  # one chart with its PNG
    seen: list[str] = []

    def fake_png(spec: dict, force: bool = False) -> str:
        assert force
        seen.append(spec["layout"]["title"]["text"])
        return PNG_1PX

    monkeypatch.setattr(pnb, "_png", fake_png)
    assert pnb.add_chart_pngs([a, b]) == (4, 4)
    assert seen == ["图甲", "图乙", "图丙"]  # b's chart already had one
    for path in (a, b):
        outs = [o for c in nbformat.read(path, as_version=4).cells for o in c.get("outputs", [])
                if pnb.PLOTLY_MIME in o.get("data", {})]
        assert all(o["data"]["image/png"] == PNG_1PX for o in outs)
    assert not list(tmp_path.glob(".*.tmp"))


def test_png_spec_drops_the_title_the_docx_caption_carries() -> None:
    """The PNG goes without the title (the DOCX caption carries it) and with the top margin
    less the title's room (30 px at least, from plotly's default 100 when none is set);
    the chart's own data are left as they were, and the result is what validating and
    updating the figure would give."""
    from perfanalysis.report.charts import figure_spec

    fig = go.Figure(go.Bar(y=[1]), layout={"title": {"text": "图甲", "x": 0.1},
                                           "margin": {"t": 100, "l": 20}})
    spec = figure_spec(fig)
    png = pnb.png_spec(spec)
    assert png["layout"]["title"] == {"text": "", "x": 0.1}
    assert png["layout"]["margin"] == {"t": 100 - pnb.TITLE_PX, "l": 20}
    assert spec["layout"]["title"]["text"] == "图甲"  # the chart itself keeps it
    assert spec["layout"]["margin"]["t"] == 100
    expected = go.Figure(fig).update_layout(title_text="", margin_t=100 - pnb.TITLE_PX)
    assert png == figure_spec(expected)
    assert pnb.png_spec({"data": [], "layout": {}})["layout"]["margin"] == {"t": 100 - pnb.TITLE_PX}
    assert pnb.png_spec({"data": [], "layout": {"margin": {"t": 40}}})["layout"]["margin"] == {"t": 30}


def test_axes_show_full_numbers_not_si_suffixes() -> None:
    """"100k" on a population axis is a code-ish notation: every axis a chart left at the
    default shows full digits with separators; an axis format the chart chose stays."""
    from plotly.subplots import make_subplots

    from perfanalysis.report import charts
    from perfanalysis.report.charts import reader_axes

    fig = make_subplots(rows=1, cols=2)
    fig.add_scatter(x=[1e5, 2e5], y=[1, 2], row=1, col=2)
    fig.update_xaxes(exponentformat="power", row=1, col=1)
    out = reader_axes(fig)
    assert (out.layout.xaxis.exponentformat, out.layout.xaxis2.exponentformat) == ("power", "none")
    assert out.layout.yaxis2.separatethousands is True
    assert fig.layout.xaxis2.exponentformat is None  # a copy
    # a log axis: 1, 2, 5 of each decade the data span, in full digits (plotly's own "D2"
    # labels 200,000 as "2"); more labels than its width holds (8 across the whole chart,
    # 8 × 0.45 on a half-width panel): each decade only
    log = reader_axes(go.Figure(go.Scatter(x=[12_000, 880_000], y=[1, 2]))
                      .update_xaxes(type="log"))
    assert list(log.layout.xaxis.tickvals) == [1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6]
    assert list(log.layout.xaxis.ticktext) == ["10,000", "20,000", "50,000", "100,000",
                                               "200,000", "500,000", "1,000,000"]
    assert log.layout.yaxis.tickvals is None and log.layout.yaxis.dtick is None
    wide = make_subplots(rows=1, cols=2)
    wide.add_scatter(x=[0.3, 40], y=[1, 2], row=1, col=1)
    wide.add_scatter(x=[2_000, 30_000_000], y=[1, 2], row=1, col=2)  # on xaxis2 only
    wide = reader_axes(wide.update_xaxes(type="log"))
    assert list(wide.layout.xaxis.ticktext) == ["0.1", "1", "10", "100"]  # 10 > 3.6
    one = reader_axes(make_subplots(rows=1, cols=2).add_scatter(x=[1_500, 4_000], y=[1, 2],
                                                                row=1, col=2)
                      .update_xaxes(type="log"))
    assert list(one.layout.xaxis2.ticktext) == ["1,000", "2,000", "5,000"]  # 3 ≤ 3.6
    # from the last tick at or below the data to the first at or above: 3 million to 104
    # million (the provinces' population) is 2, 5, 10, 20, 50, 100, 200 million
    prov = reader_axes(go.Figure(go.Scatter(x=[3.0e6, 1.04e8], y=[1, 2])).update_xaxes(
        type="log"))
    assert list(prov.layout.xaxis.tickvals) == [2e6, 5e6, 1e7, 2e7, 5e7, 1e8, 2e8]
    # a narrow panel whose data span less than a decade keeps 1-2-5: decades would leave
    # one label (the sample's population, 83,100–780,969, on a 0.28-wide facet: 8 × 0.28 =
    # 2.24 < 3 ticks inside, but only 100,000 is a decade inside)
    narrow = charts.log_ticks(83_100, 780_969, max_labels=8 * 0.28)[1]
    assert narrow == ["50,000", "100,000", "200,000", "500,000", "1,000,000"]
    assert list(wide.layout.xaxis2.ticktext) == ["1,000", "10,000", "100,000", "1,000,000",
                                                 "10,000,000", "100,000,000"]
    bundle = pnb.figure_bundle(fig)
    assert bundle[pnb.PLOTLY_MIME]["layout"]["xaxis2"]["exponentformat"] == "none"
    # years read 2019, not 2,019: an axis holding only whole numbers 1900–2100
    years = make_subplots(rows=1, cols=2)
    years.add_scatter(x=[2018, 2019], y=[3, 1], row=1, col=1)
    years.add_scatter(x=[2018, 2019.5], y=[1500, 2500], row=1, col=2)
    out = reader_axes(years)
    assert (out.layout.xaxis.tickformat, out.layout.xaxis.separatethousands) == ("d", False)
    assert out.layout.xaxis2.separatethousands is True  # 2019.5 is not a year
    assert out.layout.yaxis2.separatethousands is True  # whole, but outside 1900–2100


def test_table_headers_align_with_their_columns() -> None:
    import pandas as pd

    df = pd.DataFrame({"单位": ["甲", "乙"], "总分": [91.7, 85.9], "排名": [1, 2],
                       "等次": ["优秀", "达标"]})
    page = pnb.sortable_table_html(df, "成绩")
    heads = re.findall(r"<th [^>]*text-align:(\w+)'>([^<]+)</th>", page)
    assert heads == [("left", "单位"), ("right", "总分"), ("right", "排名"), ("left", "等次")]
    first_row = re.search(r"<tbody><tr>(.*?)</tr>", page).group(1)
    assert [a for a in re.findall(r"text-align:(\w+)", first_row)] == [a for a, _ in heads]


def test_show_long_table_says_how_many_rows_and_where_the_rest_is(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    said: list[str] = []
    shown: list[pd.DataFrame] = []
    monkeypatch.setattr(pnb, "show_text", lambda ps: said.extend(ps))
    monkeypatch.setattr(pnb, "show_table", lambda df, caption="", digits=2: shown.append(df))
    df = pd.DataFrame({"单位": [f"县{i}" for i in range(2850)],
                       "总分": [float(i % 100) for i in range(2850)]})
    pnb.show_long_table(df, "成绩", sort_by="总分", sheet="成绩表", key="单位", keep=["县50"])
    assert said == [("本表共2850行,下表按总分从高到低列出前10行、后10行、1个关注单位;"
                    "完整表格见 scores.xlsx 的“成绩表”工作表。")]
    assert len(shown[0]) == 21 and "县50" in list(shown[0]["单位"])
    said.clear()
    pnb.show_long_table(df.head(8), "成绩", sort_by="总分")  # short: whole, no sentence
    assert said == [] and len(shown[-1]) == 8 and "位置" not in shown[-1].columns


def test_totals_chart_at_national_scale_draws_both_ends_labelled() -> None:
    """2 850 units: the 20 best and 20 worst bars, each named and with its value (the
    rule, UNIT_CHART_LIMIT, is tested in tests/test_unit_charts.py); 8 bars: all. (Until
    issue 23 it drew all 2 850 sub-pixel bars without names or values.)"""
    import pandas as pd

    from perfanalysis import load_scheme
    from perfanalysis.paths import PROJ_ROOT
    from perfanalysis.report.charts import totals_chart

    scheme = load_scheme(PROJ_ROOT / "data" / "schemes" / "yiyang_2018.yaml")
    seq = next(iter(scheme.sequences))
    tier = scheme.tiers.labels[0]

    def table(n: int) -> pd.DataFrame:
        return pd.DataFrame({"unit_id": [f"u{i}" for i in range(n)],
                             "name": [f"县{i}" for i in range(n)], "sequence": seq,
                             "total": [50.0 + (i % 40) for i in range(n)], "tier": tier,
                             "tier_reason": "—"})

    for n, bars in ((2850, 40), (8, 8)):
        fig = totals_chart(table(n), scheme, 2019)
        text = [tr for tr in fig.data if getattr(tr, "mode", None) == "text"]
        assert len(text) == 1 and len(text[0].text) == bars
        assert len(fig.data[0].x) == bars and fig.layout.xaxis.showticklabels is None
    assert "共2850个单位" in totals_chart(table(2850), scheme, 2019).layout.title.text
