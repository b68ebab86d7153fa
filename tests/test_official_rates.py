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
from perfanalysis.errors import DataError, SchemeError
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR
from perfanalysis.scoring import leaf_scores
from perfanalysis.targets import issue_targets

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
