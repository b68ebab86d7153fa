"""The study tables the brief reads: names, columns and where the report shows them.

The four studies save tables with fixed names and columns (``CONTRACT``) into
``OUT/tables``. A study whose tables are absent is reported as missing
(``StudyTables.status``), never an error; a table that is present but lacks contract columns
is an error naming the file and the columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import PipelineError

#: study id → (Chinese name, notebook that saves its tables)
STUDIES: dict[str, tuple[str, str]] = {
    "scorecard": ("年度考核结果总览", "00_scorecard"),
    "targets": ("差异化目标", "01_differentiated_targets"),
    "fairness": ("增量与增速的公平性", "02_growth_vs_level"),
    "boundaries": ("等次边界与不确定性", "03_tier_boundaries"),
    "weightings": ("替代权重方案", "04_alternative_weightings"),
}
ALT_COLUMNS = ["study", "alternative", "kind", "unit_id", "name", "sequence", "total", "rank",
               "tier"]
#: table name → (study, columns the brief relies on; extra columns are fine)
CONTRACT: dict[str, tuple[str, list[str]]] = {
    "scores": ("scorecard", ["unit_id", "name", "sequence", "total", "rank", "tier"]),
    "tier_margins": ("scorecard", ["unit_id", "name", "margin_down", "boundary_down", "gap_up",
                                   "boundary_up"]),
    "quota_warnings": ("scorecard", ["sequence", "sequence_name", "n_units", "tier", "kind",
                                     "planned", "quota", "actual", "over", "message"]),
    "targets_backtest": ("targets", ["indicator", "unit_id", "name", "year", "rule", "target",
                                     "actual", "attainment", "met"]),
    "targets_summary": ("targets", ["indicator", "rule", "share_met", "mape", "equity_rho",
                                    "equity_rho_lo", "equity_rho_hi", "small_met",
                                    "large_met"]),
    "targets_rule_means": ("targets", ["rule", "n", "indicators", "share_met",
                                       "share_met_lo", "share_met_hi", "small_met",
                                       "small_met_lo", "small_met_hi", "large_met",
                                       "large_met_lo", "large_met_hi", "level"]),
    "targets_warnings": ("targets", ["unit_id", "name", "indicator", "year", "target",
                                     "last_actual"]),
    "alternatives_targets": ("targets", ALT_COLUMNS),
    "fairness_variants": ("fairness", ["unit_id", "name", "variant", "alpha", "score", "rank"]),
    "fairness_size_dependence": ("fairness", ["variant", "alpha", "rho", "rho_lo", "rho_hi",
                                              "slope", "slope_se"]),
    "fairness_volatility": ("fairness", ["unit_id", "name", "size", "variant", "alpha",
                                         "rank_sd"]),
    "fairness_frontier": ("fairness", ["alpha", "size_rho", "volatility", "within"]),
    "fairness_top_chance": ("fairness", ["unit_id", "name", "variant", "alpha", "p_top"]),
    "fairness_persistence": ("fairness", ["variant", "alpha", "year_from", "year_to",
                                          "kendall_tau"]),
    "alternatives_fairness": ("fairness", ALT_COLUMNS),
    "tier_probabilities": ("boundaries", ["unit_id", "name", "sequence", "total",
                                          "official_tier", "p_official", "rank_p05",
                                          "rank_p50", "rank_p95"]),
    "tier_uncertainty_summary": ("boundaries", ["draws", "expected_changes", "p_top_set_exact",
                                                "max_se"]),
    "rank_confidence_sets": ("boundaries", ["unit_id", "name", "sequence", "estimate", "rank",
                                            "lower", "upper"]),
    "threshold_sensitivity": ("boundaries", ["rule", "shift", "n_changed"]),
    "reward_cost": ("boundaries", ["statistic", "value"]),
    "scenario_totals": ("weightings", ["scenario", "unit_id", "name", "sequence", "total",
                                       "rank", "tier"]),
    "scenario_shifts": ("weightings", ["scenario", "unit_id", "name", "rank_base", "rank",
                                       "shift", "tier_base", "tier", "tier_changed"]),
    "scenario_kendall": ("weightings", ["scenario_a", "scenario_b", "tau"]),
    "scenario_summary": ("weightings", ["scenario", "n_tier_changes", "mean_abs_shift",
                                        "top_set_changed"]),
    "sobol": ("weightings", ["target", "parameter", "S1", "S1_conf", "ST", "ST_conf"]),
    "alternatives_weightings": ("weightings", ALT_COLUMNS),
}
#: where a table is shown in the report, for the brief's citations
SHOWN_IN: dict[str, str] = {
    "scores": "“年度考核结果总览”一章的成绩表和总分图",
    "tier_margins": "“年度考核结果总览”一章的“距等次边界的分差”表",
    "quota_warnings": "“年度考核结果总览”一章的“等次人数与计划比例”一节",
    "tier_history": "本章附件五“逐年等次”图和表",
    "tier_followups": "本章附件五“连续低等次的后续处理”表",
    "tier_probabilities": "“等次边界与不确定性”一章的等次概率表",
    "fairness_top_chance": "“增量与增速的公平性”一章的进入最高等次概率表",
    "targets_backtest": "“差异化目标”一章的目标回测表",
    "brief_tradeoffs": "本章附件二“各研究替代方案的利弊”表和图",
    "reward_cost": "“等次边界与不确定性”一章的奖励成本表",
    "followups_alternatives": "导出的结果表(本章表格只列仅在替代方案下触发的单位)",
    "data_revisions": "本章附件六“与上年相比”的数据修订表",
    "unit_changes": "本章附件六“与上年相比”的单位变化表",
    "scheme_changes": "本章附件六“与上年相比”的方案变化表",
    "brief_alternatives": "本章附件一“经济指标计分方式排序”表和图",
}

@dataclass
class StudyTables:
    """The contract tables found in ``OUT/tables`` (by name) and those not found."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    def status(self) -> pd.DataFrame:
        """One row per study: its chapter, tables found and tables missing, a status."""
        rows = []
        for study, (zh, chapter) in STUDIES.items():
            names = [t for t, (s, _) in CONTRACT.items() if s == study]
            found = [t for t in names if t in self.tables]
            lost = [t for t in names if t not in self.tables]
            state = "完成" if not lost else ("缺失" if not found else "部分缺失")
            rows.append({"study": study, "study_name": zh, "chapter": chapter,
                         "found": ", ".join(found), "missing": ", ".join(lost),
                         "status": state})
        return pd.DataFrame(rows)


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig",
                       dtype={"unit_id": str, "name": str, "sequence": str})


def read_study_tables(tables_dir: Path | str) -> StudyTables:
    """Read every contract table present in ``tables_dir``; absent ones are listed as
    missing. A present table lacking a contract column raises ``PipelineError``."""
    tables_dir = Path(tables_dir)
    out = StudyTables()
    for name, (study, cols) in CONTRACT.items():
        path = tables_dir / f"{name}.csv"
        if not path.is_file():
            out.missing.append(name)
            continue
        df = _read_csv(path)
        lacking = [c for c in cols if c not in df.columns]
        if lacking:
            raise PipelineError(
                f"{path}: table '{name}' of study '{study}' lacks column(s) {lacking}; the "
                f"brief needs {cols} / 研究表缺少简报所需的列")
        out.tables[name] = df
    return out


def alternatives(tables: StudyTables) -> pd.DataFrame:
    """All ``alternatives_<study>`` tables stacked (``ALT_COLUMNS`` plus any extras)."""
    found = [tables.tables[n] for n in ("alternatives_targets", "alternatives_fairness",
                                        "alternatives_weightings") if n in tables.tables]
    if not found:
        return pd.DataFrame(columns=ALT_COLUMNS)
    return pd.concat(found, ignore_index=True)
