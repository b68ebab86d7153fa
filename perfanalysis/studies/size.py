"""Size dependence, defined once: how much a score favours large units, within comparison groups.

Every place that reports size dependence (the fairness and targets chapters, the brief, the
weightings chapter, ``compare``, the explorer) calls :func:`size_dependence`, so a reader meets
one number for one question.

Definition. Units are compared within their group (the sequence a scheme ranks them in), so
size dependence is the Spearman ρ between score and size inside each group of at least
``MIN_GROUP`` units, averaged over groups with weights = group sizes. Its interval is a
percentile bootstrap that resamples units within their group (a stratified bootstrap, so
every draw keeps the group structure). Beside it stands the all-units ρ (what a province-wide
comparison would see; equal to the within-group ρ when there is one group). The rank slope
is the OLS slope of the within-group place (1 = best, ties averaged) on log2(size) with
group fixed effects and an HC3 standard error: the places a unit moves per doubling of its
size (negative: larger units get better places).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import rankdata

MIN_GROUP = 3
"""Smallest group whose within-group ρ is computed (ρ of two units is ±1 by construction)."""

KEYS = ("rho", "rho_lo", "rho_hi", "n", "groups", "rho_all", "rho_all_lo", "rho_all_hi",
        "slope", "slope_se", "level")


def rowwise_spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman ρ of each row pair of (..., n) arrays (average ranks for ties); NaN for a
    constant row."""
    rx = rankdata(x, axis=-1)
    ry = rankdata(y, axis=-1)
    rx = rx - rx.mean(axis=-1, keepdims=True)
    ry = ry - ry.mean(axis=-1, keepdims=True)
    den = np.sqrt((rx ** 2).sum(axis=-1) * (ry ** 2).sum(axis=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, (rx * ry).sum(axis=-1) / np.where(den > 0, den, 1.0), np.nan)


def resampled_ranks(values: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Average ranks (1-based, ties averaged) of ``values[idx]`` within each row of ``idx``
    (B, m) — equal to ``rankdata(values[idx], axis=-1)`` without sorting every row: a row's
    rank of a value is the count of drawn values below it plus half its own count, + ½."""
    _, cls = np.unique(values, return_inverse=True)
    k = int(cls.max()) + 1 if len(cls) else 0
    rows = idx.shape[0]
    drawn = cls[idx]
    flat = (np.arange(rows)[:, None] * k + drawn).ravel()
    counts = np.bincount(flat, minlength=rows * k).reshape(rows, k).astype(float)
    below = np.cumsum(counts, axis=1) - counts
    return np.take_along_axis(below + (counts + 1.0) / 2.0, drawn, axis=1)


def resampled_spearman(x: np.ndarray, y: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Spearman ρ of (x[idx], y[idx]) for each row of ``idx`` (a bootstrap's draws)."""
    rx = resampled_ranks(x, idx)
    ry = resampled_ranks(y, idx)
    rx -= rx.mean(axis=-1, keepdims=True)
    ry -= ry.mean(axis=-1, keepdims=True)
    den = np.sqrt((rx ** 2).sum(axis=-1) * (ry ** 2).sum(axis=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, (rx * ry).sum(axis=-1) / np.where(den > 0, den, 1.0), np.nan)


def _frame(score: pd.Series, size: pd.Series, groups: pd.Series | None
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(score, size, group) of the units present in all inputs with a finite score and a
    finite positive size, ordered by (group, unit_id) so the result does not depend on row
    order (the bootstrap draws positions within a group)."""
    index = score.index.intersection(size.index, sort=False)
    if groups is not None:
        index = index.intersection(groups.index, sort=False)
    s = score.reindex(index).astype(float).to_numpy()
    z = size.reindex(index).astype(float).to_numpy()
    ok = np.isfinite(s) & np.isfinite(z) & (z > 0)
    if groups is None:
        g = np.full(len(index), "")
    else:  # a unit without a group is in no comparison
        labels = groups.reindex(index).astype(str)
        ok &= labels.notna().to_numpy()
        g = labels.fillna("").to_numpy(dtype=str)
    order = np.lexsort((index.astype(str).to_numpy(dtype=str)[ok], g[ok]))
    return s[ok][order], z[ok][order], g[ok][order]


def _blocks(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of each run of equal labels in ``g`` (sorted by group)."""
    if not len(g):
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    bounds = np.flatnonzero(np.r_[True, g[1:] != g[:-1], True])
    return bounds[:-1], bounds[1:]


def _weighted_within(rhos: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean over the last axis of per-group ρ, ignoring NaN groups (weights
    renormalised over the groups that have a ρ)."""
    ok = np.isfinite(rhos)
    w = np.where(ok, weights, 0.0)
    tot = w.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, (np.where(ok, rhos, 0.0) * w).sum(axis=-1) / np.where(
            tot > 0, tot, 1.0), np.nan)


def _slope(s: np.ndarray, z: np.ndarray, starts: np.ndarray, ends: np.ndarray
           ) -> tuple[float, float]:
    """OLS of within-group place (1 = best) on log2 size with group fixed effects, HC3;
    units sorted by group, group k spanning ``starts[k]:ends[k]``.

    Computed by Frisch–Waugh–Lovell (both sides demeaned within groups), which gives the
    dummy regression's slope and residuals; HC3 uses the full design's leverage, which for
    group dummies plus one regressor is 1/n_g + x̃ᵢ²/Σx̃² — so the result equals statsmodels'
    ``place ~ C(group) + log2(size)`` with HC3 without building the dummy matrix."""
    lx = np.log2(z)
    xt, yt, n_g = np.empty(len(s)), np.empty(len(s)), np.empty(len(s))
    for a, b in zip(starts, ends):
        place = rankdata(-s[a:b])  # 1 = best, ties averaged
        xt[a:b] = lx[a:b] - lx[a:b].mean()
        yt[a:b] = place - place.mean()
        n_g[a:b] = b - a
    sxx = float(xt @ xt)
    if sxx <= 1e-12 * max(1.0, float(np.abs(lx).max()) ** 2):
        return math.nan, math.nan
    slope = float(xt @ yt) / sxx
    resid = yt - slope * xt
    h = 1.0 / n_g + xt ** 2 / sxx
    with np.errstate(divide="ignore", invalid="ignore"):
        var = float(((xt * resid / (1.0 - h)) ** 2).sum()) / sxx ** 2
    se = math.sqrt(var) if np.isfinite(var) else math.nan
    return slope, se


def size_dependence(score: pd.Series, size: pd.Series, groups: pd.Series | None = None, *,
                    boot: int = 1000, seed: int = 0, level: float = 0.90) -> dict[str, float]:
    """Size dependence of ``score`` (see the module docstring for the definition).

    ``score``, ``size`` and ``groups`` are indexed by unit_id; units missing from any of them,
    or with a non-finite score or a non-positive size, are left out. Returns ``rho`` (within-
    group, weighted by group size) with ``rho_lo``/``rho_hi`` (stratified bootstrap interval
    at ``level``), ``n`` units and ``groups`` used, ``rho_all`` (all units) with its interval,
    ``slope``/``slope_se`` (places per doubling of size, group fixed effects, HC3), ``level``.
    """
    if not 0 < level < 1:
        raise ValueError(f"size_dependence: level must lie in (0, 1), got {level}")
    s, z, g = _frame(score, size, groups)
    starts, ends = _blocks(g)
    keep = np.repeat(ends - starts >= MIN_GROUP, ends - starts)
    s, z, g = s[keep], z[keep], g[keep]
    starts, ends = _blocks(g)
    out = dict.fromkeys(KEYS, math.nan)
    out["level"] = level
    out["n"] = float(len(s))
    out["groups"] = float(len(starts))
    if not len(s):
        return out
    weights = (ends - starts).astype(float)

    def within(idx: np.ndarray) -> np.ndarray:
        rhos = np.stack([resampled_spearman(s[a:b], z[a:b], idx[..., a:b] - a)
                         for a, b in zip(starts, ends)], axis=-1)
        return _weighted_within(rhos, weights)

    base = np.arange(len(s))
    out["rho"] = float(within(base[None, :])[0])
    out["rho_all"] = float(rowwise_spearman(s, z))
    if boot > 0:
        rng = np.random.default_rng(seed)
        idx = np.concatenate([a + rng.integers(0, b - a, size=(boot, b - a))
                              for a, b in zip(starts, ends)], axis=1)
        q = [100 * (1 - level) / 2, 100 * (1 + level) / 2]
        for key, draws in (("rho", within(idx)), ("rho_all", resampled_spearman(s, z, idx))):
            draws = draws[np.isfinite(draws)]
            if len(draws):
                out[f"{key}_lo"], out[f"{key}_hi"] = (float(v) for v in np.percentile(draws, q))
    out["slope"], out["slope_se"] = _slope(s, z, starts, ends)
    return out


def size_dependence_by(table: pd.DataFrame, size: pd.Series, by: list[str], *,
                       groups: pd.Series | None = None, score: str = "score", boot: int = 1000,
                       seed: int = 0, level: float = 0.90) -> pd.DataFrame:
    """:func:`size_dependence` of each ``by`` slice of a long table (unit_id, *by, score)."""
    rows = []
    for key, grp in table.groupby(by, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        stats = size_dependence(grp.set_index("unit_id")[score], size, groups, boot=boot,
                                seed=seed, level=level)
        rows.append({**dict(zip(by, key)), **stats})
    return pd.DataFrame(rows, columns=[*by, *KEYS])


#: Readers' names of the size measures (a size label starts with the key, then its year).
SIZE_NAMES = {"population": "常住人口", "staff": "编制人数", "area": "面积"}


def size_name_zh(label: str, indicator_names: Mapping[str, str] | None = None) -> str:
    """A readable name of the size measure: “2020年常住人口” for population_2020, “地区生产总值
    2013年值” for an indicator's first-year value (named from ``indicator_names``)."""
    for key, zh in SIZE_NAMES.items():
        if label.startswith(key):
            year = "".join(c for c in label[len(key):] if c.isdigit())
            return f"{year}年{zh}" if len(year) == 4 else zh
    if "@" in label:
        ind, year = label.split("@", 1)
        return f"“{(indicator_names or {}).get(ind, '指标')}”{year}年值"
    return label if not label.isascii() else "单位规模"  # already a name for readers
