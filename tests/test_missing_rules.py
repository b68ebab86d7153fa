"""Missing values in points scoring by rule (issue 14, item 14): error / zero / reweight."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfanalysis import DataError, leaf_scores, load_data, scheme_from_mapping, score

from .helpers import write_dataset

# one component of 100: group G (60 = a 40 minmax + b 20 pass_fail ≥ 10) and c 40 minmax
SCHEME = {
    "id": "m", "name": "缺数测试", "sequences": {"s": "序列"},
    "components": [{"id": "indicators", "name": "指标", "points": 100, "source": "indicators",
                    "children": [
        {"id": "G", "name": "甲组", "points": 60, "children": [
            {"id": "a", "name": "指标A", "points": 40, "method": "minmax"},
            {"id": "b", "name": "指标B", "points": 20, "method": "pass_fail", "threshold": 10},
        ]},
        {"id": "c", "name": "指标C", "points": 40, "method": "minmax"},
    ]}],
    "tiers": {"method": "forced_distribution", "labels": ["一等", "二等"], "shares": [0.5, 0.5]},
}
VALUES = {  # unit: (a, b, c); None = missing
    "u1": (10.0, 12.0, 1.0),
    "u2": (20.0, None, 3.0),
    "u3": (30.0, 5.0, 2.0),
    "u4": (None, 11.0, 3.0),
}
NAMES = {"u1": "一县", "u2": "二县", "u3": "三县", "u4": "四县"}


def _data(tmp_path, values=VALUES):
    obs = [{"unit_id": u, "year": 2020, "indicator": i, "value": v}
           for u, row in values.items() for i, v in zip("abc", row) if v is not None]
    folder = write_dataset(tmp_path / "d", {
        "units": [{"unit_id": u, "name": NAMES.get(u, u), "sequence": "s"} for u in values],
        "observations": obs})
    return load_data(folder)


def _scheme(**changes):
    raw = copy.deepcopy(SCHEME)
    if "missing" in changes:
        raw["missing"] = changes["missing"]
    for ind, rule in changes.get("per", {}).items():
        for node in [*raw["components"][0]["children"], *raw["components"][0]["children"][0]
                     ["children"]]:
            if node["id"] == ind:
                node["missing"] = rule
    return scheme_from_mapping(raw)


def test_default_error_names_unit_in_chinese_and_suggests_the_rule(tmp_path):
    with pytest.raises(DataError) as info:
        score(_data(tmp_path), _scheme(), 2020)
    text = str(info.value)
    assert "二县 (u2)" in text and "指标B (b)" in text and "四县 (u4)" in text
    assert "missing:" in text and "reweight" in text


def test_zero_scores_the_gap_zero_and_compares_the_rest(tmp_path):
    t = score(_data(tmp_path), _scheme(missing="zero"), 2020).set_index("unit_id")["total"]
    # a (u4 missing) minmax over u1..u3 = 10, 20, 30 → 0, ½, 1 → 0, 20, 40; u4 a = 0
    # b pass_fail ≥ 10: u1 20, u2 missing → 0, u3 0, u4 20
    # c minmax 1..3: u1 0, u2 40, u3 20, u4 40
    assert t.to_dict() == pytest.approx({"u1": 20.0, "u2": 60.0, "u3": 60.0, "u4": 60.0})


def test_reweight_gives_the_points_to_the_rest_of_the_group(tmp_path):
    sch = _scheme(missing="reweight")
    t = score(_data(tmp_path), sch, 2020).set_index("unit_id")["total"]
    # u2 lacks b (20 of G's 60): a is worth 60 → ½·60 = 30; c 40 → 70
    # u4 lacks a (40 of 60): b is worth 60 → passes, 60; c 40 → 100
    # u1: 0 + 20 + 0 = 20; u3: 40 + 0 + 20 = 60
    assert t.to_dict() == pytest.approx({"u1": 20.0, "u2": 70.0, "u3": 60.0, "u4": 100.0})
    leaves = leaf_scores(_data(tmp_path), sch, 2020).set_index(["unit_id", "indicator"])
    assert leaves.loc[("u2", "a"), "points"] == pytest.approx(60.0)
    assert leaves.loc[("u2", "b"), ["points", "missing"]].tolist() == [0.0, "reweight"]
    assert leaves.loc[("u1", "a"), "missing"] == ""


def test_per_indicator_rule_overrides_the_scheme(tmp_path):
    # b reweights, a zero: u2 → a 60·½ = 30 + c 40 = 70; u4 → a 0, b 20, c 40 = 60
    t = score(_data(tmp_path), _scheme(missing="zero", per={"b": "reweight"}),
              2020).set_index("unit_id")["total"]
    assert t[["u2", "u4"]].tolist() == pytest.approx([70.0, 60.0])
    # only a handled: b's gap (u2) still stops the year
    with pytest.raises(DataError, match="二县"):
        score(_data(tmp_path), _scheme(per={"a": "reweight"}), 2020)


def test_reweight_passes_an_empty_group_up_and_stops_with_nothing_left(tmp_path):
    vals = {**VALUES, "u4": (None, None, 3.0)}
    t = score(_data(tmp_path / "1", vals), _scheme(missing="reweight"), 2020)
    # u4 has nothing in G: G's 60 go to c, worth 100; c minmax 1..3 → u4 = 1 → 100
    assert t.set_index("unit_id").loc["u4", "total"] == pytest.approx(100.0)
    vals = {**VALUES, "u4": (None, None, None)}
    with pytest.raises(DataError, match="nothing to give the points to"):
        score(_data(tmp_path / "2", vals), _scheme(missing="reweight"), 2020)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.booleans(), st.booleans()), min_size=3,
                max_size=6))
def test_reweight_keeps_points_possible_and_never_exceeds_them(tmp_path_factory, rows):
    vals = {f"u{i}": (a if keep_a else None, 12.0 if keep_b else 5.0, float(i))
            for i, (a, keep_a, keep_b) in enumerate(rows)}
    if all(v[0] is None for v in vals.values()):
        return
    data = _data(tmp_path_factory.mktemp("h"), vals)
    sch = _scheme(missing="reweight")
    leaves = leaf_scores(data, sch, 2020)
    possible = leaves.groupby("unit_id")["points"].sum()
    np.testing.assert_allclose(possible.to_numpy(), 100.0)  # the total possible stays 100
    assert (leaves["score"] <= leaves["points"] + 1e-9).all()
    t = score(data, sch, 2020)["total"]
    assert ((t >= -1e-9) & (t <= 100 + 1e-9)).all()


def test_scorecard_states_the_rule_and_lists_the_gaps(tmp_path):
    from perfanalysis.report.summary import missing_sentences, score_detail

    sch = _scheme(missing="zero", per={"b": "reweight"})
    text = "".join(missing_sentences(score_detail(_data(tmp_path), sch, 2020), sch))
    assert "缺数的指标记0分" in text and "“指标B”缺数的指标按“不适用”处理" in text
    # two gaps: 二县 lacks b (reweighted), 四县 lacks a (zero)
    assert "共有2项指标缺数" in text
    assert "二县(u2):“指标B”(不适用" in text and "四县(u4):“指标A”(缺数记0分)" in text
    clean = _scheme()
    full = {u: (1.0, 12.0, 2.0) for u in VALUES}
    assert missing_sentences(score_detail(_data(tmp_path / "f", full), clean, 2020),
                             clean) == ["缺数处理规则:缺数时不计分,须补齐数据。"]
