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
from typing import Any

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "adjustment_table": ".engine.adjustments",
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
    "Dataset": ".engine.data",
    "check_data": ".engine.data",
    "load_data": ".engine.data",
    "ErrorModel": ".engine.errormodel",
    "ErrorSpec": ".engine.errormodel",
    "default_error_model": ".engine.errormodel",
    "error_model_table": ".engine.errormodel",
    "load_error_model": ".engine.errormodel",
    "resolve_error_model": ".engine.errormodel",
    "DataError": ".errors",
    "PerfAnalysisError": ".errors",
    "PipelineError": ".errors",
    "Problem": ".errors",
    "SchemeError": ".errors",
    "write_table": ".report.export",
    "write_tables": ".report.export",
    "notebook_setup": ".report.notebook",
    "read_office_workbook": ".engine.office",
    "show": ".report.notebook",
    "show_table": ".report.notebook",
    "show_long_table": ".report.notebook",
    "long_table_excerpt": ".report.notebook",
    "show_unit_rows": ".report.notebook",
    "unit_rows_excerpt": ".report.notebook",
    "size_label_zh": ".report.charts",
    "MISSING_MARKERS": ".engine.parsing",
    "UnitResolver": ".engine.parsing",
    "parse_number": ".engine.parsing",
    "RunConfig": ".report.pipeline",
    "RunResult": ".report.pipeline",
    "run_report": ".report.pipeline",
    "read_tables": ".engine.readers",
    "Scheme": ".engine.scheme",
    "load_scheme": ".engine.scheme",
    "scheme_from_mapping": ".engine.scheme",
    "with_overrides": ".engine.scheme",
    "close_cuts": ".report.summary",
    "score_detail": ".report.summary",
    "latest_year": ".engine.scorecard",
    "scorecard": ".engine.scorecard",
    "component_scores": ".engine.scoring",
    "leaf_fractions": ".engine.scoring",
    "leaf_scores": ".engine.scoring",
    "prepare": ".engine.scoring",
    "score": ".engine.scoring",
    "assign_tiers": ".engine.tiers",
    "quota_for": ".engine.tiers",
    "quota_warnings": ".engine.tiers",
    "size_dependence": ".studies.size",
    "make_explorer": ".explorer",
    "Brief": ".report.brief",
    "assemble_brief": ".report.brief",
    "read_study_tables": ".report.brief",
    "Proposal": ".report.reply",
    "Reply": ".report.reply",
    "build_reply": ".report.reply",
    "find_proposal": ".report.reply",
    "load_proposal": ".report.reply",
    "docx_pages": ".report.publication",
    "indicator_detail": ".report.publication",
    "reply_docx": ".report.publication",
    "results_table": ".report.publication",
    "scheme_basis": ".report.publication",
    "tier_roster": ".report.publication",
    "roster_counts": ".report.publication",
    "check_sentences": ".report.wording",
    "sentence_problems": ".report.wording",
    "DataDiff": ".report.diff",
    "data_diff": ".report.diff",
    "scheme_diff": ".report.diff",
    "target_revisions": ".report.diff",
    "TierHistory": ".engine.history",
    "followup_flags": ".engine.history",
    "followups_under_alternatives": ".engine.history",
    "tier_history": ".engine.history",
    "back_calculation_note": ".engine.history",
    "result_flags": ".engine.history",
    "pay_factors": ".engine.history",
    "rank_confidence_sets": ".engine.ranks",
    "top_set": ".engine.ranks",
    "payout_matrix": ".engine.rewards",
    "unit_rewards": ".engine.rewards",
    "rule_targets": ".engine.targets",
    "issue_targets": ".engine.targets",
    "issued_changes": ".engine.targets",
    "scope_values": ".engine.ranks",
    "target_warnings": ".engine.targets",
    "TierModel": ".engine.tiers",
    "tier_codes": ".engine.tiers",
    "tier_model": ".engine.tiers",
    "composite_sensitivity": ".composite.sensitivity",
    "remove_elements": ".composite.sensitivity",
    "Scenario": ".engine.scenarios",
    "load_scenarios": ".engine.scenarios",
    "scenarios_from_mapping": ".engine.scenarios",
    "compare_scenarios": ".studies.weightings",
    "remove_groups": ".studies.weightings",
    "weight_sensitivity": ".studies.weightings",
    "CadreRules": ".engine.cadres",
    "cadre_table": ".engine.cadres",
    "has_cadres": ".report.cadre_report",
    "cadre_group_summary": ".report.cadre_report",
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


