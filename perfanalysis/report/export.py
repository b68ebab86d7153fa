"""Table export: CSV (UTF-8 with BOM so Excel on Chinese Windows opens it) or XLSX, atomic."""

from __future__ import annotations

import math
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..atomic import write_atomic

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_XML_TIME = "1980-01-01T00:00:00Z"
_CORE_TIME = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
from ..errors import PerfAnalysisError


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
            with pd.ExcelWriter(p, engine="openpyxl") as xw:
                for name, df in tables.items():
                    df.to_excel(xw, sheet_name=name[:31], index=False)
                    _for_people(xw.sheets[name[:31]], df)
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


def _for_people(ws: object, df: pd.DataFrame) -> None:
    """A sheet people can read: floats at 2 decimals, columns as wide as their content,
    the header row frozen."""
    from openpyxl.utils import get_column_letter

    for j, col in enumerate(df.columns, start=1):
        letter = get_column_letter(j)
        values = df[col].tolist()
        widest = max([_text_width(col), *(_text_width(v) for v in values[:2000])])
        ws.column_dimensions[letter].width = min(max(widest + 2, 6), 60)  # type: ignore[attr-defined]
        if pd.api.types.is_float_dtype(df[col]):
            for row in range(2, len(df) + 2):
                ws.cell(row=row, column=j).number_format = NUMBER_FORMAT  # type: ignore[attr-defined]
    ws.freeze_panes = "A2"  # type: ignore[attr-defined]


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
