"""The DOCX for the official file: a pandoc/Quarto reference document with Chinese
official-document conventions (GB/T 9704-2012: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm;
title 方正小标宋 二号, body 仿宋_GB2312 三号 with fixed 28 pt lines, headings 黑体 / 楷体,
page numbers "— 1 —" in the footer) and the finishing pass every report DOCX gets (tables
at the page width in 小四, images no wider than the text, alt text on every image).

Fonts fall back where a machine lacks them: each East Asian face is declared in the font
table with an alternative (``altName``) that Word and LibreOffice use, e.g. 仿宋_GB2312 → 仿宋
→ FangSong → Noto Serif CJK SC; every chain ends in a Noto CJK SC face, which Linux has.

What an office opens must read whole: pictures sit in single-spaced, unindented paragraphs
(the body's exact 28 pt lines would clip them to a strip), table cells are single-spaced and
never break a number across lines, tight lists keep the body size, and the table of contents
is a real list of the headings (not an empty field waiting for an update).
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from ..errors import PipelineError

# GB/T 9704-2012 page: A4, margins giving the 156 mm × 225 mm text block.
PAGE_MM = (210.0, 297.0)
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 156 mm

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONTS = {1: "黑体", 2: "楷体_GB2312", 3: BODY_FONT}
LATIN_FONT = "Times New Roman"
#: Font → the alternative used where it is missing (written into the font table).
#: Every chain ends in a Noto CJK SC face (``NOTO_CJK``), the CJK fonts Linux distributions ship.
FONT_FALLBACKS = {
    "方正小标宋简体": "Noto Serif CJK SC",
    "仿宋_GB2312": "仿宋",
    "仿宋": "FangSong",
    "FangSong": "Noto Serif CJK SC",
    "楷体_GB2312": "楷体",
    "楷体": "KaiTi",
    "KaiTi": "Noto Serif CJK SC",
    "黑体": "SimHei",
    "SimHei": "Noto Sans CJK SC",
    "宋体": "SimSun",
    "SimSun": "Noto Serif CJK SC",
}
NOTO_CJK = ("Noto Serif CJK SC", "Noto Sans CJK SC")
BODY_PT, TITLE_PT, TABLE_PT, CAPTION_PT, FOOTER_PT = 16.0, 22.0, 12.0, 14.0, 14.0
#: Table text sizes tried in turn, 小四, 五号, 小五 (pt): the largest at which every column
#: gets its narrowest readable width (``column_widths``) within the text width.
TABLE_SIZES_PT = (TABLE_PT, 10.5, 9.0)
#: A cell's left + right margins (Word's and LibreOffice's default 0.19 cm each), in pt.
CELL_PAD_PT = 10.8
#: Width of a half-width character (digits, Latin, punctuation) in em of the text size.
HALF_EM = 0.55
#: Text cells may wrap, but not below this many full-width characters per line.
MIN_TEXT_CHARS = 2
#: A table goes into the DOCX only if, in 小五, its text columns get at least this many
#: characters per line beside its numbers (``fits_page``); else the DOCX points to the HTML
#: and scores.xlsx (two characters a line over a hundred rows is not a table one reads).
READABLE_CHARS = 4
#: A Latin run longer than this (em) is an identifier, path or checksum, which may break.
LONG_WORD_EMS = 8.0
TEXT_WIDTH_PT = TEXT_WIDTH_MM / 25.4 * 72
LINE_PT = 28.0
#: The paragraph styles of a pandoc reference document that the official look sets.
OFFICIAL_STYLES = ("Normal", "Body Text", "First Paragraph", "Compact", "Title",
                   "Heading 1", "Heading 2", "Heading 3", "Caption", "Image Caption",
                   "Table Caption", "TOC Heading", "Figure", "Captioned Figure")
#: Paragraph styles that hold pictures: single spacing, no indent (an exact line height
#: would show a chart as a strip of that height).
FIGURE_STYLES = ("Figure", "Captioned Figure")
TOC_LEVELS = 2  # headings listed in the table of contents


def _pandoc() -> str:
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_path())
    except (ImportError, OSError):
        found = shutil.which("pandoc")
        if found is None:
            raise PipelineError("pandoc not found (pypandoc-binary or pandoc on PATH): "
                                "cannot build the DOCX reference document") from None
        return found


def _style(doc: Any, name: str) -> Any:
    """A style by its UI name or its id (pandoc names some by id, e.g. 'Image Caption')."""
    for style in doc.styles:
        if style.name == name or style.style_id == name.replace(" ", ""):
            return style
    raise KeyError(name)


def _set_fonts(style: Any, east_asian: str, size_pt: float | None = None,
               bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = style.font
    font.name = LATIN_FONT
    if size_pt is not None:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), east_asian)
    rfonts.set(qn("w:hint"), "eastAsia")
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)


def _paragraph(style: Any, *, align: Any = None, first_indent_pt: float | None = 0.0,
               line_pt: float | None = LINE_PT, before_pt: float = 0.0,
               after_pt: float = 0.0) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    if first_indent_pt is not None:
        fmt.first_line_indent = Pt(first_indent_pt)
    if line_pt is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(line_pt)
    fmt.space_before = Pt(before_pt)
    fmt.space_after = Pt(after_pt)


def _page_setup(doc: Any) -> None:
    """A4 with the official margins on every section, page numbers in each footer."""
    from docx.shared import Mm

    for section in doc.sections:
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(
            MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(
            MARGINS_MM["right"])
        section.footer_distance = Mm(28 - 7)  # page number 7 mm below the text block
        _page_number_footer(section.footer)


def _page_number_footer(footer: Any) -> None:
    """Footer "— N —" (a PAGE field), centred, 宋体 四号; idempotent."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    footer.is_linked_to_previous = False
    if any("PAGE" in (el.text or "") for p in footer.paragraphs
           for el in p._p.iter(qn("w:instrText"))):
        return
    para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    for run in list(para.runs):
        run._r.getparent().remove(run._r)
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def run_with(text: str | None = None, field: str | None = None,
                 instr: str | None = None) -> None:
        run = para.add_run(text or "")
        run.font.size = Pt(FOOTER_PT)
        run.font.name = LATIN_FONT
        run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
        if field is not None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), field)
            run._r.append(el)
        if instr is not None:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            run._r.append(el)

    run_with("— ")
    run_with(field="begin")
    run_with(instr=" PAGE ")
    run_with(field="separate")
    run_with("1")
    run_with(field="end")
    run_with(" —")


def _font_table(doc: Any) -> None:
    """Declare the East Asian fonts with their fallbacks (``altName``) and GB2312 charset."""
    from lxml import etree

    part = next((p for p in doc.part.package.parts
                 if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:
        return
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    w = "{" + ns + "}"
    root = etree.fromstring(part.blob)
    present = {f.get(w + "name") for f in root.findall(w + "font")}
    for name, alt in FONT_FALLBACKS.items():
        if name in present:
            continue
        font = etree.SubElement(root, w + "font")
        font.set(w + "name", name)
        etree.SubElement(font, w + "altName").set(w + "val", alt)
        etree.SubElement(font, w + "charset").set(w + "val", "86")  # GB2312
        etree.SubElement(font, w + "family").set(w + "val", "roman" if "黑" not in name
                                                  else "modern")
        etree.SubElement(font, w + "pitch").set(w + "val", "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                standalone=True)


class _Styles:
    def __init__(self, doc: Any) -> None:
        self.doc = doc

    def __getitem__(self, name: str) -> Any:
        return _style(self.doc, name)


def write_reference_docx(path: Path | str) -> Path:
    """Write the official-document reference DOCX (pandoc's default reference with its
    styles restyled) for ``pandoc --reference-doc`` and Quarto's ``reference-doc``."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([_pandoc(), "-o", str(path), "--print-default-data-file",
                           "reference.docx"], capture_output=True, check=False)
    if proc.returncode != 0:
        raise PipelineError(f"pandoc could not write its reference.docx: "
                            f"{proc.stderr.decode('utf-8', 'replace').strip()}")
    doc = docx.Document(str(path))
    styles = _Styles(doc)
    centre, left = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
    for name in ("Normal", "Body Text", "First Paragraph"):
        _set_fonts(styles[name], BODY_FONT, BODY_PT)
        _paragraph(styles[name], align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                   first_indent_pt=2 * BODY_PT)
    # tight lists (and table cells, which the finishing pass sets to 小四) read as body text
    _set_fonts(styles["Compact"], BODY_FONT, BODY_PT)
    _paragraph(styles["Compact"], align=left, first_indent_pt=0.0)
    for name in FIGURE_STYLES:
        _paragraph(styles[name], align=centre, first_indent_pt=0.0, line_pt=None,
                   before_pt=6.0, after_pt=6.0)
    _set_fonts(styles["Title"], TITLE_FONT, TITLE_PT, bold=False)
    _paragraph(styles["Title"], align=centre, first_indent_pt=0.0, line_pt=None,
               before_pt=0.0, after_pt=LINE_PT)
    styles["Title"].font.color.rgb = None
    for level, face in HEADING_FONTS.items():
        style = styles[f"Heading {level}"]
        _set_fonts(style, face, BODY_PT, bold=level == 3)
        _paragraph(style, align=left, first_indent_pt=2 * BODY_PT if level > 1 else 0.0,
                   before_pt=LINE_PT / 2 if level == 1 else 0.0)
        style.font.color.rgb = None
    for name in ("Caption", "Image Caption", "Table Caption"):
        _set_fonts(styles[name], "楷体_GB2312", CAPTION_PT, bold=False)
        _paragraph(styles[name], align=centre, first_indent_pt=0.0, line_pt=None,
                   after_pt=6.0)
        styles[name].font.italic = False
    _set_fonts(styles["TOC Heading"], "黑体", BODY_PT)
    _paragraph(styles["TOC Heading"], align=centre, first_indent_pt=0.0)
    styles["TOC Heading"].font.color.rgb = None
    _toc_styles(doc)
    _page_setup(doc)
    _font_table(doc)
    doc.save(str(path))
    return path


def _toc_styles(doc: Any) -> None:
    """Paragraph styles "toc 1" … of the static table of contents (body font, single
    spacing, each level indented two characters more)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    names = {s.name for s in doc.styles}
    for level in range(1, TOC_LEVELS + 1):
        name = f"toc {level}"
        style = (_style(doc, name) if name in names
                 else doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH))
        style.base_style = _style(doc, "Normal")
        _set_fonts(style, BODY_FONT, BODY_PT)
        _paragraph(style, align=WD_ALIGN_PARAGRAPH.LEFT, first_indent_pt=0.0)
        from docx.shared import Pt

        style.paragraph_format.left_indent = Pt(2 * BODY_PT * (level - 1))


_NUMBER = re.compile(r"^[\s(（]*[-−+]?[\d.,，%‰]+[\s)）%‰]*$")


def _no_wrap_numbers(cell: Any) -> None:
    """A cell holding one number never breaks it across lines (``w:noWrap``): Word and
    LibreOffice widen that column and narrow the text ones instead."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    text = cell.text.strip()
    if not text or not _NUMBER.match(text):
        return
    tc_pr = cell._tc.get_or_add_tcPr()
    if tc_pr.find(qn("w:noWrap")) is None:
        tc_pr.append(OxmlElement("w:noWrap"))


def _single_spaced(para: Any, centre: bool = False) -> None:
    """Direct paragraph format: single spacing, no indent (what a picture or a table cell
    needs whatever its style says)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    fmt = para.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.first_line_indent = Pt(0)
    fmt.left_indent = Pt(0)
    if centre:
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _ems(text: str) -> float:
    """Width of ``text`` on one line in em: full-width (CJK) characters 1, others
    ``HALF_EM``."""
    import unicodedata

    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else HALF_EM for ch in text)


def column_widths(rows: list[list[str]], font_pt: float, width_pt: float,
                  min_chars: int = MIN_TEXT_CHARS) -> list[float] | None:
    """Column widths (pt, margins included) for a table of ``rows`` (cell texts, header
    included) set in ``font_pt`` within ``width_pt``, or None when it cannot fit.

    A number never breaks: its column is at least as wide as its widest number; a text
    column is at least ``min_chars`` characters wide (a header ``MIN_TEXT_CHARS``), and as
    wide as its longest run without a break point (a Latin word; a run longer
    than ``LONG_WORD_EMS``, such as a checksum, may break). What is left of the
    width goes first to the columns that lack least for their longest body cell on one
    line, then to the others in proportion to what they lack (a header, the first row, may
    wrap: it counts only for the narrowest width)."""
    n = max((len(r) for r in rows), default=0)
    if n == 0:
        return None
    least, most = [0.0] * n, [0.0] * n
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            text = text.strip()
            if not text:
                continue
            full = _ems(text)
            if _NUMBER.match(text):
                need = full
            else:
                words = re.findall(r"[^\s\u3000-\u9fff\uff00-\uffef]+", text)
                wrap = MIN_TEXT_CHARS if i == 0 and len(rows) > 1 else min_chars
                need = max([min(full, wrap), *(min(_ems(w), LONG_WORD_EMS) for w in words)])
            least[j] = max(least[j], need)
            most[j] = max(most[j], need if i == 0 and len(rows) > 1 else full)
    least_pt = [e * font_pt + CELL_PAD_PT for e in least]
    most_pt = [e * font_pt + CELL_PAD_PT for e in most]
    spare = width_pt - sum(least_pt)
    if spare < 0:
        return None
    lack = [m - lo for m, lo in zip(most_pt, least_pt, strict=True)]
    if sum(lack) <= spare:  # everything on one line: share out what is left equally
        extra = (spare - sum(lack)) / n
        return [m + extra for m in most_pt]
    # fill the columns that lack least first (a unit name on one line before a long
    # sentence gets more room): each column whose lack is within an equal share of what
    # is left gets it whole; the rest share what remains in proportion to their lack
    widths, left = list(least_pt), spare
    waiting = sorted((j for j in range(n) if lack[j] > 0), key=lambda j: lack[j])
    while waiting and lack[waiting[0]] <= left / len(waiting):
        j = waiting.pop(0)
        widths[j] += lack[j]
        left -= lack[j]
    total = sum(lack[j] for j in waiting)
    for j in waiting:
        widths[j] += left * lack[j] / total
    return widths


def fits_page(rows: list[list[str]]) -> bool:
    """Whether a table (cell texts, header first) goes into the DOCX: in the smallest table
    size its numbers stay whole and its text columns get ``READABLE_CHARS`` a line."""
    return column_widths(rows, TABLE_SIZES_PT[-1], TEXT_WIDTH_PT, READABLE_CHARS) is not None


def _cell_texts(table: Any) -> list[list[str]]:
    """Each row's cell texts by grid column (a cell spanning columns counts in its first)."""
    from docx.oxml.ns import qn

    rows = []
    for tr in table._tbl.iter(qn("w:tr")):
        texts = []
        for tc in tr.iter(qn("w:tc")):
            span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
            text = "".join(t.text or "" for t in tc.iter(qn("w:t")))
            texts += [text] + [""] * (int(span.get(qn("w:val"))) - 1 if span is not None else 0)
        rows.append(texts)
    return rows


def _set_widths(table: Any, widths_pt: list[float]) -> None:
    """Fixed layout with these column widths (grid and every cell), so Word and LibreOffice
    both draw the columns as computed (LibreOffice ignores ``w:noWrap``)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl = table._tbl
    twips = [round(w * 20) for w in widths_pt]
    twips[-1] += round(sum(widths_pt) * 20) - sum(twips)  # the columns add up exactly
    grid = tbl.find(qn("w:tblGrid"))
    if grid is None:
        grid = OxmlElement("w:tblGrid")
        tbl.tblPr.addnext(grid)
    for col in list(grid):
        grid.remove(col)
    for w in twips:
        col = OxmlElement("w:gridCol")
        col.set(qn("w:w"), str(w))
        grid.append(col)
    width = tbl.tblPr.find(qn("w:tblW"))
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(sum(twips)))
    tbl.tblPr.find(qn("w:tblLayout")).set(qn("w:type"), "fixed")
    for tr in tbl.iter(qn("w:tr")):
        j = 0
        for tc in tr.iter(qn("w:tc")):
            tc_pr = tc.find(qn("w:tcPr"))
            if tc_pr is None:
                tc_pr = OxmlElement("w:tcPr")
                tc.insert(0, tc_pr)
            span_el = tc_pr.find(qn("w:gridSpan"))
            span = int(span_el.get(qn("w:val"))) if span_el is not None else 1
            tc_w = tc_pr.find(qn("w:tcW"))
            if tc_w is None:
                tc_w = OxmlElement("w:tcW")
                tc_pr.insert(0, tc_w)
            tc_w.set(qn("w:type"), "dxa")
            tc_w.set(qn("w:w"), str(sum(twips[j:j + span])))
            j += span


def _table_full_width(table: Any) -> None:
    """A table at the text width in single-spaced cells, numbers kept on one line: set in
    the largest of 小四, 五号, 小五 at which ``column_widths`` fits every column, with those
    widths fixed (else at 100 % of the width in 小五, autofit, Word widening number columns
    by ``w:noWrap``)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    tbl_pr = table._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        tbl_pr.append(width)
    width.set(qn("w:type"), "pct")
    width.set(qn("w:w"), "5000")
    layout = tbl_pr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tbl_pr.append(layout)
    layout.set(qn("w:type"), "autofit")
    texts = _cell_texts(table)
    fits = [(pt, column_widths(texts, pt, TEXT_WIDTH_PT)) for pt in TABLE_SIZES_PT]
    font_pt, widths = next(((pt, w) for pt, w in fits if w is not None),
                           (TABLE_SIZES_PT[-1], None))
    if widths is not None:
        _set_widths(table, widths)
    size = Pt(font_pt)
    for row in table.rows:
        for cell in row.cells:
            _no_wrap_numbers(cell)
            for para in cell.paragraphs:
                _single_spaced(para)
                for run in para.runs:
                    run.font.size = size


def _picture_paragraphs(doc: Any) -> int:
    """Every paragraph holding a picture: single spacing, no indent, centred. Returns how
    many."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    n = 0
    for p in doc.element.body.iter(qn("w:p")):
        if next(p.iter(qn("w:drawing")), None) is not None:
            _single_spaced(Paragraph(p, doc._body), centre=True)
            n += 1
    return n


def _heading_entries(doc: Any) -> list[tuple[int, str, str | None]]:
    """(level, text, bookmark) of each heading up to ``TOC_LEVELS``, in document order; the
    bookmark is the one pandoc opens just before the heading (its anchor), if any."""
    from docx.oxml.ns import qn

    out = []
    for p in doc.element.body.iter(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        sid = style.get(qn("w:val")) if style is not None else ""
        m = re.fullmatch(r"Heading([1-9])", sid or "")
        if not m or int(m.group(1)) > TOC_LEVELS:
            continue
        text = "".join(t.text or "" for t in p.iter(qn("w:t"))).strip()
        if not text:
            continue
        prev = p.getprevious()
        mark = prev.get(qn("w:name")) if prev is not None and prev.tag == qn(
            "w:bookmarkStart") else None
        out.append((int(m.group(1)), text, mark))
    return out


def _static_toc(doc: Any) -> int:
    """Fill the TOC field pandoc leaves empty (it fills only when Word updates fields, and
    LibreOffice never does) with the headings as linked lines "toc 1"/"toc 2"; the field
    stays, so Word still refreshes it with page numbers. Idempotent. Returns the entries."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    body = doc.element.body
    sdt = next((el for el in body.iter(qn("w:sdt"))
                if any(g.get(qn("w:val")) == "Table of Contents"
                       for g in el.iter(qn("w:docPartGallery")))), None)
    if sdt is None:
        return 0
    content = sdt.find(qn("w:sdtContent"))
    field = next((p for p in content.iter(qn("w:p"))
                  if next(p.iter(qn("w:instrText")), None) is not None), None)
    if field is None:
        return 0
    entries = _heading_entries(doc)
    if not entries:
        return 0
    for p in list(content.findall(qn("w:p"))):  # drop any earlier filling
        if p is not field and p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}") is not None and \
                p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}").get(qn("w:val"), "").startswith("toc"):
            content.remove(p)
    for r in list(field.findall(qn("w:r"))):
        field.remove(r)
    for old in field.findall(qn("w:hyperlink")):
        field.remove(old)
    instr = f'TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u'

    def fld(kind: str) -> Any:
        r = OxmlElement("w:r")
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            el.set(qn("w:dirty"), "true")  # Word offers to refresh it with page numbers
        r.append(el)
        return r

    def entry(p: Any, text: str, mark: str | None) -> None:
        r = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = text
        t.set(qn("xml:space"), "preserve")
        r.append(t)
        if mark:
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), mark)
            link.append(r)
            p.append(link)
        else:
            p.append(r)

    def style(p: Any, level: int) -> None:
        ppr = p.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            p.insert(0, ppr)
        for old in ppr.findall(qn("w:pStyle")):
            ppr.remove(old)
        ps = OxmlElement("w:pStyle")
        ps.set(qn("w:val"), f"toc{level}")
        ppr.insert(0, ps)

    first_level, first_text, first_mark = entries[0]
    style(field, first_level)
    field.append(fld("begin"))
    r = OxmlElement("w:r")
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = instr
    r.append(it)
    field.append(r)
    field.append(fld("separate"))
    entry(field, first_text, first_mark)
    last = field
    for level, text, mark in entries[1:]:
        p = OxmlElement("w:p")
        style(p, level)
        entry(p, text, mark)
        last.addnext(p)
        last = p
    last.append(fld("end"))
    return len(entries)


def finish_docx(path: Path | str) -> Path:
    """The finishing pass on a rendered report DOCX: official page set-up and page numbers,
    every table at the page width, every image at most the text width (aspect kept) and
    with alt text (its caption when the renderer left none)."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Mm

    path = Path(path)
    doc = docx.Document(str(path))
    _page_setup(doc)
    _toc_styles(doc)
    _static_toc(doc)
    _picture_paragraphs(doc)
    for table in doc.tables:
        _table_full_width(table)
    limit = int(Mm(TEXT_WIDTH_MM))
    for shape in doc.inline_shapes:
        if shape.width and shape.width > limit:
            ratio = limit / shape.width
            shape.height = int(shape.height * ratio)
            shape.width = limit
    body = doc.element.body
    for inline in body.iter(qn("wp:inline")):
        doc_pr = inline.find(qn("wp:docPr"))
        if doc_pr is not None and not doc_pr.get("descr"):
            doc_pr.set("descr", doc_pr.get("title") or doc_pr.get("name") or "图表")
    _font_table(doc)
    tmp = path.with_name(path.name + ".tmp")
    doc.save(str(tmp))
    tmp.replace(path)
    return path


def docx_summary(path: Path | str) -> dict[str, Any]:
    """What a DOCX holds (for tests and checks): headings by level, images with alt text,
    the East Asian font of the key styles, page size and margins in mm, footer fields."""
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(str(path))
    headings = [(p.style.name, p.text) for p in doc.paragraphs
                if p.style is not None and (p.style.name.startswith("Heading")
                                            or p.style.name == "Title")]
    images = [copy.copy(dict(el.attrib)) for el in doc.element.body.iter(qn("wp:docPr"))]
    fonts = {}
    for name in OFFICIAL_STYLES:
        try:
            rpr = _style(doc, name).element.rPr
        except KeyError:
            continue
        rfonts = rpr.rFonts if rpr is not None else None
        fonts[name] = rfonts.get(qn("w:eastAsia")) if rfonts is not None else None
    sec = doc.sections[-1]
    footer_fields = [el.text.strip() for p in sec.footer.paragraphs
                     for el in p._p.iter(qn("w:instrText"))]
    return {"headings": headings, "images": images, "fonts": fonts,
            "page_mm": (round(sec.page_width.mm), round(sec.page_height.mm)),
            "margins_mm": {"top": round(sec.top_margin.mm), "bottom": round(sec.bottom_margin.mm),
                           "left": round(sec.left_margin.mm), "right": round(sec.right_margin.mm)},
            "footer_fields": footer_fields, "tables": len(doc.tables),
            "table_widths": [_table_width(t) for t in doc.tables]}


def _table_width(table: Any) -> str | None:
    from docx.oxml.ns import qn

    width = table._tbl.tblPr.find(qn("w:tblW"))
    return None if width is None else f"{width.get(qn('w:w'))}{width.get(qn('w:type'))}"
