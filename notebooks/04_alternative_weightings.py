# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 备选权重方案比较
#
# 研究者和提案人常提出不同的权重或计分办法(提高增速权重、按人均计分、分类考核、强制分布等)。本章把每种方案写成一个情景,用同一年的数据重新计分,说明各方案会改变谁的名次和等次,并用全局敏感性分析找出排名最依赖哪些权重和方法选择。

# %% tags=["parameters"]
data_dir: str = "../data/sample/yiyang"  # data folder (CSV files) or .xlsx workbook
scheme_path: str = "../data/schemes/yiyang_2018.yaml"  # scheme YAML file
year: int = 2019  # evaluation year
seed: int = 20181214  # random seed shared by all notebooks (Sobol sampling)
out_dir: str = "../out/lab"  # output folder: tables are saved to out_dir/tables
scenarios: str = "../data/scenarios/yiyang_reform.yaml"  # scenario file (YAML) to compare
sobol_samples: int = 1024  # Sobol base samples N (a power of 2); N·(factors+2) scored
weight_range: float = 0.25  # first-level weights vary by ± this share in the Sobol analysis

# %%
from perfanalysis.report import notebook as nb
from perfanalysis.report.figures import weightings as wfig
from perfanalysis.report.findings import weightings as wfind
from perfanalysis.engine.scenarios import resolve_path, scenarios_for
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
ctx.save_table("group_removal", removal);

# %% [markdown]
# ## 比较的情景

# %%
nb.show_text([scenario_note] if scenario_note else [])
if scenario_list:
    nb.show_table(wfind.overview_display(wt.scenario_overview(scenario_list)), caption='情景及其调整内容')

# %% [markdown]
# ## 主要发现

# %%
nb.show_text(wfind.scenario_sentences(comparison.summary, comparison.dependence, comparison.kendall, wt.BASE_NAME, ctx.year))

# %%
if scenario_list:
    nb.show_table(wfind.summary_display(comparison.summary), caption=f'{ctx.year}年各情景与基准方案的差异')

# %% [markdown]
# ## 各情景下的名次
#
# 每条线是一个单位,线条交叉表示名次互换。

# %%
if scenario_list:
    nb.show(wfig.rank_bump_chart(comparison.totals, ctx.year))
else:
    nb.show_text(['没有可比较的情景,本节从略。'])

# %% [markdown]
# ## 等次变化
#
# 每行一个单位,颜色表示各情景下的等次;同一行颜色不一的单位,其等次取决于采用哪种方案。

# %%
if scenario_list:
    nb.show(wfig.tier_matrix_chart(comparison.totals, list(ctx.scheme.tiers.labels), ctx.year))
else:
    nb.show_text(['没有可比较的情景,本节从略。'])

# %% [markdown]
# ## 排序一致性
#
# Kendall τ 衡量两种方案下总分排序的一致程度,1表示顺序完全相同。

# %%
if scenario_list:
    nb.show(wfig.kendall_heatmap(comparison.kendall))
else:
    nb.show_text(['没有可比较的情景,本节从略。'])

# %% [markdown]
# ## 全局敏感性分析
#
# 同时随机改变各一级指标的权重(在原分值上下浮动)、增量与增速的权重 α 以及相对计分方法(功效系数法或极差标准化),用 Sobol 方法把名次的变化分解到各个因素:一阶指数 S1 是某因素单独造成的份额,总效应指数 ST 还包括它与其他因素的交互作用;误差线为自助法95%置信区间。

# %%
nb.show_text(wfind.sobol_sentences(sens.sobol, wt.SHIFT_TARGET, len(sens.samples)))
nb.show(wfig.sobol_chart(sens.sobol, wt.SHIFT_TARGET))

# %%
nb.show(wfig.sobol_unit_heatmap(sens.sobol, wt.SHIFT_TARGET))

# %% [markdown]
# ## 去掉一个一级指标
#
# 依次去掉一个一级指标(其余按原比例补足分值),看名次变化多少:变化越大,排名越依赖这一指标。

# %%
nb.show_text(wfind.removal_sentences(removal))
if len(removal):
    nb.show(wfig.removal_chart(removal))
