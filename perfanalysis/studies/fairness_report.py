"""The fairness chapter's computation in one call: every table notebook 02 shows and saves,
from (data, scheme, year) and the chapter's parameters. The notebook only narrates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.data import Dataset
from ..engine.errormodel import error_model_table, resolve_error_model
from ..engine.scheme import Scheme
from ..errors import DataError, Problem
from . import fairness as fs
from .fairness_core import _is_node as is_node


@dataclass(frozen=True)
class FairnessStudy:
    """Tables of the growth-vs-level study for one subject (indicator, group or total)."""

    indicator: str
    indicator_name: str
    size: pd.Series
    size_label: str
    alphas: np.ndarray
    variants: pd.DataFrame
    size_dependence: pd.DataFrame
    panel: pd.DataFrame
    persistence: fs.Persistence
    chance_years: pd.DataFrame
    #: the persistence figures the report states, with bootstrap intervals over units
    persistence_summary: pd.DataFrame
    volatility: pd.DataFrame
    volatility_size: pd.DataFrame
    top_chance: pd.DataFrame
    frontier: pd.DataFrame
    alpha_range: tuple[float, float] | None
    chosen_alpha: float
    alternatives: pd.DataFrame
    focus_unit: str
    max_rho: float
    max_volatility: float
    groups: pd.Series | None = None
    sample: bool = False
    draws: int = 0
    error_model: pd.DataFrame | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables the chapter saves (names and columns fixed by the shared layout)."""
        return {
            "fairness_variants": self.variants,
            "fairness_size_dependence": self.size_dependence,
            "fairness_volatility": self.volatility,
            "fairness_frontier": self.frontier,
            "fairness_top_chance": self.top_chance,
            "fairness_persistence": self.persistence.kendall,
            "fairness_persistence_summary": self.persistence_summary,
            "fairness_mobility": self.persistence.mobility,
            "fairness_years_top": self.persistence.years_top,
            "alternatives_fairness": self.alternatives,
        } | ({} if self.error_model is None else {"fairness_error_model": self.error_model})


def subject_name(scheme: Scheme, indicator: str) -> str:
    """Chinese name of what is scored: the leaf's or group's name, 总分 for the total."""
    return fs.node_name(scheme, indicator)


def _is_sample(data: Dataset) -> bool:
    """True when the data are the bundled sample (its generator builds patterns in)."""
    from ..sample import is_sample_data

    return bool(data.source) and is_sample_data(data.source)


def chosen_alpha(front: pd.DataFrame, rng: tuple[float, float] | None) -> float:
    """The α the findings follow: the grid α in the middle of the supported range, else the
    α with the weakest size dependence."""
    if rng is not None:
        inside = front.loc[front["within"], "alpha"].to_numpy()
        mid = (rng[0] + rng[1]) / 2
        return float(inside[np.argmin(np.abs(inside - mid))])
    return float(front.loc[front["size_rho"].abs().idxmin(), "alpha"])


def run_fairness(data: Dataset, scheme: Scheme, year: int, *, indicator: str = "",
                 alpha_step: float = 0.1, size_column: str = "", size_path: str | Path = "",
                 noise: float = 0.05, draws: int = 200, boot: int = 500,
                 max_rho: float = 0.3, max_volatility: float = 1.0, focus_unit: str = "",
                 seed: int = 0, error_model: str | Path = "") -> FairnessStudy:
    """Variants (the generic ones of the subject and the scheme's own method: its blended
    economic leaves, the group holding them, the total), size dependence within the
    comparison groups, persistence, noise (Monte Carlo standard errors on every simulated
    share), frontier and the total's α alternatives for the report chapter (empty strings
    mean the defaults: the scheme's main level indicator, the population column, the
    smallest unit; ``error_model``: the tier chapter's error-model file, empty for the
    defaults scaled by ``noise``)."""
    indicator = indicator or fs.main_level_indicator(scheme)
    size = fs.unit_sizes(data, size_column or None, size_path or None)
    size_label = ("外部规模表" if size_path else
                  {"population": "人口", "population_2020": "常住人口(2020年)",
                   "staff": "人员编制"}.get(size_column or fs.default_size_column(data.units),
                                         size_column or "规模"))
    alphas = fs.alpha_grid(alpha_step)
    groups = fs.comparison_groups(data, scheme, indicator)
    # a scheme comparing all units positions the generic variants across all units too
    kw = {"scheme": scheme, "by": "sequence" if groups is not None else "all"}
    own = fs.scheme_variants(data, scheme, year, fs.scheme_subjects(scheme, indicator))
    main = fs.variants(data, indicator, year, alphas, size, **kw)  # type: ignore[arg-type]
    table = pd.concat([main, own], ignore_index=True)
    table["label"] = [fs.variant_label(v, a, scheme)
                      for v, a in zip(table["variant"], table["alpha"])]
    dep = fs.size_dependence_table(table, size, boot=boot, seed=seed, groups=groups)
    if groups is not None and groups.nunique() > 1 and not is_node(data, indicator):
        # the all-units ρ of an indicator's variants: scored across all units (province-wide)
        across = fs.variants(data, indicator, year, alphas, size, by="all", with_cgp=False)
        dep = fs.with_all_units(dep, fs.size_dependence_table(across, size, boot=boot,
                                                              seed=seed))
    years = [y for y in fs.usable_years(data, indicator, scheme) if y <= year]
    panel = fs.variants_panel(data, indicator, years, alphas, size, known={year: main}, **kw)
    pers = fs.persistence(panel)
    chance_years = fs.small_unit_chance(panel, size, groups)
    pers_summary = fs.persistence_summary(panel, size, groups, boot=boot, seed=seed)
    sim = fs.simulate_noise(data, indicator, year, alphas, size=size, scheme=scheme,
                            noise=noise, draws=draws, seed=seed, by=kw["by"],  # type: ignore[arg-type]
                            error_model=resolve_error_model(str(error_model), scheme, data,
                                                            noise))
    vol = fs.rank_volatility(sim, size)
    top = fs.top_chance(sim)
    share = pers.years_top.assign(p_top_years=lambda d: d["years_top"] / d["years"])
    top = top.merge(share[["unit_id", "variant", "alpha", "p_top_years"]],
                    on=["unit_id", "variant", "alpha"], how="left")
    top["small"] = top["unit_id"].map(fs.small_units(size, groups))
    front = fs.frontier(dep, vol, max_rho, max_volatility)
    rng = fs.alpha_range(front)
    if focus_unit and focus_unit not in set(data.units["unit_id"]):
        raise DataError([Problem("units.csv", f"focus_unit '{focus_unit}' is not a unit",
                                 column="unit_id", value=focus_unit)],
                        headline="Unknown focus unit")
    focus = focus_unit or str(size.sort_values(kind="stable").index[0])
    alts = fs.alternatives(data, scheme, year, alphas)
    return FairnessStudy(
        indicator=indicator, indicator_name=subject_name(scheme, indicator), size=size,
        size_label=size_label, alphas=alphas, variants=table, size_dependence=dep,
        panel=panel, persistence=pers, chance_years=chance_years,
        persistence_summary=pers_summary, volatility=vol,
        volatility_size=fs.volatility_size(vol, groups, boot=boot, seed=seed), top_chance=top,
        frontier=front, alpha_range=rng, chosen_alpha=chosen_alpha(front, rng),
        alternatives=alts, focus_unit=focus, max_rho=max_rho, max_volatility=max_volatility,
        groups=groups, sample=_is_sample(data), draws=draws,
        error_model=None if sim.error_model is None else error_model_table(
            sim.error_model, {n.id: n.name for n in scheme.iter_nodes()},
            {leaf.id: leaf.unit or "" for leaf in scheme.indicators()}))
