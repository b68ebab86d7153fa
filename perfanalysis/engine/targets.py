"""Target rules (目标值规则): one function per rule, vectorised over units.

A rule reads a unit's history of one indicator (a ``(years, units)`` array of levels) and
gives the completion target of a year: ``own_average``, ``last_growth``, ``trend``,
``peer``, ``blend``, ``uniform`` or ``table`` (targets.csv); then ``× factor + add``, the
bounds (``floor``, ``ceiling``, ``not_below_last``) and, for units whose history is
missing, the ``fallback`` rule. Scoring and the targets study both call ``rule_targets``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from . import methods
from .data import Dataset
from .scheme import BASIS_ZH, Indicator, Scheme, TargetRule


def basis_series(levels: np.ndarray, basis: str) -> np.ndarray:
    """Basis values per year (rows) of a ``(years, units)`` level array: NaN where no
    previous year exists for a growth or increment basis."""
    levels = np.asarray(levels, dtype=float)
    if basis in ("level", "given_rate"):  # given_rate: an official rate, read not computed
        return methods.basis_values(levels, None, basis)
    out = np.full_like(levels, np.nan)
    if len(levels) > 1:
        out[1:] = methods.basis_values(levels[1:], levels[:-1], basis)
    return out


def _at(series: np.ndarray, years: Sequence[int], year: int) -> np.ndarray:
    """The row of ``year`` (NaN when the data have no such year)."""
    if year in years:
        return series[list(years).index(year)]
    return np.full(series.shape[1], np.nan)


def _window(series: np.ndarray, years: Sequence[int], first: int, last: int) -> np.ndarray:
    """Rows ``first``..``last`` (inclusive) as a ``(n, units)`` array, NaN for absent years."""
    return np.stack([_at(series, years, y) for y in range(first, last + 1)])


def _finite(x: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(x), x, np.nan)


def _own_average(hist: np.ndarray) -> np.ndarray:
    """Mean of the window (NaN when any year is missing)."""
    return hist.mean(axis=0)


def _last_growth(hist: np.ndarray) -> np.ndarray:
    """Last value × (1 + mean of the window's year-on-year growth rates)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = hist[1:] / hist[:-1] - 1.0
    return hist[-1] * (1.0 + _finite(growth).mean(axis=0))


def _trend(hist: np.ndarray) -> np.ndarray:
    """Least-squares line through the window, evaluated one year after its last year."""
    k = hist.shape[0]
    t = np.arange(k) - (k - 1) / 2.0  # centred years: the intercept is the window mean
    mean = hist.mean(axis=0)
    slope = t @ (hist - mean) / (t @ t)
    return mean + slope * (k + 1) / 2.0  # the next year sits at (k − 1)/2 + 1


def _peer(last: np.ndarray, before: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Last value × (1 + median growth of the unit's group last year, over units that have it)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = _finite(last / before - 1.0)
    median = np.full(len(last), np.nan)
    for g in np.unique(groups):
        mask = groups == g
        if np.isfinite(growth[mask]).any():
            median[mask] = np.nanmedian(growth[mask])
    return last * (1.0 + median)


def rule_targets(rule: TargetRule, levels: np.ndarray, years: Sequence[int], year: int, *,
                 basis: str = "level", reverse: bool = False,
                 groups: np.ndarray | None = None,
                 table: np.ndarray | None = None) -> np.ndarray:
    """Targets of ``year`` for every unit (NaN where the history the rule needs is missing).

    ``levels`` is ``(len(years), units)``; the rule reads basis values (level, increment or
    growth rate) of earlier years. ``groups`` are peer-group codes (default: one group);
    ``table`` the targets from targets.csv (rule ``table``). ``reverse`` marks a negative
    indicator (lower is better), for which ``not_below_last`` means "not above last year".
    """
    years = [int(y) for y in years]
    series = basis_series(levels, basis)
    n = series.shape[1]
    r = rule.rule
    if r == "uniform":
        out = np.full(n, float(rule.value))  # type: ignore[arg-type]
    elif r == "table":
        out = (np.full(n, np.nan) if table is None else np.asarray(table, dtype=float).copy())
    elif r == "own_average":
        out = _own_average(_window(series, years, year - rule.years, year - 1))
    elif r == "last_growth":
        out = _last_growth(_window(series, years, year - rule.years - 1, year - 1))
    elif r == "trend":
        out = _trend(_window(series, years, year - rule.years, year - 1))
    elif r == "peer":
        codes = np.zeros(n, dtype=int) if groups is None or rule.peer_group == "all" \
            else np.asarray(groups)
        out = _peer(_at(series, years, year - 1), _at(series, years, year - 2), codes)
    else:  # blend
        first, second = rule.of or []
        kw = {"basis": basis, "reverse": reverse, "groups": groups, "table": table}
        w = float(rule.weight)  # type: ignore[arg-type]
        out = (w * rule_targets(first, levels, years, year, **kw)  # type: ignore[arg-type]
               + (1.0 - w) * rule_targets(second, levels, years, year, **kw))  # type: ignore[arg-type]
    out = _finite(out * rule.factor + rule.add)
    if rule.floor is not None:
        out = np.where(np.isnan(out), np.nan, np.maximum(out, rule.floor))
    if rule.ceiling is not None:
        out = np.where(np.isnan(out), np.nan, np.minimum(out, rule.ceiling))
    if rule.not_below_last:
        last = _at(series, years, year - 1)
        out = np.minimum(out, last) if reverse else np.maximum(out, last)  # NaN stays NaN
    if rule.min_growth:
        out = np.maximum(out, min_growth_target(rule.min_growth, levels, years, year, basis))
    if rule.fallback is not None:
        missing = np.isnan(out)
        if missing.any():
            backup = rule_targets(rule.fallback, levels, years, year, basis=basis,
                                  reverse=reverse, groups=groups, table=table)
            out = np.where(missing, backup, out)
    return out


def min_growth_target(rate: float, levels: np.ndarray, years: Sequence[int], year: int,
                      basis: str) -> np.ndarray:
    """The least target ``min_growth`` allows: last year's level grown by ``rate``, in the
    basis's terms — level x(t−1)·(1 + rate), increment rate·x(t−1), growth ``rate`` (NaN
    where last year's level is missing, so a unit without it is reported, not floored)."""
    last = _at(np.asarray(levels, dtype=float), years, year - 1)
    if basis in ("growth", "given_rate"):
        return np.where(np.isfinite(last) | (basis == "given_rate"), rate, np.nan)
    if basis == "increment":
        return rate * np.abs(last)
    return last * (1.0 + rate)


def level_years_read(rule: TargetRule, year: int, basis: str = "level") -> list[int]:
    """Years of levels a unit needs for ``rule`` to give its target (without the fallback)."""
    r = rule.rule
    if r in ("uniform", "table"):
        reads: set[int] = set()
    elif r in ("own_average", "trend"):
        reads = set(range(year - rule.years, year))
    elif r == "last_growth":
        reads = set(range(year - rule.years - 1, year))
    elif r == "peer":
        reads = {year - 1}
    else:
        reads = {y for sub in rule.of or [] for y in level_years_read(sub, year, "level")}
    if rule.not_below_last:
        reads.add(year - 1)
    if basis not in ("level", "given_rate"):
        reads |= {y - 1 for y in reads}
    if rule.min_growth and basis != "given_rate":
        reads.add(year - 1)  # last year's level
    return sorted(reads)


def _missing_years(rule: TargetRule, levels: np.ndarray, years: Sequence[int], year: int,
                   basis: str, i: int) -> list[int]:
    """Years of ``rule`` (and of its fallbacks) for which unit ``i`` has no value."""
    out: set[int] = set()
    while rule is not None:
        for y in level_years_read(rule, year, basis):
            if y not in years or not np.isfinite(levels[list(years).index(y), i]):
                out.add(y)
        rule = rule.fallback  # type: ignore[assignment]
    return sorted(out)


def require_targets(rule: TargetRule, targets: np.ndarray, levels: np.ndarray,
                    years: Sequence[int], year: int, *, unit_ids: Sequence[str],
                    indicator: str, basis: str = "level", source: str = "observations.csv",
                    ) -> None:
    """Raise DataError naming unit, indicator and the missing years where a target is NaN."""
    bad = np.flatnonzero(np.isnan(targets))
    if not len(bad):
        return
    problems = []
    for i in bad:
        gone = _missing_years(rule, levels, years, year, basis, int(i))
        listing = ", ".join(str(y) for y in gone)
        if rule.rule == "table" and not gone:
            where = rule.file or "targets.csv"
            why, zh = f"{where} has no target for it", f"{where} 中没有该目标值"
        elif gone:
            why = f"the history the rule reads is missing for year(s) {listing}"
            zh = f"缺少 {listing} 年的数据"
        else:
            why = ("the history gives no finite target (a zero or negative value where a "
                   "growth rate is taken?)")
            zh = "历史数据算不出有限的目标值(增速的基数为零或负数?)"
        hint = "" if rule.fallback is not None else "; give the rule a 'fallback' rule"
        problems.append(Problem(
            source, f"no {year} target for unit {unit_ids[i]}, indicator '{indicator}' "
            f"(rule {rule.label()}): {why}{hint}", None, "value", None,
            zh=f"单位 {unit_ids[i]} 的指标“{indicator}”无法按规则 {rule.label()} 计算 {year} "
               f"年目标值:{zh}"))
    raise DataError(problems, headline=f"Targets not computable for {year}")


def indicator_targets(rule: TargetRule, data: Dataset, indicator: str, year: int, *,
                      basis: str = "level", reverse: bool = False, unit_ids: Sequence[str]
                      | None = None) -> np.ndarray:
    """Checked targets of one indicator for ``year`` (order of ``unit_ids``, default units.csv).

    Reads levels from observations.csv, peer groups from the units' sequences and rule
    ``table`` from targets.csv; missing history is a DataError naming the years.
    """
    ids = list(data.units["unit_id"]) if unit_ids is None else list(unit_ids)
    levels, years = indicator_levels(data, indicator, ids)
    seq = data.units.set_index("unit_id")["sequence"].reindex(ids)
    groups = pd.factorize(seq, sort=True)[0]
    table = table_targets(data, indicator, year, ids)
    out = rule_targets(rule, levels, years, year, basis=basis, reverse=reverse, groups=groups,
                       table=table)
    require_targets(rule, out, levels, years, year, unit_ids=ids, indicator=indicator,
                    basis=basis, source=str(data.files.get("observations", data.source)))
    return out


def indicator_levels(data: Dataset, indicator: str,
                     unit_ids: Sequence[str]) -> tuple[np.ndarray, list[int]]:
    """One indicator's levels as ``(years, units)`` (NaN where absent) and the years."""
    obs = data.observations.loc[data.observations["indicator"] == indicator]
    years = sorted(int(y) for y in data.observations["year"].unique())
    out = np.full((len(years), len(unit_ids)), np.nan)
    yi = pd.Index(years).get_indexer(obs["year"])
    ui = pd.Index(list(unit_ids)).get_indexer(obs["unit_id"])
    ok = ui >= 0
    out[yi[ok], ui[ok]] = obs["value"].to_numpy(dtype=float)[ok]
    return out, years


def table_targets(data: Dataset, indicator: str, year: int,
                  unit_ids: Sequence[str]) -> np.ndarray | None:
    """Targets of targets.csv for one indicator and year (NaN where absent), or None."""
    tg = data.targets
    if tg is None:
        return None
    sub = tg.loc[(tg["year"] == year) & (tg["indicator"] == indicator)]
    return sub.set_index("unit_id")["target"].reindex(list(unit_ids)).to_numpy(dtype=float)


def completion_indicators(scheme: Scheme) -> list[Indicator]:
    """The scheme's completion indicators (those with a target rule), in file order."""
    return [i for i in scheme.indicators() if i.method == "completion" and i.target is not None]


WARNING_COLUMNS = ["unit_id", "name", "indicator", "indicator_name", "year", "rule", "target",
                   "last_actual", "direction"]


def target_warnings(data: Dataset, scheme: Scheme, year: int) -> pd.DataFrame:
    """Targets easier than last year's actual: below it for a positive indicator (above it
    for a negative one), one row per unit and completion indicator, with both numbers.

    A target under what the unit already achieved asks for decline; ``validate`` and the
    report name every such case (e.g. an own-average target of a growing unit). Only level
    targets are checked: an increment or growth target below last year's increment or rate
    still asks the unit to grow (an own-average increment is below the last one whenever
    the unit accelerated).
    """
    ids = list(data.units["unit_id"])
    names = data.units.set_index("unit_id")["name"]
    rows = []
    for ind in completion_indicators(scheme):
        reverse = ind.direction == "negative"
        for basis, rule in ind.basis_rules():
            if basis != "level":
                continue
            targets = indicator_targets(rule, data, ind.id, year,
                                        basis=basis, reverse=reverse, unit_ids=ids)
            levels, years = indicator_levels(data, ind.id, ids)
            last = _at(basis_series(levels, basis), years, year - 1)
            easier = targets > last if reverse else targets < last
            for i in np.flatnonzero(easier & np.isfinite(last)):
                rows.append({"unit_id": ids[i], "name": names[ids[i]], "indicator": ind.id,
                             "indicator_name": ind.name, "year": int(year),
                             "rule": rule.label(),
                             "target": float(targets[i]), "last_actual": float(last[i]),
                             "direction": ind.direction})
    return pd.DataFrame(rows, columns=WARNING_COLUMNS)


def warning_sentences(warnings: pd.DataFrame, digits: int = 2) -> list[str]:
    """One Chinese sentence per warning, naming unit, indicator and both numbers."""
    out = []
    for w in warnings.itertuples(index=False):
        word, what = ("低于", "低") if w.direction == "positive" else ("高于", "宽松")
        out.append(f"{w.name}的“{w.indicator_name}”{w.year}年目标值 {w.target:.{digits}f} "
                   f"{word}上年实际值 {w.last_actual:.{digits}f}(规则 {w.rule}),"
                   f"目标比已达到的水平还{what}。")
    return out


# --- issued target tables (目标分解表) ------------------------------------------------------
#: the machine-readable sheet of an issued table (and the columns a frozen table needs)
ISSUED_SHEET = "targets"
ISSUED_COLUMNS = ["unit_id", "name", "year", "indicator", "indicator_name", "measure_unit",
                  "basis", "basis_zh", "rule", "rule_zh", "inputs", "last_actual", "target"]
FROZEN_REQUIRED = ["unit_id", "year", "indicator", "basis", "target"]


def data_before(data: Dataset, year: int) -> Dataset:
    """The data as known at the start of ``year``: observations of earlier years only (the
    targets of year T are issued from data up to T−1)."""
    obs = data.observations.loc[data.observations["year"] < int(year)]
    return replace(data, observations=obs.reset_index(drop=True))


def _basis_unit(measure: str | None, basis: str) -> str:
    """计量单位 of a target in its basis: growth rates in per cent, increments in the unit."""
    if basis in ("growth", "given_rate"):
        return "%"
    return measure or ""


def _inputs_text(levels: np.ndarray, years: list[int], rule: TargetRule, year: int,
                 basis: str, i: int, digits: int = 2) -> str:
    """The values of the years the rule reads for unit ``i``, e.g. "2015:12.30;2016:13.10"."""
    series = basis_series(levels, basis)
    scale = 100.0 if basis in ("growth", "given_rate") else 1.0
    reads = sorted(set(level_years_read(rule, year, "level")) & set(years))
    if basis in ("increment", "growth"):
        reads = [y for y in reads if y - 1 in years]
    parts = [f"{y}:{series[years.index(y), i] * scale:.{digits}f}" for y in reads
             if np.isfinite(series[years.index(y), i])]
    return ";".join(parts)


RULE_ZH = {"table": "目标表", "own_average": "本单位前{years}年平均×{factor:g}",
           "uniform": "统一目标{value:g}", "last_growth": "上年值×(1+前{years}年平均增速)×{factor:g}",
           "trend": "前{years}年趋势外推×{factor:g}", "peer": "上年值×(1+同序列增速中位数)×{factor:g}",
           "blend": "{weight:g}×{first}+{rest:g}×{second}"}


def rule_zh(value: dict[str, Any]) -> str:
    """A target rule (as dumped) in Chinese, with its bounds: the wording of the issued
    targets table, the scheme diff and the publication's 依据 column."""
    parts = [rule_zh(r) for r in value.get("of") or []] if value["rule"] == "blend" else []
    first, second = parts if len(parts) == 2 else ("", "")
    weight = float(value.get("weight") or 0.0)
    text = RULE_ZH[value["rule"]].format(
        years=value.get("years", 3), factor=value.get("factor", 1.0),
        value=value.get("value") or 0.0, weight=weight, rest=1.0 - weight,
        first=first, second=second)
    text += f"+{value['add']:g}" if value.get("add") else ""
    bounds = {"floor": "不低于{:g}", "ceiling": "不高于{:g}",
              "min_growth": "至少比上年增长{:.0%}"}
    text += "".join(f",{bounds[k].format(value[k])}" for k in bounds if value.get(k))
    text += ",不低于上年实际" if value.get("not_below_last") else ""
    return text


def consistent_increment(last_level: np.ndarray, growth_target: np.ndarray) -> np.ndarray:
    """The increment target of one growth target g* (``blend.consistent``): Δ* = x(t−1)·g*,
    so adding Δ* is growing by g* — the two targets of an indicator ask the same growth."""
    return np.asarray(last_level, dtype=float) * np.asarray(growth_target, dtype=float)


CONSISTENT_ZH = "上年实际×目标增速(增量目标与增速目标为同一增长率)"


def issue_targets(data: Dataset, scheme: Scheme, year: int) -> pd.DataFrame:
    """The targets of ``year`` as issued at its start (区县(市)差异化绩效目标, 目标分解表): each
    unit × target indicator × scored basis, computed from data up to ``year − 1`` only, with
    计量单位, the rule, the inputs it read, last year's actual and the target (growth rates
    as fractions, as scoring reads them). Rule ``table`` rows copy targets.csv."""
    known = data_before(data, year)
    ids = list(data.units["unit_id"])
    names = dict(zip(data.units["unit_id"], data.units["name"]))
    rows: list[dict[str, object]] = []
    for leaf in scheme.indicators():
        consistent = leaf.blend is not None and leaf.blend.consistent
        # halves in reverse: a consistent increment target needs the growth target first
        got: dict[int, np.ndarray] = {}
        half_rows: dict[int, list[dict[str, object]]] = {}
        for h, (basis, rule) in reversed(list(enumerate(leaf.basis_rules()))):
            if rule.rule == "table" and rule.file is not None:
                continue  # already an issued table
            reverse = leaf.direction == "negative"
            series = leaf.series(h)  # an official rate the blend half reads, or the leaf's own
            levels, years = indicator_levels(known, series, ids)
            last = _at(basis_series(levels, basis), years, year - 1)
            rule_text = rule_zh(rule.model_dump())
            if consistent and h == 0 and 1 in got:
                tgt = consistent_increment(_at(levels, years, year - 1), got[1])
                rule_text = CONSISTENT_ZH
            else:
                tgt = indicator_targets(rule, data if rule.rule == "table" else known, series,
                                        year, basis=basis, reverse=reverse, unit_ids=ids)
            got[h] = tgt
            for i, uid in enumerate(ids):
                half_rows.setdefault(h, []).append({
                    "unit_id": uid, "name": names[uid], "year": int(year), "indicator": leaf.id,
                    "indicator_name": leaf.name, "measure_unit": _basis_unit(leaf.unit, basis),
                    "basis": basis, "basis_zh": BASIS_ZH[basis], "rule": rule.label(),
                    "rule_zh": rule_text,
                    "inputs": ("年初下达(targets.csv)" if rule.rule == "table"
                               else f"{year - 1}:{_at(levels, years, year - 1)[i]:.2f};"
                                    f"目标增速{got[1][i] * 100:.2f}%"
                               if rule_text == CONSISTENT_ZH
                               else _inputs_text(levels, years, rule, year, basis, i)),
                    "last_actual": float(last[i]), "target": float(tgt[i])})
        for h in sorted(half_rows):  # the table lists the halves in the scheme's order
            rows += half_rows[h]
    return pd.DataFrame(rows, columns=ISSUED_COLUMNS)


def display_issued(issued: pd.DataFrame) -> pd.DataFrame:
    """The 目标分解表 for readers: Chinese headers, rates in per cent."""
    rate = issued["basis"].isin(["growth", "given_rate"])
    scale = np.where(rate, 100.0, 1.0)
    return pd.DataFrame({
        "单位": issued["name"], "指标": issued["indicator_name"],
        "考核口径": issued["basis_zh"], "计量单位": issued["measure_unit"],
        "上年实际": issued["last_actual"] * scale, "目标值": issued["target"] * scale,
        "目标规则": issued["rule_zh"], "依据数据(年份:数值)": issued["inputs"]})


def issued_wide(issued: pd.DataFrame) -> pd.DataFrame:
    """The 目标分解表 as issued (unit × indicator): one row per unit in the table's order,
    one column per indicator and scored basis ("地区生产总值·增量(亿元)"), rates in per cent,
    2 decimals (half up). Empty when nothing is issued."""
    from .rounding import round_frame

    if issued.empty:
        return pd.DataFrame(columns=["单位"])
    rate = issued["basis"].isin(["growth", "given_rate"])
    unit = issued["measure_unit"].fillna("").astype(str)
    col = (issued["indicator_name"] + "·" + issued["basis_zh"]
           + unit.map(lambda u: f"({u})" if u else ""))
    frame = issued.assign(_col=col, _value=issued["target"] * np.where(rate, 100.0, 1.0))
    order = list(dict.fromkeys(frame["_col"]))
    wide = frame.pivot_table(index="name", columns="_col", values="_value", aggfunc="first",
                             sort=False)
    wide = wide.reindex(index=list(dict.fromkeys(frame["name"])), columns=order)
    return round_frame(wide.rename_axis(index="单位", columns=None).reset_index())


def issued_sentences(issued: pd.DataFrame, year: int) -> list[str]:
    """What the issued-target section says, counted from the table: how many targets for
    how many units and indicators, from which years' data."""
    if issued.empty:
        return [(f"本考核方案{year}年没有按单位由历史数据下达的目标(无完成率目标,或目标已在"
                "年初下达的目标表中)。")]
    units, inds = issued["unit_id"].nunique(), issued["indicator"].nunique()
    return [(f"按方案现行的目标规则,只用{year - 1}年及以前的数据(年初下达目标时已知的数据),"
            f"为{units}个单位的{inds}项指标算出{len(issued)}个{year}年目标值,即年初应下达的"
            "差异化目标分解表;增量与增速同时考核的指标分别列出两项目标。目标一经下达即应保存,"
            "以后的数据修订(如经济普查对上年总量的修订)不应再改变已下达的目标。")]


_FROZEN: dict[tuple[str, float], pd.DataFrame] = {}


def frozen_path(data: Dataset, rule: TargetRule) -> Path:
    """Where an issued table lives: ``rule.file``, relative to the data folder."""
    path = Path(str(rule.file))
    if not path.is_absolute():
        base = data.source if data.source.is_dir() else data.source.parent
        path = base / path
    return path


def read_frozen(path: Path) -> pd.DataFrame:
    """An issued target table (.xlsx sheet ``targets`` or .csv); a missing file, sheet or
    column is a data error naming the file."""
    if not path.exists():
        raise DataError([Problem(str(path), "the issued target table does not exist (write it "
                                 "with `perfanalysis targets --out`)",
                                 zh="下达的目标分解表文件不存在")],
                        headline="Issued targets missing")
    key = (str(path), path.stat().st_mtime)
    if key not in _FROZEN:
        try:
            df = (pd.read_excel(path, sheet_name=ISSUED_SHEET)
                  if path.suffix.lower() == ".xlsx" else pd.read_csv(path, encoding="utf-8-sig"))
        except ValueError as exc:
            raise DataError([Problem(str(path), f"no sheet '{ISSUED_SHEET}': {exc}",
                                     zh=f"目标分解表缺少“{ISSUED_SHEET}”工作表")],
                            headline="Issued targets unreadable") from exc
        gone = [c for c in FROZEN_REQUIRED if c not in df.columns]
        if gone:
            raise DataError([Problem(str(path), f"missing columns {gone}",
                                     zh=f"目标分解表缺少列 {gone}")],
                            headline="Issued targets unreadable")
        df = df.assign(unit_id=df["unit_id"].astype(str), indicator=df["indicator"].astype(str),
                       year=df["year"].astype(int), target=df["target"].astype(float))
        _FROZEN.clear()
        _FROZEN[key] = df
    return _FROZEN[key]


def frozen_targets(data: Dataset, rule: TargetRule, indicator: str, basis: str, year: int,
                   unit_ids: Sequence[str]) -> np.ndarray:
    """Targets of one indicator and basis from the issued table ``rule.file`` (NaN where the
    table has none: scoring reports it)."""
    df = read_frozen(frozen_path(data, rule))
    sub = df.loc[(df["year"] == int(year)) & (df["indicator"] == indicator)
                 & (df["basis"] == basis)]
    return sub.set_index("unit_id")["target"].reindex(list(unit_ids)).to_numpy(dtype=float)


def leaf_table(data: Dataset, rule: TargetRule, indicator: str, basis: str, year: int,
               unit_ids: Sequence[str], default: np.ndarray | None) -> np.ndarray | None:
    """The table a target rule reads: the issued table of ``rule.file`` (one per basis), else
    ``default`` (targets.csv)."""
    if rule.rule == "table" and rule.file is not None:
        return frozen_targets(data, rule, indicator, basis, year, unit_ids)
    return default


def issued_changes(data: Dataset, scheme: Scheme, year: int, frozen: pd.DataFrame,
                   tol: float = 1e-9) -> pd.DataFrame:
    """Where current data would issue other targets than the frozen table (later data
    revisions, e.g. the economic census): unit, indicator, basis, issued and recomputed."""
    now = issue_targets(data, scheme, year)
    keys = ["unit_id", "indicator", "basis"]
    old = frozen.loc[frozen["year"] == int(year), [*keys, "target"]]
    both = now.merge(old, on=keys, how="inner", suffixes=("_now", "_issued"))
    changed = both.loc[(both["target_now"] - both["target_issued"]).abs()
                       > tol * np.maximum(1.0, both["target_issued"].abs())]
    return changed[["unit_id", "name", "indicator", "indicator_name", "basis",
                    "target_issued", "target_now"]].reset_index(drop=True)
