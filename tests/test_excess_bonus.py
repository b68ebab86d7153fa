"""Provincial speech (seeds/001): "规避加分天花板……在各个加分点上全面铺开" — a ceiling per bonus
item and on the block — and 超额完成任务加分 inside the bonus block under both ceilings."""

from __future__ import annotations

import pytest

from perfanalysis import SchemeError, load_data, load_scheme, scheme_from_mapping, score
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR

from .helpers import write_dataset

RAW = {
    "id": "x", "name": "超额加分测试", "sequences": {"s": "设区市"},
    "events": {"commend": "表彰"},
    "components": [{"id": "indicators", "name": "指标", "points": 100, "source": "indicators",
                    "children": [
        {"id": "g", "name": "GDP增速", "points": 10, "method": "gap_points", "basis": "growth",
         "per_point": 1, "target": {"rule": "uniform", "value": 0.05}},
        {"id": "x", "name": "财政收入", "points": 90, "method": "completion", "cap": 1.0,
         "target": {"rule": "uniform", "value": 100}}]}],
    "bonus": {"cap": 4, "rules": [
        {"id": "commendation", "name": "表彰奖励加分", "points": {"commend": 2}, "cap": 3},
        {"id": "excess", "kind": "excess", "name": "超额完成任务加分", "indicators": ["g", "x"],
         "per_point": 0.5, "max_per_indicator": 1, "cap": 1.5}]},
    "tiers": {"method": "forced_distribution", "labels": ["一等", "二等"], "shares": [0.5, 0.5]},
}


@pytest.fixture
def data(tmp_path):
    obs = [{"unit_id": "A", "year": 2018, "indicator": "g", "value": 100},
           {"unit_id": "A", "year": 2019, "indicator": "g", "value": 110},
           {"unit_id": "B", "year": 2018, "indicator": "g", "value": 100},
           {"unit_id": "B", "year": 2019, "indicator": "g", "value": 103},
           {"unit_id": "A", "year": 2019, "indicator": "x", "value": 130},
           {"unit_id": "B", "year": 2019, "indicator": "x", "value": 101}]
    folder = write_dataset(tmp_path / "d", {
        "units": [{"unit_id": u, "name": u, "sequence": "s"} for u in "AB"],
        "observations": obs,
        "events": [{"unit_id": "A", "year": 2019, "event": "commend", "count": 2}]})
    return load_data(folder)


def test_excess_and_item_caps_hand_worked(data) -> None:
    t = score(data, scheme_from_mapping(RAW), 2019).set_index("unit_id")
    # g: A 10 % vs 5 % → 10 points (no deduction); excess 5 pp × 0.5 = 2.5 → item max 1
    #    B 3 % → 2 pp short → 10 − 2 = 8; no excess
    # x: A 130/100 → capped at 90 points; excess 30 % × 0.5 = 15 → 1.  B 101 → 90; 1 % → 0.5
    assert t.loc["A", "indicators"] == pytest.approx(100.0)
    assert t.loc["B", "indicators"] == pytest.approx(98.0)
    # A: excess 1 + 1 = 2 → rule cap 1.5; commendation 2 × 2 = 4 → rule cap 3; block 4.5 → 4
    assert t.loc["A", "bonus"] == pytest.approx(4.0)
    # B: excess 0.5, nothing else
    assert t.loc["B", "bonus"] == pytest.approx(0.5)
    assert t.loc["B", "total"] == pytest.approx(98.5)


def test_excess_rule_needs_target_indicators() -> None:
    raw = {**RAW, "bonus": {"rules": [{"id": "e", "kind": "excess", "name": "超额",
                                        "indicators": ["nope"], "per_point": 1}]}}
    with pytest.raises(SchemeError, match="not indicators with a target"):
        scheme_from_mapping(raw)


def test_hunan_preset_keeps_excess_under_the_ceilings() -> None:
    scheme = load_scheme(SCHEMES_DIR / "hunan_province_tiers.yaml")
    rules = {r.id: r for r in scheme.bonus.rules}
    assert rules["excess"].kind == "excess" and rules["excess"].cap == 3
    assert rules["commendation"].cap == 3 and rules["innovation"].cap == 2
    leaves = {leaf.id: leaf for leaf in scheme.indicators()}
    # no leaf pays above its points any more; growth targets at least 2 %
    assert all(leaf.max_bonus == 0 for leaf in leaves.values() if leaf.method == "gap_points")
    assert leaves["fiscal_revenue"].target.min_growth == 0.02
    data = load_data(SAMPLE_DIR / "yiyang")
    from perfanalysis import leaf_scores
    leaves_2019 = leaf_scores(data, scheme, 2019).set_index(["unit_id", "indicator"])
    # 大通湖区 财政收入增速: its own 3-year average growth is negative (−1.6 % before the
    # bound); the province issues at least 2 %
    assert leaves_2019.loc[("datonghu", "fiscal_revenue"), "target"] == pytest.approx(0.02)
    t = score(data, scheme, 2019)
    assert (t["bonus"] <= 5 + 1e-9).all()
    assert (t["indicators"] <= 85 + 1e-9).all()
