"""Table export: CSV (UTF-8 with BOM so Excel on Chinese Windows opens it) or XLSX, atomic."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..atomic import write_atomic
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
            _write_xlsx(tables, p)
        return write_atomic(path, writer)
    raise PerfAnalysisError(f"{path}: unsupported output format '{suffix}' (use .csv or .xlsx)")


NUMBER_FORMAT = "0.00"  # Excel shows 2 decimals (the full value stays in the cell)


def _text_width(value: object) -> int:
    """Display width of a cell's text: CJK characters count two columns."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    if text.isascii():  # numbers, codes: one column a character
        return len(text)
    return len(text) + sum(unicodedata.east_asian_width(ch) in "WF" for ch in text)


def _column_width(name: object, values: list[object]) -> float:
    """A column as wide as its header and its first 2 000 values (6 to 60 characters)."""
    widest = max([_text_width(name), *(_text_width(v) for v in values[:2000])])
    return min(max(widest + 2, 6), 60)


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _cell_values(values: pd.Series) -> list[object]:
    """One column's cells as xlsxwriter writes them: missing values as None (no cell),
    infinities as text (a sheet cannot hold them), text without characters XML cannot hold,
    numpy scalars as Python numbers."""
    out: list[object] = []
    for v in values.tolist():
        if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        elif isinstance(v, float) and math.isinf(v):
            out.append("inf" if v > 0 else "-inf")
        elif isinstance(v, bool | int | float):
            out.append(v)
        else:
            out.append(_XML_ILLEGAL.sub("", str(v)))
    return out


def _write_xlsx(tables: Mapping[str, pd.DataFrame], path: Path) -> None:
    """One sheet per table, for people: bold header row frozen, columns as wide as their
    content, floats shown at 2 decimals (the full value stays in the cell).

    Written with xlsxwriter in constant-memory mode (row by row): a national run's
    hundreds of thousands of rows take seconds, where openpyxl took minutes.
    """
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False,
                                           "strings_to_urls": False})
    # byte-identical across runs: a fixed creation date (xlsxwriter dates the zip entries
    # 1980 itself)
    book.set_properties({"created": datetime(1980, 1, 1, tzinfo=UTC)})
    try:
        bold = book.add_format({"bold": True})
        decimals = book.add_format({"num_format": NUMBER_FORMAT})
        for name, df in (tables.items() or {"Sheet1": pd.DataFrame()}.items()):
            ws = book.add_worksheet(name[:31])
            columns = [_cell_values(df[c]) for c in df.columns]
            formats = [decimals if pd.api.types.is_float_dtype(df[c]) else None
                       for c in df.columns]
            for j, (col, values) in enumerate(zip(df.columns, columns, strict=True)):
                ws.set_column(j, j, _column_width(col, values))
            ws.freeze_panes(1, 0)
            ws.write_row(0, 0, [_XML_ILLEGAL.sub("", str(c)) for c in df.columns], bold)
            for i, row in enumerate(zip(*columns, strict=True), start=1):
                for j, v in enumerate(row):
                    if v is None:
                        continue
                    if isinstance(v, str):
                        ws.write_string(i, j, v)
                    elif isinstance(v, bool):
                        ws.write_boolean(i, j, v)
                    else:
                        ws.write_number(i, j, v, formats[j])
    finally:
        book.close()
