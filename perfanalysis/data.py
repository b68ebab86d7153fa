"""The data contract (DESIGN §4): load a folder of CSVs or one XLSX workbook and validate it.

Validation happens at the boundary, in two passes that each collect every problem:
``load_data`` checks each table on its own (columns, types, duplicates, unknown units) with
pandera; ``check_data`` checks the data against a scheme and a year (unknown indicators and
events, ratings above a component's maximum, years a rule needs).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .errors import DataError, Problem
from .scheme import Indicator, RankImprovementRule, Scheme

TABLES = ("units", "observations", "ratings", "events", "targets")
REQUIRED_TABLES = ("units", "observations")

_str = pa.Column(str, nullable=False, checks=pa.Check.str_length(min_value=1))
_year = pa.Column(int, coerce=True, nullable=False, checks=pa.Check.in_range(1900, 2200))
_num = pa.Column(float, coerce=True, nullable=False,
                 checks=pa.Check(lambda s: np.isfinite(s), element_wise=False,
                                 error="must be a finite number"))

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "units": pa.DataFrameSchema(
        {"unit_id": _str, "name": _str, "sequence": _str},
        unique=["unit_id"], report_duplicates="all",
    ),
    "observations": pa.DataFrameSchema(
        {"unit_id": _str, "year": _year, "indicator": _str, "value": _num},
        unique=["unit_id", "year", "indicator"], report_duplicates="all",
    ),
    "ratings": pa.DataFrameSchema(
        {"unit_id": _str, "year": _year, "component": _str,
         "score": _num.set_checks([pa.Check.ge(0)])},
        unique=["unit_id", "year", "component"], report_duplicates="all",
    ),
    "events": pa.DataFrameSchema(
        {"unit_id": _str, "year": _year, "event": _str,
         "count": pa.Column(int, coerce=True, nullable=False, checks=pa.Check.ge(0)),
         "project": pa.Column(str, nullable=True, required=False)},
        # the same event may be listed once per project
    ),
    "targets": pa.DataFrameSchema(
        {"unit_id": _str, "year": _year, "indicator": _str,
         "target": _num.set_checks([pa.Check.gt(0)])},
        unique=["unit_id", "year", "indicator"], report_duplicates="all",
    ),
}


@dataclass(frozen=True)
class Dataset:
    """Validated tables of one data folder or workbook, with where each came from."""

    units: pd.DataFrame
    observations: pd.DataFrame
    ratings: pd.DataFrame
    events: pd.DataFrame
    targets: pd.DataFrame | None
    source: Path
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.observations["year"].unique())

    def fingerprint(self) -> str:
        """SHA-256 over the input files' bytes (order-fixed), for run records."""
        h = hashlib.sha256()
        for name in sorted({p for p in self.files.values()}):
            h.update(Path(name).name.encode())
            h.update(Path(name).read_bytes())
        return h.hexdigest()

    def file_hashes(self) -> dict[str, str]:
        """SHA-256 of every input file, by file name."""
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(set(self.files.values()))}


def _read_raw(path: Path) -> tuple[dict[str, pd.DataFrame], dict[str, Path], dict[str, str]]:
    """Read every table as text; returns frames, source files and display names."""
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    labels: dict[str, str] = {}
    if path.is_dir():
        for name in TABLES:
            f = path / f"{name}.csv"
            if f.exists():
                try:
                    frames[name] = pd.read_csv(f, dtype=str, keep_default_na=False,
                                               na_values=[""], encoding="utf-8-sig")
                except (UnicodeDecodeError, pd.errors.ParserError) as exc:
                    raise DataError([Problem(str(f), f"cannot read as UTF-8 CSV: {exc}")]) from exc
                files[name] = f
                labels[name] = str(f)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False,
                                   na_values=[""])
        except Exception as exc:  # openpyxl raises many types for broken files
            raise DataError([Problem(str(path), f"cannot read workbook: {exc}")]) from exc
        for name in TABLES:
            if name in sheets:
                frames[name] = sheets[name]
                files[name] = path
                labels[name] = f"{path}[{name}]"
    elif not path.exists():
        raise DataError([Problem(str(path), "data folder or workbook not found")])
    else:
        raise DataError([Problem(str(path), "expected a folder of CSV files or an .xlsx workbook")])
    missing = [t for t in REQUIRED_TABLES if t not in frames]
    if missing:
        where = "sheets" if path.is_file() else "files"
        raise DataError([Problem(str(path), f"missing required {where}: "
                                 + ", ".join(f"{t}.csv" if path.is_dir() else t for t in missing))])
    for name, df in frames.items():
        df.columns = [str(c).strip() for c in df.columns]
        for col in df.columns:
            if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
                df[col] = df[col].str.strip()
    return frames, files, labels


def _schema_problems(label: str, df: pd.DataFrame, schema: pa.DataFrameSchema) -> list[Problem]:
    """Run a pandera schema lazily and turn its failure table into Problems with Excel rows."""
    try:
        schema.validate(df, lazy=True)
        return []
    except SchemaErrors as exc:
        problems: list[Problem] = []
        fc = exc.failure_cases
        dup_rows: dict[int, list[str]] = {}
        for rec in fc.itertuples(index=False):
            check = str(rec.check)
            col = None if pd.isna(rec.column) else str(rec.column)
            idx = rec.index
            row = None if idx is None or pd.isna(idx) else int(idx) + 2
            value = rec.failure_case
            if (check.startswith("dtype(") or str(value).startswith("TypeError(")):
                continue  # echoes of a failed conversion, reported once as 'not a valid …'
            if check in ("field_uniqueness", "multiple_fields_uniqueness", "unique"):
                if row is not None:
                    dup_rows.setdefault(row, []).append(f"{col}={value}")
                continue
            if check == "column_in_dataframe":
                problems.append(Problem(label, f"missing required column '{value}'"))
                continue
            if check == "not_nullable":
                reason = "empty cell: a value is required"
                value = None
            elif check.startswith("coerce_dtype"):
                kind = "whole number" if "int" in check else "number"
                reason = f"not a valid {kind}"
            elif "str_length" in check:
                reason = "empty text"
            elif "in_range" in check:
                reason = "year out of range 1900–2200"
            elif "greater_than_or_equal_to(0" in check:
                reason = "must not be negative"
            elif "greater_than(0" in check:
                reason = "must be positive"
            else:
                reason = check
            problems.append(Problem(label, reason, row, col, value))
        for row, parts in dup_rows.items():
            key = ", ".join(parts)
            problems.append(Problem(label, f"duplicate key ({key}) appears more than once", row,
                                    "+".join(p.split("=")[0] for p in parts)))
        # pandera reports a whole-frame failure (e.g. missing column) once; keep order stable
        return sorted(set(problems), key=lambda p: (p.row or 0, p.column or "", p.reason))


def _numeric_attributes(units: pd.DataFrame) -> pd.DataFrame:
    """Optional unit attributes (staff, population…) become numbers when every cell is one."""
    out = units.copy()
    for col in out.columns:
        if col in ("unit_id", "name", "sequence"):
            continue
        converted = pd.to_numeric(out[col], errors="coerce")
        if converted.notna().sum() == out[col].notna().sum():
            out[col] = converted
    return out


def load_data(path: Path | str) -> Dataset:
    """Load and validate a data folder or workbook; raise DataError listing every problem."""
    path = Path(path)
    frames, files, labels = _read_raw(path)
    problems: list[Problem] = []
    for name, df in frames.items():
        problems += _schema_problems(labels[name], df, SCHEMAS[name])
    if problems:
        raise DataError(problems)
    typed = {name: SCHEMAS[name].validate(df) for name, df in frames.items()}
    typed["units"] = _numeric_attributes(typed["units"])
    known = set(typed["units"]["unit_id"])
    for name in ("observations", "ratings", "events", "targets"):
        df = typed.get(name)
        if df is None:
            continue
        for idx, uid in df["unit_id"].items():
            if uid not in known:
                problems.append(Problem(labels[name], "unknown unit (not in units)", int(idx) + 2,
                                        "unit_id", uid))
    if problems:
        raise DataError(problems)
    empty = {
        "ratings": ["unit_id", "year", "component", "score"],
        "events": ["unit_id", "year", "event", "count"],
    }
    for name, cols in empty.items():
        if name not in typed:
            typed[name] = pd.DataFrame({c: pd.Series(dtype="int64" if c in ("year", "count")
                                                     else "float64" if c == "score" else "object")
                                        for c in cols})
    if "project" not in typed["events"].columns:
        typed["events"]["project"] = pd.Series([None] * len(typed["events"]), dtype="object")
    for name in typed:
        typed[name] = typed[name].assign(source_row=typed[name].index + 2)
    return Dataset(
        units=typed["units"], observations=typed["observations"], ratings=typed["ratings"],
        events=typed["events"], targets=typed.get("targets"), source=path, files=files,
    )


def _label(data: Dataset, table: str) -> str:
    f = data.files.get(table)
    if f is None:
        return f"{table}.csv"
    return f"{f}[{table}]" if f.suffix.lower().startswith(".xls") else str(f)


def years_needed(ind: Indicator) -> int:
    """How many years before the scored year an indicator's rule reads."""
    back = 0
    for basis in [ind.basis] + ([ind.blend.basis] if ind.blend else []):
        if basis in ("growth", "increment"):
            back = max(back, 1)
    if ind.target is not None and ind.target.rule == "own_average":
        extra = 1 if ind.basis in ("growth", "increment") else 0
        back = max(back, ind.target.years + extra)
    return back


def check_data(data: Dataset, scheme: Scheme, year: int) -> None:
    """Check data against a scheme for one year; raise DataError listing every problem."""
    problems: list[Problem] = []
    obs = data.observations
    obs_label, rat_label, ev_label = (_label(data, t) for t in ("observations", "ratings", "events"))
    allowed = scheme.observed_indicators()
    unknown = obs.loc[~obs["indicator"].isin(allowed)]
    for ind, rows in unknown.groupby("indicator", sort=True)["source_row"]:
        more = f" and {len(rows) - 1} more row(s)" if len(rows) > 1 else ""
        problems.append(Problem(obs_label, f"indicator not in scheme '{scheme.id}'{more}; "
                                f"the scheme's indicators: {', '.join(sorted(allowed))}",
                                int(rows.min()), "indicator", ind))
    if scheme.events:
        ev = data.events
        for rec in ev.loc[~ev["event"].isin(list(scheme.events))].itertuples():
            problems.append(Problem(ev_label, f"event not declared in scheme '{scheme.id}'; "
                                    f"allowed: {', '.join(scheme.events)}", int(rec.source_row),
                                    "event", rec.event))
    if scheme.sequences:
        for rec in data.units.loc[~data.units["sequence"].isin(list(scheme.sequences))].itertuples():
            problems.append(Problem(_label(data, "units"), f"sequence not in scheme "
                                    f"'{scheme.id}'; allowed: {', '.join(scheme.sequences)}",
                                    int(rec.source_row), "sequence", rec.sequence))
    units = list(data.units["unit_id"])
    # indicator values the year's rules need
    have = set(zip(obs["unit_id"], obs["year"], obs["indicator"]))
    needed: list[tuple[str, int, str, str]] = []
    for ind in scheme.indicators():
        if ind.event is not None:
            continue
        for back in range(years_needed(ind) + 1):
            needed += [(u, year - back, ind.id, "scoring" if back == 0 else
                        f"rule of '{ind.id}' ({ind.method}, basis {ind.basis})") for u in units]
    for rule in scheme.bonus.rules:
        if isinstance(rule, RankImprovementRule):
            seq_ok = set(data.units.loc[data.units["sequence"].isin(rule.applies_to)
                                        if rule.applies_to else data.units.index == data.units.index,
                                        "unit_id"])
            back = 2 if rule.basis in ("growth", "increment") else 1
            for ind_id in rule.indicators:
                for b in range(back + 1):
                    needed += [(u, year - b, ind_id, f"bonus rule '{rule.id}'")
                               for u in units if u in seq_ok]
    missing = [(u, y, i, why) for u, y, i, why in needed if (u, y, i) not in have]
    for u, y, i, why in missing[:200]:
        problems.append(Problem(obs_label, f"missing value for unit {u}, year {y}, needed by {why}",
                                None, "value", None))
    # growth needs a positive base
    growth_ids = {ind.id for ind in scheme.indicators()
                  if "growth" in (ind.basis, ind.blend.basis if ind.blend else None)}
    for rule in scheme.bonus.rules:
        if isinstance(rule, RankImprovementRule) and rule.basis == "growth":
            growth_ids.update(rule.indicators)
    base = obs.loc[obs["indicator"].isin(growth_ids) & (obs["year"] < year) & (obs["value"] <= 0)]
    for rec in base.itertuples():
        problems.append(Problem(obs_label, "growth rate needs a positive previous-year value",
                                int(rec.source_row), "value", rec.value))
    # targets from the table
    table_ids = [i.id for i in scheme.indicators()
                 if i.target is not None and i.target.rule == "table"]
    if table_ids:
        if data.targets is None:
            problems.append(Problem(str(data.source), "targets.csv is required by indicators "
                                    + ", ".join(table_ids)))
        else:
            tg = data.targets
            have_t = set(zip(tg["unit_id"], tg["year"], tg["indicator"]))
            for i in table_ids:
                for u in units:
                    if (u, year, i) not in have_t:
                        problems.append(Problem(_label(data, "targets"),
                                                f"missing target for unit {u}, year {year}, "
                                                f"indicator {i}", None, "target", None))
    # ratings
    rat = data.ratings
    comp_max = {c.id: c.points for c in scheme.components if c.source == "rating"}
    rat_y = rat.loc[rat["year"] == year]
    for rec in rat_y.loc[rat_y["component"].isin(list(comp_max))].itertuples():
        if rec.score > comp_max[rec.component] + 1e-9:
            problems.append(Problem(rat_label, f"score above the maximum {comp_max[rec.component]:g} "
                                    f"of component '{rec.component}'", int(rec.source_row), "score",
                                    rec.score))
    have_r = set(zip(rat_y["unit_id"], rat_y["component"]))
    for cid in comp_max:
        for u in units:
            if (u, cid) not in have_r:
                problems.append(Problem(rat_label, f"missing rating '{cid}' for unit {u}, year {year}",
                                        None, "score", None))
    if problems:
        raise DataError(problems, headline=f"Data do not fit scheme '{scheme.id}' for {year}")
