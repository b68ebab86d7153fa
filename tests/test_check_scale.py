"""check_data's vectorised search for values a year's rules need, and the Problem text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from perfanalysis import DataError, Problem, check_data, load_data, load_scheme
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR


def _without(tmp_path: Path, rows: list[tuple[str, int, str]]) -> Path:
    """The Yiyang sample with some observations removed."""
    folder = tmp_path / "yiyang"
    shutil.copytree(SAMPLE_DIR / "yiyang", folder)
    obs = pd.read_csv(folder / "observations.csv")
    drop = pd.Series(list(zip(obs["unit_id"], obs["year"], obs["indicator"]))).isin(rows)
    obs.loc[~drop.to_numpy()].to_csv(folder / "observations.csv", index=False)
    return folder


def test_missing_values_name_unit_year_indicator_and_rule(tmp_path: Path) -> None:
    # fiscal_revenue: completion against the own 3-year average of levels, so scoring 2019
    # reads 2016–2019; 2015 is not needed
    folder = _without(tmp_path, [("heshan", 2019, "gdp"), ("heshan", 2016, "fiscal_revenue"),
                                 ("heshan", 2015, "fiscal_revenue")])
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    with pytest.raises(DataError) as info:
        check_data(load_data(folder), scheme, 2019)
    reasons = [p.reason for p in info.value.problems]
    assert reasons == [
        ("missing value for unit 赫山区 (heshan), year 2019, indicator 地区生产总值 (gdp), "
         "needed by scoring"),
        ("missing value for unit 赫山区 (heshan), year 2016, indicator 财政总收入 "
         "(fiscal_revenue), needed by rule of 'fiscal_revenue' (completion, basis level)"),
    ]
    assert "缺少数据：单位 赫山区 (heshan)，2019 年，指标 地区生产总值 (gdp)" in str(info.value)


def test_complete_sample_passes() -> None:
    data = load_data(SAMPLE_DIR / "yiyang")
    check_data(data, load_scheme(SCHEMES_DIR / "yiyang_2018.yaml"), 2019)


def test_problem_keeps_its_fields_and_gains_a_chinese_line() -> None:
    p = Problem("obs.csv", "not a number", 5, "value", "abc", zh="不是数字")
    assert (p.file, p.reason, p.row, p.column, p.value) == ("obs.csv", "not a number", 5,
                                                            "value", "abc")
    assert str(p) == ("obs.csv, row 5, column 'value': not a number (value: 'abc')\n"
                      "    文件 obs.csv，第 5 行，“value”列：不是数字（值：'abc'）")
    plain = Problem("obs.csv", "bad")  # without zh: one line, as before
    assert str(plain) == "obs.csv: bad"
