"""Size dependence on real multi-group data (issue 20 §3/§6): the provincial panel, 31
provinces in four regions of 3–12. The study's numbers must equal an independent scipy
computation: Spearman ρ of the 2011 score and the 2020 census population inside each region,
averaged with weights = region sizes, and the all-province ρ of the raw values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

import perfanalysis as pa
from perfanalysis.paths import REAL_DIR, SCHEMES_DIR

YEAR = 2011


@pytest.fixture(scope="module")
def panel() -> tuple[pa.Dataset, pa.Scheme]:
    return (pa.load_data(REAL_DIR / "china_provinces"),
            pa.load_scheme(SCHEMES_DIR / "china_provinces.yaml"))


def _raw(data: pa.Dataset) -> dict[str, pd.Series]:
    """GDP level and nominal growth in 2011 per province, straight from observations.csv."""
    obs = data.observations
    gdp = obs[obs["indicator"] == "gdp"].pivot(index="unit_id", columns="year", values="value")
    return {"level": gdp[YEAR], "growth": gdp[YEAR] / gdp[YEAR - 1] - 1}


def _scipy(x: pd.Series, data: pa.Dataset) -> tuple[float, float]:
    """(within-region ρ weighted by region size, all-province ρ), by scipy.stats.spearmanr."""
    units = data.units.set_index("unit_id")
    pop = units["population_2020"]
    rhos, weights = [], []
    for ids in units.groupby("sequence").groups.values():
        assert len(ids) >= 3  # every region counts (东北 has 3)
        rhos.append(spearmanr(x[ids], pop[ids]).statistic)
        weights.append(len(ids))
    return (float(np.average(rhos, weights=weights)),
            float(spearmanr(x[units.index], pop[units.index]).statistic))


def _within_minmax(x: pd.Series, groups: pd.Series) -> pd.Series:
    """Min–max position inside the region (what the schemes' relative methods compare)."""
    g = x.groupby(groups.reindex(x.index))
    return (x - g.transform("min")) / (g.transform("max") - g.transform("min"))


@pytest.mark.parametrize("variant", ["level", "growth"])
def test_size_dependence_equals_scipy(panel, variant: str) -> None:
    data, _ = panel
    x = _raw(data)[variant]
    units = data.units.set_index("unit_id")
    groups, pop = units["sequence"], units["population_2020"]
    within, overall = _scipy(x, data)
    got = pa.size_dependence(_within_minmax(x, groups), pop, groups, boot=200, seed=3)
    assert (got["n"], got["groups"]) == (31, 4)
    assert got["rho"] == pytest.approx(within, abs=1e-12)
    assert got["rho_lo"] <= got["rho"] <= got["rho_hi"]
    # the all-province ρ is of the values compared across all provinces (one group)
    assert pa.size_dependence(x, pop, boot=0)["rho_all"] == pytest.approx(overall, abs=1e-12)


def test_level_and_growth_differ_as_expected(panel) -> None:
    """The hand-checked magnitudes: level GDP rises with population inside every region
    (ρ ≈ 0.87 weighted, 0.81 all provinces); nominal growth does not (ρ ≈ −0.26, −0.24)."""
    data, _ = panel
    raw = _raw(data)
    lw, la = _scipy(raw["level"], data)
    gw, ga = _scipy(raw["growth"], data)
    assert (round(lw, 2), round(la, 2)) == (0.87, 0.81)
    assert (round(gw, 2), round(ga, 2)) == (-0.26, -0.24)


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["level", "growth"])
def test_fairness_study_reports_the_scipy_numbers(panel, variant: str) -> None:
    from perfanalysis.studies.fairness_report import run_fairness

    data, scheme = panel
    study = run_fairness(data, scheme, YEAR, draws=2, boot=50, seed=1)
    dep = study.size_dependence
    row = dep.loc[(dep["variant"] == variant) & dep["alpha"].isna()].iloc[0]
    within, overall = _scipy(_raw(data)[variant], data)
    assert row["groups"] == 4
    assert row["rho"] == pytest.approx(within, abs=1e-9)
    assert row["rho_all"] == pytest.approx(overall, abs=1e-9)
