"""The official-document DOCX: the reference document's conventions, the finishing pass, and
a PDF conversion with LibreOffice (skipped when LibreOffice is not installed)."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from perfanalysis.officialdoc import (
    MARGINS_MM,
    TEXT_WIDTH_MM,
    docx_summary,
    finish_docx,
    write_reference_docx,
)
from perfanalysis.render import render_nbconvert

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
