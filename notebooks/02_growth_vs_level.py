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
# # 总量与增速:计分方式对不同规模单位是否公平
#
# 第1214号提案指出,按经济总量横向比较,规模大的单位总是排在前面;按增速计分给了小单位机会,但小基数上的增速波动大。本章在同一份数据上比较总量、增速、增量、人均量、总量与增速按权重α混合、条件增长百分位和增值残差等计分方式:各自在多大程度上有利于大单位,名次受测量误差影响多大,以及哪一个α能兼顾公平与稳定;并把现行方案自身的计分(各混合计分的经济指标、所在指标组和总分)放在旁边,看现行方案实际怎样。
#
# 规模关系在比较组(序列)内计算:各组内得分与规模的秩相关按组内单位数加权平均,区间为组内重抽样的自助区间;有多个比较组时同时给出全部单位合计的秩相关。名次斜率是在所在比较组内规模每扩大一倍名次的变化。

# %% tags=["parameters"]
data_dir: str = "../data/sample/yiyang"  # data folder (CSV files) or .xlsx workbook
scheme_path: str = "../data/schemes/yiyang_2018.yaml"  # scheme YAML file
year: int = 2019  # evaluation year
seed: int = 20181214  # random seed shared by all notebooks (noise draws, bootstrap)
out_dir: str = "../out/lab"  # output folder: tables are saved to out_dir/tables
indicator: str = ""  # indicator id, group id or "total"; empty: the main level indicator (e.g. gdp)
alpha_step: float = 0.1  # step of the grid of α, the weight of the level score in the blend
size_column: str = ""  # units.csv column measuring size; empty: population, else staff
size_path: str = ""  # optional CSV with columns unit_id,size (real figures); overrides size_column
noise: float = 0.05  # scale of the default error model (0.05: volumes 5 % relative, rates 1 percentage point; as the tier chapter)
error_model: str = ""  # error-model table (CSV or YAML) shared with the tier chapter (empty for the defaults)
noise_draws: int = 200  # noisy copies of the data simulated (at least 2; 2000+ for a final report)
boot: int = 500  # bootstrap resamples for the 90 % interval of ρ (units resampled within their group)
max_size_rho: float = 0.3  # frontier: largest acceptable |ρ| between score and size
max_rank_sd: float = 1.0  # frontier: largest acceptable mean rank SD (places) under noise
focus_unit: str = ""  # unit id the findings follow; empty: the smallest unit

# %%
from perfanalysis.report import notebook as nb
from perfanalysis.studies import fairness as fs
from perfanalysis.report.figures import boundaries as bf
from perfanalysis.report.figures import fairness as ff
from perfanalysis.report.findings import fairness as fw
from perfanalysis.studies.fairness_report import run_fairness

ctx = nb.notebook_setup(data_dir, scheme_path, year, out_dir, seed)
study = run_fairness(ctx.data, ctx.scheme, ctx.year, indicator=indicator,
                     alpha_step=alpha_step, size_column=size_column, size_path=size_path,
                     noise=noise, draws=noise_draws, boot=boot, max_rho=max_size_rho,
                     max_volatility=max_rank_sd, focus_unit=focus_unit, seed=ctx.seed,
                     error_model=error_model)
for name, table in study.tables().items():
    ctx.save_table(name, table)
MAIN = [("level", None), ("growth", None), ("increment", None), ("per_capita", None),
        ("cgp", None), ("value_added", None)]
OWN = [(v, None) for v in dict.fromkeys(study.variants["variant"])
       if v.startswith(fs.SCHEME_PREFIX)]
BUMP = [("level", None), ("growth", None), ("blend", study.chosen_alpha)]
BUMP_UNITS = ff.bump_units(study.panel, study.size, study.focus_unit)
N_GROUPS = 1 if study.groups is None else study.groups.nunique()

# %%
nb.show_text([f'分析对象:{study.indicator_name}({ctx.year}年),规模指标:'
              f'{study.size_label};测量误差按下表的误差模型模拟{noise_draws}次'
              f'(与等次章节相同)。'])
if study.error_model is not None:
    nb.show_table(bf.error_model_display(study.error_model),
                  caption='本章使用的误差模型')

# %% [markdown]
# ## 主要发现

# %%
nb.show_text(fw.sample_sentences(study.sample)
             + fw.scheme_sentences(study.size_dependence)
             + fw.size_sentences(study.size_dependence)
             + fw.frontier_sentences(study.frontier, study.alpha_range,
                                     study.max_rho, study.max_volatility)
             + fw.focus_sentences(study.focus_unit, study.variants,
                                  study.top_chance, study.volatility,
                                  study.chosen_alpha, top_label=ctx.scheme.tiers.labels[0]))

# %% [markdown]
# ## 得分与规模
#
# 每个小图是一种计分方式,横轴为规模(对数刻度),红线为得分对规模对数的拟合线(有多个比较组时为组内拟合):线越陡,越有利于大单位。

# %%
nb.show(ff.score_vs_size(study.variants, study.size, MAIN, study.size_label,
                         groups=study.groups))

# %% [markdown]
# ## 现行方案自身的计分与规模

# %%
nb.show(ff.score_vs_size(study.variants, study.size, OWN, study.size_label,
                         title='现行方案计分下得分与规模', groups=study.groups))

# %%
nb.show_table(fw.display_table(study.size_dependence),
              caption='得分与规模的关系(ρ:组内秩相关,正值有利于大单位;'
              '斜率为负表示规模越大在组内名次越靠前;区间为自助区间)')

# %% [markdown]
# ## 公平与稳定的权衡
#
# 对总量与增速的每个混合权重α,计算得分与规模的秩相关和测量误差下的平均名次波动;阴影为两项都在阈值内的α。

# %%
nb.show(ff.frontier_chart(study.frontier, study.alpha_range, study.max_rho,
                          study.max_volatility))
nb.show_table(fw.display_table(study.frontier),
              caption='各α的规模相关与名次波动')

# %% [markdown]
# ## 名次的年际变化

# %%
nb.show_text(fw.persistence_sentences(study.persistence_summary, N_GROUPS,
                                      top_label=ctx.scheme.tiers.labels[0]))
nb.show(ff.bump_chart(study.panel, BUMP, units=BUMP_UNITS))

# %% [markdown]
# ## 测量误差下的名次波动

# %%
nb.show_text(fw.volatility_sentences(study.volatility_size))
nb.show(ff.volatility_chart(study.volatility, BUMP, study.size_label))
