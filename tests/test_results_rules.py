"""Results use (结果运用) as a scheme declares it: 末位 → 约谈/诫勉, 进步幅度大 → 进步奖励,
排位靠前/靠后 → 绩效奖金 上浮/下浮 (seeds/000), follow-ups only where declared, and years
before a scheme's first year labelled as back-calculated."""

from __future__ import annotations

import pytest

from perfanalysis import (
    SchemeError,
    followup_flags,
    load_data,
    load_scheme,
    pay_factors,
    result_flags,
    scheme_from_mapping,
    scorecard,
    tier_history,
)
from perfanalysis.engine.scheme import Followup
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR

from .helpers import preset_mapping, write_dataset

# min–max on x: with a 0 and a 100 in each year the total equals x
X = {"A": (100, 80), "B": (80, 60), "C": (60, 30), "D": (40, 0), "E": (0, 100)}  # 2018, 2019
SCHEME = {
    "id": "r", "name": "结果运用测试", "year": 2019, "sequences": {"s": "序列"},
    "components": [{"id": "indicators", "name": "指标", "points": 100, "source": "indicators",
                    "children": [{"id": "x", "name": "X", "points": 100, "method": "minmax"}]}],
    "tiers": {"method": "quota_threshold", "labels": ["优秀", "达标", "基本达标", "不达标"],
              "quota": [{"share": 0.2}],
              "thresholds": [{"label": "达标", "min_total": 60},
                             {"label": "基本达标", "min_total": 40}]},
    "results": {"rules": [
        {"id": "top", "name": "排位靠前", "kind": "top", "share": 0.4, "pay_change": 0.1,
         "consequence": "上浮"},
        {"id": "low", "name": "排位靠后", "kind": "bottom", "share": 0.4, "pay_change": -0.1,
         "consequence": "下浮"},
        {"id": "last", "name": "末位", "kind": "bottom", "count": 1, "pay_change": -1.0,
         "consequence": "约谈、诫勉谈话;不予发放"},
        {"id": "best", "name": "结果优异", "kind": "tier", "tier": "优秀",
         "consequence": "综合奖励"},
        {"id": "prog", "name": "进步幅度大", "kind": "progress", "min_places": 2,
         "consequence": "进步奖励"}]},
}


@pytest.fixture
def data(tmp_path):
    obs = [{"unit_id": u, "year": y, "indicator": "x", "value": v}
           for u, vals in X.items() for y, v in zip((2018, 2019), vals)]
    folder = write_dataset(tmp_path / "d", {
        "units": [{"unit_id": u, "name": f"{u}单位", "sequence": "s"} for u in X],
        "observations": obs})
    return load_data(folder)


def test_result_flags_hand_worked(data) -> None:
    scheme = scheme_from_mapping(SCHEME)
    card = scorecard(data, scheme, 2019)
    # 2019 totals = x: E 100 (1st), A 80, B 60, C 30, D 0 (5th); 2018: A B C D E
    assert dict(zip(card["unit_id"], card["rank"])) == {"E": 1, "A": 2, "B": 3, "C": 4, "D": 5}
    flags = result_flags(data, scheme, 2019, card)
    got = {(r.unit_id, r.rule) for r in flags.itertuples()}
    # top 0.4 × 5 = 2 → E, A; bottom 2 → C, D; 末位 1 → D; 优秀 (quota 0.2 × 5 = 1) → E;
    # progress ≥ 2 places: E 5th → 1st (4 places); A fell 1, B 1, C 1, D 1: none
    assert got == {("E", "top"), ("A", "top"), ("C", "low"), ("D", "low"), ("D", "last"),
                   ("E", "best"), ("E", "prog")}
    # the comparison year 2018 precedes the scheme's first year 2019: said on the progress row
    notes = {(r.unit_id, r.rule): r.note for r in flags.itertuples()}
    assert notes[("E", "prog")] == "上年排名按2019年方案回溯测算"
    assert notes[("E", "top")] == ""
    # pay: E, A 1 + 0.1; B 1; C 1 − 0.1; D 1 − 0.1 − 1.0 < 0 → 0 (不予发放)
    pay = pay_factors(card, flags)
    assert pay.to_dict() == pytest.approx({"E": 1.1, "A": 1.1, "B": 1.0, "C": 0.9, "D": 0.0})


def test_back_calculated_years_are_labelled(data) -> None:
    scheme = scheme_from_mapping(SCHEME)
    hist = tier_history(data, scheme).table
    notes = dict(zip(hist["year"], hist["note"]))
    assert notes == {2018: "按2019年方案回溯测算", 2019: ""}
    no_progress = {**SCHEME, "results": {"rules": SCHEME["results"]["rules"][:4]}}
    flags = result_flags(data, scheme_from_mapping(no_progress), 2018)
    assert set(flags["note"]) == {"按2019年方案回溯测算"}


def test_result_rules_ties_share_the_place(data) -> None:
    scheme = scheme_from_mapping(SCHEME)
    card = scorecard(data, scheme, 2019).copy()
    card.loc[card["unit_id"] == "C", "rank"] = 5  # C tied with D for last place
    flags = result_flags(data, scheme, 2019, card)
    assert set(flags.loc[flags["rule"] == "last", "unit_id"]) == {"C", "D"}


def test_result_rules_validated() -> None:
    raw = {**SCHEME, "results": {"rules": [{"id": "a", "name": "a", "kind": "bottom",
                                            "consequence": "约谈"}]}}
    with pytest.raises(SchemeError, match="exactly one of 'count' or 'share'"):
        scheme_from_mapping(raw)
    raw["results"] = {"rules": [{"id": "a", "name": "a", "kind": "tier", "tier": "很好",
                                 "consequence": "奖励"}]}
    with pytest.raises(SchemeError, match="name unknown tiers"):
        scheme_from_mapping(raw)


def test_followups_apply_only_where_declared() -> None:
    yiyang = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    assert yiyang.tiers.followup_rules() == []
    raw = preset_mapping("yiyang_2018")
    del raw["tiers"]["followups"]
    assert scheme_from_mapping(raw).tiers.followup_rules() == []  # omitted: none, not Heshan's
    for name in ("heshan_2013", "heshan_2013_departments"):
        rules = load_scheme(SCHEMES_DIR / f"{name}.yaml").tiers.followup_rules()
        assert [(f.tier, f.years, f.consequence) for f in rules] == [
            ("基本达标", 2, "通报批评"), ("不达标", 2, "组织调整")]


def test_followup_on_a_back_calculated_year_says_so() -> None:
    import pandas as pd
    hist = pd.DataFrame({"unit_id": ["a"] * 3, "name": ["甲"] * 3, "year": [2017, 2018, 2019],
                         "tier": ["基本达标"] * 3,
                         "note": ["按2018年方案回溯测算", "", ""]})
    flags = followup_flags(hist, [Followup(tier="基本达标", years=2, consequence="通报批评")])
    assert list(zip(flags["year"], flags["note"])) == [
        (2018, "含按2018年方案回溯测算的年份"), (2019, "")]


def test_yiyang_2018_results_on_the_sample() -> None:
    data = load_data(SAMPLE_DIR / "yiyang")
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    card = scorecard(data, scheme, 2019)
    flags = result_flags(data, scheme, 2019, card)
    last = card.loc[card["rank"] == card["rank"].max(), "unit_id"]
    assert set(flags.loc[flags["rule"] == "last_place", "unit_id"]) == set(last)
    # 8 counties: 排位靠前/靠后 0.25 × 8 = 2 each (no ties on the sample's totals)
    assert (flags["rule"] == "top_ranked").sum() == 2
    assert (flags["rule"] == "bottom_ranked").sum() == 2
    # every rule quotes its source line and is marked as an assumption
    assert all(r.quote and r.assumption for r in scheme.results.rules)
    assert "六届二次" in (scheme.source or "") and "七届" not in (scheme.source or "")


def test_score_command_says_back_calculated_and_lists_results() -> None:
    from typer.testing import CliRunner

    from perfanalysis.cli import app

    args = ["score", "--data", str(SAMPLE_DIR / "yiyang"), "--scheme",
            str(SCHEMES_DIR / "yiyang_2018.yaml")]
    res = CliRunner().invoke(app, [*args, "--year", "2017"])
    assert res.exit_code == 0, res.output
    assert "2017年早于方案施行年份(2018年),等次为按2018年方案回溯测算" in res.output
    res = CliRunner().invoke(app, [*args, "--year", "2019"])
    assert res.exit_code == 0, res.output
    assert "回溯测算" not in res.output
    assert "末位水平 → 责任人约谈、诫勉谈话或调整岗位" in res.output


def test_history_table_of_the_report_labels_back_calculated_years() -> None:
    from perfanalysis.report.brief import display_history

    data = load_data(SAMPLE_DIR / "yiyang")
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    wide = display_history(tier_history(data, scheme).table, scheme.sequences)
    assert list(wide.columns) == ["单位", "序列", "2017年(按2018年方案回溯测算)", "2018年",
                                  "2019年"]
