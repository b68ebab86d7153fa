"""Study 2: growth-vs-level scoring fairness (proposal 1214: 既考增量,也考增速).

Scores one indicator, a group or the scheme's total under several variants — level, growth
rate, increment, per-capita level, the blend α·level + (1−α)·growth, the conditional growth
percentile and the value-added residual — and measures how each favours large units (size
dependence), how stable it is across years (persistence), how noisy it is under a
measurement-error model (simulated on arrays with a leading draw axis, no loop per draw), and
which α keeps both size dependence and noise under thresholds (the fairness–stability
frontier). Pure functions; tables for the notebook, charts and findings elsewhere.

Scores of an indicator are positions 0–100 within the comparison group (min–max, the
efficacy method without its base: 100 = best of the sequence), so level and growth scores
share a scale before blending. Group and total variants run the scheme's own scoring through
the vectorised engine (``prepare`` / ``leaf_fractions`` / ``component_scores``) with the
level/growth blend of the scheme's blended leaves set to α. Beside the generic variants the
chapter scores the scheme's own method (``scheme_variants``: each blended economic leaf as
the scheme scores it, the group holding them and the total), so a reader sees what the
current scheme does.

Size dependence is ``studies.size.size_dependence`` within the comparison groups
(``comparison_groups``: the sequence, or all units when the scheme compares all).

"Top tier" here means being within the sequence's quota (``perfanalysis.quota_for``; the
first share of a forced distribution) by rank, with ties at the cut included; vetoes and
thresholds are not applied, since the study is about what scores alone do.

Where the rest of the study lives: charts ``perfanalysis.report.figures.fairness``, sentences
``perfanalysis.report.findings.fairness``, chapter ``notebooks/02_growth_vs_level.py``.
"""

from __future__ import annotations

from .fairness_core import (
    MONEY_UNITS,
    SCHEME_PREFIX,
    SIZE_COLUMNS,
    TOTAL,
    VARIANT_NAMES,
    Blend,
    alpha_grid,
    blended_leaves,
    comparison_groups,
    conditional_growth_percentiles,
    default_size_column,
    main_level_indicator,
    node_name,
    scheme_subjects,
    scheme_variants,
    unit_sizes,
    usable_years,
    variant_label,
    variants,
    variants_panel,
)
from .fairness_noise import (
    NoiseResult,
    alpha_label,
    alpha_range,
    alternatives,
    blend_parts,
    frontier,
    rank_volatility,
    simulate_noise,
    top_chance,
    volatility_size,
)
from .fairness_stats import (
    Persistence,
    persistence,
    persistence_summary,
    size_dependence,
    size_dependence_table,
    small_unit_chance,
    small_units,
    with_all_units,
)

__all__ = [
    "MONEY_UNITS", "SCHEME_PREFIX", "SIZE_COLUMNS", "TOTAL", "VARIANT_NAMES", "Blend",
    "NoiseResult", "Persistence", "alpha_grid", "alpha_label", "alpha_range", "alternatives",
    "blend_parts", "blended_leaves", "comparison_groups", "conditional_growth_percentiles",
    "default_size_column", "frontier", "main_level_indicator", "node_name", "persistence",
    "persistence_summary",
    "rank_volatility", "scheme_subjects", "scheme_variants", "simulate_noise",
    "size_dependence", "size_dependence_table", "small_unit_chance", "small_units",
    "top_chance", "unit_sizes", "usable_years", "variant_label", "variants", "variants_panel",
    "volatility_size", "with_all_units",
]
