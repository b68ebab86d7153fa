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
# # 等次边界与不确定性
#
# 统计数据有误差,权重是人为选择。本章在数据误差(和权重变动)下反复重新计分、评定等次,回答:每个单位的等次有多大把握,谁稳居其位,谁的等次结果不确定性较大,名次能否区分,分数线和名额的设定又改变了多少结果。

# %% tags=["parameters"]
data_dir: str = "../data/sample/yiyang"  # data folder (CSV files) or .xlsx workbook
scheme_path: str = "../data/schemes/yiyang_2018.yaml"  # scheme YAML file
year: int = 2019  # evaluation year
seed: int = 20181214  # random seed shared by all notebooks
out_dir: str = "../out/lab"  # output folder: tables are saved to out_dir/tables
noise: float = 0.05  # scale of the default error model (0.05: volumes 5 % relative, rates 1 percentage point, scores 1 point, ratings 2 % of their points; 0 for no error)
error_model: str = ""  # error-model table (CSV or YAML) overriding the defaults by indicator class (empty for the defaults)
weight_concentration: float = 0.0  # Dirichlet concentration of leaf points around the scheme's (0 for fixed weights)
draws: int = 0  # Monte Carlo draws (0 for adaptive: stop when every tier probability's s.e. is below se_target)
se_target: float = 0.005  # target Monte Carlo standard error of the tier probabilities
max_draws: int = 50000  # cap on adaptive draws
chunk: int = 1000  # draws per chunk (memory bound; results depend on seed and chunk)
alpha: float = 0.05  # 1 − coverage of the rank confidence sets
rank_draws: int = 1000  # bootstrap draws of the rank confidence sets

# %%
import perfanalysis as pa
from perfanalysis.report import notebook as nb
from perfanalysis.report.figures import boundaries as figures
from perfanalysis.report.findings import boundaries as findings
from perfanalysis.studies import boundaries as study

ctx = nb.notebook_setup(data_dir, scheme_path, year, out_dir, seed)
model = study.prepare_model(ctx.data, ctx.scheme, ctx.year, noise=noise,
                            weights=weight_concentration or None,
                            error_model=error_model or None)
errors = study.error_table(model)
tally = study.run(model, draws=draws or None, seed=seed, chunk=chunk, se_target=se_target,
                  max_draws=max_draws)
probs = study.summarise(model, tally)
summary = study.uncertainty_summary(model, tally)
sets = study.rank_sets(model, tally, alpha=alpha, draws=rank_draws, seed=seed)
sensitivity = study.threshold_sensitivity(model)
cost = study.reward_cost(model, tally)
ctx.save_table("error_model", errors)
ctx.save_table("tier_probabilities", probs)
ctx.save_table("tier_uncertainty_summary", summary)
ctx.save_table("rank_confidence_sets", sets)
ctx.save_table("threshold_sensitivity", sensitivity)
ctx.save_table("reward_cost", cost);

# %% [markdown]
# ## 主要发现

# %%
nb.show_text(findings.boundary_findings(probs, summary, sets, sensitivity, cost, ctx.scheme, noise, weight_concentration, errors))

# %% [markdown]
# ## 误差模型
#
# 每项指标和评议得分的误差:总量类为相对误差(以原值为均值的对数正态),比率、增速和得分为以原值为中心的绝对误差(在有效范围内对称折返,均值不变),计数和事件按精确值处理;同一单位相邻年份的误差按所列相关系数相关。第二章的排名波动使用同一误差模型。

# %%
nb.show_table(figures.error_model_display(errors), caption='本章使用的误差模型')

# %% [markdown]
# ## 总分与等次区间
#
# 圆点为正式总分(颜色为正式等次),竖线为模拟中90%的总分范围,底色为各等次的分数区间。

# %%
nb.show(figures.margin_chart(probs, ctx.scheme, ctx.year))

# %% [markdown]
# ## 评为各等次的概率

# %%
nb.show(figures.probability_chart(probs, ctx.scheme, ctx.year))

# %% [markdown]
# ## 名次的置信区间
#
# 按 Mogstad、Romano、Shaikh 和 Wilhelm(Inference for Ranks)的方法,以模拟得到的总分协方差为误差,给出每个单位序列内名次的95%置信区间;虚线为评优名额。

# %%
quotas = dict(zip(sets['sequence'].astype(str), sets['quota']))
nb.show(figures.rank_interval_chart(sets, ctx.scheme, quotas, ctx.year))

# %% [markdown]
# ## 分数线与名额的敏感性

# %%
nb.show(figures.sensitivity_chart(sensitivity, ctx.year))

# %% [markdown]
# ## 奖金成本

# %%
if len(cost):
    official = float(cost.set_index('statistic').loc['official', 'value'])
    nb.show(figures.payout_chart(study.payout_samples(tally), official, ctx.year))
else:
    nb.show_text(['本考核方案未规定奖金标准(rewards),不计算奖金成本。'])

# %% [markdown]
# ## 各单位的等次概率

# %%
nb.show_long_table(figures.probability_table(probs, ctx.scheme), caption='各单位评为各等次的概率与名次范围', sort_by='总分', key='单位')
