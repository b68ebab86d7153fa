"""Typed specifications of composite-indicator steps, shared by scheme files and recipes.

A scheme's ``composite:`` section and a ``Recipe`` hold the same step models, so a build
read from YAML and one assembled in a notebook are validated the same way. Each step is a
mapping with a ``step`` key naming its kind; parameters are checked on load.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, model_validator

NormMethod = Literal[
    "minmax", "zscore", "rank", "percentile_rank", "distance_to_target", "goalposts",
    "completion", "efficacy", "rank_points", "none",
]
AggMethod = Literal["arithmetic", "geometric", "harmonic", "generalised", "copeland"]
ZeroRule = Literal["error", "zero"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NormaliseSpec(_Strict):
    """One normalisation method and its parameters (direction is applied first, always)."""

    method: NormMethod = "minmax"
    lower: float = Field(0.0, description="minmax: low end of the output range")
    upper: float = Field(100.0, description="minmax: high end of the output range")
    mean: float = Field(0.0, description="zscore: output mean")
    sd: float = Field(1.0, gt=0, description="zscore: output standard deviation")
    ddof: int = Field(1, ge=0, le=1, description="zscore: 1 = sample sd (COINr, R's sd())")
    target: float | None = Field(None, description="distance_to_target / completion: target")
    cap: bool = Field(False, description="distance_to_target: cap scores at 1 (× scale)")
    goal_lower: float | None = Field(None, description="goalposts: lower goalpost (raw units)")
    goal_upper: float | None = Field(None, description="goalposts: upper goalpost (raw units)")
    truncate: bool = Field(True, description="goalposts: clip to the goalposts")
    scale: float = Field(100.0, gt=0, description="multiplier of 0–1 methods (not minmax/zscore/rank)")
    base: float = Field(0.6, ge=0, le=1, description="efficacy: share given to the worst unit")
    ratio_cap: float = Field(1.0, ge=1.0, description="completion: maximum ratio")
    points: float | None = Field(None, gt=0, description="rank_points: points of first place")
    step: float | None = Field(None, gt=0, description="rank_points: points lost per place")

    @model_validator(mode="after")
    def _needs(self) -> NormaliseSpec:
        m = self.method
        if m in ("distance_to_target", "completion") and self.target is None:
            raise ValueError(f"normalisation '{m}' needs 'target'")
        if m == "goalposts" and (self.goal_lower is None or self.goal_upper is None
                                 or self.goal_lower == self.goal_upper):
            raise ValueError("normalisation 'goalposts' needs distinct 'goal_lower' and 'goal_upper'")
        if m == "rank_points" and (self.points is None or self.step is None):
            raise ValueError("normalisation 'rank_points' needs 'points' and 'step'")
        if m == "minmax" and self.upper <= self.lower:
            raise ValueError(f"minmax needs lower < upper, got {self.lower} and {self.upper}")
        return self


class TreatSpec(_Strict):
    """COINr's default outlier rule (``qTreat``): winsorise, else a log transform."""

    winmax: int | None = Field(5, ge=0, description="most points winsorised; null = no limit")
    skew_thresh: float = Field(2.0, gt=0)
    kurt_thresh: float = Field(3.5)
    f2: Literal["log_ct", "log_ct_plus", "none"] = "log_ct"
    combine: bool = Field(False, description="apply f2 to the winsorised values, not the raw")
    force_win: bool = False


class AggregateLevel(_Strict):
    """How one level (by height above the indicators) or one node is aggregated."""

    method: AggMethod = "arithmetic"
    p: float | None = Field(None, description="generalised mean: exponent (not 0)")
    min_availability: float | None = Field(
        None, ge=0, le=1, description="share of children with data below which the result is NA")
    zeros: ZeroRule = Field("error", description="geometric/harmonic: on a zero child, error "
                                                 "(COINr) or return 0 (the limit)")
    copeland_score: Literal["coinr", "outranking_sum"] = Field(
        "coinr", description="Copeland: 'coinr' counts pairwise majorities (+1 win, −1 loss, "
                             "0 tie; COINr ≥ 1.0 a_copeland); 'outranking_sum' sums the "
                             "outranking matrix's rows (COINr < 1.0)")

    @model_validator(mode="after")
    def _p(self) -> AggregateLevel:
        if self.method == "generalised" and (self.p is None or self.p == 0):
            raise ValueError("method 'generalised' needs a non-zero 'p' (p = 0 is the geometric "
                             "mean: use method 'geometric')")
        if self.method != "generalised" and self.p is not None:
            raise ValueError("'p' is only used by method 'generalised'")
        return self


class DenominateStep(_Strict):
    """Divide indicators by a denominator (indicator → denominator id), times ``scale``."""

    step: Literal["denominate"] = "denominate"
    by: dict[str, str] | None = Field(
        None, description="indicator -> denominator; omit to use each indicator's 'denominator'")
    scale: float = Field(1.0, gt=0)


class ImputeStep(_Strict):
    """Fill missing values: group mean/median (groups = a unit attribute) or own last value."""

    step: Literal["impute"] = "impute"
    method: Literal["group_mean", "group_median", "mean", "median", "last_value"] = "group_mean"
    group: str | None = Field(None, description="unit attribute (units.csv column) for groups")

    @model_validator(mode="after")
    def _group(self) -> ImputeStep:
        if self.method.startswith("group_") and not self.group:
            raise ValueError(f"impute method '{self.method}' needs 'group' (a units.csv column)")
        return self


class ScreenStep(_Strict):
    """Drop units whose share of available indicator values is below ``min_share``."""

    step: Literal["screen"] = "screen"
    min_share: float = Field(2 / 3, ge=0, le=1)
    include: list[str] = Field(default_factory=list, description="units kept regardless")
    exclude: list[str] = Field(default_factory=list, description="units dropped regardless")


class TreatStep(TreatSpec):
    """Outlier treatment of every indicator, with per-indicator overrides or 'none'."""

    step: Literal["treat"] = "treat"
    overrides: dict[str, TreatSpec | Literal["none"]] = Field(default_factory=dict)


class NormaliseStep(NormaliseSpec):
    """Normalise every indicator; an indicator's own ``normalise`` overrides this."""

    step: Literal["normalise"] = "normalise"
    overrides: dict[str, NormaliseSpec] = Field(default_factory=dict)


class AggregateStep(AggregateLevel):
    """Aggregate up the tree; ``levels`` (height → spec) and nodes' own fields override."""

    step: Literal["aggregate"] = "aggregate"
    levels: dict[int, AggregateLevel] = Field(default_factory=dict)


Step = Annotated[
    DenominateStep | ImputeStep | ScreenStep | TreatStep | NormaliseStep | AggregateStep,
    Discriminator("step"),
]


class CompositeSection(_Strict):
    """A scheme's ``composite:`` section: the build recipe and what the data carry."""

    index_id: str | None = Field(None, description="id of the top node when the scheme has "
                                                   "several components (they are its children)")
    index_name: str | None = None
    denominators: dict[str, str] = Field(default_factory=dict,
                                         description="denominator id -> name (in observations)")
    unit_groups: dict[str, str] = Field(default_factory=dict,
                                        description="units.csv column -> name (for imputation)")
    steps: list[Step] = Field(default_factory=lambda: [NormaliseStep(), AggregateStep()])

    @model_validator(mode="after")
    def _order(self) -> CompositeSection:
        kinds = [s.step for s in self.steps]
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"each step kind may appear once; got {kinds}")
        if "aggregate" in kinds and kinds[-1] != "aggregate":
            raise ValueError("'aggregate' must be the last step")
        if "aggregate" in kinds and "normalise" not in kinds:
            raise ValueError("'aggregate' needs a 'normalise' step before it")
        return self
