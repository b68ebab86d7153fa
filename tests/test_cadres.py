"""The cadre layer (seeds/004) on a hand-made group: scores, 15:80:4:1 and the 基本称职 triggers."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from perfanalysis import load_data, load_scheme
from perfanalysis.cli import app
from perfanalysis.engine.cadres import (
    CadreRules,
    assign_cadre_tiers,
    basic_triggers,
    cadre_scores,
    cadre_table,
)
from perfanalysis.errors import DataError
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR

RULES = CadreRules()
TEAMS = pd.DataFrame({"unit_id": ["U1", "U2"], "name": ["甲局", "乙局"], "sequence": ["s", "s"],
                      "total": [90.0, 60.0]})


def group() -> pd.DataFrame:
    """25 members of U1: portfolio 100 − i, character 80; special cases noted in the test."""
    rows = []
    for i in range(1, 26):
        rows.append({"person_id": f"p{i:02d}", "unit_id": "U1", "name": f"干部{i}",
                     "role": "member", "year": 2020, "character": 80.0,
                     "democratic": 70.0 if i == 10 else 90.0, "portfolio": 100.0 - i,
                     "quantitative": 55.0 if i == 3 else 80.0, "votes_total": 60.0,
                     "votes_basic": {7: 21.0, 8: 20.0}.get(i, 3.0)})
    return pd.DataFrame(rows)


def test_leader_scores_from_the_team_score():
    persons = pd.DataFrame([
        {"person_id": "h", "unit_id": "U1", "name": "正职", "role": "head", "year": 2020,
         "character": 80.0, "democratic": 90.0, "portfolio": None},
        {"person_id": "m", "unit_id": "U2", "name": "成员", "role": "member", "year": 2020,
         "character": 80.0, "democratic": 90.0, "portfolio": 90.0},
    ])
    out = cadre_scores(persons, TEAMS, 100.0, RULES).set_index("person_id")
    # head: 70 % of the team's 90 = 63, plus 0.3 × 80 = 24 → 87
    assert out.loc["h", "score"] == pytest.approx(87.0)
    # member: 50 % of 60 = 30, + 0.2 × 90 = 18 (分管工作), + 24 → 72
    assert out.loc["m", "score"] == pytest.approx(72.0)
    # a team total on another scale (e.g. 1000) is rescaled to 100 first
    big = TEAMS.assign(total=TEAMS["total"] * 10)
    assert cadre_scores(persons, big, 1000.0, RULES)["score"].tolist() == pytest.approx([87, 72])


def test_members_need_a_portfolio_score():
    persons = group().assign(portfolio=None)
    with pytest.raises(DataError, match="portfolio"):
        cadre_scores(persons, TEAMS, 100.0, RULES)


def test_forced_distribution_and_triggers_on_a_hand_made_group():
    cadres = cadre_scores(group(), TEAMS, 100.0, RULES)
    # p_i = 0.5·90 + 0.2·(100 − i) + 0.3·80 = 89 − 0.2 i: p01 88.8 … p25 84.0
    assert cadres["score"].tolist() == pytest.approx([89 - 0.2 * i for i in range(1, 26)])
    out = assign_cadre_tiers(cadres, {"s": "类别"}, RULES).set_index("person_id")
    # 15:80:4:1 of 25: 3.75 → 4 优秀; 4 % → 1 基本称职 (ceiling: 1.0); 1 % → 0.25 → 0 不称职
    # triggers: p25 后5% (1.25 → 1); p10 民主测评后2% (0.5 → 1); p03 定量指标 55 < 60;
    # p07 21/60 > 1/3 of the votes; p08 20/60 = 1/3 exactly is not "超过"
    assert out.loc["p25", "triggers"] == "后5%"
    assert out.loc["p10", "triggers"] == "民主测评后2%"
    assert out.loc["p03", "triggers"] == "定量指标得分低于60%"
    assert out.loc["p07", "triggers"] == "基本称职或不称职得票超过1/3"
    assert out.loc["p08", "triggers"] == ""
    # the three ranking triggers make a cadre a 基本称职考核对象 (review), not 基本称职; the
    # vote trigger ("必须评为") demotes. 15:80:4:1 of 25: 3.75 → 4 优秀 (p01–p04); 4 % → 1.0
    # → 1 基本称职 (the last place, p25); p07 基本称职 by the votes
    expected = {f"p{i:02d}": "称职" for i in range(1, 26)}
    expected.update({"p01": "优秀", "p02": "优秀", "p03": "优秀", "p04": "优秀"})
    expected.update({"p07": "基本称职", "p25": "基本称职"})
    assert out["tier"].to_dict() == expected
    assert out["review"].to_dict() == {**{p: "" for p in expected},
                                       "p03": "基本称职考核对象", "p10": "基本称职考核对象",
                                       "p25": "基本称职考核对象"}
    assert out.loc["p03", "tier_reason"].endswith("定量指标得分低于60%,列为基本称职考核对象")
    assert "原按比例为称职" in out.loc["p07", "tier_reason"]
    # a scheme that demotes on every trigger: p03 loses 优秀 (p01, p02, p04 stay), p10 and
    # p25 are 基本称职 too
    demote = CadreRules(triggers_demote=True)
    out = assign_cadre_tiers(cadres, {"s": "类别"}, demote).set_index("person_id")
    expected = {f"p{i:02d}": "称职" for i in range(1, 26)}
    expected.update({"p01": "优秀", "p02": "优秀", "p04": "优秀"})
    expected.update({"p03": "基本称职", "p07": "基本称职", "p10": "基本称职", "p25": "基本称职"})
    assert out["tier"].to_dict() == expected
    assert "原按比例为优秀" in out.loc["p03", "tier_reason"]


def _levels() -> pd.DataFrame:
    """One sequence: 4 heads (scores 90, 80, 70, 60) and 20 members (99 … 80)."""
    rows = [{"person_id": f"h{i}", "name": f"正职{i}", "role": "head", "sequence": "s",
             "score": float(s), "democratic": 90.0} for i, s in enumerate((90, 80, 70, 60), 1)]
    rows += [{"person_id": f"m{i:02d}", "name": f"成员{i}", "role": "member", "sequence": "s",
              "score": float(100 - i), "democratic": 90.0} for i in range(1, 21)]
    return pd.DataFrame(rows)


def test_three_levels_are_ranked_and_distributed_separately():
    out = assign_cadre_tiers(_levels(), {"s": "类别"}, RULES).set_index("person_id")
    # heads (4): 15 % × 4 = 0.6 → 1 优秀 (h1); 4 % → 0.16 → 0; 1 % → 0: the rest 称职
    assert [out.loc[f"h{i}", "tier"] for i in range(1, 5)] == ["优秀", "称职", "称职", "称职"]
    # members (20): 3 优秀 (m01–m03); 4 % × 20 = 0.8 → 0 基本称职; 后5% of 20 = 1 → m20 review
    assert [out.loc[f"m{i:02d}", "tier"] for i in (1, 2, 3, 4)] == ["优秀"] * 3 + ["称职"]
    assert out.loc["m20", "review"] == "基本称职考核对象" and out.loc["h4", "review"] == ""
    assert out.loc["h1", "tier_reason"].startswith("类别·班子正职第1名")
    # one pool of 24 (the old reading): 15 % × 24 = 3.6 → 4 优秀, all members; the lowest
    # head is 24th of 24 and the 后5% trigger (1.2 → 1) falls on him
    pooled = assign_cadre_tiers(_levels(), {"s": "类别"}, CadreRules(by_role=False))
    pooled = pooled.set_index("person_id")
    assert sorted(pooled.index[pooled["tier"] == "优秀"]) == ["m01", "m02", "m03", "m04"]
    assert pooled.loc["h4", "triggers"] == "后5%" and out.loc["h4", "triggers"] == ""


def test_unknown_role_is_an_error():
    persons = group().assign(role="deputy")
    with pytest.raises(DataError, match="unknown roles"):
        cadre_scores(persons, TEAMS, 100.0, RULES)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 60), st.randoms(use_true_random=False))
def test_triggered_cadres_are_never_above_basic(n, rnd):
    persons = pd.DataFrame([{
        "person_id": f"p{i}", "unit_id": "U1", "name": f"干部{i}", "role": "member",
        "year": 2020, "character": rnd.uniform(50, 100), "democratic": rnd.uniform(50, 100),
        "portfolio": rnd.uniform(30, 100), "quantitative": rnd.uniform(40, 100),
        "votes_total": 30.0, "votes_basic": float(rnd.randint(0, 15))} for i in range(n)])
    out = assign_cadre_tiers(cadre_scores(persons, TEAMS, 100.0, RULES), {"s": "类别"}, RULES)
    voted = out["triggers"].str.contains("得票超过1/3")
    assert out.loc[voted, "tier"].isin(["基本称职", "不称职"]).all()
    others = out["triggers"].str.replace("基本称职或不称职得票超过1/3", "").str.strip("、") != ""
    assert (out.loc[others, "review"] == "基本称职考核对象").all()
    assert (out.loc[~others, "review"] == "").all()
    # the forced distribution's top share is a ceiling: at most 15 % rounded (≥ 1), beyond
    # it only units tied with the last one inside (ties at a cut go up)
    k = max(1, round(0.15 * n + 1e-9))
    top = out.loc[out["tier"] == "优秀", "score"].sort_values(ascending=False)
    if len(top) > k:
        assert (top.iloc[k:] == top.iloc[k - 1]).all()
    assert (basic_triggers(out, RULES) == out["triggers"]).all()


def test_cadre_table_on_the_sample_and_cli(tmp_path):
    d = load_data(SAMPLE_DIR / "xiangxi_departments")
    s = load_scheme(SCHEMES_DIR / "xiangxi_departments.yaml")
    t = cadre_table(d, s, 2011)
    assert set(t["role"]) == {"班子正职", "班子成员"}
    assert t["tier"].isin(RULES.labels).all() and t["tier"].nunique() >= 2
    # 三个层次: each (sequence, role) is ranked from 1 to its size; 田涛平 (班子正职) is ranked
    # among the 6 heads of his sequence, not 24th of 24 with the members
    for _, grp in t.groupby(["sequence", "role"]):
        assert grp["rank"].min() == 1 and grp["rank"].max() <= len(grp)
    tian = t.loc[t["name"] == "田涛平"].iloc[0]
    assert tian["role"] == "班子正职" and tian["rank"] == 6
    assert tian["tier_reason"].startswith("社会发展部门·班子正职第6名/6")
    # ranking triggers flag for review; no group is large enough for a 4 % 基本称职 (≤ 24)
    assert (t["review"] != "").sum() == (t["triggers"].str.replace(
        "基本称职或不称职得票超过1/3", "").str.strip("、") != "").sum() > 0
    res = CliRunner().invoke(app, ["score", "--data", str(SAMPLE_DIR / "xiangxi_departments"),
                                   "--scheme", str(SCHEMES_DIR / "xiangxi_departments.yaml"),
                                   "--year", "2011", "--level", "cadres",
                                   "--out", str(tmp_path / "c.csv")])
    assert res.exit_code == 0, res.output
    back = pd.read_csv(tmp_path / "c.csv", encoding="utf-8-sig")
    assert len(back) == len(t) and list(back.columns) == list(t.columns)


def test_cadre_level_without_persons_says_so():
    d = load_data(SAMPLE_DIR / "yiyang")
    with pytest.raises(DataError, match="persons.csv"):
        cadre_table(d, load_scheme(SCHEMES_DIR / "changsha.yaml"), 2019)
