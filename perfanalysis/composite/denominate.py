"""Denomination: divide indicators by population, GDP, area… so units of any size compare.

``denominate`` takes units × indicators, units × denominators and a mapping indicator →
denominator; the result is value / denominator × ``scale`` (COINr ``Denominate``). A
missing or zero denominator gives NaN for that unit (and is listed in the log), never inf.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import PipelineError


def denominate(values: pd.DataFrame, denominators: pd.DataFrame, by: Mapping[str, str],
               scale: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Divide the mapped columns by their denominators; return (data, log of NaN results)."""
    bad_ind = sorted(set(by) - set(values.columns))
    bad_den = sorted(set(by.values()) - set(denominators.columns))
    if bad_ind or bad_den:
        raise PipelineError(f"denominate: unknown indicators {bad_ind} or denominators {bad_den}")
    den = denominators.reindex(values.index)
    out = values.copy()
    log = []
    for ind, d in by.items():
        dv = den[d].to_numpy(dtype=float)
        ok = np.isfinite(dv) & (dv != 0)
        x = values[ind].to_numpy(dtype=float)
        out[ind] = np.where(ok, x / np.where(ok, dv, 1.0) * scale, np.nan)
        for uid in values.index[~ok & ~np.isnan(x)]:
            log.append({"unit_id": uid, "indicator": ind, "denominator": d,
                        "reason": "denominator missing or zero"})
    return out, pd.DataFrame(log, columns=["unit_id", "indicator", "denominator", "reason"])
