"""Office workbooks as evaluation offices keep them, read into the long data contract.

An office reports data the way it publishes it: Chinese headers (单位/单位名称, 年份/年度,
指标/指标名称, 数值/完成值), wide sheets with one row per unit and one column per
indicator named as in the scheme (``地区生产总值(亿元)``, with or without the unit in
brackets), one sheet per year (``2019``, ``2019年``) or a 年份 column, a title row above the
header, merged header cells (group titles over the indicator names), a 合计 row at the
bottom, amounts in 万元 with thousands separators; and the statistics-bureau layout with the
years as columns (单位 | 指标 | 2015年 … 2019年, a merged title, a 单位:万元 line above the
header or a 计量单位 column). The header row is found by its content (the roles of its
cells), never taken to be the first row with an indicator name in it. ``read_office_workbook`` reads such a
workbook against a scheme and returns the ``units`` and ``observations`` tables as text
(the ordinary cell rules of ``parsing`` then apply), plus a read log naming the sheet and
cell every value came from. Values whose header gives another unit than the scheme
(万元 vs 亿元) are converted exactly by the unit prefix. Every problem names the sheet,
the Excel row and the column; unknown or ambiguous headers come with did-you-mean.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from ..errors import DataError, Problem
from .parsing import UnitResolver, name_key, normalize_text, parse_number
from .presets import MATCH_SHARE, preset_matches
from .readers import HEADER_SEARCH_ROWS, RawTable, _workbook_cells
from .scheme import Indicator, Scheme

UNIT_HEADERS = frozenset({"unit_id", "单位", "单位名称", "被考核单位", "考核单位", "地区",
                          "区县市", "县市区", "县(市、区)", "县市区名称", "unit"})
ID_HEADERS = frozenset({"unit_id", "单位代码", "代码", "编码", "单位编码"})
NAME_HEADERS = frozenset({"name", "单位名称", "名称", "单位"})
YEAR_HEADERS = frozenset({"year", "年份", "年度"})
SEQUENCE_HEADERS = frozenset({"sequence", "序列", "类别", "分类", "考核序列", "考核类别"})
INDICATOR_HEADERS = frozenset({"indicator", "指标", "指标名称"})
VALUE_HEADERS = frozenset({"value", "数值", "完成值", "实际值", "完成数", "指标值"})
IGNORED_HEADERS = frozenset({"序号", "编号", "备注", "说明", "排名", "名次", "no", "no."})
UNITS_SHEETS = frozenset({"units", "单位", "单位名单", "单位信息", "单位表", "考核单位"})
TOTAL_ROWS = frozenset({"合计", "总计", "小计", "全市", "全市合计", "平均", "平均值", "全市平均"})
PREFIXES = (("千万", 10**7), ("百万", 10**6), ("十万", 10**5), ("亿", 10**8), ("万", 10**4),
            ("千", 10**3), ("百", 10**2), ("十", 10))
_TOTAL_KEYS = frozenset(name_key(t) for t in TOTAL_ROWS)
_BRACKETED = re.compile(r"^(.*?)\s*[(\[【]\s*([^()\[\]【】]*?)\s*[)\]】]\s*$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_YEAR_HEADER = re.compile(r"^((?:19|20)\d{2})\s*(?:年度?)?$")
_UNIT_LINE = re.compile(r"^(?:计量)?单位\s*[::]\s*(\S+)$")
MEASURE_HEADERS = frozenset({"计量单位", "单位(计量)", "unit_of_measure"})


def header_key(text: object) -> str:
    """Matching key of a header: NFKC (full-width brackets become ASCII), no spaces, folded."""
    return name_key(text).replace("【", "[").replace("】", "]")


def split_unit(header: str) -> tuple[str, str | None]:
    """``地区生产总值(亿元)`` → (``地区生产总值``, ``亿元``); no brackets → (header, None)."""
    m = _BRACKETED.match(normalize_text(header))
    return (m.group(1), m.group(2) or None) if m else (normalize_text(header), None)


def unit_factor(given: str, wanted: str) -> Decimal | None:
    """Multiplier from a header's unit to the scheme's (万元 → 亿元: 0.0001); None if the
    units are not the same quantity with different Chinese magnitude prefixes."""
    if header_key(given) == header_key(wanted):
        return Decimal(1)

    def split(u: str) -> tuple[int, str]:
        u = header_key(u)
        for p, f in PREFIXES:
            if u.startswith(p) and len(u) > len(p):
                return f, u[len(p):]
        return 1, u

    (fg, bg), (fw, bw) = split(given), split(wanted)
    return Decimal(fg) / Decimal(fw) if bg == bw else None


@dataclass(frozen=True)
class Column:
    """A wide sheet's indicator column: where it is and what it maps to."""

    index: int
    letter: str
    header: str
    indicator: Indicator
    factor: Decimal


def _letter(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def rate_series(leaf: Indicator) -> Indicator:
    """The official-rate series a blend half of ``leaf`` reads, as a column an office book
    may carry: id ``blend.indicator``, name "<leaf name>增速", unit "%" (a header only:
    it is never scored on its own)."""
    return leaf.model_copy(update={"id": leaf.series(1), "name": f"{leaf.name}增速",
                                   "unit": "%", "blend": None, "basis": "given_rate"})


class IndicatorMatcher:
    """Header text → scheme indicator, by id or name, with or without the unit in brackets."""

    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        self.leaves = [i for i in scheme.indicators() if i.event is None]
        # an official rate a blend half reads is a column of its own: "地区生产总值增速(%)"
        self.leaves += [rate_series(i) for i in self.leaves if i.series(1) != i.id]
        self.by_key: dict[str, set[str]] = {}
        self.leaf = {i.id: i for i in self.leaves}
        for i in self.leaves:
            for k in (i.id, i.name, f"{i.name}({i.unit})" if i.unit else None):
                if k:
                    self.by_key.setdefault(header_key(k), set()).add(i.id)

    def match(self, header: str) -> tuple[Indicator | None, Decimal | None, str | None]:
        """(indicator, unit factor, why not) for one header."""
        key = header_key(header)
        name, unit = split_unit(header)
        ids = self.by_key.get(key) or (self.by_key.get(header_key(name)) if unit else None)
        if ids and len(ids) > 1:
            listing = ", ".join(f"{self.leaf[i].name} ({i})" for i in sorted(ids))
            return None, None, (f"ambiguous header: matches {len(ids)} indicators of the "
                                f"scheme: {listing}; write the indicator id as the header")
        if not ids:
            close = difflib.get_close_matches(header_key(name), list(self.by_key), n=3,
                                              cutoff=0.5)
            near = sorted({i for k in close for i in self.by_key[k]})
            hint = ("; did you mean " + ", ".join(
                f"{self.leaf[i].name}{f'({self.leaf[i].unit})' if self.leaf[i].unit else ''}"
                for i in near) + "?") if near else ""
            return None, None, (f"unknown header: not an indicator of scheme "
                                f"'{self.scheme.id}' by name or id{hint}")
        ind = self.leaf[next(iter(ids))]
        if unit is None or key in self.by_key or ind.unit is None:
            return ind, Decimal(1), None
        factor = unit_factor(unit, ind.unit)
        if factor is None:
            return None, None, (f"the header's unit '{unit}' is not the scheme's unit "
                                f"'{ind.unit}' of {ind.name} ({ind.id}) and cannot be converted")
        return ind, factor, None


@dataclass
class OfficeRead:
    """What an office workbook held: text tables in the contract and where values came from."""

    units: pd.DataFrame  # unit_id, name, sequence (text)
    observations: pd.DataFrame  # unit_id, year, indicator, value (text)
    log: pd.DataFrame  # sheet, cell, header, unit_id, year, indicator, value, factor
    path: Path

    def raw_tables(self) -> dict[str, RawTable]:
        """The tables as ``readers.RawTable`` (index: row of the converted long table)."""
        label = f"{self.path} (office workbook)"
        out = {}
        for name, df in (("units", self.units), ("observations", self.observations)):
            frame = df.astype(str).copy()
            frame.index = pd.RangeIndex(2, 2 + len(frame))
            out[name] = RawTable(name, frame, self.path, f"{label}[{name}]", 1)
        return out


def _row_text(cells: pd.DataFrame, r: int) -> list[str]:
    return [normalize_text(v) for v in cells.iloc[r].tolist()]


def _role(text: str) -> str | None:
    k = header_key(text)
    if _YEAR_HEADER.match(normalize_text(text)):
        return "year_column"
    for role, names in (("measure", MEASURE_HEADERS), ("unit", UNIT_HEADERS),
                        ("year", YEAR_HEADERS),
                        ("sequence", SEQUENCE_HEADERS), ("indicator", INDICATOR_HEADERS),
                        ("value", VALUE_HEADERS), ("ignored", IGNORED_HEADERS)):
        if k in {header_key(n) for n in names}:
            return role
    return None


def _header_cells(cells: pd.DataFrame, row: int) -> list[str]:
    """Header text per column: the cell in ``row`` or, when empty (a merged cell), the
    nearest non-empty cell above it in the header block."""
    # a title row (one filled cell: the merged title) is not part of the header block
    block = [r for r in range(row, max(-1, row - 3), -1)
             if r == row or sum(1 for c in _row_text(cells, r) if c) > 1]
    out = []
    for j in range(cells.shape[1]):
        text = ""
        for r in block:
            text = normalize_text(cells.iat[r, j])
            if text:
                break
        out.append(text)
    return out


def _sheet_year(sheet: str, cells: pd.DataFrame, header_row: int) -> int | None:
    """The year a sheet is for: from its name (2019, 2019年), else its title rows."""
    found = _YEAR.findall(normalize_text(sheet))
    if len(set(found)) == 1:
        return int(found[0])
    titles = " ".join(" ".join(_row_text(cells, r)) for r in range(header_row))
    found = _YEAR.findall(titles)
    return int(found[0]) if len(set(found)) == 1 else None


class _Reader:
    def __init__(self, path: Path, scheme: Scheme) -> None:
        self.path = path
        self.scheme = scheme
        self.matcher = IndicatorMatcher(scheme)
        self.problems: list[Problem] = []
        self.rows: list[dict[str, object]] = []  # one per value read
        self.unit_rows: list[dict[str, object]] = []  # units seen in data sheets
        self.unit_header = "单位"
        self.headers: list[str] = []  # every indicator-column header seen (for a mismatch)

    def problem(self, sheet: str, row: int | None, column: str | None, value: object,
                en: str, zh: str) -> None:
        self.problems.append(Problem(f"{self.path}[{sheet}]", en, row, column, value, zh=zh))

    # -- sheet kinds -------------------------------------------------------------------

    def header_row(self, cells: pd.DataFrame) -> tuple[int | None, str]:
        """The header row of a data sheet and its kind (wide / long), or (None, "")."""
        best, best_hits = None, 0
        for r in range(min(HEADER_SEARCH_ROWS, len(cells))):
            row = _row_text(cells, r)
            roles = {_role(c) for c in row if c}
            if {"indicator", "value"} <= roles:
                return r, "long"
            if {"unit", "indicator", "year_column"} <= roles:
                return r, "years"
            hits = sum(1 for c in row if c and self.matcher.match(c)[0] is not None)
            if hits > best_hits:
                best, best_hits = r, hits
        return best, "wide" if best is not None else ""

    def read_sheet(self, sheet: str, cells: pd.DataFrame) -> bool:
        """Read one data sheet; False when it holds no data this scheme knows."""
        r0, kind = self.header_row(cells)
        if r0 is None:
            return False
        header = _header_cells(cells, r0)
        roles = {j: _role(h) for j, h in enumerate(header) if h}
        unit_cols = [j for j, role in roles.items() if role == "unit"]
        if not unit_cols:
            self.problem(sheet, r0 + 1, None, None,
                         "no unit column in the header: name it 单位 or 单位名称",
                         "表头中没有单位列:请将该列命名为“单位”或“单位名称”")
            return True
        uj = unit_cols[0]
        self.unit_header = header[uj]
        if kind == "years":
            self.read_years(sheet, cells, r0, header, roles, uj)
            return True
        yj = next((j for j, role in roles.items() if role == "year"), None)
        sj = next((j for j, role in roles.items() if role == "sequence"), None)
        year = None
        if yj is None:
            year = _sheet_year(sheet, cells, r0)
            if year is None:
                self.problem(sheet, r0 + 1, None, None,
                             "no year: name the sheet by its year (e.g. 2019 or 2019年) or "
                             "add a 年份 column",
                             "无法确定年份:请以年份命名工作表(如 2019 或 2019年),或增加“年份”列")
                return True
        if kind == "long":
            ij = next(j for j, role in roles.items() if role == "indicator")
            vj = next(j for j, role in roles.items() if role == "value")
            mj = next((j for j, role in roles.items() if role == "measure"), None)
            self.read_long(sheet, cells, r0, header, uj, yj, sj, ij, vj, year, mj)
        else:
            self.read_wide(sheet, cells, r0, header, roles, uj, yj, sj, year)
        return True

    def _columns(self, sheet: str, cells: pd.DataFrame, r0: int, header: list[str],
                 roles: dict[int, str | None]) -> list[Column]:
        cols: list[Column] = []
        seen: dict[str, Column] = {}
        body = cells.iloc[r0 + 1:]
        for j, h in enumerate(header):
            if roles.get(j) is not None:
                continue
            has_data = any(normalize_text(v) for v in body.iloc[:, j].tolist())
            if not h:
                if has_data:
                    self.problem(sheet, r0 + 1, _letter(j), None,
                                 "a column without a header holds values: name it as the "
                                 "scheme's indicator or delete it",
                                 "有数据的列没有列名:请填写方案中的指标名称或删除该列")
                continue
            self.headers.append(h)
            ind, factor, why = self.matcher.match(h)
            letter = _letter(j)
            if ind is None:
                if has_data or why.startswith("ambiguous"):  # type: ignore[union-attr]
                    self.problem(sheet, r0 + 1, f"{letter} {h}", h, str(why),
                                 "表头无法对应到方案中的指标:" + str(why))
                continue
            if ind.id in seen:
                self.problem(sheet, r0 + 1, f"{letter} {h}", h,
                             f"two columns are the same indicator {ind.name} ({ind.id}): "
                             f"{seen[ind.id].letter} and {letter}; keep one",
                             f"两列对应同一指标“{ind.name}”:{seen[ind.id].letter}列和{letter}列,"
                             "请只保留一列")
                continue
            col = Column(j, letter, h, ind, factor)  # type: ignore[arg-type]
            seen[ind.id] = col
            cols.append(col)
        return cols

    def _unit_cell(self, sheet: str, r: int, row: list[str], uj: int, sj: int | None,
                   others: list[int]) -> str | None:
        """The unit of a data row; None for blank, 合计 and note rows."""
        unit = row[uj] if uj < len(row) else ""
        if any(header_key(c) in _TOTAL_KEYS for c in row if c):
            return None  # 合计 / 平均 rows (the label may sit in a merged 序号 cell)
        if not unit:
            filled = [j for j in others if j < len(row) and row[j]]
            if filled:
                self.problem(sheet, r, f"{_letter(uj)} {self.unit_header}", None,
                             "this row has values but no unit: fill in the unit's name",
                             "这一行有数据但没有填写单位名称")
            return None
        if not any(j < len(row) and row[j] for j in others):
            return None  # a note under the table (注:…) or an empty row
        self.unit_rows.append({"name": unit, "sequence": row[sj] if sj is not None else "",
                               "sheet": sheet, "row": r})
        return unit

    def _value(self, sheet: str, r: int, letter: str, header: str, raw: str, unit: str,
               year: int, ind: Indicator, factor: Decimal) -> None:
        value, _pct, reason = parse_number(raw, allow_percent=True)
        if reason is not None:
            self.problem(sheet, r, f"{letter} {header}", raw, reason.en, reason.zh)
            return
        if value is None:
            return  # empty or a missing marker: a gap, judged by the scheme's missing rule
        scaled = Decimal(repr(value)) * factor
        self.rows.append({"unit": unit, "year": year, "indicator": ind.id,
                          "value": repr(float(scaled)), "sheet": sheet,
                          "cell": f"{letter}{r}", "header": header,
                          "factor": format(factor.normalize(), "f")})

    def _year_of(self, sheet: str, r: int, row: list[str], yj: int | None,
                 year: int | None) -> int | None:
        if yj is None:
            return year
        text = row[yj] if yj < len(row) else ""
        m = _YEAR.search(text)
        if m is None or normalize_text(text).removesuffix("年").removesuffix("度") != m.group(1):
            self.problem(sheet, r, _letter(yj), text or None, "not a year (write e.g. 2019)",
                         "不是年份(应写如 2019)")
            return None
        return int(m.group(1))

    def read_wide(self, sheet: str, cells: pd.DataFrame, r0: int, header: list[str],
                  roles: dict[int, str | None], uj: int, yj: int | None, sj: int | None,
                  year: int | None) -> None:
        cols = self._columns(sheet, cells, r0, header, roles)
        for i in range(r0 + 1, len(cells)):
            r = i + 1
            row = _row_text(cells, i)
            unit = self._unit_cell(sheet, r, row, uj, sj, [c.index for c in cols])
            if unit is None:
                continue
            y = self._year_of(sheet, r, row, yj, year)
            if y is None:
                continue
            for c in cols:
                raw = row[c.index] if c.index < len(row) else ""
                self._value(sheet, r, c.letter, c.header, raw, unit, y, c.indicator, c.factor)

    def read_long(self, sheet: str, cells: pd.DataFrame, r0: int, header: list[str], uj: int,
                  yj: int | None, sj: int | None, ij: int, vj: int, year: int | None,
                  mj: int | None = None) -> None:
        for i in range(r0 + 1, len(cells)):
            r = i + 1
            row = _row_text(cells, i)
            unit = self._unit_cell(sheet, r, row, uj, sj, [ij, vj])
            if unit is None:
                continue
            y = self._year_of(sheet, r, row, yj, year)
            name = row[ij] if ij < len(row) else ""
            ind, factor = self._row_indicator(sheet, r, f"{_letter(ij)} {header[ij]}", name)
            if ind is None:
                continue
            if mj is not None:
                factor = self._measure_factor(sheet, r, f"{_letter(ij)} {header[ij]}", name,
                                              row[mj] if mj < len(row) else None, ind,
                                              factor)  # type: ignore[arg-type]
                if factor is None:
                    continue
            if y is not None:
                self._value(sheet, r, _letter(vj), f"{header[vj]} ({name})",
                            row[vj] if vj < len(row) else "", unit, y, ind,
                            factor)  # type: ignore[arg-type]

    def _row_indicator(self, sheet: str, r: int, column: str, name: str
                       ) -> tuple[Indicator | None, Decimal | None]:
        """The scheme indicator a row's 指标 cell names (and its unit factor), or a problem
        naming the cell."""
        ind, factor, why = self.matcher.match(name) if name else (None, None, "empty")
        if ind is None:
            self.problem(sheet, r, column, name or None,
                         "no indicator named" if not name else str(why),
                         "未填写指标" if not name else "指标无法对应到方案:" + str(why))
        return ind, factor

    def _measure_factor(self, sheet: str, r: int, column: str, name: str, given: str | None,
                        ind: Indicator, factor: Decimal) -> Decimal | None:
        """The factor from a row's stated unit of measure (a 计量单位 cell or a 单位:万元
        line) to the scheme's; the indicator's own brackets win; None (and a problem) when
        the units cannot be converted."""
        if split_unit(name)[1] is not None or not given or not ind.unit:
            return factor
        converted = unit_factor(given, ind.unit)
        if converted is None:
            self.problem(sheet, r, column, given,
                         f"the unit '{given}' is not the scheme's unit '{ind.unit}' of "
                         f"{ind.name} ({ind.id}) and cannot be converted",
                         f"计量单位“{given}”与方案中“{ind.name}”的单位“{ind.unit}”不一致且无法换算")
        return converted

    def read_years(self, sheet: str, cells: pd.DataFrame, r0: int, header: list[str],
                   roles: dict[int, str | None], uj: int) -> None:
        """Statistics-bureau layout: one row per (unit, indicator), one column per year. The
        unit of measure comes from the indicator's brackets, a 计量单位 column, or a
        ``单位:万元`` line above the header (in that order)."""
        ij = next(j for j, role in roles.items() if role == "indicator")
        mj = next((j for j, role in roles.items() if role == "measure"), None)
        sj = next((j for j, role in roles.items() if role == "sequence"), None)
        years = {j: int(_YEAR_HEADER.match(header[j]).group(1))  # type: ignore[union-attr]
                 for j, role in roles.items() if role == "year_column"}
        declared = next((m.group(1) for r in range(r0) for c in _row_text(cells, r)
                         if c and (m := _UNIT_LINE.match(c))), None)
        for i in range(r0 + 1, len(cells)):
            r = i + 1
            row = _row_text(cells, i)
            unit = self._unit_cell(sheet, r, row, uj, sj, [ij, *years])
            if unit is None:
                continue
            name = row[ij] if ij < len(row) else ""
            ind, factor = self._row_indicator(sheet, r, f"{_letter(ij)} {header[ij]}", name)
            if ind is None:
                continue
            given = (row[mj] if mj is not None and mj < len(row) and row[mj] else None) \
                or declared
            factor = self._measure_factor(sheet, r, f"{_letter(ij)} {header[ij]}", name,
                                          given, ind, factor)  # type: ignore[arg-type]
            if factor is None:
                continue
            for j, year in years.items():
                raw = row[j] if j < len(row) else ""
                self._value(sheet, r, _letter(j), f"{header[j]} ({name})", raw, unit, year,
                            ind, factor)  # type: ignore[arg-type]

    def read_units(self, sheet: str, cells: pd.DataFrame) -> pd.DataFrame | None:
        """A units sheet with contract or Chinese headers: unit_id, name, sequence."""
        for r in range(min(HEADER_SEARCH_ROWS, len(cells))):
            row = _row_text(cells, r)
            keys = [header_key(c) for c in row]
            ids = [j for j, k in enumerate(keys) if k in {header_key(h) for h in ID_HEADERS}]
            names = [j for j, k in enumerate(keys)
                     if k in {header_key(h) for h in NAME_HEADERS} and j not in ids]
            seqs = [j for j, k in enumerate(keys)
                    if k in {header_key(h) for h in SEQUENCE_HEADERS}]
            if names and (ids or seqs):
                recs = []
                for i in range(r + 1, len(cells)):
                    vals = _row_text(cells, i)
                    name = vals[names[0]]
                    if not name or header_key(name) in {header_key(t) for t in TOTAL_ROWS}:
                        continue
                    recs.append({"unit_id": vals[ids[0]] if ids else name, "name": name,
                                 "sequence": vals[seqs[0]] if seqs else ""})
                return pd.DataFrame(recs, columns=["unit_id", "name", "sequence"])
        self.problem(sheet, None, None, None,
                     "a units sheet needs a header with 单位名称 and 单位代码 or 序列",
                     "单位表的表头须包含“单位名称”以及“单位代码”或“序列”")
        return None

    def sequence_id(self, text: str) -> str | None:
        """A sequence cell (id or Chinese name) as the scheme's sequence id."""
        seqs = self.scheme.sequences
        if not text:
            return next(iter(seqs)) if len(seqs) == 1 else ("all" if not seqs else None)
        for sid, sname in seqs.items():
            if header_key(text) in (header_key(sid), header_key(sname)):
                return sid
        return None if seqs else text


def read_office_workbook(path: Path | str, scheme: Scheme) -> OfficeRead:
    """Read an office workbook (see module docstring) against ``scheme``."""
    path = Path(path)
    try:
        sheets = _workbook_cells(path)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise DataError([Problem(str(path), f"cannot read the workbook: {exc}",
                                 zh=f"无法读取工作簿:{exc}")]) from exc
    rd = _Reader(path, scheme)
    units_table = None
    used = []
    for sheet, cells in sheets.items():
        if header_key(sheet) in {header_key(s) for s in UNITS_SHEETS}:
            units_table = rd.read_units(sheet, cells)
        elif rd.read_sheet(sheet, cells):
            used.append(sheet)
    if not used and not rd.problems:
        names = ", ".join(i.name for i in rd.matcher.leaves[:5])
        rd.problems.append(Problem(
            str(path), f"no sheet has a header naming indicators of scheme '{scheme.id}' "
            f"(e.g. {names}) or the columns 单位, 指标, 数值", zh="没有工作表的表头包含方案中的"
            f"指标名称(如 {names}),也没有“单位、指标、数值”列"))
    mismatch = _mismatch(rd)
    if mismatch is not None:
        raise mismatch
    units = _units(rd, units_table)
    if rd.problems:
        raise DataError(rd.problems, headline=f"Cannot read office workbook {path.name}")
    obs = pd.DataFrame(rd.rows, columns=["unit", "year", "indicator", "value", "sheet", "cell",
                                         "header", "factor"])
    resolver = UnitResolver(units["unit_id"], units["name"])
    obs["unit_id"] = [resolver.resolve(u).unit_id for u in obs["unit"]]
    dup = obs.duplicated(["unit_id", "year", "indicator"], keep=False)
    for _key, grp in obs.loc[dup].groupby(["unit_id", "year", "indicator"], sort=False):
        first, *rest = grp.itertuples(index=False)
        where = ", ".join(f"{r.sheet}!{r.cell}" for r in rest)
        rd.problem(first.sheet, int(first.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
                   first.cell.rstrip("0123456789"), first.value,
                   f"the same value (unit {first.unit}, {first.year}, {first.indicator}) is "
                   f"also given at {where}; keep one",
                   f"同一数值(单位{first.unit},{first.year}年,指标{first.indicator})在 {where} "
                   "也出现;请只保留一处")
    if rd.problems:
        raise DataError(rd.problems, headline=f"Cannot read office workbook {path.name}")
    log = obs[["sheet", "cell", "header", "unit_id", "year", "indicator", "value", "factor"]]
    return OfficeRead(units, obs[["unit_id", "year", "indicator", "value"]].astype(str),
                      log.reset_index(drop=True), path)


def _coverage(headers: list[str], scheme: Scheme) -> tuple[int, int]:
    """(scheme indicators named by the headers, scheme indicators in all)."""
    m = IndicatorMatcher(scheme)
    found = {ind.id for h in headers if (ind := m.match(h)[0]) is not None}
    return len(found), len(m.leaves)


def _mismatch(rd: _Reader) -> DataError | None:
    """One clear error, before the cell-by-cell list, when most of the workbook's headers
    are not this scheme's but a preset's: says how many of the scheme's indicators are
    named and which presets match."""
    present, total = _coverage(rd.headers, rd.scheme)
    known = sum(1 for h in rd.headers if rd.matcher.match(h)[0] is not None)
    if not rd.headers or total == 0 or known / len(rd.headers) >= MATCH_SHARE:
        return None  # most headers are this scheme's: report them cell by cell
    presets = preset_matches(lambda preset: _coverage(rd.headers, preset))
    if not presets:
        return None  # no better scheme to point to: the did-you-mean list helps more
    which = ("; presets that match the workbook: " + ", ".join(
        f"{stem} ({p} of {t} indicators)" for stem, p, t in presets)) if presets else ""
    zh_which = ("。与工作簿相符的预设方案:" + "、".join(
        f"{stem}({p}/{t}个指标)" for stem, p, t in presets)) if presets else ""
    problem = Problem(
        str(rd.path), f"the workbook's indicator headers do not match scheme "
        f"'{rd.scheme.id}': only {present} of its {total} indicators are named{which}",
        zh=f"工作簿的指标表头与方案“{rd.scheme.name}”不符:方案的{total}个指标中只找到"
           f"{present}个{zh_which}")
    return DataError([problem], headline=f"Workbook and scheme '{rd.scheme.id}' do not match")


def _units(rd: _Reader, table: pd.DataFrame | None) -> pd.DataFrame:
    """The units: the units sheet when there is one (every data row's unit must be in it),
    else the units named in the data sheets (id = name; sequence from a 序列 column or the
    scheme's only sequence)."""
    if table is not None:
        table = table.assign(sequence=[rd.sequence_id(s) or s for s in table["sequence"]])
        resolver = UnitResolver(table["unit_id"], table["name"])
        for rec in rd.unit_rows:
            match = resolver.resolve(str(rec["name"]))
            if match.unit_id is None and match.reason is not None:
                rd.problem(str(rec["sheet"]), int(rec["row"]), "单位", rec["name"],
                           match.reason.en, match.reason.zh)
        return table
    seen: dict[str, dict[str, object]] = {}
    for rec in rd.unit_rows:
        name = str(rec["name"])
        seq = rd.sequence_id(str(rec["sequence"]))
        if seq is None:
            allowed = "、".join(f"{v}({k})" for k, v in rd.scheme.sequences.items())
            en = ("no sequence: add a 序列 column (or a units sheet)" if not rec["sequence"]
                  else "unknown sequence") + f"; the scheme's sequences: {allowed}"
            rd.problem(str(rec["sheet"]), int(rec["row"]), "序列", rec["sequence"] or None, en,
                       f"无法确定序列:请增加“序列”列或单位表;方案中的序列:{allowed}")
            continue
        prev = seen.get(name_key(name))
        if prev is not None and prev["sequence"] != seq:
            rd.problem(str(rec["sheet"]), int(rec["row"]), "序列", rec["sequence"],
                       f"unit {name} is in sequence {prev['sequence']} elsewhere",
                       f"单位{name}在别处属于序列{prev['sequence']}")
        seen.setdefault(name_key(name), {"unit_id": name, "name": name, "sequence": seq})
    return pd.DataFrame(list(seen.values()), columns=["unit_id", "name", "sequence"])


def is_contract_workbook(path: Path) -> bool:
    """Whether a workbook has an ``observations`` sheet (the long English contract)."""
    from .readers import _sheet_key

    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return any(_sheet_key(ws.title) == "observations" for ws in wb.worksheets)
        finally:
            wb.close()
    except Exception:  # noqa: BLE001 - unreadable: let the contract reader report it
        return True

