"""The scheme (考核方案): a typed tree of components, groups and indicators read from YAML.

A scheme is validated on load; every error names the key path (with node ids, so a user can
find it in the file). A scenario is a scheme plus overrides, validated the same way.

By concern: ``model`` (the classes), ``load`` (YAML and mappings to a ``Scheme``, the
did-you-mean errors), ``overrides`` (``with_overrides``), ``defaults`` (allowed names, Chinese
names, constants). This module re-exports their public names, so ``from .scheme import
Scheme`` reads the same wherever the name lives.
"""

from __future__ import annotations

from .defaults import (
    BASIS_ZH,
    BOUND_KEYS,
    HISTORY_RULES,
    METHOD_FIELDS,
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
from .load import (
    load_scheme,
    scheme_from_mapping,
)
from .model import (
    HESHAN_FOLLOWUPS,
    Adjustments,
    Affirmation,
    Blend,
    BonusRule,
    BottomRule,
    Component,
    Disqualification,
    EventRule,
    ExcessRule,
    Followup,
    Group,
    Indicator,
    LeaderMultiplier,
    LumpSum,
    Node,
    ProgressRule,
    QuotaRule,
    RankImprovementRule,
    ResultRule,
    Results,
    RewardRules,
    Scheme,
    SubCap,
    TargetRule,
    Threshold,
    TierRules,
)
from .overrides import (
    with_overrides,
)

__all__ = [
    "BASIS_ZH",
    "BOUND_KEYS",
    "HESHAN_FOLLOWUPS",
    "HISTORY_RULES",
    "METHOD_FIELDS",
    "RESERVED_COLUMNS",
    "TARGET_METHODS",
    "TOLERANCE",
    "Adjustments",
    "Affirmation",
    "Aggregation",
    "Basis",
    "Blend",
    "BonusRule",
    "BottomRule",
    "Component",
    "Direction",
    "Disqualification",
    "EventRule",
    "ExcessRule",
    "Followup",
    "Group",
    "Indicator",
    "LeaderMultiplier",
    "LumpSum",
    "Method",
    "MissingRule",
    "Node",
    "ProgressRule",
    "QuotaRule",
    "RankImprovementRule",
    "ResultRule",
    "Results",
    "RewardRules",
    "Rounding",
    "Scheme",
    "SubCap",
    "TargetRule",
    "TargetRuleName",
    "Threshold",
    "TierRules",
    "load_scheme",
    "scheme_from_mapping",
    "with_overrides",
]
