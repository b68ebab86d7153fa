"""Office workbooks as they are (issue 14, item 9): Chinese headers, wide sheets, 万元."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from perfanalysis import DataError, load_data, load_scheme, scorecard
from perfanalysis.cli import app
from perfanalysis.engine.office import PREFIXES, read_office_workbook, split_unit, unit_factor
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR

BOOK = Path(__file__).parent / "data" / "office" / "office_workbook.xlsx"
YIYANG = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
runner = CliRunner()


def _book(tmp_path: Path, sheets: dict[str, list[list[object]]], name: str = "b.xlsx") -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def _problems(path: Path, scheme=YIYANG) -> list[str]:
    with pytest.raises(DataError) as info:
        load_data(path, scheme)
    return [str(p) for p in info.value.problems]


def test_unit_factors_by_hand():
    assert unit_factor("万元", "亿元") == Decimal("0.0001")  # 1 万元 = 0.0001 亿元
    assert unit_factor("亿元", "万元") == Decimal(10000)
    assert unit_factor("元", "万元") == Decimal("0.0001")
    assert unit_factor("万人", "亿元") is None and unit_factor("%", "%") == 1
    assert split_unit("地区生产总值（亿元）") == ("地区生产总值", "亿元")
    assert split_unit("PM2.5年均浓度") == ("PM2.5年均浓度", None)


@given(st.sampled_from([p for p, _ in PREFIXES] + [""]),
       st.sampled_from([p for p, _ in PREFIXES] + [""]), st.sampled_from(["元", "人", "吨"]))
def test_unit_factors_invert(a, b, base):
    assert unit_factor(a + base, b + base) * unit_factor(b + base, a + base) == 1


def test_realistic_office_workbook_scores_like_the_sample():
    # unit ids are the Chinese names in an office book without a units sheet, so the two
    # scorecards (indexed by unit id) are paired by name
    office = scorecard(load_data(BOOK, YIYANG), YIYANG, 2019).set_index("name")
    sample = scorecard(load_data(SAMPLE_DIR / "yiyang"), YIYANG, 2019).set_index("name")
    assert office.index.tolist() == sample.index.tolist()
    pd.testing.assert_series_equal(office["total"], sample["total"])
    assert office["tier"].tolist() == sample["tier"].tolist()


def test_convert_writes_the_long_contract_with_a_read_log(tmp_path):
    out = tmp_path / "conv"
    res = runner.invoke(app, ["convert", "--data", str(BOOK), "--scheme",
                              str(SCHEMES_DIR / "yiyang_2018.yaml"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    obs = pd.read_csv(out / "observations.csv", encoding="utf-8-sig")
    sample = pd.read_csv(SAMPLE_DIR / "yiyang" / "observations.csv")
    # 17 indicators and 2 official growth rates, 8 units, 7 years
    assert len(obs) == len(sample) == 8 * (17 + 2) * 7
    log = pd.read_csv(out / "read_log.csv", encoding="utf-8-sig")
    gdp = log.loc[(log["unit_id"] == "沅江市") & (log["year"] == 2019)
                  & (log["indicator"] == "gdp")].iloc[0]
    # 沅江市 is the 3rd county: row 6 of sheet 2019年; the book holds 万元, the scheme 亿元
    assert (gdp["sheet"], gdp["cell"], gdp["header"]) == ("2019年", "C6", "地区生产总值(万元)")
    assert gdp["factor"] == 0.0001
    again = load_data(out)  # the written folder is a valid data folder
    assert len(again.observations) == len(obs)


def test_long_sheet_with_chinese_headers_and_year_column(tmp_path):
    path = _book(tmp_path, {"数据": [
        ["2019年考核数据"],
        ["单位名称", "年度", "指标名称", "完成值"],
        ["安化县", "2019年", "地区生产总值(万元)", "1,234,500"],
        ["安化县", 2019, "贫困发生率", "3.2%"],
        ["合计", None, None, None],
    ]})
    read = read_office_workbook(path, YIYANG)
    obs = read.observations.set_index("indicator")["value"]
    assert float(obs["gdp"]) == 123.45  # 1 234 500 万元 = 123.45 亿元
    assert float(obs["poverty_rate"]) == 3.2
    assert read.units.to_dict("records") == [{"unit_id": "安化县", "name": "安化县",
                                              "sequence": "counties"}]


def test_units_sheet_gives_ids_and_unknown_units_are_named(tmp_path):
    path = _book(tmp_path, {
        "单位名单": [["单位代码", "单位名称", "序列"], ["anhua", "安化县", "区县市"],
                  ["taojiang", "桃江县", "counties"]],
        "2019": [["单位", "地区生产总值", "政府债务率(%)"], ["安化县", 250.5, 80],
                 ["桃江县", 230.1, 90], ["桃花县", 1, 2]],
    })
    problems = _problems(path)
    assert any("[2019], row 4" in p and "桃花县" in p and "桃江县" in p for p in problems)


def test_errors_name_sheet_row_column_with_did_you_mean(tmp_path):
    path = _book(tmp_path, {"2019年": [
        ["2019年度指标完成情况"],
        ["单位名称", "地区生产总额(万元)", "财政总收入(万人)", "政府债务率", "债务率"],
        ["安化县", "1,0,00", 5, 80, 81],
    ]})
    text = "\n".join(_problems(path))
    assert "[2019年], row 2, column 'B 地区生产总额(万元)'" in text
    assert "did you mean 地区生产总值(亿元)" in text
    assert "column 'C 财政总收入(万人)'" in text and "cannot be converted" in text
    assert "column 'E 债务率'" in text and "政府债务率" in text


def test_bad_cell_and_duplicate_column(tmp_path):
    path = _book(tmp_path, {"2019年": [
        ["单位名称", "地区生产总值(万元)", "地区生产总值"],
        ["安化县", "12,34.5", 3],
    ]})
    text = "\n".join(_problems(path))
    assert "two columns are the same indicator 地区生产总值 (gdp): B and C" in text
    path = _book(tmp_path, {"2019年": [["单位名称", "地区生产总值(万元)"], ["安化县", "12,34.5"]]},
                 "c.xlsx")
    text = "\n".join(_problems(path))
    assert "[2019年], row 2, column 'B 地区生产总值(万元)'" in text and "comma" in text


def test_no_year_and_no_scheme_are_explained(tmp_path):
    path = _book(tmp_path, {"数据": [["单位名称", "地区生产总值"], ["安化县", 3]]})
    assert any("no year" in p for p in _problems(path))
    with pytest.raises(DataError, match="--scheme"):
        load_data(BOOK)


def test_cli_score_reads_the_office_book():
    res = runner.invoke(app, ["score", "--data", str(BOOK), "--scheme",
                              str(SCHEMES_DIR / "yiyang_2018.yaml"), "--year", "2019"])
    assert res.exit_code == 0, res.output
    # the book holds the CSV sample's values (万元 read back as 亿元): the same totals
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    card = scorecard(load_data(SAMPLE_DIR / "yiyang"), scheme, 2019).set_index("unit_id")
    assert "沅江市" in res.output and f"{card.at['yuanjiang', 'total']:.2f}" in res.output


def test_values_without_a_header_are_refused(tmp_path):
    path = _book(tmp_path, {"2019年": [["单位名称", "地区生产总值", None],
                                      ["安化县", 250.0, 17]]})
    assert any("row 1, column 'C'" in p and "without a header" in p for p in _problems(path))


def test_title_row_is_not_a_header(tmp_path):
    # the unit column's header cell is empty (merged from above), the title sits in A1
    path = _book(tmp_path, {"2019年": [["2019年度考核数据"],
                                      [None, "地区生产总值"], ["安化县", 250.0]]})
    problems = _problems(path)
    assert any("no unit column" in p for p in problems)
    assert not any("2019年度考核数据" in p for p in problems)  # never read as a header


def test_statistics_bureau_layout_with_years_as_columns(tmp_path):
    """单位 | 指标 | 2015年 … 2019年 under a merged title and a 单位:万元 line (the layout a
    statistics bureau publishes): the header is found by its content, values are converted
    from 万元 to the scheme's 亿元, and every year column becomes that year's value."""
    path = _book(tmp_path, {"Sheet1": [
        ["益阳市各区县主要经济指标"],
        ["单位:万元"],
        ["单位", "指标", "2017年", "2018年", "2019年"],
        ["安化县", "地区生产总值", "2,100,000", "2,250,000", 2400000],
        ["赫山区", "地区生产总值", 3000000, None, "3,300,000"],
        ["合计", "地区生产总值", 5100000, 2250000, 5700000],
    ]})
    read = read_office_workbook(path, YIYANG)
    obs = read.observations.assign(value=lambda d: d["value"].astype(float))
    got = obs.set_index(["unit_id", "year"])["value"].to_dict()
    # 2 100 000 万元 = 210 亿元, …; the blank 2018 cell of 赫山区 is a gap, 合计 is skipped
    assert got == {("安化县", "2017"): 210.0, ("安化县", "2018"): 225.0,
                   ("安化县", "2019"): 240.0, ("赫山区", "2017"): 300.0,
                   ("赫山区", "2019"): 330.0}
    assert set(obs["indicator"]) == {"gdp"}
    log = read.log.astype({"year": str}).set_index(["unit_id", "year"])
    assert log.at[("安化县", "2019"), "cell"] == "E4"
    assert log.at[("安化县", "2019"), "factor"] == "0.0001"


def test_years_as_columns_with_a_unit_of_measure_column(tmp_path):
    path = _book(tmp_path, {"数据": [
        ["单位", "指标", "计量单位", "2018", "2019"],
        ["安化县", "地区生产总值", "万元", 2250000, 2400000],
        ["安化县", "贫困发生率", "%", 3.17, 2.34],
        ["安化县", "地区生产总值(亿元)", "万元", 1, 2],  # the brackets win: already 亿元
    ]})
    with pytest.raises(DataError):  # the same (unit, year, indicator) twice is refused
        read_office_workbook(path, YIYANG)
    path = _book(tmp_path, {"数据": [
        ["单位", "指标", "计量单位", "2018", "2019"],
        ["安化县", "地区生产总值", "万元", 2250000, 2400000],
        ["安化县", "贫困发生率", "%", 3.17, 2.34],
    ]}, name="c.xlsx")
    obs = read_office_workbook(path, YIYANG).observations
    got = {(r.indicator, r.year): float(r.value) for r in obs.itertuples()}
    assert got == {("gdp", "2018"): 225.0, ("gdp", "2019"): 240.0,
                   ("poverty_rate", "2018"): 3.17, ("poverty_rate", "2019"): 2.34}


def test_years_as_columns_with_an_unconvertible_unit_names_the_cell(tmp_path):
    path = _book(tmp_path, {"数据": [
        ["单位", "指标", "计量单位", "2019"],
        ["安化县", "地区生产总值", "吨", 5],
    ]})
    problems = _problems(path)
    assert any("row 2" in p and "'吨'" in p and "cannot be converted" in p for p in problems)
