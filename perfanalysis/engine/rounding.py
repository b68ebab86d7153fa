"""One rounding rule for every displayed number: half-up at 2 decimals (四舍五入).

Tables, sentences, tier reasons, the console and ``scores.xlsx`` all print figures through
these helpers, so a total reads the same everywhere (80.925 → 80.93, never 80.92 in one
place and 80.93 in another). The decimal is taken from the float's shortest repr, so a
value stored as 80.925 rounds up although its binary double is a hair below.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

DIGITS = 2


def dec(x: float, digits: int = DIGITS) -> Decimal:
    """``x`` rounded half-up to ``digits`` decimals, as an exact Decimal (for differences)."""
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def half_up(x: float, digits: int = DIGITS) -> float:
    """``x`` rounded half-up to ``digits`` decimals (NaN and infinities unchanged)."""
    x = float(x)
    return x if not math.isfinite(x) else float(dec(x, digits))


def fmt(x: float, digits: int = DIGITS) -> str:
    """``x`` as printed: half-up to ``digits`` decimals, trailing zeros kept ("80.90")."""
    x = float(x)
    if not math.isfinite(x):
        return "—" if math.isnan(x) else str(x)
    d = dec(x, digits)
    return f"{0 if d == 0 else d:.{digits}f}"  # no "-0.00"


def round_frame(df: pd.DataFrame, digits: int = DIGITS) -> pd.DataFrame:
    """A copy with every float column rounded half-up (for tables shown or written)."""
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = np.array([half_up(v, digits) for v in out[col].to_numpy()],
                                dtype=float)
    return out
