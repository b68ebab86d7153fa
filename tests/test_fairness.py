"""Study 2 (growth vs level): variants, growth models, size dependence, persistence, noise
and the frontier on synthetic panels with known answers, plus the engine path on the
samples."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfanalysis import assign_tiers, load_data, load_scheme, score
from perfanalysis.errors import DataError, SchemeError
from perfanalysis.paths import PROJ_ROOT
from perfanalysis.studies import fairness as fs
from perfanalysis.studies.fairness_growth import (
    TAUS,
    quantile_predictions,
    quantreg_params,
    value_added_batched,
    value_added_statsmodels,
)
from tests.helpers import write_dataset

YIYANG = PROJ_ROOT / "data" / "sample" / "yiyang"
HESHAN = PROJ_ROOT / "data" / "sample" / "heshan"
SCHEMES = PROJ_ROOT / "data" / "schemes"


def panel_data(tmp: Path, values: dict[int, list[float]], sizes: list[float],
               sequence: list[str] | None = None) -> object:
    """A dataset of one indicator 'x' for units u00, u01, … with the given yearly values."""
    n = len(sizes)
    ids = [f"u{i:02d}" for i in range(n)]
    units = pd.DataFrame({"unit_id": ids, "name": [f"单位{i}" for i in range(n)],
                          "sequence": sequence or ["s"] * n, "population": sizes})
    obs = [{"unit_id": u, "year": y, "indicator": "x", "value": v[i]}
           for y, v in values.items() for i, u in enumerate(ids) if not math.isnan(v[i])]
    return load_data(write_dataset(tmp, {"units": units, "observations": obs}))


def _score(table: pd.DataFrame, variant: str, alpha: float | None = None) -> pd.Series:
    sub = table.loc[table["variant"] == variant]
    if alpha is not None:
        sub = sub.loc[np.isclose(sub["alpha"], alpha)]
    return sub.set_index("unit_id")["score"]


# --- inputs -----------------------------------------------------------------------------------
def test_alpha_grid_is_exact_and_checked() -> None:
    assert fs.alpha_grid(0.25).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert fs.alpha_grid(0.1)[3] == 0.3  # not 0.30000000000000004
    with pytest.raises(ValueError):
        fs.alpha_grid(0)


def test_unit_sizes_from_column_and_external_table(tmp_path: Path) -> None:
    data = load_data(YIYANG)
    size = fs.unit_sizes(data)  # population_2020 is the default column
    assert size["datonghu"] == 83100 and size["anhua"] == 780969
    assert fs.unit_sizes(data, "staff")["heshan"] == 1450
    ext = tmp_path / "size.csv"
    pd.DataFrame({"unit_id": size.index, "size": size.to_numpy() * 2}).to_csv(ext, index=False)
    assert fs.unit_sizes(data, path=ext)["datonghu"] == 166200
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"unit_id": [*size.index[:-1], "nowhere"],
                  "size": [1.0] * (len(size) - 2) + [-3.0, 5.0]}).to_csv(bad, index=False)
    with pytest.raises(DataError) as err:
        fs.unit_sizes(data, path=bad)
    text = str(err.value)
    assert "nowhere" in text and "no size for unit 'gaoxin'" in text and "positive" in text


def test_main_level_indicator_of_the_presets() -> None:
    assert fs.main_level_indicator(load_scheme(SCHEMES / "yiyang_2018.yaml")) == "gdp"
    # Heshan has no blended leaf: the level money amount with the most points (80)
    assert fs.main_level_indicator(load_scheme(SCHEMES / "heshan_2013.yaml")) == \
        "investment_attraction"


# --- variants of one indicator ----------------------------------------------------------------
def test_variants_hand_computed(tmp_path: Path) -> None:
    # three units, sizes 1, 2, 4; x: 2018 → 2019 = 10 → 11, 20 → 21, 40 → 40
    data = panel_data(tmp_path, {2018: [10, 20, 40], 2019: [11, 21, 40]}, [1, 2, 4])
    size = fs.unit_sizes(data)
    t = fs.variants(data, "x", 2019, [0.0, 0.5, 1.0], size)
    # level position: (x − 11)/(40 − 11) → 0, 10/29·100, 100
    assert _score(t, "level").round(6).tolist() == [0.0, round(1000 / 29, 6), 100.0]
    # growth 10 %, 5 %, 0 % → 100, 50, 0
    assert _score(t, "growth").round(6).tolist() == [100.0, 50.0, 0.0]
    # increment 1, 1, 0 → 100, 100, 0; ranks share the best place
    assert _score(t, "increment").tolist() == [100.0, 100.0, 0.0]
    assert t.loc[t["variant"] == "increment", "rank"].tolist() == [1, 1, 3]
    # per capita 11, 10.5, 10 → 100, 50, 0
    assert _score(t, "per_capita").round(6).tolist() == [100.0, 50.0, 0.0]
    # blend α = 0.5: 0.5·level + 0.5·growth = 50, (34.4828 + 50)/2, 50
    assert _score(t, "blend", 0.5).round(6).tolist() == [50.0, round(500 / 29 + 25, 6), 50.0]
    assert _score(t, "blend", 1.0).equals(_score(t, "level"))
    assert _score(t, "blend", 0.0).equals(_score(t, "growth"))
    assert set(t["variant"]) == {"level", "growth", "increment", "per_capita", "blend",
                                 "value_added", "cgp"}


def test_blend_with_increment(tmp_path: Path) -> None:
    data = panel_data(tmp_path, {2018: [10, 20, 40], 2019: [11, 21, 40]}, [1, 2, 4])
    t = fs.variants(data, "x", 2019, [0.5], blend_with="increment")
    # 0.5·increment (100, 100, 0) + 0.5·growth (100, 50, 0)
    assert _score(t, "blend", 0.5).tolist() == [100.0, 75.0, 0.0]


def test_missing_value_and_unknown_indicator_are_errors(tmp_path: Path) -> None:
    data = panel_data(tmp_path, {2018: [10, 20, float("nan")], 2019: [11, 21, 40]}, [1, 2, 4])
    with pytest.raises(DataError, match="no value for unit 'u02' in 2018"):
        fs.variants(data, "x", 2019, [0.5])
    with pytest.raises(SchemeError, match="needs the scheme"):
        fs.variants(data, "nothing", 2019, [0.5])
    with pytest.raises(DataError, match="consecutive earlier"):
        fs.variants(data, "x", 2018, [0.5])


def test_growth_independent_of_size_and_level_tied_to_size(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    n = 60
    size = np.exp(rng.uniform(np.log(1e4), np.log(1e6), n))
    growth = rng.uniform(0.0, 0.10, n)  # drawn independently of size
    prev = size * 3.0
    data = panel_data(tmp_path, {2018: list(prev), 2019: list(prev * (1 + growth))}, list(size))
    sz = fs.unit_sizes(data)
    t = fs.variants(data, "x", 2019, [0.5], sz)
    dep = fs.size_dependence_table(t, sz, boot=300).set_index("variant")
    # level = 3·size·(1+g) with g ≤ 10 %: almost the size order; growth unrelated
    assert dep.at["level", "rho"] > 0.95 and dep.at["level", "rho_lo"] > 0.9
    assert abs(dep.at["growth", "rho"]) < 0.25
    assert dep.at["growth", "rho_lo"] < 0 < dep.at["growth", "rho_hi"]
    assert dep.at["level", "slope"] < 0  # larger → better (smaller) place


def test_level_equal_to_size_has_rho_one(tmp_path: Path) -> None:
    sizes = [5.0, 50.0, 8.0, 300.0, 21.0, 2.0]
    data = panel_data(tmp_path, {2018: [s * 0.9 for s in sizes], 2019: sizes}, sizes)
    sz = fs.unit_sizes(data)
    t = fs.variants(data, "x", 2019, [1.0], sz)
    dep = fs.size_dependence(_score(t, "level"), sz, boot=200)
    assert dep["rho"] == pytest.approx(1.0)
    assert dep["rho_lo"] == pytest.approx(1.0) and dep["rho_hi"] == pytest.approx(1.0)
    # every unit grew by the same 1/0.9 − 1: no growth differences, all share first place
    assert set(t.loc[t["variant"] == "growth", "rank"]) == {1}


# --- growth models ----------------------------------------------------------------------------
def _cgp_panel(tmp: Path) -> tuple[object, int]:
    """61 units; log current = 0.5 + log prior + e, e symmetric; unit 30 has e = 0."""
    n = 61
    x = np.linspace(1.0, 4.0, n)
    pattern = np.array([0.3, -0.3, 0.15, -0.15, 0.05, -0.05])
    e = np.resize(pattern, n)
    e[30] = 0.0
    prior = np.exp(x)
    current = np.exp(0.5 + x + e)
    return panel_data(tmp, {2018: list(prior), 2019: list(current)}, list(prior)), 30


def test_unit_on_the_median_curve_has_percentile_about_50(tmp_path: Path) -> None:
    data, mid = _cgp_panel(tmp_path)
    pct = fs.conditional_growth_percentiles(data, "x", 2019)
    assert 45 <= pct.iloc[mid] <= 55
    assert pct.between(1, 99).all()
    # the +0.3 units sit above the 0.15 units, which sit above the −0.15 units
    assert pct.iloc[0] > pct.iloc[2] > pct.iloc[3] > pct.iloc[1]


def test_quantile_predictions_are_monotone_in_tau() -> None:
    rng = np.random.default_rng(3)
    prior = rng.normal(size=12)
    current = prior + rng.standard_t(2, size=12)  # heavy tails: raw quantile lines cross
    pred = quantile_predictions(current, prior, np.linspace(-3, 3, 25))
    assert pred.shape == (25, 99)
    assert np.all(np.diff(pred, axis=1) >= 0)


@pytest.mark.parametrize("folder, indicator, year", [
    (YIYANG, "gdp", 2019), (PROJ_ROOT / "data" / "real" / "china_provinces", "gdp", 2011)])
def test_all_tau_quantile_fits_equal_statsmodels_quantreg_bit_for_bit(
        folder: Path, indicator: str, year: int) -> None:
    """The growth percentiles' regressions on real panels (Yiyang: 10 counties pooled over
    the years with year fixed effects; the provinces: one cross-section of 31): every τ's
    coefficients equal statsmodels' own QuantReg fit exactly, so the percentiles are too."""
    import warnings

    from statsmodels.regression.quantile_regression import QuantReg

    from perfanalysis.studies.fairness_core import _cgp_fit_data
    from perfanalysis.studies.fairness_growth import _design, year_effects

    data = load_data(folder)
    ids = list(data.units["unit_id"])
    pooled = len(ids) < 30
    cur, pri, yrs = _cgp_fit_data(data, indicator, year, 1, ids, pooled, True)
    x = np.column_stack([_design(pri), year_effects(yrs, year)])
    assert x.shape[1] == (2 + len(set(yrs)) - 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = np.array([QuantReg(cur, x).fit(q=float(t), max_iter=5000).params
                             for t in TAUS])
    got = quantreg_params(cur, x, TAUS)
    assert got.shape == expected.shape == (99, x.shape[1])
    assert np.array_equal(got, expected)


def test_batched_value_added_matches_statsmodels() -> None:
    rng = np.random.default_rng(11)
    prior = rng.normal(size=(5, 20, 2))
    current = prior @ np.array([0.8, 0.3]) + rng.normal(size=(5, 20))
    batched = value_added_batched(current, prior)
    for d in range(5):
        z, slope, se = value_added_statsmodels(current[d], prior[d])
        np.testing.assert_allclose(batched[d], z, rtol=1e-8, atol=1e-10)
        assert se > 0 and np.isfinite(slope)


# --- size dependence by hand --------------------------------------------------------------------
def test_size_dependence_hand_computed() -> None:
    score = pd.Series([4.0, 3.0, 2.0, 1.0], index=list("abcd"))
    size = pd.Series([1.0, 2.0, 3.0, 4.0], index=list("abcd"))
    dep = fs.size_dependence(score, size, boot=0)
    assert dep["rho"] == pytest.approx(-1.0)
    # rank (1 = best) = 1, 2, 3, 4 on x = log2 1, log2 2, log2 3, log2 4 (places per doubling)
    x = np.log2([1.0, 2.0, 3.0, 4.0])
    y = np.array([1.0, 2.0, 3.0, 4.0])
    sxx = ((x - x.mean()) ** 2).sum()  # 2.2568
    slope = ((x - x.mean()) * (y - y.mean())).sum() / sxx  # 3.2925 / 2.2568 = 1.459
    assert dep["slope"] == pytest.approx(slope) and slope == pytest.approx(1.459, abs=1e-3)
    # HC3: (X'X)⁻¹ X' diag(eᵢ²/(1 − hᵢ)²) X (X'X)⁻¹
    xm = np.column_stack([np.ones(4), x])
    inv = np.linalg.inv(xm.T @ xm)
    e = y - xm @ (inv @ xm.T @ y)
    h = np.einsum("ij,jk,ik->i", xm, inv, xm)
    cov = inv @ (xm.T * (e ** 2 / (1 - h) ** 2)) @ xm @ inv
    assert dep["slope_se"] == pytest.approx(math.sqrt(cov[1, 1]))


# --- persistence ------------------------------------------------------------------------------
def test_persistence_hand_computed() -> None:
    # 3 units, ranks 2018: a1 b2 c3; 2019: a1 b3 c2 → pairs (a,b) +, (a,c) +, (b,c) −:
    # τ = (2 − 1)/3; terciles of 3 units are the ranks themselves
    panel = pd.DataFrame({
        "unit_id": list("abc") * 2, "name": list("甲乙丙") * 2, "sequence": "s",
        "year": [2018] * 3 + [2019] * 3, "variant": "level", "alpha": np.nan,
        "rank": [1, 2, 3, 1, 3, 2], "top": [True, False, False, True, False, False]})
    p = fs.persistence(panel)
    assert p.kendall["kendall_tau"].tolist() == [pytest.approx(1 / 3)]
    mob = p.mobility.set_index(["tercile_from", "tercile_to"])["count"]
    assert mob[(1, 1)] == 1 and mob[(2, 3)] == 1 and mob[(3, 2)] == 1 and mob.sum() == 3
    top = p.years_top.set_index("unit_id")
    assert top.at["a", "years_top"] == 2 and top.at["b", "years_top"] == 0
    assert (top["years"] == 2).all()


def test_persistence_pairs_only_within_a_sequence() -> None:
    # two sequences of two units; x and y swap, p and q keep: τ = (−1·1 + 1·1)/2 = 0
    panel = pd.DataFrame({
        "unit_id": ["x", "y", "p", "q"] * 2, "sequence": ["s1", "s1", "s2", "s2"] * 2,
        "year": [1] * 4 + [2] * 4, "variant": "level", "alpha": np.nan,
        "rank": [1, 2, 1, 2, 2, 1, 1, 2]})
    assert fs.persistence(panel).kendall["kendall_tau"].tolist() == [pytest.approx(0.0)]


def test_small_unit_chance_hand_computed() -> None:
    size = pd.Series({"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0})  # small half: a, b
    panel = pd.DataFrame({"unit_id": list("abcd") * 2, "year": [1] * 4 + [2] * 4,
                          "variant": "growth", "alpha": np.nan, "rank": [1, 2, 3, 4] * 2,
                          "top": [True, False, False, True, False, False, True, True]})
    row = fs.small_unit_chance(panel, size).iloc[0]
    assert row["p_top_small"] == pytest.approx(1 / 4)  # a in year 1 of 4 unit-years
    assert row["p_top_large"] == pytest.approx(3 / 4)  # d, c, d


# --- noise and the frontier ----------------------------------------------------------------------
def _frontier_panel(tmp: Path) -> object:
    """Level = size (L = i/9), growth g = 0.2·(1 − L) + 0.002·e with e symmetric about the
    middle, so the growth position is exactly 1 − L + 0.01·e (e = 0 at both ends). The blend
    α·L + (1−α)(1 − L + 0.01e) = (1 − α) + (2α − 1)·L + 0.01(1 − α)·e:
    α = 0.5 leaves 0.5 + 0.005·e, Spearman ρ(e, size) = 0 by symmetry; at α = 0.4 the −0.2·L
    term (steps of 0.022) outweighs 0.006·e (steps ≤ 0.012): ρ = −1; at α = 0.6, ρ = +1."""
    sizes = np.array([100.0 + 10 * i for i in range(10)])
    lpos = np.arange(10) / 9.0
    e = np.array([0, 1, -1, -1, 1, 1, -1, -1, 1, 0], dtype=float)
    g = 0.2 * (1 - lpos) + 0.002 * e
    return panel_data(tmp, {2018: list(sizes / (1 + g)), 2019: list(sizes)}, list(sizes))


def test_frontier_returns_the_alpha_built_into_the_panel(tmp_path: Path) -> None:
    data = _frontier_panel(tmp_path)
    size = fs.unit_sizes(data)
    alphas = fs.alpha_grid(0.1)
    t = fs.variants(data, "x", 2019, alphas, size)
    dep = fs.size_dependence_table(t, size, boot=50)
    sim = fs.simulate_noise(data, "x", 2019, alphas, size=size, noise=0.0, draws=4)
    vol = fs.rank_volatility(sim, size)
    assert (vol["rank_sd"] == 0).all()  # no error, no rank noise
    front = fs.frontier(dep, vol, max_rho=0.3, max_volatility=0.5)
    assert front.set_index("alpha").at[0.4, "size_rho"] == pytest.approx(-1.0)
    assert front.set_index("alpha").at[0.6, "size_rho"] == pytest.approx(1.0)
    assert fs.alpha_range(front) == (0.5, 0.5)
    # a volatility bound below the observed level closes the range
    assert fs.alpha_range(fs.frontier(dep, vol.assign(rank_sd=1.0), 0.3, 0.5)) is None


def test_noise_is_seeded_chunk_free_and_hits_small_growth_hardest(tmp_path: Path) -> None:
    sizes = [1e3, 3e3, 1e4, 3e4, 1e5, 3e5]
    data = panel_data(tmp_path, {2018: [s / 1.05 for s in sizes],
                                 2019: sizes}, sizes)
    size = fs.unit_sizes(data)
    a = fs.simulate_noise(data, "x", 2019, [0.5], size=size, noise=0.05, draws=300, seed=4)
    b = fs.simulate_noise(data, "x", 2019, [0.5], size=size, noise=0.05, draws=300, seed=4,
                          chunk=7)
    np.testing.assert_allclose(a.rank_sd, b.rank_sd)
    np.testing.assert_allclose(a.mean_rank, b.mean_rank)
    vol = fs.rank_volatility(a, size).set_index(["variant", "unit_id"])["rank_sd"]
    # level: sizes 3× apart, 5 % errors never swap neighbours; equal growth: pure noise
    assert vol["level"].max() < 0.2
    assert vol["growth"].mean() > 1.0


def test_noise_result_needs_scheme_for_top_chance(tmp_path: Path) -> None:
    data = panel_data(tmp_path, {2018: [1.0, 2.0, 3.0], 2019: [1.1, 2.1, 3.3]}, [1, 2, 3])
    sim = fs.simulate_noise(data, "x", 2019, [0.5], draws=3)
    with pytest.raises(ValueError, match="scheme"):
        fs.top_chance(sim)


# --- the scheme's total and groups through the engine ---------------------------------------------
def test_total_blend_at_the_schemes_alpha_is_the_official_total() -> None:
    data = load_data(YIYANG)
    scheme = load_scheme(SCHEMES / "yiyang_2018.yaml")
    t = fs.variants(data, "total", 2019, [0.0, 0.5, 1.0], scheme=scheme)
    official = score(data, scheme, 2019).set_index("unit_id")["total"]
    blend = _score(t, "blend", 0.5)  # every blended leaf of the preset has α = 0.5
    np.testing.assert_allclose(blend.sort_index(), official.sort_index(), atol=1e-6)
    assert not np.allclose(_score(t, "level").sort_index(), _score(t, "growth").sort_index())
    assert _score(t, "level").equals(_score(t, "blend", 1.0))
    group = fs.variants(data, "high_quality", 2019, [0.5], scheme=scheme)
    # the group's 40 points, where completion may pay up to its cap (groups are not clipped):
    # gdp 8 + fiscal_revenue 6 + fai 5 + industry_va 5 + retail_sales 4 = 28 points at ×1.2
    # = 33.6, plus urban_income, rural_income, energy_intensity 4 + 4 + 4 = 12 → 45.6
    assert (_score(group, "level") <= 45.6 + 1e-9).all()


def test_alternatives_have_the_shared_columns_and_official_tiers_at_alpha_half() -> None:
    data = load_data(YIYANG)
    scheme = load_scheme(SCHEMES / "yiyang_2018.yaml")
    alt = fs.alternatives(data, scheme, 2019, [0.0, 0.5, 1.0])
    assert {"study", "alternative", "kind", "unit_id", "name", "sequence", "total", "rank",
            "tier"} <= set(alt.columns)
    assert set(alt["kind"]) == {"alpha"} and alt["alternative"].nunique() == 3
    scores = score(data, scheme, 2019)
    tiers = assign_tiers(scores, scheme, data.events.loc[data.events["year"] == 2019])
    half = alt.loc[alt["alpha"] == 0.5].set_index("unit_id")
    assert half["tier"].to_dict() == tiers.set_index("unit_id")["tier"].to_dict()
    assert half["rank"].to_dict() == tiers.set_index("unit_id")["rank"].to_dict()


def test_heshan_total_noise_on_the_engine_and_quota_top() -> None:
    data = load_data(HESHAN)
    scheme = load_scheme(SCHEMES / "heshan_2013.yaml")
    assert fs.blended_leaves(scheme) == ["fiscal_revenue", "fai", "investment_attraction",
                                        "project_funding"]
    sim = fs.simulate_noise(data, "total", 2013, [0.5], scheme=scheme, noise=0.02, draws=20)
    top = fs.top_chance(sim)
    # quotas: top 2 of each town sequence, top 1 of streets → Σ p_top = 2 + 2 + 1 per variant
    sums = top.groupby("variant", sort=False)["p_top"].sum()
    assert sums.round(9).tolist() == [5.0, 5.0, 5.0]


# --- findings and figures ------------------------------------------------------------------------
def test_findings_quote_the_tables(tmp_path: Path) -> None:
    from perfanalysis.report.findings import fairness as fw

    data = _frontier_panel(tmp_path)
    size = fs.unit_sizes(data)
    alphas = fs.alpha_grid(0.1)
    t = fs.variants(data, "x", 2019, alphas, size)
    dep = fs.size_dependence_table(t, size, boot=50)
    sim = fs.simulate_noise(data, "x", 2019, alphas, size=size, noise=0.0, draws=2)
    front = fs.frontier(dep, fs.rank_volatility(sim, size), 0.3, 0.5)
    text = fw.frontier_sentences(front, fs.alpha_range(front), 0.3, 0.5)[0]
    assert "数据支持α=0.50的总量与增速混合" in text and "|ρ|不超过0.3" in text
    none = fw.frontier_sentences(front.assign(within=False), None, 0.3, 0.5)[0]
    assert "没有一个总量权重α能同时满足" in none
    sizes = fw.size_sentences(dep)
    level = dep.loc[dep["variant"] == "level"].iloc[0]  # level = size here: ρ = 1
    assert f"总量计分下,得分与规模的秩相关ρ为{level['rho']:.2f}" in sizes[0]
    assert "明显有利于规模大的单位" in sizes[0]
    row = pd.Series({"rho": 0.1, "rho_lo": -0.4, "rho_hi": 0.2})
    assert fw.lean(row) == "weak"  # interval covers 0 and |ρ| < 0.3
    assert fw.lean(pd.Series({"rho": -0.35, "rho_lo": -0.8, "rho_hi": 0.1})) == "undecided"
    assert fw.lean(pd.Series({"rho": -0.5, "rho_lo": -0.9, "rho_hi": -0.1})) == "small"


def test_charts_drop_variants_the_subject_lacks() -> None:
    from perfanalysis.report.figures import fairness as ff

    data = load_data(YIYANG)
    scheme = load_scheme(SCHEMES / "yiyang_2018.yaml")
    size = fs.unit_sizes(data)
    t = fs.variants(data, "total", 2019, [0.0, 0.5, 1.0], scheme=scheme)
    fig = ff.score_vs_size(t, size, [("level", None), ("per_capita", None), ("blend", 0.5)])
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["总量", "总量与增速混合 α=0.50"]  # no per-capita total
    assert len(fig.data) == 4  # points + fitted line per panel
    front = pd.DataFrame({"alpha": [0.0, 1.0], "size_rho": [0.1, 0.9],
                          "volatility": [2.0, 0.5], "within": [False, False]})
    chart = ff.frontier_chart(front, (0.0, 0.0), 0.3, 1.0)
    assert any(s.type == "rect" for s in chart.layout.shapes)


def test_usable_years_skip_incomplete_years(tmp_path: Path) -> None:
    nan = float("nan")
    data = panel_data(tmp_path, {2015: [1.0, nan, 3.0], 2016: [1.1, 2.0, 3.1],
                                 2017: [1.2, 2.1, 3.3], 2018: [1.3, 2.2, 3.2]}, [1, 2, 3])
    # 2016 needs 2015, where u01 has no value; 2017 and 2018 are complete with their priors
    assert fs.usable_years(data, "x") == [2017, 2018]
    assert fs.usable_years(data, "x", priors=2) == [2018]
