"""The across-county reading of "既考增量,也考增速" (issue 22): increment and growth compared
across the counties, the differentiated targets as their own items — as a preset
(yiyang_2018_across.yaml) and as the `across` scenario of the reform scenario file."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import kendalltau

import perfanalysis as pa
from perfanalysis.engine.scenarios import load_scenarios
from perfanalysis.paths import PROJ_ROOT, SAMPLE_DIR, SCHEMES_DIR
from perfanalysis.studies.weightings import compare_scenarios

from .helpers import write_dataset

YEAR = 2019
REFORM = PROJ_ROOT / "data" / "scenarios" / "yiyang_reform.yaml"


@pytest.fixture(scope="module")
def data() -> pa.Dataset:
    return pa.load_data(SAMPLE_DIR / "yiyang")


def test_across_leaf_hand_worked(tmp_path):
    # efficacy across units on the increment and on the official rate, half each
    leaf = {"id": "industry_va", "name": "规模工业增加值", "points": 10, "method": "efficacy",
            "basis": "increment",
            "blend": {"basis": "given_rate", "indicator": "industry_va_growth", "alpha": 0.5}}
    s = pa.scheme_from_mapping({
        "id": "mini", "name": "测试", "sequences": {"s": "序列"},
        "components": [{"id": "ind", "name": "指标", "points": 10, "source": "indicators",
                        "children": [leaf]}],
        "tiers": {"method": "forced_distribution", "labels": ["一等", "二等"],
                  "shares": [0.5, 0.5]}})
    units = [{"unit_id": u, "name": n, "sequence": "s"} for u, n in
             [("a", "甲"), ("b", "乙"), ("c", "丙")]]
    rows = [("a", 2017, "industry_va", 100.0), ("a", 2018, "industry_va", 95.0),
            ("b", 2017, "industry_va", 50.0), ("b", 2018, "industry_va", 54.0),
            ("c", 2017, "industry_va", 20.0), ("c", 2018, "industry_va", 21.5),
            ("a", 2018, "industry_va_growth", 5.0), ("b", 2018, "industry_va_growth", 6.0),
            ("c", 2018, "industry_va_growth", 9.0)]
    obs = [{"unit_id": u, "year": y, "indicator": i, "value": v} for u, y, i, v in rows]
    d = pa.load_data(write_dataset(tmp_path, {"units": units, "observations": obs}))
    t = pa.score(d, s, 2018).set_index("unit_id")["ind"]
    # increments −5, 4, 1.5: positions 0, 1, 6.5/9; rates 5, 6, 9 %: positions 0, 1/4, 1
    # a: 10·(0.5·0.6 + 0.5·0.6) = 6
    # b: 10·(0.5·1.0 + 0.5·(0.6 + 0.4·0.25)) = 10·(0.5 + 0.35) = 8.5
    # c: 10·(0.5·(0.6 + 0.4·6.5/9) + 0.5·1.0)
    assert t["a"] == pytest.approx(6.0)
    assert t["b"] == pytest.approx(8.5)
    assert t["c"] == pytest.approx(10 * (0.5 * (0.6 + 0.4 * 6.5 / 9) + 0.5))


def test_preset_quotes_and_marks_its_choices():
    s = pa.load_scheme(SCHEMES_DIR / "yiyang_2018_across.yaml")
    leaves = {leaf.id: leaf for leaf in s.indicators()}
    for iid in ("gdp", "fai", "industry_va", "retail_sales"):
        leaf = leaves[iid]
        assert leaf.method == "efficacy" and leaf.basis == "increment"
        assert leaf.blend is not None and leaf.blend.alpha == 0.5
        assert leaf.assumption and "既考增量,也考增速" in (leaf.quote or "")
    assert leaves["gdp"].series(1) == "gdp_growth"
    assert leaves["industry_va"].series(1) == "industry_va_growth"
    # the differentiated targets stay as their own completion items
    for iid in ("fiscal_revenue", "energy_intensity", "poverty_rate", "pm25", "water_quality"):
        assert leaves[iid].method == "completion" and leaves[iid].target is not None


def test_scenario_is_the_preset(data):
    base = pa.load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    by = {sc.id: sc for sc in load_scenarios(REFORM, base)}
    preset = pa.load_scheme(SCHEMES_DIR / "yiyang_2018_across.yaml")
    a = pa.score(data, by["across"].scheme, YEAR).set_index("unit_id")["total"]
    b = pa.score(data, preset, YEAR).set_index("unit_id")["total"].reindex(a.index)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy())


def test_across_reading_moves_tiers_and_tau_matches_scipy(data):
    base = pa.load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    across = pa.load_scheme(SCHEMES_DIR / "yiyang_2018_across.yaml")
    t0 = pa.assign_tiers(pa.score(data, base, YEAR), base, data.events.iloc[:0]).set_index("unit_id")
    t1 = pa.assign_tiers(pa.score(data, across, YEAR), across, data.events.iloc[:0]).set_index("unit_id")
    t1 = t1.reindex(t0.index)
    moved = int((t0["tier"] != t1["tier"]).sum())
    assert moved >= 1  # the reading changes who is where
    # the compare command's τ between the two readings, against scipy on the totals
    by = {sc.id: sc for sc in load_scenarios(REFORM, base)}
    result = compare_scenarios(data, base, [by["across"]], YEAR)
    k = result.kendall
    got = k.loc[(k["scenario_a"] == "基准方案") & (k["scenario_b"] == by["across"].name),
                "tau"].iloc[0]
    expected = kendalltau(t0["total"].to_numpy(), t1["total"].to_numpy()).statistic
    assert got == pytest.approx(expected)
    assert got < 1.0
    row = result.summary.set_index("scenario_id").loc["across"]
    assert int(row["n_tier_changes"]) == moved
