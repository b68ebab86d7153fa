"""Study 1, differentiated targets (差异化目标): which target rule is accurate, which is fair
to small units, and what each does to scores and tiers.

``set_targets`` gives one year's targets under a rule; ``backtest`` sets every past year's
targets with each rule and compares them with what happened; ``backtest_summary`` scores the
rules on accuracy (``mape``), achievability (``share_met``) and equity (Spearman of
attainment with unit size, bootstrap interval); ``score_effects`` rescores the evaluation
year with each rule applied to the scheme's completion indicators.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..data import Dataset, check_data
from ..errors import DataError, Problem
from ..scheme import Indicator, Scheme, TargetRule, scheme_from_mapping
from ..scoring import score
from ..targets import (
    WARNING_COLUMNS,
    completion_indicators,
    indicator_levels,
    require_targets,
    rule_targets,
    table_targets,
    target_warnings,
)
from ..tiers import assign_tiers

RuleLike = TargetRule | Mapping[str, Any]
RULE_NAMES = ("scheme", "own_average", "last_growth", "trend", "peer", "blend")
#: also allowed by name: "table", the assigned targets of targets.csv
OTHER_RULE_NAMES = ("table",)
BACKTEST_COLUMNS = ["indicator", "unit_id", "year", "rule", "target", "actual", "attainment",
                    "met", "valid"]
SUMMARY_COLUMNS = ["rule", "n", "n_invalid", "years", "share_met", "mape", "equity_rho",
                   "equity_rho_lo", "equity_rho_hi", "small_met", "large_met"]
ALTERNATIVE_COLUMNS = ["study", "alternative", "kind", "unit_id", "name", "sequence", "total",
                       "rank", "tier", "rule"]
SHIFT_COLUMNS = ["rule", "alternative", "unit_id", "name", "sequence", "rank_base", "rank",
                 "shift", "tier_base", "tier", "tier_changed"]


def _rule(rule: RuleLike) -> TargetRule:
    return rule if isinstance(rule, TargetRule) else TargetRule.model_validate(dict(rule))


def preset_rules(names: Sequence[str], k: int = 3,
                 scheme_rule: TargetRule | None = None) -> dict[str, TargetRule]:
    """Named rules for the study: ``own_average``/``last_growth``/``trend`` over ``k`` years
    (trend at least 2), ``peer``, ``blend`` (half last_growth, half peer) and ``scheme``
    (the indicator's own rule in the scheme, skipped when there is none); ``table``: the
    assigned targets of targets.csv."""
    made = {
        "own_average": TargetRule(rule="own_average", years=k),
        "last_growth": TargetRule(rule="last_growth", years=k),
        "trend": TargetRule(rule="trend", years=max(k, 2)),
        "peer": TargetRule(rule="peer"),
        "blend": TargetRule(rule="blend", weight=0.5,
                            of=[TargetRule(rule="last_growth", years=k), TargetRule(rule="peer")]),
        "table": TargetRule(rule="table"),
    }
    unknown = [n for n in names if n not in made and n != "scheme"]
    if unknown:
        raise ValueError(f"unknown target rule names {unknown}; allowed: "
                         f"{[*RULE_NAMES, *OTHER_RULE_NAMES]}")
    out: dict[str, TargetRule] = {}
    for name in names:
        if name == "scheme":
            if scheme_rule is not None:
                out[name] = scheme_rule
        else:
            out[name] = made[name]
    return out


def rule_label_zh(name: str, rule: TargetRule) -> str:
    """A short Chinese label of a named rule, e.g. “近3年平均增速” for last_growth(3)."""
    if name == "scheme":
        return "方案现行规则"
    r = rule.rule
    if r == "own_average":
        text = f"近{rule.years}年平均"
    elif r == "last_growth":
        text = f"近{rule.years}年平均增速"
    elif r == "trend":
        text = f"近{rule.years}年趋势"
    elif r == "peer":
        text = "同序列增速中位数"
    elif r == "blend":
        a, b = rule.of or []
        w = float(rule.weight or 0.0)
        text = (f"{rule_label_zh('', a)}与{rule_label_zh('', b)}各半" if w == 0.5 else
                f"{w:g}×{rule_label_zh('', a)}+{1 - w:g}×{rule_label_zh('', b)}")
    elif r == "uniform":
        text = f"统一目标{rule.value:g}"
    else:
        text = "下达目标(targets.csv)"
    return text


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
    """The completion indicators studied: those named, or every completion indicator whose
    target differs per unit (all but ``uniform`` standards such as a 95 % rate)."""
    comp = completion_indicators(scheme)
    if indicator is None or indicator == "" or indicator == "all":
        return [i for i in comp if i.target is not None and i.target.rule != "uniform"] or comp
    wanted = [indicator] if isinstance(indicator, str) else list(indicator)
    by_id = {i.id: i for i in scheme.indicators()}
    unknown = [w for w in wanted if w not in by_id]
    if unknown:
        raise ValueError(f"indicators not in scheme '{scheme.id}': {unknown}; completion "
                         f"indicators: {[i.id for i in comp]}")
    return [by_id[w] for w in wanted]


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
             basis: str = "level", k: int = 3, common: bool = False) -> pd.DataFrame:
    """Targets each rule would have set in past years, against what units achieved.

    One row per unit, year and rule where the rule has the history it needs (``years``
    default: every year of the data). ``attainment`` = actual/target (target/actual for a
    negative indicator), ``met`` = attainment ≥ 1; a target ≤ 0 has no attainment and is
    kept with ``valid`` False. ``rules`` are TargetRules by name, or preset names
    (``preset_rules`` with ``k``); ``common`` keeps only unit-years every rule covers.
    """
    named = ({n: _rule(r) for n, r in rules.items()} if isinstance(rules, Mapping)
             else preset_rules(list(rules), k))
    ids, levels, data_years, groups = _arrays(data, indicator)
    series = levels if basis == "level" else _basis(levels, basis)
    reverse = direction == "negative"
    run_years = data_years if years is None else [int(y) for y in years]
    frames = []
    for name, rule in named.items():
        for year in run_years:
            if year not in data_years:
                continue
            target = rule_targets(rule, levels, data_years, year, basis=basis, reverse=reverse,
                                  groups=groups, table=table_targets(data, indicator, year, ids))
            actual = series[data_years.index(year)]
            keep = np.isfinite(target) & np.isfinite(actual)
            if not keep.any():
                continue
            frames.append(pd.DataFrame({
                "indicator": indicator, "unit_id": np.asarray(ids)[keep], "year": int(year),
                "rule": name, "target": target[keep], "actual": actual[keep]}))
    if not frames:
        return pd.DataFrame(columns=BACKTEST_COLUMNS)
    bt = pd.concat(frames, ignore_index=True)
    if common:
        cover = bt.groupby(["unit_id", "year"])["rule"].transform("nunique")
        bt = bt.loc[cover == len(named)].reset_index(drop=True)
    t, a = bt["target"].to_numpy(float), bt["actual"].to_numpy(float)
    valid = (t > 0) & ((a > 0) if reverse else np.ones(len(a), dtype=bool))
    with np.errstate(divide="ignore", invalid="ignore"):
        att = np.where(valid, (t / a) if reverse else (a / t), np.nan)
    bt["attainment"] = att
    bt["met"] = valid & (att >= 1.0 - 1e-12)
    bt["valid"] = valid
    return bt[BACKTEST_COLUMNS]


def _basis(levels: np.ndarray, basis: str) -> np.ndarray:
    from ..targets import basis_series

    return basis_series(levels, basis)


def _tied_ranks(x: np.ndarray, weights: np.ndarray, presorted: bool = False) -> np.ndarray:
    """Average ranks of ``x`` (m,) in every weighted resample: ``weights`` (m, B) counts how
    often each unit is drawn (units on rows, so reordering them moves whole rows); a unit's
    rank is the weight below it plus half its tie group's weight (+½), i.e. the average
    rank it gets among the resampled copies. ``presorted``: ``x`` is already ascending."""
    order = np.arange(len(x)) if presorted else np.argsort(x, kind="stable")
    xs = x[order]
    ws = weights if presorted else weights[order]
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    if len(starts) == len(x):  # no ties: each unit its own group
        sorted_ranks = np.cumsum(ws, axis=0) - (ws - 1.0) / 2.0
    else:
        group = np.add.reduceat(ws, starts, axis=0)  # (groups, B)
        grank = np.cumsum(group, axis=0) - (group - 1.0) / 2.0
        sorted_ranks = grank[np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(x)]))]
    if presorted:
        return sorted_ranks
    out = np.empty_like(sorted_ranks)
    out[order] = sorted_ranks
    return out


def _weighted_spearman(a: np.ndarray, s: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Spearman of ``a`` with ``s`` (m,, ascending) in each resample given by ``weights``
    (m, B); NaN where fewer than 3 distinct units are drawn or either side is constant."""
    ra, rs = _tied_ranks(a, weights), _tied_ranks(s, weights, presorted=True)
    total = weights.sum(axis=0)
    da = ra - (weights * ra).sum(axis=0) / total
    ds = rs - (weights * rs).sum(axis=0) / total
    wda = weights * da
    cov = (wda * ds).sum(axis=0)
    var = (wda * da).sum(axis=0) * (weights * ds * ds).sum(axis=0)
    ok = (var > 1e-12) & ((weights > 0).sum(axis=0) >= 3)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, cov / np.sqrt(np.where(ok, var, 1.0)), np.nan)


def _equity(sub: pd.DataFrame, size: pd.Series, n_boot: int, seed: int,
            level: float) -> tuple[float, float, float]:
    """Mean over (indicator, year) cells of Spearman(attainment, size), and a bootstrap
    interval resampling units (each drawn unit keeps all its years)."""
    ok = sub.loc[sub["valid"].astype(bool) & sub["unit_id"].isin(size.dropna().index)]
    if ok.empty:
        return np.nan, np.nan, np.nan
    wide = ok.pivot_table(index=["indicator", "year"], columns="unit_id", values="attainment",
                          aggfunc="mean")
    sz = size.reindex(wide.columns).to_numpy(float)
    by_size = np.argsort(sz, kind="stable")  # units in size order: size ranks need no sort
    att, sz = wide.to_numpy(float)[:, by_size], sz[by_size]
    n = att.shape[1]
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    counts = np.bincount((idx + n * np.arange(n_boot)[:, None]).ravel(),
                         minlength=n_boot * n).reshape(n_boot, n).astype(float)
    # (units, 1 + draws): column 0 is the data themselves
    weights = np.ascontiguousarray(np.vstack([np.ones((1, n)), counts]).T)
    cells = []
    for row in att:
        present = np.isfinite(row)
        if present.sum() >= 3:
            w = weights if present.all() else weights[present]
            cells.append(_weighted_spearman(row[present], sz[present], w))
    if not cells:
        return np.nan, np.nan, np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a draw with no defined cell: NaN
        means = np.nanmean(np.stack(cells), axis=0)
    point, boot = float(means[0]), means[1:]
    if not np.isfinite(boot).any():
        return point, np.nan, np.nan
    tail = (1.0 - level) / 2.0
    lo, hi = np.nanquantile(boot, [tail, 1.0 - tail])
    return point, float(lo), float(hi)


def size_halves(size: pd.Series) -> tuple[set[str], set[str]]:
    """Units in the lower and upper halves by size (the middle unit of an odd count in
    neither; ties ordered by unit id)."""
    order = size.dropna().sort_index().sort_values(kind="stable")
    half = len(order) // 2
    return set(order.index[:half]), set(order.index[len(order) - half:])


def backtest_summary(bt: pd.DataFrame, size: pd.Series, *, by: Sequence[str] = ("rule",),
                     n_boot: int = 1000, seed: int = 0, level: float = 0.9) -> pd.DataFrame:
    """Per rule (and ``by`` groups): ``share_met``, ``mape`` = mean |actual − target|/|actual|,
    ``equity_rho`` (Spearman of attainment with ``size`` averaged over years, with a
    bootstrap ``level`` interval over units), ``small_met``/``large_met`` (share met in the
    lower/upper size halves). Rows with ``valid`` False count in ``n_invalid`` only.

    ``equity_rho`` near 0: attainment does not depend on size; > 0: large units meet their
    targets more easily (the rule is harder on small units).
    """
    size = pd.Series(size, dtype=float)
    small, large = size_halves(size)
    keys = list(by)
    rows = []
    for key, sub in bt.groupby(keys, sort=False):
        ok = sub.loc[sub["valid"].astype(bool)]
        with np.errstate(divide="ignore", invalid="ignore"):
            ape = (ok["actual"] - ok["target"]).abs() / ok["actual"].abs()
        rho, lo, hi = _equity(sub, size, n_boot, seed, level)
        in_small, in_large = ok["unit_id"].isin(small), ok["unit_id"].isin(large)
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        row.update({
            "n": len(ok), "n_invalid": int(len(sub) - len(ok)),
            "years": int(ok["year"].nunique()),
            "share_met": float(ok["met"].mean()) if len(ok) else np.nan,
            "mape": float(ape[np.isfinite(ape)].mean()) if len(ok) else np.nan,
            "equity_rho": rho, "equity_rho_lo": lo, "equity_rho_hi": hi,
            "small_met": float(ok.loc[in_small, "met"].mean()) if in_small.any() else np.nan,
            "large_met": float(ok.loc[in_large, "met"].mean()) if in_large.any() else np.nan,
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


def score_effects(data: Dataset, scheme: Scheme, year: int,
                  rules: Mapping[str, RuleLike | None], *,
                  indicators: Sequence[str] | None = None,
                  labels: Mapping[str, str] | None = None,
                  skipped: list[tuple[str, DataError]] | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score ``year`` with each rule applied to the scheme's completion indicators.

    ``rules`` maps a name to a rule (None: the scheme as it is); each keeps the bounds of
    the scheme's rules (``bounded_rule``). Returns the alternatives table (study,
    alternative, kind, unit_id, name, sequence, total, rank, tier, rule) and the shifts
    against the scheme's own rules (rank_base, rank, shift = places moved up, tier_base,
    tier, tier_changed). A rule that leaves some unit without a usable target (none, or
    one ≤ 0) raises its DataError, or, when a ``skipped`` list is given, is left out and
    listed there with the error (not applicable to these data).
    """
    ids = [i.id for i in (study_indicators(scheme) if indicators is None else
                          study_indicators(scheme, list(indicators)))]
    events = data.events.loc[data.events["year"] == year]
    labels = dict(labels or {})

    def scored(sch: Scheme) -> pd.DataFrame:
        check_data(data, sch, year)
        return assign_tiers(score(data, sch, year), sch, events)

    base = scored(scheme)
    alts, shifts = [], []
    for name, rule in rules.items():
        try:
            table = base if rule is None else scored(_with_targets(scheme, ids, _rule(rule)))
        except DataError as exc:
            if skipped is None or rule is None:
                raise
            skipped.append((name, exc))
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


def skipped_note(skipped: Sequence[tuple[str, DataError]], labels: Mapping[str, str]) -> str:
    """A Chinese sentence naming the rules that could not rescore the year and why (the
    first problem of each), or "" when every rule could."""
    if not skipped:
        return ""
    parts = []
    for name, exc in skipped:
        first = exc.problems[0]
        parts.append(f"“{labels.get(name, name)}”({first.zh or first.reason})")
    return ("以下目标规则在当年数据上不适用(有单位得不到可用的正目标值),未参与重新计分:"
            + ";".join(parts) + "。")


@dataclass(frozen=True)
class TargetStudy:
    """Everything the chapter shows, as tables (saved under OUT/tables) and labels."""

    backtest: pd.DataFrame  # targets_backtest
    summary: pd.DataFrame  # targets_summary
    warnings: pd.DataFrame  # targets_warnings
    alternatives: pd.DataFrame  # alternatives_targets
    shifts: pd.DataFrame  # targets_shifts
    size: pd.Series
    size_label: str
    labels: dict[str, str]  # rule name -> Chinese label
    indicator_names: dict[str, str]
    k: int
    k_used: int
    focus_unit: str
    focus_name: str
    effects_note: str  # why score effects (or some rules' effects) are missing ("" if none)


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
    studied completion indicator (on unit-years all rules cover, up to ``year``), their
    summary against ``size``, the scheme's below-last-actual warnings and the score effects.

    ``data`` is the panel back-tested (a researcher's own panel, or the scored data);
    ``score_data`` (default ``data``) is rescored for the effects, skipped with a note when
    it does not fit the scheme. ``focus_unit`` defaults to the smallest unit by size.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1 (years of history); got {k}")
    names = _split(rules) or list(RULE_NAMES)
    inds = study_indicators(scheme, _split(indicator) or None)
    k_used = usable_k(data, year, k)
    size_values, size_label = size_series(data, size)
    frames, labels = [], {}
    unit_names = data.units.set_index("unit_id")["name"].astype(str)
    for ind in inds:
        named = preset_rules(names, k_used, ind.target)
        labels.update({n: rule_label_zh(n, r) for n, r in named.items() if n != "scheme"})
        if "scheme" in named:
            labels["scheme"] = "方案现行规则"
        bt = backtest(data, ind.id, named, [y for y in data.years if y <= year],
                      direction=ind.direction, basis=ind.basis, common=True)
        frames.append(bt)
    bt = (pd.concat(frames, ignore_index=True) if frames
          else pd.DataFrame(columns=BACKTEST_COLUMNS))
    bt.insert(2, "name", bt["unit_id"].map(unit_names))
    bt["rule_label"] = bt["rule"].map(labels)
    summary = backtest_summary(bt, size_values, by=("indicator", "rule"), n_boot=n_boot,
                               seed=seed)
    summary["rule_label"] = summary["rule"].map(labels)
    scored = data if score_data is None else score_data
    note = ""
    try:
        check_data(scored, scheme, year)
    except DataError as exc:
        note = (f"数据不符合考核方案“{scheme.name}”({len(exc.problems)} 处问题,例如:"
                f"{exc.problems[0].zh or exc.problems[0].reason}),无法按各规则重新计分。")
    if note:
        warn = pd.DataFrame(columns=WARNING_COLUMNS)
        alts = pd.DataFrame(columns=ALTERNATIVE_COLUMNS)
        shifts = pd.DataFrame(columns=SHIFT_COLUMNS)
    else:
        warn = target_warnings(scored, scheme, year)
        effect_rules: dict[str, RuleLike | None] = {
            n: (None if n == "scheme" else r)
            for n, r in preset_rules(names, usable_k(scored, year, k)).items()}
        if "scheme" in names:
            effect_rules = {"scheme": None, **effect_rules}
        skipped: list[tuple[str, DataError]] = []
        alts, shifts = score_effects(scored, scheme, year, effect_rules,
                                     indicators=[i.id for i in inds], labels=labels,
                                     skipped=skipped)
        note = skipped_note(skipped, labels)
    if focus_unit:
        if focus_unit not in unit_names.index:
            raise ValueError(f"focus_unit '{focus_unit}' is not a unit_id of units.csv")
        focus = focus_unit
    else:
        focus = str(size_values.dropna().sort_index().sort_values(kind="stable").index[0])
    return TargetStudy(
        backtest=bt, summary=summary, warnings=warn, alternatives=alts, shifts=shifts,
        size=size_values, size_label=size_label, labels=labels,
        indicator_names={i.id: i.name for i in inds}, k=k, k_used=k_used, focus_unit=focus,
        focus_name=str(unit_names.get(focus, focus)), effects_note=note)
