"""Growth from official rates (issue 22): a 增量+增速 blend whose growth half reads the
official rate published beside the level (可比价, 同口径), not the ratio of the levels.

The proposal's own complaint is the hand-worked case: "清理破产倒闭的规上工业企业15家……造成
工业产值大幅下滑" lowers the level of 规上工业增加值; its 同口径 rate (over the same enterprises)
does not fall.
"""

from __future__ import annotations

import pandas as pd
import pytest

from perfanalysis import load_data, load_scheme, scheme_from_mapping, score
from perfanalysis.engine.scoring import leaf_scores
from perfanalysis.engine.targets import issue_targets
from perfanalysis.errors import DataError, SchemeError
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR

from .helpers import write_dataset

UNITS = [{"unit_id": u, "name": n, "sequence": "s"} for u, n in [("a", "甲"), ("b", "乙")]]


def _scheme(blend: dict, **extra) -> object:
    leaf = {"id": "industry_va", "name": "规模工业增加值", "unit": "亿元", "points": 10,
            "method": "completion", "cap": 1.2, "basis": "increment",
            "target": {"rule": "uniform", "value": 4.0},
            "blend": {"alpha": 0.5, "target": {"rule": "uniform", "value": 0.05}, **blend}}
    raw = {"id": "mini", "name": "测试", "sequences": {"s": "序列"},
           "components": [{"id": "ind", "name": "指标", "points": 10, "source": "indicators",
                           "clip": False, "children": [leaf]}],
           "tiers": {"method": "forced_distribution", "labels": ["一等", "二等"],
                     "shares": [0.5, 0.5]}, **extra}
    return scheme_from_mapping(raw)


def _data(tmp_path, with_rates: bool = True, extra: list | None = None):
    rows = [("a", 2017, "industry_va", 100.0), ("a", 2018, "industry_va", 95.0),
            ("b", 2017, "industry_va", 50.0), ("b", 2018, "industry_va", 54.0)]
    if with_rates:
        rows += [("a", 2018, "industry_va_growth", 5.0),  # 同口径 +5 % while the level fell
                 ("b", 2018, "industry_va_growth", 6.0)]  # 可比价 6 % (nominal 8 %)
    rows += extra or []
    obs = [{"unit_id": u, "year": y, "indicator": i, "value": v} for u, y, i, v in rows]
    return load_data(write_dataset(tmp_path, {"units": UNITS, "observations": obs}))


def test_blend_half_reads_the_official_rate_hand_worked(tmp_path):
    d = _data(tmp_path)
    official = score(d, _scheme({"basis": "given_rate", "indicator": "industry_va_growth"}),
                     2018).set_index("unit_id")
    # a: increment 95 − 100 = −5 → ratio −5/4 clipped to 0; rate 5 % / 5 % = 1.0
    #    10 × (0.5 × 0 + 0.5 × 1.0) = 5.0
    # b: increment 4/4 = 1.0; rate 6 % / 5 % = 1.2 (the cap) → 10 × (0.5 + 0.6) = 11.0
    assert official.loc["a", "ind"] == pytest.approx(5.0)
    assert official.loc["b", "ind"] == pytest.approx(11.0)
    # the same scheme on the growth of the levels: a's −5 % scores 0 on both halves
    d2 = _data(tmp_path / "levels", with_rates=False)
    nominal = score(d2, _scheme({"basis": "growth"}), 2018).set_index("unit_id")
    assert nominal.loc["a", "ind"] == pytest.approx(0.0)
    # b: growth 54/50 − 1 = 8 % → 8/5 = 1.6, capped 1.2 → 11.0 as well
    assert nominal.loc["b", "ind"] == pytest.approx(11.0)


def test_leaf_table_shows_the_rate_read(tmp_path):
    d = _data(tmp_path)
    t = leaf_scores(d, _scheme({"basis": "given_rate", "indicator": "industry_va_growth"}),
                    2018).set_index("unit_id")
    assert t.loc["a", "blend_basis"] == "given_rate"
    assert t.loc["a", "blend_basis_value"] == pytest.approx(0.05)
    assert t.loc["a", "basis_value"] == pytest.approx(-5.0)
    assert t.loc["b", "fraction"] == pytest.approx(0.5 * 1.0 + 0.5 * 1.2)


def test_missing_official_rate_names_the_series(tmp_path):
    d = _data(tmp_path, with_rates=False)
    s = _scheme({"basis": "given_rate", "indicator": "industry_va_growth"})
    with pytest.raises(DataError, match="industry_va_growth"):
        score(d, s, 2018)


@pytest.mark.parametrize(("blend", "message"), [
    ({"basis": "growth", "indicator": "industry_va_growth"}, "needs 'blend.basis: given_rate'"),
    ({"basis": "given_rate"}, "naming its series"),
    ({"basis": "given_rate", "indicator": "industry_va"}, "another indicator"),
])
def test_blend_indicator_is_validated(blend, message):
    with pytest.raises(SchemeError, match=message):
        _scheme(blend)


def test_other_indicators_are_tolerated_and_others_still_refused(tmp_path):
    # data carrying a rate the scheme does not read: an error unless the scheme lists it
    d = _data(tmp_path)
    plain = {"basis": "growth"}
    with pytest.raises(DataError, match="indicator not in scheme"):
        score(d, _scheme(plain), 2018)
    ok = score(d, _scheme(plain, other_indicators=["industry_va_growth"]), 2018)
    assert len(ok) == 2
    d3 = _data(tmp_path / "typo", extra=[("a", 2018, "industy_va", 1.0),
                                         ("b", 2018, "industy_va", 1.0)])
    with pytest.raises(DataError, match="industy_va"):
        score(d3, _scheme(plain, other_indicators=["industry_va_growth"]), 2018)


def test_yiyang_preset_scores_official_rates_on_the_sample():
    d = load_data(SAMPLE_DIR / "yiyang")
    s = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    leaves = {leaf.id: leaf for leaf in s.indicators()}
    assert leaves["gdp"].blend.basis == "given_rate"  # type: ignore[union-attr]
    assert leaves["gdp"].series(1) == "gdp_growth"
    assert leaves["industry_va"].series(1) == "industry_va_growth"
    # FAI and 社零 are published at current prices: their growth stays the levels' ratio
    assert leaves["fai"].blend.basis == "growth"  # type: ignore[union-attr]
    assert leaves["retail_sales"].blend.basis == "growth"  # type: ignore[union-attr]
    raw = pd.read_csv(SAMPLE_DIR / "yiyang" / "observations.csv")
    v = raw.set_index(["unit_id", "year", "indicator"])["value"]
    # 大通湖区 2017: the 规上 level fell (enterprises left the list), the 同口径 rate did not
    assert v[("datonghu", 2017, "industry_va")] < v[("datonghu", 2016, "industry_va")]
    assert v[("datonghu", 2017, "industry_va_growth")] > 0
    t = leaf_scores(d, s, 2019).set_index(["unit_id", "indicator"])
    row = t.loc[("heshan", "gdp")]
    assert row["blend_basis_value"] == pytest.approx(v[("heshan", 2019, "gdp_growth")] / 100)
    # the rate half's target: own average of the official rates 2016–2018, at least 2 %
    mean3 = sum(v[("heshan", y, "gdp_growth")] for y in (2016, 2017, 2018)) / 3 / 100
    assert row["blend_target"] == pytest.approx(max(mean3, 0.02))
    # the issued table reads the same series for that half
    issued = issue_targets(d, s, 2019)
    half = issued.loc[(issued["unit_id"] == "heshan") & (issued["indicator"] == "gdp")
                      & (issued["basis"] == "given_rate")]
    assert half["target"].iloc[0] == pytest.approx(max(mean3, 0.02))
    # the other presets on the same sample compute growth from levels and list the rates
    for stem in ("yiyang_2018_levels", "changsha", "xiangxi_counties"):
        other = load_scheme(SCHEMES_DIR / f"{stem}.yaml")
        assert set(other.other_indicators) == {"gdp_growth", "industry_va_growth"}
        assert len(score(d, other, 2019)) == 8


def _consistent_data(tmp_path):
    units = [{"unit_id": u, "name": n, "sequence": "s"} for u, n in [("a", "甲"), ("b", "乙")]]
    levels = {"a": [100.0, 110.0, 121.0, 133.1, 146.41],  # 10 % a year, then 10 % again
              "b": [100.0, 105.0, 110.25, 115.7625, 120.0]}  # 5 % a year, then slower
    obs = [{"unit_id": u, "year": 2015 + i, "indicator": "gdp", "value": v}
           for u, vs in levels.items() for i, v in enumerate(vs)]
    return load_data(write_dataset(tmp_path, {"units": units, "observations": obs}))


def _blend_scheme(consistent: bool):
    leaf = {"id": "gdp", "name": "地区生产总值", "points": 10, "method": "completion",
            "cap": 1.2, "basis": "increment", "target": {"rule": "own_average", "years": 3},
            "blend": {"basis": "growth", "alpha": 0.5, "consistent": consistent}}
    return scheme_from_mapping({
        "id": "mini", "name": "测试", "sequences": {"s": "序列"},
        "components": [{"id": "ind", "name": "指标", "points": 10, "source": "indicators",
                        "clip": False, "children": [leaf]}],
        "tiers": {"method": "forced_distribution", "labels": ["一等", "二等"],
                  "shares": [0.5, 0.5]}})


def test_one_growth_target_for_both_halves_hand_worked(tmp_path):
    d = _consistent_data(tmp_path)
    t = leaf_scores(d, _blend_scheme(True), 2019).set_index("unit_id")
    # b: g* = mean growth 2016–2018 = 5 %; Δ* = x(2018)·g* = 115.7625 × 0.05 = 5.788125
    assert t.loc["b", "blend_target"] == pytest.approx(0.05)
    assert t.loc["b", "target"] == pytest.approx(115.7625 * 0.05)
    # both halves then ask the same thing: Δ/Δ* = g/g* = (120/115.7625 − 1)/0.05
    r = (120 / 115.7625 - 1) / 0.05
    assert t.loc["b", "fraction"] == pytest.approx(r)
    # a: grew 10 % again: Δ* = 133.1 × 0.10 = 13.31 = Δ → 100 % on both halves
    assert t.loc["a", "target"] == pytest.approx(13.31)
    assert t.loc["a", "fraction"] == pytest.approx(1.0)
    # without the option the increment target is the mean increment (5 + 5.25 + 5.5125)/3:
    # a different growth (5.254/115.7625 = 4.54 %) than the growth target's 5 %
    t0 = leaf_scores(d, _blend_scheme(False), 2019).set_index("unit_id")
    mean_inc = (5 + 5.25 + 5.5125) / 3
    assert t0.loc["b", "target"] == pytest.approx(mean_inc)
    assert t0.loc["b", "fraction"] == pytest.approx(0.5 * (120 - 115.7625) / mean_inc + 0.5 * r)
    # the issued table writes Δ* = x(t−1)·g* for the increment row
    issued = issue_targets(d, _blend_scheme(True), 2019)
    row = issued.loc[(issued["unit_id"] == "b") & (issued["basis"] == "increment")].iloc[0]
    assert row["target"] == pytest.approx(115.7625 * 0.05)
    assert "同一增长率" in row["rule_zh"]


def test_targets_back_test_of_a_consistent_blend_is_what_the_engine_issues(tmp_path):
    """The targets study's "scheme" rule on the increment half of a ``blend.consistent``
    leaf back-tests Δ* = x(t−1)·g*, g* the growth half's target, as scoring and the issued
    table do, not the increment rule on its own (the mean increment)."""
    from perfanalysis.studies.targets import run_study

    d = _consistent_data(tmp_path)
    scheme = _blend_scheme(True)
    bt = run_study(d, scheme, 2019, rules=["scheme"], n_boot=0).backtest
    inc = bt.loc[(bt["rule"] == "scheme") & (bt["basis"] == "increment")].set_index(
        ["unit_id", "year"])
    # b in 2019: g* = mean growth 2016–2018 = 5 %, Δ* = 115.7625 × 0.05, level 115.7625·1.05
    assert inc.loc[("b", 2019), "target_basis"] == pytest.approx(115.7625 * 0.05)
    assert inc.loc[("b", 2019), "target"] == pytest.approx(115.7625 * 1.05)
    assert inc.loc[("b", 2019), "attainment"] == pytest.approx((120 - 115.7625) / 5.788125)
    # every back-tested year: the target the engine issues at that year's start
    for year in sorted(set(inc.index.get_level_values("year"))):
        issued = issue_targets(d, scheme, year)
        issued = issued.loc[issued["basis"] == "increment"].set_index("unit_id")["target"]
        got = inc.xs(year, level="year")["target_basis"]
        assert got.to_numpy() == pytest.approx(issued.reindex(got.index).to_numpy()), year
    # without the option the increment half keeps its own rule: the mean increment
    plain = run_study(d, _blend_scheme(False), 2019, rules=["scheme"], n_boot=0).backtest
    row = plain.loc[(plain["rule"] == "scheme") & (plain["basis"] == "increment")
                    & (plain["unit_id"] == "b") & (plain["year"] == 2019)].iloc[0]
    assert row["target_basis"] == pytest.approx((5 + 5.25 + 5.5125) / 3)


def test_consistent_needs_increment_and_growth():
    with pytest.raises(SchemeError, match="consistent"):
        scheme_from_mapping({
            "id": "mini", "name": "测试",
            "components": [{"id": "ind", "name": "指标", "points": 10, "source": "indicators",
                            "children": [{"id": "gdp", "name": "地区生产总值", "points": 10,
                                          "method": "efficacy", "basis": "level",
                                          "blend": {"basis": "growth", "consistent": True}}]}],
            "tiers": {"method": "forced_distribution", "labels": ["一等", "二等"],
                      "shares": [0.5, 0.5]}})


def test_one_growth_target_scenario_and_its_cap_saturation():
    from perfanalysis.engine.scenarios import load_scenarios
    from perfanalysis.paths import PROJ_ROOT
    from perfanalysis.studies.targets import cap_saturation

    d = load_data(SAMPLE_DIR / "yiyang")
    base = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    by = {sc.id: sc for sc in load_scenarios(PROJ_ROOT / "data" / "scenarios" /
                                             "yiyang_reform.yaml", base)}
    s = by["one_growth_target"].scheme
    ids = ["gdp", "fai", "industry_va", "retail_sales"]
    ls = leaf_scores(d, s, 2019)
    ls = ls.loc[ls["indicator"].isin(ids)]
    # every increment target is last year's level × the growth target
    assert ls["target"].to_numpy() == pytest.approx(
        (ls["previous"] * ls["blend_target"]).to_numpy())
    # cap saturation (the targets study's table) against a count made here: a blended leaf
    # sits at its 120 % cap only when both halves do
    r1 = (ls["basis_value"] / ls["target"]).clip(0, 1.2)
    r2 = (ls["blend_basis_value"] / ls["blend_target"]).clip(0, 1.2)
    at_cap = (r1 >= 1.2 - 1e-9) & (r2 >= 1.2 - 1e-9)
    cap = cap_saturation(d, s, 2019, ids).set_index("indicator")
    assert int(cap.loc["all", "at_cap"]) == int(at_cap.sum())
    assert int(cap.loc["all", "n"]) == len(ls) == 32
    for iid in ids:
        assert int(cap.loc[iid, "at_cap"]) == int(at_cap[ls["indicator"] == iid].sum())


def test_issued_table_wide_and_sentence(tmp_path):
    # the 目标分解表 of the report: unit × (indicator·basis), rates in per cent
    from perfanalysis.engine.targets import issued_sentences, issued_wide

    d = _consistent_data(tmp_path)
    issued = issue_targets(d, _blend_scheme(False), 2019)
    wide = issued_wide(issued).set_index("单位")
    assert list(wide.columns) == ["地区生产总值·增量", "地区生产总值·增速(%)"]
    # 乙: mean increment (5 + 5.25 + 5.5125)/3 = 5.25417 → 5.25; mean growth 5 % → 5.00
    assert wide.loc["乙", "地区生产总值·增量"] == pytest.approx(5.25)
    assert wide.loc["乙", "地区生产总值·增速(%)"] == pytest.approx(5.0)
    # 甲: mean increment (10 + 11 + 12.1)/3 = 11.0333 → 11.03; growth 10 %
    assert wide.loc["甲", "地区生产总值·增量"] == pytest.approx(11.03)
    assert wide.loc["甲", "地区生产总值·增速(%)"] == pytest.approx(10.0)
    text = issued_sentences(issued, 2019)[0]
    assert "只用2018年及以前的数据" in text and "为2个单位的1项指标算出4个2019年目标值" in text
    assert "没有按单位" in issued_sentences(issued.iloc[:0], 2019)[0]
