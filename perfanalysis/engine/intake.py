"""From text tables to typed frames: parse every cell, resolve units, collect every problem.

``read_tables`` (readers) gives text with Excel row numbers; ``type_tables`` parses each
column by its role (``COLUMN_ROLES``), resolves unit references against ``units`` (by id, or
by name when unambiguous), checks duplicate keys, and returns typed frames indexed by Excel
row together with the bilingual problems found. Rows with a problem are left out of the
frames, so the remaining structural checks (pandera) never report the same cell twice.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import Problem
from .parsing import (
    Reason,
    UnitResolver,
    cell_problem,
    is_missing,
    map_unique,
    normalize_text,
    parse_integer_column,
    parse_number_column,
)
from .readers import RawTable

# role of each contract column: code (NFKC text id), text, unit, year, count, number,
# percent (a number that may carry '%'), optional_text
COLUMN_ROLES: dict[str, dict[str, str]] = {
    "units": {"unit_id": "code", "name": "text", "sequence": "code"},
    "observations": {"unit_id": "unit", "year": "year", "indicator": "code", "value": "percent"},
    "ratings": {"unit_id": "unit", "year": "year", "component": "code", "score": "number"},
    "events": {"unit_id": "unit", "year": "year", "event": "code", "count": "count",
               "project": "optional_text", "points": "optional_number"},
    "targets": {"unit_id": "unit", "year": "year", "indicator": "code", "target": "percent"},
    "persons": {"person_id": "code", "unit_id": "unit", "name": "text", "role": "code",
                "year": "year", "character": "number", "democratic": "number",
                "portfolio": "optional_number", "quantitative": "optional_number",
                "votes_total": "optional_number", "votes_basic": "optional_number"},
}
KEYS: dict[str, list[str]] = {
    "units": ["unit_id"],
    "observations": ["unit_id", "year", "indicator"],
    "ratings": ["unit_id", "year", "component"],
    "targets": ["unit_id", "year", "indicator"],
    "persons": ["person_id", "year"],
}
MAX_ROWS_NAMED = 5
MAX_DUPLICATES_NAMED = 200



def _missing_reason(raw: object) -> Reason:
    """Why a required cell that is empty or holds a missing marker is refused."""
    text = normalize_text(raw)
    if not text:
        return Reason("empty cell: a value is required here; fill it in, or delete the row if "
                      "there is no value", "空单元格：此处必须填写；请补上数值，没有数据就删除这一行")
    return Reason(f"missing marker '{raw}' where a value is required: fill in the value, or "
                  "delete the row if there is no value (a missing value is never read as 0)",
                  f"缺失标记“{raw}”：此处必须填写；请补上数值，没有数据就删除这一行"
                  "（缺失值不会当作 0）")


def _rows_text(rows: Iterable[int]) -> tuple[str, str]:
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:MAX_ROWS_NAMED])
    more = f" …(+{len(rows) - MAX_ROWS_NAMED})" if len(rows) > MAX_ROWS_NAMED else ""
    return shown + more, shown + more


def _grouped(label: str, column: str, bad: pd.Series, reasons: dict[str, Reason]) -> list[Problem]:
    """One problem per distinct offending value, at its first row, naming the other rows."""
    out: list[Problem] = []
    for value, rows in bad.groupby(bad, sort=False).groups.items():
        rows = sorted(int(r) for r in rows)
        reason = reasons[str(value)]
        if len(rows) > 1:
            en, zh = _rows_text(rows[1:])
            reason = Reason(f"{reason.en} (also rows {en})", f"{reason.zh}（另见第 {zh} 行）")
        out.append(cell_problem(label, rows[0], column, value, reason))
    return out


def _optional_text(value: object) -> str | None:
    """An optional text cell: None when empty or a missing marker, else the stripped text."""
    return None if is_missing(normalize_text(value)) else str(value).strip()


def _units_attribute(series: pd.Series) -> pd.Series:
    """An optional units column (e.g. staff): numbers when every filled cell is one, else text."""
    values, missing, percent, reasons = parse_number_column(series, allow_percent=False)
    if reasons or percent.any() or missing.all():
        return pd.Series(map_unique(series, _optional_text), index=series.index, dtype=object)
    if not missing.any() and (values == values.round()).all() and values.abs().max() < 2**53:
        return values.astype("int64")
    return values


def type_table(raw: RawTable, resolver: UnitResolver | None) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse one table's columns by role; returns the frame (good rows only) and problems."""
    df = raw.frame
    label = raw.label
    roles = COLUMN_ROLES[raw.name]
    problems: list[Problem] = []
    bad_rows: set[int] = set()
    out: dict[str, pd.Series] = {}
    percent_cols: dict[str, pd.Series] = {}
    for col in df.columns:
        role = roles.get(col)
        s = df[col]
        if role is None:
            out[col] = _units_attribute(s) if raw.name == "units" else pd.Series(
                map_unique(s, lambda v: str(v).strip()), index=s.index, dtype=object)
            continue
        if role == "optional_text":
            out[col] = pd.Series(map_unique(s, _optional_text), index=s.index, dtype=object)
            continue
        if role in ("code", "text", "unit"):
            # one pass over the distinct cells: normalise, flag missing, resolve units
            codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=False)
            norm = [normalize_text(u) if role != "text" else str(u).strip() for u in uniques]
            u_empty = np.array([is_missing(normalize_text(u)) for u in uniques], dtype=bool)
            empty = u_empty[codes] if len(uniques) else np.zeros(len(s), dtype=bool)
            for r in s.index[empty]:
                problems.append(cell_problem(label, int(r), col, s[r] or None,
                                             _missing_reason(s[r])))
                bad_rows.add(int(r))
            if role == "unit" and resolver is not None:
                reasons: dict[str, Reason] = {}
                rejected_u = np.zeros(len(norm), dtype=bool)
                for i, (n, e) in enumerate(zip(norm, u_empty)):
                    if e:
                        continue
                    match = resolver.resolve(n)
                    if match.unit_id is None:
                        rejected_u[i] = True
                        if match.reason is not None:
                            reasons[n] = match.reason
                    else:
                        norm[i] = match.unit_id
                text_u = np.array(norm, dtype=object)
                rejected = rejected_u[codes] & ~empty if len(uniques) else empty
                text = pd.Series(text_u[codes] if len(uniques) else [], index=s.index,
                                 dtype=object)
                if rejected.any():
                    problems += _grouped(label, col, text[rejected], reasons)
                    bad_rows.update(int(r) for r in s.index[rejected])
            else:
                text = pd.Series(np.array(norm, dtype=object)[codes] if len(uniques) else [],
                                 index=s.index, dtype=object)
            out[col] = text.astype("str")
            continue
        if role in ("year", "count"):
            values, missing, reasons = parse_integer_column(s, year=role == "year")
        else:
            values, missing, percent, reasons = parse_number_column(
                s, allow_percent=role == "percent")
            if role == "percent":
                percent_cols[col] = percent
            if role == "optional_number":  # a blank cell is allowed: no value
                missing = missing & False
        for r in s.index[missing.to_numpy()]:
            problems.append(cell_problem(label, int(r), col, s[r] or None,
                                             _missing_reason(s[r])))
            bad_rows.add(int(r))
        for pos, reason in reasons.items():
            r = int(s.index[pos])
            problems.append(cell_problem(label, r, col, s.iloc[pos], reason))
            bad_rows.add(r)
        if role in ("year", "count"):
            values = values.fillna(-1).astype("int64")
        out[col] = values
    frame = pd.DataFrame(out, index=df.index)
    for col, percent in percent_cols.items():
        problems += _mixed_percent(label, col, frame, percent, raw.frame[col])
    keys = KEYS.get(raw.name)
    if keys and all(k in frame.columns for k in keys):
        ok = frame.loc[~frame.index.isin(list(bad_rows))]
        dup = ok.duplicated(keys, keep=False)
        if dup.any():
            dups = ok.loc[dup]
            gid = dups.groupby(keys, sort=False).ngroup()
            members: dict[int, list[int]] = {}
            for r, g in zip(dups.index, gid.to_numpy()):
                members.setdefault(int(g), []).append(int(r))
            for r, g in zip(dups.index[:MAX_DUPLICATES_NAMED], gid.to_numpy()):
                rec = dups.loc[r]
                others = [x for x in members[int(g)] if x != int(r)]
                listing = ", ".join(str(x) for x in others[:MAX_ROWS_NAMED])
                key_text = ", ".join(f"{k}={rec[k]}" for k in keys)
                problems.append(cell_problem(label, int(r), keys[-1], rec[keys[-1]], Reason(
                    f"duplicate key: {key_text} also in row(s) {listing}; keep one row",
                    f"重复的行：{key_text} 在第 {listing} 行也出现；请只保留一行")))
            if len(dups) > MAX_DUPLICATES_NAMED:
                rest = len(dups) - MAX_DUPLICATES_NAMED
                problems.append(cell_problem(label, None, None, None, Reason(
                    f"{rest} more duplicate rows not listed", f"另有 {rest} 行重复未列出")))
            bad_rows.update(int(r) for r in ok.index[dup.to_numpy()])
    frame = frame.loc[~frame.index.isin(list(bad_rows))]
    problems.sort(key=lambda p: p.row if p.row is not None else 1 << 40)
    return frame, problems


def _mixed_percent(label: str, col: str, frame: pd.DataFrame, percent: pd.Series,
                   raw: pd.Series) -> list[Problem]:
    """An indicator written partly with '%' and partly without is ambiguous: reject it."""
    if not percent.any() or "indicator" not in frame.columns:
        return []
    values = frame[col]
    filled = values.notna()
    out: list[Problem] = []
    info = pd.DataFrame({"ind": frame["indicator"], "pct": percent, "filled": filled})
    info = info.loc[info["filled"]]
    for ind, grp in info.groupby("ind", sort=True):
        if grp["pct"].any() and not grp["pct"].all():
            with_pct = [int(r) for r in grp.index[grp["pct"].to_numpy()]]
            without = [int(r) for r in grp.index[~grp["pct"].to_numpy()]]
            en_w, _ = _rows_text(with_pct)
            en_wo, _ = _rows_text(without)
            r = without[0]
            out.append(cell_problem(label, r, col, raw[r], Reason(
                f"indicator '{ind}' is written with '%' in rows {en_w} but without it in rows "
                f"{en_wo}; '8.5%' is read as 8.5, so write every cell of an indicator the same "
                "way (all with '%' or all as plain numbers in the same scale)",
                f"指标“{ind}”在第 {en_w} 行带百分号，在第 {en_wo} 行不带；“8.5%”按 8.5 读取，"
                "同一指标请统一写法（都带 % 或都写同一量纲的数字）")))
    return out


def units_resolver(units: pd.DataFrame) -> UnitResolver:
    """A resolver over the typed units table."""
    return UnitResolver(units["unit_id"].astype(str), units["name"].astype(str))

