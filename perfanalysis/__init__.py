"""perfanalysis: analyse Chinese local-government performance-evaluation schemes (绩效考核).

Flow: files → ``load_data`` → ``load_scheme`` → ``score`` → ``assign_tiers`` (or
``scorecard`` for both) → study functions → notebooks → report.

Public names are imported on first use (``_LAZY`` maps each to its module), so
``import perfanalysis`` and the ``perfanalysis score`` command do not pay for plotting,
papermill, statsmodels or the composite engine. To re-export a new function, add one
``"name": ".module"`` line to ``_LAZY``; ``__all__`` follows the table.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "adjustment_table": ".adjustments",
    "BuildResult": ".composite.build",
    "CoinData": ".composite.build",
    "Recipe": ".composite.build",
    "rerun": ".composite.build",
    "run_build": ".composite.build",
    "build_composite": ".composite.coin",
    "from_coin_tables": ".composite.coin",
    "scheme_tree": ".composite.coin",
    "to_coin_tables": ".composite.coin",
    "write_coin_import": ".composite.coin",
    "Hierarchy": ".composite.tree",
    "Dataset": ".data",
    "check_data": ".data",
    "load_data": ".data",
    "ErrorModel": ".errormodel",
    "ErrorSpec": ".errormodel",
    "default_error_model": ".errormodel",
    "error_model_table": ".errormodel",
    "load_error_model": ".errormodel",
    "resolve_error_model": ".errormodel",
    "DataError": ".errors",
    "PerfAnalysisError": ".errors",
    "PipelineError": ".errors",
    "Problem": ".errors",
    "SchemeError": ".errors",
    "write_table": ".export",
    "write_tables": ".export",
    "notebook_setup": ".notebook",
    "read_office_workbook": ".office",
    "show": ".notebook",
    "show_table": ".notebook",
    "show_long_table": ".notebook",
    "long_table_excerpt": ".notebook",
    "show_unit_rows": ".notebook",
    "unit_rows_excerpt": ".notebook",
    "size_label_zh": ".charts",
    "MISSING_MARKERS": ".parsing",
    "UnitResolver": ".parsing",
    "parse_number": ".parsing",
    "RunConfig": ".pipeline",
    "RunResult": ".pipeline",
    "run_report": ".pipeline",
    "read_tables": ".readers",
    "Scheme": ".scheme",
    "load_scheme": ".scheme",
    "scheme_from_mapping": ".scheme",
    "with_overrides": ".scheme",
    "close_cuts": ".summary",
    "score_detail": ".summary",
    "latest_year": ".scorecard",
    "scorecard": ".scorecard",
    "component_scores": ".scoring",
    "leaf_fractions": ".scoring",
    "leaf_scores": ".scoring",
    "prepare": ".scoring",
    "score": ".scoring",
    "assign_tiers": ".tiers",
    "quota_for": ".tiers",
    "quota_warnings": ".tiers",
    "size_dependence": ".studies.size",
    "make_explorer": ".explorer",
    "Brief": ".brief",
    "assemble_brief": ".brief",
    "read_study_tables": ".brief",
    "Proposal": ".reply",
    "Reply": ".reply",
    "build_reply": ".reply",
    "find_proposal": ".reply",
    "load_proposal": ".reply",
    "docx_pages": ".publication",
    "indicator_detail": ".publication",
    "reply_docx": ".publication",
    "results_table": ".publication",
    "scheme_basis": ".publication",
    "tier_roster": ".publication",
    "roster_counts": ".publication",
    "check_sentences": ".wording",
    "sentence_problems": ".wording",
    "DataDiff": ".diff",
    "data_diff": ".diff",
    "scheme_diff": ".diff",
    "TierHistory": ".history",
    "followup_flags": ".history",
    "followups_under_alternatives": ".history",
    "tier_history": ".history",
    "back_calculation_note": ".history",
    "result_flags": ".history",
    "pay_factors": ".history",
    "rank_confidence_sets": ".ranks",
    "top_set": ".ranks",
    "payout_matrix": ".rewards",
    "unit_rewards": ".rewards",
    "rule_targets": ".targets",
    "issue_targets": ".targets",
    "issued_changes": ".targets",
    "scope_values": ".ranks",
    "target_warnings": ".targets",
    "TierModel": ".tiers",
    "tier_codes": ".tiers",
    "tier_model": ".tiers",
    "composite_sensitivity": ".composite.sensitivity",
    "remove_elements": ".composite.sensitivity",
    "Scenario": ".scenarios",
    "load_scenarios": ".scenarios",
    "scenarios_from_mapping": ".scenarios",
    "compare_scenarios": ".studies.weightings",
    "remove_groups": ".studies.weightings",
    "weight_sensitivity": ".studies.weightings",
    "CadreRules": ".cadres",
    "cadre_table": ".cadres",
    "has_cadres": ".cadre_report",
    "cadre_group_summary": ".cadre_report",
}

__all__ = sorted(_LAZY)  # noqa: PLE0605 (the table is the list of public names)


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access and cache the name here."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(types.ModuleType):
    """Keeps a public function when its same-named submodule is imported later.

    Importing ``perfanalysis.scorecard`` sets the package attribute ``scorecard`` to the
    module; the public name is the function ``scorecard.scorecard``, so keep (or load) that.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if (isinstance(value, types.ModuleType) and name in _LAZY
                and value.__name__ == f"{__name__}.{name}"):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

