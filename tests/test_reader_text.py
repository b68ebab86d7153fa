"""No code identifiers in reader text (issue 23): the rendered report's paragraphs, list
items, headings, captions, table headers and chart labels carry no snake_case names, no SI
suffixes ("100k"), no command-line hints, and no sentence ends on a colon with nothing
after it. The scanner (tests/readertext.py) is tested on hand-made pages, then run on the
session's rendered sample report (nbconvert and, where Quarto is installed, Quarto)."""

from __future__ import annotations

import json

import pytest

from .readertext import scan

#: Justified exceptions: strings that may appear in reader text because a reader needs
#: them verbatim. None are needed today; a file name the reader opens would go here.
ALLOWED: frozenset[str] = frozenset()


def _chart(layout: dict, data: list[dict]) -> str:
    return (f'<div><script>Plotly.newPlot("abc", {json.dumps(data)}, '
            f'{json.dumps(layout)}, {{"responsive": true}})</script></div>')


def _rules(html: str) -> list[tuple[str, str]]:
    return [(f.rule, f.match) for f in scan(html)]


def test_prose_identifiers_hints_and_colon_ends_are_found() -> None:
    html = ("<h2>规模</h2><p>规模指标为 population_2020,见 brief_tradeoffs。</p>"
            "<li>运行时加上 -p previous_data=上年数据 即可比较。</li>"
            "<p>结果如下:</p><p>规模以上。</p>")
    assert _rules(html) == [("identifier", "population_2020"),
                            ("identifier", "brief_tradeoffs"),
                            ("identifier", "previous_data"),
                            ("command-line hint", "-p"),
                            ("ends on a colon", ":")]


def test_chart_labels_are_read_from_the_plotly_json() -> None:
    layout = {"title": {"text": "得分与 size_rho"},
              "xaxis": {"title": {"text": "人口(100k)"}},
              "annotations": [{"text": "level_score"}]}
    data = [{"name": "tier_a", "x": [1]}, {"name": "hidden_name", "showlegend": False},
            {"name": "单位", "hovertemplate": "unit_id %{x}"}]
    assert sorted(_rules(_chart(layout, data))) == sorted([
        ("identifier", "size_rho"), ("SI suffix", "100k"), ("identifier", "level_score"),
        ("identifier", "tier_a")])


def test_urls_and_allowed_strings_are_not_reader_prose() -> None:
    html = ("<p>完整表格见 scores.xlsx 的“成绩表”工作表。</p>"
            "<p>数据来源 https://data.stats.gov.cn/easyquery_x.htm。</p>"
            "<p>文件 my_file 见附件。</p><h3>附件:</h3>")
    assert scan(html, frozenset({"my_file"})) == []
    assert _rules(html) == [("identifier", "my_file")]


def test_an_id_in_a_data_cell_is_found_unless_its_column_or_row_says_it_is_a_code() -> None:
    """A unit's id where the reader expects its name is a defect (the scheme table once
    showed “益阳市……(yiyang_2018)”); numbers and names are not; a column headed 单位代码
    and the appendix's file rows hold codes the reader needs verbatim."""
    html = ("<table><thead><tr><th>单位</th><th>单位代码</th><th>总分</th></tr></thead>"
            "<tbody><tr><td>unit_01</td><td>unit_02</td><td>95.5</td></tr>"
            "<tr><td>赫山区</td><td>hs_430903</td><td>1,200</td></tr></tbody></table>"
            "<table><tr><th>项目</th><th>内容</th></tr>"
            "<tr><td>考核方案</td><td>益阳市考核(yiyang_2018)</td></tr>"
            "<tr><td>方案文件</td><td>my_scheme.yaml</td></tr>"
            "<tr><td>说明</td><td>结果如下:</td></tr></table>")
    assert _rules(html) == [("identifier", "unit_01"), ("identifier", "yiyang_2018"),
                            ("ends on a colon", ":")]


def test_the_appendix_names_scheme_and_parameters_in_chinese() -> None:
    """The appendix's tables (rendered by pandoc's markdown as the report does) carry the
    scheme's name without its id and every study parameter by its Chinese name."""
    from markdown_it import MarkdownIt

    from perfanalysis.report.cover import STUDY_PARAMETERS_ZH, appendix_markdown

    record = {"parameters": {"data": "data/sample/yiyang", "scheme": "my_scheme.yaml",
                             "year": 2019, "seed": 1,
                             "study_parameters": {k: 1 for k in STUDY_PARAMETERS_ZH}
                             | {"rules": "scheme,mean_growth"}},
              "scheme": {"id": "yiyang_2018", "name": "益阳市考核"},
              "data": {"fingerprint": "f" * 64, "illustrative_sample": True},
              "packages": {"python": "3.11"}, "git": {"commit": "a" * 40, "dirty": True}}
    html = MarkdownIt("commonmark").enable("table").render(appendix_markdown(record, {}))
    assert ">益阳市考核</td>" in html and "yiyang_2018" not in html
    assert scan(html) == []
    record["parameters"]["study_parameters"] = {"unknown_key": 1}
    html = MarkdownIt("commonmark").enable("table").render(appendix_markdown(record, {}))
    assert _rules(html) == [("identifier", "unknown_key")]


def test_every_declared_study_parameter_has_a_chinese_name() -> None:
    from perfanalysis.paths import NOTEBOOKS_DIR
    from perfanalysis.report.cover import STUDY_PARAMETERS_ZH
    from perfanalysis.report.pipeline import BASE_PARAMETERS, declared_parameters

    declared = {name for nb in NOTEBOOKS_DIR.glob("*.ipynb") for name in declared_parameters(nb)}
    assert sorted(declared - set(BASE_PARAMETERS) - set(STUDY_PARAMETERS_ZH)) == []
    assert sorted(set(STUDY_PARAMETERS_ZH) - declared) == []


@pytest.mark.slow
def test_the_rendered_sample_report_has_no_code_in_reader_text(
        sample_run: dict[str, object]) -> None:
    findings = scan(str(sample_run["html"]), ALLOWED)
    assert findings == [], "\n".join(f"{f.where}: {f.rule} {f.match!r} in {f.text!r}"
                                     for f in findings)


@pytest.mark.slow
def test_the_quarto_report_has_no_code_in_reader_text(
        quarto_report: dict[str, object]) -> None:
    findings = scan(str(quarto_report["html"]), ALLOWED)
    assert findings == [], "\n".join(f"{f.where}: {f.rule} {f.match!r} in {f.text!r}"
                                     for f in findings)


def test_the_generic_scenarios_note_names_schemes_not_files() -> None:
    """Found by the scan on the national case: the note said “情景文件yiyang_reform.yaml是为
    考核方案yiyang_2018.yaml编写的”; it names the base scheme by its Chinese name."""
    from perfanalysis.engine.scenarios import scenarios_for
    from perfanalysis.engine.scheme import load_scheme
    from perfanalysis.paths import PROJ_ROOT, SCHEMES_DIR

    from .readertext import SNAKE

    scheme = load_scheme(SCHEMES_DIR / "changsha.yaml")
    _, note = scenarios_for(PROJ_ROOT / "data" / "scenarios" / "yiyang_reform.yaml", scheme,
                            SCHEMES_DIR / "changsha.yaml")
    base = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml").name
    assert note is not None and f"是为考核方案“{base}”编写的" in note
    assert SNAKE.search(note) is None and ".yaml" not in note
