"""Margins to tier boundaries, generated sentences and score breakdown, by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from perfanalysis import assign_tiers, load_data, load_scheme, scorecard
from perfanalysis.paths import PROJ_ROOT
from perfanalysis.summary import display_margins, score_breakdown, scorecard_sentences, tier_margins

SCHEME = load_scheme(PROJ_ROOT / "data" / "schemes" / "yiyang_2018.yaml")
NO_EVENTS = pd.DataFrame({"unit_id": pd.Series(dtype=str), "year": pd.Series(dtype=int),
                          "event": pd.Series(dtype=str), "count": pd.Series(dtype=int)})


def _table(totals: dict[str, float]) -> pd.DataFrame:
    scores = pd.DataFrame({"unit_id": list(totals), "name": list(totals),
                           "sequence": "counties", "indicators": list(totals.values()),
                           "bonus": 0.0, "penalty": 0.0, "total": list(totals.values())})
    scores["rank"] = scores["total"].rank(ascending=False, method="min").astype(int)
    return assign_tiers(scores, SCHEME, NO_EVENTS)


def test_margins_by_hand() -> None:
    # Yiyang rules: quota 25% of 4 units = 1 excellent; 达标 ≥ 75; 基本达标 ≥ 65.
    t = _table({"A": 90.0, "B": 80.0, "C": 74.0, "D": 60.0})
    assert list(t["tier"]) == ["优秀", "达标", "基本达标", "不达标"]
    m = tier_margins(t, SCHEME).set_index("unit_id")
    assert m.at["A", "margin_down"] == pytest.approx(90 - 80)  # lead over first outside quota
    assert math.isnan(m.at["A", "gap_up"])
    assert m.at["B", "margin_down"] == pytest.approx(80 - 75)  # above the 达标 line
    assert m.at["B", "gap_up"] == pytest.approx(90 - 80)       # to the last unit in the quota
    assert m.at["C", "margin_down"] == pytest.approx(74 - 65)
    assert m.at["C", "gap_up"] == pytest.approx(75 - 74)
    assert m.at["C", "nearest"] == pytest.approx(1.0)
    assert math.isnan(m.at["D", "margin_down"])
    assert m.at["D", "gap_up"] == pytest.approx(65 - 60)
    assert list(display_margins(tier_margins(t, SCHEME), SCHEME)["单位"]) == ["C", "B", "D", "A"]


def test_sentences_name_excellent_and_nearest_boundary() -> None:
    t = _table({"A": 90.0, "B": 80.0, "C": 74.0, "D": 60.0})
    text = "".join(scorecard_sentences(t, tier_margins(t, SCHEME), SCHEME, 2019, n_nearest=1))
    assert "区县市共4个单位参加考核" in text
    assert "总分最高的是A(90.00分),最低的是D(60.00分),相差30.00分" in text
    assert "评为优秀的是:A(90.00分)" in text
    assert "优秀1个、达标1个、基本达标1个、不达标1个" in text
    assert "C(基本达标,74.00分)距达标线75分还差1.00分" in text


def test_breakdown_adds_up_to_the_total_on_the_sample() -> None:
    data = load_data(PROJ_ROOT / "data" / "sample" / "yiyang")
    t = scorecard(data, SCHEME, 2019)
    parts = score_breakdown(data, SCHEME, 2019, t)
    assert list(dict.fromkeys(parts["part_name"])) == ["高质量发展", "三大攻坚战", "党的建设",
                                                       "社会稳定和安全生产", "加分", "减分"]
    sums = parts.groupby("unit_id")["points"].sum()
    for r in t.itertuples(index=False):
        assert sums[r.unit_id] == pytest.approx(r.total, abs=1e-5)
