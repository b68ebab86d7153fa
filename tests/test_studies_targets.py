"""Study 1 (perfanalysis.studies.targets): set_targets, backtest, backtest_summary, size,
score effects; synthetic panels where the right answer is known, and real census sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from perfanalysis import DataError, load_data, load_scheme
from perfanalysis.paths import PROJ_ROOT
from perfanalysis.studies import targets as tg

from .helpers import reference_dir, write_dataset


def panel(tmp_path, series: dict[str, list[float]], first: int = 2010, units_extra=None):
    obs = [{"unit_id": u, "year": first + i, "indicator": "x", "value": v}
           for u, vs in series.items() for i, v in enumerate(vs)]
    units = [{"unit_id": u, "name": f"{u}单位", "sequence": "s", **(units_extra or {}).get(u, {})}
             for u in series]
    return load_data(write_dataset(tmp_path / "panel", {"units": units, "observations": obs}))


def test_set_targets_hand_computed(tmp_path):
    data = panel(tmp_path, {"A": [100, 110, 121, 133.1], "B": [50, 50, 60, 63]})
    got = tg.set_targets(data, "x", 2014, {"rule": "last_growth", "years": 3})
    # A 133.1·1.1 = 146.41; B growths 0, 0.2, 0.05 → 63·(1 + 0.25/3) = 68.25
    assert got.to_dict() == pytest.approx({"A": 146.41, "B": 68.25})
    assert got.index.name == "unit_id"


def test_set_targets_errors(tmp_path):
    data = panel(tmp_path, {"A": [100, 110, 121, 133.1], "B": [50, 50, 60, 63]})
    with pytest.raises(DataError, match=r"unit A, indicator 'x' .*year\(s\) 2009"):
        tg.set_targets(data, "x", 2014, {"rule": "last_growth", "years": 4})
    falling = panel(tmp_path, {"A": [300, 200, 100], "B": [10, 11, 12]})
    # trend(3) of A: mean 200, slope −100 → 200 − 2·100 = 0: not a usable target
    with pytest.raises(DataError, match=r"target of unit A, indicator 'x' under rule trend\(3\) "
                                        r"is 0: a completion target must be positive"):
        tg.set_targets(falling, "x", 2013, {"rule": "trend", "years": 3})


def test_backtest_columns_and_attainment(tmp_path):
    data = panel(tmp_path, {"A": [100, 110, 121], "B": [50, 50, 60]})
    bt = tg.backtest(data, "x", {"avg": {"rule": "own_average", "years": 1}})
    assert list(bt.columns[:8]) == ["indicator", "unit_id", "year", "rule", "target", "actual",
                                    "attainment", "met"]
    rows = bt.set_index(["unit_id", "year"])
    # target = last year's value: A 2011 110/100 = 1.1 met; B 2011 50/50 = 1 met; B 2012 1.2
    assert rows.loc[("A", 2011), "attainment"] == pytest.approx(1.1)
    assert bool(rows.loc[("B", 2011), "met"])
    assert len(bt) == 4  # 2010 has no history: no row
    # a negative indicator inverts: attainment = target/actual; A 2011 100/110 < 1 not met
    neg = tg.backtest(data, "x", {"avg": {"rule": "own_average", "years": 1}},
                      direction="negative").set_index(["unit_id", "year"])
    assert neg.loc[("A", 2011), "attainment"] == pytest.approx(100 / 110)
    assert not bool(neg.loc[("A", 2011), "met"])


def test_the_exact_rule_wins_on_mape(tmp_path):
    # every unit grows at its own constant rate: last_growth is exactly right every year
    rates = {"A": 0.02, "B": 0.05, "C": 0.10, "D": 0.15, "E": -0.03}
    series = {u: [100 * (i + 1) * (1 + r) ** t for t in range(8)]
              for i, (u, r) in enumerate(rates.items())}
    data = panel(tmp_path, series)
    bt = tg.backtest(data, "x", ["own_average", "last_growth", "trend", "peer"], k=3,
                     common=True)
    summary = tg.backtest_summary(bt, pd.Series({u: 1.0 + i for i, u in enumerate(rates)}),
                                  n_boot=50).set_index("rule")
    # earlier names read as the level rules: own_average → mean_level, last_growth →
    # mean_growth (the same targets on a level basis)
    assert set(summary.index) == {"mean_level", "mean_growth", "trend", "peer"}
    assert summary.loc["mean_growth", "mape"] == pytest.approx(0.0, abs=1e-12)
    assert summary.loc["mean_growth", "mase"] == pytest.approx(0.0, abs=1e-12)
    assert summary.loc["mean_growth", "growth_mae_pp"] == pytest.approx(0.0, abs=1e-9)
    assert summary["mape"].idxmin() == "mean_growth"
    assert (summary.drop("mean_growth")["mape"] > 1e-4).all()
    # all on the common years 2014–2017 (last_growth(3) reads 4 earlier years)
    assert set(bt["year"]) == {2014, 2015, 2016, 2017}
    # a straight line: trend is exact
    line = panel(tmp_path, {u: [10 * (i + 1) + (i + 2) * t for t in range(6)]
                            for i, u in enumerate("ABCD")})
    s2 = tg.backtest_summary(tg.backtest(line, "x", ["own_average", "last_growth", "trend"],
                                         k=2, common=True), pd.Series(dict.fromkeys("ABCD", 1.0)),
                             n_boot=20).set_index("rule")
    assert s2["mape"].idxmin() == "trend" and s2.loc["trend", "mape"] < 1e-12
    # on a straight line every increment is the same: the mean increment is exact too
    s3 = tg.backtest_summary(tg.backtest(line, "x", ["mean_increment", "cagr"], k=2),
                             pd.Series(dict.fromkeys("ABCD", 1.0)), n_boot=20).set_index("rule")
    assert s3.loc["mean_increment", "mape"] < 1e-12 and s3.loc["cagr", "mape"] > 1e-4


def _frame(att: np.ndarray, units: list[str]) -> pd.DataFrame:
    years, n = att.shape
    return pd.DataFrame({"indicator": "x", "unit_id": np.tile(units, years),
                         "year": np.repeat(np.arange(2000, 2000 + years), n), "rule": "r",
                         "target": 1.0, "actual": att.ravel(), "attainment": att.ravel(),
                         "met": att.ravel() >= 1, "valid": True})


def test_equity_rho_zero_when_independent_and_one_when_rising():
    units = [f"u{i:02d}" for i in range(60)]
    size = pd.Series(np.arange(1, 61, dtype=float), index=units)
    rng = np.random.default_rng(7)
    independent = _frame(rng.uniform(0.8, 1.2, size=(8, 60)), units)
    s = tg.backtest_summary(independent, size, n_boot=400, seed=3).iloc[0]
    # ρ of the units' mean attainment with size: sd about 1/sqrt(59) ≈ 0.13
    assert abs(s["equity_rho"]) < 0.35 and s["equity_n"] == 60
    # the same number as scipy's Spearman of the unit means (one group)
    means = independent.groupby("unit_id")["attainment"].mean()
    assert s["equity_rho"] == pytest.approx(spearmanr(means, size.reindex(means.index))[0])
    assert s["equity_rho_lo"] < 0 < s["equity_rho_hi"]
    rising = _frame(0.8 + 0.4 * np.arange(60)[None, :] / 60 + np.zeros((8, 1)), units)
    r = tg.backtest_summary(rising, size, n_boot=100).iloc[0]
    assert r["equity_rho"] == pytest.approx(1.0)
    assert r["equity_rho_lo"] > 0.99
    # met: units 30–59 have 0.8 + 0.4·i/60 ≥ 1 ⇔ i ≥ 30 → small half 0, large half 1
    assert r["small_met"] == 0.0 and r["large_met"] == 1.0 and r["share_met"] == 0.5


def test_summary_hand_computed():
    bt = pd.DataFrame({
        "indicator": "x", "unit_id": ["a", "b", "c", "d"], "year": 2019, "rule": "r",
        "target": [10.0, 10.0, 20.0, 40.0], "actual": [8.0, 12.5, 20.0, 50.0],
        "attainment": [0.8, 1.25, 1.0, 1.25], "met": [False, True, True, True],
        "valid": True, "last": [9.0, 10.0, 19.0, 45.0],
        "growth_error_pp": [-200 / 9, 25.0, 0.0, 100 / 4.5]})
    size = pd.Series({"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0})
    s = tg.backtest_summary(bt, size, n_boot=50).iloc[0]
    # mape = (2/8 + 2.5/12.5 + 0 + 10/50)/4 = (0.25 + 0.2 + 0 + 0.2)/4 = 0.1625
    assert s["mape"] == pytest.approx(0.1625)
    # MASE: Σ|actual − target| = 2 + 2.5 + 0 + 10 = 14.5 over Σ|actual − last| =
    # 1 + 2.5 + 1 + 5 = 9.5 → 1.526316 (worse than asking for last year's level)
    assert s["mase"] == pytest.approx(14.5 / 9.5)
    # growth points: (22.22 + 25 + 0 + 22.22)/4 = 17.3611
    assert s["growth_mae_pp"] == pytest.approx((200 / 9 + 25 + 100 / 4.5) / 4)
    assert s["n"] == 4 and s["n_invalid"] == 0
    assert s["share_met"] == 0.75
    # halves by size: {a, b} met 1 of 2, {c, d} met 2 of 2
    assert s["small_met"] == 0.5 and s["large_met"] == 1.0
    assert s["small_n"] == 2 and s["large_n"] == 2
    # their intervals: the same unit resamples (seed 0, units in id order) rebuilt row by
    # row, each half's share of met rows, 5th and 95th percentiles
    draws = np.random.default_rng(0).integers(0, 4, size=(50, 4))
    units = np.array(["a", "b", "c", "d"])
    for half, members in (("small", {"a", "b"}), ("large", {"c", "d"})):
        shares = []
        for d in draws:
            picked = [bt.loc[bt["unit_id"] == u] for u in units[d] if u in members]
            shares.append(pd.concat(picked)["met"].mean() if picked else np.nan)
        shares = np.array(shares, dtype=float)
        expected = np.percentile(shares[np.isfinite(shares)], [5, 95])
        assert (s[f"{half}_met_lo"], s[f"{half}_met_hi"]) == pytest.approx(tuple(expected))
    assert s["small_met_lo"] < s["small_met"] < s["small_met_hi"]
    # Spearman: attainment ranks (1, 3.5, 2, 3.5) vs size ranks (1, 2, 3, 4):
    # centred (−1.5, 1, −0.5, 1) · (−1.5, −0.5, 0.5, 1.5) = 2.25 − 0.5 − 0.25 + 1.5 = 3,
    # norms sqrt(2.25 + 1 + 0.25 + 1) = sqrt(4.5) and sqrt(5) → 3/sqrt(22.5) = 0.632456
    assert s["equity_rho"] == pytest.approx(0.632456, rel=1e-5)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.5, 1.5), min_size=6, max_size=6), st.randoms(use_true_random=False))
def test_summary_invariant_to_row_order_and_monotone_size(att, rnd):
    units = list("abcdef")
    bt = _frame(np.array([att, att[::-1]]), units)
    size = pd.Series([3.0, 1.0, 4.0, 1.5, 9.0, 2.6], index=units)
    base = tg.backtest_summary(bt, size, n_boot=30, seed=1).iloc[0]
    rows = list(range(len(bt)))
    rnd.shuffle(rows)
    shuffled = tg.backtest_summary(bt.iloc[rows], size, n_boot=30, seed=1).iloc[0]
    logged = tg.backtest_summary(bt, np.sqrt(size), n_boot=30, seed=1).iloc[0]
    for col in ("share_met", "mape", "equity_rho", "small_met", "large_met"):
        assert shuffled[col] == pytest.approx(base[col], nan_ok=True)
        assert logged[col] == pytest.approx(base[col], nan_ok=True)


def test_size_series(tmp_path):
    data = panel(tmp_path, {"A": [1, 2], "B": [3, 4]},
                 units_extra={"A": {"staff": 10, "population": 500},
                              "B": {"staff": 20, "population": 100}})
    s, label = tg.size_series(data)
    assert label == "population" and s.to_dict() == {"A": 500.0, "B": 100.0}
    s, label = tg.size_series(data, "staff")
    assert s.to_dict() == {"A": 10.0, "B": 20.0}
    # an indicator's base-year value (the first year of the data unless given)
    s, label = tg.size_series(data, "indicator:x")
    assert label == "x@2010" and s.to_dict() == {"A": 1.0, "B": 3.0}
    assert tg.size_series(data, "x", year=2011)[0].to_dict() == {"A": 2.0, "B": 4.0}
    with pytest.raises(ValueError, match="neither a units.csv column"):
        tg.size_series(data, "gdp")


def test_usable_k():
    heshan = load_data(PROJ_ROOT / "data/sample/heshan")  # 2011–2013
    assert tg.usable_k(heshan, 2013, 3) == 1  # last_growth(1) reads 2011, 2012
    yiyang = load_data(PROJ_ROOT / "data/sample/yiyang")  # 2013–2019
    assert tg.usable_k(yiyang, 2019, 3) == 3


def test_score_effects_on_the_sample():
    data = load_data(PROJ_ROOT / "data/sample/yiyang")
    scheme = load_scheme(PROJ_ROOT / "data/schemes/yiyang_2018.yaml")
    rules = {"scheme": None, **tg.preset_rules(["own_average", "last_growth", "peer"], 3)}
    alts, shifts = tg.score_effects(data, scheme, 2019, rules)
    assert set(alts["rule"]) == set(rules)
    assert len(alts) == 4 * len(data.units)
    assert (alts["kind"] == "target_rule").all() and (alts["study"] == "targets").all()
    base = shifts.loc[shifts["rule"] == "scheme"]
    assert (base["shift"] == 0).all() and not base["tier_changed"].any()
    # shift = rank_base − rank, and a changed tier is exactly a differing label
    assert (shifts["shift"] == shifts["rank_base"] - shifts["rank"]).all()
    assert (shifts["tier_changed"] == (shifts["tier_base"] != shifts["tier"])).all()
    # ranks within a sequence are a permutation-with-ties starting at 1
    for _, g in alts.groupby(["rule", "sequence"]):
        assert g["rank"].min() == 1 and g["rank"].max() <= len(g)


def test_census_population_as_size(tmp_path):
    ref = reference_dir()
    if ref is None or not (ref / "hunan-census").is_dir():
        pytest.skip("reference-data/hunan-census not available")
    census = pd.read_csv(ref / "hunan-census" / "hunan_county_census_population_2010_2020.csv")
    pop = census.loc[(census["census_year"] == 2020) & (census["level"] == "county")]
    pop = pop.dropna(subset=["admin_code"]).drop_duplicates("admin_code")
    assert len(pop) >= 100  # a real panel of 100+ county-level units
    ids = [f"c{int(c)}" for c in pop["admin_code"]]
    size = pd.Series(pop["resident_pop_total"].to_numpy(float), index=ids)
    # 20 years; growth rises with population, so every rule's attainment rises with size
    rank = size.rank(pct=True)
    rng = np.random.default_rng(11)
    series = {u: list(100 * np.cumprod(1 + 0.02 + 0.06 * rank[u]
                                       + rng.normal(0, 0.002, 20))) for u in ids}
    units = {u: {"population": float(size[u])} for u in ids}
    data = panel(tmp_path, series, first=2001, units_extra=units)
    got, label = tg.size_series(data)
    assert label == "population" and got.equals(size.rename("size"))
    bt = tg.backtest(data, "x", ["own_average", "last_growth", "peer"], k=3, common=True)
    assert bt["year"].nunique() == 16 and bt["unit_id"].nunique() == len(ids)
    s = tg.backtest_summary(bt, got, n_boot=200).set_index("rule")
    # peer sets every unit the median growth: fast-growing (large) units beat it
    assert s.loc["peer", "equity_rho"] > 0.9
    assert s.loc["peer", "large_met"] > s.loc["peer", "small_met"]
    # own growth rules track each unit: attainment no longer follows size closely
    assert abs(s.loc["mean_growth", "equity_rho"]) < s.loc["peer", "equity_rho"]


def test_run_study_on_an_own_panel_that_does_not_fit_the_scheme(tmp_path):
    sample = load_data(PROJ_ROOT / "data/sample/yiyang")
    scheme = load_scheme(PROJ_ROOT / "data/schemes/yiyang_2018.yaml")
    # a researcher's panel carrying only the completion indicators (no ratings, no others;
    # since issue 22 the structural levels are completion indicators too)
    obs = sample.observations.loc[sample.observations["indicator"].isin(
        ["gdp", "fiscal_revenue", "fai", "industry_va", "retail_sales", "pm25",
         "poverty_rate", "energy_intensity", "water_quality"]),
        ["unit_id", "year", "indicator", "value"]]
    own = load_data(write_dataset(tmp_path / "own", {
        "units": sample.units.drop(columns="source_row", errors="ignore"),
        "observations": obs}))
    res = tg.run_study(own, scheme, 2019, rules="own_average,trend", k=2, n_boot=20,
                       score_data=sample)
    # the mean level is a rule for level leaves only; the increment leaves name it
    assert set(res.backtest["rule"]) == {"mean_level", "trend"}
    assert set(res.backtest.loc[res.backtest["basis"] != "level", "rule"]) == {"trend"}
    assert set(res.not_applicable["rule"]) == {"mean_level"}
    assert not res.alternatives.empty and "“近2年平均水平”" in res.effects_note
    # without data to rescore, the effects are left out with a reason, the back-test stays
    alone = tg.run_study(own, scheme, 2019, rules="own_average,trend", k=2, n_boot=20)
    assert alone.alternatives.empty and alone.shifts.empty
    assert "无法按各规则重新计分" in alone.effects_note
    assert len(alone.backtest) == len(res.backtest)
    assert alone.focus_name == "大通湖区"  # the smallest unit by population_2020


def test_assigned_targets_back_test_like_any_rule(tmp_path):
    series = {"A": [100, 110, 121], "B": [50, 50, 60]}
    obs = [{"unit_id": u, "year": 2010 + i, "indicator": "x", "value": v}
           for u, vs in series.items() for i, v in enumerate(vs)]
    folder = write_dataset(tmp_path / "assigned", {
        "units": [{"unit_id": u, "name": u, "sequence": "s"} for u in series],
        "observations": obs,
        "targets": [{"unit_id": "A", "year": 2012, "indicator": "x", "target": 110},
                    {"unit_id": "B", "year": 2012, "indicator": "x", "target": 80}]})
    bt = tg.backtest(load_data(folder), "x", ["table", "mean_level"], k=1, common=True)
    rows = bt.loc[bt["year"] == 2012].set_index(["rule", "unit_id"])
    # only 2012 has assigned targets: A 121/110 = 1.1 met, B 60/80 = 0.75 not met; they
    # do not narrow the other rules' years (2011 and 2012)
    assert set(bt.loc[bt["rule"] == "table", "year"]) == {2012}
    assert set(bt.loc[bt["rule"] == "mean_level", "year"]) == {2011, 2012}
    assert rows.loc[("table", "A"), "attainment"] == pytest.approx(1.1)
    assert rows.loc[("table", "B"), "attainment"] == pytest.approx(0.75)
    with pytest.raises(ValueError, match="unknown target rule names"):
        tg.preset_rules(["tabel"])


def test_yiyang_increment_leaf_targets_are_levels_near_the_last_level():
    # The 固定资产投资 leaf scores increments (增量+增速). A rule gives the LEVEL the unit is
    # asked to reach; the old back-test applied "近3年平均增速" to the increments themselves
    # (last increment × (1 + mean growth of the increments)): a 2 836.6 亿 target on a
    # 209 亿 level and a MAPE of 4 007 %.
    data = load_data(PROJ_ROOT / "data/sample/yiyang")
    scheme = load_scheme(PROJ_ROOT / "data/schemes/yiyang_2018.yaml")
    res = tg.run_study(data, scheme, 2019, indicator="fai",
                       rules="scheme,own_average,last_growth,trend,peer", n_boot=50)
    bt = res.backtest
    # last year's level, read from the observations
    obs = data.observations.loc[data.observations["indicator"] == "fai"].set_index(
        ["unit_id", "year"])["value"]
    last = np.array([obs[(u, y - 1)] for u, y in zip(bt["unit_id"], bt["year"])])
    ratio = bt["target"] / last
    assert ratio.between(0.8, 1.3).all(), bt.loc[~ratio.between(0.8, 1.3)]
    assert (res.summary["mape"] < 0.25).all()
    # 赫山区 2019 under the mean growth of its last 3 years (levels 228.56, 250.98, 265.38,
    # 288.28): growths 0.098092, 0.057375, 0.086291, mean 0.080586 → 288.28 × 1.080586 =
    # 311.5114; as an increment 23.2314 (actual 305.71 − 288.28 = 17.43 → attainment
    # 0.750277), as growth 0.080586 (actual 0.060462, the same ratio of growths)
    g = (250.98 / 228.56 + 265.38 / 250.98 + 288.28 / 265.38) / 3 - 1
    row = bt.set_index(["unit_id", "year", "basis", "rule"]).loc[
        ("heshan", 2019, "increment", "mean_growth")]
    assert row["target"] == pytest.approx(288.28 * (1 + g))
    assert row["target_basis"] == pytest.approx(288.28 * g)
    assert row["attainment"] == pytest.approx(17.43 / (288.28 * g))
    assert row["growth_error_pp"] == pytest.approx(100 * (305.71 / 288.28 - 1 - g))
    # the growth half is back-tested under its own rule (own mean growth ≥ 2 %)
    half = bt.set_index(["unit_id", "year", "basis", "rule"]).loc[
        ("heshan", 2019, "growth", "scheme_blend")]
    assert half["target"] == pytest.approx(288.28 * (1 + g))
    assert half["target_basis"] == pytest.approx(g)
    assert res.labels["scheme_blend"] == "方案现行规则(增速部分)"
    # the mean level does not apply to an increment: named, not computed
    assert res.not_applicable[["indicator", "basis", "rule"]].values.tolist() == [
        ["fai", "increment", "mean_level"]]
    assert "mean_level" not in set(bt["rule"])


def test_level_targets_hand_computed():
    years = [2014, 2015, 2016, 2017, 2018]
    # units A, B (group 0) and C (group 1)
    levels = np.array([[100, 50, 10], [110, 50, 12], [121, 60, 12], [133.1, 63, 15],
                       [146.41, 70, 18]], dtype=float)
    groups = np.array([0, 0, 1])
    got = {n: tg.level_targets(n, levels, years, 2019, 3, groups=groups)
           for n in tg.LEVEL_RULES if n != "table"}
    # mean level of 2016–2018: A (121 + 133.1 + 146.41)/3 = 133.503333
    assert got["mean_level"][0] == pytest.approx((121 + 133.1 + 146.41) / 3)
    # mean increment: B 70 + (70 − 50)/3 = 76.666667; C 18 + (18 − 12)/3 = 20
    assert got["mean_increment"][1:] == pytest.approx([70 + 20 / 3, 20.0])
    # mean growth: B growths 0.2, 0.05, 0.111111 → 70 × (1 + 0.361111/3) = 78.425926
    assert got["mean_growth"][1] == pytest.approx(70 * (1 + (0.2 + 0.05 + 70 / 63 - 1) / 3))
    # CAGR: A 10 % a year → 161.051; B (70/50)^(1/3) = 1.118689 → 78.308
    assert got["cagr"][0] == pytest.approx(161.051)
    assert got["cagr"][1] == pytest.approx(70 * 1.4 ** (1 / 3))
    # trend through C's 12, 15, 18: 21
    assert got["trend"][2] == pytest.approx(21.0)
    # peer: group {A, B} growths 2018: 0.1, 0.111111 → median 0.105556; C alone: 0.2
    assert got["peer"][0] == pytest.approx(146.41 * (1 + (0.1 + 70 / 63 - 1) / 2))
    assert got["peer"][2] == pytest.approx(18 * 1.2)
    # last year's growth: C 18 × 18/15 = 21.6; the blend: half mean growth, half peer
    assert got["last_year_growth"][2] == pytest.approx(21.6)
    assert got["blend"] == pytest.approx((got["mean_growth"] + got["peer"]) / 2)
    # an assigned increment of 5 is a level of x(t−1) + 5; a growth of 10 % x(t−1)·1.1
    table = np.array([5.0, 5.0, 5.0])
    assert tg.level_targets("table", levels, years, 2019, 3, basis="increment",
                            table=table) == pytest.approx([151.41, 75, 23])
    assert tg.level_targets("table", levels, years, 2019, 3, basis="growth",
                            table=table / 50) == pytest.approx(levels[-1] * 1.1)
    # an official rate: the series is the rate itself (per cent)
    rates = np.array([[8.0], [7.0], [9.0], [6.0]])
    assert tg.level_targets("mean_growth", rates, [2015, 2016, 2017, 2018], 2019, 3,
                            basis="given_rate") == pytest.approx([22 / 3])
    with pytest.raises(ValueError, match="does not apply to basis 'given_rate'"):
        tg.level_targets("cagr", rates, [2015, 2016, 2017, 2018], 2019, 3, basis="given_rate")
    with pytest.raises(ValueError, match="does not apply to basis 'increment'"):
        tg.level_targets("mean_level", levels, years, 2019, 3, basis="increment")


@settings(max_examples=50, deadline=None)
@given(st.floats(1.0, 1e6), st.floats(-0.5, 2.0),
       st.sampled_from(["level", "increment", "growth", "given_rate"]))
def test_level_and_basis_terms_round_trip(last, growth, basis):
    level = np.array([last * (1 + growth)])
    back = tg.to_level(tg.to_basis(level, np.array([last]), basis), np.array([last]), basis)
    assert back == pytest.approx(level, rel=1e-9)


def test_share_met_and_mape_intervals_resample_units():
    # 5 units × 3 years; an independent bootstrap: draw units with the same generator, pool
    # their rows, recompute both statistics
    rng = np.random.default_rng(5)
    units = list("abcde")
    actual = rng.uniform(80, 120, size=15)
    bt = pd.DataFrame({"indicator": "x", "unit_id": np.repeat(units, 3),
                       "year": np.tile([2017, 2018, 2019], 5), "rule": "r",
                       "target": 100.0, "actual": actual, "attainment": actual / 100,
                       "met": actual >= 100, "valid": True, "last": 95.0})
    s = tg.backtest_summary(bt, pd.Series(dict(zip(units, [1.0, 2, 3, 4, 5]))), n_boot=300,
                            seed=9).iloc[0]
    draws = np.random.default_rng(9).integers(0, 5, size=(300, 5))
    shares, mapes = [], []
    for d in draws:
        rows = pd.concat([bt.loc[bt["unit_id"] == units[i]] for i in d])
        shares.append(rows["met"].mean())
        mapes.append(((rows["actual"] - 100).abs() / rows["actual"]).mean())
    assert s["share_met"] == pytest.approx(bt["met"].mean())
    assert [s["share_met_lo"], s["share_met_hi"]] == pytest.approx(
        list(np.percentile(shares, [5, 95])))
    assert [s["mape_lo"], s["mape_hi"]] == pytest.approx(list(np.percentile(mapes, [5, 95])))
    assert s["mape_lo"] <= s["mape"] <= s["mape_hi"]


PROVINCES = PROJ_ROOT / "data" / "real" / "china_provinces"


def test_level_errors_on_the_provincial_panel_equal_a_hand_computation():
    # real NBS GDP of 31 provinces (亿元, current prices), back-tested for 2011 with k = 3
    data = load_data(PROVINCES)
    bt = tg.backtest(data, "gdp", ["mean_increment", "mean_growth"], years=[2011], k=3,
                     basis="increment")
    rows = bt.set_index(["rule", "unit_id"])
    # 湖南: 2007 9 439.6, 2008 11 555.0, 2009 13 059.69, 2010 16 037.96, 2011 19 669.56
    # mean increment: 16 037.96 + (16 037.96 − 9 439.6)/3 = 18 237.413333, error 1 432.146667
    inc = 16037.96 + (16037.96 - 9439.6) / 3
    hunan = rows.loc[("mean_increment", "hunan")]
    assert hunan["target"] == pytest.approx(18237.413333, abs=1e-5) == inc
    assert hunan["actual"] - hunan["target"] == pytest.approx(1432.146667, abs=1e-5)
    assert hunan["target_basis"] == pytest.approx(2199.453333, abs=1e-5)
    # mean growth: (11 555/9 439.6 − 1 + 13 059.69/11 555 − 1 + 16 037.96/13 059.69 − 1)/3
    # = (0.224098 + 0.130220 + 0.228050)/3 = 0.194123 → 16 037.96 × 1.194123 = 19 151.28
    g = (11555.0 / 9439.6 + 13059.69 / 11555.0 + 16037.96 / 13059.69 - 3) / 3
    assert g == pytest.approx(0.194123, abs=1e-6)
    assert rows.loc[("mean_growth", "hunan"), "target"] == pytest.approx(16037.96 * (1 + g))
    assert rows.loc[("mean_growth", "hunan"), "growth_error_pp"] == pytest.approx(
        100 * (19669.56 / 16037.96 - 1 - g))
    # every province, from the observations alone (pandas, not the study's code)
    wide = data.observations.loc[data.observations["indicator"] == "gdp"].pivot(
        index="year", columns="unit_id", values="value")
    x = {y: wide.loc[y] for y in range(2007, 2012)}
    targets = {"mean_increment": x[2010] + (x[2010] - x[2007]) / 3,
               "mean_growth": x[2010] * (1 + sum(x[y] / x[y - 1] - 1
                                                 for y in (2008, 2009, 2010)) / 3)}
    s = tg.backtest_summary(bt, pd.Series(1.0, index=wide.columns), n_boot=0).set_index("rule")
    for rule, t in targets.items():
        got = rows.loc[rule, "target"].reindex(wide.columns)
        assert got.to_numpy() == pytest.approx(t.to_numpy(), rel=1e-12)
        ape = ((x[2011] - t).abs() / x[2011]).mean()
        assert s.loc[rule, "mape"] == pytest.approx(ape, rel=1e-12)
        assert s.loc[rule, "mase"] == pytest.approx(
            (x[2011] - t).abs().sum() / (x[2011] - x[2010]).abs().sum(), rel=1e-12)
        assert s.loc[rule, "n"] == 31


def test_the_study_runs_on_the_provincial_scheme_within_regions():
    # the provincial scheme scores GDP (level + growth) and growth rates, no completion
    # leaf: the chapter back-tests the volumes as if targets were set, and says so
    data = load_data(PROVINCES)
    scheme = load_scheme(PROJ_ROOT / "data/schemes/china_provinces.yaml")
    res = tg.run_study(data, scheme, 2011, n_boot=100, size="population_2010")
    assert set(res.indicator_names) == {"gdp", "tertiary_va", "budget_expenditure"}
    assert "没有按完成率考核的指标" in res.effects_note and res.shifts.empty
    gdp = res.backtest.loc[(res.backtest["indicator"] == "gdp")
                           & (res.backtest["rule"] == "mean_growth")]
    assert gdp["unit_id"].nunique() == 31 and gdp["basis"].eq("level").all()
    # equity: Spearman of each province's mean attainment with its 2010 population within
    # the four regions (东部 10, 中部 6, 西部 12, 东北 3), weighted by region size — scipy
    means = gdp.groupby("unit_id")["attainment"].mean()
    units = data.units.set_index("unit_id")
    rhos, weights = [], []
    for _, members in units.groupby("sequence"):
        m = members.index
        rhos.append(spearmanr(means.reindex(m), members["population_2010"])[0])
        weights.append(len(m))
    row = res.summary.set_index(["indicator", "rule"]).loc[("gdp", "mean_growth")]
    assert row["equity_rho"] == pytest.approx(np.average(rhos, weights=weights))
    assert row["equity_rho_all"] == pytest.approx(
        spearmanr(means, units["population_2010"].reindex(means.index))[0])
    assert row["equity_rho_lo"] <= row["equity_rho"] <= row["equity_rho_hi"]
    assert row["equity_n"] == 31


def test_rule_means_hand_computed():
    # rule r on two indicators: x met 2 of 4 valid unit-years (a: 1/2, b: 1/2), y met 3 of
    # 3 valid (one row of c invalid) → mean (0.5 + 1.0)/2 = 0.75; small half {a} (sizes
    # a 1 < b 2 < c 3; c is the larger half, b in neither): x 1/2, y 1/1 → 0.75; large {c}:
    # x has no c row, y 1/1 → 1.0 (x left out of the mean)
    bt = pd.DataFrame({
        "indicator": ["x", "x", "x", "x", "y", "y", "y", "y"],
        "basis": "level", "rule": "r",
        "unit_id": ["a", "a", "b", "b", "a", "b", "c", "c"],
        "met": [True, False, True, False, True, True, True, False],
        "valid": [True, True, True, True, True, True, True, False]})
    size = pd.Series({"a": 1.0, "b": 2.0, "c": 3.0})
    got = tg.rule_means(bt, size, n_boot=0).iloc[0]
    assert got[["indicators", "n", "units"]].tolist() == [2, 7, 3]
    assert got["share_met"] == pytest.approx(0.75)
    assert got["small_met"] == pytest.approx(0.75) and got["large_met"] == pytest.approx(1.0)
    assert np.isnan(got["share_met_lo"])  # no resamples, no interval


def test_rule_means_on_the_provincial_panel_equal_summary_means_and_a_unit_resample():
    """31 provinces, three indicators: the point figures are the mean over indicators of the
    summary's shares; the interval is rebuilt resample by resample with pandas from the same
    unit draws (numpy's multinomial, as the study draws them), every indicator of a drawn
    province counted as often as it is drawn."""
    data = load_data(PROVINCES)
    scheme = load_scheme(PROJ_ROOT / "data/schemes/china_provinces.yaml")
    res = tg.run_study(data, scheme, 2011, n_boot=40, seed=3, size="population_2010")
    means = res.rule_means.set_index("rule")
    summ = res.summary.groupby("rule")[["share_met", "small_met", "large_met"]].mean()
    assert means[["share_met", "small_met", "large_met"]].to_numpy() == pytest.approx(
        summ.reindex(means.index).to_numpy(), rel=1e-12)
    rule = "mean_growth"
    bt = res.backtest.loc[res.backtest["rule"] == rule]
    units = np.unique(bt["unit_id"].astype(str))
    rng = np.random.default_rng(3)
    weights = rng.multinomial(len(units), np.full(len(units), 1 / len(units)), size=40)
    draws = []
    for w in weights:
        counts = pd.Series(w, index=units)
        ok = bt.loc[bt["valid"].astype(bool)]
        ok = ok.assign(w=ok["unit_id"].map(counts))
        per = ok.groupby(["indicator", "basis"]).apply(
            lambda g: (g["w"] * g["met"]).sum() / g["w"].sum() if g["w"].sum() else np.nan,
            include_groups=False)
        draws.append(per.mean())
    row = means.loc[rule]
    assert [row["share_met_lo"], row["share_met_hi"]] == pytest.approx(
        list(np.percentile(draws, [5, 95])), rel=1e-12)
    assert row["units"] == 31 and row["indicators"] == bt.groupby(["indicator", "basis"]).ngroups
