"""Data contract: every kind of bad input is a clear error naming file, row and column,
exits non-zero from the CLI, and writes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from perfanalysis import DataError, check_data, load_data, load_scheme
from perfanalysis.cli import app
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR

runner = CliRunner()
YIYANG_SCHEME = SCHEMES_DIR / "yiyang_2018.yaml"


def _copy_sample(tmp_path: Path, name: str = "yiyang") -> Path:
    dest = tmp_path / name
    shutil.copytree(SAMPLE_DIR / name, dest)
    return dest


def _edit(folder: Path, table: str, fn) -> None:
    path = folder / f"{table}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = fn(df)
    df.to_csv(path, index=False)


def _score_fails(folder: Path, tmp_path: Path, *expected: str, year: int = 2019) -> str:
    out = tmp_path / "out" / "scores.csv"
    res = runner.invoke(app, ["score", "--data", str(folder), "--scheme", str(YIYANG_SCHEME),
                              "--year", str(year), "--out", str(out)])
    assert res.exit_code == 1, res.output
    text = " ".join(res.output.split())
    for e in expected:
        assert e in text, f"{e!r} not in {text!r}"
    assert not out.exists()
    assert not out.parent.exists() or not any(out.parent.iterdir())
    return text


def test_sample_loads(yiyang_dir):
    d = load_data(yiyang_dir)
    assert len(d.units) == 8 and d.years == list(range(2013, 2020))
    assert d.observations["value"].dtype == float


def test_missing_column(tmp_path):
    f = _copy_sample(tmp_path)
    _edit(f, "observations", lambda df: df.drop(columns=["value"]))
    _score_fails(f, tmp_path, "observations.csv", "missing required column 'value'")


def test_non_numeric_value(tmp_path):
    f = _copy_sample(tmp_path)

    def bad(df):
        df.loc[4, "value"] = "abc"  # data row index 4 → Excel row 6
        return df
    _edit(f, "observations", bad)
    _score_fails(f, tmp_path, "observations.csv", "row 6", "column 'value'", "'abc'")


def test_empty_value_is_not_zero(tmp_path):
    f = _copy_sample(tmp_path)

    def bad(df):
        df.loc[9, "value"] = ""
        return df
    _edit(f, "observations", bad)
    _score_fails(f, tmp_path, "row 11", "column 'value'", "empty cell")


def test_duplicate_observation(tmp_path):
    f = _copy_sample(tmp_path)
    _edit(f, "observations", lambda df: pd.concat([df, df.iloc[[0]]], ignore_index=True))
    n = len(pd.read_csv(f / "observations.csv"))
    # the original (row 2) and the copy (last row) are both reported
    _score_fails(f, tmp_path, "duplicate key", "row 2", f"row {n + 1}")


def test_unknown_unit(tmp_path):
    f = _copy_sample(tmp_path)

    def bad(df):
        df.loc[0, "unit_id"] = "atlantis"
        return df
    _edit(f, "observations", bad)
    _score_fails(f, tmp_path, "unknown unit", "row 2", "column 'unit_id'", "'atlantis'")


def test_indicator_not_in_scheme(tmp_path):
    f = _copy_sample(tmp_path)

    def bad(df):
        df.loc[df["indicator"] == "pm25", "indicator"] = "pm10"
        return df
    _edit(f, "observations", bad)
    _score_fails(f, tmp_path, "indicator not in scheme 'yiyang_2018'", "'pm10'")


def test_missing_year_needed_by_rule(tmp_path):
    f = _copy_sample(tmp_path)
    # fiscal_revenue: the own 3-year average needs the 2016..2018 levels for 2019
    _edit(f, "observations", lambda df: df.loc[~((df["unit_id"] == "nanxian")
                                                  & (df["year"] == "2016")
                                                  & (df["indicator"] == "fiscal_revenue"))])
    _score_fails(f, tmp_path, "missing value for unit 南县 (nanxian), year 2016",
                 "rule of 'fiscal_revenue'")


def test_first_year_cannot_be_scored_with_growth(tmp_path):
    # own 3-year averages of increments and growth rates (gdp, fai, …) need the increments
    # of 2010–2012, i.e. levels from 2009 (4 years back): one message naming the earliest
    # scorable year, 2013 (first year of data) + 4 = 2017
    text = _score_fails(SAMPLE_DIR / "yiyang", tmp_path, "needs data from 2009",
                        "earliest year it can score is 2017", "最早可评 2017 年", year=2013)
    assert "1 problem(s)" in text


def test_year_not_in_data_is_one_message(tmp_path):
    text = _score_fails(SAMPLE_DIR / "yiyang", tmp_path, "year 2020 is not in the data",
                        "2013–2019", "数据中没有 2020 年", year=2020)
    assert "1 problem(s)" in text


def test_rating_above_component_maximum(tmp_path):
    f = _copy_sample(tmp_path, "heshan")

    def bad(df):
        i = df.index[(df["component"] == "public_survey") & (df["year"] == "2013")][0]
        df.loc[i, "score"] = "120"
        return df
    _edit(f, "ratings", bad)
    scheme = load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
    with pytest.raises(DataError) as exc:
        check_data(load_data(f), scheme, 2013)
    msg = str(exc.value)
    assert "above the maximum 100" in msg and "public_survey" in msg and "120" in msg


def test_missing_required_file(tmp_path):
    f = _copy_sample(tmp_path)
    (f / "units.csv").unlink()
    _score_fails(f, tmp_path, "missing required files", "units.csv")


def test_all_problems_reported_together(tmp_path):
    f = _copy_sample(tmp_path)

    def bad(df):
        df.loc[0, "value"] = "x"
        df.loc[1, "year"] = "20l5"
        return df
    _edit(f, "observations", bad)
    with pytest.raises(DataError) as exc:
        load_data(f)
    rows = {(p.row, p.column) for p in exc.value.problems}
    assert {(2, "value"), (3, "year")} <= rows


def test_xlsx_workbook_loads_like_csv(tmp_path, yiyang_dir):
    book = tmp_path / "data.xlsx"
    with pd.ExcelWriter(book) as xw:
        for name in ("units", "observations", "ratings"):
            pd.read_csv(yiyang_dir / f"{name}.csv").to_excel(xw, sheet_name=name, index=False)
        pd.DataFrame({"note": ["extra sheets are ignored"]}).to_excel(xw, sheet_name="notes")
    a, b = load_data(book), load_data(yiyang_dir)
    pd.testing.assert_frame_equal(
        a.observations.drop(columns="source_row").reset_index(drop=True),
        b.observations.drop(columns="source_row").reset_index(drop=True), check_dtype=False)


def test_validate_command(yiyang_dir, heshan_dir):
    res = runner.invoke(app, ["validate", "--data", str(yiyang_dir),
                              "--scheme", str(YIYANG_SCHEME)])
    assert res.exit_code == 0 and "OK" in res.output
    res = runner.invoke(app, ["validate", "--data", str(heshan_dir),
                              "--scheme", str(YIYANG_SCHEME)])
    # issue 14 item 15: a preset paired with the wrong data says so first
    assert res.exit_code == 1 and "do not match" in res.output
