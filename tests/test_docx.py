"""The official-document DOCX: the reference document's conventions, the finishing pass, and
a PDF conversion with LibreOffice (skipped when LibreOffice is not installed)."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from perfanalysis.report.officialdoc import (
    MARGINS_MM,
    TEXT_WIDTH_MM,
    docx_summary,
    finish_docx,
    write_reference_docx,
)
from perfanalysis.report.render import render_nbconvert

from .test_render import RECORD, SECTIONS_A, _chapter


def test_reference_document_follows_gbt_9704(tmp_path: Path) -> None:
    ref = write_reference_docx(tmp_path / "reference.docx")
    s = docx_summary(ref)
    # A4 210 × 297 mm; text block 156 × 225 mm: 210 − 28 − 26 = 156, 297 − 37 − 35 = 225
    assert s["page_mm"] == (210, 297)
    assert TEXT_WIDTH_MM == 156.0
    assert 297 - MARGINS_MM["top"] - MARGINS_MM["bottom"] == 225
    assert s["fonts"]["Title"] == "方正小标宋简体"
    assert {s["fonts"][k] for k in ("Normal", "Body Text", "First Paragraph")} == {"仿宋_GB2312"}
    assert (s["fonts"]["Heading 1"], s["fonts"]["Heading 2"]) == ("黑体", "楷体_GB2312")
    assert s["fonts"]["Image Caption"] == "楷体_GB2312"
    assert s["footer_fields"] == ["PAGE"]
    import docx
    from docx.shared import Pt

    doc = docx.Document(str(ref))
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)  # 三号
    assert normal.paragraph_format.line_spacing == Pt(28)
    assert doc.styles["Title"].font.size == Pt(22)  # 二号
    with zipfile.ZipFile(ref) as z:
        fonts = z.read("word/fontTable.xml").decode("utf-8")
    assert 'w:name="方正小标宋简体"' in fonts and 'w:val="Noto Serif CJK SC"' in fonts


def test_finish_docx_is_idempotent_and_keeps_one_page_number(tmp_path: Path) -> None:
    ref = write_reference_docx(tmp_path / "r.docx")
    finish_docx(ref)
    finish_docx(ref)
    assert docx_summary(ref)["footer_fields"] == ["PAGE"]


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                    reason="LibreOffice (soffice) is not installed: no PDF conversion check "
                           "(apt-get install libreoffice-writer-nogui)")
def test_report_docx_converts_to_pdf_with_libreoffice(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFANALYSIS_PNG", "0")
    chapter = _chapter(tmp_path, "a", SECTIONS_A, png=True)
    result = render_nbconvert([chapter], RECORD, tmp_path)
    assert result.docx is not None
    office = shutil.which("soffice") or shutil.which("libreoffice")
    pdf_dir = tmp_path / "pdf"
    proc = subprocess.run([str(office), "--headless", "--norestore", "--convert-to", "pdf",
                           "--outdir", str(pdf_dir), str(result.docx)],
                          capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stderr
    pdf = pdf_dir / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5000


# --- pictures, tables, TOC: what an office opens must read whole ---------------------------
def solid_png(width: int, height: int) -> str:
    """Base64 of a grey width × height PNG (a stand-in chart of a known size)."""
    import base64
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                             0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return base64.b64encode(png).decode("ascii")


def _effective_line_rule(para: object) -> object:
    """The line-spacing rule a paragraph ends up with (direct format, else up its styles)."""
    rule = para.paragraph_format.line_spacing_rule  # type: ignore[attr-defined]
    style = para.style  # type: ignore[attr-defined]
    while rule is None and style is not None:
        rule = style.paragraph_format.line_spacing_rule
        style = style.base_style
    return rule


def picture_paragraphs(path: Path) -> list[object]:
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(str(path))
    return [p for p in doc.paragraphs if next(p._p.iter(qn("w:drawing")), None) is not None]


def assert_pictures_not_clipped(path: Path) -> int:
    """No picture sits in a paragraph with an exact line height (it would show as a strip of
    that height) or a first-line indent. Returns the pictures checked."""
    from docx.enum.text import WD_LINE_SPACING

    paras = picture_paragraphs(path)
    for p in paras:
        assert _effective_line_rule(p) != WD_LINE_SPACING.EXACTLY, p.style.name
        indent = p.paragraph_format.first_line_indent
        assert indent in (None, 0), (p.style.name, indent)
    return len(paras)


def toc_entries(path: Path) -> list[str]:
    """The text of the lines inside the DOCX's table-of-contents block."""
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(str(path))
    for sdt in doc.element.body.iter(qn("w:sdt")):
        if any(g.get(qn("w:val")) == "Table of Contents"
               for g in sdt.iter(qn("w:docPartGallery"))):
            return ["".join(t.text or "" for t in p.iter(qn("w:t")))
                    for p in sdt.iter(qn("w:p"))][1:]  # after the 目录 heading
    return []


@pytest.fixture
def chart_docx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A report DOCX (nbconvert path, the official reference) whose first chart is a known
    1800 × 920 px picture between two marker paragraphs."""
    import nbformat
    import plotly.graph_objects as go
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from perfanalysis.report import notebook as pnb

    monkeypatch.setenv("PERFANALYSIS_PNG", "0")
    fig = go.Figure(go.Bar(x=["甲", "乙"], y=[1, 2]), layout={"title": "测试图"})
    cells = [new_markdown_cell("# 第一章\n\n## 一节\n\n图前标记。"),
             new_code_cell("show(fig)", outputs=[
                 new_output("display_data", data=pnb.plotlyjs_bundle()),
                 new_output("display_data", data=pnb.figure_bundle(fig) | {
                     "image/png": solid_png(1800, 920)})]),
             new_markdown_cell("图后标记。\n\n- 紧凑列表一\n- 紧凑列表二\n\n# 第二章\n\n正文。")]
    path = tmp_path / "a.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    dest = tmp_path / "out"
    dest.mkdir()
    result = render_nbconvert([path], RECORD, dest)
    assert result.docx is not None
    return result.docx


def test_picture_paragraphs_are_single_spaced_without_indent(chart_docx: Path) -> None:
    """The body's exactly-28 pt lines must not reach a picture's paragraph (every chart was
    clipped to a 1 cm strip): figure styles and picture paragraphs are single-spaced."""
    import docx
    from docx.enum.text import WD_LINE_SPACING

    assert assert_pictures_not_clipped(chart_docx) == 1
    doc = docx.Document(str(chart_docx))
    for name in ("Figure", "Captioned Figure"):
        assert doc.styles[name].paragraph_format.line_spacing_rule == WD_LINE_SPACING.SINGLE
    # the body keeps its official exact 28 pt lines
    assert doc.styles["Normal"].paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY


def test_toc_is_a_real_list_of_the_headings(chart_docx: Path) -> None:
    entries = toc_entries(chart_docx)
    assert entries[:4] == ["第一章", "一节", "第二章", "附录 数据与方法说明"]
    assert {"报告信息", "研究参数", "软件版本"} <= set(entries[4:])  # the appendix's sections
    finish_docx(chart_docx)  # idempotent: the list is rebuilt, not doubled
    assert toc_entries(chart_docx) == entries


def test_tight_lists_keep_the_body_size_and_tables_their_own(chart_docx: Path) -> None:
    import docx
    from docx.shared import Pt

    doc = docx.Document(str(chart_docx))
    assert doc.styles["Compact"].font.size == Pt(16)  # 三号, as the body
    items = [p for p in doc.paragraphs if p.text.startswith("紧凑列表")]
    assert len(items) == 2 and all(p.style.name == "Compact" for p in items)
    for table in doc.tables:  # cells: 小四, single-spaced
        for cell in table._cells:
            for p in cell.paragraphs:
                assert p.paragraph_format.line_spacing_rule is not None
                assert all(r.font.size == Pt(12) for r in p.runs)


def test_every_cjk_font_falls_back_to_a_noto_cjk_face() -> None:
    from perfanalysis.report.officialdoc import (
        BODY_FONT,
        FONT_FALLBACKS,
        HEADING_FONTS,
        NOTO_CJK,
        TITLE_FONT,
    )

    for start in {TITLE_FONT, BODY_FONT, *HEADING_FONTS.values(), *FONT_FALLBACKS}:
        font, seen = start, set()
        while font in FONT_FALLBACKS:
            assert font not in seen, f"fallback cycle at {font}"
            seen.add(font)
            font = FONT_FALLBACKS[font]
        assert font in NOTO_CJK, (start, font)


def test_numbers_in_table_cells_never_wrap(tmp_path: Path) -> None:
    import docx
    from docx.oxml.ns import qn

    from perfanalysis.report.officialdoc import finish_docx as finish

    doc = docx.Document()
    table = doc.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ["益阳市资阳区", "12345.67", "(98.5%)"]):
        cell.text = text
    path = tmp_path / "t.docx"
    doc.save(str(path))
    finish(path)
    cells = docx.Document(str(path)).tables[0].rows[0].cells
    no_wrap = [c._tc.tcPr is not None and c._tc.tcPr.find(qn("w:noWrap")) is not None
               for c in cells]
    assert no_wrap == [False, True, True]


def _text_top(pdf: Path, word: str) -> tuple[int, float]:
    """(page, top y in pt) of the first line of a PDF holding ``word`` (pdftotext -bbox)."""
    html = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    import re

    for page_no, page in enumerate(html.split("<page ")[1:], start=1):
        for line in re.findall(r'<line xMin="[\d.]+" yMin="([\d.]+)"[^>]*>(.*?)</line>', page,
                               re.DOTALL):
            if word in re.sub(r"<[^>]+>", "", line[1]).replace("\n", "").replace(" ", ""):
                return page_no, float(line[0])
    raise AssertionError(f"{word} not in {pdf}")


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="LibreOffice (soffice) or poppler-utils (pdftotext) not installed "
                           "(apt-get install libreoffice-writer-nogui poppler-utils)")
def test_libreoffice_pdf_shows_the_chart_at_its_height(chart_docx: Path, tmp_path: Path) -> None:
    """In LibreOffice's PDF the text after a chart starts at least the chart's height below
    the text before it (a clipped chart left ~1 cm)."""
    import docx

    shape = docx.Document(str(chart_docx)).inline_shapes[0]
    height_pt = shape.height / 12700  # EMU → pt
    assert height_pt > 150
    pdf_dir = tmp_path / "pdf"
    proc = subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "pdf",
                           "--outdir", str(pdf_dir), str(chart_docx)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    pdf = pdf_dir / "report.pdf"
    before, after = _text_top(pdf, "图前标记"), _text_top(pdf, "图后标记")
    if before[0] == after[0]:
        assert after[1] - before[1] >= 0.95 * height_pt, (before, after, height_pt)
    else:  # the chart moved to the next page: it starts that page's text
        assert after[1] >= 0.95 * height_pt


# --- column widths: numbers whole, text columns share what is left ------------------------
def test_column_widths_by_hand() -> None:
    """At 10 pt a full-width character is 10 pt and a digit 5.5 pt, plus 10.8 pt of cell
    margins: "益阳高新区" needs 60.8 pt on one line and may wrap to 2 characters (30.8 pt);
    "92.78" needs 5 × 5.5 + 10.8 = 38.3 pt and never breaks; the header "得分" may wrap."""
    from perfanalysis.report.officialdoc import CELL_PAD_PT, HALF_EM, column_widths

    assert (CELL_PAD_PT, HALF_EM) == (10.8, 0.55)
    rows = [["单位", "得分"], ["益阳高新区", "92.78"]]
    # everything fits on one line: each column its full width + half of the 100.9 pt left
    assert column_widths(rows, 10, 200) == pytest.approx([60.8 + 50.45, 38.3 + 50.45])
    # 80 pt: minimums 30.8 + 38.3 = 69.1, the 10.9 pt left go to the text (it lacks 30 pt)
    assert column_widths(rows, 10, 80) == pytest.approx([41.7, 38.3])
    assert column_widths(rows, 10, 60) is None  # 69.1 pt of minimums do not fit in 60
    # the column lacking least is filled first: at 10 pt "大通湖区" lacks 20 pt (4 against
    # 2 characters), the 12-character reason 100 pt; with 60 pt to spare (minimums 30.8 +
    # 38.3 + 30.8) the name gets its 20 pt whole (within 60 / 2) and the reason the other 40
    three = [["单位", "总分", "依据"], ["大通湖区", "87.99", "区县市第二名在评优名额内"]]
    assert column_widths(three, 10, 99.9 + 60) == pytest.approx([50.8, 38.3, 70.8])
    # a Latin word does not break either: "PM2.5" is 27.5 pt + margins
    assert column_widths([["指标"], ["PM2.5浓度"]], 10, 38.2) is None
    assert column_widths([["指标"], ["PM2.5浓度"]], 10, 38.3) == pytest.approx([38.3])


def test_fits_page_keeps_the_score_table_and_points_away_from_the_long_detail() -> None:
    """The 12-column score table (two name columns, ten numbers) fits 156 mm in 小五 with
    four characters a line for the names; the indicator detail (five text columns beside
    seven numbers) does not, and gets the pointer instead."""
    from perfanalysis.report.officialdoc import fits_page

    score = [["序列", "单位", "高质量发展(40分)", "三大攻坚战(25分)", "党的建设(20分)",
              "社会稳定和安全生产(15分)", "加分", "扣分", "总分", "名次", "等次", "注"],
             ["区县市", "益阳高新区", "40.26", "25.00", "15.00", "12.52", "0.00", "0.00",
              "92.78", "1", "基本达标", "†"]]
    detail = [["单位", "一级指标", "指标", "计量单位", "计分口径", "本年值", "实际(计分口径)",
               "目标", "完成率", "满分", "得分", "注"],
              ["益阳高新区", "高质量发展", "规模工业增加值", "亿元", "增量+官方增速",
               "12345.67", "1234.56", "1234.56", "120.0%", "8.00", "7.62", "*†"]]
    assert fits_page(score) and not fits_page(detail)


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="LibreOffice (soffice) or poppler-utils (pdftotext) not installed "
                           "(apt-get install libreoffice-writer-nogui poppler-utils)")
def test_libreoffice_breaks_no_number_of_a_twelve_column_table(tmp_path: Path) -> None:
    """LibreOffice ignores ``w:noWrap``: a 12-column table at 100 % width broke "230.51"
    into "230.5 / 1". With the widths ``finish_docx`` fixes, every number of the table is
    whole on its line of the PDF."""
    import docx

    from perfanalysis.report.officialdoc import finish_docx as finish
    from perfanalysis.report.officialdoc import write_reference_docx

    header = ["单位", "一级指标", "指标", "计量单位", "计分口径", "本年值", "实际(计分口径)",
              "目标", "完成率", "满分", "得分", "注"]
    body = [["资阳区", "高质量发展", "地区生产总值", "亿元", "增量+官方增速", "230.51", "19.43",
             "18.23", "95.3%", "8.00", "7.62", ""],
            ["益阳高新区", "高质量发展", "固定资产投资", "亿元", "增量+增速", "1199.99", "41.07",
             "5.92", "120.0%", "5.00", "6.00", "*†"]]
    write_reference_docx(tmp_path / "reference.docx")  # the report's styles and fonts
    doc = docx.Document(str(tmp_path / "reference.docx"))
    table = doc.add_table(rows=3, cols=12)
    for row, texts in zip(table.rows, [header, *body], strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    path = tmp_path / "t.docx"
    doc.save(str(path))
    finish(path)
    proc = subprocess.run(["soffice", "--headless", "--norestore", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(path)], capture_output=True,
                          text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stderr
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "t.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    tokens = set(text.split())
    numbers = [t for r in body for t in r[5:11]]
    assert [n for n in numbers if n not in tokens] == []
