"""Noise, frontier and alternatives of the fairness study: the measurement-error model
simulated on arrays with a leading draw axis (no loop per draw), rank volatility and the
chance of the top tier, the fairness–stability frontier over α, and the total's α
alternatives for the brief. Re-exported by ``perfanalysis.studies.fairness``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..engine import methods
from ..engine.adjustments import adjustment_table
from ..engine.data import Dataset
from ..engine.errormodel import (
    DEFAULTS,
    ErrorArrays,
    ErrorModel,
    ErrorSpec,
    default_error_model,
    draw_history,
    draw_pair,
)
from ..engine.scheme import BASIS_ZH, Scheme
from ..engine.tiers import assign_tiers
from ..errors import SchemeError
from .fairness_core import (
    TOTAL,
    Blend,
    _check_positive,
    _engine_components,
    _engine_parts,
    _engine_scores,
    _groups,
    _history,
    _indicator_scores,
    _is_node,
    _needed_years,
    _top_counts,
    _units,
    blended_leaves,
)
from .size import size_dependence


# --- noise: the measurement-error model on arrays with a leading draw axis -------------------
@dataclass(frozen=True)
class NoiseResult:
    """Summary of noisy re-scorings: per variant and unit, mean rank, rank SD and the share of
    draws within the sequence's quota (``top`` needs the scheme) with its Monte Carlo
    standard error √(p(1 − p)/draws)."""

    unit_ids: list[str]
    names: list[str]
    sequences: list[str]
    labels: list[tuple[str, float]]
    mean_rank: np.ndarray  # (V, N)
    rank_sd: np.ndarray  # (V, N)
    p_top: np.ndarray | None  # (V, N)
    draws: int
    noise: float
    error_model: ErrorModel | None = None

    @property
    def p_top_se(self) -> np.ndarray | None:
        """(V, N) Monte Carlo standard error of ``p_top``."""
        if self.p_top is None:
            return None
        return np.sqrt(self.p_top * (1 - self.p_top) / self.draws)


def _indicator_spec(indicator: str, noise: float, error_model: ErrorModel | None,
                    scheme: Scheme | None, data: Dataset) -> ErrorSpec:
    """The error of one indicator: the model's entry, else the scheme's default for it, else
    the default of a volume (relative, size ``noise``, its year correlation)."""
    if error_model is not None and indicator in error_model:
        return error_model.get(indicator)
    if scheme is not None:
        model = default_error_model(scheme, data, noise)
        if indicator in model:
            return model.get(indicator)
    _, _, rho = DEFAULTS["volume"]
    return ErrorSpec(indicator, "relative", noise, rho)


def simulate_noise(data: Dataset, indicator: str, year: int, alphas: np.ndarray | list[float],
                   *, size: pd.Series | None = None, scheme: Scheme | None = None,
                   noise: float = 0.05, draws: int = 200, seed: int = 0,
                   blend_with: Blend = "level", priors: int = 1, log: bool = True,
                   by: Literal["sequence", "all"] = "sequence",
                   chunk: int | None = None,
                   error_model: ErrorModel | None = None) -> NoiseResult:
    """Re-score the variants on ``draws`` noisy copies of the data and summarise ranks.

    The errors are the tier study's (``perfanalysis.engine.errormodel``): ``error_model`` when
    given, else the default table scaled by ``noise`` (0.05: volumes 5 % relative with
    year correlation 0.9, rates 1 percentage point, …; an indicator outside any scheme is a
    volume). Draws are centred and stay in range; a unit's errors are correlated across the
    years as the model says; event counts, ratings and targets stay fixed. Draws are scored
    in chunks as arrays (D, N, …) by the vectorised methods and engine: no Python loop per
    draw. The conditional growth percentile is left out (99 quantile regressions per draw
    would be a loop per draw).
    """
    if draws < 2:
        raise ValueError(f"draws={draws}: need at least 2 noisy copies")
    if noise < 0:
        raise ValueError(f"noise={noise}: a relative error cannot be negative")
    alphas = np.asarray(alphas, dtype=float)
    units = _units(data)
    ids = list(units["unit_id"])
    groups = _groups(units["sequence"], by)
    top_k = _top_counts(scheme, list(units["sequence"])) if scheme is not None else None
    rng = np.random.default_rng(seed)
    used: ErrorModel
    if _is_node(data, indicator):
        if scheme is None:
            raise SchemeError(f"'{indicator}' needs the scheme", path="indicator")
        parts = _engine_parts(data, scheme, year, indicator)
        leaf_ids = [leaf.id for leaf in parts.inp.leaves]
        used = error_model if error_model is not None else \
            default_error_model(scheme, data, noise)
        errs = ErrorArrays.of(used, leaf_ids)
        exact = np.array([leaf.event is not None for leaf in parts.inp.leaves])
        base_l, base_p = parts.inp.level, parts.inp.previous
        per_unit = base_l.shape[1] * (len(alphas) + 8)  # floats per draw and unit, roughly

        def score_chunk(c: int) -> tuple[list[tuple[str, float]], np.ndarray]:
            lev = np.broadcast_to(base_l, (c, *base_l.shape)).copy()
            prev = np.broadcast_to(base_p, (c, *base_p.shape)).copy()
            for k in np.flatnonzero(errs.code.astype(bool) & ~exact):  # leaves, not draws
                lev[..., k], p = draw_pair(rng, errs, int(k), base_l[:, k], base_p[:, k], c)
                assert p is not None
                prev[..., k] = p
            return _engine_scores(parts, scheme, alphas, lev, prev)
    else:
        hist = _history(data, indicator, ids, _needed_years(data, year, priors))
        _check_positive(hist, ids, indicator, "the noise model")
        sz = None if size is None else size.reindex(ids).to_numpy(dtype=float)
        per_unit = hist.shape[1] * 4 + len(alphas) + 12
        spec = _indicator_spec(indicator, noise, error_model, scheme, data)
        used = ErrorModel((spec,), source=error_model.source if error_model else "默认误差模型")

        def score_chunk(c: int) -> tuple[list[tuple[str, float]], np.ndarray]:
            noisy = draw_history(rng, hist, spec, c)
            return _indicator_scores(noisy, groups, alphas, sz, blend_with, log)
    n = len(ids)
    chunk = chunk or max(1, int(2e7 // (n * per_unit)))  # ≈ 160 MB of float64 per chunk
    total = sq = top = None
    done = 0
    labels: list[tuple[str, float]] = []
    while done < draws:
        c = min(chunk, draws - done)
        labels, scores = score_chunk(c)  # (V, c, N)
        place = methods.places(scores, groups)
        s1, s2 = place.sum(axis=1), (place ** 2).sum(axis=1)
        total = s1 if total is None else total + s1
        sq = s2 if sq is None else sq + s2
        if top_k is not None:
            t = (place <= top_k).sum(axis=1)
            top = t if top is None else top + t
        done += c
    assert total is not None and sq is not None
    mean = total / draws
    var = np.clip((sq - draws * mean ** 2) / (draws - 1), 0.0, None)
    return NoiseResult(unit_ids=ids, names=list(units["name"]), sequences=list(units["sequence"]),
                       labels=labels, mean_rank=mean, rank_sd=np.sqrt(var),
                       p_top=None if top is None else top / draws, draws=draws, noise=noise,
                       error_model=used)


def _noise_table(result: NoiseResult, values: np.ndarray, column: str) -> pd.DataFrame:
    frames = []
    for v, (variant, alpha) in enumerate(result.labels):
        frames.append(pd.DataFrame({"unit_id": result.unit_ids, "name": result.names,
                                    "sequence": result.sequences, "variant": variant,
                                    "alpha": alpha, column: np.round(values[v], 9)}))
    return pd.concat(frames, ignore_index=True)


def rank_volatility(result: NoiseResult, size: pd.Series | None = None) -> pd.DataFrame:
    """Rank SD per unit and variant under the noise model (unit_id, name, size, variant,
    alpha, rank_sd, mean_rank) with Monte Carlo standard errors: ``mean_rank_se`` =
    SD/√draws, ``rank_sd_se`` = SD/√(2(draws − 1)) (normal approximation)."""
    table = _noise_table(result, result.rank_sd, "rank_sd")
    table["mean_rank"] = _noise_table(result, result.mean_rank, "m")["m"]
    d = result.draws
    table["mean_rank_se"] = np.round(table["rank_sd"] / np.sqrt(d), 9)
    table["rank_sd_se"] = np.round(table["rank_sd"] / np.sqrt(2.0 * (d - 1)), 9)
    table.insert(2, "size", np.nan if size is None else table["unit_id"].map(size))
    return table


def top_chance(result: NoiseResult) -> pd.DataFrame:
    """Probability under the noise model that each unit is within its sequence's quota
    (``p_top``), its Monte Carlo standard error ``p_top_se`` = √(p(1 − p)/draws) and
    ``draws``."""
    if result.p_top is None or result.p_top_se is None:
        raise ValueError("top-tier chances need the scheme (pass scheme= to simulate_noise)")
    table = _noise_table(result, result.p_top, "p_top")
    table["p_top_se"] = np.round(_noise_table(result, result.p_top_se, "s")["s"], 9)
    table["draws"] = result.draws
    return table


def volatility_size(volatility: pd.DataFrame, groups: pd.Series | None = None, *,
                    boot: int = 0, seed: int = 0) -> pd.DataFrame:
    """Per variant: size dependence of the rank SD (``size_dependence``: within-group ρ with
    its interval, all-units ρ; ρ < 0: small units' ranks are noisier), the mean rank SD and
    its Monte Carlo standard error (units' errors treated as independent)."""
    rows = []
    for (variant, alpha), g in volatility.groupby(["variant", "alpha"], sort=False,
                                                  dropna=False):
        ok = g.dropna(subset=["size", "rank_sd"]).set_index("unit_id")
        dep = size_dependence(ok["rank_sd"], ok["size"], groups, boot=boot, seed=seed)
        se = (float(np.sqrt((g["rank_sd_se"] ** 2).sum()) / len(g))
              if "rank_sd_se" in g.columns and len(g) else np.nan)
        rows.append({"variant": variant, "alpha": alpha, "rho": dep["rho"],
                     "rho_lo": dep["rho_lo"], "rho_hi": dep["rho_hi"],
                     "rho_all": dep["rho_all"], "n": dep["n"], "groups": dep["groups"],
                     "mean_rank_sd": float(g["rank_sd"].mean()), "mean_rank_sd_se": se})
    return pd.DataFrame(rows)


# --- the fairness–stability frontier -----------------------------------------------------------
def frontier(size_dep: pd.DataFrame, volatility: pd.DataFrame, max_rho: float,
             max_volatility: float) -> pd.DataFrame:
    """For each α of the blend: size dependence (within-group ρ and its interval, the
    all-units ρ), mean rank SD with its Monte Carlo standard error, and ``within`` when
    |ρ| ≤ ``max_rho`` and the mean rank SD ≤ ``max_volatility``."""
    cols = ["alpha", "rho", "rho_lo", "rho_hi"] + (["rho_all"] if "rho_all" in size_dep else [])
    dep = size_dep.loc[size_dep["variant"] == "blend", cols]
    blend = volatility.loc[volatility["variant"] == "blend"]
    vol = blend.groupby("alpha")["rank_sd"].mean().rename("volatility")
    if "rank_sd_se" in blend.columns:
        se = blend.groupby("alpha")["rank_sd_se"].agg(
            lambda x: float(np.sqrt((x ** 2).sum()) / len(x))).rename("volatility_se")
    else:
        se = pd.Series(np.nan, index=vol.index, name="volatility_se")
    vol = pd.concat([vol, se], axis=1).reset_index()
    out = dep.rename(columns={"rho": "size_rho", "rho_lo": "size_rho_lo",
                              "rho_hi": "size_rho_hi", "rho_all": "size_rho_all"}
                     ).merge(vol, on="alpha", how="left")
    if "size_rho_all" not in out:
        out["size_rho_all"] = np.nan
    out["within"] = (out["size_rho"].abs() <= max_rho) & (out["volatility"] <= max_volatility)
    return out.sort_values("alpha").reset_index(drop=True)[
        ["alpha", "size_rho", "size_rho_lo", "size_rho_hi", "size_rho_all", "volatility",
         "volatility_se", "within"]]


def alpha_range(front: pd.DataFrame) -> tuple[float, float] | None:
    """Smallest and largest α inside both thresholds, or None when no α is."""
    ok = front.loc[front["within"], "alpha"]
    if ok.empty:
        return None
    return float(ok.min()), float(ok.max())


# --- alternatives of the scheme's total, for the brief ----------------------------------------
def alpha_label(alpha: float, first: str = "总量", second: str = "增速") -> str:
    """Readable Chinese label of a blend: α=0.3(总量30%+增速70%), or with other parts
    named (增量30%+增速70% for an increment/growth blend)."""
    return f"α={alpha:.2f}({first}{alpha * 100:.0f}%+{second}{(1 - alpha) * 100:.0f}%)"


def blend_parts(scheme: Scheme) -> tuple[str, str]:
    """Chinese names of the two parts the α of ``blended_leaves`` weighs: the bases of the
    scheme's blended leaves (增量 and 增速 for an increment/growth blend), 总量 and 增速 for
    level leaves without a blend, 本口径/混合口径 when the leaves differ."""
    leaves = {leaf.id: leaf for leaf in scheme.indicators()}
    picked = [leaves[i] for i in blended_leaves(scheme)]
    own = {leaf.basis for leaf in picked}
    # an official rate (given_rate) is growth too, read rather than computed: one 增速
    other = {"growth" if leaf.blend is None or leaf.blend.basis == "given_rate"
             else leaf.blend.basis for leaf in picked}
    first = BASIS_ZH.get(own.pop(), "本口径") if len(own) == 1 else "本口径"
    second = BASIS_ZH.get(other.pop(), "混合口径") if len(other) == 1 else "混合口径"
    return first, second


def alternatives(data: Dataset, scheme: Scheme, year: int,
                 alphas: np.ndarray | list[float]) -> pd.DataFrame:
    """The scheme's total, rank and tier of every unit per α of the level/growth blend
    (``blended_leaves``), tiers by ``assign_tiers`` on each alternative's totals."""
    alphas = np.asarray(alphas, dtype=float)
    parts = _engine_parts(data, scheme, year, TOTAL)
    comps = _engine_components(parts, scheme, alphas)  # (A, N, C)
    inp = parts.inp
    base = pd.DataFrame({"unit_id": inp.unit_ids, "name": inp.names, "sequence": inp.sequences})
    adj = adjustment_table(data, scheme, year, inp.unit_ids)
    events = data.events.loc[data.events["year"] == year]
    first, second = blend_parts(scheme)
    frames = []
    for a, alpha in enumerate(alphas):
        table = base.copy()
        for comp in scheme.components:
            if comp.source == "indicators":
                table[comp.id] = comps[a, :, inp.indicator_components.index(comp.id)]
            else:
                table[comp.id] = inp.ratings[comp.id].to_numpy(dtype=float)
        table["bonus"] = adj["bonus"].to_numpy(dtype=float)
        table["penalty"] = adj["penalty"].to_numpy(dtype=float)
        cols = [c.id for c in scheme.components]
        table["total"] = (table[cols].sum(axis=1) + table["bonus"] - table["penalty"]).round(6)
        table["rank"] = table.groupby("sequence")["total"].rank(method="min",
                                                                ascending=False).astype(int)
        tiers = assign_tiers(table, scheme, events)
        frames.append(pd.DataFrame({
            "study": "fairness", "alternative": alpha_label(float(alpha), first, second),
            "kind": "alpha",
            "alpha": float(alpha), "unit_id": tiers["unit_id"], "name": tiers["name"],
            "sequence": tiers["sequence"], "total": tiers["total"], "rank": tiers["rank"],
            "tier": tiers["tier"]}))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["alpha", "sequence", "rank", "unit_id"],
                           kind="stable").reset_index(drop=True)
