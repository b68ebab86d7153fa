"""Missing data: imputation by group mean/median or own last value, and unit screening.

- ``impute_group``: each indicator's NaN filled with the mean (or median) of the unit's
  group (a unit attribute such as a sequence or COINr's ``EurAsia_group``), computed over
  the group's available values (COINr ``i_mean_grp``/``i_median_grp``). Units without a
  group, or whose group has no value, stay NaN. ``group=None`` uses all units.
- ``impute_last``: in a panel (unit, year → values), a NaN takes the unit's own latest
  earlier value (no look-ahead: a value is never filled from a later year).
- ``screen``: units whose share of available indicator values is below ``min_share`` are
  dropped (COINr ``Screen(unit_screen = "byNA", dat_thresh)``); forced inclusions and
  exclusions override.

Each returns the data and a log table of what it did.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

LOG_COLUMNS = ["unit_id", "indicator", "value", "method", "source"]


def impute_group(values: pd.DataFrame, groups: pd.Series | None = None,
                 stat: str = "mean") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill NaN with the group's mean or median of each indicator."""
    if stat not in ("mean", "median"):
        raise ValueError(f"stat must be 'mean' or 'median', got {stat!r}")
    g = (pd.Series("all", index=values.index) if groups is None
         else groups.reindex(values.index))
    fill = values.groupby(g, dropna=True).transform(stat)
    out = values.where(values.notna(), fill)
    filled = values.isna() & out.notna()
    log = []
    for col in values.columns:
        for uid in values.index[filled[col].to_numpy()]:
            log.append({"unit_id": uid, "indicator": col, "value": float(out.at[uid, col]),
                        "method": f"group_{stat}" if groups is not None else stat,
                        "source": str(g.get(uid))})
    return out, pd.DataFrame(log, columns=LOG_COLUMNS)


def impute_last(panel: pd.DataFrame, unit: str = "unit_id",
                year: str = "year") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill NaN with the unit's latest earlier value (panel: one row per unit and year)."""
    cols = [c for c in panel.columns if c not in (unit, year)]
    ordered = panel.sort_values([unit, year], kind="mergesort")
    filled = ordered.groupby(unit, sort=False)[cols].ffill()
    out = ordered.copy()
    out[cols] = filled
    log = []
    for col in cols:
        years_with = ordered[year].where(ordered[col].notna())
        last_year = years_with.groupby(ordered[unit]).ffill()
        new = ordered[col].isna() & out[col].notna()
        for idx in ordered.index[new.to_numpy()]:
            log.append({"unit_id": ordered.at[idx, unit], "indicator": col,
                        "value": float(out.at[idx, col]), "method": "last_value",
                        "source": f"{int(last_year.at[idx])}→{int(ordered.at[idx, year])}"})
    return out.loc[panel.index], pd.DataFrame(log, columns=LOG_COLUMNS)


def data_availability(values: pd.DataFrame) -> pd.Series:
    """Share of non-missing indicator values per unit."""
    return values.notna().mean(axis=1).rename("availability")


def screen(values: pd.DataFrame, min_share: float, include: Iterable[str] = (),
           exclude: Iterable[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep units with availability ≥ ``min_share``; return (kept data, per-unit table)."""
    include, exclude = set(include), set(exclude)
    both = include & exclude
    if both:
        raise ValueError(f"units both included and excluded: {sorted(both)}")
    avail = data_availability(values)
    keep = (avail >= min_share) & ~avail.index.isin(list(exclude))
    keep |= avail.index.isin(list(include))
    table = pd.DataFrame({"unit_id": values.index, "availability": avail.to_numpy(),
                          "low_data": (avail < min_share).to_numpy(),
                          "kept": keep.to_numpy()})
    return values.loc[keep.to_numpy()], table
