"""The fairness diagnostics on real data: Hunan's county-level census populations 2010 and
2020 (shared/reference-data/hunan-census). Level = 2010 population, growth = 2010→2020
change, units present in both censuses (same admin code); each figure is checked against an
independent calculation written here."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from perfanalysis.studies import fairness as fs
from tests.helpers import reference_dir

REF = reference_dir()
FILE = (REF / "hunan-census" / "hunan_county_census_population_2010_2020.csv"
        if REF is not None else None)
pytestmark = pytest.mark.skipif(
    FILE is None or not FILE.is_file(),
    reason="shared/reference-data/hunan-census is absent (real Hunan census populations; "
           "put shared/ beside the checkout to run this test)")


@pytest.fixture(scope="module")
def census() -> pd.DataFrame:
    raw = pd.read_csv(FILE, dtype={"admin_code": str})
    county = raw.loc[raw["level"] == "county"]
    wide = county.pivot(index="admin_code", columns="census_year", values="resident_pop_total")
    both = wide.dropna()  # units present in both censuses under the same code
    return pd.DataFrame({"pop2010": both[2010], "pop2020": both[2020]})


def _ranks_desc(x: np.ndarray) -> np.ndarray:
    """1 = largest; the values here have no ties (asserted)."""
    assert len(np.unique(x)) == len(x)
    order = np.argsort(-x, kind="stable")
    r = np.empty(len(x))
    r[order] = np.arange(1, len(x) + 1)
    return r


def test_units_in_both_censuses(census: pd.DataFrame) -> None:
    # 122 county-level units in 2010, 124 in 2020; 118 keep their admin code
    assert len(census) == 118
    assert (census > 0).all().all()


def test_size_dependence_of_level_and_growth(census: pd.DataFrame) -> None:
    size = census["pop2010"]
    level = census["pop2010"]
    growth = census["pop2020"] / census["pop2010"] - 1.0
    dep_level = fs.size_dependence(level, size, boot=400, seed=1)
    assert dep_level["rho"] == pytest.approx(1.0)  # level score is the size itself

    dep = fs.size_dependence(growth, size, boot=400, seed=1)
    # independent Spearman: Pearson correlation of the two rank vectors
    rg = _ranks_desc(growth.to_numpy())
    rs = _ranks_desc(size.to_numpy())
    rho = np.corrcoef(rg, rs)[0, 1]
    assert dep["rho"] == pytest.approx(rho, abs=1e-12)
    assert dep["rho_lo"] <= dep["rho"] <= dep["rho_hi"]
    assert dep["n"] == 118
    # OLS of growth rank (1 = fastest) on log2(2010 population) (places per doubling),
    # closed form, HC3 by hand
    x = np.log2(size.to_numpy())
    sxx = ((x - x.mean()) ** 2).sum()
    slope = ((x - x.mean()) * (rg - rg.mean())).sum() / sxx
    assert dep["slope"] == pytest.approx(slope, rel=1e-10)
    xm = np.column_stack([np.ones(len(x)), x])
    inv = np.linalg.inv(xm.T @ xm)
    e = rg - xm @ np.array([rg.mean() - slope * x.mean(), slope])
    h = np.einsum("ij,jk,ik->i", xm, inv, xm)
    cov = inv @ (xm.T * (e ** 2 / (1 - h) ** 2)) @ xm @ inv
    assert dep["slope_se"] == pytest.approx(math.sqrt(cov[1, 1]), rel=1e-8)


def test_persistence_between_censuses(census: pd.DataFrame) -> None:
    ids = list(census.index)
    r10 = _ranks_desc(census["pop2010"].to_numpy())
    r20 = _ranks_desc(census["pop2020"].to_numpy())
    n = len(ids)
    panel = pd.DataFrame({
        "unit_id": ids * 2, "sequence": "湖南", "year": [2010] * n + [2020] * n,
        "variant": "level", "alpha": np.nan, "rank": np.concatenate([r10, r20]).astype(int),
        "top": np.concatenate([r10 <= 10, r20 <= 10])})
    p = fs.persistence(panel)
    # Kendall τ by counting concordant and discordant pairs (no ties)
    conc = disc = 0
    for i in range(n):
        for j in range(i + 1, n):
            s = np.sign(r10[i] - r10[j]) * np.sign(r20[i] - r20[j])
            conc += s > 0
            disc += s < 0
    assert p.kendall["kendall_tau"].iloc[0] == pytest.approx((conc - disc) / (n * (n - 1) / 2))
    # tercile mobility: thirds by rank, counted with a crosstab
    t10 = np.ceil(3 * r10 / n).astype(int)
    t20 = np.ceil(3 * r20 / n).astype(int)
    cross = pd.crosstab(t10, t20)
    mob = p.mobility.set_index(["tercile_from", "tercile_to"])["count"]
    for a in (1, 2, 3):
        for b in (1, 2, 3):
            assert mob[(a, b)] == (cross.at[a, b] if b in cross.columns else 0)
    yt = p.years_top.set_index("unit_id")["years_top"]
    expected = pd.Series((r10 <= 10).astype(int) + (r20 <= 10).astype(int), index=ids)
    assert yt.reindex(ids).tolist() == expected.tolist()
