"""Per-unit tables at national scale (issue 20 §5): what a page shows of a table with
several rows per unit, and the 等次名单 as counts per sequence and tier."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfanalysis.notebook import LONG_TABLE_ROWS, unit_rows_excerpt
from perfanalysis.publication import roster_counts


def _detail(units: int, per_unit: int) -> pd.DataFrame:
    return pd.DataFrame({"单位": [f"县{u}" for u in range(units) for _ in range(per_unit)],
                         "指标": [f"指标{k}" for _ in range(units) for k in range(per_unit)]})


def test_a_short_table_is_shown_whole() -> None:
    df = _detail(6, 10)  # 60 rows = LONG_TABLE_ROWS
    shown, which = unit_rows_excerpt(df, ["县1"])
    assert which is None and shown.equals(df)


def test_a_long_table_shows_the_units_asked_about() -> None:
    df = _detail(100, 10)  # 1 000 rows
    shown, which = unit_rows_excerpt(df, ["县7", "县93", "无此单位"])
    assert which == "关注单位"
    assert list(shown["单位"].unique()) == ["县7", "县93"] and len(shown) == 20


def test_without_units_asked_about_the_first_units_fill_the_page() -> None:
    df = _detail(100, 10)
    shown, which = unit_rows_excerpt(df, [])
    # 60 rows at 10 rows per unit: the first 6 units
    assert which == "前6个单位"
    assert list(shown["单位"].unique()) == [f"县{u}" for u in range(6)] and len(shown) == 60


def test_a_missing_key_is_named() -> None:
    with pytest.raises(KeyError, match="名称"):
        unit_rows_excerpt(_detail(100, 1), ["县1"], key="名称")


@given(units=st.integers(1, 300), per_unit=st.integers(1, 12),
       asked=st.lists(st.integers(0, 400), max_size=5))
def test_the_excerpt_never_exceeds_the_page_unless_asked(units: int, per_unit: int,
                                                         asked: list[int]) -> None:
    df = _detail(units, per_unit)
    shown, which = unit_rows_excerpt(df, [f"县{a}" for a in asked])
    assert set(shown.index) <= set(df.index)
    if which is None:
        assert len(shown) == len(df) <= LONG_TABLE_ROWS
    elif which == "关注单位":
        assert set(shown["单位"]) == {f"县{a}" for a in asked if a < units}
    else:
        assert len(shown) <= max(LONG_TABLE_ROWS, per_unit)


def test_roster_counts_per_sequence_and_tier() -> None:
    roster = pd.DataFrame({
        "序列": ["东部", "东部", "东部", "西部", "西部", "西部"],
        "等次": ["优秀", "达标", "不达标", "优秀", "达标", "不达标"],
        "单位数": [2, 5, 0, 1, 3, 1],
        "名单": ["甲、乙", "…", "(无)", "丙", "…", "丁"]})
    counts = roster_counts(roster)
    assert list(counts.columns) == ["序列", "优秀", "达标", "不达标", "合计"]
    assert counts.to_dict("records") == [
        {"序列": "东部", "优秀": 2, "达标": 5, "不达标": 0, "合计": 7},
        {"序列": "西部", "优秀": 1, "达标": 3, "不达标": 1, "合计": 5}]


def test_scores_workbook_round_trips_awkward_values(tmp_path) -> None:
    """The streamed scores.xlsx (national scale: hundreds of thousands of rows) keeps every
    value a table holds: XML-special and padded text, missing values, booleans, integers,
    floats at full precision, infinities as text; headers bold and frozen."""
    import math

    import openpyxl

    from perfanalysis.export import write_tables

    df = pd.DataFrame({"单位": ["a&b<c>\"d\"", " 甲 ", "乙\x07"],
                       "得分": [1 / 3, float("nan"), float("inf")],
                       "名次": [1, 2, 3], "达标": [True, False, True]})
    path = write_tables({"成绩表": df, "空表": df.head(0)}, tmp_path / "s.xlsx")
    back = pd.read_excel(path, sheet_name=None)
    got = back["成绩表"]
    assert list(got["单位"]) == ["a&b<c>\"d\"", " 甲 ", "乙"]  # control character dropped
    assert got["得分"][0] == 1 / 3 and math.isnan(got["得分"][1]) and str(got["得分"][2]) == "inf"
    assert list(got["名次"]) == [1, 2, 3] and list(got["达标"]) == [True, False, True]
    assert list(back["空表"].columns) == list(df.columns) and back["空表"].empty
    ws = openpyxl.load_workbook(path)["成绩表"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.b and ws["B2"].number_format == "0.00"
