"""Table export: CSV (UTF-8 with BOM so Excel on Chinese Windows opens it) or XLSX, atomic."""

from __future__ import annotations

import math
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .atomic import write_atomic

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_XML_TIME = "1980-01-01T00:00:00Z"
_CORE_TIME = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
from .errors import PerfAnalysisError


def write_table(df: pd.DataFrame, path: Path | str, sheet: str = "table") -> Path:
    """Write one table to .csv or .xlsx atomically; the format follows the suffix."""
    return write_tables({sheet: df}, path)


def write_tables(tables: Mapping[str, pd.DataFrame], path: Path | str) -> Path:
    """Write tables to one .xlsx (a sheet each) or, for a single table, one .csv."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if len(tables) != 1:
            raise PerfAnalysisError(f"{path}: a CSV file holds one table; use .xlsx for several")
        (df,) = tables.values()
        data = df.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
        return write_atomic(path, lambda p: p.write_bytes(data))
    if suffix == ".xlsx":
        def writer(p: Path) -> None:
            _write_xlsx(tables, p)
            _reproducible_xlsx(p)
        return write_atomic(path, writer)
    raise PerfAnalysisError(f"{path}: unsupported output format '{suffix}' (use .csv or .xlsx)")


NUMBER_FORMAT = "0.00"  # Excel shows 2 decimals (the full value stays in the cell)


def _text_width(value: object) -> int:
    """Display width of a cell's text: CJK characters count two columns."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_width(name: object, values: list[object]) -> float:
    """A column as wide as its header and its first 2 000 values (6 to 60 characters)."""
    widest = max([_text_width(name), *(_text_width(v) for v in values[:2000])])
    return min(max(widest + 2, 6), 60)


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill>'
           '<fill><patternFill patternType="gray125"/></fill></fills>'
           '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
           '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
           'borderId="0"/></cellStyleXfs><cellXfs count="3">'
           '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
           # built-in number format 2 is "0.00" (NUMBER_FORMAT)
           '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" '
           'applyNumberFormat="1"/></cellXfs><cellStyles count="1">'
           '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _xml_text(value: object) -> str:
    """Text escaped for XML, characters XML cannot hold removed."""
    text = _XML_ILLEGAL.sub("", str(value))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _column_letters(n: int) -> list[str]:
    from openpyxl.utils import get_column_letter

    return [get_column_letter(j) for j in range(1, n + 1)]


def _string_cell(ref: str, value: object, style: int = 0) -> str:
    text = _xml_text(value)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}" t="inlineStr"{s}><is><t{space}>{text}</t></is></c>'


def _column_cells(values: pd.Series, letter: str, is_float: bool) -> list[str]:
    """The XML of one column's cells (rows 2…): numbers as numbers (floats shown at 2
    decimals by style 2), booleans as booleans, missing values as no cell, the rest as
    text."""
    out = []
    style = ' s="2"' if is_float else ""
    for i, v in enumerate(values.tolist(), start=2):
        if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            out.append("")
        elif isinstance(v, bool):
            out.append(f'<c r="{letter}{i}" t="b"><v>{int(v)}</v></c>')
        elif isinstance(v, float):
            if math.isinf(v):
                out.append(_string_cell(f"{letter}{i}", "inf" if v > 0 else "-inf"))
            else:
                out.append(f'<c r="{letter}{i}"{style}><v>{v!r}</v></c>')
        elif isinstance(v, int):
            out.append(f'<c r="{letter}{i}"><v>{v}</v></c>')
        else:
            out.append(_string_cell(f"{letter}{i}", v))
    return out


def _sheet_xml(df: pd.DataFrame) -> bytes:
    """A worksheet for people: bold header row frozen, columns as wide as their content,
    floats shown at 2 decimals (the full value stays in the cell)."""
    letters = _column_letters(len(df.columns))
    cols = "".join(f'<col min="{j}" max="{j}" width="{_column_width(c, df[c].tolist())}" '
                   'customWidth="1"/>' for j, c in enumerate(df.columns, start=1))
    header = "".join(_string_cell(f"{x}1", c, 1) for x, c in zip(letters, df.columns,
                                                                  strict=True))
    columns = [_column_cells(df[c], x, pd.api.types.is_float_dtype(df[c]))
               for x, c in zip(letters, df.columns, strict=True)]
    rows = [f'<row r="1">{header}</row>']
    rows += [f'<row r="{i}">{"".join(cells)}</row>'
             for i, cells in enumerate(zip(*columns, strict=True), start=2)]
    pane = ('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">{pane}'
            f'{"<cols>" + cols + "</cols>" if cols else ""}'
            f'<sheetData>{"".join(rows)}</sheetData></worksheet>').encode()


def _write_xlsx(tables: Mapping[str, pd.DataFrame], path: Path) -> None:
    """One sheet per table (``_sheet_xml``), written as the SpreadsheetML parts directly:
    a national run's hundreds of thousands of rows take seconds, where openpyxl took
    minutes."""
    names = [name[:31] for name in tables] or ["Sheet1"]
    frames = list(tables.values()) or [pd.DataFrame()]
    sheets = "".join(f'<sheet name="{_xml_text(n)}" sheetId="{i}" r:id="rId{i}"/>'
                     for i, n in enumerate(names, start=1))
    rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" '
                   f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
    rels += (f'<Relationship Id="rId{len(names) + 1}" Type="{_REL_NS}/styles" '
             'Target="styles.xml"/>')
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                        f'ContentType="{sheet_type}"/>' for i in range(1, len(names) + 1))
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    parts = {
        "[Content_Types].xml": (
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>{overrides}</Types>'),
        "_rels/.rels": (f'{head}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
                        f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
                        '</Relationships>'),
        "xl/workbook.xml": (f'{head}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
                            f'<sheets>{sheets}</sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (f'{head}<Relationships xmlns="{_PKG_REL}">{rels}'
                                       '</Relationships>'),
        "xl/styles.xml": _STYLES,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        for i, df in enumerate(frames, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", _sheet_xml(df))


def _reproducible_xlsx(path: Path) -> None:
    """Make an .xlsx byte-identical across runs: fixed zip entry times and core dates.

    openpyxl stamps the workbook with the time of writing (docProps/core.xml and every zip
    entry); the same tables must give the same bytes.
    """
    with zipfile.ZipFile(path) as zin:
        entries = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w") as zout:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _CORE_TIME.sub(rf"\g<1>{FIXED_XML_TIME}\g<2>",
                                      data.decode("utf-8")).encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data)
