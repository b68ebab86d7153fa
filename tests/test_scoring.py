"""Scoring through the full path (files → score) with hand-computed expectations for
targets from history and from targets.csv, growth, blends, event deductions and clipping."""

from __future__ import annotations

import numpy as np
import pytest

from perfanalysis import leaf_scores, load_data, prepare, scheme_from_mapping, score
from perfanalysis.engine.scoring import component_scores, leaf_fractions

from .helpers import write_dataset

SCHEME = {
    "id": "t", "name": "测试", "sequences": {"s": "序列"}, "events": {"accident": "事故"},
    "components": [{"id": "indicators", "name": "指标", "points": 100, "source": "indicators",
                    "children": [
        {"id": "x", "name": "X", "points": 10, "method": "completion", "cap": 1.2,
         "target": {"rule": "own_average", "years": 3, "factor": 1.1}},
        {"id": "y", "name": "Y", "points": 20, "method": "efficacy",
         "blend": {"basis": "growth", "alpha": 0.5}},
        {"id": "z", "name": "Z", "points": 30, "method": "completion",
         "target": {"rule": "table"}},
        {"id": "d", "name": "D", "points": 10, "method": "deduction", "per_event": 2,
         "event": "accident"},
        {"id": "g", "name": "G", "points": 30, "method": "minmax", "basis": "growth"},
    ]}],
    "tiers": {"method": "forced_distribution", "labels": ["一等", "二等"], "shares": [0.5, 0.5]},
}
LEVELS = {"A": [100, 110, 121, 133.1], "B": [50, 50, 60, 66]}  # x and y, 2016–2019


@pytest.fixture
def data(tmp_path):
    obs = []
    for u, series in LEVELS.items():
        for ind in ("x", "y"):
            obs += [{"unit_id": u, "year": y, "indicator": ind, "value": v}
                    for y, v in zip(range(2016, 2020), series)]
    obs += [{"unit_id": "A", "year": 2019, "indicator": "z", "value": 150},
            {"unit_id": "B", "year": 2019, "indicator": "z", "value": 120},
            {"unit_id": "A", "year": 2018, "indicator": "g", "value": 200},
            {"unit_id": "A", "year": 2019, "indicator": "g", "value": 220},
            {"unit_id": "B", "year": 2018, "indicator": "g", "value": 100},
            {"unit_id": "B", "year": 2019, "indicator": "g", "value": 130}]
    folder = write_dataset(tmp_path / "d", {
        "units": [{"unit_id": u, "name": u, "sequence": "s"} for u in "AB"],
        "observations": obs,
        "targets": [{"unit_id": "A", "year": 2019, "indicator": "z", "target": 200},
                    {"unit_id": "B", "year": 2019, "indicator": "z", "target": 100}],
        "events": [{"unit_id": "A", "year": 2019, "event": "accident", "count": 3}],
    })
    return load_data(folder)


def test_hand_computed_leaf_scores(data):
    leaves = leaf_scores(data, scheme_from_mapping(SCHEME), 2019).set_index(["unit_id",
                                                                            "indicator"])
    s = leaves["score"]
    # x, own 3-year average × 1.1: A (100+110+121)/3·1.1 = 121.3667; 133.1/121.3667 = 1.0967
    assert leaves.loc[("A", "x"), "target"] == pytest.approx((100 + 110 + 121) / 3 * 1.1)
    assert s[("A", "x")] == pytest.approx(10 * 133.1 / ((100 + 110 + 121) / 3 * 1.1))
    # B (50+50+60)/3·1.1 = 58.667; 66/58.667 = 1.125 (below the cap 1.2) → 11.25
    assert s[("B", "x")] == pytest.approx(11.25)
    # y, level efficacy: A max → 1.0, B min → 0.6; growth both 10 % → both 1.0;
    # blend ½·level + ½·growth: A 20·1.0 = 20, B 20·(0.3 + 0.5) = 16
    assert s[("A", "y")] == pytest.approx(20.0) and s[("B", "y")] == pytest.approx(16.0)
    # z, targets.csv: A 150/200 = 0.75 → 22.5; B 120/100 = 1.2 → cap 1.0 → 30
    assert s[("A", "z")] == pytest.approx(22.5) and s[("B", "z")] == pytest.approx(30.0)
    # d, 3 accidents × 2 = 6 deducted from 10 → 4; B none → 10
    assert s[("A", "d")] == pytest.approx(4.0) and s[("B", "d")] == pytest.approx(10.0)
    # g, growth min–max: A 10 % (min) → 0, B 30 % (max) → 30
    assert s[("A", "g")] == pytest.approx(0.0) and s[("B", "g")] == pytest.approx(30.0)


def test_totals(data):
    t = score(data, scheme_from_mapping(SCHEME), 2019).set_index("unit_id")
    a = 10 * 133.1 / ((100 + 110 + 121) / 3 * 1.1) + 20 + 22.5 + 4 + 0
    assert t.loc["A", "total"] == pytest.approx(a, abs=1e-6)
    assert t.loc["B", "total"] == pytest.approx(11.25 + 16 + 30 + 10 + 30)
    assert t.loc["B", "rank"] == 1 and t.loc["A", "rank"] == 2


def test_component_clipped_at_points(data):
    raw = {**SCHEME, "components": [dict(SCHEME["components"][0])]}
    points = {"x": 60, "y": 10, "z": 10, "d": 10, "g": 10}
    raw["components"][0]["children"] = [{**c, "points": points[c["id"]]}
                                        for c in SCHEME["components"][0]["children"]]
    t = score(data, scheme_from_mapping(raw), 2019).set_index("unit_id")
    # B: x 60·1.125 = 67.5, y 10·0.8 = 8, z 10, d 10, g 10 → 105.5 → clipped at 100
    assert t.loc["B", "indicators"] == pytest.approx(100.0)
    # A: x 60·1.0967 = 65.80, y 10, z 7.5, d 4, g 0 → 87.30 (not clipped)
    assert t.loc["A", "indicators"] == pytest.approx(
        60 * 133.1 / ((100 + 110 + 121) / 3 * 1.1) + 10 + 7.5 + 4, abs=1e-6)


def test_weight_draws_and_data_draws(data):
    scheme = scheme_from_mapping(SCHEME)
    inp = prepare(data, scheme, 2019)
    base = component_scores(inp, scheme, leaf_fractions(inp))[..., 0]
    # two weight vectors at once: the scheme's and all 100 points on g (A 0, B 100)
    pts = np.stack([inp.leaf_points, np.array([0, 0, 0, 0, 100.0])])
    drawn = component_scores(inp, scheme, leaf_fractions(inp), points=pts)[..., 0]
    assert drawn.shape == (2, 2)
    assert drawn[0] == pytest.approx(base)
    assert drawn[1] == pytest.approx([0.0, 100.0])
    # identical data copies on a draw axis score like the data itself
    copies = np.broadcast_to(inp.level, (3, *inp.level.shape))
    assert component_scores(inp, scheme, leaf_fractions(inp, level=copies))[..., 0] == \
        pytest.approx(np.broadcast_to(base, (3, 2)))


def test_uncomputable_score_is_an_error_not_zero(tmp_path):
    from perfanalysis import DataError

    raw = {**SCHEME, "components": [{"id": "indicators", "name": "指标", "points": 10,
                                     "source": "indicators", "children": [
        {"id": "x", "name": "X", "points": 10, "method": "completion",
         "target": {"rule": "own_average", "years": 1}}]}]}
    # a target of 0 (last year's value) against an actual of 0: 0/0 has no score
    obs = [{"unit_id": u, "year": y, "indicator": "x", "value": 0 if u == "A" else 5}
           for u in "AB" for y in (2018, 2019)]
    folder = write_dataset(tmp_path / "z", {
        "units": [{"unit_id": u, "name": u, "sequence": "s"} for u in "AB"],
        "observations": obs})
    with pytest.raises(DataError, match="indicator 'x' could not be computed for unit A"):
        score(load_data(folder), scheme_from_mapping(raw), 2019)
