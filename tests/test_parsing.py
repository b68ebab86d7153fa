"""Cell parsing rules (numbers, years, missing markers, unit names) and their properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfanalysis.engine.parsing import (
    MISSING_MARKERS,
    UnitResolver,
    name_key,
    parse_integer_column,
    parse_number,
    parse_number_column,
)

FULLWIDTH = str.maketrans("0123456789.,-%", "０１２３４５６７８９．，－％")


@pytest.mark.parametrize(("raw", "value"), [
    ("12,345.6", 12345.6),        # thousands separators in groups of three
    ("1,234,567", 1234567.0),
    ("-1,234", -1234.0),
    ("１２３", 123.0),             # full-width digits (NFKC)
    ("１２，３４５．６", 12345.6),  # full-width comma and point
    ("－５", -5.0),                # full-width minus
    ("\u22123.5", -3.5),          # the minus sign U+2212
    ("  8 ", 8.0),                # surrounding spaces
    ("\u30008.25\u3000", 8.25),   # ideographic spaces
    ("1e3", 1000.0),
    (".5", 0.5),
])
def test_numbers_as_written(raw: str, value: float) -> None:
    got, pct, reason = parse_number(raw)
    assert reason is None and not pct
    assert got == pytest.approx(value)


def test_percent_keeps_percentage_points_only_where_allowed() -> None:
    assert parse_number("8.5%", allow_percent=True) == (8.5, True, None)  # 8.5, not 0.085
    assert parse_number("１２％", allow_percent=True)[:2] == (12.0, True)
    got, pct, reason = parse_number("8.5%", allow_percent=False)
    assert got is None and pct and reason is not None and "percent" in reason.en


@pytest.mark.parametrize("marker", sorted(MISSING_MARKERS) + ["－", " — ", "\u3000"])
def test_missing_markers_are_missing_not_zero(marker: str) -> None:
    assert parse_number(marker) == (None, False, None)


@pytest.mark.parametrize(("raw", "en", "zh"), [
    ("abc", "not a number", "不是数字"),
    ("12,5", "comma", "逗号"),
    ("1,23,456", "comma", "逗号"),
    ("12亿元", "followed by text '亿元'", "亿元"),
    ("1e999", "too large", "过大"),
    ("inf", "not a number", "不是数字"),
    ("nan", "not a number", "不是数字"),
])
def test_rejected_cells_say_why_in_both_languages(raw: str, en: str, zh: str) -> None:
    got, _pct, reason = parse_number(raw)
    assert got is None and reason is not None
    assert en in reason.en and zh in reason.zh


def test_column_parse_matches_cell_parse() -> None:
    raw = pd.Series(["1", " 2.5", "1,000", "—", "x", "３", "", "7%"], index=range(10, 18))
    values, missing, percent, reasons = parse_number_column(raw, allow_percent=True)
    assert list(values.index) == list(range(10, 18))
    assert values.iloc[[0, 1, 2, 5, 7]].tolist() == [1.0, 2.5, 1000.0, 3.0, 7.0]
    assert missing.tolist() == [False, False, False, True, False, False, True, False]
    assert percent.tolist() == [False] * 7 + [True]
    assert set(reasons) == {4}  # positions, not labels


def test_years_and_counts() -> None:
    values, missing, reasons = parse_integer_column(
        pd.Series(["2013", "2014.0", "2015年", "２０１６", "2013.5", "—"]), year=True)
    assert values.iloc[:4].tolist() == [2013, 2014, 2015, 2016]
    assert set(reasons) == {4} and missing.tolist() == [False] * 5 + [True]
    _v, _m, reasons = parse_integer_column(pd.Series(["1.5", "2年"]), year=False)
    assert set(reasons) == {0, 1}  # counts take no 年 suffix and no fractions


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).map(lambda x: round(x, 4))


@settings(max_examples=60, deadline=None)
@given(finite, st.booleans(), st.booleans(), st.booleans())
def test_formatting_never_changes_the_number(x: float, sep: bool, full: bool, pad: bool) -> None:
    """Thousands separators, full-width forms and padding all read back as the same number."""
    text = f"{x:,.4f}" if sep else f"{x:.4f}"
    if full:
        text = text.translate(FULLWIDTH)
    if pad:
        text = f"  {text}\u3000"
    got, _pct, reason = parse_number(text)
    assert reason is None and got == pytest.approx(float(f"{x:.4f}"), rel=1e-12, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(finite.map(str), st.sampled_from(sorted(MISSING_MARKERS)),
                          st.text(max_size=6)), max_size=30))
def test_column_parse_is_cellwise(cells: list[str]) -> None:
    """The vectorised column parser agrees with the cell parser on every cell."""
    values, missing, _pct, reasons = parse_number_column(pd.Series(cells, dtype=object),
                                                         allow_percent=True)
    for pos, cell in enumerate(cells):
        got, _p, reason = parse_number(cell, allow_percent=True)
        if reason is not None:
            assert pos in reasons and math.isnan(values.iloc[pos])
        elif got is None:
            assert missing.iloc[pos] and math.isnan(values.iloc[pos])
        else:
            assert pos not in reasons and not missing.iloc[pos]
            assert np.isclose(values.iloc[pos], got, rtol=1e-12, atol=0)


UNITS = UnitResolver(["chengguan_e", "chengguan_w", "heshan", "lukou", "lukou2"],
                     ["城关镇(东)", "城关镇(西)", "赫山区", "渌口镇", "渌口镇"])


@pytest.mark.parametrize(("ref", "unit"), [
    ("heshan", "heshan"),
    ("赫山区", "heshan"),
    (" 赫山区 ", "heshan"),
    ("城关镇（东）", "chengguan_e"),    # full-width brackets
    ("城关镇 ( 西 )", "chengguan_w"),  # stray spaces
    ("HESHAN", "heshan"),             # case
    ("ｈｅｓｈａｎ", "heshan"),          # full-width letters
])
def test_unit_references_resolve_when_unambiguous(ref: str, unit: str) -> None:
    assert UNITS.resolve(ref).unit_id == unit


def test_ambiguous_and_unknown_units_list_candidates() -> None:
    amb = UNITS.resolve("渌口镇")
    assert amb.unit_id is None and amb.reason is not None
    assert "lukou (渌口镇), lukou2 (渌口镇)" in amb.reason.en and "单位不唯一" in amb.reason.zh
    unk = UNITS.resolve("城关镇(南)")
    assert unk.unit_id is None and unk.reason is not None and "closest" in unk.reason.en
    assert "城关镇(东)" in unk.reason.en


def test_name_key_ignores_spaces_width_and_case() -> None:
    assert name_key(" 城关镇（东） ") == name_key("城关镇 (东)") == "城关镇(东)"
    assert name_key("Ab Ｃ") == "abc"


def test_fast_path_agrees_with_cell_rules_on_python_float_quirks() -> None:
    # float() would read "1_0" as 10 and "infinity" as inf; the documented rules do not
    cells = pd.Series(["1_0", "infinity", "0x10", "1 2"], dtype=object)
    values, _missing, _pct, reasons = parse_number_column(cells, allow_percent=False)
    assert values.isna().all() and set(reasons) == {0, 1, 2, 3}


def test_malformed_number_is_not_called_number_with_text():
    value, _, reason = parse_number("12.3.4")
    assert value is None and "followed by text" not in reason.en
