"""perfanalysis: analyse Chinese local-government performance-evaluation schemes (绩效考核).

Flow: files → ``load_data`` → ``load_scheme`` → ``score`` → ``assign_tiers`` (or
``scorecard`` for both) → study functions → notebooks → report.
"""

from .adjustments import adjustment_table
from .cadres import CadreRules, cadre_table
from .composite.build import BuildResult, CoinData, Recipe, rerun, run_build
from .composite.coin import (
    build_composite,
    from_coin_tables,
    scheme_tree,
    to_coin_tables,
    write_coin_import,
)
from .composite.tree import Hierarchy
from .data import Dataset, check_data, load_data
from .errors import DataError, PerfAnalysisError, PipelineError, Problem, SchemeError
from .export import write_table, write_tables
from .notebook import notebook_setup, show, show_table
from .parsing import MISSING_MARKERS, UnitResolver, parse_number
from .pipeline import RunConfig, RunResult, run_report
from .ranks import rank_confidence_sets, top_set
from .readers import read_tables
from .rewards import payout_matrix, unit_rewards
from .scheme import Scheme, load_scheme, scheme_from_mapping, with_overrides
from .scorecard import latest_year, scorecard
from .scoring import component_scores, leaf_fractions, leaf_scores, prepare, score
from .targets import rule_targets, target_warnings
from .tiers import TierModel, assign_tiers, quota_for, tier_codes, tier_model

__version__ = "0.1.0"

__all__ = [
    "MISSING_MARKERS",
    "BuildResult",
    "CadreRules",
    "CoinData",
    "DataError",
    "Dataset",
    "Hierarchy",
    "PerfAnalysisError",
    "PipelineError",
    "Problem",
    "Recipe",
    "RunConfig",
    "RunResult",
    "Scheme",
    "SchemeError",
    "TierModel",
    "UnitResolver",
    "adjustment_table",
    "assign_tiers",
    "build_composite",
    "cadre_table",
    "check_data",
    "component_scores",
    "from_coin_tables",
    "latest_year",
    "leaf_fractions",
    "leaf_scores",
    "load_data",
    "load_scheme",
    "notebook_setup",
    "parse_number",
    "payout_matrix",
    "prepare",
    "quota_for",
    "rank_confidence_sets",
    "read_tables",
    "rerun",
    "rule_targets",
    "run_build",
    "run_report",
    "scheme_from_mapping",
    "scheme_tree",
    "score",
    "scorecard",
    "show",
    "show_table",
    "target_warnings",
    "tier_codes",
    "tier_model",
    "to_coin_tables",
    "top_set",
    "unit_rewards",
    "with_overrides",
    "write_coin_import",
    "write_table",
    "write_tables",
]
