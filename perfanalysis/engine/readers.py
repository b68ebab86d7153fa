"""Reading data files as they really come: CSV in UTF-8/BOM/GBK, XLSX with title rows.

Everything is read as text; ``parsing`` turns text into numbers. Each table comes back with
its index set to the Excel row number the user sees (1-based, header counted, title rows
above the header counted too), so every later message can point at the right row.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from .parsing import map_unique, normalize_text

TABLES = ("units", "observations", "ratings", "events", "targets", "persons")
REQUIRED_TABLES = ("units", "observations")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "units": ("unit_id", "name", "sequence"),
    "observations": ("unit_id", "year", "indicator", "value"),
    "ratings": ("unit_id", "year", "component", "score"),
    "events": ("unit_id", "year", "event", "count"),
    "targets": ("unit_id", "year", "indicator", "target"),
    # cadres (领导干部): perfanalysis.engine.cadres
    "persons": ("person_id", "unit_id", "name", "role", "year", "character", "democratic"),
}
OPTIONAL_COLUMNS: dict[str, frozenset[str]] = {
    "events": frozenset({"project", "points"}),
    "persons": frozenset({"portfolio", "quantitative", "votes_total", "votes_basic"}),
}
HEADER_SEARCH_ROWS = 10
"""How many rows from the top are searched for the header (title rows may sit above it)."""

ENCODINGS = ("utf-8-sig", "gb18030")
"""Tried in order, strictly: UTF-8 (with or without BOM), then GB18030 (a superset of GBK)."""


@dataclass(frozen=True)
class RawTable:
    """One table as text: index = Excel row of each data row; where it came from."""

    name: str
    frame: pd.DataFrame
    file: Path
    label: str
    header_row: int
    encoding: str | None = None


def _problem(file: str, en: str, zh: str, row: int | None = None, column: str | None = None,
             value: object = None) -> Problem:
    return Problem(file, en, row, column, value, zh=zh)


def decode_bytes(data: bytes, label: str) -> tuple[str, str]:
    """Decode a CSV file's bytes as UTF-8 (BOM optional) or GB18030; else a clear DataError."""
    for enc in ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise DataError([_problem(
        label,
        "cannot read the file: it is neither UTF-8 nor GBK/GB18030 text. In Excel use "
        "'Save As' → 'CSV UTF-8 (comma delimited) (*.csv)'; in WPS choose UTF-8 encoding",
        "无法读取文件：既不是 UTF-8 也不是 GBK/GB18030 编码。请在 Excel 中“另存为”→"
        "“CSV UTF-8（逗号分隔）(*.csv)”，或在 WPS 中保存时选择 UTF-8 编码")])


def _header_key(cell: object) -> str:
    return normalize_text(cell).lower()


CONTRACT_COLUMNS: dict[str, frozenset[str]] = {
    t: frozenset(cols) | OPTIONAL_COLUMNS.get(t, frozenset())
    for t, cols in REQUIRED_COLUMNS.items()
}


def _column_name(cell: object, table: str) -> str:
    """A header cell as a column name: contract columns in lower case, others as written."""
    key = _header_key(cell)
    return key if key in CONTRACT_COLUMNS[table] else normalize_text(cell)


def find_header(rows: list[list[str]], required: tuple[str, ...]) -> tuple[int | None, list[str]]:
    """Index of the header among the first rows, and the required columns it lacks.

    The first row holding every required column wins; otherwise the row holding most of
    them (its missing columns are then reported); None when no row holds any.
    """
    best, best_hits = None, 0
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = {_header_key(c) for c in row}
        hits = sum(c in keys for c in required)
        if hits == len(required):
            return i, []
        if hits > best_hits:
            best, best_hits = i, hits
    if best is None:
        return None, list(required)
    keys = {_header_key(c) for c in rows[best]}
    return best, [c for c in required if c not in keys]


def _no_header(label: str, table: str, rows: list[list[str]]) -> Problem:
    cols = ", ".join(REQUIRED_COLUMNS[table])
    first = [c for c in (rows[0] if rows else []) if c]
    return _problem(
        label,
        f"no header row found in the first {HEADER_SEARCH_ROWS} rows: the header must name "
        f"the columns {cols}",
        f"前 {HEADER_SEARCH_ROWS} 行中找不到表头：表头必须包含列名 {cols}",
        1, None, ", ".join(first[:8]) or None)


def _frame_from_rows(table: str, label: str, file: Path, header_idx: int, header: list[str],
                     body: pd.DataFrame, encoding: str | None) -> RawTable:
    """Name columns from the header, drop blank rows/columns, index rows by Excel row."""
    problems: list[Problem] = []
    header_row = header_idx + 1
    names = [_column_name(c, table) for c in header]
    body = body.astype(object).fillna("")
    body.columns = range(body.shape[1])
    keep: list[int] = []
    seen: dict[str, int] = {}
    for j, name in enumerate(names):
        if j >= body.shape[1]:
            break
        if not name:
            filled = pd.Series(map_unique(body[j], lambda v: bool(str(v).strip())),
                               index=body.index, dtype=bool)
            if filled.any():
                r = header_row + 1 + int(filled.to_numpy().argmax())
                problems.append(_problem(
                    label, "a column without a header holds values: name the column or "
                    "delete it", "有数据的列没有列名：请填写列名或删除该列", r, f"#{j + 1}",
                    body[j][filled].iloc[0]))
            continue
        if name in seen:
            problems.append(_problem(
                label, f"column '{name}' appears twice in the header (columns "
                f"{seen[name] + 1} and {j + 1})", f"表头中“{name}”列出现了两次（第 "
                f"{seen[name] + 1} 列和第 {j + 1} 列）", header_row, name, name))
            continue
        seen[name] = j
        keep.append(j)
    if problems:
        raise DataError(problems)
    frame = body[keep]
    frame.columns = [names[j] for j in keep]
    frame.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(frame))
    blank = np.ones(len(frame), dtype=bool)
    for col in frame.columns:
        pos = np.flatnonzero(blank)
        if not len(pos):
            break
        cells = pd.Series(frame[col].to_numpy(dtype=object)[pos], dtype="str")
        blank[pos] = ((cells == "") | cells.str.isspace()).to_numpy(dtype=bool)
    frame = frame.loc[~blank]
    return RawTable(table, frame, file, label, header_row, encoding)


def read_csv_table(path: Path, table: str) -> RawTable:
    """Read one CSV table (any supported encoding, title rows allowed) as text."""
    label = str(path)
    data = path.read_bytes()
    if not data.strip():
        raise DataError([_problem(label, "the file is empty", "文件是空的")])
    text, encoding = decode_bytes(data, label)
    reader = csv.reader(io.StringIO(text))
    top: list[list[str]] = []
    line_after: list[int] = []
    try:
        for row in reader:
            top.append(row)
            line_after.append(reader.line_num)
            if len(top) >= HEADER_SEARCH_ROWS:
                break
    except csv.Error as exc:
        raise DataError([_problem(label, f"not a readable CSV file: {exc}",
                                  f"不是可读取的 CSV 文件：{exc}")]) from exc
    idx, missing = find_header(top, REQUIRED_COLUMNS[table])
    if idx is None:
        raise DataError([_no_header(label, table, top)])
    if missing:
        raise DataError(_missing_columns(label, missing, idx + 1))
    lines_before = line_after[idx - 1] if idx > 0 else 0
    try:
        body = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False,
                           skip_blank_lines=False, skiprows=lines_before)
    except pd.errors.EmptyDataError:
        body = pd.DataFrame(columns=range(len(top[idx])))
    except (pd.errors.ParserError, ValueError) as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found is None:
            raise DataError([_problem(label, f"not a readable CSV file: {exc}",
                                      f"不是可读取的 CSV 文件：{exc}")]) from exc
        want, line, saw = (int(g) for g in found.groups())
        raise DataError([_problem(
            label, f"this row has {saw} cells but the header has {want}: check for an unquoted "
            "comma inside a value (write 12345.6 or \"12,345.6\") or a stray cell to the right "
            "of the table", f"这一行有 {saw} 个单元格，而表头只有 {want} 个：请检查数值中是否有"
            "未加引号的逗号（写成 12345.6 或 \"12,345.6\"），或表格右侧是否有多余的单元格",
            line)]) from exc
    body = body.iloc[1:].reset_index(drop=True)  # row 0 is the header itself
    return _frame_from_rows(table, label, path, idx, top[idx], body, encoding)


def _missing_columns(label: str, missing: list[str], header_row: int) -> list[Problem]:
    return [_problem(label, f"missing required column '{c}' (header in row {header_row})",
                     f"缺少必需的列“{c}”（表头在第 {header_row} 行）", header_row, c)
            for c in missing]


def _cell_text(value: object, number_format: str = "General") -> str:
    """An Excel cell as the text the user sees: 2013 not 2013.0, 8.5% not 0.085, dates ISO.

    A cell formatted as a percentage stores 0.085 but shows 8.5%; it is read as the text
    "8.5%", so the percent rules for CSV cells apply to it too.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, (int, float)) and "%" in number_format and math.isfinite(value):
        return f"{_cell_text(round(float(value) * 100, 10))}%"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _sheet_key(name: str) -> str:
    return normalize_text(name).lower().removesuffix(".csv").strip()


def _workbook_cells(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet as a frame of display text (values cached by Excel for formulas)."""
    import openpyxl  # only for workbooks: CSV folders skip its import

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        out: dict[str, pd.DataFrame] = {}
        for ws in wb.worksheets:
            rows = [[_cell_text(c.value, getattr(c, "number_format", "General") or "General")
                     for c in row] for row in ws.iter_rows()]
            width = max((len(r) for r in rows), default=0)
            out[ws.title] = pd.DataFrame([r + [""] * (width - len(r)) for r in rows],
                                         columns=range(width), dtype=object)
        return out
    finally:
        wb.close()


def read_workbook(path: Path) -> dict[str, RawTable]:
    """Read the expected sheets of a workbook (extra sheets ignored; title rows detected)."""
    try:
        sheets = _workbook_cells(path)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise DataError([_problem(str(path), f"cannot read the workbook: {exc}",
                                  f"无法读取工作簿：{exc}")]) from exc
    by_key: dict[str, list[str]] = {}
    for sheet in sheets:
        by_key.setdefault(_sheet_key(str(sheet)), []).append(str(sheet))
    out: dict[str, RawTable] = {}
    problems: list[Problem] = []
    for table in TABLES:
        names = by_key.get(table, [])
        if len(names) > 1:
            problems.append(_problem(str(path), f"several sheets could be '{table}': {names}; "
                                     "keep one", f"有多个工作表都可能是“{table}”：{names}；请只保留一个"))
            continue
        if not names:
            continue
        sheet = names[0]
        label = f"{path}[{sheet}]"
        cells = sheets[sheet]
        top = cells.head(HEADER_SEARCH_ROWS).values.tolist()
        idx, missing = find_header(top, REQUIRED_COLUMNS[table])
        if idx is None:
            problems.append(_no_header(label, table, top))
            continue
        if missing:
            problems += _missing_columns(label, missing, idx + 1)
            continue
        try:
            out[table] = _frame_from_rows(table, label, path, idx, top[idx],
                                          cells.iloc[idx + 1:].reset_index(drop=True), None)
        except DataError as exc:
            problems += exc.problems
    if problems:
        raise DataError(problems)
    return out


def read_tables(path: Path) -> dict[str, RawTable]:
    """Read every table of a data folder or workbook as text, with Excel row numbers."""
    if path.is_dir():
        out: dict[str, RawTable] = {}
        problems: list[Problem] = []
        for table in TABLES:
            f = path / f"{table}.csv"
            if f.exists():
                try:
                    out[table] = read_csv_table(f, table)
                except DataError as exc:
                    problems += exc.problems
        if problems:
            raise DataError(problems)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        out = read_workbook(path)
    elif not path.exists():
        raise DataError([_problem(str(path), "data folder or workbook not found",
                                  "找不到数据文件夹或工作簿")])
    else:
        raise DataError([_problem(str(path), "expected a folder of CSV files or an .xlsx workbook",
                                  "需要一个存放 CSV 文件的文件夹，或一个 .xlsx 工作簿")])
    missing = [t for t in REQUIRED_TABLES if t not in out]
    if missing:
        if path.is_dir():
            listing = ", ".join(f"{t}.csv" for t in missing)
            raise DataError([_problem(str(path), f"missing required files: {listing}",
                                      f"缺少必需的文件：{listing}")])
        listing = ", ".join(missing)
        raise DataError([_problem(
            str(path), f"missing required sheets: {listing} (an office workbook with Chinese "
            "headers and one column per indicator is read against its scheme: "
            "`perfanalysis score --data BOOK --scheme FILE`, `load_data(book, scheme)`)",
            f"缺少必需的工作表：{listing}(按指标名称分列、中文表头的工作簿需要配合考核方案读取:"
            "--scheme)")])
    return out
