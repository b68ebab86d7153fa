"""The data contract (DESIGN §4): load a folder of CSVs or one XLSX workbook and validate it.

Validation happens at the boundary, in two passes that each collect every problem:
``load_data`` checks each table on its own (columns, types, duplicates, unknown units; the
structural rules in ``CONTRACT``); ``check_data`` checks the data against a scheme and a year (unknown indicators and
events, ratings above a component's maximum, years a rule needs).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import atomic_dir
from ..errors import DataError, Problem
from .intake import type_table, units_resolver
from .office import is_contract_workbook, read_office_workbook
from .presets import MATCH_SHARE, preset_matches
from .readers import REQUIRED_TABLES, TABLES, RawTable, read_tables  # noqa: F401
from .scheme import Indicator, ProgressRule, RankImprovementRule, Scheme

# the contract's structural rules per table: column -> kind (every cell has been parsed by
# ``intake`` already; these are the checks left: non-empty text, year range, signs, finite)
CONTRACT: dict[str, dict[str, str]] = {
    "units": {"unit_id": "text", "name": "text", "sequence": "text"},
    "observations": {"unit_id": "text", "year": "year", "indicator": "text", "value": "number"},
    "ratings": {"unit_id": "text", "year": "year", "component": "text", "score": "nonnegative"},
    "events": {"unit_id": "text", "year": "year", "event": "text", "count": "count"},
    "targets": {"unit_id": "text", "year": "year", "indicator": "text", "target": "positive"},
    # cadres (领导干部): role head (班子正职) | member (班子成员); scores 0–100
    "persons": {"person_id": "text", "unit_id": "text", "name": "text", "role": "role",
                "year": "year", "character": "percent", "democratic": "percent"},
}
#: Optional columns, checked when present; a blank cell is allowed (NaN).
OPTIONAL: dict[str, dict[str, str]] = {
    # the amount of one row (给予相应减分), read by rules with per_event: from_data
    "events": {"points": "nonnegative"},
    "persons": {"portfolio": "percent", "quantitative": "percent",
                "votes_total": "nonnegative", "votes_basic": "nonnegative"},
}
ROLES = ("head", "member", "other")  # other: 其它处级干部 (cadres.py)
YEAR_RANGE = (1900, 2200)


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
    persons: pd.DataFrame | None = None  # cadres (perfanalysis.engine.cadres), optional

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


def _schema_problems(label: str, df: pd.DataFrame, table: str
                     ) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check a parsed table against the contract (``CONTRACT``); failures become Problems
    (df is indexed by Excel row). Plain numpy checks: validating with pandera cost about a
    second of imports on every ``perfanalysis score``."""
    problems: list[Problem] = []
    out = df.copy()
    optional = {c: k for c, k in OPTIONAL.get(table, {}).items() if c in df.columns}
    for col, kind in {**CONTRACT[table], **optional}.items():
        if col not in df.columns:
            problems.append(Problem(label, f"missing required column '{col}'", None, col,
                                    zh=f"缺少必需的列“{col}”"))
            continue
        s = df[col]
        if kind == "text":
            text = s.astype(object)
            bad = text.isna().to_numpy() | (text.astype(str).str.len() == 0).to_numpy()
            check = "not_nullable"
        elif kind == "role":
            bad = ~s.astype(object).isin(ROLES).to_numpy()
            check = "isin_role"
        else:
            values = pd.to_numeric(s, errors="coerce")
            invalid = values.isna().to_numpy() & s.notna().to_numpy()
            for r in df.index[invalid]:
                problems.append(Problem(label, "not a valid value for this column", int(r), col,
                                        s[r], zh="此列的值无效"))
            v = values.to_numpy(dtype=float)
            with np.errstate(invalid="ignore"):
                if kind == "year":
                    bad, check = (v < YEAR_RANGE[0]) | (v > YEAR_RANGE[1]), "in_range"
                elif kind in ("nonnegative", "count"):
                    bad, check = v < 0, "greater_than_or_equal_to"
                elif kind == "positive":
                    bad, check = v <= 0, "greater_than"
                elif kind == "percent":
                    bad, check = (v < 0) | (v > 100), "percent"
                else:
                    bad, check = np.zeros(len(v), dtype=bool), ""
            notfinite = ~np.isfinite(v) & ~invalid & s.notna().to_numpy()
            for r in df.index[notfinite]:
                problems.append(Problem(label, "must be a finite number", int(r), col, s[r],
                                        zh="必须是有限的数字"))
            bad = bad & ~notfinite
            empty = s.isna().to_numpy() & (col not in optional)
            for r in df.index[empty]:
                reason, zh = _REASONS["not_nullable"]
                problems.append(Problem(label, reason, int(r), col, None, zh=zh))
            out[col] = values.astype("int64") if kind in ("year", "count") and not (
                invalid.any() or empty.any()) else values
        reason, zh = _REASONS.get(check, (check, None))
        for r in df.index[bad]:
            problems.append(Problem(label, reason, int(r), col,
                                    None if check == "not_nullable" else s[r], zh=zh))
    if problems:
        return None, sorted(set(problems), key=lambda p: (p.row or 0, p.column or "", p.reason))
    return out, []


_REASONS: dict[str, tuple[str, str]] = {
    "not_nullable": ("empty cell: a value is required", "空单元格：此处必须填写"),
    "field_uniqueness": ("duplicate key: this combination of key columns appears more than once",
                         "重复：这组关键列的组合出现了不止一次"),
    "multiple_fields_uniqueness": (("duplicate key: this combination of key columns appears "
                                    "more than once"), "重复：这组关键列的组合出现了不止一次"),
    "str_length": ("empty text", "空文本"),
    "in_range": ("year out of range 1900–2200", "年份超出 1900–2200 的范围"),
    "greater_than_or_equal_to": ("must not be negative", "不能为负数"),
    "greater_than": ("must be positive", "必须大于 0"),
    "<lambda>": ("must be a finite number", "必须是有限的数字"),
    "percent": ("must be between 0 and 100", "必须在 0 到 100 之间"),
    "isin_role": ("role must be 'head' (班子正职) or 'member' (班子成员)",
                  "角色必须是 head(班子正职)或 member(班子成员)"),
}


def load_data(path: Path | str, scheme: Scheme | None = None) -> Dataset:
    """Load and validate a data folder or workbook; raise DataError listing every problem.

    Files are read as text in UTF-8 or GBK/GB18030 (``readers``), cells parsed by the
    documented rules (``parsing``: full-width digits, thousands separators, '%', missing
    markers), unit references resolved by id or unambiguous name (``intake``). With a
    ``scheme``, a workbook without an ``observations`` sheet is read as an office workbook
    (Chinese headers, wide sheets matched to the scheme's indicator names: ``office``).
    """
    path = Path(path)
    if (scheme is not None and path.suffix.lower() in (".xlsx", ".xlsm") and path.exists()
            and not is_contract_workbook(path)):
        raw = read_office_workbook(path, scheme).raw_tables()
        return _typed_dataset(path, raw)
    return _typed_dataset(path, read_tables(path))


def _typed_dataset(path: Path, raw: dict[str, RawTable]) -> Dataset:
    """Parse and validate text tables into a Dataset (every problem collected)."""
    problems: list[Problem] = []
    parsed: dict[str, pd.DataFrame] = {}
    parsed["units"], found = type_table(raw["units"], None)
    problems += found
    resolver = units_resolver(parsed["units"])
    for name in TABLES[1:]:
        if name in raw:
            parsed[name], found = type_table(raw[name], resolver)
            problems += found
    typed: dict[str, pd.DataFrame] = {}
    for name, df in parsed.items():
        valid, found = _schema_problems(raw[name].label, df, name)
        problems += found
        if valid is not None:
            typed[name] = valid
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
        typed["events"]["project"] = pd.Series([None] * len(typed["events"]), dtype="object",
                                               index=typed["events"].index)
    if "points" not in typed["events"].columns:
        typed["events"]["points"] = pd.Series(np.nan, dtype="float64", index=typed["events"].index)
    for name, frame in list(typed.items()):
        typed[name] = frame.assign(source_row=frame.index.astype("int64")).reset_index(drop=True)
    files = {name: t.file for name, t in raw.items()}
    return Dataset(
        units=typed["units"], observations=typed["observations"], ratings=typed["ratings"],
        events=typed["events"], targets=typed.get("targets"), source=path, files=files,
        persons=typed.get("persons"),
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
    if ind.target is not None:
        # a target from history (perfanalysis/engine/targets.py); a growth or increment basis reads
        # one year more (a growth target for year t − years needs year t − years − 1)
        for basis, rule in ind.basis_rules():
            if rule.years_required():
                extra = 1 if basis in ("growth", "increment") else 0
                back = max(back, rule.years_required() + extra)
    return back


MAX_MISSING_LISTED = 200


def _missing_values(obs: pd.DataFrame, units: list[str],
                    needed: list[tuple[np.ndarray, int, str, str]]) -> list[tuple[str, int, str, str]]:
    """(unit, year, indicator, why) of every needed value absent from observations, vectorised."""
    if not needed:
        return []
    ind_ids = sorted({i for _m, _y, i, _w in needed})
    years = sorted({y for _m, y, _i, _w in needed})
    have = np.zeros((len(years), len(units), len(ind_ids)), dtype=bool)
    yi = pd.Index(years).get_indexer(obs["year"])
    ui = pd.Index(units).get_indexer(obs["unit_id"])
    ki = pd.Index(ind_ids).get_indexer(obs["indicator"])
    ok = (yi >= 0) & (ui >= 0) & (ki >= 0)
    have[yi[ok], ui[ok], ki[ok]] = True
    out: list[tuple[str, int, str, str]] = []
    for mask, y, ind, why in needed:
        absent = mask & ~have[years.index(y), :, ind_ids.index(ind)]
        out += [(units[j], y, ind, why) for j in np.flatnonzero(absent)]
    return out


def _why_zh(why: str, needed_year: int, year: int) -> str:
    if why == "scoring":
        return "本年计分需要"
    if why.startswith("bonus rule"):
        return f"加分规则{why.removeprefix('bonus rule ')}需要上年排位"
    return f"计算{year}年的增速或历年平均目标需要{needed_year}年数据"


def max_years_back(scheme: Scheme) -> int:
    """How many years before the scored year the scheme's rules read at most."""
    back = [years_needed(i) for i in scheme.indicators() if i.event is None]
    back += [2 if r.basis in ("growth", "increment") else 1
             for r in scheme.bonus.rules if isinstance(r, RankImprovementRule)]
    if any(isinstance(r, ProgressRule) for r in scheme.bonus.rules):
        back.append(max(back, default=0) + 1)  # 进位奖 also scores the year before
    return max(back, default=0)


def _year_problem(data: Dataset, scheme: Scheme, year: int, label: str) -> Problem | None:
    """One clear problem for a year the data cannot score, instead of one per value."""
    years = data.years
    if not years:
        return None
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    back = max_years_back(scheme)
    if year not in years:
        return Problem(label, f"year {year} is not in the data: the observations cover {span}",
                       zh=f"数据中没有 {year} 年的观测值;现有年份为 {span}")
    if year - back < years[0]:
        return Problem(
            label, f"scoring {year} with scheme '{scheme.id}' needs data from {year - back} "
            f"(growth rates and own-average targets read up to {back} earlier year(s)); the "
            f"data start in {years[0]}, so the earliest year it can score is {years[0] + back}",
            zh=f"按方案“{scheme.name}”计算 {year} 年需要 {year - back} 年起的数据(增速和历年平均"
               f"目标要用前 {back} 年的数值);数据从 {years[0]} 年开始,最早可评 {years[0] + back} 年")
    return None


def scheme_coverage(data: Dataset, scheme: Scheme) -> tuple[int, int]:
    """(how many of the scheme's observed indicators the data has, how many it has in all)."""
    wanted = {i.id for i in scheme.indicators() if i.event is None}
    have = set(data.observations["indicator"].unique())
    return len(wanted & have), len(wanted)


def matching_presets(data: Dataset) -> list[tuple[str, int, int]]:
    """Preset schemes (data/schemes/*.yaml) the data fits: (file stem, present, total) with
    at least ``MATCH_SHARE`` of the preset's indicators present, best coverage first."""
    out = preset_matches(lambda preset: scheme_coverage(data, preset))
    return sorted(out, key=lambda t: (-t[1] / t[2], t[0]))


def _mismatch(data: Dataset, scheme: Scheme, label: str) -> DataError | None:
    """One clear error when the data were made for another scheme (not hundreds of gaps)."""
    present, total = scheme_coverage(data, scheme)
    if total == 0 or present / total >= MATCH_SHARE:
        return None
    presets = matching_presets(data)
    which = ("; presets that match the data: " + ", ".join(
        f"{stem} ({p} of {t} indicators)" for stem, p, t in presets)) if presets else (
        "; no preset in data/schemes matches them either")
    zh_which = ("。与数据相符的预设方案:" + "、".join(f"{stem}({p}/{t}个指标)"
                                               for stem, p, t in presets)) if presets else ""
    wanted = {i.id for i in scheme.indicators()}
    sample = sorted(set(data.observations["indicator"].unique()) - wanted)[:8]
    others = (f" (the data have others, e.g. {', '.join(sample)})" if sample
              else " (the data have no other indicators)")
    problem = Problem(
        label, f"the data's indicators do not match scheme '{scheme.id}': only {present} of its "
        f"{total} indicators are in the data{others}{which}",
        None, "indicator", None,
        zh=f"数据的指标与方案“{scheme.name}”不符:方案的{total}个指标中数据只有{present}个{zh_which}")
    return DataError([problem], headline=f"Data and scheme '{scheme.id}' do not match")


def check_data(data: Dataset, scheme: Scheme, year: int) -> None:
    """Check data against a scheme for one year; raise DataError listing every problem."""
    problems: list[Problem] = []
    obs = data.observations
    obs_label, rat_label, ev_label = (_label(data, t) for t in ("observations", "ratings", "events"))
    mismatch = _mismatch(data, scheme, obs_label)
    if mismatch is not None:
        raise mismatch
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
    # indicator values the year's rules need: (unit mask, year, indicator, why)
    all_units = np.ones(len(units), dtype=bool)
    needed: list[tuple[np.ndarray, int, str, str]] = []
    for ind in scheme.indicators():
        if ind.event is not None or scheme.missing_rule(ind) != "error":
            continue  # a rule (zero / reweight) handles this indicator's gaps when scoring
        for back in range(years_needed(ind) + 1):
            needed.append((all_units, year - back, ind.id, "scoring" if back == 0 else
                           f"rule of '{ind.id}' ({ind.method}, basis {ind.basis})"))
        if ind.series(1) != ind.id:  # the blend half's official rate: the year and its target
            rule = ind.basis_rules()[1][1] if ind.target is not None else None
            for back in range((rule.years_required() if rule else 0) + 1):
                needed.append((all_units, year - back, ind.series(1), "scoring" if back == 0
                               else f"rule of '{ind.id}' (blend, basis given_rate)"))
    year_problem = _year_problem(data, scheme, year, obs_label)
    if year_problem is not None:  # one message, not one per missing value
        raise DataError([*problems, year_problem], headline=f"Cannot score {year}")
    for rule in scheme.bonus.rules:
        if isinstance(rule, RankImprovementRule):
            in_seq = (data.units["sequence"].isin(rule.applies_to).to_numpy(dtype=bool)
                      if rule.applies_to else all_units)
            back = 2 if rule.basis in ("growth", "increment") else 1
            for ind_id in rule.indicators:
                for b in range(back + 1):
                    needed.append((in_seq, year - b, ind_id, f"bonus rule '{rule.id}'"))
    missing = _missing_values(obs, units, needed)
    if missing and scheme.composite is not None:
        problems.append(Problem(
            obs_label, "this scheme has a composite recipe: build it with `perfanalysis "
            "composite`, which aggregates over the available data; points scoring (`score`, "
            "`run`) needs every value", zh="该方案含综合指数构建步骤:请用 `perfanalysis composite` "
            "计算(按可得数据汇总);积分法计分(score、run)要求数据完整"))
    unit_names = dict(zip(data.units["unit_id"], data.units["name"]))
    ind_names = {i.id: i.name for i in scheme.indicators()}
    ind_names.update({i.series(1): f"{i.name}(官方增速)" for i in scheme.indicators()
                      if i.series(1) != i.id})
    for u, y, i, why in missing[:MAX_MISSING_LISTED]:
        who, what = f"{unit_names.get(u, u)} ({u})", f"{ind_names.get(i, i)} ({i})"
        problems.append(Problem(obs_label, f"missing value for unit {who}, year {y}, indicator "
                                f"{what}, needed by {why}", None, "value", None,
                                zh=f"缺少数据：单位 {who}，{y} 年，指标 {what}（"
                                   f"{_why_zh(why, y, year)}）"))
    hint = ("" if not missing or scheme.composite is not None else
            "; to score with gaps set the scheme's (or an indicator's) `missing:` to `zero` "
            "(0 points) or `reweight` (不适用: its points go to the rest of its group) / "
            "缺数时可在方案中设置 missing: zero(记0分)或 reweight(不适用,分值分给同组其他指标)")
    if len(missing) > MAX_MISSING_LISTED:
        rest = len(missing) - MAX_MISSING_LISTED
        problems.append(Problem(obs_label, f"{rest} more missing values not listed", None, "value",
                                None, zh=f"另有 {rest} 个缺失值未列出"))
    # growth needs a positive base
    # (only the years some rule reads as a base: indicator -> earliest base year)
    first_base: dict[str, int] = {}
    for ind in scheme.indicators():
        if "growth" in (ind.basis, ind.blend.basis if ind.blend else None):
            first_base[ind.id] = min(first_base.get(ind.id, year), year - years_needed(ind))
    for rule in scheme.bonus.rules:
        if isinstance(rule, RankImprovementRule) and rule.basis == "growth":
            for i in rule.indicators:
                first_base[i] = min(first_base.get(i, year), year - 2)
    earliest = obs["indicator"].map(first_base)
    base = obs.loc[earliest.notna() & (obs["year"] >= earliest) & (obs["year"] < year)
                   & (obs["value"] <= 0)]
    for rec in base.itertuples():
        problems.append(Problem(obs_label, "growth rate needs a positive previous-year value",
                                int(rec.source_row), "value", rec.value))
    # targets from the table
    # (an issued table, ``target.file``, is read and checked by the target engine)
    table_ids = [i.id for i in scheme.indicators()
                 if i.target is not None and i.target.rule == "table" and i.target.file is None]
    if table_ids:
        if data.targets is None:
            problems.append(Problem(str(data.source), "targets.csv is required by indicators "
                                    + ", ".join(table_ids)))
        else:
            tg = data.targets.loc[data.targets["year"] == year]
            have_t = set(zip(tg["unit_id"].tolist(), tg["year"].tolist(),
                             tg["indicator"].tolist()))
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
    have_r = set(zip(rat_y["unit_id"].tolist(), rat_y["component"].tolist()))
    for cid in comp_max:
        for u in units:
            if (u, cid) not in have_r:
                problems.append(Problem(rat_label, f"missing rating '{cid}' for unit {u}, year {year}",
                                        None, "score", None))
    if problems:
        raise DataError(problems,
                        headline=f"Data do not fit scheme '{scheme.id}' for {year}{hint}")


def convert(path: Path | str, scheme: Scheme, out: Path | str) -> tuple[int, int]:
    """Write what a workbook (office or contract) holds as the long contract into ``out``:
    ``units.csv``, ``observations.csv`` and, for an office workbook, ``read_log.csv`` (the
    sheet and cell each value came from, its header and any unit factor). Everything is
    validated first (``load_data``); the folder is replaced atomically."""
    path = Path(path)
    data = load_data(path, scheme)
    log = None
    if path.suffix.lower() in (".xlsx", ".xlsm") and not is_contract_workbook(path):
        log = read_office_workbook(path, scheme).log
    units = data.units.drop(columns="source_row")
    obs = data.observations[["unit_id", "year", "indicator", "value"]]
    tables = {"units": units, "observations": obs}
    for name in ("ratings", "events", "targets"):
        df = getattr(data, name)
        if df is not None and len(df):
            tables[name] = df.drop(columns="source_row")
    if log is not None:
        tables["read_log"] = log
    with atomic_dir(out) as staging:
        for name, df in tables.items():
            text = df.to_csv(index=False, lineterminator="\n")
            (staging / f"{name}.csv").write_bytes(text.encode("utf-8-sig"))
    return len(units), len(obs)
