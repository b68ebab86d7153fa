"""Confidence sets for ranks (Mogstad, Romano, Shaikh & Wilhelm, "Inference for ranks",
Review of Economic Studies 2024): which places a unit could hold given its estimate's error.
Also the ranking groups of a scheme (``tiers.scope``: each sequence, all units together, or
each value of a units.csv column), used by the rank column, tiers and results use.

A parametric bootstrap of the max-|t| statistic over pairwise differences tests "unit i is
better than unit j" for many pairs at once; a unit's rank is at least 1 + (units surely
better) and at most n − (units surely worse). Marginal sets cover one unit's rank, a
simultaneous set all units' ranks at once; step-down rejects more pairs without losing
coverage. Rank 1 is the largest estimate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import DataError, Problem

Side = Literal["two", "lower", "upper"]
ALL_GROUP = "all"


def scope_values(scope: str, unit_ids: Sequence[str], sequences: Sequence[str],
                 units: pd.DataFrame | None = None, source: str = "units.csv") -> np.ndarray:
    """The ranking group of each unit under ``scope``: its sequence (``sequence``), one group
    (``all``) or its value of the units.csv column ``scope``. A missing column or value is a
    data error naming the file, the column and the units."""
    if scope == "sequence":
        return np.asarray(sequences, dtype=object)
    if scope == ALL_GROUP:
        return np.full(len(unit_ids), ALL_GROUP, dtype=object)
    if units is None or scope not in units.columns:
        raise DataError([Problem(source, f"tiers.scope names column '{scope}', which units.csv "
                                         "does not have",
                                 zh=f"方案按“{scope}”分组评定等次,units.csv 中没有这一列")],
                        headline="The scheme's ranking groups need a units.csv column")
    vals = units.set_index("unit_id")[scope].reindex(list(unit_ids))
    gone = [u for u, v in zip(unit_ids, vals) if pd.isna(v) or str(v).strip() == ""]
    if gone:
        raise DataError([Problem(source, f"unit {u}: no value in column '{scope}' (tiers.scope)",
                                 zh=f"单位{u}在“{scope}”列没有取值,无法分组评定等次")
                         for u in gone[:20]], headline="Ranking group missing")
    return vals.astype(str).to_numpy(dtype=object)


def scope_name(scope: str, group: str, sequence_names: Mapping[str, str]) -> str:
    """The Chinese name of a ranking group in reasons: a sequence's name, 全部单位, or the
    column's value."""
    if scope == "sequence":
        return sequence_names.get(str(group), str(group))
    return "全部单位" if scope == ALL_GROUP else str(group)


def _cov(estimates: np.ndarray, se: np.ndarray | None, cov: np.ndarray | None) -> np.ndarray:
    if (se is None) == (cov is None):
        raise ValueError("give exactly one of 'se' (independent estimates) or 'cov'")
    if cov is not None:
        c = np.asarray(cov, dtype=float)
        if c.shape != (len(estimates), len(estimates)):
            raise ValueError(f"cov must be {len(estimates)}×{len(estimates)}; got {c.shape}")
        return c
    s = np.asarray(se, dtype=float)
    if s.shape != estimates.shape or (s < 0).any():
        raise ValueError("se must be non-negative, one per estimate")
    return np.diag(s ** 2)


def _normal_draws(c: np.ndarray, draws: int, seed: int) -> np.ndarray:
    """Draws of N(0, c), shaped (draws, n); c may be singular (eigen square root)."""
    vals, vecs = np.linalg.eigh((c + c.T) / 2)
    root = vecs * np.sqrt(np.clip(vals, 0, None))
    z = np.random.default_rng(seed).standard_normal((draws, len(c)))
    return z @ root.T


def _min_rank(x: np.ndarray) -> np.ndarray:
    """Rank with 1 = largest, ties sharing the better (smaller) rank."""
    return (x[None, :] > x[:, None]).sum(axis=1) + 1


def _bounds(x: np.ndarray, z: np.ndarray, sd: np.ndarray, rows: np.ndarray, side: Side,
            stepdown: bool, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper rank bounds of the units in ``rows`` (one joint family of tests)."""
    n = len(x)
    diff = x[:, None] - x[None, :]  # diff[i, j] = x_i − x_j
    active = np.zeros((n, n), dtype=bool)
    active[rows, :] = True
    kind = {"two": "symmetric", "lower": "upper", "upper": "lower"}[side]
    if stepdown and kind == "symmetric":
        active[:, rows] = True  # both directions, one-sided: equivalent and steps down
        kind = "lower"
    np.fill_diagonal(active, False)
    lo = np.full((n, n), -np.inf)
    hi = np.full((n, n), np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        while active.any():
            a, b = np.nonzero(active)
            t = (z[:, a] - z[:, b]) / sd[a, b]
            t = np.where(sd[a, b] > 0, t, 0.0)
            stat = {"lower": t, "upper": -t, "symmetric": np.abs(t)}[kind].max(axis=1)
            q = float(np.quantile(stat, 1 - alpha))
            if kind in ("lower", "symmetric"):
                lo[a, b] = diff[a, b] - sd[a, b] * q
            if kind in ("upper", "symmetric"):
                hi[a, b] = diff[a, b] + sd[a, b] * q
            rejected = active & ((lo > 0) | (hi < 0))
            if not stepdown or not rejected.any():
                break
            active &= ~rejected
    if side == "two" and stepdown:
        n_worse = (lo[rows, :] > 0).sum(axis=1)  # i surely above j
        n_better = (lo[:, rows] > 0).sum(axis=0)  # j surely above i
    else:
        n_worse = (lo[rows, :] > 0).sum(axis=1)
        n_better = (hi[rows, :] < 0).sum(axis=1)
    return n_better + 1, n - n_worse


def rank_confidence_sets(estimates, se=None, cov=None, alpha: float = 0.05,
                         simultaneous: bool = False, stepdown: bool = True,
                         side: Side = "two", draws: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Confidence sets for ranks: ``rank`` (1 = best, ties → min rank), ``lower``, ``upper``.

    ``se`` for independent estimates or ``cov`` for their covariance. ``side="lower"``
    gives only a lower bound on the rank (upper = n), ``"upper"`` only an upper bound.
    Marginal sets (default) cover each unit's true rank with probability 1 − alpha;
    ``simultaneous=True`` covers all at once. Indexed like ``estimates`` (a Series keeps
    its index).
    """
    index = estimates.index if isinstance(estimates, pd.Series) else None
    x = np.asarray(estimates, dtype=float)
    if x.ndim != 1 or not np.isfinite(x).all():
        raise ValueError("estimates must be a 1-d array of finite numbers")
    if side not in ("two", "lower", "upper"):
        raise ValueError(f"side must be 'two', 'lower' or 'upper'; got {side!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1); got {alpha}")
    c = _cov(x, se, cov)
    v = np.diag(c)
    sd = np.sqrt(np.clip(v[:, None] + v[None, :] - 2 * c, 0, None))
    z = _normal_draws(c, draws, seed)
    n = len(x)
    if simultaneous:
        lower, upper = _bounds(x, z, sd, np.arange(n), side, stepdown, alpha)
    else:
        pairs = [_bounds(x, z, sd, np.array([i]), side, stepdown, alpha) for i in range(n)]
        lower = np.array([p[0][0] for p in pairs])
        upper = np.array([p[1][0] for p in pairs])
    return pd.DataFrame({"estimate": x, "rank": _min_rank(x), "lower": lower.astype(int),
                         "upper": upper.astype(int)}, index=index)


def top_set(estimates, se=None, cov=None, tau: int = 1, alpha: float = 0.05,
            stepdown: bool = True, draws: int = 1000, seed: int = 0) -> pd.Series:
    """Which units could be among the top ``tau`` (a confidence set for the τ-best).

    True where the simultaneous one-sided lower bound of the rank is ≤ tau: the set holds
    all true top-τ units with probability ≈ 1 − alpha. A unit is surely top-τ only if its
    upper rank bound is ≤ tau (see ``rank_confidence_sets``).
    """
    if tau < 1:
        raise ValueError(f"tau must be at least 1; got {tau}")
    sets = rank_confidence_sets(estimates, se=se, cov=cov, alpha=alpha, simultaneous=True,
                                stepdown=stepdown, side="lower", draws=draws, seed=seed)
    return (sets["lower"] <= tau).rename("top_set")
