"""Study 1 (perfanalysis.studies.targets): set_targets, backtest, backtest_summary, size,
score effects; synthetic panels where the right answer is known, and real census sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert summary.loc["last_growth", "mape"] == pytest.approx(0.0, abs=1e-12)
    assert summary["mape"].idxmin() == "last_growth"
    assert (summary.drop("last_growth")["mape"] > 1e-4).all()
    # all on the common years 2014–2017 (last_growth(3) reads 4 earlier years)
    assert set(bt["year"]) == {2014, 2015, 2016, 2017}
    # a straight line: trend is exact
    line = panel(tmp_path, {u: [10 * (i + 1) + (i + 2) * t for t in range(6)]
                            for i, u in enumerate("ABCD")})
    s2 = tg.backtest_summary(tg.backtest(line, "x", ["own_average", "last_growth", "trend"],
                                         k=2, common=True), pd.Series(dict.fromkeys("ABCD", 1.0)),
                             n_boot=20).set_index("rule")
    assert s2["mape"].idxmin() == "trend" and s2.loc["trend", "mape"] < 1e-12


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
    # 8 years × 60 units: the sd of the mean Spearman is about 1/sqrt(59·8) ≈ 0.046
    assert abs(s["equity_rho"]) < 0.15
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
        "valid": True})
    size = pd.Series({"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0})
    s = tg.backtest_summary(bt, size, n_boot=50).iloc[0]
    # mape = (2/8 + 2.5/12.5 + 0 + 10/50)/4 = (0.25 + 0.2 + 0 + 0.2)/4 = 0.1625
    assert s["mape"] == pytest.approx(0.1625)
    assert s["share_met"] == 0.75
    # halves by size: {a, b} met 1 of 2, {c, d} met 2 of 2
    assert s["small_met"] == 0.5 and s["large_met"] == 1.0
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
    logged = tg.backtest_summary(bt, np.log(size), n_boot=30, seed=1).iloc[0]
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
    assert abs(s.loc["last_growth", "equity_rho"]) < s.loc["peer", "equity_rho"]


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
    assert set(res.backtest["rule"]) == {"own_average", "trend"}
    assert not res.alternatives.empty and res.effects_note == ""
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
    bt = tg.backtest(load_data(folder), "x", ["table", "own_average"], k=1, common=True)
    rows = bt.set_index(["rule", "unit_id"])
    # only 2012 has assigned targets: A 121/110 = 1.1 met, B 60/80 = 0.75 not met
    assert set(bt["year"]) == {2012}
    assert rows.loc[("table", "A"), "attainment"] == pytest.approx(1.1)
    assert rows.loc[("table", "B"), "attainment"] == pytest.approx(0.75)
    with pytest.raises(ValueError, match="unknown target rule names"):
        tg.preset_rules(["tabel"])
