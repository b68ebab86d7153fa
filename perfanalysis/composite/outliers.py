"""Outlier treatment: COINr's default two-stage rule (``Treat``/``qTreat``), with a log.

Definitions follow COINr's ``R/treat.R`` (which copies e1071 "type 2", as Excel does):

- skewness  G1 = √(n(n−1))/(n−2) · [√n Σd³ / (Σd²)^{3/2}],  d = x − mean;
- kurtosis  G2 = ((n+1)(r−3) + 6)(n−1)/((n−2)(n−3)),  r = n Σd⁴/(Σd²)²  — this is
  *excess* kurtosis (0 for a normal sample), compared with ``kurt_thresh`` = 3.5;
- an indicator passes when |skew| < ``skew_thresh`` (2) OR kurtosis < ``kurt_thresh``;
  i.e. it is treated while |skew| ≥ 2 AND kurtosis ≥ 3.5.

Stage 1, winsorisation (COINr ``winsorise``): while failing and fewer than ``winmax``
points are winsorised, look at the sign of the current skew: skew ≥ 0 → every point at
the current maximum takes the next lower distinct value ("winhi"); skew < 0 → every point
at the minimum takes the next higher value ("winlo"). The count is COINr's: the number of
points now sharing the treated extreme on the high side plus those on the low side (ties
are winsorised together, so it can pass ``winmax``). Stage 2: if still failing, the log
transform ``f2`` is applied to the *original* values (COINr ``combine_treat = FALSE``):
``log_ct``: log(x − min + 0.01·(max − min)); ``log_ct_plus``: the same for positive skew,
−log(max + 0.01·(max − min) − x) otherwise. Missing values are ignored throughout; fewer
than 4 values → untreated (COINr returns NA for the check).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from .spec import TreatSpec


def _finite(x: np.ndarray) -> np.ndarray:
    v = np.asarray(x, dtype=float)
    return v[~np.isnan(v)]


def skew(x: np.ndarray) -> float:
    """Sample skewness G1 (e1071 type 2, scipy's bias-corrected) of the non-NaN values;
    NaN with fewer than 3, 0 when all values are equal."""
    v = _finite(x)
    if v.size < 3:
        return float("nan")
    return 0.0 if np.ptp(v) == 0 else float(stats.skew(v, bias=False))


def kurt(x: np.ndarray) -> float:
    """Sample excess kurtosis G2 (e1071 type 2, scipy's bias-corrected Fisher) of the
    non-NaN values; NaN with fewer than 4, 0 when all values are equal."""
    v = _finite(x)
    if v.size < 4:
        return float("nan")
    return 0.0 if np.ptp(v) == 0 else float(stats.kurtosis(v, fisher=True, bias=False))


def passes(x: np.ndarray, skew_thresh: float = 2.0, kurt_thresh: float = 3.5) -> bool | None:
    """COINr ``check_SkewKurt``: |skew| < thresh OR kurt < thresh; None if undefined."""
    sk, kt = skew(x), kurt(x)
    if np.isnan(sk) or np.isnan(kt):
        return None
    return bool(abs(sk) < skew_thresh or kt < kurt_thresh)


def winsorise(x: np.ndarray, winmax: int | None = 5, skew_thresh: float = 2.0,
              kurt_thresh: float = 3.5, force: bool = False) -> tuple[np.ndarray, int, np.ndarray]:
    """Winsorise per the module's rule; return (values, points counted, flags winhi/winlo/'')."""
    x = np.asarray(x, dtype=float).copy()
    flags = np.full(x.shape, "", dtype=object)
    ok = passes(x, skew_thresh, kurt_thresh)
    if ok is None:
        return x, 0, flags
    imax = np.zeros(x.shape, dtype=bool)
    imin = np.zeros(x.shape, dtype=bool)
    nwin = 0

    def below() -> bool:
        return winmax is None or nwin < winmax

    while (not ok or force) and below():
        avail = ~np.isnan(x)
        if skew(x) >= 0:
            top = np.nanmax(x)
            imax = avail & (x == top)
            rest = x[avail & ~imax]
            if rest.size == 0:
                break
            x[imax] = rest.max()
        else:
            bottom = np.nanmin(x)
            imin = avail & (x == bottom)
            rest = x[avail & ~imin]
            if rest.size == 0:
                break
            x[imin] = rest.min()
        nwin = int(imax.sum() + imin.sum())
        ok = bool(passes(x, skew_thresh, kurt_thresh))
    flags[imax] = "winhi"
    flags[imin] = "winlo"
    return x, nwin, flags


def log_ct(x: np.ndarray) -> np.ndarray:
    """COIN Tool log: log(x − min + 0.01·(max − min))."""
    x = np.asarray(x, dtype=float)
    lo, hi = np.nanmin(x), np.nanmax(x)
    with np.errstate(divide="ignore"):
        return np.log(x - lo + 0.01 * (hi - lo))


def log_ct_plus(x: np.ndarray) -> np.ndarray:
    """Skew-aware COIN Tool log: log_ct for positive skew, −log(max + a − x) otherwise."""
    x = np.asarray(x, dtype=float)
    lo, hi = np.nanmin(x), np.nanmax(x)
    a = 0.01 * (hi - lo)
    with np.errstate(divide="ignore"):
        return np.log(x - lo + a) if skew(x) > 0 else -np.log(hi + a - x)


def treat_vector(x: np.ndarray, spec: TreatSpec) -> tuple[np.ndarray, dict[str, object], np.ndarray]:
    """Treat one indicator; return (values, log row, per-point flags)."""
    x = np.asarray(x, dtype=float)
    row: dict[str, object] = {"skew_0": skew(x), "kurt_0": kurt(x), "pass_0": None,
                              "winsorised": 0, "skew_1": np.nan, "kurt_1": np.nan,
                              "pass_1": None, "transform": "", "skew_2": np.nan,
                              "kurt_2": np.nan, "pass_2": None, "treatment": "none"}
    flags = np.full(x.shape, "", dtype=object)
    ok = passes(x, spec.skew_thresh, spec.kurt_thresh)
    row["pass_0"] = ok
    if ok is None or ok:  # COINr treats only failing indicators, even with force_win
        return x, row, flags
    x1, nwin, flags = winsorise(x, spec.winmax, spec.skew_thresh, spec.kurt_thresh,
                                spec.force_win)
    ok1 = passes(x1, spec.skew_thresh, spec.kurt_thresh)
    row.update(winsorised=nwin, skew_1=skew(x1), kurt_1=kurt(x1), pass_1=ok1,
               treatment="winsorise" if nwin else "none")
    if ok1 or spec.f2 == "none":
        return x1, row, flags
    base = x1 if spec.combine else x
    x2 = log_ct(base) if spec.f2 == "log_ct" else log_ct_plus(base)
    name = spec.f2 if spec.f2 == "log_ct" or skew(base) > 0 else "log_ct_neg"
    if not spec.combine:
        flags = np.full(x.shape, "", dtype=object)
    flags = np.where(flags == "", name, flags.astype(str) + "+" + name).astype(object)
    flags[np.isnan(x)] = ""
    row.update(transform=name, skew_2=skew(x2), kurt_2=kurt(x2),
               pass_2=passes(x2, spec.skew_thresh, spec.kurt_thresh),
               treatment=("winsorise+" if spec.combine and nwin else "") + name)
    return x2, row, flags


def treat_frame(values: pd.DataFrame, spec: TreatSpec,
                overrides: Mapping[str, TreatSpec | str] | None = None,
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Treat every column; return (data, per-indicator log, per-point log of changed cells)."""
    overrides = overrides or {}
    unknown = set(overrides) - set(values.columns)
    if unknown:
        raise ValueError(f"treatment overrides name unknown indicators {sorted(unknown)}")
    out = values.copy()
    rows, points = [], []
    for col in values.columns:
        own = overrides.get(col, spec)
        if own == "none":
            rows.append({"indicator": col, "treatment": "excluded (override 'none')"})
            continue
        assert isinstance(own, TreatSpec)
        x2, row, flags = treat_vector(values[col].to_numpy(dtype=float), own)
        out[col] = x2
        rows.append({"indicator": col, **row})
        for uid, flag, before, after in zip(values.index, flags, values[col], x2):
            if flag:
                points.append({"unit_id": uid, "indicator": col, "treatment": flag,
                               "before": before, "after": after})
    log = pd.DataFrame(rows)
    return out, log, pd.DataFrame(points, columns=["unit_id", "indicator", "treatment",
                                                   "before", "after"])
