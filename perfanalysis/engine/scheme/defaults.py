"""Names and constants of the scheme: the allowed methods, bases, directions and rules
(``Literal`` types the model checks against), their Chinese names, the columns a scorecard
reserves, and which methods use which indicator settings (``METHOD_FIELDS``).

Kept apart from the model so a module that only needs a name or a constant reads it here.
"""

from __future__ import annotations

from typing import Literal

TOLERANCE = 1e-6
RESERVED_COLUMNS = ("unit_id", "name", "sequence", "bonus", "penalty", "total", "rank", "tier",
                    "tier_reason")

Method = Literal["completion", "efficacy", "minmax", "rank_points", "pass_fail", "deduction",
                 "gap_points", "time_progress"]
Basis = Literal["level", "increment", "growth", "given_rate"]
TARGET_METHODS = ("completion", "gap_points", "time_progress")
Direction = Literal["positive", "negative"]
Rounding = Literal["half_up", "floor", "ceil"]
Aggregation = Literal["sum", "arithmetic", "geometric", "harmonic", "generalised", "copeland"]
# a value missing for points scoring: stop (error), score 0 (zero), or 不适用 — the item's
# points go to the rest of its group in proportion to their points (reweight)
MissingRule = Literal["error", "zero", "reweight"]

TargetRuleName = Literal["table", "own_average", "uniform", "last_growth", "trend", "peer",
                         "blend"]
HISTORY_RULES = ("own_average", "last_growth", "trend", "peer", "blend")
#: target bounds a scheme sets whatever rule derives the target (kept by the targets study)
BOUND_KEYS = ("floor", "ceiling", "not_below_last", "min_growth")
#: the quantity an indicator is scored on, in Chinese (official rates: 官方增速)
BASIS_ZH = {"level": "总量", "increment": "增量", "growth": "增速", "given_rate": "官方增速"}
#: The methods that use each method-specific field of an indicator. A scenario or
#: ``with_overrides`` that switches a leaf to another method drops the fields the new method
#: does not use (unless the same override sets them), in YAML and Python alike.
METHOD_FIELDS: dict[str, tuple[str, ...]] = {
    "target": TARGET_METHODS, "cap": ("completion", "time_progress"), "floor": ("completion",),
    "base": ("efficacy",), "satisfactory": ("efficacy",), "allowed": ("efficacy",),
    "step": ("rank_points",), "threshold": ("pass_fail",), "per_event": ("deduction",),
    "event": ("deduction",), "per_point": ("gap_points",), "per_point_above": ("gap_points",),
    "max_deduction": ("gap_points",), "max_bonus": ("gap_points",),
    "elapsed": ("time_progress",)}
