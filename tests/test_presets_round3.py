"""Round-3 source readings (issue 22): Zhangjiagang's 争先机关奖 progress flag and
连续两年位居后列 follow-ups on places, Heshan's 25 % quota as a ceiling in both presets."""

from __future__ import annotations

import pandas as pd
import pytest

from perfanalysis import (
    SchemeError,
    followup_flags,
    load_data,
    load_scheme,
    result_flags,
    scheme_from_mapping,
    scorecard,
    tier_history,
)
from perfanalysis.engine.scheme import Followup
from perfanalysis.engine.tiers import quota_for
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR

BOTTOM2 = Followup(bottom=2, years=2, consequence="组织处理")


def _hist(ranks: dict[str, list[int]], start: int = 2011) -> pd.DataFrame:
    rows = []
    for uid, rs in ranks.items():
        for k, r in enumerate(rs):
            rows.append({"unit_id": uid, "name": f"{uid}单位", "sequence": "s",
                         "year": start + k, "rank": r, "tier": "合格"})
    return pd.DataFrame(rows)


def test_bottom_followup_hand_worked() -> None:
    # five units; 后两位 = ranks 4 and 5 (fewer than 2 units behind)
    hist = _hist({"a": [5, 4, 3], "b": [4, 5, 5], "c": [1, 2, 4], "d": [2, 1, 1],
                  "e": [3, 3, 2]})
    flags = followup_flags(hist, [BOTTOM2])
    got = [(r.unit_id, r.year, r.run) for r in flags.itertuples()]
    # a: last two in 2011, 2012 → flagged 2012; b: 2011–2013 → 2012 (run 2), 2013 (run 3);
    # c: only 2013 → no
    assert got == [("a", 2012, 2), ("b", 2012, 2), ("b", 2013, 3)]
    assert set(flags["tier"]) == {"排名后2位"}


def test_bottom_followup_includes_ties_with_the_kth_last() -> None:
    # 2011: c 3rd (one unit behind), d 4th → the last two; 2012: ranks 1, 2, 3, 3 — c and d
    # tied, nobody behind either → both still in the last two: both flagged in 2012
    # (b, 2nd both years, has two units behind: never)
    hist = _hist({"a": [1, 1], "b": [2, 2], "c": [3, 3], "d": [4, 3]})
    flags = followup_flags(hist, [BOTTOM2])
    assert sorted(flags["unit_id"]) == ["c", "d"]


def test_followup_needs_tier_or_bottom() -> None:
    with pytest.raises(ValueError, match="exactly one of 'tier' or 'bottom'"):
        Followup(tier="合格", bottom=2, consequence="x")
    raw = {"id": "x", "name": "x", "components": [{"id": "r", "name": "r", "points": 10,
                                                   "source": "rating"}],
           "tiers": {"method": "forced_distribution", "labels": ["一等", "二等"],
                     "shares": [0.5, 0.5], "followups": [{"years": 2, "consequence": "x"}]}}
    with pytest.raises(SchemeError, match="exactly one of 'tier' or 'bottom'"):
        scheme_from_mapping(raw)


def test_zhangjiagang_progress_flag_and_place_followups_on_the_sample() -> None:
    data = load_data(SAMPLE_DIR / "zhangjiagang_departments")
    scheme = load_scheme(SCHEMES_DIR / "zhangjiagang_departments.yaml")
    (fu,) = scheme.tiers.followup_rules()
    assert fu.bottom == 2 and "连续两年位居后列" in (fu.quote or "") and fu.assumption
    before = scorecard(data, scheme, 2012).set_index("unit_id")["rank"]
    card = scorecard(data, scheme, 2013)
    flags = result_flags(data, scheme, 2013, card)
    gained = before.reindex(card["unit_id"]).to_numpy() - card["rank"].to_numpy()
    expected = set(card.loc[gained >= 2, "unit_id"])
    assert set(flags.loc[flags["rule"] == "progress", "unit_id"]) == expected
    assert set(flags["consequence"]) <= {"争先机关奖"}
    hist = tier_history(data, scheme).table
    flagged = followup_flags(hist, scheme.tiers.followup_rules())
    # every flag: the unit was among its category's last two in the year and the one before
    for r in flagged.itertuples():
        for y in (r.year - 1, r.year):
            grp = hist.loc[(hist["year"] == y) & (hist["sequence"] == hist.loc[
                hist["unit_id"] == r.unit_id, "sequence"].iloc[0])]
            mine = grp.loc[grp["unit_id"] == r.unit_id, "rank"].iloc[0]
            assert (grp["rank"] > mine).sum() < 2


def test_heshan_quota_is_a_ceiling_in_both_presets() -> None:
    # "原则上按各序列单位总数的25%": 6 units → floor(1.5) = 1, not half_up's 2
    for name in ("heshan_2013", "heshan_2013_departments"):
        scheme = load_scheme(SCHEMES_DIR / f"{name}.yaml")
        default = next(q for q in scheme.tiers.quota if q.sequences is None)
        assert (default.share, default.rounding, default.min_count) == (0.25, "floor", 1)
        seq = next(s for s in scheme.sequences if s not in (
            "industrial_towns", "agricultural_towns", "streets"))
        assert quota_for(scheme.tiers, seq, 6) == 1
        assert quota_for(scheme.tiers, seq, 3) == 1  # 0.75 → 0 → at least 1
        assert quota_for(scheme.tiers, seq, 8) == 2


def test_tier_flags_in_the_scorecard_and_the_score_sheet() -> None:
    from perfanalysis.report.summary import display_scores

    data = load_data(SAMPLE_DIR / "zhangjiagang_departments")
    scheme = load_scheme(SCHEMES_DIR / "zhangjiagang_departments.yaml")
    card = scorecard(data, scheme, 2013)
    # the last two of each category carry both 后两位 rules
    for _, grp in card.groupby("sequence"):
        last = grp.sort_values("rank").tail(2)
        assert (last["tier_flags"] == "所属类别后两位取消评优资格、所属类别后两位由市委分管领导诫勉谈话"
                ).all()
    sheet = display_scores(card, scheme)
    assert list(sheet.columns)[-1] == "后位处理"
    assert (sheet["后位处理"] != "").sum() == 2 * card["sequence"].nunique()
    # schemes without 后k位 rules keep the scorecard as it was
    yiyang = scorecard(load_data(SAMPLE_DIR / "yiyang"),
                       load_scheme(SCHEMES_DIR / "yiyang_2018.yaml"), 2019)
    assert "tier_flags" not in yiyang.columns


def test_yiyang_structural_levels_against_own_baselines() -> None:
    from perfanalysis import leaf_scores

    data = load_data(SAMPLE_DIR / "yiyang")
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    s = leaf_scores(data, scheme, 2019).set_index(["unit_id", "indicator"])
    # 贫困发生率, own reduction target (a fifth off last year, assumption): 安化县 3.17 → 2.34,
    # target 3.17 × 0.8 = 2.536, completion 2.536 / 2.34 = 1.084 → cap 1 → 8 of 8 (on the
    # level compared across counties it scored 4.80); 桃江县 0.61 → 0.51, target 0.488,
    # 0.488 / 0.51 = 0.9569 → 7.655
    assert s.loc[("anhua", "poverty_rate"), "target"] == pytest.approx(3.17 * 0.8)
    assert s.loc[("anhua", "poverty_rate"), "score"] == pytest.approx(8.0)
    assert s.loc[("taojiang", "poverty_rate"), "score"] == pytest.approx(8 * 0.488 / 0.51)
    # 单位GDP能耗, 3 % a year: 桃江县 0.69 → 0.686, target 0.6693 → 4 × 0.6693/0.686 = 3.9026
    assert s.loc[("taojiang", "energy_intensity"), "score"] == pytest.approx(
        4 * 0.69 * 0.97 / 0.686)
    # 水质达标率, at least last year's rate: 赫山区 96.9 → 93.5 → 5 × 93.5/96.9 = 4.8246;
    # 桃江县 87.2 → 91.3 → full 5
    assert s.loc[("heshan", "water_quality"), "score"] == pytest.approx(5 * 93.5 / 96.9)
    assert s.loc[("taojiang", "water_quality"), "score"] == pytest.approx(5.0)
    leaves = {leaf.id: leaf for leaf in scheme.indicators()}
    for lid in ("poverty_rate", "energy_intensity", "water_quality"):
        assert leaves[lid].method == "completion" and leaves[lid].assumption


def test_sample_realism() -> None:
    """Sample values a reader would find wrong (issue 22): PM2.5 of the rich zone far below
    the city, 安化县's rural income above 赫山区's, ratings at their maximum."""
    data = load_data(SAMPLE_DIR / "yiyang")
    obs = data.observations
    y19 = obs.loc[obs["year"] == 2019].pivot(index="unit_id", columns="indicator",
                                             values="value")
    assert y19.loc["anhua", "rural_income"] < y19.loc["heshan", "rural_income"]
    assert y19.loc["gaoxin", "pm25"] > 0.6 * y19["pm25"].mean()
    # GDP still sums close to the published 2019 total of the city (about 1 792 亿元)
    assert abs(y19["gdp"].sum() / 1792 - 1) < 0.02
    root = SAMPLE_DIR
    maxima = {"work_report": 200, "public_survey": 100, "routine": 20, "self_building": 20,
              "public_recognition": 15, "public_opinion": 43}
    for folder in ("yiyang", "heshan", "heshan_departments"):
        top = load_data(root / folder).ratings.groupby("component")["score"].max()
        for comp in set(top.index) & set(maxima):
            assert top[comp] < maxima[comp], (folder, comp)
