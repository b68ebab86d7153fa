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
# # 年度简报:答复要点
#
# 前三节(结论、答复要点、说明)是可直接签发的答复,不超过两页;方案比选、证据明细、成绩表和方案依据与假设列在其后的附件中。每个数字都取自一张结果表,由本章计算,不是手写。

# %% tags=["parameters"]
data_dir: str = "../data/sample/yiyang"  # data folder (CSV files) or .xlsx workbook
scheme_path: str = "../data/schemes/yiyang_2018.yaml"  # scheme YAML file
year: int = 2019  # evaluation year
seed: int = 20181214  # random seed shared by all notebooks (the bootstrap intervals use it)
out_dir: str = "../out/lab"  # output folder: study tables are read from and saved to out_dir/tables
proposal: str = ""  # the proposal file (YAML) the reply answers (empty: proposal.yaml beside the data, else the generic question)
focus_unit: str = ""  # unit id or Chinese name to focus on (empty: the proposal's focus units, else none)
size_column: str = ""  # units.csv column measuring size (empty: first population*, then staff* column)
boot: int = 1000  # bootstrap draws of the size-dependence intervals
roster_order: str = "score"  # 等次名单 order: score (by total) or admin (the units file's order)
previous_data: str = ""  # last year's data folder or workbook (empty: no data comparison)
previous_scheme: str = ""  # last year's scheme YAML (empty: no scheme comparison)

# %%
from perfanalysis.report import brief as br
from perfanalysis.report import notebook as nb
from perfanalysis.report import publication as pub
from perfanalysis.errors import PipelineError
from perfanalysis.report.figures import brief as brief_charts
from perfanalysis.report import summary
from perfanalysis.report.findings import brief as say
from perfanalysis.engine.scoring import score
from perfanalysis.engine.tiers import assign_tiers

ctx = nb.notebook_setup(data_dir, scheme_path, year, out_dir, seed)
b = br.assemble_brief(ctx.data, ctx.scheme, ctx.year, ctx.tables_dir, focus_unit=focus_unit,
                      size=size_column, previous_data=previous_data,
                      previous_scheme=previous_scheme, proposal=proposal, boot=boot, seed=seed)
basis = pub.scheme_basis(ctx.scheme)
tiers_now = assign_tiers(score(ctx.data, ctx.scheme, ctx.year), ctx.scheme,
                         ctx.data.events.loc[ctx.data.events["year"] == ctx.year])
results = pub.results_table(ctx.data, ctx.scheme, ctx.year, tiers_now)
detail = pub.indicator_detail(ctx.data, ctx.scheme, ctx.year)
roster = pub.tier_roster(tiers_now, ctx.scheme, ctx.data.units, roster_order)
reply = say.reply_sections(b.reply, b.top_label, basis, b.studies.get("tier_uncertainty_summary"))
for name, table in {**b.tables(), "scheme_basis": basis, "results_table": results,
                    "indicator_detail": detail, "tier_roster": roster}.items():
    ctx.save_table(name, table)
try:  # the reply as an official DOCX, ready to sign
    pub.reply_docx(say.reply_title(b.reply), reply, ctx.out_dir / "reply.docx")
except PipelineError as exc:
    print(f"答复件未生成:{exc}")

# %%
nb.show_text([f"**{say.reply_title(b.reply)}**", *reply[0][1]])

# %% [markdown]
# ## 一、结论

# %%
nb.show_text(reply[1][1])

# %% [markdown]
# ## 二、答复要点

# %%
nb.show_text(reply[2][1])

# %% [markdown]
# ## 三、说明

# %%
nb.show_text(reply[3][1])

# %% [markdown]
# ## 附件一 经济指标计分方式比选

# %%
nb.show_text(say.alternatives_sentences(b.reply) + [say.rules_sentence()])
if len(b.reply.alternatives):
    nb.show(brief_charts.alternatives_chart(b.reply.alternatives, b.size_col))
nb.show_table(br.display_alternatives(b.reply.alternatives), caption='经济指标计分方式排序')
nb.show_table(br.display_sizes(b.reply.sizes), caption='得分与规模的相关系数(现行方案实际计分)')

# %% [markdown]
# ## 附件二 证据明细与各研究的替代方案

# %%
nb.show_text(say.evidence_sentences(b.facts, ctx.year, b.top_label, b.size_col))
target_means = br.display_target_means(b.facts)
if len(target_means) > say.MAX_LISTED_RULES:  # the sentence gives the range, the table every rule
    nb.show_table(target_means, caption=say.TARGET_MEANS_CAPTION)
if len(b.focus) > say.MAX_FOCUS_PROSE:
    nb.show_table(br.display_focus(b.facts), caption='证据明细表:全部重点单位')

# %%
nb.show_text(say.option_sentences(b.facts, b.trade, b.alt_flags, b.top_label, b.size_col, b.reward_note))

# %%
nb.show_table(br.display_tradeoffs(b.trade), caption='各研究替代方案的利弊')
nb.show(brief_charts.tradeoffs_chart(b.trade, b.size_col))

# %% [markdown]
# ## 附件三 成绩表、等次名单与指标明细

# %%
focus_names = list(ctx.data.units.set_index('unit_id').reindex(b.focus)['name'].dropna())
nb.show_long_table(results, caption=f'{ctx.year}年成绩表', sort_by='总分', key='单位', keep=focus_names)
nb.show_text(pub.roster_sentences(roster))
quota_notes = b.studies.get('quota_warnings')
if quota_notes is not None and len(quota_notes):  # ties / empty tiers
    nb.show_text([s.removesuffix('。') + say.cite('quota_warnings') + '。' for s in summary.quota_warning_sentences(quota_notes)])
if len(roster) > nb.LONG_TABLE_ROWS:  # national scale: counts here, names above and in scores.xlsx
    nb.show_table(pub.roster_counts(roster), caption='等次名单(各序列各等次单位数)')
else:
    nb.show_table(roster, caption='等次名单')
nb.show_unit_rows(detail, caption='指标明细', keep=focus_names, limit=summary.DETAIL_ROWS_SHOWN)
nb.show_text(pub.footnotes(detail, ctx.scheme))

# %% [markdown]
# ## 附件四 方案依据与假设

# %%
nb.show_text([pub.basis_sentence(basis)])
nb.show_table(basis, caption='方案依据与假设')

# %% [markdown]
# ## 附件五 逐年等次与连续低等次的后续处理

# %%
history_chart = brief_charts.tier_history_chart(b.history, list(ctx.scheme.tiers.labels), b.focus, list(b.flags['unit_id']))
if len(history_chart.data):
    nb.show(history_chart)
else:
    nb.show_text(['没有可计分的年度。'] if b.history.empty else
                 [f"共{b.history['unit_id'].nunique()}个单位,没有指定重点单位,也没有触发后续处理的单位,逐年等次见下表。"])

# %%
nb.show_text(say.followup_sentences(b.flags, ctx.year, b.followup_text)
             + say.skipped_sentences(b.skipped_years))
nb.show_unit_rows(br.display_history(b.history, ctx.scheme.sequences), caption='逐年等次与序列排名', keep=focus_names)

# %%
if len(b.flags):
    nb.show_table(br.display_flags(b.flags), caption='连续低等次的后续处理')
only_alt = b.alt_flags.loc[~b.alt_flags['official_triggers'].astype(bool)]
if len(only_alt):
    nb.show_table(br.display_flags(only_alt), caption='仅在替代方案下触发的后续处理')

# %% [markdown]
# ## 附件六 与上年相比

# %%
if b.revisions is None and b.scheme_changes is None:
    nb.show_text(['未提供上年数据或考核方案,本节从略。'])
else:
    nb.show_text(say.diff_sentences(b.revisions, b.unit_changes, b.scheme_changes, b.new_years))
    if b.revisions is not None and len(b.revisions):
        nb.show_table(br.display_revisions(b.revisions), caption='数据修订')
    if b.scheme_changes is not None and len(b.scheme_changes):
        nb.show_table(br.display_scheme_changes(b.scheme_changes), caption='考核方案变化')

# %% [markdown]
# ## 附件七 尚缺的内容

# %%
nb.show_text(say.missing_sentences(b.status))
