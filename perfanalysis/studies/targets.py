"""Study 1, differentiated targets (差异化目标): which target rule is accurate, which is fair
to small units, and what each does to scores and tiers.

Every rule gives a LEVEL target, the value x(t) a unit is asked to reach (``level_targets``):
an increment rule x(t−1) + Δ*, a growth rule x(t−1)·(1 + g*), a level rule the level. The
scheme scores that target in its basis's terms (``to_basis``); a rule that makes no sense
for a basis is named with the reason (``NOT_FOR_BASIS``), never computed.

``set_targets`` gives one year's targets under an engine rule; ``backtest`` sets every past
year's targets with each rule (both halves of a blended leaf under their own rules) and
compares them with what happened; ``backtest_summary`` scores the rules on accuracy (MAPE of
the level, MASE, error in growth points), achievability (``share_met``), each with a unit
bootstrap interval, and equity (``size_dependence`` of attainment within sequences);
``cap_saturation`` counts scores at the completion cap; ``score_effects`` rescores the
evaluation year with each rule setting the targets of the scheme's completion indicators.

Where the rest of the study lives: charts ``perfanalysis.report.figures.targets``, sentences
``perfanalysis.report.findings.targets``, chapter ``notebooks/01_differentiated_targets.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..engine.data import Dataset, check_data
from ..engine.methods import GIVEN_RATE_SCALE
from ..engine.scheme import BASIS_ZH, Indicator, Scheme, TargetRule, scheme_from_mapping
from ..engine.scoring import leaf_scores, score
from ..engine.targets import (
    WARNING_COLUMNS,
    basis_series,
    completion_indicators,
    consistent_increment,
    indicator_levels,
    require_targets,
    rule_targets,
    table_targets,
    target_warnings,
)
from ..engine.tiers import assign_tiers
from ..errors import DataError, Problem
from .resample import percentile_interval, unit_weights
from .size import size_dependence, size_name_zh

RuleLike = TargetRule | Mapping[str, Any]
#: the rules the study compares, each giving a LEVEL target for the indicator (the value
#: x(t) a unit is asked to reach), whatever basis the scheme scores
LEVEL_RULES = ("mean_level", "mean_increment", "mean_growth", "cagr", "trend", "peer",
               "last_year_growth", "blend", "table")
RULE_NAMES = ("scheme", "mean_level", "mean_increment", "mean_growth", "cagr", "trend", "peer",
              "last_year_growth", "table")
#: also allowed by name
OTHER_RULE_NAMES = ("blend",)
#: earlier names of the level rules
ALIASES = {"own_average": "mean_level", "last_growth": "mean_growth"}
_NO_LEVEL = "官方增速没有对应的水平值序列"
_DECLINE = "近几年平均水平低于上年实际值,作为增量或增速目标等于要求下降"
#: rules that do not apply to a basis, with the reason a reader sees (never computed)
NOT_FOR_BASIS: dict[str, dict[str, str]] = {
    "level": {},
    "increment": {"mean_level": _DECLINE},
    "growth": {"mean_level": _DECLINE},
    "given_rate": {"mean_level": _NO_LEVEL, "mean_increment": _NO_LEVEL, "cagr": _NO_LEVEL},
}
BACKTEST_COLUMNS = ["indicator", "unit_id", "year", "rule", "target", "actual", "attainment",
                    "met", "valid", "basis", "last", "target_basis", "actual_basis",
                    "growth_error_pp"]
SUMMARY_COLUMNS = ["rule", "n", "n_invalid", "years", "share_met", "share_met_lo",
                   "share_met_hi", "mape", "mape_lo", "mape_hi", "mase", "growth_mae_pp",
                   "equity_rho", "equity_rho_lo", "equity_rho_hi", "equity_n",
                   "equity_rho_all", "small_met", "small_met_lo", "small_met_hi", "small_n",
                   "large_met", "large_met_lo", "large_met_hi", "large_n"]
ALTERNATIVE_COLUMNS = ["study", "alternative", "kind", "unit_id", "name", "sequence", "total",
                       "rank", "tier", "rule"]
SHIFT_COLUMNS = ["rule", "alternative", "unit_id", "name", "sequence", "rank_base", "rank",
                 "shift", "tier_base", "tier", "tier_changed"]
NOT_APPLICABLE_COLUMNS = ["indicator", "basis", "rule", "reason"]
CAP_COLUMNS = ["indicator", "indicator_name", "cap", "points", "n", "at_cap", "share_at_cap",
               "share_lo", "share_hi", "units_above_full", "points_above_full",
               "max_points_above"]


def _rule(rule: RuleLike) -> TargetRule:
    return rule if isinstance(rule, TargetRule) else TargetRule.model_validate(dict(rule))


def study_rule_names(names: Sequence[str]) -> list[str]:
    """The study's rule names in order, earlier names (``own_average``, ``last_growth``)
    read as their level rules; an unknown name is a ValueError listing the allowed ones."""
    out = [ALIASES.get(n, n) for n in names]
    unknown = [n for n, o in zip(names, out) if o not in LEVEL_RULES and o != "scheme"]
    if unknown:
        raise ValueError(f"unknown target rule names {unknown}; allowed: "
                         f"{[*RULE_NAMES, *OTHER_RULE_NAMES, *ALIASES]}")
    return list(dict.fromkeys(out))


def preset_rules(names: Sequence[str], k: int = 3,
                 scheme_rule: TargetRule | None = None) -> dict[str, TargetRule]:
    """Named rules as the target engine's rules on the level (``mean_level`` own_average(k),
    ``mean_growth`` last_growth(k), ``last_year_growth`` last_growth(1), ``trend`` (≥ 2
    years), ``peer``, ``blend`` (half mean growth, half peer), ``table``) and ``scheme``
    (the indicator's own rule, skipped when there is none). ``mean_increment`` and ``cagr``
    have no engine rule on the level and are left out (``level_targets`` computes them)."""
    made = {
        "mean_level": TargetRule(rule="own_average", years=k),
        "mean_growth": TargetRule(rule="last_growth", years=k),
        "last_year_growth": TargetRule(rule="last_growth", years=1),
        "trend": TargetRule(rule="trend", years=max(k, 2)),
        "peer": TargetRule(rule="peer"),
        "blend": TargetRule(rule="blend", weight=0.5,
                            of=[TargetRule(rule="last_growth", years=k), TargetRule(rule="peer")]),
        "table": TargetRule(rule="table"),
    }
    out: dict[str, TargetRule] = {}
    for name in study_rule_names(names):
        if name == "scheme":
            if scheme_rule is not None:
                out[name] = scheme_rule
        elif name in made:
            out[name] = made[name]
    return out


def study_label_zh(name: str, k: int) -> str:
    """A short Chinese label of a study rule, e.g. “近3年平均增速” for mean_growth."""
    name = ALIASES.get(name, name)
    return {
        "scheme": "方案现行规则",
        "mean_level": f"近{k}年平均水平",
        "mean_increment": f"近{k}年平均增量",
        "mean_growth": f"近{k}年平均增速",
        "cagr": f"近{k}年年均复合增速",
        "trend": f"近{max(k, 2)}年线性趋势",
        "peer": "同序列上年增速中位数",
        "last_year_growth": "上年增速",
        "blend": f"近{k}年平均增速与同序列增速各半",
        "table": "下达目标",
    }.get(name, name)


def to_level(target: np.ndarray, last: np.ndarray, basis: str) -> np.ndarray:
    """A target in ``basis`` terms as the level it asks for: a level as it is, an increment
    Δ* as x(t−1) + Δ*, a growth rate g* as x(t−1)·(1 + g*); an official rate (per cent in
    the data, a fraction in scoring) back in per cent."""
    target = np.asarray(target, dtype=float)
    if basis == "level":
        return target
    if basis == "increment":
        return last + target
    if basis == "growth":
        return last * (1.0 + target)
    return target / GIVEN_RATE_SCALE


def to_basis(level: np.ndarray, last: np.ndarray, basis: str) -> np.ndarray:
    """The inverse of ``to_level``: a level target L* in ``basis`` terms (L* − x(t−1),
    L*/x(t−1) − 1, or an official rate as the fraction scoring uses)."""
    level = np.asarray(level, dtype=float)
    if basis == "level":
        return level
    if basis == "increment":
        return level - last
    if basis == "growth":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(last > 0, level / last - 1.0, np.nan)
    return level * GIVEN_RATE_SCALE


def _row(levels: np.ndarray, years: Sequence[int], year: int) -> np.ndarray:
    years = list(years)
    return levels[years.index(year)] if year in years else np.full(levels.shape[1], np.nan)


def level_targets(name: str, levels: np.ndarray, years: Sequence[int], year: int, k: int, *,
                  basis: str = "level", groups: np.ndarray | None = None,
                  table: np.ndarray | None = None) -> np.ndarray:
    """The level x(t) a unit is asked to reach in ``year`` under the study rule ``name``
    (NaN where its history is missing or a growth rate cannot be taken).

    With x(t−1) the last level and k years of history: ``mean_level`` mean of x(t−k)…x(t−1);
    ``mean_increment`` x(t−1) + (x(t−1) − x(t−1−k))/k; ``mean_growth`` x(t−1)·(1 + mean of
    the k growth rates); ``cagr`` x(t−1)·(x(t−1)/x(t−1−k))^(1/k); ``trend`` the least-squares
    line through x(t−k)…x(t−1) one year ahead; ``peer`` x(t−1)·(1 + median growth of the
    unit's sequence last year); ``last_year_growth`` x(t−1)·x(t−1)/x(t−2); ``blend`` half
    mean growth, half peer; ``table`` the assigned target (in ``basis`` terms) as a level.
    For an official rate (``given_rate``) the series is the rate itself: mean growth is the
    mean rate, trend its trend, peer the group's median rate last year, last year's growth
    last year's rate.
    """
    name = ALIASES.get(name, name)
    levels = np.asarray(levels, dtype=float)
    last = _row(levels, years, year - 1)
    if name == "table":
        return (np.full(levels.shape[1], np.nan) if table is None
                else to_level(np.asarray(table, dtype=float), last, basis))
    if name in NOT_FOR_BASIS.get(basis, {}):
        raise ValueError(f"rule '{name}' does not apply to basis '{basis}': "
                         f"{NOT_FOR_BASIS[basis][name]}")
    if basis == "given_rate":
        rate = {"mean_growth": TargetRule(rule="own_average", years=k),
                "trend": TargetRule(rule="trend", years=max(k, 2)),
                "last_year_growth": TargetRule(rule="own_average", years=1)}
        if name in rate:
            return rule_targets(rate[name], levels, years, year, groups=groups)
        codes = np.zeros(levels.shape[1], dtype=int) if groups is None else np.asarray(groups)
        median = np.full(levels.shape[1], np.nan)
        for g in np.unique(codes):
            mask = (codes == g) & np.isfinite(last)
            if mask.any():
                median[codes == g] = np.median(last[mask])
        if name == "peer":
            return median
        return 0.5 * rule_targets(rate["mean_growth"], levels, years, year) + 0.5 * median
    before = _row(levels, years, year - 1 - k)
    with np.errstate(divide="ignore", invalid="ignore"):
        if name == "mean_increment":
            return last + (last - before) / k
        if name == "cagr":
            ratio = np.where((last > 0) & (before > 0), last / before, np.nan)
            return last * ratio ** (1.0 / k)
    rule = preset_rules([name], k)[name]
    return rule_targets(rule, levels, years, year, groups=groups)


def units_by_size(bt: pd.DataFrame, size: pd.Series) -> list[str]:
    """Unit names of a back-test, smallest unit first (for chart axes)."""
    names = bt.drop_duplicates("unit_id").set_index("unit_id")["name"].astype(str)
    order = size.reindex(names.index).sort_index().sort_values(kind="stable")
    return list(names.reindex(order.index))


def usable_k(data: Dataset, year: int, k: int) -> int:
    """The largest history length ≤ ``k`` with which every preset rule has a target in
    ``year`` (last_growth reads k + 1 earlier years); at least 1."""
    before = year - min(data.years)
    return int(max(1, min(k, before - 1)))


def study_indicators(scheme: Scheme, indicator: str | Sequence[str] | None = None
                     ) -> list[Indicator]:
    """The indicators studied: those named, or every completion indicator whose target
    differs per unit (all but ``uniform`` standards such as a 95 % rate); a scheme without
    completion indicators: the volumes it scores (``volume_indicators``), back-tested as if
    targets were set for them (the scheme's own rule is then absent)."""
    comp = completion_indicators(scheme)
    if indicator is None or indicator == "" or indicator == "all":
        chosen = [i for i in comp if i.target is not None and i.target.rule != "uniform"]
        return chosen or comp or volume_indicators(scheme)
    wanted = [indicator] if isinstance(indicator, str) else list(indicator)
    by_id = {i.id: i for i in scheme.indicators()}
    unknown = [w for w in wanted if w not in by_id]
    if unknown:
        raise ValueError(f"indicators not in scheme '{scheme.id}': {unknown}; completion "
                         f"indicators: {[i.id for i in comp]}")
    return [by_id[w] for w in wanted]


def volume_indicators(scheme: Scheme) -> list[Indicator]:
    """Leaves read from observations whose values are volumes a target could be set for:
    not event counts, not rates (unit “%”), not pass/fail."""
    return [i for i in scheme.indicators() if i.event is None and i.unit != "%"
            and i.method != "pass_fail" and i.basis in ("level", "increment", "growth")]


def _arrays(data: Dataset, indicator: str) -> tuple[list[str], np.ndarray, list[int], np.ndarray]:
    ids = list(data.units["unit_id"])
    levels, years = indicator_levels(data, indicator, ids)
    seq = data.units.set_index("unit_id")["sequence"].reindex(ids)
    return ids, levels, years, pd.factorize(seq, sort=True)[0]


def set_targets(data: Dataset, indicator: str, year: int, rule: RuleLike, *,
                direction: str = "positive", basis: str = "level") -> pd.Series:
    """Targets of ``indicator`` for ``year`` under ``rule``: a Series unit_id → target.

    Missing history is a DataError naming unit, indicator and the missing years (unless the
    rule has a ``fallback``); a target ≤ 0 is a DataError naming unit and value.
    """
    rule = _rule(rule)
    ids, levels, years, groups = _arrays(data, indicator)
    got = rule_targets(rule, levels, years, year, basis=basis,
                       reverse=direction == "negative", groups=groups,
                       table=table_targets(data, indicator, year, ids))
    source = str(data.files.get("observations", data.source))
    require_targets(rule, got, levels, years, year, unit_ids=ids, indicator=indicator,
                    basis=basis, source=source)
    bad = np.flatnonzero(got <= 0)
    if len(bad):
        raise DataError([Problem(
            source, f"the {year} target of unit {ids[i]}, indicator '{indicator}' under rule "
            f"{rule.label()} is {got[i]:g}: a completion target must be positive (add a "
            "'floor' to the rule)", zh=f"单位 {ids[i]} 的指标“{indicator}”{year} 年目标值为 "
            f"{got[i]:g}(规则 {rule.label()}),目标须为正数,可为规则设 floor")
            for i in bad], headline=f"Non-positive targets for {year}")
    return pd.Series(got, index=pd.Index(ids, name="unit_id"), name="target")


def backtest(data: Dataset, indicator: str, rules: Mapping[str, RuleLike] | Sequence[str],
             years: Sequence[int] | None = None, *, direction: str = "positive",
             basis: str = "level", k: int = 3, common: bool = False,
             scheme_rule: TargetRule | None = None,
             consistent: tuple[str, str, TargetRule] | None = None) -> pd.DataFrame:
    """Targets each rule would have set in past years, against what units achieved.

    Every target is the LEVEL x(t) the rule asks for (``target``; ``actual`` the level
    reached, ``last`` x(t−1)), and the same target in the scored ``basis`` terms
    (``target_basis``, ``actual_basis``: the increment or growth rate for such a basis).
    ``rules`` are study rule names (``level_targets``; ``scheme``: ``scheme_rule`` on the
    basis, skipped when None; a name that does not apply to the basis is left out, see
    ``not_applicable``) or engine TargetRules by name, applied on the basis as scoring
    does. One row per unit, year and rule with a target (``years`` default: every year).
    ``attainment`` = actual/target in basis terms (target/actual for a negative indicator),
    ``met`` = attainment ≥ 1; a basis target ≤ 0 has no attainment and is kept with
    ``valid`` False. ``growth_error_pp``: actual − target growth on x(t−1), in percentage
    points (official rates: actual − target rate). ``common`` keeps only unit-years every
    rule covers (assigned targets, ``table``, are kept where given and narrow nothing).
    ``consistent`` (series, basis, rule) of a ``blend.consistent`` leaf's growth half: the
    scheme's increment target is then x(t−1)·g*, g* that half's growth target, as the
    engine issues it (``consistent_increment``), not ``scheme_rule`` on the increments.
    """
    ids, levels, data_years, groups = _arrays(data, indicator)
    reverse = direction == "negative"
    if isinstance(rules, Mapping):
        engine: dict[str, TargetRule | None] = {n: _rule(r) for n, r in rules.items()}
    else:
        engine = {n: (scheme_rule if n == "scheme" else None)
                  for n in study_rule_names(list(rules))
                  if n not in NOT_FOR_BASIS.get(basis, {}) and (n != "scheme"
                                                                or scheme_rule is not None)}
    values = basis_series(levels, basis)
    run_years = data_years if years is None else [int(y) for y in years]
    if consistent is not None:  # the growth half's series, in units.csv order as ``ids``
        _, g_levels, g_years, _ = _arrays(data, consistent[0])
    frames = []
    for name, rule in engine.items():
        for year in run_years:
            if year not in data_years:
                continue
            table = table_targets(data, indicator, year, ids)
            last = _row(levels, data_years, year - 1)
            if name == "scheme" and consistent is not None:
                growth = rule_targets(consistent[2], g_levels, g_years, year,
                                      basis=consistent[1], reverse=reverse, groups=groups,
                                      table=table)
                tb = consistent_increment(last, growth)
                target = to_level(tb, last, basis)
            elif rule is not None:
                tb = rule_targets(rule, levels, data_years, year, basis=basis, reverse=reverse,
                                  groups=groups, table=table)
                target = to_level(tb, last, basis)
            else:
                target = level_targets(name, levels, data_years, year, k, basis=basis,
                                       groups=groups, table=table)
                tb = to_basis(target, last, basis)
            actual = _row(levels, data_years, year)
            keep = np.isfinite(target) & np.isfinite(actual) & np.isfinite(tb)
            if not keep.any():
                continue
            frames.append(pd.DataFrame({
                "indicator": indicator, "unit_id": np.asarray(ids)[keep], "year": int(year),
                "rule": name, "target": target[keep], "actual": actual[keep],
                "basis": basis, "last": last[keep], "target_basis": tb[keep],
                "actual_basis": _row(values, data_years, year)[keep]}))
    if not frames:
        return pd.DataFrame(columns=BACKTEST_COLUMNS)
    bt = pd.concat(frames, ignore_index=True)
    if common:
        # assigned targets (``table``) cover the years someone assigned: they do not narrow
        # the other rules' common unit-years, and are kept inside them
        mine = bt["rule"] != "table"
        if mine.any():
            cover = bt.loc[mine].groupby(["unit_id", "year"])["rule"].nunique()
            full = cover.index[cover == bt.loc[mine, "rule"].nunique()]
            keys = pd.MultiIndex.from_frame(bt[["unit_id", "year"]])
            bt = bt.loc[keys.isin(full)].reset_index(drop=True)
    t, a = bt["target_basis"].to_numpy(float), bt["actual_basis"].to_numpy(float)
    valid = (t > 0) & ((a > 0) if reverse else np.isfinite(a))
    with np.errstate(divide="ignore", invalid="ignore"):
        att = np.where(valid, (t / a) if reverse else (a / t), np.nan)
        lv, la, lt = (bt[c].to_numpy(float) for c in ("last", "actual", "target"))
        gap = (la - lt) if basis == "given_rate" else np.where(lv > 0, 100 * (la - lt) / lv,
                                                                np.nan)
    bt["attainment"] = att
    bt["met"] = valid & (att >= 1.0 - 1e-12)
    bt["valid"] = valid
    bt["growth_error_pp"] = gap
    return bt[BACKTEST_COLUMNS]


def not_applicable(indicators: Sequence[Indicator], names: Sequence[str]) -> pd.DataFrame:
    """The (indicator, basis, rule) triples the study names but does not compute because
    the rule makes no sense for the indicator's basis (``NOT_FOR_BASIS``), with the reason.
    (A blended leaf's second half is back-tested under its own rule only.)"""
    rows = []
    wanted = study_rule_names(list(names))
    for ind in indicators:
        for basis, _rule_ in (ind.basis_rules() or [(ind.basis, None)])[:1]:
            for name in wanted:
                reason = NOT_FOR_BASIS.get(basis, {}).get(name)
                if reason:
                    rows.append({"indicator": ind.id, "basis": basis, "rule": name,
                                 "reason": reason})
    return pd.DataFrame(rows, columns=NOT_APPLICABLE_COLUMNS)


def _unit_bootstrap(sub: pd.DataFrame, n_boot: int, seed: int, level: float,
                    halves: tuple[set[str], set[str]] = (set(), set())) -> dict[str, float]:
    """Share met and level MAPE of the rows, and the share met by the units of each size
    half (``halves``: small, large; ``small_n``/``large_n`` valid unit-years), with
    percentile intervals from a bootstrap that resamples units (each drawn unit keeps all
    its years: a unit's years are not independent)."""
    units, u = np.unique(sub["unit_id"].astype(str).to_numpy(), return_inverse=True)
    m = len(units)
    valid = sub["valid"].astype(bool).to_numpy()
    met = sub["met"].astype(bool).to_numpy() & valid
    a, t = sub["actual"].to_numpy(float), sub["target"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ape = np.abs(a - t) / np.abs(a)
    has = np.isfinite(ape)
    per = np.stack([np.bincount(u, weights=w.astype(float), minlength=m)
                    for w in (valid, met, has, np.where(has, ape, 0.0))])  # (4, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        point = (per[1].sum() / per[0].sum(), per[3].sum() / per[2].sum())
    out = {"share_met": float(point[0]) if per[0].sum() else np.nan,
           "mape": float(point[1]) if per[2].sum() else np.nan}
    masks = {name: np.isin(units, sorted(members))
             for name, members in zip(("small", "large"), halves, strict=True)}
    for name, mask in masks.items():
        n_valid = per[0][mask].sum()
        out[f"{name}_met"] = float(per[1][mask].sum() / n_valid) if n_valid else np.nan
        out[f"{name}_n"] = int(n_valid)
    if n_boot > 0 and m > 0:
        rng = np.random.default_rng(seed)
        draws = rng.integers(0, m, size=(n_boot, m))
        counts = np.zeros((n_boot, m))
        np.add.at(counts, (np.repeat(np.arange(n_boot), m), draws.ravel()), 1.0)
        tot = counts @ per.T  # (n_boot, 4)
        with np.errstate(divide="ignore", invalid="ignore"):
            share_b, mape_b = tot[:, 1] / tot[:, 0], tot[:, 3] / tot[:, 2]
            half_b = {name: (counts[:, mask] @ per[1][mask]) / (counts[:, mask] @ per[0][mask])
                      for name, mask in masks.items()}
    else:
        share_b = mape_b = np.array([])
        half_b = {name: np.array([]) for name in masks}
    out["share_met_lo"], out["share_met_hi"] = percentile_interval(share_b, level)
    out["mape_lo"], out["mape_hi"] = percentile_interval(mape_b, level)
    for name, draws in half_b.items():
        out[f"{name}_met_lo"], out[f"{name}_met_hi"] = percentile_interval(draws, level)
    return out


#: columns of ``rule_means`` (targets_rule_means)
RULE_MEAN_COLUMNS = ["rule", "indicators", "n", "units", "share_met", "share_met_lo",
                     "share_met_hi", "small_met", "small_met_lo", "small_met_hi", "large_met",
                     "large_met_lo", "large_met_hi", "level", "boot"]


def rule_means(bt: pd.DataFrame, size: pd.Series, *, n_boot: int = 1000, seed: int = 0,
               level: float = 0.9) -> pd.DataFrame:
    """Per rule, the share of targets met averaged over the indicators it was back-tested
    on (each indicator's share over its valid unit-years, then their plain mean: the figure
    the brief quotes), overall and in the smaller and larger size half, each with a
    ``level`` percentile interval from a bootstrap that resamples units once for all
    indicators (a unit keeps every indicator and year: they are not independent), with
    ``indicators`` averaged, ``n`` valid unit-years and ``units``. An indicator without a
    valid unit-year in a resample (or half) is left out of that resample's mean."""
    small, large = size_halves(pd.Series(size, dtype=float))
    rows = []
    for rule, sub in bt.groupby("rule", sort=True):
        units, u = np.unique(sub["unit_id"].astype(str).to_numpy(), return_inverse=True)
        part = sub.groupby(["indicator", "basis"], sort=False).ngroup().to_numpy()
        m, n_parts = len(units), int(part.max()) + 1
        valid = sub["valid"].astype(bool).to_numpy()
        met = sub["met"].astype(bool).to_numpy() & valid
        flat = part * m + u
        v, k = (np.bincount(flat, weights=x.astype(float), minlength=n_parts * m)
                .reshape(n_parts, m) for x in (valid, met))
        w = unit_weights(np.zeros(m), max(n_boot, 0), seed)  # row 0: the data as they are
        row: dict[str, Any] = {"rule": rule, "indicators": n_parts, "n": int(v.sum()),
                               "units": m, "level": level, "boot": n_boot}
        for name, mask in (("share", np.ones(m, bool)), ("small", np.isin(units, list(small))),
                           ("large", np.isin(units, list(large)))):
            with np.errstate(divide="ignore", invalid="ignore"):
                shares = (w[:, mask] @ k[:, mask].T) / (w[:, mask] @ v[:, mask].T)
            finite = np.isfinite(shares)
            mean = np.where(finite.any(axis=1),
                            np.where(finite, shares, 0.0).sum(axis=1)
                            / np.maximum(finite.sum(axis=1), 1), np.nan)
            key = "share_met" if name == "share" else f"{name}_met"
            row[key] = float(mean[0])
            row[f"{key}_lo"], row[f"{key}_hi"] = percentile_interval(mean[1:], level)
        rows.append(row)
    return pd.DataFrame(rows, columns=RULE_MEAN_COLUMNS)


def unit_attainment(sub: pd.DataFrame) -> pd.Series:
    """Each unit's mean attainment over its valid back-test rows (unit_id → mean): the
    score whose size dependence says whether a rule is harder on small units."""
    ok = sub.loc[sub["valid"].astype(bool)]
    return ok.groupby(ok["unit_id"].astype(str))["attainment"].mean()


def size_halves(size: pd.Series) -> tuple[set[str], set[str]]:
    """Units in the lower and upper halves by size (the middle unit of an odd count in
    neither; ties ordered by unit id)."""
    order = size.dropna().sort_index().sort_values(kind="stable")
    half = len(order) // 2
    return set(order.index[:half]), set(order.index[len(order) - half:])


def backtest_summary(bt: pd.DataFrame, size: pd.Series, *, by: Sequence[str] = ("rule",),
                     groups: pd.Series | None = None, n_boot: int = 1000, seed: int = 0,
                     level: float = 0.9) -> pd.DataFrame:
    """Per rule (and ``by`` groups), on the level targets of ``backtest``:

    - ``n`` unit-years with a target, ``n_invalid`` of them with a basis target ≤ 0 (no
      completion rate), ``years``;
    - ``share_met`` over the valid ones and ``mape`` = mean |actual − target|/|actual| of
      the LEVEL (finite when an increment is near 0), each with a ``level`` bootstrap
      interval over units (``_lo``/``_hi``);
    - ``mase`` = Σ|actual − target| / Σ|actual − x(t−1)|: the error against that of the
      no-change forecast (< 1: better than asking for last year's level);
    - ``growth_mae_pp``: mean |actual − target growth| in percentage points;
    - ``equity_rho`` (``_lo``/``_hi``, ``equity_n`` units): size dependence of the units'
      mean attainment, by ``size_dependence`` (within ``groups``, e.g. sequences), and
      ``equity_rho_all`` over all units; ``small_met``/``large_met``: share met in the
      lower/upper size halves.

    ``equity_rho`` > 0: large units meet their targets more easily (the rule is harder on
    small units).
    """
    size = pd.Series(size, dtype=float)
    small, large = size_halves(size)
    keys = list(by)
    rows = []
    for key, sub in bt.groupby(keys, sort=False):
        ok = sub.loc[sub["valid"].astype(bool)]
        a, t = sub["actual"].to_numpy(float), sub["target"].to_numpy(float)
        last = sub["last"].to_numpy(float) if "last" in sub else np.full(len(sub), np.nan)
        naive = np.isfinite(last)
        den = np.abs(a[naive] - last[naive]).sum()
        gap = (sub["growth_error_pp"].to_numpy(float) if "growth_error_pp" in sub
               else np.full(len(sub), np.nan))
        dep = size_dependence(unit_attainment(sub), size, groups, boot=n_boot, seed=seed,
                              level=level)
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        row.update({
            "n": len(sub), "n_invalid": int(len(sub) - len(ok)),
            "years": int(sub["year"].nunique()),
            **_unit_bootstrap(sub, n_boot, seed, level, (small, large)),
            "mase": float(np.abs(a[naive] - t[naive]).sum() / den) if den > 0 else np.nan,
            "growth_mae_pp": (float(np.nanmean(np.abs(gap))) if np.isfinite(gap).any()
                              else np.nan),
            "equity_rho": dep["rho"], "equity_rho_lo": dep["rho_lo"],
            "equity_rho_hi": dep["rho_hi"], "equity_n": int(dep["n"]),
            "equity_rho_all": dep["rho_all"],
        })
        rows.append(row)
    cols = [*[k for k in keys if k != "rule"], *SUMMARY_COLUMNS]
    return pd.DataFrame(rows, columns=cols)


def size_series(data: Dataset, by: str = "auto", *, year: int | None = None
                ) -> tuple[pd.Series, str]:
    """Unit size (unit_id → value) and what it is: a units.csv column (``population``,
    ``staff``…), or ``indicator:<id>`` / an indicator id — its value in ``year`` (default:
    the first year of the data). ``auto``: the first units.csv column named population*,
    then staff, else the first indicator's first-year value."""
    units = data.units.set_index("unit_id")
    if by == "auto":
        cols = [c for c in units.columns if str(c).startswith("population")]
        cols += [c for c in units.columns if c == "staff"]
        cols = [c for c in cols if pd.api.types.is_numeric_dtype(units[c])]
        if cols:
            by = str(cols[0])
        else:
            by = "indicator:" + str(min(data.observations["indicator"].unique()))
    if by in units.columns:
        values = pd.to_numeric(units[by], errors="coerce")
        if values.isna().any():
            bad = list(values.index[values.isna()])[:10]
            raise DataError([Problem(str(data.files.get("units", "units.csv")),
                                     f"size column '{by}' is missing or not a number for "
                                     f"units {bad}", column=by)],
                            headline="Unit size not usable")
        return values.astype(float).rename("size"), by
    ind = by.removeprefix("indicator:")
    obs = data.observations.loc[data.observations["indicator"] == ind]
    if obs.empty:
        raise ValueError(f"size '{by}': neither a units.csv column "
                         f"({', '.join(map(str, units.columns))}) nor an indicator in the data")
    base = int(obs["year"].min()) if year is None else int(year)
    vals = obs.loc[obs["year"] == base].set_index("unit_id")["value"].astype(float)
    return vals.reindex(units.index).rename("size"), f"{ind}@{base}"


def bounded_rule(rule: TargetRule, scheme_rule: TargetRule | None) -> TargetRule:
    """``rule`` with the bounds of the scheme's own rule (``floor``, ``ceiling``,
    ``not_below_last``, ``min_growth``) where ``rule`` sets none: the study varies how a
    target is derived, the scheme's limits on any target stay (a floor that keeps an
    increment or growth target positive keeps it positive under trend or peer too)."""
    if scheme_rule is None:
        return rule
    add = {k: v for k, v in scheme_rule.bounds().items() if k not in rule.bounds()}
    if not add:
        return rule
    return TargetRule.model_validate({**rule.model_dump(mode="python", exclude_none=True),
                                      **add})


def _with_targets(scheme: Scheme, indicators: Sequence[str], rule: TargetRule) -> Scheme:
    """The scheme with the target rule of the named completion indicators replaced (the rule
    of a blended indicator's blend basis too), each keeping its own bounds (``bounded_rule``)."""
    raw = scheme.model_dump(mode="python", exclude_none=True)
    wanted = set(indicators)
    leaves = {leaf.id: leaf for leaf in scheme.indicators()}

    def dumped(own: TargetRule | None) -> dict[str, Any]:
        return bounded_rule(rule, own).model_dump(mode="python", exclude_none=True)

    def visit(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            if node.get("id") in wanted and node.get("method") == "completion":
                leaf = leaves[node["id"]]
                node["target"] = dumped(leaf.target)
                if leaf.blend is not None and leaf.blend.target is not None:
                    node["blend"]["target"] = dumped(leaf.blend.target)
            visit(node.get("children") or [])

    visit(raw["components"])
    return scheme_from_mapping(raw, file=f"{scheme.id} (target rule {rule.label()})")


#: rule-name suffix of a blended leaf's second half in the back-test ("scheme_blend")
HALF_RULE = "_blend"
#: id suffix of the second half of a blended leaf when the study scores it as its own leaf
HALF_SUFFIX = "__blend_half"


def _half_targets(data: Dataset, leaf: Indicator, name: str | Sequence[str], year: int,
                  k: int) -> list[tuple[str, np.ndarray]]:
    """(basis, targets in that basis's terms) of each half of ``leaf`` under the study rule
    ``name`` (or one name per half) for ``year``; ValueError with the reason where the rule
    does not apply to a half's basis."""
    out = []
    halves = leaf.basis_rules()
    per_half = [name] * len(halves) if isinstance(name, str) else list(name)
    for h, ((basis, _own), rule_name) in enumerate(zip(halves, per_half, strict=True)):
        # each half reads its own series (an official rate for a blend naming one)
        ids, levels, years, groups = _arrays(data, leaf.series(h))
        last = _row(levels, years, year - 1)
        table = table_targets(data, leaf.id, year, ids)
        reason = NOT_FOR_BASIS.get(basis, {}).get(ALIASES.get(rule_name, rule_name))
        if reason and h and leaf.series(h) != leaf.id:
            # an official rate the blend half reads has no levels for this rule: that half
            # keeps the scheme's own rule while the rule sets the other half's target
            out.append((basis, rule_targets(_own, levels, years, year, basis=basis,
                                            reverse=leaf.direction == "negative",
                                            groups=groups)))
            continue
        if reason:
            raise ValueError(reason)
        lv = level_targets(rule_name, levels, years, year, k, basis=basis, groups=groups,
                           table=table)
        out.append((basis, to_basis(lv, last, basis)))
    return out


def rescoring_inputs(data: Dataset, scheme: Scheme, year: int, indicators: Sequence[str],
                     name: str | Sequence[str], k: int) -> tuple[Dataset, Scheme]:
    """Data and scheme that score ``year`` with the study rule ``name`` (or one name per
    half of a blended leaf) setting the targets of the named completion indicators, each
    keeping the bounds of the scheme's rule.

    The rule's level targets go into the targets table (in each basis's terms) and the
    leaves read them with rule ``table``. A blended leaf (增量+增速) becomes two leaves with
    α and 1 − α of its points, the second under the id ``<id>__blend_half`` reading the
    same observations: the score α·f(basis) + (1 − α)·f(blend basis) is unchanged, and each
    half gets its own assigned target."""
    leaves = {leaf.id: leaf for leaf in scheme.indicators()}
    wanted = [i for i in indicators if leaves[i].method == "completion"]
    ids = list(data.units["unit_id"])
    rows, copies = [], []
    for ind in wanted:
        halves = _half_targets(data, leaves[ind], name, year, k)
        for h, (_basis_, got) in enumerate(halves):
            rid = ind if h == 0 else ind + HALF_SUFFIX
            rows.append(pd.DataFrame({"unit_id": ids, "year": int(year), "indicator": rid,
                                      "target": got}).dropna(subset=["target"]))
            if h:
                obs = data.observations.loc[data.observations["indicator"]
                                            == leaves[ind].series(1)]
                copies.append(obs.assign(indicator=rid))
    raw = scheme.model_dump(mode="python", exclude_none=True)

    def table_rule(own: TargetRule | None) -> dict[str, Any]:
        return bounded_rule(TargetRule(rule="table"), own).model_dump(mode="python",
                                                                      exclude_none=True)

    def visit(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for node in nodes:
            if node.get("id") in wanted and node.get("method") == "completion":
                leaf = leaves[node["id"]]
                node["target"] = table_rule(leaf.target)
                blend = node.pop("blend", None)
                if blend is None:
                    out.append(node)
                    continue
                a = float(leaf.blend.alpha)  # type: ignore[union-attr]
                second = {**node, "id": node["id"] + HALF_SUFFIX,
                          "basis": leaf.blend.basis,  # type: ignore[union-attr]
                          "points": leaf.points * (1 - a),
                          "target": table_rule(leaf.blend.target  # type: ignore[union-attr]
                                               or leaf.target)}
                node["points"] = leaf.points * a
                out += [n for n in (node, second) if n["points"] > 0]
            else:
                if node.get("children"):
                    node["children"] = visit(node["children"])
                out.append(node)
        return out

    raw["components"] = visit(raw["components"])
    # an official rate a split blend half read is now carried by its copy: the data keep it
    raw["other_indicators"] = [*raw.get("other_indicators", []), *(
        leaves[i].series(1) for i in wanted if leaves[i].series(1) != i)]
    shown = name if isinstance(name, str) else "+".join(name)
    new_scheme = scheme_from_mapping(raw, file=f"{scheme.id} (target rule {shown})")
    extra = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["unit_id", "year", "indicator", "target"])
    old = data.targets
    if old is not None:
        keep = ~((old["year"] == year) & old["indicator"].isin(set(extra["indicator"])))
        extra = pd.concat([old.loc[keep, ["unit_id", "year", "indicator", "target"]], extra],
                          ignore_index=True)
    new_data = replace(data, targets=extra,
                       observations=pd.concat([data.observations, *copies], ignore_index=True))
    return new_data, new_scheme


def score_effects(data: Dataset, scheme: Scheme, year: int,
                  rules: Mapping[str, RuleLike | None] | Sequence[str], *,
                  indicators: Sequence[str] | None = None,
                  labels: Mapping[str, str] | None = None, k: int = 3,
                  skipped: list[tuple[str, DataError | str]] | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score ``year`` with each rule setting the targets of the scheme's completion
    indicators.

    ``rules``: study rule names (``scheme`` = the scheme as it is; the others through
    ``rescoring_inputs``: each half of a blended leaf gets the rule's level target in its
    own terms), or a mapping of names to engine rules (None: the scheme as it is) applied
    to every half; either way the bounds of the scheme's rules stay (``bounded_rule``).
    Returns the alternatives table (study, alternative, kind, unit_id, name, sequence,
    total, rank, tier, rule) and the shifts against the scheme's own rules (rank_base,
    rank, shift = places moved up, tier_base, tier, tier_changed). A rule that leaves some
    unit without a usable target (none, or one ≤ 0), or does not apply to a basis, raises,
    or, when a ``skipped`` list is given, is left out and listed there with the reason.
    """
    ids = [i.id for i in (study_indicators(scheme) if indicators is None else
                          study_indicators(scheme, list(indicators)))]
    events = data.events.loc[data.events["year"] == year]
    labels = dict(labels or {})
    named: dict[str, RuleLike | None | str] = (
        dict(rules) if isinstance(rules, Mapping)
        else {n: (None if n == "scheme" else n) for n in study_rule_names(list(rules))})

    def scored(dat: Dataset, sch: Scheme) -> pd.DataFrame:
        check_data(dat, sch, year)
        return assign_tiers(score(dat, sch, year), sch, events)

    base = scored(data, scheme)
    alts, shifts = [], []
    for name, rule in named.items():
        try:
            if rule is None:
                table = base
            elif isinstance(rule, str):
                table = scored(*rescoring_inputs(data, scheme, year, ids, rule, k))
            else:
                table = scored(data, _with_targets(scheme, ids, _rule(rule)))
        except (DataError, ValueError) as exc:
            if skipped is None or rule is None:
                raise
            skipped.append((name, exc if isinstance(exc, DataError) else str(exc)))
            continue
        label = labels.get(name, name)
        alts.append(table.assign(study="targets", alternative=label, kind="target_rule",
                                 rule=name)[ALTERNATIVE_COLUMNS])
        merged = base[["unit_id", "name", "sequence", "rank", "tier"]].merge(
            table[["unit_id", "rank", "tier"]], on="unit_id", suffixes=("_base", ""))
        merged["shift"] = merged["rank_base"] - merged["rank"]
        merged["tier_changed"] = merged["tier_base"] != merged["tier"]
        shifts.append(merged.assign(rule=name, alternative=label)[SHIFT_COLUMNS])
    return (pd.concat(alts, ignore_index=True) if alts else pd.DataFrame(columns=ALTERNATIVE_COLUMNS),
            pd.concat(shifts, ignore_index=True) if shifts else pd.DataFrame(columns=SHIFT_COLUMNS))


def skipped_note(skipped: Sequence[tuple[str, DataError | str]],
                 labels: Mapping[str, str]) -> str:
    """A Chinese sentence naming the rules that could not rescore the year and why (the
    first problem of each), or "" when every rule could."""
    if not skipped:
        return ""
    parts = []
    for name, exc in skipped:
        if isinstance(exc, DataError):
            first = exc.problems[0]
            why = first.zh or first.reason
        else:
            why = exc
        parts.append(f"“{labels.get(name, name)}”({why})")
    return ("以下目标规则在当年数据上不适用(有单位得不到可用的正目标值,或规则不适用于该指标"
            "的考核口径),未参与重新计分:" + ";".join(parts) + "。")


def cap_saturation(data: Dataset, scheme: Scheme, year: int,
                   indicators: Sequence[str] | None = None, level: float = 0.9
                   ) -> pd.DataFrame:
    """How many units sit at each completion leaf's cap (完成率封顶, e.g. 120 %) in
    ``year`` under the scheme, and the points paid above the leaf's full points (满分).

    One row per studied completion leaf with a cap above 1 plus a row ``all`` over them:
    ``n`` units, ``at_cap`` (score fraction at the cap), ``share_at_cap`` with a Wilson
    ``level`` interval, ``units_above_full`` / ``points_above_full`` (sum) /
    ``max_points_above``. A leaf at its cap cannot tell units apart any more."""
    ids = [i.id for i in (study_indicators(scheme) if indicators is None else
                          study_indicators(scheme, list(indicators)))]
    leaves = {leaf.id: leaf for leaf in scheme.indicators()}
    ids = [i for i in ids if leaves[i].method == "completion" and leaves[i].cap > 1.0]
    if not ids:
        return pd.DataFrame(columns=CAP_COLUMNS)
    ls = leaf_scores(data, scheme, year)
    ls = ls.loc[ls["indicator"].isin(ids)].copy()
    ls["cap"] = ls["indicator"].map(lambda i: leaves[i].cap)
    ls["at_cap"] = ls["fraction"] >= ls["cap"] - 1e-9
    ls["above"] = (ls["score"] - ls["points_scheme"]).clip(lower=0.0)
    z = float(norm.ppf(0.5 + level / 2))
    rows = []
    for key, g in [*ls.groupby("indicator", sort=False), ("all", ls)]:
        n, x = len(g), int(g["at_cap"].sum())
        lo, hi = wilson(x, n, z)
        rows.append({"indicator": key,
                     "indicator_name": leaves[key].name if key in leaves else "全部",
                     "cap": float(g["cap"].iloc[0]) if g["cap"].nunique() == 1 else np.nan,
                     "points": float(leaves[key].points) if key in leaves else float(
                         sum(leaves[i].points for i in ids)),
                     "n": n, "at_cap": x, "share_at_cap": x / n if n else np.nan,
                     "share_lo": lo, "share_hi": hi,
                     "units_above_full": int((g["above"] > 1e-9).sum()),
                     "points_above_full": float(g["above"].sum()),
                     "max_points_above": float(g["above"].max()) if n else np.nan})
    return pd.DataFrame(rows, columns=CAP_COLUMNS)


def wilson(x: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval of a share x/n (NaN for n = 0)."""
    if n == 0:
        return np.nan, np.nan
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


@dataclass(frozen=True)
class TargetStudy:
    """Everything the chapter shows, as tables (saved under OUT/tables) and labels."""

    backtest: pd.DataFrame  # targets_backtest
    summary: pd.DataFrame  # targets_summary
    rule_means: pd.DataFrame  # targets_rule_means: shares met averaged over indicators
    warnings: pd.DataFrame  # targets_warnings
    alternatives: pd.DataFrame  # alternatives_targets
    shifts: pd.DataFrame  # targets_shifts
    not_applicable: pd.DataFrame  # targets_not_applicable: rules named, not computed
    cap: pd.DataFrame  # targets_cap: units at the completion cap, points above 满分
    size: pd.Series
    size_label: str  # the size measure as readers see it (“2020年常住人口”)
    labels: dict[str, str]  # rule name -> Chinese label
    indicator_names: dict[str, str]
    k: int
    k_used: int
    focus_unit: str
    focus_name: str
    effects_note: str  # why score effects (or some rules' effects) are missing ("" if none)
    reverse: tuple[str, ...] = ()  # studied indicators where lower is better


def _split(text: str | Sequence[str] | None) -> list[str]:
    if text is None:
        return []
    parts = text.split(",") if isinstance(text, str) else list(text)
    return [p.strip() for p in parts if p.strip()]


def run_study(data: Dataset, scheme: Scheme, year: int, *,
              indicator: str | Sequence[str] | None = None,
              rules: str | Sequence[str] = RULE_NAMES, k: int = 3, size: str = "auto",
              focus_unit: str = "", seed: int = 0, n_boot: int = 1000,
              score_data: Dataset | None = None) -> TargetStudy:
    """The whole study for one evaluation year: back-tests of every named rule on every
    studied completion indicator and each half of a blended one (on unit-years all rules
    cover, up to ``year``), their summary against ``size`` within sequences, the rules named
    but not applicable, the scheme's below-last-actual warnings, cap saturation and the
    score effects.

    ``data`` is the panel back-tested (a researcher's own panel, or the scored data);
    ``score_data`` (default ``data``) is rescored for the effects, skipped with a note when
    it does not fit the scheme. ``focus_unit`` defaults to the smallest unit by size.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1 (years of history); got {k}")
    names = study_rule_names(_split(rules) or list(RULE_NAMES))
    inds = study_indicators(scheme, _split(indicator) or None)
    k_used = usable_k(data, year, k)
    size_values, size_label = size_series(data, size)
    size_label = size_name_zh(size_label, {i.id: i.name for i in scheme.indicators()})
    groups = data.units.set_index("unit_id")["sequence"].astype(str)
    labels = {n: study_label_zh(n, k_used) for n in names}
    frames = []
    unit_names = data.units.set_index("unit_id")["name"].astype(str)
    for ind in inds:
        for h, (basis, own) in enumerate(ind.basis_rules() or [(ind.basis, None)]):
            # the second half of a blend: its own rule (and assigned targets); every other
            # rule's level target is the first half's, only the basis terms differ
            half = names if h == 0 else [n for n in names if n in ("scheme", "table")]
            # one growth target for both halves: the increment half's target follows it
            consistent = ((ind.series(1), *ind.basis_rules()[1]) if h == 0 and ind.blend
                          is not None and ind.blend.consistent else None)
            got = backtest(data, ind.series(h), half, [y for y in data.years if y <= year],
                           direction=ind.direction, basis=basis, k=k_used, common=True,
                           scheme_rule=own, consistent=consistent)
            if len(got):
                got["indicator"] = ind.id  # the leaf, whichever series its half reads
            if h and len(got):
                got["rule"] = got["rule"].map(lambda n: f"{n}{HALF_RULE}")
                for n in set(got["rule"]):
                    labels[n] = (f"{labels[n.removesuffix(HALF_RULE)]}"
                                 f"({BASIS_ZH.get(basis, basis)}部分)")
            frames.append(got)
    frames = [f for f in frames if len(f)]
    bt = (pd.concat(frames, ignore_index=True) if frames
          else pd.DataFrame(columns=BACKTEST_COLUMNS))
    bt.insert(2, "name", bt["unit_id"].map(unit_names))
    bt["rule_label"] = bt["rule"].map(labels)
    summary = backtest_summary(bt, size_values, by=("indicator", "basis", "rule"),
                               groups=groups, n_boot=n_boot, seed=seed)
    summary["rule_label"] = summary["rule"].map(labels)
    means = rule_means(bt, size_values, n_boot=n_boot, seed=seed)
    means["rule_label"] = means["rule"].map(labels)
    absent = not_applicable(inds, names)
    done = set(zip(bt["indicator"], bt["basis"], bt["rule"]))
    gone = [{"indicator": i.id, "basis": b, "rule": n,
             "reason": "数据中没有该指标的下达目标" if n == "table" else "历史数据不足"}
            for i in inds for h, (b, _) in enumerate(i.basis_rules() or [(i.basis, None)])
            for n in (names if h == 0 else ["table"] if "table" in names else [])
            if n != "scheme" and (i.id, b, n if h == 0 else n + HALF_RULE) not in done
            and n not in NOT_FOR_BASIS.get(b, {})]
    absent = pd.concat([absent, pd.DataFrame(gone, columns=NOT_APPLICABLE_COLUMNS)],
                       ignore_index=True) if gone else absent
    scored = data if score_data is None else score_data
    note = ""
    try:
        check_data(scored, scheme, year)
    except DataError as exc:
        note = (f"数据不符合考核方案“{scheme.name}”({len(exc.problems)} 处问题,例如:"
                f"{exc.problems[0].zh or exc.problems[0].reason}),无法按各规则重新计分。")
    if not note and not any(i.method == "completion" for i in inds):
        note = ("考核方案没有按完成率考核的指标,本章回测的是若为这些指标下达目标、各规则的"
                "准确程度,不涉及现行得分与等次。")
    if note:
        warn = pd.DataFrame(columns=WARNING_COLUMNS)
        alts = pd.DataFrame(columns=ALTERNATIVE_COLUMNS)
        shifts = pd.DataFrame(columns=SHIFT_COLUMNS)
        cap = pd.DataFrame(columns=CAP_COLUMNS)
    else:
        warn = target_warnings(scored, scheme, year)
        skipped: list[tuple[str, DataError | str]] = []
        effect_names = [n for n in names if n != "table" or scored.targets is not None]
        alts, shifts = score_effects(scored, scheme, year, effect_names,
                                     indicators=[i.id for i in inds], labels=labels,
                                     k=usable_k(scored, year, k), skipped=skipped)
        note = skipped_note(skipped, labels)
        cap = cap_saturation(scored, scheme, year, [i.id for i in inds])
    if focus_unit:
        if focus_unit not in unit_names.index:
            raise ValueError(f"focus_unit '{focus_unit}' is not a unit_id of units.csv")
        focus = focus_unit
    else:
        focus = str(size_values.dropna().sort_index().sort_values(kind="stable").index[0])
    return TargetStudy(
        backtest=bt, summary=summary, rule_means=means, warnings=warn, alternatives=alts, shifts=shifts,
        not_applicable=absent, cap=cap, size=size_values, size_label=size_label,
        labels=labels, indicator_names={i.id: i.name for i in inds}, k=k, k_used=k_used,
        focus_unit=focus, focus_name=str(unit_names.get(focus, focus)), effects_note=note,
        reverse=tuple(i.id for i in inds if i.direction == "negative"))
