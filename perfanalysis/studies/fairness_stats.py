"""Diagnostics of the fairness study on score tables: size dependence, persistence, the
chance of the small. Pure statistics; re-exported by ``perfanalysis.studies.fairness``.

Conventions: size dependence is the one definition of ``studies.size`` (within-group Spearman ρ
averaged over groups, all-units ρ beside it, places per doubling of size); ρ > 0: larger
units score higher.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import kendalltau

from .size import MIN_GROUP, size_dependence, size_dependence_by  # noqa: F401 (re-exported)

KEYS = ["variant", "alpha"]


def size_dependence_table(table: pd.DataFrame, size: pd.Series, boot: int = 1000,
                          seed: int = 0, groups: pd.Series | None = None,
                          level: float = 0.90) -> pd.DataFrame:
    """``size_dependence`` of every (variant, alpha) of a ``variants`` table, within the
    comparison ``groups`` (indexed by unit_id; one group when None), with the smallest and
    largest group used (``group_min``, ``group_max`` units: the scale of a rank slope) and
    the variant's Chinese ``label`` when the table has one."""
    out = size_dependence_by(table, size, KEYS, groups=groups, boot=boot, seed=seed,
                             level=level)
    ids = pd.Index(table["unit_id"].astype(str).unique())
    ok = ids[ids.isin(size.index.astype(str))]
    if groups is None:
        counts = pd.Series([len(ok)])
    else:
        counts = groups.reindex(ok).value_counts()
    counts = counts[counts >= MIN_GROUP]
    out["group_min"] = float(counts.min()) if len(counts) else np.nan
    out["group_max"] = float(counts.max()) if len(counts) else np.nan
    if "label" in table.columns:
        labels = table.drop_duplicates(KEYS)[[*KEYS, "label"]]
        out = out.merge(labels, on=KEYS, how="left")
    return out


ALL_KEYS = ("rho_all", "rho_all_lo", "rho_all_hi")


def with_all_units(within: pd.DataFrame, across: pd.DataFrame) -> pd.DataFrame:
    """``within`` (a ``size_dependence_table`` within the comparison groups) with its
    all-units ρ taken from ``across``: the same variants scored across all units (min–max
    over every unit, ``variants(..., by="all")``, one group), so the all-units ρ is what a
    province-wide comparison would see, not within-group positions pooled. Rows that
    ``across`` lacks (the scheme's own method) keep theirs."""
    acr = across[[*KEYS, "rho", "rho_lo", "rho_hi"]].rename(
        columns=dict(zip(("rho", "rho_lo", "rho_hi"), ALL_KEYS)))
    out = within.merge(acr, on=KEYS, how="left", suffixes=("", "_across"))
    for key in ALL_KEYS:
        out[key] = out[f"{key}_across"].where(out[f"{key}_across"].notna(), out[key])
    return out.drop(columns=[f"{k}_across" for k in ALL_KEYS])


def _kendall_within(pairs: pd.DataFrame) -> tuple[float, int]:
    """Kendall τ-b of ranks between two years (``rank_from``, ``rank_to`` of the units in
    both), pairs within a sequence only, pooled over sequences weighted by their number of
    pairs; returns (τ, pairs)."""
    num = 0.0
    n_pairs = 0
    for _, grp in pairs.groupby("sequence", sort=True):
        k = len(grp)
        if k < 2:
            continue
        tau = kendalltau(grp["rank_from"], grp["rank_to"]).statistic
        if np.isfinite(tau):
            num += tau * k * (k - 1) / 2
            n_pairs += k * (k - 1) // 2
    return (num / n_pairs if n_pairs else np.nan), n_pairs


def _tercile(rank: pd.Series, n: pd.Series) -> pd.Series:
    """1 (top third) … 3 (bottom third) of a rank within a sequence of n units."""
    return np.ceil(3.0 * rank / n).clip(1, 3).astype(int)


@dataclass(frozen=True)
class Persistence:
    """Rank persistence across years: Kendall τ of consecutive years, the tercile mobility
    matrix t → t+1 and each unit's years in the top tier."""

    kendall: pd.DataFrame  # variant, alpha, year_from, year_to, kendall_tau, pairs
    mobility: pd.DataFrame  # variant, alpha, tercile_from, tercile_to, count, share
    years_top: pd.DataFrame  # unit_id, name, variant, alpha, years, years_top


def persistence(panel: pd.DataFrame) -> Persistence:
    """Persistence of a ``variants_panel`` table (unit_id, sequence, year, variant, alpha,
    rank, optional name and top)."""
    panel = panel.copy()
    panel["n_seq"] = panel.groupby(["year", "sequence", *KEYS], dropna=False)["unit_id"
                                                                           ].transform("size")
    panel["tercile"] = _tercile(panel["rank"], panel["n_seq"])
    years = sorted(panel["year"].unique())
    kend, mob = [], []
    cols = ["unit_id", "sequence", "rank", "tercile", "year"]
    for (variant, alpha), grp in panel.groupby(KEYS, sort=False, dropna=False):
        present = set(grp["year"])
        steps = [(y0, y1) for y0, y1 in itertools.pairwise(years)
                 if y0 in present and y1 in present]
        if not steps:
            continue
        # every consecutive pair of years in one merge: a unit's row in y0 beside its row
        # in the next year (left order kept, so each year's rows are as a merge per year)
        nxt = dict(steps)
        a = grp.loc[grp["year"].isin(list(nxt)), cols]
        a = a.assign(year_to=a["year"].map(nxt).astype(grp["year"].dtype))
        b = grp.loc[grp["year"].isin(list(nxt.values())), cols].rename(
            columns={"year": "year_to"})
        m = a.merge(b, on=["unit_id", "sequence", "year_to"], suffixes=("_from", "_to"))
        by_step = {y0: g for y0, g in m.groupby("year", sort=False)}
        for y0, y1 in steps:
            tau, pairs = _kendall_within(by_step.get(y0, m.iloc[:0]))
            kend.append({"variant": variant, "alpha": alpha, "year_from": int(y0),
                         "year_to": int(y1), "kendall_tau": tau, "pairs": pairs})
        mob.append(m[["tercile_from", "tercile_to"]].assign(variant=variant, alpha=alpha))
    kendall = pd.DataFrame(kend, columns=["variant", "alpha", "year_from", "year_to",
                                          "kendall_tau", "pairs"])
    if mob:
        moves = pd.concat(mob, ignore_index=True)
        full = pd.MultiIndex.from_product([[1, 2, 3], [1, 2, 3]],
                                          names=["tercile_from", "tercile_to"])
        parts = []
        for (variant, alpha), g in moves.groupby(KEYS, sort=False, dropna=False):
            cnt = g.groupby(["tercile_from", "tercile_to"]).size().reindex(full, fill_value=0)
            df = cnt.rename("count").reset_index()
            row_tot = df.groupby("tercile_from")["count"].transform("sum")
            df["share"] = np.where(row_tot > 0, df["count"] / row_tot.where(row_tot > 0, 1), 0.0)
            parts.append(df.assign(variant=variant, alpha=alpha))
        mobility = pd.concat(parts, ignore_index=True)[
            ["variant", "alpha", "tercile_from", "tercile_to", "count", "share"]]
    else:
        mobility = pd.DataFrame(columns=["variant", "alpha", "tercile_from", "tercile_to",
                                         "count", "share"])
    cols = ["unit_id", *(["name"] if "name" in panel.columns else []), *KEYS]
    top = panel["top"] if "top" in panel.columns else panel["rank"] == 1
    years_top = (panel.assign(is_top=top.astype(int))
                 .groupby(cols, sort=False, dropna=False)
                 .agg(years=("year", "nunique"), years_top=("is_top", "sum")).reset_index())
    return Persistence(kendall, mobility, years_top)


def small_units(size: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """True for the lower size half (size below the median; the median unit counts as small
    when the count is odd), within each comparison group when ``groups`` is given (a unit is
    small among the units it is ranked with)."""
    if groups is None:
        rank = size.rank(method="first")
        return rank <= np.ceil(len(size) / 2.0)
    g = groups.reindex(size.index).astype(str)
    rank = size.groupby(g).rank(method="first")
    count = size.groupby(g).transform("size")
    return rank <= np.ceil(count / 2.0)


def small_unit_chance(panel: pd.DataFrame, size: pd.Series,
                      groups: pd.Series | None = None) -> pd.DataFrame:
    """Across years: share of unit-years in the top tier for the lower and upper size halves
    (within the comparison ``groups`` when given): variant, alpha, p_top_small, p_top_large,
    unit_years_small, unit_years_large."""
    small = small_units(size, groups)
    top = panel["top"] if "top" in panel.columns else panel["rank"] == 1
    df = panel.assign(small=panel["unit_id"].map(small).fillna(False).astype(bool),
                      is_top=top.astype(float))
    rows = []
    for (variant, alpha), g in df.groupby(KEYS, sort=False, dropna=False):
        rows.append({"variant": variant, "alpha": alpha,
                     "p_top_small": float(g.loc[g["small"], "is_top"].mean()),
                     "p_top_large": float(g.loc[~g["small"], "is_top"].mean()),
                     "unit_years_small": int(g["small"].sum()),
                     "unit_years_large": int((~g["small"]).sum())})
    return pd.DataFrame(rows)
