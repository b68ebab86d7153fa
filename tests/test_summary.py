"""Margins to tier boundaries, generated sentences and score breakdown, by hand."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from perfanalysis import assign_tiers, load_data, load_scheme, scorecard
from perfanalysis.paths import PROJ_ROOT
from perfanalysis.report.summary import (
    display_margins,
    score_breakdown,
    scorecard_sentences,
    tier_margins,
)

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


# --- Heshan: tiers set by rules (affirmation, demotion, disqualification) ----------------
HESHAN = load_scheme(PROJ_ROOT / "data" / "schemes" / "heshan_2013.yaml")


def _heshan(totals: dict[str, float], events: dict[str, list[str]]) -> pd.DataFrame:
    scores = pd.DataFrame({"unit_id": list(totals), "name": list(totals),
                           "sequence": "industrial_towns",
                           "indicators": list(totals.values()), "assessment": 0.0,
                           "public": 0.0, "bonus": 0.0, "penalty": 0.0,
                           "total": list(totals.values())})
    scores["rank"] = scores["total"].rank(ascending=False, method="min").astype(int)
    ev = pd.DataFrame([{"unit_id": u, "year": 2013, "event": e, "count": 1}
                       for u, names in events.items() for e in names])
    return assign_tiers(scores, HESHAN, ev if len(ev) else NO_EVENTS)


def test_heshan_margins_for_rule_set_tiers() -> None:
    # Heshan industrial towns: quota 2, 达标 ≥ 700, 基本达标 ≥ 600, demote at 2 disqualifications,
    # affirmation needs 达标. A, B take the quota; C is vetoed (barred from 优秀);
    # D has two disqualifications (→ 不达标 whatever its 850); E is affirmed (优秀 beyond quota);
    # F is an ordinary 达标.
    t = _heshan({"A": 900.0, "B": 890.0, "C": 895.0, "D": 850.0, "E": 760.0, "F": 820.0},
                {"C": ["veto"], "D": ["corruption_case", "criticism_city"],
                 "E": ["national_commendation_affirmed"]})
    tiers = dict(zip(t["unit_id"], t["tier"]))
    basis = dict(zip(t["unit_id"], t["tier_basis"]))
    assert tiers == {"A": "优秀", "B": "优秀", "C": "达标", "D": "不达标", "E": "优秀", "F": "达标"}
    assert basis == {"A": "quota", "B": "quota", "C": "disqualified", "D": "demoted",
                     "E": "affirmation", "F": "threshold"}
    m = tier_margins(t, HESHAN).set_index("unit_id")
    # eligible order A 900, B 890, D(demoted, out) , F 820, E 760: first eligible outside = F 820
    assert m.at["A", "margin_down"] == pytest.approx(900 - 820)
    assert m.at["B", "margin_down"] == pytest.approx(890 - 820)
    # affirmed E stays 优秀 while its total stays ≥ 700 (the 达标 line the affirmation needs)
    assert m.at["E", "margin_down"] == pytest.approx(760 - 700)
    assert "达标线700分" in m.at["E", "boundary_down"]
    assert m.at["E", "nearest"] == pytest.approx(60.0)
    # vetoed C: 195 above the 达标 line, no score line up to 优秀 (a rule bars it)
    assert m.at["C", "margin_down"] == pytest.approx(895 - 700)
    assert math.isnan(m.at["C", "gap_up"])
    assert m.at["C", "boundary_up"].startswith("由规则确定:")
    # demoted D: last tier by rule, neither a line below nor a line above
    assert math.isnan(m.at["D", "margin_down"]) and math.isnan(m.at["D", "gap_up"])
    assert math.isnan(m.at["D", "nearest"])
    assert m.at["D", "boundary_up"].startswith("由规则确定:") and "直接认定为不达标" in \
        m.at["D", "boundary_up"]
    # F: 120 above 700, 70 below the last unit inside the quota (B 890)
    assert m.at["F", "gap_up"] == pytest.approx(890 - 820)
    assert m.at["F", "margin_down"] == pytest.approx(820 - 700)
    assert "评优名额线" not in m.at["C", "boundary_up"] + m.at["D", "boundary_up"]
    assert (m["margin_down"].dropna() > 0).all() and (m["gap_up"].dropna() > 0).all()

    text = "".join(scorecard_sentences(t, tier_margins(t, HESHAN), HESHAN, 2013, n_nearest=6))
    nearest = text[text.index("离等次边界最近的单位"):text.index("以下单位的等次由规则确定")]
    assert re.search(r"(高|还差)0\.00分", text) is None
    assert "D(" not in nearest  # demoted unit is described separately, not as a margin
    assert "C(达标,895.00分)仅比达标线700分高195.00分" in nearest
    assert "E(优秀,760.00分)仅比达标线700分(优秀不受名额限制的条件)高60.00分" in nearest
    ruled = text[text.index("以下单位的等次由规则确定"):]
    assert "D(不达标,850.00分)——2种取消评优情形" in ruled
    assert "E(优秀,760.00分)——" in ruled and "C(达标,895.00分)——因一票否决取消评优资格" in ruled
    assert "A(" not in ruled and "F(" not in ruled
    assert "E(760.00分,受党中央、国务院表彰并获省委省政府充分肯定,不受名额限制)" in text


def test_margins_need_the_tier_basis() -> None:
    t = _table({"A": 90.0, "B": 80.0}).drop(columns="tier_basis")
    with pytest.raises(ValueError, match="tier_basis"):
        tier_margins(t, SCHEME)


def test_differences_use_the_printed_figures() -> None:
    # 83.094 prints as 83.09 and 69.045 as 69.05 (well, 69.046 to avoid binary ties):
    # the exact difference 14.048 would print 14.05; the printed figures differ by 14.04.
    t = _table({"A": 83.094, "B": 69.046})
    text = "".join(scorecard_sentences(t, tier_margins(t, SCHEME), SCHEME, 2019))
    assert "A(83.09分),最低的是B(69.05分),相差14.04分" in text


@pytest.mark.parametrize("bad", [0, -1, True, 1.5])
def test_n_nearest_must_be_a_positive_integer(bad: object) -> None:
    t = _table({"A": 90.0, "B": 80.0})
    with pytest.raises(ValueError, match="n_nearest"):
        scorecard_sentences(t, tier_margins(t, SCHEME), SCHEME, 2019, n_nearest=bad)  # type: ignore[arg-type]


def test_totals_chart_note_follows_the_tier_method() -> None:
    from perfanalysis.report.summary import totals_chart_note

    forced = load_scheme(PROJ_ROOT / "data" / "schemes" / "changsha_forced.yaml")
    note = totals_chart_note(forced)
    assert "强制分布" in note and "虚线" not in note and "名额" not in note
    assert ":".join(f"{x * 100:g}%" for x in forced.tiers.shares) in note
    yiyang = totals_chart_note(SCHEME)
    assert "虚线为等次分数线(达标75分、基本达标65分)" in yiyang and "评优名额" in yiyang
    assert "不受名额限制" in totals_chart_note(HESHAN)
