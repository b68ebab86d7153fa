"""Study 2: growth-vs-level scoring fairness (proposal 1214: 既考增量,也考增速).

Scores one indicator, a group or the scheme's total under several variants — level, growth
rate, increment, per-capita level, the blend α·level + (1−α)·growth, the conditional growth
percentile and the value-added residual — and measures how each favours large units (size
dependence), how stable it is across years (persistence), how noisy it is under a
measurement-error model (simulated on arrays with a leading draw axis, no loop per draw), and
which α keeps both size dependence and noise under thresholds (the fairness–stability
frontier). Pure functions; tables for the notebook, charts and findings elsewhere.

Scores of an indicator are positions 0–100 within the comparison group (min–max, the
efficacy method without its base: 100 = best of the sequence), so level and growth scores
share a scale before blending. Group and total variants run the scheme's own scoring through
the vectorised engine (``prepare`` / ``leaf_fractions`` / ``component_scores``) with the
level/growth blend of the scheme's blended leaves set to α.

"Top tier" here means being within the sequence's quota (``perfanalysis.quota_for``; the
first share of a forced distribution) by rank, with ties at the cut included; vetoes and
thresholds are not applied, since the study is about what scores alone do.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from .. import methods
from ..adjustments import adjustment_table
from ..data import Dataset, check_data
from ..errors import DataError, Problem, SchemeError
from ..scheme import Group, Indicator, Scheme
from ..scoring import ScoringInput, component_scores, leaf_fractions, prepare
from ..tiers import assign_tiers, quota_for, rounded_count
from .fairness_growth import growth_percentiles, value_added_batched, value_added_statsmodels
from .fairness_stats import (
    Persistence,
    persistence,
    size_dependence,
    size_dependence_table,
    small_unit_chance,
    small_units,
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
    """The scheme's main level indicator (e.g. GDP): the first leaf scored on level with a
    growth blend, else the level-scored money leaf with the most points."""
    leaves = [leaf for leaf in scheme.indicators() if leaf.event is None]
    for leaf in leaves:
        if leaf.basis == "level" and leaf.blend is not None:
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
                  pooled: bool, log: bool) -> tuple[np.ndarray, np.ndarray]:
    """(current, priors) pairs the quantile regressions are fitted on."""
    years = data.years
    t = years.index(year)
    first = priors if pooled else t
    cur, pri = [], []
    for s in range(first, t + 1):
        h = _history(data, indicator, unit_ids, years[s - priors:s + 1])
        if log:
            _check_positive(h, unit_ids, indicator, "a log-scale growth model")
            h = np.log(h)
        cur.append(h[:, -1])
        pri.append(h[:, :-1])
    return np.concatenate(cur), np.concatenate(pri)


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
    every year's (current, prior) pairs up to ``year`` (``pooled=None``); force either way
    with ``pooled``.
    """
    units = _units(data)
    ids = list(units["unit_id"])
    hist = _history(data, indicator, ids, _needed_years(data, year, priors))
    if log:
        _check_positive(hist, ids, indicator, "a log-scale growth model")
        hist = np.log(hist)
    pool = len(ids) < MIN_CROSS_SECTION if pooled is None else pooled
    cur_fit, pri_fit = _cgp_fit_data(data, indicator, year, priors, ids, pool, log)
    pct = growth_percentiles(cur_fit, pri_fit, hist[:, -1], hist[:, :-1])
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
    gro_targets = np.where(np.isfinite(inp.blend_targets), inp.blend_targets, inp.targets)
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
                   **kwargs: object) -> pd.DataFrame:
    """``variants`` for several years, stacked with a ``year`` column (for persistence)."""
    frames = [variants(data, indicator, y, alphas, size, **kwargs).assign(year=y)  # type: ignore[arg-type]
              for y in years]
    return pd.concat(frames, ignore_index=True)


# --- noise: the measurement-error model on arrays with a leading draw axis -------------------
@dataclass(frozen=True)
class NoiseResult:
    """Summary of noisy re-scorings: per variant and unit, mean rank, rank SD and the share of
    draws within the sequence's quota (``top`` needs the scheme)."""

    unit_ids: list[str]
    names: list[str]
    sequences: list[str]
    labels: list[tuple[str, float]]
    mean_rank: np.ndarray  # (V, N)
    rank_sd: np.ndarray  # (V, N)
    p_top: np.ndarray | None  # (V, N)
    draws: int
    noise: float


def _lognormal(rng: np.random.Generator, shape: tuple[int, ...], sigma: float) -> np.ndarray:
    """Multiplicative relative errors exp(σZ − σ²/2): mean 1, SD ≈ σ, never negative."""
    return np.exp(sigma * rng.standard_normal(shape) - 0.5 * sigma * sigma)


def simulate_noise(data: Dataset, indicator: str, year: int, alphas: np.ndarray | list[float],
                   *, size: pd.Series | None = None, scheme: Scheme | None = None,
                   noise: float = 0.05, draws: int = 200, seed: int = 0,
                   blend_with: Blend = "level", priors: int = 1, log: bool = True,
                   by: Literal["sequence", "all"] = "sequence",
                   chunk: int | None = None) -> NoiseResult:
    """Re-score the variants on ``draws`` noisy copies of the data and summarise ranks.

    Every observed value (current and prior years) gets an independent relative error
    (lognormal, SD ≈ ``noise``); event counts, ratings and targets stay fixed. Draws are
    scored in chunks as arrays (D, N, …) by the vectorised methods and engine: no Python
    loop per draw. The conditional growth percentile is left out (99 quantile regressions
    per draw would be a loop per draw).
    """
    if draws < 2:
        raise ValueError(f"draws={draws}: need at least 2 noisy copies")
    if noise < 0:
        raise ValueError(f"noise={noise}: a relative error cannot be negative")
    alphas = np.asarray(alphas, dtype=float)
    units = _units(data)
    ids = list(units["unit_id"])
    groups = _groups(units["sequence"], by)
    top_k = _top_counts(scheme, list(units["sequence"])) if scheme is not None else None
    rng = np.random.default_rng(seed)
    if _is_node(data, indicator):
        if scheme is None:
            raise SchemeError(f"'{indicator}' needs the scheme", path="indicator")
        parts = _engine_parts(data, scheme, year, indicator)
        observed = np.array([leaf.event is None for leaf in parts.inp.leaves])
        base_l, base_p = parts.inp.level, parts.inp.previous
        per_unit = base_l.shape[1] * (len(alphas) + 8)  # floats per draw and unit, roughly

        def score_chunk(c: int) -> tuple[list[tuple[str, float]], np.ndarray]:
            e1 = np.where(observed, _lognormal(rng, (c, *base_l.shape), noise), 1.0)
            e0 = np.where(observed, _lognormal(rng, (c, *base_p.shape), noise), 1.0)
            return _engine_scores(parts, scheme, alphas, base_l * e1, base_p * e0)
    else:
        hist = _history(data, indicator, ids, _needed_years(data, year, priors))
        _check_positive(hist, ids, indicator, "the noise model")
        sz = None if size is None else size.reindex(ids).to_numpy(dtype=float)
        per_unit = hist.shape[1] * 4 + len(alphas) + 12

        def score_chunk(c: int) -> tuple[list[tuple[str, float]], np.ndarray]:
            noisy = hist * _lognormal(rng, (c, *hist.shape), noise)
            return _indicator_scores(noisy, groups, alphas, sz, blend_with, log)
    n = len(ids)
    chunk = chunk or max(1, int(2e7 // (n * per_unit)))  # ≈ 160 MB of float64 per chunk
    total = sq = top = None
    done = 0
    labels: list[tuple[str, float]] = []
    while done < draws:
        c = min(chunk, draws - done)
        labels, scores = score_chunk(c)  # (V, c, N)
        place = methods.places(scores, groups)
        s1, s2 = place.sum(axis=1), (place ** 2).sum(axis=1)
        total = s1 if total is None else total + s1
        sq = s2 if sq is None else sq + s2
        if top_k is not None:
            t = (place <= top_k).sum(axis=1)
            top = t if top is None else top + t
        done += c
    assert total is not None and sq is not None
    mean = total / draws
    var = np.clip((sq - draws * mean ** 2) / (draws - 1), 0.0, None)
    return NoiseResult(unit_ids=ids, names=list(units["name"]), sequences=list(units["sequence"]),
                       labels=labels, mean_rank=mean, rank_sd=np.sqrt(var),
                       p_top=None if top is None else top / draws, draws=draws, noise=noise)


def _noise_table(result: NoiseResult, values: np.ndarray, column: str) -> pd.DataFrame:
    frames = []
    for v, (variant, alpha) in enumerate(result.labels):
        frames.append(pd.DataFrame({"unit_id": result.unit_ids, "name": result.names,
                                    "sequence": result.sequences, "variant": variant,
                                    "alpha": alpha, column: np.round(values[v], 9)}))
    return pd.concat(frames, ignore_index=True)


def rank_volatility(result: NoiseResult, size: pd.Series | None = None) -> pd.DataFrame:
    """Rank SD per unit and variant under the noise model (unit_id, name, size, variant,
    alpha, rank_sd, mean_rank)."""
    table = _noise_table(result, result.rank_sd, "rank_sd")
    table["mean_rank"] = _noise_table(result, result.mean_rank, "m")["m"]
    table.insert(2, "size", np.nan if size is None else table["unit_id"].map(size))
    return table


def top_chance(result: NoiseResult) -> pd.DataFrame:
    """Probability under the noise model that each unit is within its sequence's quota."""
    if result.p_top is None:
        raise ValueError("top-tier chances need the scheme (pass scheme= to simulate_noise)")
    return _noise_table(result, result.p_top, "p_top")


def volatility_size(volatility: pd.DataFrame) -> pd.DataFrame:
    """Per variant: Spearman ρ of rank SD with size (ρ < 0: small units' ranks are noisier)."""
    rows = []
    for (variant, alpha), g in volatility.groupby(["variant", "alpha"], sort=False,
                                                  dropna=False):
        ok = g.dropna(subset=["size", "rank_sd"])
        rho = (spearmanr(ok["rank_sd"], ok["size"]).statistic
               if len(ok) >= 3 and ok["rank_sd"].nunique() > 1 else np.nan)
        rows.append({"variant": variant, "alpha": alpha, "rho": float(rho),
                     "mean_rank_sd": float(g["rank_sd"].mean())})
    return pd.DataFrame(rows)


# --- the fairness–stability frontier -----------------------------------------------------------
def frontier(size_dep: pd.DataFrame, volatility: pd.DataFrame, max_rho: float,
             max_volatility: float) -> pd.DataFrame:
    """For each α of the blend: size dependence (ρ and its interval), mean rank SD, and
    ``within`` when |ρ| ≤ ``max_rho`` and the mean rank SD ≤ ``max_volatility``."""
    dep = size_dep.loc[size_dep["variant"] == "blend", ["alpha", "rho", "rho_lo", "rho_hi"]]
    vol = (volatility.loc[volatility["variant"] == "blend"].groupby("alpha")["rank_sd"]
           .mean().rename("volatility").reset_index())
    out = dep.rename(columns={"rho": "size_rho", "rho_lo": "size_rho_lo",
                              "rho_hi": "size_rho_hi"}).merge(vol, on="alpha", how="left")
    out["within"] = (out["size_rho"].abs() <= max_rho) & (out["volatility"] <= max_volatility)
    return out.sort_values("alpha").reset_index(drop=True)[
        ["alpha", "size_rho", "size_rho_lo", "size_rho_hi", "volatility", "within"]]


def alpha_range(front: pd.DataFrame) -> tuple[float, float] | None:
    """Smallest and largest α inside both thresholds, or None when no α is."""
    ok = front.loc[front["within"], "alpha"]
    if ok.empty:
        return None
    return float(ok.min()), float(ok.max())


# --- alternatives of the scheme's total, for the brief ----------------------------------------
def alpha_label(alpha: float) -> str:
    """Readable Chinese label of a blend: α=0.3(总量30%+增速70%)."""
    return f"α={alpha:.2f}(总量{alpha * 100:.0f}%+增速{(1 - alpha) * 100:.0f}%)"


def alternatives(data: Dataset, scheme: Scheme, year: int,
                 alphas: np.ndarray | list[float]) -> pd.DataFrame:
    """The scheme's total, rank and tier of every unit per α of the level/growth blend
    (``blended_leaves``), tiers by ``assign_tiers`` on each alternative's totals."""
    alphas = np.asarray(alphas, dtype=float)
    parts = _engine_parts(data, scheme, year, TOTAL)
    comps = _engine_components(parts, scheme, alphas)  # (A, N, C)
    inp = parts.inp
    base = pd.DataFrame({"unit_id": inp.unit_ids, "name": inp.names, "sequence": inp.sequences})
    adj = adjustment_table(data, scheme, year, inp.unit_ids)
    events = data.events.loc[data.events["year"] == year]
    frames = []
    for a, alpha in enumerate(alphas):
        table = base.copy()
        for comp in scheme.components:
            if comp.source == "indicators":
                table[comp.id] = comps[a, :, inp.indicator_components.index(comp.id)]
            else:
                table[comp.id] = inp.ratings[comp.id].to_numpy(dtype=float)
        table["bonus"] = adj["bonus"].to_numpy(dtype=float)
        table["penalty"] = adj["penalty"].to_numpy(dtype=float)
        cols = [c.id for c in scheme.components]
        table["total"] = (table[cols].sum(axis=1) + table["bonus"] - table["penalty"]).round(6)
        table["rank"] = table.groupby("sequence")["total"].rank(method="min",
                                                                ascending=False).astype(int)
        tiers = assign_tiers(table, scheme, events)
        frames.append(pd.DataFrame({
            "study": "fairness", "alternative": alpha_label(float(alpha)), "kind": "alpha",
            "alpha": float(alpha), "unit_id": tiers["unit_id"], "name": tiers["name"],
            "sequence": tiers["sequence"], "total": tiers["total"], "rank": tiers["rank"],
            "tier": tiers["tier"]}))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["alpha", "sequence", "rank", "unit_id"],
                           kind="stable").reset_index(drop=True)


__all__ = [
    "VARIANT_NAMES", "NoiseResult", "Persistence", "alpha_grid", "alpha_label", "alpha_range",
    "alternatives", "blended_leaves", "conditional_growth_percentiles", "default_size_column",
    "frontier", "main_level_indicator", "persistence", "rank_volatility", "simulate_noise",
    "size_dependence", "size_dependence_table", "small_unit_chance", "small_units",
    "top_chance", "unit_sizes", "usable_years", "variants", "variants_panel",
    "volatility_size",
]
