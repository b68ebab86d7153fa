"""The build pipeline: a recipe of named steps, run in order, every result and log kept.

``CoinData`` is the input (units × indicators, denominators, unit attributes, the tree).
A ``Recipe`` is a tuple of validated steps (``spec``: denominate, impute, screen, treat,
normalise, aggregate); ``run_build`` applies them in order, each seeing only the previous
step's output (papermill-style visible sequence), and returns a ``BuildResult`` with every
intermediate data set, each step's log and the recipe itself. ``Recipe.with_step`` swaps
one step's parameters so the same build reruns with a change — the basis of uncertainty
and sensitivity analysis (``rerun``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import TypeAdapter, ValidationError

from ..errors import PipelineError
from . import aggregate as agg
from . import denominate as den
from . import impute as imp
from . import normalise as norm
from . import outliers as out
from .spec import (
    AggregateLevel,
    AggregateStep,
    DenominateStep,
    ImputeStep,
    NormaliseSpec,
    NormaliseStep,
    ScreenStep,
    Step,
    TreatStep,
)
from .tree import Hierarchy

_STEP_ADAPTER: TypeAdapter[Any] = TypeAdapter(Step)

DATASET_NAMES = {"denominate": "Denominated", "impute": "Imputed", "screen": "Screened",
                 "treat": "Treated", "normalise": "Normalised", "aggregate": "Aggregated"}


@dataclass(frozen=True)
class CoinData:
    """Build input: raw values (units × indicators, index unit_id) and what steps need."""

    values: pd.DataFrame
    tree: Hierarchy
    denominators: pd.DataFrame = field(default_factory=pd.DataFrame)
    unit_attributes: pd.DataFrame = field(default_factory=pd.DataFrame)
    denominator_of: Mapping[str, str] = field(default_factory=dict)
    normalise_of: Mapping[str, NormaliseSpec] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    panel: pd.DataFrame | None = None  # unit_id, year, indicators: for last-value imputation
    year: int | None = None

    @property
    def directions(self) -> dict[str, int]:
        return {c: self.tree.node(c).direction for c in self.tree.indicators}


@dataclass(frozen=True)
class Recipe:
    """An ordered tuple of steps; rebuilt, never mutated."""

    steps: tuple[Any, ...]

    @classmethod
    def from_list(cls, steps: list[Mapping[str, Any] | Any]) -> Recipe:
        """Validate mappings like ``{"step": "normalise", "method": "zscore"}``."""
        parsed = []
        for i, s in enumerate(steps):
            try:
                parsed.append(_STEP_ADAPTER.validate_python(s))
            except ValidationError as exc:
                raise PipelineError(f"recipe step {i}: {exc}") from exc
        return cls(tuple(parsed))

    def to_list(self) -> list[dict[str, Any]]:
        """Plain mappings (for YAML, run records)."""
        return [s.model_dump(mode="json", exclude_defaults=True) | {"step": s.step}
                for s in self.steps]

    def step(self, kind: str) -> Any:
        for s in self.steps:
            if s.step == kind:
                return s
        raise KeyError(kind)

    def with_step(self, kind: str, **changes: Any) -> Recipe:
        """The recipe with one step's parameters changed (or the step added before aggregate)."""
        kinds = [s.step for s in self.steps]
        if kind in kinds:
            old = self.step(kind)
            new = _STEP_ADAPTER.validate_python({**old.model_dump(), **changes, "step": kind})
            return Recipe(tuple(new if s.step == kind else s for s in self.steps))
        new = _STEP_ADAPTER.validate_python({**changes, "step": kind})
        order = list(DATASET_NAMES)
        steps = list(self.steps) + [new]
        return Recipe(tuple(sorted(steps, key=lambda s: order.index(s.step))))

    def without(self, kind: str) -> Recipe:
        return Recipe(tuple(s for s in self.steps if s.step != kind))


@dataclass(frozen=True)
class BuildResult:
    """Every data set by name (Raw, Denominated, …, Aggregated), logs, recipe, tree."""

    datasets: dict[str, pd.DataFrame]
    logs: dict[str, pd.DataFrame]
    recipe: Recipe
    tree: Hierarchy
    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def aggregated(self) -> pd.DataFrame:
        return self.datasets["Aggregated"]

    def results(self, sort: bool = True) -> pd.DataFrame:
        """Aggregates only (index first, then by height down), with the index rank."""
        agg_df = self.aggregated
        inner = sorted(self.tree.aggregation_order(), key=lambda c: -self.tree.height(c))
        table = agg_df[inner].copy()
        root = self.tree.root
        table.insert(0, "rank", table[root].rank(ascending=False, method="min").astype("Int64"))
        table.insert(0, "name", [self.names.get(u, u) for u in table.index])
        table = table.reset_index(names="unit_id")
        if sort:
            table = table.sort_values([root, "unit_id"], ascending=[False, True],
                                      kind="mergesort", na_position="last")
        return table.reset_index(drop=True)

    def effective_weights(self) -> pd.Series:
        return self.tree.effective_weights()


def _denominate(data: CoinData, x: pd.DataFrame, s: DenominateStep) -> tuple[pd.DataFrame, pd.DataFrame]:
    by = dict(s.by) if s.by is not None else dict(data.denominator_of)
    by = {k: v for k, v in by.items() if k in x.columns}
    return den.denominate(x, data.denominators, by, s.scale)


def _impute(data: CoinData, x: pd.DataFrame, s: ImputeStep) -> tuple[pd.DataFrame, pd.DataFrame]:
    if s.method == "last_value":
        if data.panel is None or data.year is None:
            raise PipelineError("impute 'last_value' needs a panel (several years of data)")
        panel = data.panel[["unit_id", "year", *x.columns]]
        panel = panel.loc[panel["year"] <= data.year]
        filled, log = imp.impute_last(panel)
        now = filled.loc[filled["year"] == data.year].set_index("unit_id")[list(x.columns)]
        now = now.reindex(x.index)
        log = log.loc[log["source"].str.endswith(f"→{data.year}")].reset_index(drop=True)
        # only cells missing in the build's current data are filled from the panel
        return x.where(x.notna(), now), log
    stat = "mean" if s.method.endswith("mean") else "median"
    groups = None
    if s.group is not None:
        if s.group not in data.unit_attributes.columns:
            raise PipelineError(f"impute: unit attribute '{s.group}' not in units "
                                f"(have {list(data.unit_attributes.columns)})")
        groups = data.unit_attributes[s.group]
    return imp.impute_group(x, groups, stat)


def run_build(data: CoinData, recipe: Recipe) -> BuildResult:
    """Run the recipe's steps in order on ``data``; keep every data set and log."""
    x = data.values[data.tree.indicators].astype(float)
    datasets: dict[str, pd.DataFrame] = {"Raw": x}
    logs: dict[str, pd.DataFrame] = {}
    for s in recipe.steps:
        name = DATASET_NAMES[s.step]
        if isinstance(s, DenominateStep):
            x, logs["denominate"] = _denominate(data, x, s)
        elif isinstance(s, ImputeStep):
            x, logs["impute"] = _impute(data, x, s)
        elif isinstance(s, ScreenStep):
            x, logs["screen"] = imp.screen(x, s.min_share, s.include, s.exclude)
        elif isinstance(s, TreatStep):
            spec = out.TreatSpec.model_validate(
                {k: v for k, v in s.model_dump().items() if k not in ("step", "overrides")})
            x, logs["treat"], logs["treat_points"] = out.treat_frame(x, spec, s.overrides)
        elif isinstance(s, NormaliseStep):
            spec_n = NormaliseSpec.model_validate(
                {k: v for k, v in s.model_dump().items() if k not in ("step", "overrides")})
            overrides = {**data.normalise_of, **s.overrides}
            x = norm.normalise_frame(x, spec_n, data.directions, overrides)
        elif isinstance(s, AggregateStep):
            default = AggregateLevel.model_validate(
                {k: v for k, v in s.model_dump().items() if k not in ("step", "levels")})
            overridden = agg.method_overrides(data.tree, default, s.levels)
            if len(overridden):
                logs["aggregate_overrides"] = overridden
                warnings.warn(
                    "the recipe's aggregation method is overridden by the scheme's own "
                    "'aggregation' on " + ", ".join(
                        f"{r.node} ({r.node_method}, not {r.recipe_method})"
                        for r in overridden.itertuples(index=False))
                    + "; see the build's 'aggregate_overrides' log", UserWarning, stacklevel=2)
            x = agg.aggregate_tree(x, data.tree, default, s.levels)
            logs["weights"] = data.tree.table()
        datasets[name] = x
    return BuildResult(datasets, logs, recipe, data.tree, dict(data.names))


def rerun(result: BuildResult, data: CoinData, kind: str, **changes: Any) -> BuildResult:
    """Rebuild with one step's parameters changed (e.g. ``rerun(r, d, "treat", winmax=3)``)."""
    return run_build(data, result.recipe.with_step(kind, **changes))
