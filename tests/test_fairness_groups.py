"""The fairness study within comparison groups (issue 20 §3): size dependence threaded through
the study, the scheme's own method beside the generic variants, year fixed effects in the
pooled growth percentiles, Monte Carlo standard errors, wording that follows the evidence,
charts that stay small for thousands of units, and ``compare``'s ρ per scenario. Statistics
are checked against scipy computed independently in the test."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from perfanalysis import load_data, load_scheme, score
from perfanalysis.paths import PROJ_ROOT
from perfanalysis.report.findings import fairness as fw
from perfanalysis.studies import fairness as fs
from perfanalysis.studies.fairness_report import run_fairness
from tests.helpers import write_dataset

HESHAN = PROJ_ROOT / "data" / "sample" / "heshan"
SCHEMES = PROJ_ROOT / "data" / "schemes"


def within_rho(score: pd.Series, size: pd.Series, groups: pd.Series) -> float:
    """Independent within-group ρ: scipy Spearman per group of ≥ 3 units, weighted by size."""
    num = den = 0.0
    for ids in groups.groupby(groups).groups.values():
        ids = [u for u in ids if u in score.index]
        if len(ids) < 3:
            continue
        num += len(ids) * spearmanr(score[ids], size[ids]).statistic
        den += len(ids)
    return num / den


def two_group_data(tmp: Path) -> object:
    """Two sequences: 'big' units are all larger than 'small' ones. Within each sequence the
    level falls with size (ρ = −1 inside), but the big sequence's levels are all higher, so
    pooled min–max positions (within each sequence) correlated over all units and the
    all-units ρ on raw values both differ from the within-group ρ."""
    sizes = [10, 20, 30, 40, 1000, 2000, 3000, 4000]
    seq = ["small"] * 4 + ["big"] * 4
    level = [4.0, 3.0, 2.0, 1.0, 40.0, 30.0, 20.0, 10.0]
    ids = [f"u{i}" for i in range(8)]
    units = pd.DataFrame({"unit_id": ids, "name": [f"单位{i}" for i in range(8)],
                          "sequence": seq, "population": sizes})
    obs = [{"unit_id": u, "year": y, "indicator": "x", "value": v * f}
           for y, f in ((2018, 0.9), (2019, 1.0)) for u, v in zip(ids, level)]
    return load_data(write_dataset(tmp, {"units": units, "observations": obs}))


def test_two_groups_within_rho_differs_from_pooled_positions(tmp_path: Path) -> None:
    data = two_group_data(tmp_path)
    size = fs.unit_sizes(data)
    groups = fs.comparison_groups(data, None)
    t = fs.variants(data, "x", 2019, [0.5], size, with_cgp=False)
    level = t.loc[t["variant"] == "level"].set_index("unit_id")["score"]
    dep = fs.size_dependence_table(t, size, boot=0, groups=groups).set_index("variant")
    # independent: within each sequence the level falls with size
    assert within_rho(level, size, groups) == pytest.approx(-1.0)
    assert dep.at["level", "rho"] == pytest.approx(within_rho(level, size, groups))
    # what the old study reported: min–max positions of both groups pooled, one ρ over all.
    # Hand: position ranks 7.5 5.5 3.5 1.5 ×2 against size ranks 1…8: Σxy = −20, Σx² = 40,
    # Σy² = 42, ρ = −20/√1680
    pooled = spearmanr(level, size.reindex(level.index)).statistic
    assert pooled == pytest.approx(-20 / math.sqrt(1680))
    assert dep.at["level", "groups"] == 2 and dep.at["level", "n"] == 8
    assert dep.at["level", "group_min"] == 4 and dep.at["level", "group_max"] == 4
    # the all-units ρ a reader means: the level scored across all units (province-wide).
    # Hand: level ranks 4 3 2 1 8 7 6 5 against 1…8, Σd² = 40, ρ = 1 − 6·40/(8·63)
    across = fs.variants(data, "x", 2019, [0.5], size, by="all", with_cgp=False)
    both = fs.with_all_units(fs.size_dependence_table(t, size, boot=0, groups=groups),
                             fs.size_dependence_table(across, size, boot=0)).set_index("variant")
    raw = data.observations.query("year == 2019").set_index("unit_id")["value"]
    assert spearmanr(raw, size.reindex(raw.index)).statistic == pytest.approx(1 - 240 / 504)
    assert both.at["level", "rho_all"] == pytest.approx(1 - 240 / 504)
    assert both.at["level", "rho"] == pytest.approx(-1.0)
    # rank slope in places within the group: each doubling moves a unit back
    assert dep.at["level", "slope"] > 0


def test_comparison_groups_follow_the_scheme() -> None:
    data = load_data(HESHAN)
    scheme = load_scheme(SCHEMES / "heshan_2013.yaml")
    groups = fs.comparison_groups(data, scheme)
    assert groups is not None and groups.nunique() == 3
    assert groups.to_dict() == data.units.set_index("unit_id")["sequence"].to_dict()
    assert fs.comparison_groups(data, scheme.model_copy(update={"comparison_group": "all"})
                                ) is None


# --- the study on a multi-group sample -------------------------------------------------------
@pytest.fixture(scope="module")
def heshan_study() -> tuple[object, object, object]:
    data = load_data(HESHAN)
    scheme = load_scheme(SCHEMES / "heshan_2013.yaml")
    study = run_fairness(data, scheme, 2013, indicator="total", alpha_step=0.5, draws=40,
                         boot=50, seed=2)
    return data, scheme, study


def test_study_size_dependence_is_within_sequences(heshan_study) -> None:
    data, _, study = heshan_study
    groups = data.units.set_index("unit_id")["sequence"]
    dep = study.size_dependence.set_index("variant")
    for variant in ("level", "growth", "scheme:total"):
        s = study.variants.loc[study.variants["variant"] == variant].set_index("unit_id")["score"]
        assert dep.at[variant, "rho"] == pytest.approx(within_rho(s, study.size, groups))
        assert dep.at[variant, "rho_all"] == pytest.approx(
            spearmanr(s, study.size.reindex(s.index)).statistic)
        assert dep.at[variant, "groups"] == 3 and dep.at[variant, "n"] == 16
        assert dep.at[variant, "rho_lo"] <= dep.at[variant, "rho"] <= dep.at[variant, "rho_hi"]


def test_study_scores_the_schemes_own_method(heshan_study) -> None:
    data, scheme, study = heshan_study
    own = study.variants.loc[study.variants["variant"].str.startswith(fs.SCHEME_PREFIX)]
    assert "scheme:total" in set(own["variant"])
    official = score(data, scheme, 2013).set_index("unit_id")["total"]
    total = own.loc[own["variant"] == "scheme:total"].set_index("unit_id")["score"]
    np.testing.assert_allclose(total.reindex(official.index), official, atol=1e-6)
    # the chapter's tables carry those rows with their Chinese labels
    labels = study.size_dependence.set_index("variant")["label"]
    assert labels["scheme:total"] == "现行方案:总分"
    shown = fw.display_table(study.size_dependence)
    assert "现行方案:总分" in set(shown["计分方式"])
    assert any(s.startswith("按现行方案计分,总分与规模的秩相关ρ为")
               for s in fw.scheme_sentences(study.size_dependence))


def test_yiyang_scheme_rows_are_its_blended_leaves_group_and_total() -> None:
    scheme = load_scheme(SCHEMES / "yiyang_2018.yaml")
    subjects = fs.scheme_subjects(scheme, "gdp")
    # the blended economic leaves (增量+增速), the group holding them, the total
    assert subjects == ["gdp", "fai", "industry_va", "retail_sales", "high_quality", "total"]
    data = load_data(PROJ_ROOT / "data" / "sample" / "yiyang")
    own = fs.scheme_variants(data, scheme, 2019, subjects).set_index(["variant", "unit_id"])
    official = score(data, scheme, 2019).set_index("unit_id")
    for uid in official.index:
        assert own.at[("scheme:total", uid), "score"] == pytest.approx(
            official.at[uid, "total"], abs=1e-6)
        leaves = sum(own.at[(f"scheme:{leaf}", uid), "score"]
                     for leaf in ("gdp", "fai", "industry_va", "retail_sales"))
        assert own.at[("scheme:high_quality", uid), "score"] >= leaves - 1e-9


def test_monte_carlo_standard_errors(heshan_study) -> None:
    _, _, study = heshan_study
    top = study.top_chance
    expected = np.sqrt(top["p_top"] * (1 - top["p_top"]) / 40)
    np.testing.assert_allclose(top["p_top_se"], expected, atol=1e-9)
    assert (top["draws"] == 40).all()
    vol = study.volatility
    np.testing.assert_allclose(vol["mean_rank_se"], vol["rank_sd"] / math.sqrt(40), atol=1e-9)
    np.testing.assert_allclose(vol["rank_sd_se"], vol["rank_sd"] / math.sqrt(78), atol=1e-9)
    front = study.frontier.set_index("alpha")
    blend = vol.loc[vol["variant"] == "blend"]
    for a, g in blend.groupby("alpha"):
        assert front.at[a, "volatility_se"] == pytest.approx(
            math.sqrt((g["rank_sd_se"] ** 2).sum()) / len(g))
    assert {"mean_rank_sd_se", "rho_lo", "rho_hi", "rho_all"} <= set(study.volatility_size)


def test_interval_headers_follow_the_level(heshan_study) -> None:
    _, _, study = heshan_study
    shown = fw.display_table(study.size_dependence)
    assert {"ρ下限(5%)", "ρ上限(95%)", "全部单位ρ", "比较组数"} <= set(shown.columns)
    assert "ρ下限(2.5%)" in fw.display_table(study.size_dependence.assign(level=0.95)).columns


# --- year fixed effects -----------------------------------------------------------------------
def _growth_panel(tmp: Path, slow: float) -> object:
    """12 units (< 30: the percentile model pools years), 4 years; the last year's values are
    all multiplied by ``slow`` (a year-wide slowdown)."""
    rng = np.random.default_rng(5)
    n = 12
    sizes = np.exp(np.linspace(8, 12, n))
    vals = {2016: sizes.copy()}
    for y in (2017, 2018, 2019):
        vals[y] = vals[y - 1] * np.exp(0.08 + rng.normal(0, 0.05, n))
    vals[2019] = vals[2019] * slow
    return _panel(tmp, {y: list(v) for y, v in vals.items()}, list(sizes))


def _panel(tmp: Path, values: dict[int, list[float]], sizes: list[float]) -> object:
    ids = [f"u{i:02d}" for i in range(len(sizes))]
    units = pd.DataFrame({"unit_id": ids, "name": ids, "sequence": "s", "population": sizes})
    obs = [{"unit_id": u, "year": y, "indicator": "x", "value": v[i]}
           for y, v in values.items() for i, u in enumerate(ids)]
    return load_data(write_dataset(tmp, {"units": units, "observations": obs}))


def test_growth_percentiles_have_year_fixed_effects(tmp_path: Path) -> None:
    base = fs.conditional_growth_percentiles(_growth_panel(tmp_path / "a", 1.0), "x", 2019)
    slow = fs.conditional_growth_percentiles(_growth_panel(tmp_path / "b", 0.85), "x", 2019)
    # a slowdown of every unit is absorbed by the year effect: no percentile moves
    np.testing.assert_allclose(slow.to_numpy(), base.to_numpy(), atol=1.0)
    # without year effects the pooled fit would put most units below their usual place
    assert slow.mean() > 35


def test_value_added_is_fitted_within_the_year(tmp_path: Path) -> None:
    base = fs.variants(_growth_panel(tmp_path / "a", 1.0), "x", 2019, [], with_cgp=False)
    slow = fs.variants(_growth_panel(tmp_path / "b", 0.85), "x", 2019, [], with_cgp=False)
    pick = [(t.loc[t["variant"] == "value_added", "score"].to_numpy()) for t in (base, slow)]
    np.testing.assert_allclose(pick[0], pick[1], atol=1e-6)


# --- wording ----------------------------------------------------------------------------------
def _row(**kw: float) -> dict[str, object]:
    base = {"variant": "growth", "alpha": np.nan, "rho": 0.67, "rho_lo": -0.01,
            "rho_hi": 0.93, "n": 8.0, "groups": 1.0, "rho_all": 0.67, "rho_all_lo": -0.01,
            "rho_all_hi": 0.93, "slope": -1.4, "slope_se": 0.5, "level": 0.9,
            "group_min": 8.0, "group_max": 8.0}
    return base | kw


def test_too_few_units_to_decide_is_never_called_neutral() -> None:
    dep = pd.DataFrame([_row(), _row(variant="level", rho=0.45, rho_lo=-0.2, rho_hi=0.9)])
    text = "".join(fw.size_sentences(dep))
    assert "8个单位不足以判断" in text
    assert "与规模无明显关系" not in text and "规模中性" not in text
    assert fw.lean(pd.Series(_row())) == "undecided"
    assert fw.lean(pd.Series(_row(rho=0.1, rho_lo=-0.4, rho_hi=0.5))) == "weak"
    assert fw.lean(pd.Series(_row(rho=-0.8, rho_lo=-0.9, rho_hi=-0.1))) == "small"


def test_several_groups_quote_the_all_units_rho_and_the_group_sizes() -> None:
    row = _row(variant="level", rho=0.5, rho_lo=0.2, rho_hi=0.8, groups=14.0, n=118.0,
               rho_all=0.71, rho_all_lo=0.6, rho_all_hi=0.8, slope=-1.2, group_min=4.0,
               group_max=12.0)
    text = fw.size_sentences(pd.DataFrame([row]))[0]
    assert "14个比较组内ρ按单位数加权的平均,全部118个单位合计的ρ为0.71" in text
    assert "在所在比较组内名次平均前移1.2位" in text and "各组4至12个单位" in text


def test_the_sample_note_is_given_for_the_sample_only(heshan_study) -> None:
    _, _, study = heshan_study
    assert study.sample
    assert "生成程序按构造让规模小的单位增速波动更大" in fw.sample_sentences(True)[0]
    assert fw.sample_sentences(False) == []


# --- charts of a national case ---------------------------------------------------------------
def test_charts_of_thousands_of_units_stay_small() -> None:
    from perfanalysis.report.figures import fairness as ff

    rng = np.random.default_rng(0)
    n, years = 2850, 5
    ids = [f"u{i:04d}" for i in range(n)]
    size = pd.Series(np.exp(rng.uniform(9, 14, n)), index=ids)
    seq = [f"p{i % 31:02d}" for i in range(n)]
    rows = []
    for y in range(years):
        for variant in ("level", "growth"):
            sc = rng.uniform(0, 100, n)
            rows.append(pd.DataFrame({"unit_id": ids, "name": ids, "sequence": seq,
                                      "variant": variant, "alpha": np.nan, "score": sc,
                                      "rank": pd.Series(sc).groupby(seq).rank().astype(int),
                                      "year": 2000 + y}))
    panel = pd.concat(rows, ignore_index=True)
    units = ff.bump_units(panel, size, focus="u0031")
    assert len(units) <= ff.MAX_BUMP_UNITS and "u0031" in units
    assert {panel.set_index("unit_id").loc[u, "sequence"].iloc[0] for u in units} == {"p00"}
    bump = ff.bump_chart(panel, [("level", None), ("growth", None)], units=units)
    assert len(bump.data) == 2 * len(units)
    last = panel.loc[panel["year"] == 2004]
    fig = ff.score_vs_size(last, size, [("level", None), ("growth", None)])
    assert len(fig.data[0].x) == ff.SIZE_BINS  # bins, not 2 850 markers
    assert len(json.dumps(fig.to_plotly_json(), default=str)) < 100_000


def test_small_units_are_the_lower_half_of_their_group() -> None:
    size = pd.Series([1, 2, 3, 4, 100, 200, 300], index=list("abcdefg"), dtype=float)
    groups = pd.Series(["x"] * 4 + ["y"] * 3, index=size.index)
    # overall: a b c d are the lower half; within groups: a b (of 4) and e f (of 3, median small)
    assert list(fs.small_units(size)[lambda s: s].index) == ["a", "b", "c", "d"]
    assert list(fs.small_units(size, groups)[lambda s: s].index) == ["a", "b", "e", "f"]


# --- the real provincial panel: 31 provinces in four regions of 3–12 --------------------------
@pytest.fixture(scope="module")
def provinces() -> tuple[object, object, object]:
    from perfanalysis.paths import REAL_DIR, SCHEMES_DIR

    data = load_data(REAL_DIR / "china_provinces")
    scheme = load_scheme(SCHEMES_DIR / "china_provinces.yaml")
    study = run_fairness(data, scheme, 2011, alpha_step=0.5, draws=10, boot=100, seed=1)
    return data, scheme, study


def test_real_panel_study_against_scipy_and_statsmodels(provinces) -> None:
    import statsmodels.formula.api as smf

    data, _, study = provinces
    units = data.units.set_index("unit_id")
    pop, region = units["population_2020"], units["sequence"]
    gdp = data.observations.query("indicator == 'gdp'").pivot(
        index="unit_id", columns="year", values="value")
    dep = study.size_dependence.set_index("variant")
    assert not study.sample  # real data: no note about a generator
    for variant, raw in (("level", gdp[2011]), ("growth", gdp[2011] / gdp[2010] - 1)):
        assert dep.at[variant, "rho"] == pytest.approx(within_rho(raw, pop, region), abs=1e-9)
        assert dep.at[variant, "rho_all"] == pytest.approx(
            spearmanr(raw, pop[raw.index]).statistic, abs=1e-9)
        assert (dep.at[variant, "groups"], dep.at[variant, "n"]) == (4, 31)
        assert (dep.at[variant, "group_min"], dep.at[variant, "group_max"]) == (3, 12)
        # places within the region on log2 population with region effects, HC3 (statsmodels)
        df = pd.DataFrame({"place": raw.groupby(region).rank(ascending=False),
                           "l2": np.log2(pop[raw.index]), "region": region[raw.index]})
        fit = smf.ols("place ~ l2 + C(region)", df).fit(cov_type="HC3")
        assert dep.at[variant, "slope"] == pytest.approx(fit.params["l2"], abs=1e-9)
        assert dep.at[variant, "slope_se"] == pytest.approx(fit.bse["l2"], abs=1e-9)
    # the scheme's own GDP leaf (50/50 level/growth within the region) and the total
    assert {"scheme:gdp", "scheme:economy", "scheme:total"} <= set(dep.index)
    text = "".join(fw.size_sentences(study.size_dependence))
    assert "4个比较组内ρ按单位数加权的平均,全部31个单位合计的ρ为" in text
    assert "各组3至12个单位" in text


def test_chart_line_is_the_within_group_fit() -> None:
    import statsmodels.formula.api as smf

    from perfanalysis.report.figures import fairness as ff

    rng = np.random.default_rng(3)
    g = np.repeat(["a", "b", "c"], [5, 7, 4])
    lx = rng.normal(size=16) + (g == "b") * 3
    y = 2.0 * lx - 10 * (g == "b") + rng.normal(size=16)
    slope, _ = ff.within_fit(y, lx, g)
    fit = smf.ols("y ~ lx + C(g)", pd.DataFrame({"y": y, "lx": lx, "g": g})).fit()
    assert slope == pytest.approx(fit.params["lx"])
    assert ff.within_fit(y, lx)[0] == pytest.approx(np.polyfit(lx, y, 1)[0])


def _summary_row(**kw: float) -> pd.DataFrame:
    row = {"variant": "level", "alpha": np.nan, "year_pairs": 8, "units": 31,
           "tau_mean": 0.9, "tau_lo": 0.85, "tau_hi": 0.95, "p_top_small": 0.1,
           "p_top_small_lo": 0.05, "p_top_small_hi": 0.2, "p_top_large": 0.3,
           "p_top_large_lo": 0.2, "p_top_large_hi": 0.4, "gap": -0.2, "gap_lo": -0.3,
           "gap_hi": -0.05, "unit_years_small": 40, "unit_years_large": 42, "level": 0.9,
           "boot": 1000}
    return pd.DataFrame([row | kw])


def test_persistence_sentence_gives_n_intervals_and_what_the_gap_allows() -> None:
    text = fw.persistence_sentences(_summary_row(), groups=4, top_label="一等")[0]
    assert "Kendall τ平均为0.90(8对年份,31个单位,90%区间0.85至0.95)" in text
    # the scheme's top tier by its own name (the provincial preset's 一等, not 优秀)
    assert ("各比较组内规模较小的一半单位在各年进入一等名额的比例为10.0%"
            "(共40个单位年,90%区间5.0至20.0%)") in text
    assert "较大的一半为30.0%(共42个单位年,90%区间20.0至40.0%)" in text
    assert "较小的一半明显更低(相差−20.0个百分点,90%区间−30.0至−5.0个百分点)" in text
    undecided = fw.persistence_sentences(_summary_row(gap_lo=-0.3, gap_hi=0.1), top_label="优秀")[0]
    assert undecided.startswith("总量计分下") and "规模较小的一半单位" in undecided
    assert "(90%区间−30.0至10.0个百分点,包含0),数据不足以判断" in undecided
    higher = fw.persistence_sentences(_summary_row(gap=0.2, gap_lo=0.05, gap_hi=0.3), top_label="优秀")[0]
    assert "较小的一半明显更高(相差20.0个百分点" in higher
    # no interval (no resamples): the figures and n, no verdict
    bare = fw.persistence_sentences(_summary_row(tau_lo=np.nan, tau_hi=np.nan, gap_lo=np.nan,
                                                 gap_hi=np.nan, p_top_small_lo=np.nan,
                                                 p_top_small_hi=np.nan, boot=0), top_label="优秀")[0]
    assert "(8对年份,31个单位)" in bare and "(共40个单位年)" in bare
    assert "两者相差−20.0个百分点。" in bare and "明显" not in bare
    assert fw.persistence_sentences(_summary_row(year_pairs=0), top_label="优秀") == []
    # none of the small units ever in the top tier: every resample gives 0 %
    none = fw.persistence_sentences(_summary_row(p_top_small=0.0, p_top_small_lo=0.0,
                                                 p_top_small_hi=0.0), top_label="优秀")[0]
    assert ("比例为0.0%(共40个单位年,各次重抽样结果均相同,区间不能说明其不确定性)"
            in none) and "0.0至0.0" not in none
    # the gap's interval (−30 to −5 points) then carries the large half's uncertainty only:
    # no verdict (Yiyang: 0 of 4 small units against 4 large, 24 unit-years each)
    assert "明显" not in none and "差值的区间低估了不确定性),数据不足以判断" in none
    assert none.endswith("数据不足以判断两者进入优秀名额的机会是否不同。")


def test_persistence_summary_on_the_real_panel_against_scipy_resamples(provinces) -> None:
    """31 provinces in four regions of 3–12: the point figures equal the persistence tables
    (mean of scipy's τ-b per year pair, unit-year shares); the bootstrap's draws, rebuilt
    here unit by unit from the same resampling weights with scipy's τ-b on the repeated rows,
    give the same interval."""
    from scipy.stats import kendalltau

    from perfanalysis.studies import fairness_stats as fst

    _, _, study = provinces
    groups = study.groups
    summary = fst.persistence_summary(study.panel, study.size, groups, boot=25, seed=4)
    assert list(summary["variant"]) == ["level", "growth"]
    kendall, chance = study.persistence.kendall, study.chance_years
    for _, row in summary.iterrows():
        v = row["variant"]
        assert row["tau_mean"] == pytest.approx(
            kendall.loc[kendall["variant"] == v, "kendall_tau"].dropna().mean(), abs=1e-12)
        c = chance.loc[chance["variant"] == v].iloc[0]
        assert row["p_top_small"] == pytest.approx(c["p_top_small"], abs=1e-12)
        assert row["gap"] == pytest.approx(c["p_top_small"] - c["p_top_large"], abs=1e-12)
        assert row["units"] == 31 and row["year_pairs"] == len(
            kendall.loc[kendall["variant"] == v, "kendall_tau"].dropna())
        # the τ draws by hand: each resample's units repeated, τ-b per region and year pair
        panel = study.panel.loc[study.panel["variant"] == v]
        units = sorted(panel["unit_id"].unique())
        seq = panel.groupby("unit_id")["sequence"].first().reindex(units).astype(str)
        w = fst.unit_weights(seq.to_numpy(), 25, 4)
        rank = panel.pivot_table(index="unit_id", columns="year", values="rank").reindex(units)
        steps = list(itertools.pairwise(sorted(panel["year"].unique())))
        means = []
        for b in range(1, 26):
            taus = []
            for y0, y1 in steps:
                num = den = 0.0
                for g in sorted(set(seq)):
                    both = (seq == g) & rank[y0].notna() & rank[y1].notna()
                    rows = np.repeat(np.flatnonzero(both), w[b][both.to_numpy()].astype(int))
                    if len(rows) < 2:
                        continue
                    tau = kendalltau(rank[y0].to_numpy()[rows], rank[y1].to_numpy()[rows]
                                     ).statistic
                    if np.isfinite(tau):
                        pairs = len(rows) * (len(rows) - 1) / 2
                        num, den = num + tau * pairs, den + pairs
                taus.append(num / den)
            means.append(np.mean(taus))
        lo, hi = np.quantile(means, [0.05, 0.95])
        assert (row["tau_lo"], row["tau_hi"]) == pytest.approx((lo, hi), abs=1e-12)
        assert row["tau_lo"] <= row["tau_mean"] <= row["tau_hi"]


def test_the_chapter_states_its_error_model(heshan_study) -> None:
    _, scheme, study = heshan_study
    table = study.error_model
    assert table is not None and len(table)
    leaves = {leaf.id for leaf in scheme.indicators() if leaf.event is None}
    assert leaves <= set(table["id"])
    assert "fairness_error_model" in study.tables()


def test_a_scheme_comparing_all_units_positions_across_all(tmp_path: Path) -> None:
    data = load_data(HESHAN)
    scheme = load_scheme(SCHEMES / "heshan_2013.yaml")
    scheme = scheme.model_copy(update={"comparison_group": "all"})
    study = run_fairness(data, scheme, 2013, indicator="total", alpha_step=1.0, draws=4,
                         boot=0)
    dep = study.size_dependence.set_index("variant")
    assert (dep["groups"] == 1).all() and (dep["n"] == 16).all()
    np.testing.assert_allclose(dep["rho"], dep["rho_all"])
