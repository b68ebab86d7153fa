"""Tier cuts decided by a hair (issue 14, item 13)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfanalysis import load_data, load_scheme, scorecard, with_overrides
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR
from perfanalysis.report.summary import close_cut_sentences, close_cuts, display_cuts

SCHEME = load_scheme(SCHEMES_DIR / "changsha_forced.yaml")


def _table(rows):
    return pd.DataFrame(rows, columns=["unit_id", "name", "sequence", "total", "tier",
                                       "tier_basis"])


def test_close_cut_by_hand():
    t = _table([("a", "甲", "counties", 90.0, "一等", "position"),
                ("b", "乙", "counties", 89.95, "二等", "position"),   # 0.05 < 0.1 → close
                ("c", "丙", "counties", 89.80, "二等", "position"),
                ("d", "丁", "counties", 89.71, "三等", "position"),   # 0.09 < 0.1 → close
                ("e", "戊", "counties", 80.0, "三等", "position")])
    cuts = close_cuts(t, SCHEME)
    assert cuts[["unit_above", "unit_below"]].values.tolist() == [["a", "b"], ["c", "d"]]
    assert cuts["gap"].tolist() == pytest.approx([0.05, 0.09])
    # precision 0.06: only the 0.05 gap; 0.05 exactly is not "less than" 0.05
    assert len(close_cuts(t, SCHEME, 0.06)) == 1 and close_cuts(t, SCHEME, 0.05).empty
    text = close_cut_sentences(cuts, SCHEME)
    assert "甲(90.00分,一等)与乙(89.95分,二等)仅相差0.05分" in text[0]
    assert list(display_cuts(cuts, SCHEME).columns)[:2] == ["序列", "上一等次单位"]


def test_rule_set_tiers_are_not_close_cuts():
    t = _table([("a", "甲", "s", 90.0, "优秀", "affirmation"),
                ("b", "乙", "s", 89.99, "良好", "threshold")])
    assert close_cuts(t, SCHEME).empty
    assert "没有" in close_cut_sentences(close_cuts(t, SCHEME), SCHEME)[0]


def test_forced_distribution_on_the_sample_names_the_hair_cut():
    # 15:80:5 of 8 counties now gives no 三等 (5 % × 8 = 0.4, a ceiling: 0 units); with
    # 15:70:15 the bottom share is 1.2 → 1 unit, so 安化县 (8th) is 三等
    scheme = with_overrides(SCHEME, {"tiers": {"shares": [0.15, 0.70, 0.15]}})
    table = scorecard(load_data(SAMPLE_DIR / "yiyang"), scheme, 2019, with_basis=True)
    cuts = close_cuts(table, scheme)
    # 桃江县 82.13 is the last 二等, 安化县 82.08 the first 三等 (sample of issue 22)
    row = cuts.set_index("name_below").loc["安化县"]
    assert row["name_above"] == "桃江县" and row["gap"] == pytest.approx(0.05)
    assert "桃江县(82.13分,二等)与安化县(82.08分,三等)仅相差0.05分" in "".join(
        close_cut_sentences(cuts, scheme))


@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=2, max_size=12),
       st.floats(0.01, 5))
def test_every_close_cut_is_a_tier_change_closer_than_precision(totals, precision):
    tiers = ["一等" if i < len(totals) // 2 else "二等" for i in range(len(totals))]
    ordered = sorted(totals, reverse=True)
    t = _table([(f"u{i:02d}", f"u{i:02d}", "s", x, tier, "position")
                for i, (x, tier) in enumerate(zip(ordered, tiers))])
    cuts = close_cuts(t, SCHEME, precision)
    assert len(cuts) <= 1
    assert ((cuts["total_above"] - cuts["total_below"]) < precision).all()
    assert (cuts["tier_above"] != cuts["tier_below"]).all()
