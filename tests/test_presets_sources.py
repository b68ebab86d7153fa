"""Each source preset on a worked example, computed by hand from the source's rules.

Where a preset's indicator tree is an assumption (the sources give weights, not items),
the example replaces it with one completion indicator against a uniform target of 100, so
the component's score is points × value / 100 and the hand arithmetic checks what the
source does fix: component weights, splits, bonus and deduction rules, tiers.
"""

from __future__ import annotations

from itertools import pairwise

import pandas as pd
import pytest

from perfanalysis import load_data, load_scheme, scheme_from_mapping, score_detail, scorecard
from perfanalysis.engine.tiers import quota_for
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR

from .helpers import preset_mapping, write_dataset

SOURCE_PRESETS = ["zhangjiagang_departments", "zhangjiagang_towns", "hunan_province_tiers",
                  "xiangxi_counties", "xiangxi_departments", "changsha",
                  "heshan_2013_departments", "yiyang_departments"]


def one_leaf(points: float, leaf_id: str = "q") -> dict:
    return {"id": leaf_id, "name": "综合指标", "points": points, "method": "completion",
            "target": {"rule": "uniform", "value": 100}}


def run(tmp_path, raw, units, obs, ratings=(), events=(), year=2013) -> pd.DataFrame:
    tables = {"units": [{"unit_id": u, "name": f"单位{u}", "sequence": s} for u, s in units],
              "observations": [{"unit_id": u, "year": y, "indicator": i, "value": v}
                               for u, y, i, v in obs]}
    if ratings:
        tables["ratings"] = [{"unit_id": u, "year": year, "component": c, "score": x}
                             for u, c, x in ratings]
    if events:
        tables["events"] = [{"unit_id": u, "year": year, "event": e, "count": n, "project": "",
                             "points": p} for u, e, n, p in events]
    data = load_data(write_dataset(tmp_path, tables))
    return scorecard(data, scheme_from_mapping(raw), year).set_index("unit_id")


@pytest.mark.parametrize("name", SOURCE_PRESETS)
def test_preset_marks_every_assumed_leaf(name):
    """Every indicator leaf is an assumption (no source lists the items with points)."""
    s = load_scheme(SCHEMES_DIR / f"{name}.yaml")
    assert s.source and all(leaf.assumption for leaf in s.indicators())
    text = (SCHEMES_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    assert "seeds/00" in text and "NOT in the source" in text or "Readings" in text


def test_zhangjiagang_departments_60_20_20(tmp_path):
    s = load_scheme(SCHEMES_DIR / "zhangjiagang_departments.yaml")
    pts = {c.id: c.points for c in s.components}
    # 实绩评估60%, 定性评价20%, 社会评议20% split half and half
    assert pts == {"results": 60, "leadership": 20, "grassroots_review": 10,
                   "efficiency_survey": 10}
    assert len(s.sequences) == 4
    units = [("A", "economic_service"), ("B", "economic_service"), ("C", "economic_service")]
    obs = [(u, 2013, i, v) for u, k in (("A", 100), ("B", 90), ("C", 50))
           for i, v in (("key_tasks", k), ("service", 80), ("innovation", 70))]
    ratings = [("A", "leadership", 18), ("A", "grassroots_review", 8), ("A", "efficiency_survey", 9),
               ("B", "leadership", 19), ("B", "grassroots_review", 9), ("B", "efficiency_survey", 9),
               ("C", "leadership", 20), ("C", "grassroots_review", 10),
               ("C", "efficiency_survey", 10)]
    t = run(tmp_path, preset_mapping("zhangjiagang_departments"), units, obs, ratings)
    # service and innovation equal across units: full 10 + 10.
    # A: 40·1.0 + 20 = 60; 60 + 18 + 8 + 9 = 95
    # B: 40·0.9 + 20 = 56; 56 + 19 + 9 + 9 = 93
    # C: 50 % is below the 60 % floor → 0 + 20 = 20; 20 + 20 + 10 + 10 = 60
    assert t.loc[["A", "B", "C"], "total"].tolist() == pytest.approx([95, 93, 60])
    # 优秀 share 0.2 of 3 = 0.6 → floor 0, at least 1: only A
    assert t.loc[["A", "B", "C"], "tier"].tolist() == ["优秀", "合格", "合格"]
    # 所属类别后两位取消评优资格: B and C are the last two of the category
    assert t.loc[["B", "C"], "tier_reason"].str.contains("后两位").all()
    assert not t.loc["A", "tier_reason"].count("后两位")


def test_zhangjiagang_towns_thousand_points(tmp_path):
    s = load_scheme(SCHEMES_DIR / "zhangjiagang_towns.yaml")
    assert s.max_points == 1000  # 千分制
    units = [("T1", "towns"), ("T2", "towns"), ("T3", "towns"), ("T4", "towns")]
    same = {"gdp": (100, 110), "foreign_investment": (100, 110), "urban_income": (100, 110),
            "rural_income": (100, 110), "fai": (100, 110), "stability": (90, 90),
            "safety_accidents": (0, 0)}
    own = {"T1": {"env": 95, "soc": 98, "fiscal": 110}, "T2": {"env": 70, "soc": 95, "fiscal": 110},
           "T3": {"env": 82.5, "soc": 80, "fiscal": 110}, "T4": {"env": 95, "soc": 98, "fiscal": 55}}
    obs = []
    for u, _ in units:
        for ind, (a, b) in same.items():
            obs += [(u, 2012, ind, a), (u, 2013, ind, b)]
        o = own[u]
        obs += [(u, 2012, "fiscal_revenue", 100), (u, 2013, "fiscal_revenue", o["fiscal"]),
                (u, 2012, "env_quality", o["env"]), (u, 2013, "env_quality", o["env"]),
                (u, 2012, "social_security", o["soc"]), (u, 2013, "social_security", o["soc"])]
    obs = [(u, y, i, 1 if (i == "safety_accidents" and u == "T2" and y == 2013) else v)
           for u, y, i, v in obs]
    events = [("T2", "innovation_award", 1, None), ("T3", "supervision_deduction", 1, 4.0),
              ("T3", "criticism_city", 1, None)]
    t = run(tmp_path, preset_mapping("zhangjiagang_towns"), units, obs, events=events)
    # kpi: equal growth → full efficacy (gdp 150, foreign 80); fiscal and fai completion
    # against last year × 1.1 = 110 → 150 and 120: kpi 500 (T4: fiscal 55/110 = 0.5 → 75: 425)
    # modernisation: incomes 100 + 100; env (满意值95, 不允许值70): 95 → 100, 70 → 60,
    # 82.5 → 60 + 40·12.5/25 = 80; social security (目标98, 每差1个百分点扣10分): 98 → 100,
    # 95 → 70, 80 → 100 − 180 → 0
    # support: stability 50; safety 50 − 10 per accident
    # T1: 500 + 400 + 100 = 1000
    # T2: 500 + (200 + 60 + 70) + (40 + 50) + 10 innovation = 930
    # T3: 500 + (200 + 80 + 0) + 100 − (4 from data + 10 criticism) = 866
    # T4: 425 + 400 + 100 = 925
    assert t.loc[["T1", "T2", "T3", "T4"], "total"].tolist() == pytest.approx([1000, 930, 866, 925])
    assert t.loc["T3", "penalty"] == pytest.approx(14)
    # top 3 先进; T3 866 ≥ 850 → 达标
    assert t.loc[["T1", "T2", "T4", "T3"], "tier"].tolist() == ["先进", "先进", "先进", "达标"]


def test_hunan_province_tiers_affirmation_ceiling_and_deductions(tmp_path):
    raw = preset_mapping("hunan_province_tiers")
    raw["components"][0]["children"] = [{
        "id": "q", "name": "省考评指标", "points": 85, "method": "gap_points",
        "basis": "given_rate", "per_point": 1, "target": {"rule": "uniform", "value": 0.08}}]
    # 超额完成任务加分 is a bonus rule (issue 22: under the item and block ceilings)
    excess = next(r for r in raw["bonus"]["rules"] if r["id"] == "excess")
    excess["indicators"] = ["q"]
    rates = {"C1": 10, "C2": 9, "C3": 8, "C4": 7, "C5": 6, "C6": 5, "C7": -100}
    units = [(u, "counties") for u in rates]
    obs = [(u, 2013, "q", r) for u, r in rates.items()]
    ratings = [(u, "public_recognition", 14) for u in rates]
    events = [("C1", "commendation_national", 3, None), ("C4", "affirmation", 1, None),
              ("C6", "affirmation", 1, None), ("C6", "veto", 1, None)]
    t = run(tmp_path, raw, units, obs, ratings, events)
    # q: 85 − (8 − rate)·1 below target, never below 0: C1–C3 85, C4 84, C5 83, C6 82,
    # C7 0 (108 points short, stops at zero). 超额 (bonus): min((rate − 8)·0.5, 1): C1 1,
    # C2 0.5. C1's commendations 3 × 2 = 6 → the item's cap 3; bonus 3 + 1 = 4 (the
    # block's 加分天花板 5 does not bind). Totals: +14 rating each.
    assert t.loc[list(rates), "total"].tolist() == pytest.approx(
        [103, 99.5, 99, 98, 97, 96, 14])
    assert t.loc["C1", "bonus"] == 4
    # 7 cities, shares 30:55:15 → 2 / 4 / 1. 一票肯定 puts C4 in 一等 beyond the count;
    # C6 is affirmed too but has a 一票否决 that year: not 一等.
    tiers = t["tier"].to_dict()
    assert [tiers[u] for u in ("C1", "C2", "C4")] == ["一等"] * 3
    assert [tiers[u] for u in ("C3", "C5", "C6")] == ["二等"] * 3
    assert tiers["C7"] == "三等"


@pytest.mark.parametrize("name, weights", [
    ("xiangxi_counties", {"routine": 20, "annual": 45, "self_building": 20,
                          "public_recognition": 15}),
    ("xiangxi_departments", {"routine": 15, "annual": 50, "self_building": 15,
                             "public_recognition": 20}),
])
def test_xiangxi_weights_and_forced_distribution(tmp_path, name, weights):
    raw = preset_mapping(name)
    assert {c["id"]: c["points"] for c in raw["components"]} == weights
    annual = weights["annual"]
    raw["components"][1]["children"] = [one_leaf(annual)]
    seq = next(iter(raw["sequences"]))
    units = [(f"U{i}", seq) for i in range(8)]
    # unit i: annual = annual·(100 − 5i)/100; ratings 0.8 of each maximum
    obs = [(u, 2013, "q", 100 - 5 * i) for i, (u, _) in enumerate(units)]
    ratings = [(u, c, 0.8 * p) for u, _ in units for c, p in weights.items() if c != "annual"]
    t = run(tmp_path, raw, units, obs, ratings)
    rated = 0.8 * (100 - annual)
    expected = [annual * (100 - 5 * i) / 100 + rated for i in range(8)]
    # e.g. counties U0: 45 + 0.8·55 = 89; U7: 45·0.65 + 44 = 73.25
    assert t.loc[[u for u, _ in units], "total"].tolist() == pytest.approx(expected)
    # 15:80:5 of 8: 1.2 → 1 一等; 5 % of 8 = 0.4 → no 三等
    assert t.loc[[u for u, _ in units], "tier"].tolist() == ["一等"] + ["二等"] * 7


def test_xiangxi_departments_are_the_seven_department_categories():
    s = load_scheme(SCHEMES_DIR / "xiangxi_departments.yaml")
    assert list(s.sequences.values()) == ["党委部门", "群团部门", "政务部门", "经济管理部门",
                                          "社会发展部门", "执法监督部门", "人大政协各委室"]


def test_changsha_blocks_and_public_opinion_one_third(tmp_path):
    s = load_scheme(SCHEMES_DIR / "changsha.yaml")
    perf = s.component("performance")
    # 经济建设38分, 社会发展32分, 生态环境6分, 民生民本10分
    assert [(g.name, g.points) for g in perf.children] == [
        ("经济建设(18项)", 38), ("社会发展(15项)", 32), ("生态环境(4项)", 6), ("民生民本(4项)", 10)]
    # 民意 "占到1/3左右的权重": 43 of 129
    assert s.component("public_opinion").points / s.max_points == pytest.approx(1 / 3)
    raw = preset_mapping("changsha")
    for g, leaf_id in zip(raw["components"][0]["children"], "abcd"):
        g["children"] = [one_leaf(g["points"], leaf_id)]
    units = [(f"U{i:02d}", "counties") for i in range(20)]
    obs = [(u, 2013, k, 100 - i) for i, (u, _) in enumerate(units) for k in "abcd"]
    ratings = [(u, "public_opinion", 40 - 0.5 * i) for i, (u, _) in enumerate(units)]
    t = run(tmp_path, raw, units, obs, ratings)
    # unit i: 86·(100 − i)/100 + 40 − 0.5i = 126 − 1.36i: U00 126, U19 100.16
    assert t.loc["U00", "total"] == pytest.approx(126)
    assert t.loc["U19", "total"] == pytest.approx(100.16)
    # 15:80:5 of 20 → 3 一等, 16 二等, 1 三等
    tiers = t.loc[[u for u, _ in units], "tier"].tolist()
    assert tiers == ["一等"] * 3 + ["二等"] * 16 + ["三等"]


def test_heshan_departments_quota_is_a_ceiling(tmp_path):
    s = load_scheme(SCHEMES_DIR / "heshan_2013_departments.yaml")
    assert len(s.sequences) == 7  # the seven department sequences (二)–(八)
    # "原则上按…25%" read as a ceiling: 6 → 1 (not 2), 7 → 1, 9 → 2, 18 → 4, 27 → 6; 2 → 1
    counts = {n: quota_for(s.tiers, "party_organs", n) for n in (2, 6, 7, 9, 18, 27)}
    assert counts == {2: 1, 6: 1, 7: 1, 9: 2, 18: 4, 27: 6}
    raw = preset_mapping("heshan_2013_departments")
    raw["components"][0]["children"] = [one_leaf(700)]
    vals = {"D1": 95, "D2": 90, "D3": 85, "D4": 80, "D5": 75, "D6": 60}
    units = [(u, "party_organs") for u in vals]
    obs = [(u, 2013, "q", v) for u, v in vals.items()]
    ratings = [(u, c, x) for u in vals for c, x in (("work_report", 150), ("public_survey", 70))]
    events = [("D2", "acceptance_deducted", 1, 1.5)]  # 被扣1.5分 → 给予相应减分 1.5
    t = run(tmp_path, raw, units, obs, ratings, events)
    # 7·value + 220: D1 885, D2 850 − 1.5 = 848.5, D3 815, D4 780, D5 745, D6 640
    assert t.loc[list(vals), "total"].tolist() == pytest.approx(
        [885, 848.5, 815, 780, 745, 640])
    assert t.loc[list(vals), "tier"].tolist() == ["优秀", "达标", "达标", "达标", "达标", "基本达标"]


def test_yiyang_increment_and_growth_against_own_averages(tmp_path):
    # the default preset's gdp leaf alone: 增量+增速, each half by completion of its own
    # last-3-year average (≥ 2 % growth on last year's level), capped at 120 %
    raw = preset_mapping("yiyang_2018")
    gdp = next(leaf for leaf in raw["components"][0]["children"][0]["children"]
               if leaf["id"] == "gdp")
    assert (gdp["method"], gdp["basis"], gdp["blend"]["basis"], gdp["blend"]["indicator"]) == (
        "completion", "increment", "given_rate", "gdp_growth")
    raw["components"][0]["points"] = gdp["points"]
    raw["components"][0]["children"] = [gdp]
    raw["components"][0]["clip"] = False  # one leaf: let its cap of 120 % show
    raw["tiers"]["thresholds"] = [{"label": "达标", "min_total": 5},
                                  {"label": "基本达标", "min_total": 2}]
    series = {"big": [100, 110, 121, 133.1, 140],            # +10 % a year, then +5.18 %
              "small": [10, 10.5, 11.025, 11.57625, 12.5],   # +5 % a year, then +7.98 %
              "falling": [50, 48, 46, 45, 45.6]}             # shrinking, then +1.33 %
    obs = [(u, 2015 + i, "gdp", v) for u, vals in series.items() for i, v in enumerate(vals)]
    # the growth half reads the official rate (per cent); here it equals the levels' growth,
    # so the arithmetic below is the growth of the levels
    obs += [(u, 2016 + i, "gdp_growth", 100 * (b / a - 1)) for u, vals in series.items()
            for i, (a, b) in enumerate(pairwise(vals))]
    t = run(tmp_path, raw, [(u, "counties") for u in series], obs, year=2019)
    # big: increments 2016–2018 10, 11, 12.1 → target 33.1/3 = 11.0333 (> 2 % × 133.1 =
    # 2.662); 2019 increment 6.9 → 6.9/11.0333 = 0.62538. Growth 10 %, 10 %, 10 % → target
    # 0.10; 2019 growth 6.9/133.1 = 0.051841 → 0.51841. 8 × (0.62538 + 0.51841)/2 = 4.5751
    big = 0.5 * (6.9 / (33.1 / 3)) + 0.5 * ((6.9 / 133.1) / 0.10)
    assert t.loc["big", "total"] == pytest.approx(8 * big)
    # small: increments 0.5, 0.525, 0.55125 → target 0.525417; 2019 increment 0.92375 →
    # 1.758 → cap 1.2; growth target 5 %, 2019 growth 7.98 % → 1.596 → cap 1.2: 8 × 1.2 = 9.6
    assert t.loc["small", "total"] == pytest.approx(9.6)
    # falling: own averages are negative (increments −2, −2, −1 → −1.667; growth −4 %,
    # −4.17 %, −2.17 %), so the 2 % floor sets both targets: increment 0.02 × 45 = 0.9,
    # growth 0.02. 2019: increment 0.6 → 0.6/0.9 = 0.6667; growth 0.6/45 = 0.013333 →
    # 0.6667. 8 × 0.6667 = 5.3333
    assert t.loc["falling", "total"] == pytest.approx(8 * 0.6 / 0.9)
    # the small unit that beat its own record outscores the big one, whatever their sizes
    assert t.loc["small", "total"] > t.loc["falling", "total"] > t.loc["big", "total"]


def test_yiyang_default_gdp_points_of_datonghu_by_hand():
    # data/sample/yiyang/observations.csv, 大通湖区 gdp (亿元): 2015 34.02, 2016 35.27,
    # 2017 36.99, 2018 41.62, 2019 43.07
    data = load_data(SAMPLE_DIR / "yiyang")
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    lv = {2015: 34.02, 2016: 35.27, 2017: 36.99, 2018: 41.62, 2019: 43.07}
    obs = data.observations.set_index(["unit_id", "indicator", "year"])["value"]
    assert {y: obs[("datonghu", "gdp", y)] for y in lv} == lv
    # increment half: increments 2016–2018 = 1.25, 1.72, 4.63 → own average 7.60/3 = 2.5333
    # (above the floor 2 % × 41.62 = 0.8324); 2019 increment 43.07 − 41.62 = 1.45 →
    # completion 1.45/2.5333 = 0.57237
    inc_target = (1.25 + 1.72 + 4.63) / 3
    inc = 1.45 / inc_target
    # growth half: the official rate (gdp_growth, 可比价, per cent): 2016 2.3, 2017 3.0,
    # 2018 9.7 → own average 15.0/3 = 5.0 % (above the 2 % floor); 2019 0.4 % → completion
    # 0.4/5.0 = 0.08 (the levels' nominal growth, 3.48 %, would have given 0.496)
    rates = {2016: 2.3, 2017: 3.0, 2018: 9.7, 2019: 0.4}
    assert {y: obs[("datonghu", "gdp_growth", y)] for y in rates} == rates
    g_target = (2.3 + 3.0 + 9.7) / 3 / 100
    gro = 0.004 / g_target
    # neither reaches the 120 % cap; α = 0.5: 8 × (0.57237 + 0.08)/2 = 8 × 0.32619 = 2.6095
    assert 0.57 < inc < 0.58 and gro == pytest.approx(0.08)
    detail = score_detail(data, scheme, 2019).set_index(["unit_id", "indicator"])
    row = detail.loc[("datonghu", "gdp")]
    assert row["target"] == pytest.approx(inc_target, abs=1e-6)
    assert row["blend_target"] == pytest.approx(g_target, abs=1e-6)
    assert row["points"] == pytest.approx(8 * (0.5 * inc + 0.5 * gro), abs=1e-5)
    assert row["points"] == pytest.approx(2.6095, abs=1e-4)


def test_yiyang_departments_eight_categories():
    s = load_scheme(SCHEMES_DIR / "yiyang_departments.yaml")
    assert len(s.sequences) == 8
    assert list(s.sequences.values())[:3] == ["党群类", "经济发展类", "社会工作类"]
    assert [c.source for c in s.components] == ["indicators"]  # 取消了主观评估
    assert s.max_points == 100
