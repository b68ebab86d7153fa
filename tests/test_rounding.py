"""One rounding rule for displayed numbers (issue 14, item 12): half-up at 2 decimals."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from perfanalysis import assign_tiers, load_scheme
from perfanalysis.engine.rounding import dec, fmt, half_up, round_frame
from perfanalysis.paths import SCHEMES_DIR
from perfanalysis.report.notebook import sortable_table_html
from perfanalysis.report.summary import display_margins, scorecard_sentences, tier_margins

NO_EVENTS = pd.DataFrame(columns=["unit_id", "year", "event", "count", "project"])


def test_half_up_by_hand():
    # 80.925 → 80.93 (Python's format gives 80.92: the double is a hair below .925)
    assert f"{80.925:.2f}" == "80.92"
    assert fmt(80.925) == "80.93" and fmt(1.555) == "1.56" and fmt(2.675) == "2.68"
    assert fmt(-0.004) == "0.00" and fmt(-1.005) == "-1.01" and fmt(80.9) == "80.90"
    assert half_up(1.005) == 1.01 and dec(0.125) == Decimal("0.13")
    assert math.isnan(half_up(float("nan"))) and fmt(float("nan")) == "—"
    df = round_frame(pd.DataFrame({"a": [0.125, 2.5], "b": ["x", "y"], "c": [1, 2]}))
    assert df["a"].tolist() == [0.13, 2.5] and df["c"].tolist() == [1, 2]


@given(st.integers(-10**7, 10**7))
def test_three_decimal_values_round_half_up(k):
    x = k / 1000  # a value stored with 3 decimals
    cents = (abs(k) + 5) // 10  # half-up on the magnitude, by integer arithmetic
    expected = Decimal(cents).scaleb(-2) * (-1 if k < 0 and cents else 1)
    assert dec(x) == expected
    assert fmt(x) == f"{expected:.2f}"


def test_table_reason_and_sentences_print_the_same_total():
    scheme = load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
    totals = [880.0, 760.0, 700.925, 650.0, 640.0]
    ids = [f"U{i}" for i in range(len(totals))]
    scores = pd.DataFrame({"unit_id": ids, "name": ids, "sequence": "industrial_towns",
                           **{c.id: 0.0 for c in scheme.components},
                           "bonus": 0.0, "penalty": 0.0, "total": totals,
                           "rank": range(1, 6)})
    scores[scheme.components[0].id] = totals
    table = assign_tiers(scores, scheme, NO_EVENTS)
    reason = table.set_index("unit_id").loc["U2", "tier_reason"]
    assert "700.93" in reason and "700.92" not in reason
    html = sortable_table_html(table[["name", "total"]])
    assert ">700.93<" in html
    margins = tier_margins(table, scheme)
    text = "".join(scorecard_sentences(table, margins, scheme, 2013, n_nearest=5))
    assert "700.93" in text and "700.92" not in text
    shown = display_margins(margins, scheme).set_index("单位")
    # the sentence's difference (700.93 − 700 = 0.93) is the table's margin
    assert shown.loc["U2", "可降分数"] == 0.93 and "高0.93分" in text


def test_margins_table_matches_the_sentence_when_lines_are_not_round():
    # total 80.004 over a line at 78.995: printed 80.00 − 79.00 = 1.00 (not 1.009 → 1.01)
    m = pd.DataFrame({"unit_id": ["a"], "name": ["甲"], "sequence": ["s"], "total": [80.004],
                      "tier": ["优秀"], "tier_basis": ["quota"], "margin_down": [1.009],
                      "line_down": [78.995], "boundary_down": ["x"], "gap_up": [np.nan],
                      "line_up": [np.nan], "boundary_up": [""], "nearest": [1.009]})
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    out = display_margins(m, scheme)
    assert out["可降分数"].tolist() == [1.0] and out["距最近边界"].tolist() == [1.0]


def test_tables_print_counts_whole_and_negatives_with_a_real_minus():
    """A count column that is float (a missing value made it so) prints 31, not 31.00; a
    coefficient (系数, 指数) keeps its decimals even when whole; negative numbers read −0.34
    (U+2212) while the sort key keeps the plain value."""
    import re

    df = pd.DataFrame({"序列内ρ": [-0.34, 0.5], "单位数": [31.0, 8.0],
                       "单位数(个)": [3.0, math.nan], "相关系数": [1.0, 0.0],
                       "满分": [50.0, 70.0], "位次": [-2, 3], "年份": ["2015-2019", "x"]})
    html = sortable_table_html(df)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells == ["−0.34", "31", "3", "1.00", "50.00", "−2", "2015-2019",
                     "0.50", "8", "—", "0.00", "70.00", "3", "x"]
    assert "data-v='-0.34'" in html and "data-v='-2'" in html
    # a count header with a fractional value is not whole: decimals kept
    assert ">2.50<" in sortable_table_html(pd.DataFrame({"单位数": [2.5, 3.0]}))
