"""The error model of the uncertainty studies: defaults by indicator class, the file that
overrides them, centred draws that stay in range, correlation across years, and what it does
to the tier study (no bias on linear schemes; the Yiyang sample's bias gone)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfanalysis import load_data, load_scheme, scheme_from_mapping
from perfanalysis.engine.errormodel import (
    ErrorArrays,
    ErrorModel,
    ErrorSpec,
    correlated_deviates,
    default_error_model,
    draw_history,
    draw_pair,
    error_model_table,
    load_error_model,
)
from perfanalysis.errors import DataError
from perfanalysis.paths import PROJ_ROOT, SCHEMES_DIR
from perfanalysis.studies import boundaries as b

from .helpers import write_dataset

SAMPLES = PROJ_ROOT / "data" / "sample"


def _arrays(*specs: ErrorSpec) -> ErrorArrays:
    return ErrorArrays.of(ErrorModel(specs), [s.id for s in specs])


# --- draws ------------------------------------------------------------------------------------
def test_relative_draws_are_centred_within_mc_error():
    # x·(1 + σz̃), z̃ folded into [−1/σ, 1/σ]: E = x, Var ≤ σ²x². σ = 0.3, x = 50 → sd ≤ 15,
    # so the mean of D = 40 000 draws lies within 4·15/200 = 0.3 of 50; the fold binds
    # beyond 3.33 deviations only, so the sd is within 1 % of 15. An uncentred lognormal
    # x·exp(σz) is 50·(exp(0.045) − 1) = 2.3 off and fails the bound. σ = 2: the fold keeps
    # every draw in [0, 2x] and the mean at x.
    x = np.array([50.0, 0.2])
    arr = _arrays(ErrorSpec("v", "relative", 0.3))
    lev, _ = draw_pair(np.random.default_rng(1), arr, 0, x, None, 40_000)
    sd = 0.3 * x
    assert np.all(np.abs(lev.mean(axis=0) - x) < 4 * sd / 200)
    assert lev[:, 0].std() == pytest.approx(15, rel=0.015)
    assert (lev > 0).all()
    biased = (x * np.exp(0.3 * np.random.default_rng(1).standard_normal((40_000, 2)))).mean(0)
    assert abs(biased[0] - 50) > 4 * sd[0] / 200
    wide = _arrays(ErrorSpec("v", "relative", 2.0))
    lev, _ = draw_pair(np.random.default_rng(2), wide, 0, x, None, 40_000)
    assert lev.min() >= 0 and np.all(lev.max(axis=0) <= 2 * x)
    assert np.all(np.abs(lev.mean(axis=0) - x) < 4 * 2 * x / 200)


def test_additive_draws_near_a_bound_are_centred_and_in_range():
    # a 98.5 % rate with a 1-point error: the fold keeps it in [0, 100] and symmetric around
    # 98.5 (the old 5 % relative error put 38 % of the draws above 100); Var ≤ s² = 1, so
    # the mean of 40 000 draws is within 4/200 = 0.02 of 98.5; 100 (on the bound) is exact
    x = np.array([98.5, 100.0, 50.0])
    arr = _arrays(ErrorSpec("r", "absolute", 1.0, 0.0, "ar1", 0.0, 100.0, "rate"))
    lev, _ = draw_pair(np.random.default_rng(2), arr, 0, x, None, 40_000)
    assert lev.min() >= 0 and lev.max() <= 100
    assert np.all(np.abs(lev.mean(axis=0) - x) < 4 / 200)
    assert (lev[:, 1] == 100).all()
    assert lev[:, 2].std() == pytest.approx(1.0, abs=0.02)  # far from the bounds: sd = s
    old = x[0] * (1 + 0.05 * np.random.default_rng(2).standard_normal(40_000))
    assert (old > 100).mean() > 0.35  # what the old model did


@settings(max_examples=60, deadline=None)
@given(lo=st.floats(-50, 50), width=st.floats(0.5, 200), pos=st.floats(0, 1),
       size=st.floats(0.01, 500), rho=st.floats(0, 1), seed=st.integers(0, 2 ** 31))
def test_additive_draws_stay_in_range(lo, width, pos, size, rho, seed):
    hi = lo + width
    x = np.array([lo + pos * width, lo, hi, lo + 0.5 * width])
    arr = _arrays(ErrorSpec("r", "se", size, rho, "ar1", lo, hi))
    lev, prev = draw_pair(np.random.default_rng(seed), arr, 0, x, x[::-1].copy(), 64)
    for v in (lev, prev):
        assert np.isfinite(v).all()
        assert v.min() >= lo - 1e-9 * max(1, abs(lo)) and v.max() <= hi + 1e-9 * max(1, abs(hi))


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_year_correlation_is_the_requested_one(rho):
    # relative errors of this and last year: corr = ρ (the fold never binds at σ = 5 %);
    # the sample correlation of n pairs has sd ≈ (1 − ρ²)/√n, n = 200 000 here
    n = 200_000
    x = np.full(n, 10.0)
    arr = _arrays(ErrorSpec("v", "relative", 0.05, rho))
    lev, prev = draw_pair(np.random.default_rng(3), arr, 0, x, x.copy(), 1)
    r = np.corrcoef(lev[0] / 10 - 1, prev[0] / 10 - 1)[0, 1]
    assert abs(r - rho) < 4 * (1 - rho ** 2) / math.sqrt(n) + 1e-3
    # the increment error shrinks with ρ: sd(x_t − x_{t−1}) = σx·√(2(1 − ρ))
    inc_sd = (lev[0] - prev[0]).std()
    assert inc_sd == pytest.approx(0.5 * math.sqrt(2 * (1 - rho)), rel=0.05, abs=0.01)


def test_history_correlation_ar1_and_equal():
    n, years, rho = 100_000, 4, 0.7
    z = correlated_deviates(np.random.default_rng(4), (n,), years, rho, "ar1")
    c = np.corrcoef(z.T)
    for lag in (1, 2, 3):  # ρ^lag
        assert c[0, lag] == pytest.approx(rho ** lag, abs=0.015)
    assert z.std(axis=0) == pytest.approx(np.ones(years), abs=0.01)
    z = correlated_deviates(np.random.default_rng(5), (n,), years, rho, "equal")
    c = np.corrcoef(z.T)
    assert c[0, 3] == pytest.approx(rho, abs=0.015) and c[1, 2] == pytest.approx(rho, abs=0.015)
    hist = np.tile([[10.0, 11.0, 12.0]], (5, 1))
    out = draw_history(np.random.default_rng(6), hist, ErrorSpec("v", "relative", 0.05, 0.9),
                       3000)
    assert out.shape == (3000, 5, 3) and np.allclose(out.mean(axis=0), hist, rtol=0.01)


# --- the table ------------------------------------------------------------------------------
def test_defaults_by_indicator_class():
    data = load_data(SAMPLES / "yiyang")
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    m = default_error_model(scheme, data)
    assert (m.get("gdp").kind, m.get("gdp").size, m.get("gdp").year_correlation) == \
        ("relative", 0.05, 0.9)
    wq = m.get("water_quality")
    assert (wq.kind, wq.size, wq.lower, wq.upper) == ("absolute", 1.0, 0.0, 100.0)
    assert m.get("party_building_eval").kind == "se"
    assert m.get("safety_deaths").kind == "none"  # a count
    half = default_error_model(scheme, data, noise=0.025)
    assert half.get("water_quality").size == 0.5 and half.get("gdp").size == 0.025
    assert not default_error_model(scheme, data, noise=0).active
    table = error_model_table(m)
    assert list(table["id"])[:2] == ["gdp", "fiscal_revenue"] and len(table) == len(m.specs)


def test_file_overrides_defaults_and_bad_rows_name_file_row_column(tmp_path):
    data = load_data(SAMPLES / "yiyang")
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    path = tmp_path / "errors.csv"
    path.write_text("id,kind,size,year_correlation,structure,lower,upper\n"
                    "volume,relative,0.03,0.95,,,\n"
                    "gdp,relative,0.02,,,,\n"
                    "water_quality,absolute,0.5,0.2,equal,,\n", encoding="utf-8")
    m = load_error_model(path, scheme, data)
    assert (m.get("gdp").size, m.get("gdp").year_correlation) == (0.02, 0.95)
    assert m.get("fai").size == 0.03 and m.get("fai").source == "errors.csv"
    wq = m.get("water_quality")
    assert (wq.size, wq.year_correlation, wq.structure, wq.upper) == (0.5, 0.2, "equal", 100.0)
    yml = tmp_path / "errors.yaml"
    yml.write_text("defaults:\n  rate: {size: 2}\nindicators:\n  gdp: {kind: none}\n",
                   encoding="utf-8")
    m = load_error_model(yml, scheme, data)
    assert m.get("water_quality").size == 2 and not m.get("gdp").active
    path.write_text("id,kind,size\ngdp,relative,0.02\nnope,absolute,1\nfai,weird,-1\n",
                    encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_error_model(path, scheme, data)
    text = str(err.value)
    assert "errors.csv, row 3, column 'id': 'nope'" in text
    assert "errors.csv, row 4, column 'kind'" in text
    assert "errors.csv, row 4, column 'size'" in text
    yml.write_text("defaults:\n  rate: {size: 2\nindicators: []\n", encoding="utf-8")
    with pytest.raises(DataError) as err:  # a YAML error names the file, not a traceback
        load_error_model(yml, scheme, data)
    assert "errors.yaml" in str(err.value) and "not valid YAML" in str(err.value)
    assert "line 3" in str(err.value)


# --- the tier study ---------------------------------------------------------------------------
def _linear_case(tmp_path):
    """Six units: a volume scored by completion against a uniform target 100 with cap 10
    (linear: 20·x/100; the component's 30 points never bind), a rate near 100 by the same (10·r/100), and a 70-point rating, three
    of them near the maximum."""
    vol = [40.0, 55.0, 30.0, 60.0, 20.0, 45.0]  # 0.2·v + 0.1·r < 30: no component cap
    rate = [98.5, 100.0, 99.5, 90.0, 97.0, 60.0]
    rating = [69.5, 70.0, 68.0, 50.0, 40.0, 66.0]
    ids = [f"u{i}" for i in range(6)]
    write_dataset(tmp_path, {
        "units": [{"unit_id": u, "name": f"单位{i}", "sequence": "s"} for i, u in enumerate(ids)],
        "observations": [{"unit_id": u, "year": 2020, "indicator": k, "value": v}
                         for u, a, c in zip(ids, vol, rate, strict=True)
                         for k, v in (("v", a), ("r", c))],
        "ratings": [{"unit_id": u, "year": 2020, "component": "p", "score": v}
                    for u, v in zip(ids, rating, strict=True)]})
    completion = {"method": "completion", "cap": 10, "target": {"rule": "uniform", "value": 100}}
    scheme = scheme_from_mapping({
        "id": "t", "name": "t", "sequences": {"s": "甲"},
        "components": [{"id": "p", "name": "评议", "points": 70, "source": "rating"},
                       {"id": "i", "name": "指标", "points": 30, "source": "indicators",
                        "children": [
                            {"id": "v", "name": "总量", "unit": "亿元", "points": 20,
                             **completion},
                            {"id": "r", "name": "比率", "unit": "%", "points": 10,
                             **completion}]}],
        "tiers": {"method": "quota_threshold", "labels": ["优秀", "达标", "基本达标", "不达标"],
                  "quota": [{"top": 2}],
                  "thresholds": [{"label": "达标", "min_total": 80},
                                 {"label": "基本达标", "min_total": 60}]}})
    return load_data(tmp_path), scheme, np.array(vol), np.array(rate), np.array(rating)


def test_linear_scheme_mean_total_is_the_official_one(tmp_path):
    # total = 0.2·v + 0.1·r + p, linear in every value. Default errors at noise 0.05: v
    # relative 5 % (Var ≤ (0.2v)²·0.05²), r ±1 point folded into [0, 100]
    # (Var ≤ 0.1²), p ±1.4 points (2 % of 70) folded into [0, 70] (Var ≤ 1.4²). The mean
    # of D draws is within 4·√(Var/D) of the official total, unit by unit; the old model
    # (5 % relative on every value and rating, ratings clipped at 70) moves u1 (rating 70,
    # rate 100) down by ≈ 0.4·3.5 = 1.4 points, far outside.
    data, scheme, vol, rate, rating = _linear_case(tmp_path)
    d = 20_000
    probs = b.tier_probabilities(data, scheme, 2020, noise=0.05, draws=d, seed=9)
    probs = probs.set_index("unit_id").loc[[f"u{i}" for i in range(6)]]
    official = 0.2 * vol + 0.1 * rate + rating
    assert np.allclose(probs["total"], official)
    var = (0.2 * vol) ** 2 * 0.05 ** 2 + 0.1 ** 2 + 1.4 ** 2
    bound = 4 * np.sqrt(var / d) + 1e-6  # + the 10⁻⁶ grid of the totals
    assert np.all(np.abs(probs["bias"].to_numpy()) < bound), (probs["bias"], bound)
    assert np.allclose(probs["bias"], probs["total_mean"] - probs["total"])
    assert np.allclose(probs["bias_se"], probs["total_sd"] / math.sqrt(d))
    assert (probs["total_sd"].to_numpy() ** 2 <= var * 1.05).all()


def test_yiyang_sample_mean_totals_no_longer_fall_8_points():
    # the old model (5 % independent relative error on every value and year) moved 南县's
    # mean simulated total from 84.95 to 76.3 (−8.6 points) on this sample; the default
    # error model's draws are centred and correlated across years: what bias remains comes
    # from the 120 % completion caps and is reported in its own column
    data = load_data(SAMPLES / "yiyang")
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    model = b.prepare_model(data, scheme, 2019, noise=0.05)
    tally = b.run(model, draws=3000, seed=0, chunk=1000, workers=1)
    probs = b.summarise(model, tally).set_index("name")
    # 南县's official 2019 total on the issue-22 sample and preset with the official growth
    # rates of GDP and 规上 (88.07 on the levels' growth, 84.95 before issue 22)
    assert probs.loc["南县", "total"] == pytest.approx(85.058233, abs=1e-6)
    assert abs(probs.loc["南县", "bias"]) < 3.0
    assert probs["bias"].abs().max() < 3.0
    summary = b.uncertainty_summary(model, tally).iloc[0]
    assert summary["max_abs_bias"] == pytest.approx(probs["bias"].abs().max())
    assert summary["expected_changes"] < 3.0  # 3.9 under the old model
    # no noisy water-quality rate leaves [0, 100]
    k = [leaf.id for leaf in model.inp.leaves].index("water_quality")
    lev, _ = draw_pair(np.random.default_rng(0), model.errors, k, model.inp.level[:, k],
                       None, 5000)
    assert lev.max() <= 100 and lev.min() >= 0


def test_fairness_volatility_uses_the_tier_study_error_model():
    from perfanalysis.studies import fairness as fs
    data = load_data(SAMPLES / "yiyang")
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    sim = fs.simulate_noise(data, "total", 2019, [0.5], scheme=scheme, noise=0.05, draws=40,
                            seed=1)
    tier = b.prepare_model(data, scheme, 2019, noise=0.05)
    assert sim.error_model == tier.error_model  # one model for both chapters
    top = fs.top_chance(sim)
    p = top["p_top"].to_numpy()
    assert np.allclose(top["p_top_se"], np.sqrt(p * (1 - p) / 40))
    # an explicit model reaches the simulation: every error off → every rank SD 0
    off = ErrorModel(tuple(ErrorSpec(s.id, "none", 0.0) for s in tier.error_model.specs))
    quiet = fs.simulate_noise(data, "total", 2019, [0.5], scheme=scheme, draws=5,
                              error_model=off)
    assert (quiet.rank_sd == 0).all()
    # one indicator: the scheme's entry for it (GDP: relative, correlated across years)
    gdp = fs.simulate_noise(data, "gdp", 2019, [0.5], scheme=scheme, noise=0.05, draws=5)
    assert gdp.error_model is not None
    assert gdp.error_model.specs == (tier.error_model.get("gdp"),)


def test_findings_and_display_state_the_model_from_its_table():
    import pandas as pd

    from perfanalysis.report.figures.boundaries import error_model_display
    from perfanalysis.report.findings.boundaries import error_model_text
    t = pd.DataFrame({"id": list("abcd"), "name": ["甲", "乙", "丙", "丁"],
                      "class": ["volume", "volume", "rate", "count"],
                      "kind": ["relative", "relative", "absolute", "none"],
                      "size": [0.05, 0.05, 1.0, 0.0], "year_correlation": [0.9, 0.9, 0.5, 0.0],
                      "structure": "ar1", "lower": [None, None, 0.0, None],
                      "upper": [None, None, None, None], "source": "默认"})
    assert error_model_text(t) == ("数据误差按误差模型表:2项总量类指标相对误差5%(相邻年份误差"
                                   "相关系数0.9)、1项比率类指标绝对误差1个百分点(相邻年份误差"
                                   "相关系数0.5),1项按精确值处理")
    shown = error_model_display(t)
    assert list(shown["误差大小"]) == ["5%", "5%", "1个百分点", "—"]
    assert list(shown["有效范围"]) == ["", "", "[0, +∞)", ""]


def test_prepare_model_reads_the_file_and_checks_the_values_against_it(tmp_path):
    data = load_data(SAMPLES / "yiyang")
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    path = tmp_path / "errors.csv"
    path.write_text("id,kind,size\ngdp,none,\n", encoding="utf-8")
    model = b.prepare_model(data, scheme, 2019, error_model=path)  # noise None: defaults
    assert model.error_model is not None and not model.error_model.get("gdp").active
    assert model.error_model.get("fai").size == 0.05
    k = [leaf.id for leaf in model.inp.leaves].index("gdp")
    assert model.errors.code[k] == 0 and model.level_noise[k] == 0
    assert not b.prepare_model(data, scheme, 2019, noise=0.0, error_model=path).errors.code.any()
    table = b.error_table(model).set_index("id")
    assert table.loc["gdp", "name"] == "地区生产总值" and table.loc["gdp", "source"] == "errors.csv"
    # a water-quality rate bounded at 90 by the file: the units above are named
    path.write_text("id,kind,size,upper\nwater_quality,absolute,1,90\n", encoding="utf-8")
    with pytest.raises(DataError, match="water_quality' of unit"):
        b.prepare_model(data, scheme, 2019, error_model=path)


def test_an_absolute_error_is_stated_in_the_indicators_unit():
    """An absolute error of 500 on 固定资产投资 (万元) was said to be '500个百分点': the unit
    column of the error model's table carries the indicator's unit; % gives percentage
    points, ‰ per-mille points, a score 分, a unit-less volume no unit."""
    import pandas as pd

    from perfanalysis.engine.errormodel import absolute_error_unit
    from perfanalysis.report.figures.boundaries import error_model_display
    from perfanalysis.report.findings.boundaries import error_model_text

    assert [absolute_error_unit(c, u) for c, u in [("volume", "万元"), ("rate", "%"),
                                                   ("rate", "‰"), ("rate", ""),
                                                   ("score", ""), ("volume", "")]] == \
        ["万元", "个百分点", "个千分点", "个百分点", "分", ""]
    t = pd.DataFrame({"id": ["fai", "gdp", "birth"], "name": ["固定资产投资", "地区生产总值", "出生率"],
                      "class": ["volume", "volume", "rate"], "kind": "absolute",
                      "size": [500.0, 500.0, 0.5], "year_correlation": 0.8, "structure": "ar1",
                      "lower": None, "upper": None, "source": "errors.csv",
                      "unit": ["万元", "亿元", "‰"]})
    assert error_model_text(t) == ("数据误差按误差模型表:1项总量类指标绝对误差500万元(相邻年份误差"
                                   "相关系数0.8)、1项总量类指标绝对误差500亿元(相邻年份误差相关系数"
                                   "0.8)、1项比率类指标绝对误差0.5个千分点(相邻年份误差相关系数0.8)")
    assert list(error_model_display(t)["误差大小"]) == ["500万元", "500亿元", "0.5个千分点"]
    # relative errors of indicators in different units are one group
    rel = t.assign(kind="relative", size=0.05, **{"class": "volume"})
    assert error_model_text(rel) == ("数据误差按误差模型表:3项总量类指标相对误差5%(相邻年份误差"
                                     "相关系数0.8)")
