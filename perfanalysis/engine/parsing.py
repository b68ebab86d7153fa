"""Cell parsing: numbers, years, counts, codes and unit names as researchers really write them.

The rules (documented for users in ``data/README.md``, "How values are read"):

- every cell is NFKC-normalised (full-width ``１２３``, ``，``, ``．``, ``％``, ``－`` become
  ASCII) and stripped of surrounding spaces;
- missing markers (``MISSING_MARKERS``: empty, ``-``, ``—``, ``/`` …) mean "no value"; in a
  required column that is an error naming the cell, never a silent 0;
- thousands separators are accepted only in groups of three (``12,345.6``); any other comma
  is an error, because ``12,5`` may mean 12.5 or 125;
- a trailing ``%`` is a unit mark: ``8.5%`` is read as 8.5 (percentage points, the same
  number as a cell holding ``8.5``); it is allowed only in ``value`` and ``target`` columns,
  and one indicator may not mix cells with and without ``%``.

Parsing is vectorised: cells ``pandas.to_numeric`` accepts take the fast path, only the
rest are parsed one by one, so a national panel of 1.4 million cells parses in well under a
second.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem

MISSING_MARKERS = frozenset({"", "-", "--", "—", "——", "–", "/", "NA", "N/A", "#N/A"})
"""Cells (after NFKC and strip) that mean "no value". ``－`` (full-width) becomes ``-``."""

_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_LEADING_NUMBER = re.compile(r"^[+-]?[\d.,]+")
_YEAR_SUFFIX = "年"
_SPACES = re.compile(r"\s+")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-"})


@dataclass(frozen=True)
class Reason:
    """An English and a Chinese explanation of one rejected cell."""

    en: str
    zh: str


def normalize_text(value: object) -> str:
    """NFKC-normalise and strip one cell (full-width forms become ASCII)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return unicodedata.normalize("NFKC", str(value)).translate(_MINUS_SIGNS).strip()


def name_key(value: object) -> str:
    """Matching key of a unit name or id: NFKC, no spaces at all, case-folded."""
    return _SPACES.sub("", normalize_text(value)).casefold()


def is_missing(text: str) -> bool:
    """Whether a normalised cell is one of the documented missing markers."""
    return text in MISSING_MARKERS


def parse_number(raw: object, *, allow_percent: bool = False) -> tuple[float | None, bool, Reason | None]:
    """Parse one cell: (value or None when missing, had a percent sign, reason if rejected)."""
    text = normalize_text(raw)
    if is_missing(text):
        return None, False, None
    percent = False
    if text.endswith("%"):
        if not allow_percent:
            return None, True, Reason(
                "a percent sign is not allowed in this column: write the plain number",
                "此列不能带百分号，请只填写数字")
        percent = True
        text = text[:-1].rstrip()
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if _PLAIN.match(text):
        value = float(text)
        if not np.isfinite(value):
            return None, percent, Reason("number too large", "数字过大")
        return value, percent, None
    if "," in text and _LEADING_NUMBER.match(text) and _LEADING_NUMBER.match(text).group() == text:  # type: ignore[union-attr]
        return None, percent, Reason(
            "comma in an unexpected place: use ',' only between groups of three digits "
            "(12,345.6) and '.' for decimals",
            "逗号位置不对：千位分隔符只能每三位一个（如 12,345.6），小数点请用 '.'")
    lead = _LEADING_NUMBER.match(text)
    rest = text[lead.end():].strip() if lead else ""
    if lead and lead.group() and any(ch.isdigit() for ch in lead.group()) and rest and \
            not any(ch.isdigit() for ch in rest):
        return None, percent, Reason(
            f"number followed by text '{rest}': write the number only (put units in the "
            "scheme, not in the cell)",
            f"数字后面带有文字“{rest}”：单元格里只填数字（单位写在考核方案中）")
    return None, percent, Reason("not a number", "不是数字")


def _fast_floats(raw: pd.Series) -> np.ndarray:
    """Plain numbers converted in C; cells that are not plain numbers come back NaN.

    ``pandas.to_numeric`` accepts a subset of what ``parse_number`` accepts (never e.g.
    ``1_000``, which Python's ``float`` would), so the fast path agrees with the slow one.
    """
    return np.array(pd.to_numeric(raw, errors="coerce"), dtype=float)


def parse_number_column(series: pd.Series, *, allow_percent: bool, few_distinct: bool = False
                        ) -> tuple[pd.Series, pd.Series, pd.Series, dict[int, Reason]]:
    """Parse a text column; returns (values, missing mask, percent mask, reasons by position).

    Values are float with NaN where missing or rejected; reasons are keyed by position.
    ``few_distinct`` (years, counts) parses each distinct cell once.
    """
    idx = series.index
    raw = series.astype(object).where(series.notna(), "")
    if few_distinct:
        codes, uniques = pd.factorize(raw, use_na_sentinel=False)
        u_vals, u_missing, u_pct, u_reasons = parse_number_column(
            pd.Series(uniques, dtype=object), allow_percent=allow_percent)
        reasons = {int(pos): u_reasons[int(c)] for pos, c in enumerate(codes)
                   if int(c) in u_reasons} if u_reasons else {}
        return (pd.Series(u_vals.to_numpy()[codes], index=idx),
                pd.Series(u_missing.to_numpy()[codes], index=idx),
                pd.Series(u_pct.to_numpy()[codes], index=idx), reasons)
    values = _fast_floats(raw)
    missing = np.zeros(len(raw), dtype=bool)
    percent = np.zeros(len(raw), dtype=bool)
    reasons = {}
    slow = np.flatnonzero(~np.isfinite(values))
    raw_values = raw.to_numpy()
    for pos in slow:
        value, pct, reason = parse_number(raw_values[pos], allow_percent=allow_percent)
        percent[pos] = pct
        if reason is not None:
            reasons[int(pos)] = reason
            values[pos] = np.nan
        elif value is None:
            missing[pos] = True
            values[pos] = np.nan
        else:
            values[pos] = value
    return (pd.Series(values, index=idx), pd.Series(missing, index=idx),
            pd.Series(percent, index=idx), reasons)


def parse_integer_column(series: pd.Series, *, year: bool) -> tuple[
        pd.Series, pd.Series, dict[int, Reason]]:
    """Parse years (``2013``, ``2013.0``, ``2013年``) or counts; (values, missing, reasons)."""
    values, missing, _pct, reasons = parse_number_column(series, allow_percent=False,
                                                         few_distinct=True)
    if year and reasons:
        raw = series.to_numpy()
        for pos in list(reasons):
            text = normalize_text(raw[pos])
            if text.endswith(_YEAR_SUFFIX):
                value, _p, reason = parse_number(text.removesuffix(_YEAR_SUFFIX))
                if reason is None and value is not None:
                    values.iloc[pos] = value
                    del reasons[pos]
    arr = values.to_numpy(dtype=float, copy=True)
    bad = np.flatnonzero(np.isfinite(arr) & (arr != np.round(arr)))
    what = ("a year must be a whole number like 2013", "年份须为整数，如 2013") if year else (
        "a count must be a whole number", "次数须为整数")
    for pos in bad:
        reasons[int(pos)] = Reason(*what)
        arr[pos] = np.nan
    return pd.Series(arr, index=series.index), missing, reasons


def map_unique(series: pd.Series, fn: Callable[[Any], Any]) -> np.ndarray:
    """Apply ``fn`` once per distinct value (columns repeat ids thousands of times)."""
    codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [fn(u) for u in uniques]
    return mapped[codes]


def normalize_code_column(series: pd.Series) -> pd.Series:
    """NFKC + strip a column of codes (ids, indicator and event names), once per distinct value."""
    return pd.Series(map_unique(series, normalize_text), index=series.index, dtype=object)


@dataclass(frozen=True)
class UnitMatch:
    """How a unit reference resolved: the unit id, or a reason listing candidates."""

    unit_id: str | None
    reason: Reason | None = None


class UnitResolver:
    """Match references in data tables to units.csv by id, or by name when unambiguous."""

    def __init__(self, unit_ids: Iterable[str], names: Iterable[str]) -> None:
        self.ids = list(unit_ids)
        self.names = list(names)
        self._exact = set(self.ids)
        self._by_key: dict[str, set[str]] = {}
        for uid, name in zip(self.ids, self.names):
            for key in (name_key(uid), name_key(name)):
                self._by_key.setdefault(key, set()).add(uid)
        self._label = {uid: f"{uid} ({name})" for uid, name in zip(self.ids, self.names)}

    def resolve(self, ref: str) -> UnitMatch:
        """Resolve one reference (already stripped)."""
        if ref in self._exact:
            return UnitMatch(ref)
        cands = sorted(self._by_key.get(name_key(ref), set()))
        if len(cands) == 1:
            return UnitMatch(cands[0])
        if len(cands) > 1:
            listing = ", ".join(self._label[c] for c in cands)
            return UnitMatch(None, Reason(
                f"ambiguous unit: matches {len(cands)} units: {listing}; write the unit_id",
                f"单位不唯一：可对应 {len(cands)} 个单位：{listing}；请改填 unit_id"))
        keys = list(self._by_key)
        close = difflib.get_close_matches(name_key(ref), keys, n=3, cutoff=0.6)
        near = sorted({c for k in close for c in self._by_key[k]})
        hint_en = f"; closest: {', '.join(self._label[c] for c in near)}" if near else ""
        hint_zh = f"；最接近的：{', '.join(self._label[c] for c in near)}" if near else ""
        return UnitMatch(None, Reason(
            f"unknown unit (not in units by unit_id or name){hint_en}",
            f"未知单位（units 表中没有此 unit_id 或名称）{hint_zh}"))

    def resolve_column(self, series: pd.Series) -> tuple[pd.Series, dict[str, Reason]]:
        """Resolve a whole column; (unit ids with None where rejected, reasons by reference)."""
        reasons: dict[str, Reason] = {}

        def one(ref: object) -> str | None:
            match = self.resolve(str(ref))
            if match.reason is not None:
                reasons[str(ref)] = match.reason
            return match.unit_id

        return pd.Series(map_unique(series, one), index=series.index, dtype=object), reasons


def cell_problem(label: str, row: int | None, column: str | None, value: object,
                 reason: Reason) -> Problem:
    """A Problem with both languages."""
    return Problem(label, reason.en, row, column, value, zh=reason.zh)
