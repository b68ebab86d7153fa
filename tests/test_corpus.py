"""The corpus of awkward and bad files (tests/data/, written by make_corpus.py).

Each awkward file either loads to the right numbers or fails with a message naming file,
row, column and value, in English and Chinese, and the CLI writes nothing.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from perfanalysis import DataError, load_data
from perfanalysis.cli import app
from perfanalysis.paths import SCHEMES_DIR

CORPUS = Path(__file__).resolve().parent / "data"


def _obs(case: str) -> list[tuple[str, int, str, float, int]]:
    data = load_data(CORPUS / case)
    o = data.observations
    return sorted(zip(o["unit_id"], o["year"], o["indicator"], o["value"], o["source_row"]),
                  key=lambda r: r[4])


# (case, expected observations: unit_id, year, indicator, value, Excel row)
LOADS = [
    ("utf8_bom", [("heshan", 2013, "gdp", 300.5, 2), ("chengguan_e", 2013, "gdp", 12.0, 3)]),
    # GBK file; units referenced by their Chinese names
    ("gbk_encoded", [("heshan", 2013, "gdp", 300.5, 2), ("chengguan_e", 2013, "gdp", 12.0, 3)]),
    # "12,345.6" → 12345.6; "1,234,567" → 1234567
    ("thousands_separators", [("heshan", 2013, "gdp", 12345.6, 2),
                              ("chengguan_e", 2013, "gdp", 1234567.0, 3),
                              ("chengguan_w", 2013, "gdp", 999.0, 4)]),
    # "１２３" → 123; "１２，３４５．６" → 12345.6; "－５" → -5; year "２０１３" → 2013
    ("fullwidth_digits", [("heshan", 2013, "gdp", 123.0, 2),
                          ("chengguan_e", 2013, "gdp", 12345.6, 3),
                          ("chengguan_w", 2013, "gdp", -5.0, 4)]),
    # "8.5%" → 8.5 percentage points (not 0.085); "１２％" → 12
    ("percent_values", [("heshan", 2013, "poverty_rate", 8.5, 2),
                        ("chengguan_e", 2013, "poverty_rate", 12.0, 3),
                        ("heshan", 2013, "gdp", 300.0, 4)]),
    ("surrounding_spaces", [("heshan", 2013, "gdp", 300.5, 2), ("chengguan_e", 2013, "gdp", 12.0, 3)]),
    # "城关镇（东） " → 城关镇(东) = chengguan_e; " 城关镇 (西)" → chengguan_w; "赫 山 区" → heshan
    ("unit_names", [("chengguan_e", 2013, "gdp", 12.0, 2), ("chengguan_w", 2013, "gdp", 9.0, 3),
                    ("heshan", 2013, "gdp", 300.0, 4)]),
    ("year_suffix", [("heshan", 2013, "gdp", 300.0, 2), ("heshan", 2014, "gdp", 310.0, 3)]),
    # a title line above the header: data start in Excel row 3
    ("title_row_csv", [("heshan", 2013, "gdp", 300.0, 3), ("chengguan_e", 2013, "gdp", 12.0, 4)]),
    # title row + blank row above the header (row 3): data in rows 4–6; extra sheet ignored
    ("title_row.xlsx", [("heshan", 2013, "gdp", 300.5, 4), ("chengguan_e", 2013, "gdp", 12345.6, 5),
                        ("chengguan_w", 2013, "gdp", 7.0, 6)]),
    # Excel percent format: 0.085 shown as 8.5% → 8.5 (as shown, like the CSV rule)
    ("percent_formatted.xlsx", [("heshan", 2013, "poverty_rate", 8.5, 2),
                                ("chengguan_e", 2013, "poverty_rate", 12.0, 3),
                                ("heshan", 2013, "gdp", 12345.6, 4)]),
    # sheet named "Units " (case and space ignored) and two extra sheets
    ("extra_sheets.xlsx", [("heshan", 2013, "gdp", 300.0, 2)]),
]


@pytest.mark.parametrize(("case", "expected"), LOADS, ids=[c for c, _ in LOADS])
def test_awkward_file_loads_to_the_right_numbers(case: str, expected: list) -> None:
    got = _obs(case)
    assert [(u, y, i, r) for u, y, i, _v, r in got] == [(u, y, i, r) for u, y, i, _v, r in expected]
    assert [v for *_, v, _r in got] == pytest.approx([v for *_, v, _r in expected])


def test_gbk_units_keep_their_chinese_names() -> None:
    units = load_data(CORPUS / "gbk_encoded").units
    assert list(units["name"]) == ["城关镇(东)", "城关镇(西)", "赫山区"]
    assert list(units["staff"]) == [120, 95, 1450]


def test_optional_cells_may_be_missing() -> None:
    data = load_data(CORPUS / "optional_missing")
    staff = list(data.units["staff"])
    assert math.isnan(staff[0]) and staff[1] == 920  # "—" in an optional column → missing
    assert list(data.events["project"]) == [None, None]  # "—" and "" → no project
    assert list(data.events["count"]) == [1, 2]


# (case, file name in the message, Excel row, column, value, English fragment, Chinese fragment)
FAILS = [
    ("latin1_encoded", "units.csv", None, None, None, "neither UTF-8 nor GBK", "CSV UTF-8"),
    ("missing_markers", "observations.csv", 2, "value", "—", "missing marker", "缺失标记"),
    ("duplicate_observation", "observations.csv", 2, "indicator", "gdp",
     "also in row(s) 4", "重复的行"),
    ("unknown_unit", "observations.csv", 3, "unit_id", "heshn", "closest: heshan", "未知单位"),
    ("ambiguous_unit_name", "observations.csv", 3, "unit_id", "城关镇",
     "chengguan_a (城关镇), chengguan_b (城关镇)", "单位不唯一"),
    ("non_numeric_value", "observations.csv", 2, "value", "abc", "not a number", "不是数字"),
    ("ambiguous_comma", "observations.csv", 2, "value", "12,5", "groups of three", "千位分隔符"),
    ("mixed_percent", "observations.csv", 3, "value", "0.09", "'8.5%' is read as 8.5", "统一写法"),
    ("percent_in_score", "ratings.csv", 2, "score", "85%", "percent sign is not allowed", "百分号"),
    ("fractional_year", "observations.csv", 2, "year", "2013.5", "whole number", "年份须为整数"),
    ("negative_count", "events.csv", 2, "count", -1, "must not be negative", "不能为负数"),
    ("too_many_cells", "observations.csv", 3, None, None, "5 cells but the header has 4",
     "未加引号的逗号"),
    ("missing_column", "observations.csv", 1, "value", None, "missing required column 'value'",
     "缺少必需的列"),
    ("duplicate_column", "observations.csv", 1, "value", "value", "appears twice", "出现了两次"),
    # the blank line counts: the bad value sits in Excel row 4
    ("blank_line_then_bad_value", "observations.csv", 4, "value", "n/a?", "not a number",
     "不是数字"),
    ("empty_file", "observations.csv", None, None, None, "the file is empty", "文件是空的"),
    ("missing_required_file", "missing_required_file", None, None, None,
     "missing required files: observations.csv", "缺少必需的文件"),
    # title row above the header: the "—" is in Excel row 4, not 3
    ("title_row_bad_value.xlsx", "title_row_bad_value.xlsx[observations]", 4, "value", "—",
     "missing marker", "缺失标记"),
    ("header_not_found.xlsx", "header_not_found.xlsx[observations]", 1, None,
     "单位, 年份, 指标, 数值", "no header row found", "找不到表头"),
]


@pytest.mark.parametrize(("case", "file", "row", "column", "value", "en", "zh"), FAILS,
                         ids=[f[0] for f in FAILS])
def test_bad_file_is_refused_with_a_bilingual_message(case, file, row, column, value, en, zh,
                                                      tmp_path) -> None:
    with pytest.raises(DataError) as info:
        load_data(CORPUS / case)
    first = info.value.problems[0]
    assert first.file.endswith(file)
    assert (first.row, first.column) == (row, column)
    if value is not None:
        assert first.value == value
    text = str(info.value)
    assert en in text and zh in text
    if row is not None:
        assert f"row {row}" in text and f"第 {row} 行" in text
    # the CLI exits non-zero and writes nothing
    out = tmp_path / "scores.csv"
    result = CliRunner().invoke(app, ["score", "--data", str(CORPUS / case), "--scheme",
                                      str(SCHEMES_DIR / "yiyang_2018.yaml"), "--out", str(out)])
    assert result.exit_code == 1
    assert list(tmp_path.iterdir()) == []
    assert "错误" in result.output and Path(file.split("[")[0]).name.split(".")[0] in result.output


def test_missing_markers_are_each_reported_never_zero() -> None:
    with pytest.raises(DataError) as info:
        load_data(CORPUS / "missing_markers")
    probs = info.value.problems
    # rows 2–6 hold —, -, /, －, (empty); row 7 holds 300 and is fine
    assert [(p.row, p.value) for p in probs] == [(2, "—"), (3, "-"), (4, "/"), (5, "－"),
                                                 (6, None)]
    assert "empty cell" in probs[-1].reason


def test_many_problems_are_reported_together_with_a_count() -> None:
    with pytest.raises(DataError) as info:
        load_data(CORPUS / "many_problems")
    assert len(info.value.problems) == 25  # x0 … x24, rows 2 … 26
    assert [p.row for p in info.value.problems] == list(range(2, 27))
    text = str(info.value)
    assert "(25 problem(s))" in text and "共 25 处" in text
    assert "… and 15 more" in text and "另有 15 处" in text  # 10 listed, 25 − 10 = 15 more


def test_unknown_unit_names_every_row_once() -> None:
    with pytest.raises(DataError) as info:
        load_data(CORPUS / "unknown_unit")
    (prob,) = info.value.problems  # rows 3 and 4 hold the same typo: one problem
    assert "also rows 4" in prob.reason and "另见第 4 行" in (prob.zh or "")


def test_corpus_generator_is_deterministic(tmp_path, monkeypatch) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "HERE", tmp_path)
    mod.main()
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (CORPUS / path.relative_to(tmp_path)).read_bytes(), path


def test_workbook_of_the_sample_loads_like_its_csv_folder(tmp_path) -> None:
    import pandas as pd

    from perfanalysis.paths import SAMPLE_DIR

    folder = SAMPLE_DIR / "yiyang"
    book = tmp_path / "yiyang.xlsx"
    with pd.ExcelWriter(book) as xw:
        pd.DataFrame([["说明：益阳样例数据"]]).to_excel(xw, sheet_name="readme", index=False,
                                                  header=False)
        for f in sorted(folder.glob("*.csv")):
            pd.read_csv(f).to_excel(xw, sheet_name=f.stem, index=False)
    a, b = load_data(folder), load_data(book)
    for table in ("units", "observations", "ratings"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table), check_dtype=False)
