"""perfanalysis: analyse Chinese local-government performance-evaluation schemes (绩效考核).

Flow: files → ``load_data`` → ``load_scheme`` → ``score`` → ``assign_tiers`` (or
``scorecard`` for both) → study functions → notebooks → report.
"""

from .adjustments import adjustment_table
from .composite.build import BuildResult, CoinData, Recipe, rerun, run_build
from .composite.coin import (
    build_composite,
    from_coin_tables,
    scheme_tree,
    to_coin_tables,
    write_coin_import,
)
from .composite.sensitivity import composite_sensitivity, remove_elements
from .composite.tree import Hierarchy
from .data import Dataset, check_data, load_data
from .errors import DataError, PerfAnalysisError, PipelineError, Problem, SchemeError
from .export import write_table, write_tables
from .notebook import notebook_setup, show, show_table
from .parsing import MISSING_MARKERS, UnitResolver, parse_number
from .pipeline import RunConfig, RunResult, run_report
from .readers import read_tables
from .scenarios import Scenario, load_scenarios, scenarios_from_mapping
from .scheme import Scheme, load_scheme, scheme_from_mapping, with_overrides
from .scorecard import latest_year, scorecard
from .scoring import component_scores, leaf_fractions, leaf_scores, prepare, score
from .studies.weightings import compare_scenarios, remove_groups, weight_sensitivity
from .tiers import assign_tiers, quota_for

__version__ = "0.1.0"

__all__ = [
    "MISSING_MARKERS",
    "BuildResult",
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
    "Scenario",
    "Scheme",
    "SchemeError",
    "UnitResolver",
    "adjustment_table",
    "assign_tiers",
    "build_composite",
    "check_data",
    "compare_scenarios",
    "component_scores",
    "composite_sensitivity",
    "from_coin_tables",
    "latest_year",
    "leaf_fractions",
    "leaf_scores",
    "load_data",
    "load_scenarios",
    "load_scheme",
    "notebook_setup",
    "parse_number",
    "prepare",
    "quota_for",
    "read_tables",
    "remove_elements",
    "remove_groups",
    "rerun",
    "run_build",
    "run_report",
    "scenarios_from_mapping",
    "scheme_from_mapping",
    "scheme_tree",
    "score",
    "scorecard",
    "show",
    "show_table",
    "to_coin_tables",
    "weight_sensitivity",
    "with_overrides",
    "write_coin_import",
    "write_table",
    "write_tables",
]
