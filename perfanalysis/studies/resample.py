"""Bootstrap helpers shared by the studies: resampling weights of units (a unit keeps all
its years) and the percentile interval of the draws."""

from __future__ import annotations

import numpy as np


def unit_weights(strata: np.ndarray, boot: int, seed: int) -> np.ndarray:
    """(1 + boot, n) weights of units: row 0 all ones (the data as they are), then ``boot``
    resamples with replacement within each stratum (how often each unit is drawn), so every
    stratum keeps its number of units. A unit carries all its years with it: the years of one
    unit are not independent, the units are."""
    strata = np.asarray(strata)
    w = np.ones((boot + 1, len(strata)))
    rng = np.random.default_rng(seed)
    for s in sorted(set(strata.tolist()), key=str):
        idx = np.flatnonzero(strata == s)
        w[1:, idx] = rng.multinomial(len(idx), np.full(len(idx), 1.0 / len(idx)), size=boot)
    return w


def percentile_interval(draws: np.ndarray, level: float) -> tuple[float, float]:
    """The ``level`` percentile interval of the finite bootstrap draws (NaN, NaN without
    any)."""
    draws = np.asarray(draws, dtype=float)
    draws = draws[np.isfinite(draws)]
    if not len(draws):
        return np.nan, np.nan
    tail = 100 * (1.0 - level) / 2.0
    lo, hi = np.percentile(draws, [tail, 100 - tail])
    return float(lo), float(hi)
