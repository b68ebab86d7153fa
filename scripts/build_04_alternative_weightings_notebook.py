"""Write notebooks/04_alternative_weightings.ipynb (no outputs) so the notebook is reproducible.

Run: .venv/bin/python scripts/build_04_alternative_weightings_notebook.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

from perfanalysis.nbbuild import build_notebook, write_notebook

ROOT = Path(__file__).resolve().parents[1]

PARAMETERS = '''\
data_dir: str = "../data/sample/yiyang"  # data folder (CSV files) or .xlsx workbook
scheme_path: str = "../data/schemes/yiyang_2018.yaml"  # scheme YAML file
year: int = 2019  # evaluation year
seed: int = 20181214  # random seed shared by all notebooks (Sobol sampling)
out_dir: str = "../out/lab"  # output folder: tables are saved to out_dir/tables
scenarios: str = "../data/scenarios/yiyang_reform.yaml"  # scenario file (YAML) to compare
sobol_samples: int = 1024  # Sobol base samples N (a power of 2); N·(factors+2) scored
weight_range: float = 0.25  # first-level weights vary by ± this share in the Sobol analysis'''

SETUP = '''\
from perfanalysis import notebook as nb
from perfanalysis.figures import weightings as wfig
from perfanalysis.findings import weightings as wfind
from perfanalysis.scenarios import resolve_path, scenarios_for
from perfanalysis.studies import weightings as wt

ctx = nb.notebook_setup(data_dir, scheme_path, year, out_dir, seed)
scenario_list, scenario_note = scenarios_for(resolve_path(scenarios), ctx.scheme,
                                             resolve_path(scheme_path))
comparison = wt.compare_scenarios(ctx.data, ctx.scheme, scenario_list, ctx.year)
for name, table in comparison.tables().items():
    ctx.save_table(name, table)
sens = wt.weight_sensitivity(ctx.data, ctx.scheme, ctx.year, n=sobol_samples,
                             weight_range=weight_range, seed=ctx.seed)
ctx.save_table("sobol", sens.sobol)
removal = wt.remove_groups(ctx.data, ctx.scheme, ctx.year)
ctx.save_table("group_removal", removal);'''

CELLS = [
    new_markdown_cell("# 备选权重方案比较\n\n"
                      "研究者和提案人常提出不同的权重或计分办法(提高增速权重、按人均计分、"
                      "分类考核、强制分布等)。本章把每种方案写成一个情景,用同一年的数据重新"
                      "计分,说明各方案会改变谁的名次和等次,并用全局敏感性分析找出排名最"
                      "依赖哪些权重和方法选择。"),
    new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
    new_code_cell(SETUP),
    new_markdown_cell("## 比较的情景"),
    new_code_cell("nb.show_text([scenario_note] if scenario_note else [])\n"
                  "if scenario_list:\n"
                  "    nb.show_table(wfind.overview_display(wt.scenario_overview(scenario_list)), "
                  "caption='情景及其调整内容')"),
    new_markdown_cell("## 主要发现"),
    new_code_cell("nb.show_text(wfind.scenario_sentences(comparison.summary, "
                  "comparison.dependence, comparison.kendall, wt.BASE_NAME, ctx.year))"),
    new_code_cell("if scenario_list:\n"
                  "    nb.show_table(wfind.summary_display(comparison.summary), "
                  "caption=f'{ctx.year}年各情景与基准方案的差异')"),
    new_markdown_cell("## 各情景下的名次\n\n每条线是一个单位,线条交叉表示名次互换。"),
    new_code_cell("if scenario_list:\n"
                  "    nb.show(wfig.rank_bump_chart(comparison.totals, ctx.year))\n"
                  "else:\n"
                  "    nb.show_text(['没有可比较的情景,本节从略。'])"),
    new_markdown_cell("## 等次变化\n\n每行一个单位,颜色表示各情景下的等次;"
                      "同一行颜色不一的单位,其等次取决于采用哪种方案。"),
    new_code_cell("if scenario_list:\n"
                  "    nb.show(wfig.tier_matrix_chart(comparison.totals, "
                  "list(ctx.scheme.tiers.labels), ctx.year))\n"
                  "else:\n"
                  "    nb.show_text(['没有可比较的情景,本节从略。'])"),
    new_markdown_cell("## 排序一致性\n\nKendall τ 衡量两种方案下总分排序的一致程度,"
                      "1 表示顺序完全相同。"),
    new_code_cell("if scenario_list:\n"
                  "    nb.show(wfig.kendall_heatmap(comparison.kendall))\n"
                  "else:\n"
                  "    nb.show_text(['没有可比较的情景,本节从略。'])"),
    new_markdown_cell("## 全局敏感性分析\n\n同时随机改变各一级指标的权重(在原分值上下"
                      "浮动)、增量与增速的权重 α 以及相对计分方法(功效系数法或极差标准化),"
                      "用 Sobol 方法把名次的变化分解到各个因素:一阶指数 S1 是某因素单独"
                      "造成的份额,总效应指数 ST 还包括它与其他因素的交互作用;误差线为自助法"
                      "95% 置信区间。"),
    new_code_cell("nb.show_text(wfind.sobol_sentences(sens.sobol, wt.SHIFT_TARGET, "
                  "len(sens.samples)))\n"
                  "nb.show(wfig.sobol_chart(sens.sobol, wt.SHIFT_TARGET))"),
    new_code_cell("nb.show(wfig.sobol_unit_heatmap(sens.sobol, wt.SHIFT_TARGET))"),
    new_markdown_cell("## 去掉一个一级指标\n\n依次去掉一个一级指标(其余按原比例补足分值),"
                      "看名次变化多少:变化越大,排名越依赖这一指标。"),
    new_code_cell("nb.show_text(wfind.removal_sentences(removal))\n"
                  "if len(removal):\n"
                  "    nb.show(wfig.removal_chart(removal))"),
]


def build() -> nbformat.NotebookNode:
    """The alternative-weightings notebook, python3 kernelspec, no outputs."""
    return build_notebook(CELLS, "weightings")


if __name__ == "__main__":
    path = ROOT / "notebooks" / "04_alternative_weightings.ipynb"
    write_notebook(build(), path)
