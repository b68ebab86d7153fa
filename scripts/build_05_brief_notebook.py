"""Write notebooks/05_brief.ipynb (no outputs): the annual brief, 问题 / 证据 / 建议.

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
seed: int = 20181214  # random seed shared by all notebooks (not used by this chapter)
out_dir: str = "../out/lab"  # output folder: study tables are read from and saved to out_dir/tables
question: str = ""  # the proposal's claim in a sentence or two (empty: proposal No. 1214)
focus_unit: str = ""  # unit id or Chinese name to focus on (empty: the smallest unit of each sequence)
size_column: str = ""  # units.csv column measuring size (empty: first population*, then staff* column)
previous_data: str = ""  # last year's data folder or workbook (empty: no data comparison)
previous_scheme: str = ""  # last year's scheme YAML (empty: no scheme comparison)'''

SETUP = '''\
from perfanalysis import brief as br
from perfanalysis import notebook as nb
from perfanalysis.figures import brief as brief_charts
from perfanalysis import summary
from perfanalysis.findings import brief as say

ctx = nb.notebook_setup(data_dir, scheme_path, year, out_dir, seed)
b = br.assemble_brief(ctx.data, ctx.scheme, ctx.year, ctx.tables_dir, focus_unit=focus_unit,
                      size=size_column, previous_data=previous_data,
                      previous_scheme=previous_scheme)
for name, table in b.tables().items():
    ctx.save_table(name, table)'''

CELLS = [
    new_markdown_cell("# 年度简报:对提案的答复要点\n\n"
                      "本章按答复件的格式(问题、证据、建议)汇总各章的测算结果。"
                      "每个数字都取自一张结果表,句末注明来源表及其所在的图表。"),
    new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
    new_code_cell(SETUP),
    new_markdown_cell("## 一、问题"),
    new_code_cell("nb.show_text(say.question_sentences(question, b.focus_names, b.size_col))"),
    new_markdown_cell("## 二、证据"),
    new_code_cell("nb.show_text(say.evidence_sentences(b.facts, ctx.year, b.top_label, "
                  "b.size_col))\n"
                  "quota_notes = b.studies.get('quota_warnings')\n"
                  "if quota_notes is not None and len(quota_notes):  # ties / empty tiers\n"
                  "    nb.show_text([s.removesuffix('。') + say.cite('quota_warnings') + '。' "
                  "for s in summary.quota_warning_sentences(quota_notes)])"),
    new_code_cell("nb.show(brief_charts.tier_history_chart(b.history, list(ctx.scheme.tiers.labels),"
                  " b.focus, list(b.flags['unit_id'])))"),
    new_markdown_cell("## 三、建议\n\n各方案的测算效果如下;“等次改变的单位数”与现行方案"
                      "(本年度数据、现行考核方案)相比。"),
    new_code_cell("nb.show_text(say.option_sentences(b.facts, b.trade, b.alt_flags, b.top_label, "
                  "b.size_col, b.reward_note))"),
    new_code_cell("nb.show_table(br.display_tradeoffs(b.trade), caption='各方案的利弊"
                  "(表 brief_tradeoffs)')\n"
                  "nb.show(brief_charts.tradeoffs_chart(b.trade, b.size_col))"),
    new_markdown_cell("## 四、逐年等次与连续低等次的后续处理"),
    new_code_cell("nb.show_text(say.followup_sentences(b.flags, ctx.year, b.followup_text)\n"
                  "             + say.skipped_sentences(b.skipped_years))\n"
                  "nb.show_table(br.display_history(b.history, ctx.scheme.sequences), "
                  "caption='逐年等次与序列排名(表 tier_history)')"),
    new_code_cell("if len(b.flags):\n"
                  "    nb.show_table(br.display_flags(b.flags), "
                  "caption='连续低等次的后续处理(表 tier_followups)')\n"
                  "only_alt = b.alt_flags.loc[~b.alt_flags['official_triggers'].astype(bool)]\n"
                  "if len(only_alt):\n"
                  "    nb.show_table(br.display_flags(only_alt), caption='仅在替代方案下触发的"
                  "后续处理(表 followups_alternatives)')"),
    new_markdown_cell("## 五、与上年相比"),
    new_code_cell("if b.revisions is None and b.scheme_changes is None:\n"
                  "    nb.show_text(['未提供上年数据或考核方案(运行时加 -p previous_data=… "
                  "或 -p previous_scheme=…),本节从略。'])\n"
                  "else:\n"
                  "    nb.show_text(say.diff_sentences(b.revisions, b.unit_changes, "
                  "b.scheme_changes, b.new_years))\n"
                  "    if b.revisions is not None and len(b.revisions):\n"
                  "        nb.show_table(br.display_revisions(b.revisions), "
                  "caption='数据修订(表 data_revisions)')\n"
                  "    if b.scheme_changes is not None and len(b.scheme_changes):\n"
                  "        nb.show_table(br.display_scheme_changes(b.scheme_changes), "
                  "caption='考核方案变化(表 scheme_changes)')"),
    new_markdown_cell("## 六、尚缺的内容"),
    new_code_cell("nb.show_text(say.missing_sentences(b.status))"),
]


def build() -> nbformat.NotebookNode:
    """The brief notebook, python3 kernelspec, no outputs."""
    return build_notebook(CELLS, "brief")


if __name__ == "__main__":
    path = ROOT / "notebooks" / "05_brief.ipynb"
    write_notebook(build(), path)
