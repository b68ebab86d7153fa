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

from .resample import percentile_interval, unit_weights
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


# --- intervals of the persistence figures: a bootstrap over units ---------------------------
#: the variants the persistence sentences speak of
MAIN_PERSISTENCE = ("level", "growth")
#: draws multiplied at once in the τ bootstrap (bounds memory for a large group)
_CHUNK = 128


def _tied_pairs(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Pairs of drawn units tied on ``x``, per row of weights: a value class drawn m times
    in all holds m(m − 1)/2 tied pairs (a unit drawn twice is tied with itself)."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    m = np.add.reduceat(w[:, order], starts, axis=1)
    return (m * (m - 1) / 2).sum(axis=1)


def weighted_tau_b(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray,
                                                                           np.ndarray]:
    """Kendall τ-b of (x, y) in each resample given by a row of weights ``w`` (B, n), and its
    number of pairs N(N − 1)/2: S / √((n₀ − T_x)(n₀ − T_y)) with S = Σ_{i<j} w_i w_j
    sign(x_i − x_j) sign(y_i − y_j), n₀ the pairs of the N drawn units and T the tied pairs.
    Row of ones: scipy's τ-b of the data."""
    a = np.sign(x[:, None] - x[None, :]) * np.sign(y[:, None] - y[None, :])
    s = np.concatenate([((w[i:i + _CHUNK] @ a) * w[i:i + _CHUNK]).sum(axis=1)
                        for i in range(0, len(w), _CHUNK)]) / 2
    n = w.sum(axis=1)
    n0 = n * (n - 1) / 2
    denom = (n0 - _tied_pairs(x, w)) * (n0 - _tied_pairs(y, w))
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = np.where(denom > 0, s / np.sqrt(np.where(denom > 0, denom, 1.0)), np.nan)
    return tau, n0


def persistence_summary(panel: pd.DataFrame, size: pd.Series,
                        groups: pd.Series | None = None, boot: int = 1000, seed: int = 0,
                        level: float = 0.90,
                        variants: tuple[str, ...] = MAIN_PERSISTENCE) -> pd.DataFrame:
    """The persistence figures the report states, with ``level`` bootstrap intervals over
    units (``boot`` resamples; 0: no interval), per main variant of a ``variants_panel``:

    - ``tau_mean``: the mean over consecutive year pairs of the within-group Kendall τ-b
      (``persistence``), ``year_pairs`` pairs, ``units`` units; resampled within the ranking
      groups (a unit keeps all its years);
    - ``p_top_small``/``p_top_large``: the share of unit-years in the top tier of the lower and
      upper size halves (``small_unit_chance``), ``gap`` = small − large; resampled within
      each comparison group and half, so each keeps its number of units.

    Percentile intervals (``*_lo``, ``*_hi``)."""
    small = small_units(size, groups)
    top = panel["top"] if "top" in panel.columns else panel["rank"] == 1
    df = panel.assign(is_top=top.astype(float))
    years = sorted(df["year"].unique())
    rows = []
    for (variant, alpha), grp in df.groupby(KEYS, sort=False, dropna=False):
        if variant not in variants:
            continue
        rank = grp.pivot_table(index="unit_id", columns="year", values="rank", aggfunc="first")
        seq_y = grp.assign(sequence=grp["sequence"].astype(str)).pivot_table(
            index="unit_id", columns="year", values="sequence", aggfunc="first").reindex(
            index=rank.index, columns=rank.columns)
        units = rank.index.astype(str)
        seq = grp.groupby("unit_id")["sequence"].first().reindex(rank.index).astype(str)
        w = unit_weights(seq.to_numpy(), boot, seed)
        steps = [(y0, y1) for y0, y1 in itertools.pairwise(years)
                 if y0 in rank.columns and y1 in rank.columns]
        taus = []
        for y0, y1 in steps:
            num = np.zeros(len(w))
            den = np.zeros(len(w))
            # a unit pairs with itself in the next year within the same ranking group
            both = rank[y0].notna() & rank[y1].notna() & (seq_y[y0] == seq_y[y1])
            for s in sorted(set(seq_y.loc[both, y0])):
                sel = (both & (seq_y[y0] == s)).to_numpy()
                if sel.sum() < 2:
                    continue
                tau, n0 = weighted_tau_b(rank[y0].to_numpy(float)[sel],
                                         rank[y1].to_numpy(float)[sel], w[:, sel])
                ok = np.isfinite(tau) & (n0 > 0)
                num += np.where(ok, tau * n0, 0.0)
                den += np.where(ok, n0, 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                taus.append(np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan))
        tau_draws = np.array(taus) if taus else np.full((1, len(w)), np.nan)
        valid = np.isfinite(tau_draws[:, 0])
        mean_tau = (tau_draws[valid].mean(axis=0) if valid.any()
                    else np.full(len(w), np.nan))
        # the chance of the small: per unit its years and years on top
        per_unit = grp.groupby("unit_id").agg(years=("year", "size"), tops=("is_top", "sum"))
        is_small = per_unit.index.map(small).fillna(False).astype(bool).to_numpy()
        strata = (groups.reindex(per_unit.index).astype(str).to_numpy() if groups is not None
                  else np.full(len(per_unit), "")).astype(object) + np.where(is_small, "|s", "|l")
        wc = unit_weights(strata, boot, seed + 1)
        yrs, tops = per_unit["years"].to_numpy(float), per_unit["tops"].to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            p_small = (wc[:, is_small] @ tops[is_small]) / (wc[:, is_small] @ yrs[is_small])
            p_large = (wc[:, ~is_small] @ tops[~is_small]) / (wc[:, ~is_small] @ yrs[~is_small])
        row = {"variant": variant, "alpha": alpha, "year_pairs": int(valid.sum()),
               "units": len(units), "tau_mean": float(mean_tau[0])}
        row["tau_lo"], row["tau_hi"] = percentile_interval(mean_tau[1:], level)
        for name, draws in (("p_top_small", p_small), ("p_top_large", p_large),
                            ("gap", p_small - p_large)):
            row[name] = float(draws[0])
            row[f"{name}_lo"], row[f"{name}_hi"] = percentile_interval(draws[1:], level)
        row.update({"unit_years_small": int(yrs[is_small].sum()),
                    "unit_years_large": int(yrs[~is_small].sum()),
                    "units_small": int(is_small.sum()), "units_large": int((~is_small).sum()),
                    "level": level, "boot": boot})
        rows.append(row)
    return pd.DataFrame(rows, columns=[
        "variant", "alpha", "year_pairs", "units", "tau_mean", "tau_lo", "tau_hi",
        "p_top_small", "p_top_small_lo", "p_top_small_hi", "p_top_large", "p_top_large_lo",
        "p_top_large_hi", "gap", "gap_lo", "gap_hi", "unit_years_small", "unit_years_large",
        "units_small", "units_large", "level", "boot"])
