"""Normalisation: bring indicators onto a common scale, direction first, NaN kept.

Every function takes values shaped ``(..., n_units)`` (leading axes, e.g. draws, are kept)
and a ``direction`` (1 or −1). A negative indicator is multiplied by −1 before the method
(COINr's ``Normalise``), so "higher is better" holds for every output. Missing values (NaN)
stay missing and are left out of minima, maxima, means and ranks. Ties rank by "min"
(the best place is shared, the next place skipped), like the core's ``rank_points``.

Definitions (x after direction, statistics over a unit's available values):

- ``minmax``: (x − min)/(max − min)·(upper − lower) + lower; all equal → ``upper``
  (COINr returns NaN with a warning; the core gives full points, and so do we);
- ``zscore``: (x − mean)/sd·sd_out + mean_out, sd with ``ddof`` (1 = R's ``sd``, COINr);
- ``rank``: rank with ties "min", 1 = lowest (COINr ``n_rank``: higher value, higher rank);
- ``percentile_rank``: (rank − 1)/(n − 1) (COINr ``n_prank``);
- ``distance_to_target``: (x − min)/(target − min), capped at 1 if ``cap`` (COINr
  ``n_dist2targ``; a negative indicator's target and values are flipped together);
- ``goalposts``: (x − goal_lower)/(goal_upper − goal_lower) for a positive indicator,
  (goal_upper − x)/(goal_upper − goal_lower) for a negative one, clipped to [0, 1];
- ``completion``/``efficacy``/``rank_points``: the core's Chinese methods
  (``perfanalysis.engine.methods``) on the available values, as a fraction times ``scale``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from ..engine import methods
from .spec import NormaliseSpec

FloatArray = np.ndarray


def _oriented(x: FloatArray, direction: int) -> FloatArray:
    if direction not in (1, -1):
        raise ValueError(f"direction must be 1 or -1, got {direction}")
    return np.asarray(x, dtype=float) * direction


def minmax(x: FloatArray, direction: int = 1, lower: float = 0.0,
           upper: float = 100.0) -> FloatArray:
    """Min–max onto [lower, upper]; all-equal values get ``upper``."""
    x = _oriented(x, direction)
    with np.errstate(invalid="ignore"):
        lo = np.nanmin(x, axis=-1, keepdims=True)
        hi = np.nanmax(x, axis=-1, keepdims=True)
    span = hi - lo
    safe = np.where(span > 0, span, 1.0)
    pos = np.where(span > 0, (x - lo) / safe, 1.0)
    return np.where(np.isnan(x), np.nan, pos * (upper - lower) + lower)


def zscore(x: FloatArray, direction: int = 1, mean: float = 0.0, sd: float = 1.0,
           ddof: int = 1) -> FloatArray:
    """Standardise to the given mean and sd; all-equal values get ``mean``."""
    x = _oriented(x, direction)
    m = np.nanmean(x, axis=-1, keepdims=True)
    s = np.nanstd(x, axis=-1, ddof=ddof, keepdims=True)
    z = np.where(s > 0, (x - m) / np.where(s > 0, s, 1.0), 0.0)
    return np.where(np.isnan(x), np.nan, z * sd + mean)


def rank(x: FloatArray, direction: int = 1) -> FloatArray:
    """Rank among available values, 1 = lowest, ties share the lowest ("min")."""
    x = _oriented(x, direction)
    return rankdata(x, method="min", axis=-1, nan_policy="omit")


def percentile_rank(x: FloatArray, direction: int = 1) -> FloatArray:
    """(rank − 1)/(n − 1) with n the number of available values (1 when n = 1)."""
    r = rank(x, direction)
    n = np.sum(~np.isnan(np.asarray(x, dtype=float)), axis=-1, keepdims=True)
    pr = np.where(n > 1, (r - 1.0) / np.maximum(n - 1, 1), 1.0)
    return np.where(np.isnan(r), np.nan, pr)


def distance_to_target(x: FloatArray, target: float, direction: int = 1, cap: bool = False,
                       scale: float = 1.0) -> FloatArray:
    """(x − min)/(target − min), after direction; optionally capped at 1; times ``scale``."""
    x = _oriented(x, direction)
    t = target * direction
    lo = np.nanmin(x, axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = (x - lo) / (t - lo)
    if cap:
        y = np.where(y > 1, 1.0, y)
    return y * scale


def goalposts(x: FloatArray, goal_lower: float, goal_upper: float, direction: int = 1,
              truncate: bool = True, scale: float = 1.0) -> FloatArray:
    """Position between goalposts given in raw units; negative indicators count down."""
    if direction not in (1, -1):
        raise ValueError(f"direction must be 1 or -1, got {direction}")
    x = np.asarray(x, dtype=float)
    span = goal_upper - goal_lower
    y = (x - goal_lower) / span if direction == 1 else (goal_upper - x) / span
    if truncate:
        y = np.clip(y, 0.0, 1.0)
    return y * scale


def _on_available(x: FloatArray, fn) -> FloatArray:  # type: ignore[no-untyped-def]
    """Apply a 1-D core method to the non-NaN values of a vector."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError("the Chinese methods take one indicator vector (n_units,)")
    out = np.full_like(x, np.nan)
    ok = ~np.isnan(x)
    if ok.any():
        out[ok] = fn(x[ok])
    return out


def completion(x: FloatArray, target: float, direction: int = 1, ratio_cap: float = 1.0,
               scale: float = 100.0) -> FloatArray:
    """完成率法 (core ``methods.completion``): min(x/target, cap); reverse uses target/x."""
    return _on_available(x, lambda v: methods.completion(
        v, np.full_like(v, target), cap=ratio_cap, reverse=direction == -1)) * scale


def efficacy(x: FloatArray, direction: int = 1, base: float = 0.6,
             scale: float = 100.0) -> FloatArray:
    """功效系数法 (core ``methods.efficacy``): base + (1 − base)·position, over all units."""
    return _on_available(x, lambda v: methods.efficacy(
        v, np.zeros(v.shape[-1], dtype=int), base=base, reverse=direction == -1)) * scale


def rank_points(x: FloatArray, points: float, step: float, direction: int = 1,
                scale: float = 100.0) -> FloatArray:
    """排位法 (core ``methods.rank_points``): first place full, ``step`` lost per place."""
    return _on_available(x, lambda v: methods.rank_points(
        v, np.zeros(v.shape[-1], dtype=int), points=points, step=step,
        reverse=direction == -1)) * scale


def apply_spec(x: FloatArray, spec: NormaliseSpec, direction: int = 1) -> FloatArray:
    """Normalise one indicator's values with a validated spec."""
    m = spec.method
    if m == "none":
        return np.asarray(x, dtype=float) * direction
    if m == "minmax":
        return minmax(x, direction, spec.lower, spec.upper)
    if m == "zscore":
        return zscore(x, direction, spec.mean, spec.sd, spec.ddof)
    if m == "rank":
        return rank(x, direction)
    if m == "percentile_rank":
        return percentile_rank(x, direction) * spec.scale
    if m == "distance_to_target":
        return distance_to_target(x, spec.target, direction, spec.cap, spec.scale)  # type: ignore[arg-type]
    if m == "goalposts":
        return goalposts(x, spec.goal_lower, spec.goal_upper, direction,  # type: ignore[arg-type]
                         spec.truncate, spec.scale)
    if m == "completion":
        return completion(x, spec.target, direction, spec.ratio_cap, spec.scale)  # type: ignore[arg-type]
    if m == "efficacy":
        return efficacy(x, direction, spec.base, spec.scale)
    return rank_points(x, spec.points, spec.step, direction, spec.scale)  # type: ignore[arg-type]


def normalise_frame(df: pd.DataFrame, spec: NormaliseSpec,
                    directions: Mapping[str, int] | None = None,
                    overrides: Mapping[str, NormaliseSpec] | None = None) -> pd.DataFrame:
    """Normalise every column (units × indicators) with ``spec`` or its override."""
    directions = directions or {}
    overrides = overrides or {}
    unknown = set(overrides) - set(df.columns)
    if unknown:
        raise ValueError(f"normalisation overrides name unknown indicators {sorted(unknown)}")
    out = {c: apply_spec(df[c].to_numpy(dtype=float), overrides.get(c, spec),
                         int(directions.get(c, 1)))
           for c in df.columns}
    return pd.DataFrame(out, index=df.index)
