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
# # 差异化目标:哪种目标规则准确、公平
#
# 本章用历年数据回测各种目标规则:按每条规则为过去每一年设定目标,与实际完成情况比较,看哪条规则最准确、哪条对小单位最公平,以及换用各规则对当年得分和等次的影响。

# %% tags=["parameters"]
data_dir: str = "../data/sample/yiyang"  # data folder (CSV files) or .xlsx workbook
scheme_path: str = "../data/schemes/yiyang_2018.yaml"  # scheme YAML file
year: int = 2019  # evaluation year (back-tests use every earlier year with enough history)
seed: int = 20181214  # random seed shared by all notebooks (bootstrap of the equity interval)
out_dir: str = "../out/lab"  # output folder: tables are saved to out_dir/tables
indicator: str = ""  # completion indicator id(s), comma-separated; empty: all with per-unit targets
rules: str = ""  # rules compared, comma-separated (e.g. scheme,mean_growth,peer); empty: all
k: int = 3  # years of history of the mean, growth, CAGR and trend rules
size: str = "auto"  # unit size: a units.csv column, or indicator:<id> (first-year value)
focus_unit: str = ""  # unit_id the findings follow; empty: the smallest unit by size
panel_path: str = ""  # own panel (folder or .xlsx) to back-test; empty: data_dir
n_boot: int = 1000  # bootstrap draws for the 90 % intervals (share met, error, equity)

# %%
import perfanalysis as pa
from perfanalysis.report import notebook as nb
from perfanalysis.report.figures import targets as figs
from perfanalysis.report.findings import targets as say
from perfanalysis.engine import targets as targets_engine
from perfanalysis.studies import targets as study

ctx = nb.notebook_setup(data_dir, scheme_path, year, out_dir, seed)
panel = pa.load_data(panel_path) if panel_path else ctx.data
res = study.run_study(panel, ctx.scheme, ctx.year, indicator=indicator, rules=rules, k=k,
                      size=size, focus_unit=focus_unit, seed=ctx.seed, n_boot=n_boot,
                      score_data=ctx.data)
ctx.save_table("targets_backtest", res.backtest)
ctx.save_table("targets_summary", res.summary)
ctx.save_table("targets_rule_means", res.rule_means)
ctx.save_table("targets_warnings", res.warnings)
ctx.save_table("alternatives_targets", res.alternatives)
ctx.save_table("targets_shifts", res.shifts)
ctx.save_table("targets_not_applicable", res.not_applicable)
ctx.save_table("targets_cap", res.cap);

# %% [markdown]
# ## 结果摘要

# %%
nb.show_text(say.k_note(res.k, res.k_used, min(panel.years), ctx.year)
             + say.accuracy_sentences(res.summary, res.labels, res.indicator_names)
             + say.equity_sentences(res.summary, res.labels, res.indicator_names,
                                    res.size_label)
             + say.not_applicable_sentences(res.not_applicable, res.labels,
                                            res.indicator_names)
             + say.cap_sentences(res.cap, ctx.year)
             + say.focus_sentences(res.backtest, res.focus_unit, res.focus_name,
                                   res.labels)
             + say.effect_sentences(res.shifts, res.labels, ctx.year)
             + ([res.effects_note] if res.effects_note else [])
             + say.warning_summary(res.warnings, ctx.year)[:1])

# %% [markdown]
# ## 比较的目标规则
#
# 设 x 为单位某指标的实际值,目标年为 t。每条规则都给出单位在 t 年应达到的**水平值**:按增量考核的指标,目标增量 = 水平目标 − x(t−1);按增速考核的指标,目标增速 = 水平目标 ÷ x(t−1) − 1。
#
# - **方案现行规则**:考核方案为该指标规定的目标规则(增量+增速的指标两部分各按自己的规则);
# - **近 k 年平均水平**:x(t−k)…x(t−1) 的平均值,只适用于按总量考核的指标;
# - **近 k 年平均增量**:x(t−1) + 近 k 年增量的平均值;
# - **近 k 年平均增速**:x(t−1) ×(1 + 近 k 年增速的平均值);
# - **近 k 年年均复合增速**:x(t−1) ×(x(t−1) ÷ x(t−1−k))^(1/k);
# - **近 k 年线性趋势**:过 x(t−k)…x(t−1) 的最小二乘直线外推一年;
# - **同序列上年增速中位数**:x(t−1) ×(1 + 本序列各单位上年增速的中位数);
# - **上年增速**:x(t−1) ×(1 + 单位自己上年的增速);
# - **下达目标**:数据中为各单位下达的目标值(没有时不参与比较)。
#
# 不适用于某一考核口径的规则只列出名称和原因,不计算。负向指标(越低越好,如 PM2.5)的达成度为目标 ÷ 实际。回测只用各规则都能算出目标的单位-年度,使规则之间可比;“准确”指水平目标与实际值的平均绝对百分比误差小(同时给出与“维持上年水平”相比的误差比和增速误差的百分点),“公平”指同一序列内达成度与单位规模的秩相关接近0(秩相关为正:大单位更容易完成)。完成比例和误差的90%区间按单位重抽样得到。

# %% [markdown]
# ## 目标值与实际值
#
# 每行一个单位:菱形为实际值(记为100),圆点为各规则给出的水平目标占实际值的百分比,灰线连接最低与最高者。

# %%
for ind, name in res.indicator_names.items():
    nb.show(figs.dumbbell_chart(res.backtest.loc[res.backtest['indicator'] == ind],
                                ctx.year, name, res.labels,
                                keep=(res.focus_name,)))

# %% [markdown]
# ## 目标达成度(逐年回测)
#
# 蓝色为完成目标(达成度 ≥ 1),红色为未完成,灰色为没有目标;单位按规模从小到大自上而下排列。

# %%
order = study.units_by_size(res.backtest, res.size)
for ind, name in res.indicator_names.items():
    nb.show(figs.attainment_heatmap(res.backtest.loc[res.backtest['indicator'] == ind],
                                    name, res.labels, order,
                                    reverse=ind in res.reverse,
                                    keep=(res.focus_name,)))

# %% [markdown]
# ## 公平性:达成度与单位规模

# %%
for ind, name in res.indicator_names.items():
    nb.show(figs.equity_scatter(res.backtest.loc[res.backtest['indicator'] == ind],
                                res.size, res.size_label, res.labels, name))
nb.show_table(say.display_summary(res.summary, res.labels, res.indicator_names),
              caption='各目标规则回测结果')

# %% [markdown]
# ## 完成率封顶
#
# 完成率达到上限的单位在该项上无法再拉开差距;完成率超过100%时,得分可高于该项满分。

# %%
nb.show_text(say.cap_sentences(res.cap, ctx.year) or ['本方案的完成率指标没有高于100%的上限。'])
if not res.cap.empty:
    nb.show_table(say.display_cap(res.cap), caption='完成率达到上限的情况')

# %% [markdown]
# ## 对得分与等次的影响
#
# 把方案中各完成率指标的目标换成每条规则,重新计算当年得分、名次与等次。

# %%
if res.effects_note:
    nb.show_text([res.effects_note])
if not res.shifts.empty:
    nb.show_text(say.effect_sentences(res.shifts, res.labels, ctx.year)
                 + say.changes_note(res.shifts))
    nb.show(figs.rank_change_chart(res.shifts, ctx.scheme, ctx.year, res.labels))
    nb.show_table(say.display_changes(res.shifts, res.labels, keep=(res.focus_unit,)),
                  caption='名次或等次变化的单位')

# %% [markdown]
# ## 年初下达的目标分解表
#
# 各单位当年的差异化目标(区县(市)差异化绩效目标),按方案现行规则、只用年初已知的数据计算;增速以百分比列出。

# %%
issued = pa.issue_targets(ctx.data, ctx.scheme, ctx.year)
ctx.save_table('issued_targets', issued)
nb.show_text(targets_engine.issued_sentences(issued, ctx.year))
if not issued.empty:
    nb.show_long_table(targets_engine.issued_wide(issued), caption=f'{ctx.year}年差异化目标分解表', sort_by='单位', ascending=True, key='单位', keep=[res.focus_name], label='单位')

# %% [markdown]
# ## 目标低于上年实际值的提示

# %%
nb.show_text(say.warning_summary(res.warnings, ctx.year))
if not res.warnings.empty:
    nb.show_table(say.display_warnings(res.warnings).head(say.SHOWN_ROWS), caption='按方案现行规则,目标比上年实际值还容易完成的情形')
