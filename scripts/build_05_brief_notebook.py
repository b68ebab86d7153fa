"""Write notebooks/05_brief.ipynb (no outputs): the annual brief as a reply (结论, 答复要点,
说明; at most two pages, also written as OUT/reply.docx) and its annexes.

It runs after the four studies (name order) and reads their tables from out_dir/tables;
the report shows it first (reports/_quarto.yml). Run:
.venv/bin/python scripts/build_05_brief_notebook.py
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
seed: int = 20181214  # random seed shared by all notebooks (the bootstrap intervals use it)
out_dir: str = "../out/lab"  # output folder: study tables are read from and saved to out_dir/tables
proposal: str = ""  # the proposal file (YAML) the reply answers (empty: proposal.yaml beside the data, else the generic question)
focus_unit: str = ""  # unit id or Chinese name to focus on (empty: the proposal's focus units, else none)
size_column: str = ""  # units.csv column measuring size (empty: first population*, then staff* column)
boot: int = 1000  # bootstrap draws of the size-dependence intervals
roster_order: str = "score"  # 等次名单 order: score (by total) or admin (the units file's order)
previous_data: str = ""  # last year's data folder or workbook (empty: no data comparison)
previous_scheme: str = ""  # last year's scheme YAML (empty: no scheme comparison)'''

SETUP = '''\
from perfanalysis import brief as br
from perfanalysis import notebook as nb
from perfanalysis import publication as pub
from perfanalysis.errors import PipelineError
from perfanalysis.figures import brief as brief_charts
from perfanalysis import summary
from perfanalysis.findings import brief as say
from perfanalysis.scoring import score
from perfanalysis.tiers import assign_tiers

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
    print(f"答复件未生成:{exc}")'''

CELLS = [
    new_markdown_cell("# 年度简报:答复要点\n\n"
                      "前三节(结论、答复要点、说明)是可直接签发的答复,不超过两页;方案比选、"
                      "证据明细、成绩表和方案依据与假设列在其后的附件中。每个数字都取自一张"
                      "结果表,由本章计算,不是手写。"),
    new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
    new_code_cell(SETUP),
    new_code_cell("nb.show_text([f\"**{say.reply_title(b.reply)}**\", *reply[0][1]])"),
    new_markdown_cell("## 一、结论"),
    new_code_cell("nb.show_text(reply[1][1])"),
    new_markdown_cell("## 二、答复要点"),
    new_code_cell("nb.show_text(reply[2][1])"),
    new_markdown_cell("## 三、说明"),
    new_code_cell("nb.show_text(reply[3][1])"),
    new_markdown_cell("## 附件一 经济指标计分方式比选"),
    new_code_cell("nb.show_text(say.alternatives_sentences(b.reply) + [say.rules_sentence()])\n"
                  "nb.show(brief_charts.alternatives_chart(b.reply.alternatives, b.size_col))\n"
                  "nb.show_table(br.display_alternatives(b.reply.alternatives), "
                  "caption='经济指标计分方式排序')\n"
                  "nb.show_table(br.display_sizes(b.reply.sizes), "
                  "caption='得分与规模的相关系数(现行方案实际计分)')"),
    new_markdown_cell("## 附件二 证据明细与各研究的替代方案"),
    new_code_cell("nb.show_text(say.evidence_sentences(b.facts, ctx.year, b.top_label, "
                  "b.size_col))\n"
                  "if len(b.focus) > say.MAX_FOCUS_PROSE:\n"
                  "    nb.show_table(br.display_focus(b.facts), caption='证据明细表:全部重点单位')"),
    new_code_cell("nb.show_text(say.option_sentences(b.facts, b.trade, b.alt_flags, b.top_label, "
                  "b.size_col, b.reward_note))"),
    new_code_cell("nb.show_table(br.display_tradeoffs(b.trade), caption='各研究替代方案的利弊')\n"
                  "nb.show(brief_charts.tradeoffs_chart(b.trade, b.size_col))"),
    new_markdown_cell("## 附件三 成绩表、等次名单与指标明细"),
    new_code_cell("nb.show_table(results, caption=f'{ctx.year}年成绩表')\n"
                  "nb.show_text(pub.roster_sentences(roster))\n"
                  "quota_notes = b.studies.get('quota_warnings')\n"
                  "if quota_notes is not None and len(quota_notes):  # ties / empty tiers\n"
                  "    nb.show_text([s.removesuffix('。') + say.cite('quota_warnings') + '。' "
                  "for s in summary.quota_warning_sentences(quota_notes)])\n"
                  "nb.show_table(roster, caption='等次名单')\n"
                  "nb.show_table(detail, caption='指标明细')\n"
                  "nb.show_text(pub.footnotes(detail, ctx.scheme))"),
    new_markdown_cell("## 附件四 方案依据与假设"),
    new_code_cell("nb.show_text([pub.basis_sentence(basis)])\n"
                  "nb.show_table(basis, caption='方案依据与假设')"),
    new_markdown_cell("## 附件五 逐年等次与连续低等次的后续处理"),
    new_code_cell("nb.show(brief_charts.tier_history_chart(b.history, list(ctx.scheme.tiers.labels),"
                  " b.focus, list(b.flags['unit_id'])))"),
    new_code_cell("nb.show_text(say.followup_sentences(b.flags, ctx.year, b.followup_text)\n"
                  "             + say.skipped_sentences(b.skipped_years))\n"
                  "nb.show_table(br.display_history(b.history, ctx.scheme.sequences), "
                  "caption='逐年等次与序列排名')"),
    new_code_cell("if len(b.flags):\n"
                  "    nb.show_table(br.display_flags(b.flags), "
                  "caption='连续低等次的后续处理')\n"
                  "only_alt = b.alt_flags.loc[~b.alt_flags['official_triggers'].astype(bool)]\n"
                  "if len(only_alt):\n"
                  "    nb.show_table(br.display_flags(only_alt), caption='仅在替代方案下触发的"
                  "后续处理')"),
    new_markdown_cell("## 附件六 与上年相比"),
    new_code_cell("if b.revisions is None and b.scheme_changes is None:\n"
                  "    nb.show_text(['未提供上年数据或考核方案,本节从略。'])\n"
                  "else:\n"
                  "    nb.show_text(say.diff_sentences(b.revisions, b.unit_changes, "
                  "b.scheme_changes, b.new_years))\n"
                  "    if b.revisions is not None and len(b.revisions):\n"
                  "        nb.show_table(br.display_revisions(b.revisions), "
                  "caption='数据修订')\n"
                  "    if b.scheme_changes is not None and len(b.scheme_changes):\n"
                  "        nb.show_table(br.display_scheme_changes(b.scheme_changes), "
                  "caption='考核方案变化')"),
    new_markdown_cell("## 附件七 尚缺的内容"),
    new_code_cell("nb.show_text(say.missing_sentences(b.status))"),
]


def build() -> nbformat.NotebookNode:
    """The brief notebook, python3 kernelspec, no outputs."""
    return build_notebook(CELLS, "brief")


if __name__ == "__main__":
    path = ROOT / "notebooks" / "05_brief.ipynb"
    write_notebook(build(), path)
