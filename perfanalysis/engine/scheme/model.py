"""The scheme (考核方案) as typed classes: components, groups and indicators, the target
rules, bonus and penalty rules, tier rules, results use and rewards.

Each class checks its own keys and values (pydantic, unknown keys refused); the names and
constants they accept are in ``defaults``; reading a file and wording its errors is ``load``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from ...composite.spec import CompositeSection, NormaliseSpec
from .defaults import (
    BOUND_KEYS,
    HISTORY_RULES,
    RESERVED_COLUMNS,
    TARGET_METHODS,
    TOLERANCE,
    Aggregation,
    Basis,
    Direction,
    Method,
    MissingRule,
    Rounding,
    TargetRuleName,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetRule(_Strict):
    """Where a completion target comes from (目标值): the targets table, one value, or history.

    ``own_average``: mean of the last ``years`` values; ``last_growth``: last value × (1 +
    mean growth of the last ``years`` years); ``trend``: least-squares line through the last
    ``years`` values, one year ahead; ``peer``: last value × (1 + median growth of the unit's
    sequence last year); ``blend``: weight·first + (1 − weight)·second of ``of``. Then
    ``× factor + add``, ``floor``/``ceiling``, ``not_below_last`` (never easier than last
    year's actual: not below it, not above it for a negative indicator), ``min_growth`` (at
    least that growth on last year's level, whatever the basis), and ``fallback`` for units
    whose history is missing. The engine is perfanalysis/engine/targets.py.
    """

    rule: TargetRuleName
    years: int = Field(3, ge=1, description="own_average, last_growth, trend: years of history")
    factor: float = Field(1.0, gt=0, description="multiplier on the rule's value")
    add: float = Field(0.0, description="added after the multiplier")
    value: float | None = Field(None, description="uniform: the target of every unit")
    peer_group: Literal["sequence", "all"] = Field(
        "sequence", description="peer: whose median growth (the unit's sequence or all units)")
    of: list[TargetRule] | None = Field(None, description="blend: the two rules blended")
    weight: float | None = Field(None, ge=0, le=1, description="blend: weight of the first rule")
    floor: float | None = Field(None, description="the target is never below this value")
    ceiling: float | None = Field(None, description="the target is never above this value")
    not_below_last: bool = Field(
        False, description="never easier than last year's actual (for a negative indicator: "
                           "never above it)")
    min_growth: float | None = Field(
        None, gt=0, description="the target asks at least this growth on last year's level: "
                                "level x(t−1)·(1 + r), increment r·x(t−1), growth r (positive "
                                "indicators; keeps targets of an increment or growth positive)")
    fallback: TargetRule | None = Field(
        None, description="rule for units whose history the rule lacks")
    file: str | None = Field(
        None, min_length=1,
        description="rule table: an issued target table (目标分解表, written by `perfanalysis "
                    "targets`), a path relative to the data folder; default: targets.csv")

    @model_validator(mode="after")
    def _parameters(self) -> TargetRule:
        r = self.rule
        if r == "uniform" and self.value is None:
            raise ValueError("rule 'uniform' needs 'value'")
        if r == "uniform" and self.value is not None and self.value <= 0:
            raise ValueError(f"a completion target must be positive; got value {self.value:g}")
        if self.file is not None and r != "table":
            raise ValueError(f"'file' is only used by rule 'table', not '{r}'")
        if r != "uniform" and self.value is not None:
            raise ValueError(f"'value' is only used by rule 'uniform', not '{r}'")
        if r == "blend":
            if self.of is None or len(self.of) != 2 or self.weight is None:
                raise ValueError("rule 'blend' needs 'of' (exactly two rules) and 'weight' "
                                 "(0–1, the weight of the first)")
        elif self.of is not None or self.weight is not None:
            raise ValueError(f"'of' and 'weight' are only used by rule 'blend', not '{r}'")
        if r == "trend" and self.years < 2:
            raise ValueError(f"rule 'trend' fits a line: it needs 'years' ≥ 2; got {self.years}")
        if self.floor is not None and self.ceiling is not None and self.floor > self.ceiling:
            raise ValueError(f"'floor' ({self.floor:g}) is above 'ceiling' ({self.ceiling:g})")
        if self.floor is not None and self.floor <= 0:
            raise ValueError(f"a completion target must be positive; got floor {self.floor:g}")
        if self.fallback is not None and self.fallback.rule not in ("uniform", "table") \
                and self.fallback.years_back() >= self.years_back():
            raise ValueError("a 'fallback' must need less history than the rule it backs up "
                             f"(it reads {self.fallback.years_back()} earlier year(s), the rule "
                             f"{self.years_back()})")
        return self

    def years_back(self) -> int:
        """How many years before the target year this rule reads (without its fallback)."""
        r = self.rule
        if r in ("uniform", "table"):
            back = 0
        elif r == "own_average" or r == "trend":
            back = self.years
        elif r == "last_growth":
            back = self.years + 1
        elif r == "peer":
            back = 2
        else:
            back = max(rule.years_back() for rule in self.of or [])
        return max(back, 1) if self.not_below_last or self.min_growth else back

    def bounds(self) -> dict[str, Any]:
        """The bounds of this rule (floor, ceiling, not_below_last, min_growth) that are set:
        what a scheme asks of any target whatever rule derives it."""
        out: dict[str, Any] = {}
        for key in BOUND_KEYS:
            value = getattr(self, key)
            if value is not None and value is not False:
                out[key] = value
        return out

    def years_required(self) -> int:
        """Years before the target year every unit must have (a fallback covers the rest)."""
        back = self.years_back()
        return back if self.fallback is None else min(back, self.fallback.years_required())

    def label(self) -> str:
        """A short English description, e.g. 'last_growth(3)' or 'blend(0.5·trend(3), peer)'."""
        r = self.rule
        if r == "uniform":
            text = f"uniform({self.value:g})"
        elif r in ("own_average", "last_growth", "trend"):
            text = f"{r}({self.years})"
        elif r == "blend":
            a, b = self.of or []
            text = f"blend({self.weight:g}·{a.label()}, {b.label()})"
        else:
            text = r
        if self.factor != 1.0:
            text += f"×{self.factor:g}"
        if self.add:
            text += f"{self.add:+g}"
        if self.min_growth:
            text += f"≥{self.min_growth * 100:g}%"
        return text


class Blend(_Strict):
    """增量+增速: score = alpha·score(basis) + (1−alpha)·score(blend.basis).

    For completion-type methods the blend basis takes its target from ``target`` when given
    (e.g. an increment against its own average increment, a growth rate against its own
    average growth with a floor), else from the indicator's rule applied to that basis.
    """

    basis: Basis
    alpha: float = Field(0.5, ge=0, le=1, description="weight of the indicator's own basis")
    target: TargetRule | None = Field(
        None, description="target rule of the blend basis (completion, gap_points, "
                          "time_progress); default: the indicator's own rule")
    consistent: bool = Field(
        False, description="one differentiated growth target g* for both halves: the "
                           "increment target is last year's level × g* (Δ* = x(t−1)·g*), g* "
                           "the growth half's target; basis increment with a growth or "
                           "given_rate blend")
    indicator: str | None = Field(
        None, description="basis given_rate only: the indicator whose values this half reads "
                          "(an official growth rate published beside the level, e.g. GDP "
                          "growth at comparable prices); default: the leaf's own")


class Indicator(_Strict):
    """A leaf of the tree: one observed indicator scored by one method."""

    id: str
    name: str
    points: float = Field(gt=0)
    method: Method
    direction: Direction = "positive"
    basis: Basis = "level"
    blend: Blend | None = None
    unit: str | None = None
    cap: float = Field(1.0, ge=1.0, description="completion, time_progress: maximum ratio "
                                                 "actual/target")
    floor: float | None = Field(None, ge=0, description="completion: ratio below which score is 0")
    base: float = Field(0.6, ge=0, le=1, description="efficacy: share given to the worst unit")
    satisfactory: float | None = Field(
        None, description="efficacy: fixed 满意值 (full points) instead of the group's best value")
    allowed: float | None = Field(
        None, description="efficacy: fixed 不允许值 (the base share) instead of the group's worst")
    step: float | None = Field(None, gt=0, description="rank_points: points lost per place")
    threshold: float | None = Field(None, description="pass_fail: value needed to pass")
    per_event: float | Literal["from_data"] | None = Field(
        None, description="deduction: points per event, or 'from_data' (events.csv `points`)")
    event: str | None = Field(None, description="deduction: count this event from events.csv")
    per_point: float | None = Field(
        None, ge=0, description="gap_points: points off per percentage point short of target")
    per_point_above: float = Field(
        0.0, ge=0, description="gap_points: points added per percentage point above target")
    max_deduction: float | None = Field(
        None, gt=0, description="gap_points: most points taken off (default: all the points)")
    max_bonus: float = Field(0.0, ge=0, description="gap_points: most points added above target")
    elapsed: float | None = Field(
        None, gt=0, le=1, description="time_progress: elapsed share of the year (序时进度)")
    target: TargetRule | None = None
    comparison_group: Literal["sequence", "all"] | None = None
    missing: MissingRule | None = Field(
        None, description="a missing value: error | zero | reweight (default: the scheme's)")
    assumption: bool = False
    note: str | None = None
    quote: str | None = Field(None, description="the source's words this node encodes "
                                                "(方案依据); none: see assumption/note")
    # composite build only (perfanalysis.build_composite); points scoring ignores these
    weight: float | None = Field(None, gt=0, description="composite: weight among siblings "
                                                          "(default: points)")
    denominator: str | None = Field(None, description="composite: denominator id to divide by")
    normalise: NormaliseSpec | None = Field(None, description="composite: own normalisation")

    @model_validator(mode="after")
    def _method_parameters(self) -> Indicator:
        m = self.method
        if m in TARGET_METHODS and self.target is None:
            raise ValueError(f"method '{m}' needs 'target' (rule: table | uniform | "
                             "own_average | last_growth | trend | peer | blend)")
        if m not in TARGET_METHODS and self.target is not None:
            raise ValueError(f"'target' is only used by methods {TARGET_METHODS}, not '{m}'")
        if m == "rank_points" and self.step is None:
            raise ValueError("method 'rank_points' needs 'step' (points lost per place)")
        if m == "pass_fail" and self.threshold is None:
            raise ValueError("method 'pass_fail' needs 'threshold'")
        if m == "deduction" and self.per_event is None:
            raise ValueError("method 'deduction' needs 'per_event' (a number or 'from_data')")
        if m != "deduction" and self.per_event is not None:
            raise ValueError("'per_event' is only used by method 'deduction'")
        if isinstance(self.per_event, float) and self.per_event <= 0:
            raise ValueError(f"'per_event' must be positive, got {self.per_event:g}")
        if self.per_event == "from_data" and self.event is None:
            raise ValueError("per_event 'from_data' reads the `points` column of events.csv: "
                             "name the 'event'")
        if m != "deduction" and self.event is not None:
            raise ValueError("'event' is only used by method 'deduction'")
        if m == "gap_points" and self.per_point is None:
            raise ValueError("method 'gap_points' needs 'per_point' (points per percentage point)")
        if m != "gap_points" and (self.per_point is not None or self.per_point_above
                                  or self.max_bonus or self.max_deduction is not None):
            raise ValueError("'per_point', 'per_point_above', 'max_deduction' and 'max_bonus' "
                             "are only used by method 'gap_points'")
        if m == "gap_points" and self.per_point_above and not self.max_bonus:
            raise ValueError("'per_point_above' needs 'max_bonus' (the source's cap on the "
                             "points added above target)")
        if m == "time_progress" and self.elapsed is None:
            raise ValueError("method 'time_progress' needs 'elapsed' (share of the year gone)")
        if m != "time_progress" and self.elapsed is not None:
            raise ValueError("'elapsed' is only used by method 'time_progress'")
        if (self.satisfactory is None) != (self.allowed is None):
            raise ValueError("give both 'satisfactory' (满意值) and 'allowed' (不允许值), or neither")
        if self.satisfactory is not None:
            if m != "efficacy":
                raise ValueError("'satisfactory'/'allowed' are only used by method 'efficacy'")
            if self.satisfactory == self.allowed:
                raise ValueError("'satisfactory' and 'allowed' must differ")
            if (self.satisfactory < self.allowed) != (self.direction == "negative"):  # type: ignore[operator]
                raise ValueError("'satisfactory' must be above 'allowed' for a positive indicator "
                                 "and below it for a negative one")
        if self.floor is not None and self.floor > self.cap:
            raise ValueError(f"'floor' ({self.floor}) is above 'cap' ({self.cap})")
        if self.blend is not None and self.blend.basis == self.basis:
            raise ValueError("'blend.basis' must differ from 'basis'")
        if self.blend is not None and self.blend.consistent and (
                self.basis != "increment" or self.blend.basis not in ("growth", "given_rate")
                or m not in TARGET_METHODS):
            raise ValueError("'blend.consistent' sets the increment target from the growth "
                             "target (Δ* = x(t−1)·g*): it needs basis 'increment', a 'growth' "
                             f"or 'given_rate' blend and a target method {TARGET_METHODS}")
        if self.blend is not None and self.blend.indicator is not None and (
                self.blend.basis != "given_rate" or self.blend.indicator == self.id):
            raise ValueError("'blend.indicator' names the official-rate series the blend half "
                             "reads: it needs 'blend.basis: given_rate' and another indicator "
                             "than the leaf's own")
        if self.blend is not None and "given_rate" in (self.basis, self.blend.basis) and \
                (self.blend.indicator is None or self.basis == "given_rate"):
            raise ValueError("basis 'given_rate' reads an official rate, not the level: blend "
                             "it as the second half naming its series (blend: {basis: "
                             "given_rate, indicator: <the rate's indicator id>}), or split the "
                             "points over two leaves")
        if m in TARGET_METHODS and self.blend is not None and self.blend.target is None and \
                self.target.rule not in HISTORY_RULES:  # type: ignore[union-attr]
            raise ValueError(f"a blended {m} indicator needs a target rule from history "
                             f"({', '.join(HISTORY_RULES)}): a target for each basis is taken "
                             "from the unit's own history (or give the blend its own "
                             "'target')")
        if self.blend is not None and self.blend.target is not None:
            if m not in TARGET_METHODS:
                raise ValueError(f"'blend.target' is only used by methods {TARGET_METHODS}, "
                                 f"not '{m}'")
            if self.blend.target.rule == "table" and self.blend.target.file is None:
                raise ValueError("'blend.target' cannot be rule 'table' on targets.csv: it "
                                 "holds one target per indicator, the one of its own basis "
                                 "(an issued table with 'file' holds one per basis)")
        if self.direction == "negative" and any(
                r is not None and r.min_growth for r in (
                    self.target, self.blend.target if self.blend else None)):
            raise ValueError("'min_growth' asks for growth: it applies to positive indicators "
                             "only (use 'ceiling' for a negative one)")
        if m == "deduction" and (self.basis != "level" or self.blend is not None):
            raise ValueError("method 'deduction' scores counts: use basis 'level' and no blend")
        return self

    def series(self, half: int = 0) -> str:
        """The indicator id whose observations half ``half`` reads (0: the leaf's own basis,
        1: the blend basis): the leaf's own id, or ``blend.indicator`` for an official rate
        published as its own series."""
        if half and self.blend is not None and self.blend.indicator is not None:
            return self.blend.indicator
        return self.id

    def basis_rules(self) -> list[tuple[str, TargetRule]]:
        """(basis, target rule) of each scored basis of a target indicator: its own basis
        and, when blended, the blend basis with ``blend.target`` (default: its own rule)."""
        if self.target is None:
            return []
        out = [(self.basis, self.target)]
        if self.blend is not None:
            out.append((self.blend.basis, self.blend.target or self.target))
        return out

    @property
    def max_fraction(self) -> float:
        """Largest score as a share of points (completion may pay above 100 %)."""
        if self.method == "completion":
            return self.cap
        if self.method == "time_progress":
            return self.cap
        if self.method == "gap_points":
            return 1.0 + self.max_bonus / self.points
        return 1.0


def _node_kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "group" if "children" in value else "indicator"
    return "group" if isinstance(value, Group) else "indicator"


Node = Annotated[
    Annotated["Group", Tag("group")] | Annotated[Indicator, Tag("indicator")],
    Discriminator(_node_kind),
]


class Group(_Strict):
    """An inner node (一级/二级指标): its children's points add up to its own points."""

    id: str
    name: str
    points: float = Field(gt=0)
    children: list[Node] = Field(min_length=1)
    aggregation: Aggregation = Field(
        "sum", description="points scoring always sums; other values set the composite build's "
                           "method for this node")
    assumption: bool = False
    note: str | None = None
    quote: str | None = Field(None, description="the source's words this node encodes "
                                                "(方案依据); none: see assumption/note")
    # composite build only (perfanalysis.build_composite); points scoring ignores these
    weight: float | None = Field(None, gt=0, description="composite: weight among siblings")
    p: float | None = Field(None, description="composite: exponent of the generalised mean")
    min_availability: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _points_add_up(self) -> Group:
        _check_points_sum(self.points, self.children, f"group '{self.id}'")
        _check_composite_node(self.aggregation, self.p)
        return self


def _check_composite_node(aggregation: str, p: float | None) -> None:
    if aggregation == "generalised" and (p is None or p == 0):
        raise ValueError("aggregation 'generalised' needs a non-zero 'p'")
    if aggregation != "generalised" and p is not None:
        raise ValueError("'p' is only used by aggregation 'generalised'")


def _check_points_sum(points: float, children: list[Any], what: str) -> None:
    total = sum(c.points for c in children)
    if abs(total - points) > TOLERANCE * max(1.0, points):
        listing = ", ".join(f"{c.id}={c.points:g}" for c in children)
        raise ValueError(
            f"points of the children of {what} add up to {total:g}, not {points:g} ({listing}) "
            f"/ 子项分值合计{total:g},应为{points:g}"
        )


class Component(_Strict):
    """A top-level part of the total: scored from indicators or taken from ratings.csv."""

    id: str
    name: str
    points: float = Field(gt=0)
    source: Literal["indicators", "rating"]
    children: list[Node] | None = None
    clip: bool = Field(True, description="cap the component at its points")
    assumption: bool = False
    note: str | None = None
    quote: str | None = Field(None, description="the source's words this node encodes "
                                                "(方案依据); none: see assumption/note")
    # composite build only (perfanalysis.build_composite); points scoring ignores these
    aggregation: Aggregation = "sum"
    weight: float | None = Field(None, gt=0, description="composite: weight among components")
    p: float | None = None
    min_availability: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _children_match_source(self) -> Component:
        _check_composite_node(self.aggregation, self.p)
        if self.source == "indicators":
            if not self.children:
                raise ValueError("a component with source 'indicators' needs 'children'")
            _check_points_sum(self.points, self.children, f"component '{self.id}'")
        elif self.children:
            raise ValueError("a component with source 'rating' takes its score from ratings.csv; "
                             "remove 'children'")
        return self


class EventRule(_Strict):
    """Bonus or penalty points per event (表彰/通报批评), optionally capped."""

    kind: Literal["events"] = "events"
    id: str
    name: str
    points: dict[str, float] = Field(min_length=1, description="event -> points per count")
    once_per_project: bool = Field(
        False, description="同一项目只计最高: events sharing a project count once, at the highest"
    )
    per_event: Literal["fixed", "from_data"] = Field(
        "fixed", description="from_data: a row's `points` in events.csv is its amount (给予相应"
                             "减分); rows without points use `points` × count")
    cap: float | None = Field(None, gt=0)
    applies_to: list[str] | None = None
    assumption: bool = False
    note: str | None = None
    quote: str | None = Field(None, description="the source's words this node encodes "
                                                "(方案依据); none: see assumption/note")

    @model_validator(mode="after")
    def _positive_points(self) -> EventRule:
        bad = {k: v for k, v in self.points.items() if v <= 0}
        if bad:
            raise ValueError(f"points per event must be positive: {bad}")
        return self


class RankImprovementRule(_Strict):
    """Bonus for moving up the district ranking of named indicators (排位前移加分)."""

    kind: Literal["rank_improvement"]
    id: str
    name: str
    indicators: list[str] = Field(min_length=1)
    basis: Basis = "growth"
    direction: Direction | None = Field(
        None, description="default: the direction of the tree leaf with the same id, else positive")
    per_place: float = Field(gt=0)
    max_per_indicator: float | None = Field(None, gt=0)
    keep_first: float = Field(0.0, ge=0, description="points for keeping first place")
    cap: float | None = Field(None, gt=0)
    applies_to: list[str] | None = Field(None, description="sequences ranked together")


class ProgressRule(_Strict):
    """进位奖 / 进步奖: points per place the unit's total rank rose on last year, capped.

    Both years' ranks are within the unit's sequence, on totals without this award (last
    year's total is scored with the same scheme on last year's data).
    """

    kind: Literal["progress"]
    id: str
    name: str
    per_place: float = Field(gt=0)
    min_places: int = Field(1, ge=1, description="places to gain before any points are given")
    cap: float | None = Field(None, gt=0)
    applies_to: list[str] | None = Field(None, description="sequences the award applies to")
    assumption: bool = False
    note: str | None = None
    quote: str | None = Field(None, description="the source's words this node encodes "
                                                "(方案依据); none: see assumption/note")


class ExcessRule(_Strict):
    """超额完成任务加分 in the bonus block: points for beating an indicator's target, so the
    block's ceiling (加分天花板) and the rule's own cap bound them (seeds/001).

    Per listed indicator (a tree leaf with a target): ``per_point`` × the excess in
    percentage points — above the target rate for a growth basis (growth, given_rate),
    (actual ÷ target − 1) × 100 for a level or increment (reverse: target ÷ actual) — capped
    at ``max_per_indicator``; the rule's sum at ``cap``. A blended leaf's excess is that of
    its own basis.
    """

    kind: Literal["excess"]
    id: str
    name: str
    indicators: list[str] = Field(min_length=1)
    per_point: float = Field(gt=0)
    max_per_indicator: float | None = Field(None, gt=0)
    cap: float | None = Field(None, gt=0)
    applies_to: list[str] | None = None
    assumption: bool = Field(False, description="not in the source (方案依据与假设)")
    note: str | None = Field(None, description="why: the reason for an assumption")
    quote: str | None = Field(None, description="the source's words this rule encodes")


def _rule_kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("kind", "events"))
    return str(getattr(value, "kind", "events"))


BonusRule = Annotated[
    Annotated[EventRule, Tag("events")] | Annotated[RankImprovementRule, Tag("rank_improvement")]
    | Annotated[ProgressRule, Tag("progress")] | Annotated[ExcessRule, Tag("excess")],
    Discriminator(_rule_kind),
]


class SubCap(_Strict):
    """A cap across several rules' events (e.g. province-or-above commendations ≤ 5)."""

    events: list[str] = Field(min_length=1)
    max: float = Field(gt=0)


class Adjustments(_Strict):
    """A block of bonus or penalty rules with an optional overall cap."""

    rules: list[BonusRule] = Field(default_factory=list)
    subcaps: list[SubCap] = Field(default_factory=list)
    cap: float | None = Field(None, gt=0)

    @property
    def max_total(self) -> float | None:
        """Largest possible sum, or None when nothing bounds it."""
        if self.cap is not None:
            return self.cap
        caps = [r.cap for r in self.rules]
        return None if any(c is None for c in caps) else float(sum(caps))  # type: ignore[arg-type]


class QuotaRule(_Strict):
    """How many units of some sequences may be top tier: top k or a share."""

    sequences: list[str] | None = Field(None, description="omit for the default rule")
    top: int | None = Field(None, ge=0)
    share: float | None = Field(None, gt=0, le=1)
    rounding: Rounding = "half_up"
    min_count: int = Field(1, ge=0)
    assumption: bool = Field(False, description="not in the source (方案依据与假设)")
    note: str | None = Field(None, description="why: the reason for an assumption")
    quote: str | None = Field(None, description="the source's words this rule encodes")

    @model_validator(mode="after")
    def _one_of(self) -> QuotaRule:
        if (self.top is None) == (self.share is None):
            raise ValueError("give exactly one of 'top' or 'share'")
        return self


class Threshold(_Strict):
    label: str
    min_total: float
    assumption: bool = Field(False, description="not in the source (方案依据与假设)")
    note: str | None = Field(None, description="why: the reason for an assumption")
    quote: str | None = Field(None, description="the source's words this rule encodes")


class Disqualification(_Strict):
    """A situation that takes away eligibility for the top tier (取消评优资格)."""

    id: str
    name: str
    events: list[str] = Field(min_length=1)


class Affirmation(_Strict):
    """一票肯定 / 不受名额限制: these events put a unit in the top tier beyond the quota."""

    events: list[str] = Field(min_length=1)
    requires: str | None = Field(None, description="tier the unit must reach anyway")
    name: str = "一票肯定"


class Followup(_Strict):
    """A sanction after consecutive years in one tier (连续两年基本达标 → 通报批评), or — with
    ``bottom: k`` instead of ``tier`` — among the last k places of the ranking (Zhangjiagang:
    连续两年位居后列 → 组织处理; units tied with the k-th last included)."""

    tier: str | None = Field(None, description="tier label, one of tiers.labels")
    bottom: int | None = Field(None, ge=1, description="the last k places of the ranking group")
    years: int = Field(2, ge=1, description="consecutive years in that tier or place")
    consequence: str = Field(min_length=1, description="what follows, in Chinese")
    assumption: bool = Field(False, description="not in the source (方案依据与假设)")
    note: str | None = Field(None, description="why: the reason for an assumption")
    quote: str | None = Field(None, description="the source's words this rule encodes")

    @model_validator(mode="after")
    def _one_of(self) -> Followup:
        if (self.tier is None) == (self.bottom is None):
            raise ValueError("a follow-up needs exactly one of 'tier' or 'bottom'")
        return self

    def label(self) -> str:
        """The condition in Chinese: the tier, or 后k位."""
        return self.tier if self.tier is not None else f"排名后{self.bottom}位"


#: Heshan 2013's follow-ups (seeds/003: 连续两年基本达标 → 通报批评, 连续两年不达标 →
#: 调整领导班子). A scheme applies follow-ups only when it declares them (``tiers.followups``):
#: these are no longer a silent default of schemes that say nothing (issue 22).
HESHAN_FOLLOWUPS = (Followup(tier="基本达标", years=2, consequence="通报批评"),
                    Followup(tier="不达标", years=2, consequence="组织调整"))


class ResultRule(_Strict):
    """结果运用: a consequence a unit's place brings, recorded as a flag (no points).

    ``kind``: ``bottom`` (the last ``count``/``share`` units of each ranking group by total,
    末位), ``top`` (the first ones, 排位靠前), ``tier`` (units in ``tier``, e.g. 优秀 →
    综合奖励) or ``progress`` (units whose rank rose by at least ``min_places`` on last
    year's rank under the same scheme, 进步幅度大). ``pay_change`` (e.g. +0.10, −0.10) is the
    change of the unit's 绩效奖金 against the average (上浮/下浮一定比例); the changes of all
    rules a unit meets add up (a factor never below 0).
    """

    id: str
    name: str
    kind: Literal["bottom", "top", "tier", "progress"]
    consequence: str = Field(min_length=1, description="what follows, in Chinese")
    count: int | None = Field(None, ge=1)
    share: float | None = Field(None, gt=0, le=1, description="rounded half up, at least 1")
    tier: str | None = None
    min_places: int = Field(1, ge=1, description="progress: places gained")
    pay_change: float | None = Field(None, ge=-1, le=1,
                                     description="绩效奖金 change against the average")
    assumption: bool = Field(False, description="not in the source (方案依据与假设)")
    note: str | None = Field(None, description="why: the reason for an assumption")
    quote: str | None = Field(None, description="the source's words this rule encodes")

    @model_validator(mode="after")
    def _fields(self) -> ResultRule:
        if self.kind in ("bottom", "top") and (self.count is None) == (self.share is None):
            raise ValueError(f"result rule '{self.id}' ({self.kind}): give exactly one of "
                             "'count' or 'share'")
        if self.kind not in ("bottom", "top") and (self.count or self.share):
            raise ValueError(f"result rule '{self.id}': 'count'/'share' belong to kinds "
                             "'bottom' and 'top'")
        if (self.kind == "tier") != (self.tier is not None):
            raise ValueError(f"result rule '{self.id}': 'tier' is needed by kind 'tier' "
                             "and only by it")
        return self


class Results(_Strict):
    """结果运用 (results use) of a scheme: flags and pay changes from places and tiers."""

    rules: list[ResultRule] = Field(default_factory=list)
    quote: str | None = Field(None, description="where the source states its results use")
    note: str | None = None

    @model_validator(mode="after")
    def _ids(self) -> Results:
        ids = [r.id for r in self.rules]
        if len(set(ids)) != len(ids):
            raise ValueError(f"results rule ids repeat: {ids}")
        return self


class BottomRule(_Strict):
    """所属类别后k位: the last ``count`` (or ``share``) units of a sequence by total.

    ``effect``: ``no_top`` bars them from the top tier (like a disqualification),
    ``last_tier`` puts them in the last tier, ``flag`` only records it (e.g. 诫勉谈话) in
    ``tier_flags``. Units tied with the k-th last unit are all included (assumption).
    """

    id: str
    name: str
    count: int | None = Field(None, ge=1)
    share: float | None = Field(None, gt=0, le=1, description="rounded by tiers.rounding")
    effect: Literal["no_top", "last_tier", "flag"]
    sequences: list[str] | None = Field(None, description="default: every sequence")
    assumption: bool = False
    note: str | None = None
    quote: str | None = Field(None, description="the source's words this node encodes "
                                                "(方案依据); none: see assumption/note")

    @model_validator(mode="after")
    def _one_of(self) -> BottomRule:
        if (self.count is None) == (self.share is None):
            raise ValueError("give exactly one of 'count' or 'share'")
        return self


class TierRules(_Strict):
    """Tier rules, applied to scores in a separate step."""

    method: Literal["quota_threshold", "forced_distribution"]
    labels: list[str] = Field(min_length=2, description="best first")
    quota: list[QuotaRule] = Field(default_factory=list)
    thresholds: list[Threshold] = Field(default_factory=list)
    shares: list[float] = Field(default_factory=list)
    rounding: Rounding = "half_up"
    disqualifications: list[Disqualification] = Field(default_factory=list)
    demote_at: int | None = Field(
        None, ge=1, description="this many disqualifications or more put a unit in the last tier"
    )
    affirmation: Affirmation | None = None
    tie_break: list[str] = Field(default_factory=list, description="components, in order")
    quota_passes_down: bool = Field(
        True, description="a disqualified unit's place in the quota goes to the next unit"
    )
    quota_requires: str | None = Field(
        None, description="a unit in the quota must also reach this tier by threshold")
    followups: list[Followup] | None = Field(
        None, description="sanctions after consecutive years in a tier; omitted or []: none "
                          "(only the rules a scheme declares apply)")
    scope: str = Field(
        "sequence", min_length=1,
        description="who is ranked together for tiers: 'sequence' (each sequence), 'all' "
                    "(every unit together, e.g. a province ranking all counties) or a "
                    "units.csv column (each value of it, e.g. region)")
    rank_scope: str | None = Field(
        None, min_length=1, description="the same for the rank column; default: scope")

    def rank_group_scope(self) -> str:
        """Who the rank column ranks together: ``rank_scope``, else ``scope``."""
        return self.rank_scope or self.scope
    assumption: bool = Field(False, description="not in the source (方案依据与假设)")
    note: str | None = Field(None, description="why: the reason for an assumption")
    quote: str | None = Field(None, description="the source's words the tier rules encode "
                                                "(labels, rounding)")

    def followup_rules(self) -> list[Followup]:
        """The follow-ups in force: exactly those the scheme declares (none when omitted)."""
        return list(self.followups or [])
    bottom: list[BottomRule] = Field(default_factory=list,
                                     description="所属类别后k位 rules (no_top / last_tier / flag)")

    @model_validator(mode="after")
    def _consistent(self) -> TierRules:
        labels = self.labels
        if len(set(labels)) != len(labels):
            raise ValueError(f"labels repeat: {labels}")
        if self.method == "quota_threshold":
            if not self.quota:
                raise ValueError("method 'quota_threshold' needs 'quota'")
            defaults = [q for q in self.quota if q.sequences is None]
            if len(defaults) > 1:
                raise ValueError("only one quota rule may omit 'sequences'")
            expected = labels[1:-1]
            got = [t.label for t in self.thresholds]
            if got != expected:
                raise ValueError(
                    f"'thresholds' must give, in order, the labels between the top and the "
                    f"last tier: {expected}; got {got}"
                )
            mins = [t.min_total for t in self.thresholds]
            if any(a <= b for a, b in itertools.pairwise(mins)):
                raise ValueError(f"threshold min_total must decrease: {mins}")
            named = [s for q in self.quota for s in (q.sequences or [])]
            twice = sorted({s for s in named if named.count(s) > 1})
            if twice:
                raise ValueError(f"sequences named by more than one quota rule: {twice}")
            if self.shares:
                raise ValueError("'shares' belongs to method 'forced_distribution'")
            if self.quota_requires is not None and self.quota_requires not in labels[1:]:
                raise ValueError(f"quota_requires must be one of {labels[1:]}")
        else:
            extra = [k for k in ("quota", "thresholds") if getattr(self, k)]
            if self.quota_requires is not None:
                extra.append("quota_requires")
            if extra:
                raise ValueError(f"{extra} belong to method 'quota_threshold'; a forced "
                                 "distribution sets tiers by 'shares' alone")
            if len(self.shares) != len(labels):
                raise ValueError(f"'shares' needs one share per label ({len(labels)})")
            if any(s < 0 for s in self.shares) or abs(sum(self.shares) - 1) > 1e-9:
                raise ValueError(f"'shares' must be non-negative and add up to 1: {self.shares}")
        if self.scope != "sequence":
            named = [q for q in self.quota if q.sequences is not None]
            named_b = [b.id for b in self.bottom if b.sequences is not None]
            if named or named_b:
                raise ValueError(
                    f"scope '{self.scope}' ranks across sequences: quota and bottom rules "
                    f"cannot name sequences (quota rules {[q.sequences for q in named]}, "
                    f"bottom rules {named_b}); give one rule without 'sequences'")
        bad_fu = [f.tier for f in self.followups or []
                  if f.tier is not None and f.tier not in labels]
        if bad_fu:
            raise ValueError(f"followups name unknown tiers {bad_fu}; allowed: {labels}")
        if self.affirmation and self.affirmation.requires not in (None, *labels[1:]):
            raise ValueError(f"affirmation.requires must be one of {labels[1:]} (the tier a "
                             "unit must reach anyway; the top tier itself can never be reached "
                             "by a threshold)")
        dq = [d.id for d in self.disqualifications]
        if len(set(dq)) != len(dq):
            raise ValueError(f"disqualification ids repeat: {dq}")
        bt = [b.id for b in self.bottom]
        if len(set(bt)) != len(bt):
            raise ValueError(f"bottom rule ids repeat: {bt}")
        if self.demote_at is not None and self.demote_at > max(1, len(self.disqualifications)):
            raise ValueError(
                f"demote_at={self.demote_at} can never be met with "
                f"{len(self.disqualifications)} disqualification(s)"
            )
        return self


class LeaderMultiplier(_Strict):
    """Leaders paid a multiple of the per-head amount (党政正职 ×1.5, 其他班子成员 ×1.2)."""

    name: str
    multiplier: float = Field(gt=0)
    column: str | None = Field(None, description="units.csv column with their head count")
    default_count: int | None = Field(None, ge=0, description="count when the column is absent")
    default_share: float | None = Field(None, ge=0, le=1,
                                        description="share of staff when the column is absent")
    assumption: bool = False

    @model_validator(mode="after")
    def _count_source(self) -> LeaderMultiplier:
        if self.column is None and self.default_count is None and self.default_share is None:
            raise ValueError("give 'column', 'default_count' or 'default_share'")
        if self.default_count is not None and self.default_share is not None:
            raise ValueError("give at most one of 'default_count' or 'default_share'")
        return self


class LumpSum(_Strict):
    """A fixed amount per unit by tier for some sequences (驻区单位: 4万 / 2万元)."""

    sequences: list[str] = Field(min_length=1)
    amounts: dict[str, float] = Field(description="tier label -> 元")
    assumption: bool = False


class RewardRules(_Strict):
    """Results use (奖金): per-head amounts by tier × the staff column, leaders' multipliers,
    lump sums for some sequences, and the 优岗 share of each tier's staff."""

    per_head: dict[str, float] = Field(description="tier label -> 元 per staff member")
    staff_column: str = "staff"
    leaders: list[LeaderMultiplier] = Field(default_factory=list)
    lump_sums: list[LumpSum] = Field(default_factory=list)
    excellent_post_share: dict[str, float] = Field(
        default_factory=dict, description="tier label -> 优岗 share of staff")
    source: str | None = None
    assumption: bool = False
    note: str | None = None
    quote: str | None = Field(None, description="the source's words this node encodes "
                                                "(方案依据); none: see assumption/note")


class Scheme(_Strict):
    """One evaluation's rules: components (a tree), adjustments and tier rules."""

    id: str
    name: str
    source: str | None = None
    year: int | None = None
    note: str | None = None
    comparison_group: Literal["sequence", "all"] = "sequence"
    missing: MissingRule = Field(
        "error", description="a missing indicator value: error (stop), zero (0 points) or "
                             "reweight (不适用: points go to the rest of the item's group)")
    sequences: dict[str, str] = Field(default_factory=dict, description="id -> Chinese name")
    events: dict[str, str] = Field(default_factory=dict, description="id -> Chinese name")
    other_indicators: list[str] = Field(
        default_factory=list, description="indicators the data may carry that this scheme "
        "does not score (e.g. official rates another scheme on the same data reads); any "
        "indicator neither scored nor listed is still an error")
    components: list[Component] = Field(min_length=1)
    bonus: Adjustments = Field(default_factory=Adjustments)
    penalty: Adjustments = Field(default_factory=Adjustments)
    tiers: TierRules
    rewards: RewardRules | None = Field(None, description="奖金 by tier (rewards.py)")
    results: Results = Field(default_factory=Results,
                             description="结果运用: flags and pay changes (history.py)")
    composite: CompositeSection | None = Field(
        None, description="composite-indicator build (see data/schemes/README.md)")

    def missing_rule(self, leaf: Indicator) -> str:
        """The leaf's missing-value rule: its own ``missing`` or the scheme's."""
        return leaf.missing or self.missing

    @model_validator(mode="after")
    def _references(self) -> Scheme:
        ids = [n.id for n in self.iter_nodes()] + [c.id for c in self.components]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"node ids must be unique; repeated: {dupes}")
        rates = [i.blend.indicator for i in self.indicators()
                 if i.blend is not None and i.blend.indicator is not None]
        if set(rates) & set(ids) or len(set(rates)) != len(rates):
            raise ValueError("a 'blend.indicator' (official-rate series) must be read by one "
                             "blend only and not be a node of the tree; repeated: "
                             f"{sorted({r for r in rates if r in ids or rates.count(r) > 1})}")
        reserved = [c.id for c in self.components
                    if c.id in RESERVED_COLUMNS or c.id.startswith(("bonus_", "penalty_"))]
        if reserved:
            raise ValueError(f"component ids {reserved} clash with output columns "
                             f"({', '.join(RESERVED_COLUMNS)}, bonus_*, penalty_*): rename them")
        known_events = set(self.events)
        used: list[tuple[str, str]] = []
        for block_name, block in (("bonus", self.bonus), ("penalty", self.penalty)):
            rule_ids = [r.id for r in block.rules]
            if len(set(rule_ids)) != len(rule_ids):
                raise ValueError(f"{block_name} rule ids repeat: {rule_ids}")
            in_rules = [e for r in block.rules if isinstance(r, EventRule) for e in r.points]
            in_subcaps = [e for sc in block.subcaps for e in sc.events]
            for what, names in (("rule", in_rules), ("sub-cap", in_subcaps)):
                twice = sorted({e for e in names if names.count(e) > 1})
                if twice:
                    raise ValueError(f"{block_name}: events in more than one {what}: {twice} "
                                     "(each event is counted by one rule and one sub-cap)")
            if self.sequences:
                for rule in block.rules:
                    bad = [q for q in (rule.applies_to or []) if q not in self.sequences]
                    if bad:
                        raise ValueError(f"{block_name}.rules.{rule.id}.applies_to names unknown "
                                         f"sequences {bad}; allowed: {sorted(self.sequences)}")
            for rule in block.rules:
                if isinstance(rule, EventRule):
                    used += [(f"{block_name}.rules.{rule.id}.points", e) for e in rule.points]
                elif block_name == "penalty":
                    raise ValueError(f"{rule.kind} rules belong in 'bonus'")
            used += [(f"{block_name}.subcaps", e) for s in block.subcaps for e in s.events]
        leaves = {leaf.id: leaf for leaf in self.indicators()}
        for rule in self.bonus.rules:
            if isinstance(rule, ExcessRule):
                bad = [i for i in rule.indicators
                       if i not in leaves or leaves[i].target is None]
                if bad:
                    raise ValueError(f"bonus.rules.{rule.id}.indicators {bad}: not indicators "
                                     "with a target (超额 needs one)")
        used += [(f"tiers.disqualifications.{d.id}", e)
                 for d in self.tiers.disqualifications for e in d.events]
        if self.tiers.affirmation:
            used += [("tiers.affirmation", e) for e in self.tiers.affirmation.events]
        used += [(f"indicator {i.id}.event", i.event) for i in self.indicators() if i.event]
        unknown = [(where, e) for where, e in used if e not in known_events]
        if unknown:
            listing = "; ".join(f"{e!r} in {w}" for w, e in unknown)
            raise ValueError(f"events not declared under 'events': {listing}")
        denominators = set(self.composite.denominators) if self.composite else set()
        bad_den = sorted({i.denominator for i in self.indicators()
                          if i.denominator and i.denominator not in denominators})
        if bad_den:
            raise ValueError(f"indicator denominators not declared under "
                             f"'composite.denominators': {bad_den}")
        if self.rewards is not None:
            labels = set(self.tiers.labels)
            keyed = [*self.rewards.per_head, *self.rewards.excellent_post_share,
                     *(k for ls in self.rewards.lump_sums for k in ls.amounts)]
            bad = sorted({k for k in keyed if k not in labels})
            if bad:
                raise ValueError(f"rewards name unknown tiers {bad}; allowed: {self.tiers.labels}")
            if self.sequences:
                bad = sorted({q for ls in self.rewards.lump_sums for q in ls.sequences
                              if q not in self.sequences})
                if bad:
                    raise ValueError(f"rewards.lump_sums name unknown sequences {bad}")
        bad_rt = [r.id for r in self.results.rules
                  if r.tier is not None and r.tier not in self.tiers.labels]
        if bad_rt:
            raise ValueError(f"results rules {bad_rt} name unknown tiers; allowed: "
                             f"{self.tiers.labels}")
        comp_ids = {c.id for c in self.components}
        bad_tb = [t for t in self.tiers.tie_break if t not in comp_ids]
        if bad_tb:
            raise ValueError(f"tiers.tie_break names unknown components {bad_tb}; "
                             f"allowed: {sorted(comp_ids)}")
        if self.sequences:
            for b in self.tiers.bottom:
                bad = [s for s in (b.sequences or []) if s not in self.sequences]
                if bad:
                    raise ValueError(f"tiers.bottom.{b.id} names unknown sequences {bad}; "
                                     f"allowed: {sorted(self.sequences)}")
            for q in self.tiers.quota:
                bad = [s for s in (q.sequences or []) if s not in self.sequences]
                if bad:
                    raise ValueError(f"tiers.quota names unknown sequences {bad}; "
                                     f"allowed: {sorted(self.sequences)}")
            if self.tiers.method == "quota_threshold" and not any(
                    q.sequences is None for q in self.tiers.quota):
                covered = {s for q in self.tiers.quota for s in (q.sequences or [])}
                missing = [s for s in self.sequences if s not in covered]
                if missing:
                    raise ValueError(f"no quota rule covers sequences {missing}: add them to a "
                                     "rule or add a default rule without 'sequences'")
        return self

    @model_validator(mode="after")
    def _tiers_reachable(self) -> Scheme:
        """A threshold above the highest possible total can never be met."""
        if self.tiers.method != "quota_threshold":
            return self
        high = self.total_range()[1]
        for i, t in enumerate(self.tiers.thresholds):
            if t.min_total > high + TOLERANCE:
                raise ValueError(
                    f"tiers.thresholds[{i}:{t.label}].min_total = {t.min_total:g} can never be "
                    f"met: the highest possible total is {high:g} (components plus the bonus "
                    f"cap); allowed: a value ≤ {high:g}")
        return self

    # --- navigation -------------------------------------------------------------------
    def iter_nodes(self) -> Iterator[Group | Indicator]:
        """Every group and indicator, depth first, in file order."""

        def walk(nodes: list[Any]) -> Iterator[Group | Indicator]:
            for node in nodes:
                yield node
                if isinstance(node, Group):
                    yield from walk(node.children)

        for comp in self.components:
            yield from walk(comp.children or [])

    def indicators(self) -> list[Indicator]:
        """The leaves, in file order."""
        return [n for n in self.iter_nodes() if isinstance(n, Indicator)]

    def indicator_component(self) -> dict[str, str]:
        """Leaf id -> id of the component it belongs to."""
        out: dict[str, str] = {}
        for comp in self.components:
            stack = list(comp.children or [])
            while stack:
                node = stack.pop()
                if isinstance(node, Group):
                    stack.extend(node.children)
                else:
                    out[node.id] = comp.id
        return out

    def observed_indicators(self) -> set[str]:
        """Indicator ids that data may carry: tree leaves and rank-improvement indicators."""
        ids = {i.id for i in self.indicators() if i.event is None}
        ids.update(i.blend.indicator for i in self.indicators()
                   if i.blend is not None and i.blend.indicator is not None)
        ids.update(self.other_indicators)
        if self.composite:
            ids.update(self.composite.denominators)
        for rule in self.bonus.rules:
            if isinstance(rule, RankImprovementRule):
                ids.update(rule.indicators)
        return ids

    def component(self, cid: str) -> Component:
        for c in self.components:
            if c.id == cid:
                return c
        raise KeyError(cid)

    @property
    def max_points(self) -> float:
        """Sum of the components' points (the nominal scale, e.g. 1000)."""
        return float(sum(c.points for c in self.components))

    def total_range(self) -> tuple[float, float]:
        """Lowest and highest possible total; ±inf where no cap bounds it."""
        high = 0.0
        for c in self.components:
            if c.source == "rating" or c.clip:
                high += c.points
            else:
                high += sum(i.points * i.max_fraction for i in _leaves(c.children or []))
        bonus = self.bonus.max_total
        penalty = self.penalty.max_total
        top = high + (bonus if bonus is not None else float("inf"))
        low = -(penalty if penalty is not None else float("inf"))
        return low, top


def _leaves(nodes: list[Any]) -> Iterator[Indicator]:
    for n in nodes:
        if isinstance(n, Group):
            yield from _leaves(n.children)
        else:
            yield n


TargetRule.model_rebuild()
Group.model_rebuild()
Component.model_rebuild()
Scheme.model_rebuild()
