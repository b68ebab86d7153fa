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
# # 年度考核结果总览
#
# 本章按考核方案计算当年各单位的得分与等次,说明谁评为最高等次、谁离等次边界最近。

# %% tags=["parameters"]
data_dir: str = "../data/sample/yiyang"  # data folder (CSV files) or .xlsx workbook
scheme_path: str = "../data/schemes/yiyang_2018.yaml"  # scheme YAML file
year: int = 2019  # evaluation year
seed: int = 20181214  # random seed shared by all notebooks (not used by this chapter)
out_dir: str = "../out/lab"  # output folder: tables are saved to out_dir/tables
n_nearest: int = 3  # how many units nearest a tier boundary the summary names
cut_precision: float = 0.1  # points: tier cuts closer than this are reported as decided by a hair

# %%
import perfanalysis as pa
from perfanalysis.report import cadre_report, charts, summary
from perfanalysis.engine import rewards
from perfanalysis.report import notebook as nb

ctx = nb.notebook_setup(data_dir, scheme_path, year, out_dir, seed)
table = pa.scorecard(ctx.data, ctx.scheme, ctx.year, with_basis=True)
margins = summary.tier_margins(table, ctx.scheme)
parts = summary.score_breakdown(ctx.data, ctx.scheme, ctx.year, table)
detail = summary.score_detail(ctx.data, ctx.scheme, ctx.year)
cuts = summary.close_cuts(table, ctx.scheme, cut_precision)
quota_notes = pa.quota_warnings(table, ctx.scheme)
ctx.save_table("scores", table.drop(columns="tier_basis"))
ctx.save_table("tier_margins", margins)
ctx.save_table("score_breakdown", parts)
ctx.save_table("score_detail", detail)
ctx.save_table("close_cuts", cuts)
ctx.save_table("quota_warnings", quota_notes)
for sheet, people in summary.people_sheets(table, parts, detail, ctx.scheme).items():
    ctx.save_table(sheet, people)  # Chinese sheets first in scores.xlsx, for readers

# %% [markdown]
# ## 结果摘要

# %%
nb.show_text(summary.scorecard_sentences(table, margins, ctx.scheme, ctx.year, n_nearest))

# %% [markdown]
# ## 等次人数与计划比例
#
# 总分并列的单位同入较高等次,可能使该等次超出名额;单位较少的序列中,按比例计算的人数取整后可能为0名。

# %%
if len(quota_notes):  # the sentences are in the summary above
    nb.show_table(summary.display_quota_warnings(quota_notes), caption='与计划比例不符的等次人数')
else:
    nb.show_text(summary.quota_summary(quota_notes))

# %% [markdown]
# ## 各单位总分与等次

# %%
nb.show_text([summary.totals_chart_note(ctx.scheme)])
nb.show(charts.totals_chart(table, ctx.scheme, ctx.year))

# %% [markdown]
# ## 得分构成
#
# 各单位总分按一级指标(或考核组成部分)分解,加分向上、减分向下堆叠。

# %%
nb.show(charts.breakdown_chart(parts, table, ctx.scheme, ctx.year))

# %% [markdown]
# ## 成绩表

# %%
nb.show_long_table(summary.display_scores(table, ctx.scheme), caption=f'{ctx.year}年考核成绩', sort_by='总分', sheet='成绩表', key='单位')

# %% [markdown]
# ## 距等次边界的分差
#
# “可降分数”是保持现有等次最多还能少得的分数,“升档差距”是升入上一等次还需多得的分数。

# %%
nb.show_long_table(summary.display_margins(margins, ctx.scheme), caption='距等次边界的分差(分)', sort_by='距最近边界', ascending=True, key='单位')

# %% [markdown]
# ## 奖金与优岗
#
# 方案规定了奖金标准时,按各单位等次、在岗在编人数和班子成员倍数计算应发奖金,并给出“优岗”名额。

# %%
if ctx.scheme.rewards is not None:
    payouts = pa.unit_rewards(ctx.data, ctx.scheme, table)
    ctx.save_table('unit_rewards', payouts)
    nb.show_text([rewards.rewards_sentence(payouts)])
    nb.show_table(rewards.display_rewards(payouts, ctx.scheme), caption='各单位应发奖金与优岗名额')
else:
    nb.show_text(['本考核方案未规定奖金标准,不计算奖金。'])

# %%
# 干部考核结果: only when the data carry a cadre layer (persons.csv rows for the year)
if cadre_report.has_cadres(ctx.data, ctx.year):
    cadres = pa.cadre_table(ctx.data, ctx.scheme, ctx.year)
    ctx.save_table('cadres', cadres)
    cadre_rows = cadre_report.display_cadres(cadres, ctx.scheme)
    ctx.save_table(cadre_report.CADRE_SHEET, cadre_rows)
    nb.show_text(['## 干部考核结果', *cadre_report.cadre_sentences(cadres, ctx.scheme, ctx.year)])
    nb.show_table(cadre_report.cadre_group_summary(cadres, ctx.scheme), caption='各序列、各层次干部等次人数')
    nb.show_long_table(cadre_rows, caption=f'{ctx.year}年领导干部考核结果', sort_by='个人得分', sheet=cadre_report.CADRE_SHEET, keep=list(cadres.loc[cadres['review'] != '', 'name']), key='姓名', label='个人得分')

# %% [markdown]
# ## 由微小分差决定的等次
#
# 同一序列中排名相邻、等次不同的两个单位,总分之差小于判别精度时,等次实际由极小的分差决定。

# %%
nb.show_text(summary.close_cut_sentences(cuts, ctx.scheme, cut_precision))
if len(cuts):
    nb.show_table(summary.display_cuts(cuts, ctx.scheme), caption=f'分差小于{cut_precision:g}分的等次分界')

# %% [markdown]
# ## 缺数处理

# %%
nb.show_text(summary.missing_sentences(detail, ctx.scheme))

# %% [markdown]
# ## 指标得分明细
#
# 每个单位每项指标的本年值、计分值(总量、增量或增速)、目标值、得分率,以及得分与满分。

# %%
nb.show_text(summary.detail_note(len(detail)))
if len(detail) <= summary.DETAIL_ROWS_SHOWN:
    nb.show_table(summary.display_detail(detail, ctx.scheme), caption=f'{ctx.year}年指标得分明细')
