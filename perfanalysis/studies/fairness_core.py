"""Core of the fairness study: inputs (sizes, the main indicator, unit order), the variants of
one indicator (vectorised over draws) and of a group or the total (through the scoring
engine), and the public ``variants`` / ``variants_panel``. Re-exported by
``perfanalysis.studies.fairness``, whose docstring describes the study.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ..engine import methods
from ..engine.adjustments import adjustment_table
from ..engine.data import Dataset, check_data
from ..engine.scheme import Group, Indicator, Scheme
from ..engine.scoring import ScoringInput, component_scores, leaf_fractions, prepare
from ..engine.tiers import quota_for, rounded_count
from ..errors import DataError, Problem, SchemeError
from .fairness_growth import (
    growth_percentiles,
    value_added_batched,
    value_added_statsmodels,
    year_effects,
)

Blend = Literal["level", "increment"]

#: Chinese labels of the variants, for tables and charts.
VARIANT_NAMES = {"level": "总量", "growth": "增速", "increment": "增量", "per_capita": "人均量",
                 "blend": "总量与增速混合", "cgp": "条件增长百分位", "value_added": "增值残差"}
SIZE_COLUMNS = ("population", "population_2020", "resident_population", "staff")
MONEY_UNITS = ("元", "万元", "亿元")
MIN_CROSS_SECTION = 30  # below this many units a year's growth quantiles pool all years
TOTAL = "total"



# --- inputs ---------------------------------------------------------------------------------
def alpha_grid(step: float = 0.1) -> np.ndarray:
    """α = 0, step, …, 1 (rounded to avoid 0.30000000000000004)."""
    if not 0 < step <= 1:
        raise ValueError(f"alpha step {step!r}: must be in (0, 1]")
    n = round(1.0 / step)
    grid = np.round(np.linspace(0.0, 1.0, n + 1), 6)
    return grid


def default_size_column(units: pd.DataFrame) -> str:
    """The units.csv column that measures size: population first, staff last."""
    for col in SIZE_COLUMNS:
        if col in units.columns:
            return col
    extra = [c for c in units.columns if c not in ("unit_id", "name", "sequence")
             and pd.api.types.is_numeric_dtype(units[c])]
    if not extra:
        raise DataError([Problem("units.csv", "no numeric size column (e.g. population); "
                                 "add one or pass an external size table (unit_id,size)",
                                 zh="没有规模列(如人口),请补充或提供外部规模表")],
                        headline="No unit size for the fairness study")
    return extra[0]


def unit_sizes(data: Dataset, column: str | None = None,
               path: str | Path | None = None) -> pd.Series:
    """Positive size per unit (index unit_id): a units.csv column, or an external CSV
    ``unit_id,size`` (``path``) so researchers can plug in real figures."""
    ids = list(data.units["unit_id"])
    if path:
        src = Path(path)
        try:
            table = pd.read_csv(src, dtype={"unit_id": str})
        except (OSError, ValueError) as exc:
            raise DataError([Problem(str(src), f"cannot read the size table: {exc}")],
                            headline="Unreadable size table") from exc
        missing_cols = {"unit_id", "size"} - set(table.columns)
        if missing_cols:
            raise DataError([Problem(str(src), f"needs columns unit_id,size; missing "
                                     f"{', '.join(sorted(missing_cols))}")],
                            headline="Size table without unit_id,size")
        label, raw = str(src), table.set_index("unit_id")["size"]
        rows = {u: i + 2 for i, u in enumerate(table["unit_id"])}
    else:
        column = column or default_size_column(data.units)
        if column not in data.units.columns:
            raise DataError([Problem("units.csv", f"no column '{column}' for unit size",
                                     column=column)], headline="Unknown size column")
        label, raw = "units.csv", data.units.set_index("unit_id")[column]
        rows = {u: i + 2 for i, u in enumerate(data.units["unit_id"])}
    problems = [Problem(label, f"unit '{u}' is not in units.csv", row=rows.get(u),
                        column="unit_id", value=u) for u in raw.index if u not in set(ids)]
    problems += [Problem(label, f"no size for unit '{u}'", column="size", value=u)
                 for u in ids if u not in raw.index]
    values = pd.to_numeric(raw.reindex([u for u in ids if u in raw.index]), errors="coerce")
    problems += [Problem(label, f"size of unit '{u}' must be a positive number", row=rows.get(u),
                         column="size", value=raw.get(u))
                 for u, v in values.items() if not (np.isfinite(v) and v > 0)]
    if problems:
        raise DataError(problems, headline="Invalid unit sizes for the fairness study")
    return values.astype(float).rename("size")


def main_level_indicator(scheme: Scheme) -> str:
    """The scheme's main level indicator (e.g. GDP): the first leaf with a blend (level or
    increment with growth, 增量+增速), else the level-scored money leaf with the most points."""
    leaves = [leaf for leaf in scheme.indicators() if leaf.event is None]
    for leaf in leaves:
        if leaf.blend is not None and leaf.basis in ("level", "increment"):
            return leaf.id
    money = [leaf for leaf in leaves if leaf.basis == "level" and leaf.direction == "positive"
             and (leaf.unit or "") in MONEY_UNITS]
    pool = money or [leaf for leaf in leaves if leaf.basis == "level"] or leaves
    return max(pool, key=lambda leaf: leaf.points).id


def _units(data: Dataset) -> pd.DataFrame:
    """Units sorted by sequence then id, as the scoring engine orders them."""
    return data.units.sort_values(["sequence", "unit_id"], kind="stable").reset_index(drop=True)


def _history(data: Dataset, indicator: str, unit_ids: list[str], years: list[int]) -> np.ndarray:
    """Values (N, len(years)) of one indicator; a missing or non-finite value is an error."""
    obs = data.observations.loc[data.observations["indicator"] == indicator]
    label = str(data.files.get("observations", "observations.csv"))
    if obs.empty:
        raise DataError([Problem(label, f"no observations of indicator '{indicator}'",
                                 column="indicator", value=indicator)],
                        headline="Unknown indicator for the fairness study")
    wide = obs.pivot_table(index="unit_id", columns="year", values="value", aggfunc="first")
    values = wide.reindex(index=unit_ids, columns=years).to_numpy(dtype=float)
    bad = np.argwhere(~np.isfinite(values))
    if len(bad):
        raise DataError([Problem(label, f"indicator '{indicator}' has no value for unit "
                                 f"'{unit_ids[i]}' in {years[j]}", column="value")
                         for i, j in bad[:50]], headline=f"Missing values of '{indicator}'")
    return values


def _groups(sequences: pd.Series, by: str) -> np.ndarray:
    if by == "all":
        return np.zeros(len(sequences), dtype=int)
    return pd.factorize(sequences, sort=True)[0]


def _top_counts(scheme: Scheme, sequences: list[str]) -> np.ndarray:
    """Quota of each unit's sequence: how many units of it may be top tier."""
    seqs = pd.Series(sequences)
    sizes = seqs.value_counts()
    rules = scheme.tiers
    out = {}
    for seq, n in sizes.items():
        if rules.method == "forced_distribution":
            out[seq] = max(1, rounded_count(rules.shares[0] * int(n), rules.rounding))
        else:
            out[seq] = quota_for(rules, str(seq), int(n))
    return seqs.map(out).to_numpy(dtype=int)


# --- the variants of one indicator ----------------------------------------------------------
def _check_positive(values: np.ndarray, unit_ids: list[str], indicator: str, what: str) -> None:
    bad = np.argwhere(~(values > 0))
    if len(bad):
        raise DataError([Problem("observations.csv", f"indicator '{indicator}' of unit "
                                 f"'{unit_ids[i]}' is {values[i, j]:g}: {what} needs positive "
                                 "values", column="value", value=float(values[i, j]))
                         for i, j in bad[:20]], headline=f"Non-positive values of '{indicator}'")


def _indicator_scores(hist: np.ndarray, groups: np.ndarray, alphas: np.ndarray,
                      size: np.ndarray | None, blend_with: Blend, log: bool
                      ) -> tuple[list[tuple[str, float]], np.ndarray]:
    """Variant scores (V, ..., N) from values ``hist`` (..., N, P+1), current value last.

    Vectorised over any leading (draw) axes.
    """
    level, prev = hist[..., -1], hist[..., -2]

    def pos(x: np.ndarray) -> np.ndarray:
        return 100.0 * methods.minmax(x, groups)

    growth = methods.basis_values(level, prev, "growth")
    base = pos(level if blend_with == "level" else level - prev)
    g = pos(growth)
    labels: list[tuple[str, float]] = [("level", np.nan), ("growth", np.nan),
                                       ("increment", np.nan)]
    scores = [pos(level), g, pos(level - prev)]
    if size is not None:
        labels.append(("per_capita", np.nan))
        scores.append(pos(level / size))
    for a in alphas:
        labels.append(("blend", float(a)))
        scores.append(float(a) * base + (1.0 - float(a)) * g)
    scale = np.log if log else np.asarray
    z = value_added_batched(scale(level), scale(hist[..., :-1]))
    labels.append(("value_added", np.nan))
    scores.append(z)
    return labels, np.stack(scores)


def _cgp_fit_data(data: Dataset, indicator: str, year: int, priors: int, unit_ids: list[str],
                  pooled: bool, log: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(current, priors, year) rows the quantile regressions are fitted on."""
    years = data.years
    t = years.index(year)
    first = priors if pooled else t
    cur, pri, yrs = [], [], []
    for s in range(first, t + 1):
        span = years[s - priors:s + 1]
        if span[0] != span[-1] - priors:
            continue  # a gap in the years: no consecutive history for this year
        h = _history(data, indicator, unit_ids, span)
        if log:
            _check_positive(h, unit_ids, indicator, "a log-scale growth model")
            h = np.log(h)
        cur.append(h[:, -1])
        pri.append(h[:, :-1])
        yrs.append(np.full(len(unit_ids), years[s]))
    return np.concatenate(cur), np.concatenate(pri), np.concatenate(yrs)


def _needed_years(data: Dataset, year: int, priors: int) -> list[int]:
    years = data.years
    if year not in years:
        raise DataError([Problem("observations.csv", f"no observations in {year}",
                                 column="year", value=year)], headline="Year not in the data")
    t = years.index(year)
    if t < priors or years[t - priors] != year - priors:
        raise DataError([Problem("observations.csv", f"growth in {year} needs {priors} "
                                 f"consecutive earlier year(s) of data", column="year",
                                 value=year)], headline="Not enough history")
    return years[t - priors:t + 1]


def conditional_growth_percentiles(data: Dataset, indicator: str, year: int, priors: int = 1,
                                   *, log: bool = True, pooled: bool | None = None) -> pd.Series:
    """Conditional growth percentile (1–99) of every unit in ``year`` (index unit_id).

    Quantile regressions of the current value on ``priors`` prior values (log scale by
    default) at τ = 0.01 … 0.99, predictions made monotone in τ; the percentile counts
    fitted quantiles at or below the unit's value. With fewer than 30 units the fit pools
    every year's (current, prior) pairs up to ``year`` (``pooled=None``) with year fixed
    effects (``year`` the reference), so a year-wide slowdown does not move every unit's
    percentile; force either way with ``pooled``.
    """
    units = _units(data)
    ids = list(units["unit_id"])
    hist = _history(data, indicator, ids, _needed_years(data, year, priors))
    if log:
        _check_positive(hist, ids, indicator, "a log-scale growth model")
        hist = np.log(hist)
    pool = len(ids) < MIN_CROSS_SECTION if pooled is None else pooled
    cur_fit, pri_fit, yr_fit = _cgp_fit_data(data, indicator, year, priors, ids, pool, log)
    pct = growth_percentiles(cur_fit, pri_fit, hist[:, -1], hist[:, :-1],
                             effects_fit=year_effects(yr_fit, year))
    return pd.Series(pct, index=pd.Index(ids, name="unit_id"), name="cgp")


def _table(units: pd.DataFrame, labels: list[tuple[str, float]], scores: np.ndarray,
           groups: np.ndarray, top_k: np.ndarray | None) -> pd.DataFrame:
    """Long table of variant scores with ranks within the comparison group (1 = best)."""
    place = methods.places(scores, groups)
    frames = []
    for v, (variant, alpha) in enumerate(labels):
        df = units[["unit_id", "name", "sequence"]].copy()
        df["variant"] = variant
        df["alpha"] = alpha
        df["score"] = np.round(scores[v], 9)
        df["rank"] = place[v].astype(int)
        if top_k is not None:
            df["top"] = place[v] <= top_k
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


# --- group and total variants through the scoring engine -------------------------------------
@dataclass(frozen=True)
class _EngineParts:
    """Level-only and growth-only versions of a prepared input, and what the blend touches."""

    inp: ScoringInput
    level: ScoringInput
    growth: ScoringInput
    blended: np.ndarray  # (K,) bool: leaves whose level/growth weight is α
    in_node: np.ndarray  # (K,) bool: leaves under the group (all for the total)
    constant: np.ndarray  # (N,) ratings + bonus − penalty for the total, 0 for a group
    total: bool


def blended_leaves(scheme: Scheme) -> list[str]:
    """Leaves whose level/growth weight the α alternatives set: the scheme's blended leaves
    (增量+增速), or, when it has none, the positive money amounts scored on level."""
    leaves = [leaf for leaf in scheme.indicators() if leaf.event is None]
    picked = [leaf.id for leaf in leaves if leaf.blend is not None]
    return picked or [leaf.id for leaf in leaves if leaf.basis == "level"
                      and leaf.direction == "positive" and (leaf.unit or "") in MONEY_UNITS]


def _node_leaves(scheme: Scheme, node: str) -> set[str]:
    if node == TOTAL:
        return {leaf.id for leaf in scheme.indicators()}
    for n in scheme.iter_nodes():
        if isinstance(n, Group) and n.id == node:
            stack, out = list(n.children), set()
            while stack:
                c = stack.pop()
                if isinstance(c, Group):
                    stack.extend(c.children)
                else:
                    out.add(c.id)
            return out
    raise SchemeError(f"'{node}' is neither an indicator with data, a group of the scheme "
                      "nor 'total'", path="indicator")


def _growth_leaf(leaf: Indicator) -> Indicator:
    if leaf.blend is not None and leaf.series(1) != leaf.id:
        # an official rate is its own series: keep the blend, all weight on that half
        return leaf.model_copy(update={"blend": leaf.blend.model_copy(update={"alpha": 0.0})})
    if leaf.blend is not None:
        return leaf.model_copy(update={"basis": leaf.blend.basis, "blend": None})
    method = leaf.method if leaf.method in ("efficacy", "minmax", "rank_points") else "efficacy"
    return leaf.model_copy(update={"basis": "growth", "blend": None, "method": method})


def _engine_parts(data: Dataset, scheme: Scheme, year: int, node: str) -> _EngineParts:
    inp = prepare(data, scheme, year)
    picked = set(blended_leaves(scheme))
    blended = np.array([leaf.id in picked for leaf in inp.leaves])
    under = _node_leaves(scheme, node)
    in_node = np.array([leaf.id in under for leaf in inp.leaves])
    lev = replace(inp, leaves=[leaf.model_copy(update={"blend": None}) for leaf in inp.leaves])
    own = np.array([leaf.series(1) != leaf.id for leaf in inp.leaves])  # official-rate blends
    gro_targets = np.where(np.isfinite(inp.blend_targets) & ~own, inp.blend_targets, inp.targets)
    gro = replace(inp, leaves=[_growth_leaf(leaf) if b else leaf
                               for leaf, b in zip(inp.leaves, blended)], targets=gro_targets)
    constant = np.zeros(len(inp.unit_ids))
    if node == TOTAL:
        constant = constant + inp.ratings.sum(axis=1).to_numpy(dtype=float)
        adj = adjustment_table(data, scheme, year, inp.unit_ids)
        constant = constant + adj["bonus"].to_numpy(dtype=float) - adj["penalty"].to_numpy(
            dtype=float)
    return _EngineParts(inp, lev, gro, blended, in_node, constant, node == TOTAL)


def _engine_components(parts: _EngineParts, scheme: Scheme, alphas: np.ndarray,
                       level: np.ndarray | None = None, previous: np.ndarray | None = None
                       ) -> np.ndarray:
    """Indicator components (A, ..., N, C) for each α (total) or the node score (A, ..., N, 1)."""
    f_l = leaf_fractions(parts.level, level, previous)
    f_g = leaf_fractions(parts.growth, level, previous)
    pts = parts.inp.leaf_points
    out = []
    for a in alphas:
        frac = np.where(parts.blended, a * f_l + (1.0 - a) * f_g, f_l)
        if not np.all(np.isfinite(frac)):
            bad = np.argwhere(~np.isfinite(frac.reshape(-1, frac.shape[-1])))[0]
            raise DataError([Problem(parts.inp.source, f"indicator '{parts.inp.leaves[bad[1]].id}'"
                                     f" has no score in {parts.inp.year} under the α={a:g} "
                                     "variant (a value or target is missing or not positive)")],
                            headline="Scores not computable")
        if parts.total:
            out.append(component_scores(parts.inp, scheme, frac))
        else:
            out.append((frac * pts * parts.in_node).sum(axis=-1, keepdims=True))
    return np.stack(out)


def _engine_scores(parts: _EngineParts, scheme: Scheme, alphas: np.ndarray,
                   level: np.ndarray | None = None, previous: np.ndarray | None = None
                   ) -> tuple[list[tuple[str, float]], np.ndarray]:
    grid = np.concatenate([[1.0, 0.0], alphas])
    scores = _engine_components(parts, scheme, grid, level, previous).sum(axis=-1)
    scores = scores + parts.constant
    labels = [("level", np.nan), ("growth", np.nan)] + [("blend", float(a)) for a in alphas]
    return labels, scores


# --- public: variants ------------------------------------------------------------------------
def _is_node(data: Dataset, indicator: str) -> bool:
    return indicator == TOTAL or not (data.observations["indicator"] == indicator).any()


def variants(data: Dataset, indicator: str, year: int, alphas: np.ndarray | list[float],
             size: pd.Series | None = None, *, scheme: Scheme | None = None,
             blend_with: Blend = "level", priors: int = 1, log: bool = True,
             by: Literal["sequence", "all"] = "sequence", with_cgp: bool = True
             ) -> pd.DataFrame:
    """Every unit's score and rank (within its sequence, 1 = best) under each variant.

    ``indicator`` is an indicator id (variants level, growth, increment, per_capita when
    ``size`` is given, blend α·score(level or increment) + (1−α)·score(growth), cgp,
    value_added), or a group id or ``"total"`` with ``scheme`` (level, growth and the blends
    of the scheme's own scoring). Columns: unit_id, name, sequence, variant, alpha (blends
    only), score, rank, and ``top`` (within the sequence's quota) when ``scheme`` is given.
    ``with_cgp=False`` skips the 99 quantile regressions of the growth percentile.
    """
    alphas = np.asarray(alphas, dtype=float)
    units = _units(data)
    ids = list(units["unit_id"])
    top_k = _top_counts(scheme, list(units["sequence"])) if scheme is not None else None
    if _is_node(data, indicator):
        if scheme is None:
            raise SchemeError(f"'{indicator}' is not an indicator in the data; a group or the "
                              "total needs the scheme", path="indicator")
        parts = _engine_parts(data, scheme, year, indicator)
        units = units.set_index("unit_id").loc[parts.inp.unit_ids].reset_index()
        labels, scores = _engine_scores(parts, scheme, alphas)
        groups = _groups(units["sequence"], by)
        return _table(units, labels, scores, groups, top_k)
    groups = _groups(units["sequence"], by)
    hist = _history(data, indicator, ids, _needed_years(data, year, priors))
    _check_positive(hist[:, :-1], ids, indicator, "a growth rate")
    if log:
        _check_positive(hist, ids, indicator, "a log-scale growth model")
    sz = None if size is None else size.reindex(ids).to_numpy(dtype=float)
    labels, scores = _indicator_scores(hist, groups, alphas, sz, blend_with, log)
    scale = np.log if log else np.asarray
    # a perfect fit or a leverage-1 unit leaves a zero residual: no value added (0, not NaN)
    scores[-1] = np.nan_to_num(value_added_statsmodels(scale(hist[:, -1]),
                                                       scale(hist[:, :-1]))[0], nan=0.0)
    if not with_cgp:
        return _table(units, labels, scores, groups, top_k)
    cgp = conditional_growth_percentiles(data, indicator, year, priors, log=log)
    labels.append(("cgp", np.nan))
    scores = np.concatenate([scores, cgp.reindex(ids).to_numpy()[None, :]])
    return _table(units, labels, scores, groups, top_k)


def usable_years(data: Dataset, indicator: str, scheme: Scheme | None = None,
                 priors: int = 1) -> list[int]:
    """Years the variants can be computed for: enough history for growth, every unit with a
    value in the year and its prior years (an unbalanced panel keeps its complete years), and,
    for a group or the total, data the scheme can score."""
    years = data.years
    ok = [y for i, y in enumerate(years) if i >= priors and years[i - priors] == y - priors]
    if not _is_node(data, indicator):
        obs = data.observations.loc[data.observations["indicator"] == indicator]
        wide = (obs.pivot_table(index="unit_id", columns="year", values="value", aggfunc="first")
                .reindex(index=list(data.units["unit_id"]), columns=years))
        complete = wide.notna().all(axis=0)
        ok = [y for y in ok if all(complete[y - b] for b in range(priors + 1))]
    elif scheme is not None:
        good = []
        for y in ok:
            try:
                check_data(data, scheme, y)
            except DataError:
                continue
            good.append(y)
        ok = good
    return ok


def variants_panel(data: Dataset, indicator: str, years: list[int],
                   alphas: np.ndarray | list[float], size: pd.Series | None = None,
                   known: dict[int, pd.DataFrame] | None = None,
                   **kwargs: object) -> pd.DataFrame:
    """``variants`` for several years, stacked with a ``year`` column (for persistence).
    ``known``: years' ``variants`` tables the caller already computed with the same
    arguments (the chapter's own year), used instead of fitting their quantile regressions
    again."""
    known = known or {}
    frames = [(known[y] if y in known else
               variants(data, indicator, y, alphas, size, **kwargs)).assign(year=y)  # type: ignore[arg-type]
              for y in years]
    return pd.concat(frames, ignore_index=True)


# --- comparison groups and the scheme's own method --------------------------------------------
SCHEME_PREFIX = "scheme:"
"""Variant id prefix of a subject scored by the scheme's own method (``scheme:gdp``,
``scheme:high_quality``, ``scheme:total``)."""


def _leaf(scheme: Scheme, leaf_id: str) -> Indicator | None:
    return next((leaf for leaf in scheme.indicators() if leaf.id == leaf_id), None)


def comparison_groups(data: Dataset, scheme: Scheme | None, subject: str = TOTAL
                      ) -> pd.Series | None:
    """The comparison group of every unit (index unit_id) that size dependence is computed
    within: the unit's sequence, or None (all units together) when the scheme, or the
    subject leaf, compares all units (``comparison_group: all``)."""
    mode = "sequence"
    if scheme is not None:
        leaf = _leaf(scheme, subject)
        mode = (leaf.comparison_group if leaf is not None and leaf.comparison_group
                else scheme.comparison_group)
    if mode == "all":
        return None
    return data.units.set_index("unit_id")["sequence"].astype(str).rename("group")


def scheme_subjects(scheme: Scheme, subject: str = "") -> list[str]:
    """What the fairness chapter scores by the scheme's own method: the subject leaf, every
    blended economic leaf (``blended_leaves``), the groups that hold them (the economic
    block) and the total, in that order without repeats."""
    picked = blended_leaves(scheme)
    leaves = {leaf.id for leaf in scheme.indicators()}
    parents: list[str] = []
    for node in scheme.iter_nodes():
        if isinstance(node, Group) and any(c.id in picked for c in node.children):
            parents.append(node.id)
    nodes = leaves | {n.id for n in scheme.iter_nodes() if isinstance(n, Group)}
    first = [subject] if subject in nodes else []  # an indicator outside the scheme: none
    return list(dict.fromkeys([*first, *picked, *parents, TOTAL]))


def node_name(scheme: Scheme, node: str) -> str:
    """Chinese name of a leaf or group, 总分 for the total."""
    if node == TOTAL:
        return "总分"
    for n in scheme.iter_nodes():
        if n.id == node:
            return n.name
    return node


def variant_label(variant: str, alpha: float | None, scheme: Scheme | None = None) -> str:
    """Chinese label of a variant row: 总量, 总量与增速混合(α=0.30), 现行方案:地区生产总值."""
    if variant.startswith(SCHEME_PREFIX):
        node = variant[len(SCHEME_PREFIX):]
        return "现行方案:" + (node_name(scheme, node) if scheme is not None else node)
    base = VARIANT_NAMES.get(variant, variant)
    if variant == "blend" and alpha is not None and np.isfinite(alpha):
        return f"{base}(α={alpha:.2f})"
    return base


def scheme_variants(data: Dataset, scheme: Scheme, year: int, subjects: list[str],
                    by: Literal["sequence", "all"] = "sequence") -> pd.DataFrame:
    """Each subject scored exactly as the scheme scores it (blends at the scheme's own
    weights, caps, targets): a leaf's points, a group's points (sum of its leaves) or the
    total (components, ratings, bonus − penalty), with ranks within the sequence. Same
    columns as ``variants``; ``variant`` is ``scheme:<id>``, ``alpha`` NaN."""
    parts = _engine_parts(data, scheme, year, TOTAL)
    inp = parts.inp
    frac = leaf_fractions(inp)
    pts = frac * inp.leaf_points
    units = _units(data).set_index("unit_id").loc[inp.unit_ids].reset_index()
    labels: list[tuple[str, float]] = []
    scores = []
    for node in subjects:
        if node == TOTAL:
            value = component_scores(inp, scheme, frac).sum(axis=-1) + parts.constant
        else:
            under = {node} if _leaf(scheme, node) is not None else _node_leaves(scheme, node)
            mask = np.array([leaf.id in under for leaf in inp.leaves])
            value = pts[:, mask].sum(axis=-1)
        labels.append((SCHEME_PREFIX + node, np.nan))
        scores.append(value)
    top_k = _top_counts(scheme, list(units["sequence"]))
    return _table(units, labels, np.stack(scores), _groups(units["sequence"], by), top_k)
