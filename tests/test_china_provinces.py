"""The shipped provincial panel (data/real/china_provinces): real NBS data in the contract.

The folder README's checks are recomputed here from the shipped files; the contract files must
equal what ``scripts/make_china_provinces.py`` builds from ``source/``; the scheme loads, scores
every year it claims and tiers each region by 15:80:5 with the counts computed by hand below.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import perfanalysis as pa
from perfanalysis.cli import app
from perfanalysis.paths import PROJ_ROOT, REAL_DIR, SCHEMES_DIR

FOLDER = REAL_DIR / "china_provinces"
SOURCE = FOLDER / "source"
SCHEME = SCHEMES_DIR / "china_provinces.yaml"


@pytest.fixture(scope="module")
def data() -> pa.Dataset:
    return pa.load_data(FOLDER)


@pytest.fixture(scope="module")
def scheme() -> pa.Scheme:
    return pa.load_scheme(SCHEME)


def test_licences_and_sources_ship_with_the_data() -> None:
    for name in ("LICENSE-apache-echarts.txt", "NOTICE-apache-echarts.txt", "LICENSE-techme.md",
                 "LICENSE-census.txt", "SOURCES.md"):
        assert (SOURCE / name).stat().st_size > 100, name
    assert "Apache-2.0" in (FOLDER / "README.md").read_text(encoding="utf-8")


def test_contract_files_are_the_scripts_output() -> None:
    script = runpy.run_path(str(PROJ_ROOT / "scripts" / "make_china_provinces.py"))
    built = script["build"](SOURCE)
    for name, text in built.items():
        assert (FOLDER / name).read_text(encoding="utf-8") == text, name


def test_readme_checks_hold(data: pa.Dataset) -> None:
    gdp = pd.read_csv(SOURCE / "province_gdp_2002_2011.csv")
    wide = gdp.pivot_table(index=["province_code", "year"], columns="indicator",
                           values="value_100m_yuan")
    assert len(wide) == 31 * 10 and not wide.isna().any().any()
    gap = wide["gdp"] - (wide["primary_va"] + wide["secondary_va"] + wide["tertiary_va"])
    assert gap.abs().max() <= 0.05 + 1e-9  # "within 0.05 亿元" (binary float slack)
    obs = data.observations.set_index(["unit_id", "year", "indicator"])["value"]
    assert obs[("hunan", 2011, "gdp")] == pytest.approx(19669.56, abs=1e-9)
    assert obs[("hunan", 2010, "gdp")] == pytest.approx(16037.96, abs=1e-9)
    budget = pd.read_csv(SOURCE / "province_budget_expenditure_2010_2023.csv")
    hunan = budget[(budget["province_code"] == 430000) & (budget["year"] == 2019)
                   & (budget["indicator"] == "budget_expenditure")]["value_100m_yuan"]
    assert hunan.tolist() == [pytest.approx(8034.42, abs=0.005)]
    units = data.units.set_index("unit_id")
    assert units.loc["hunan", "population_2010"] == 65_700_762
    # the shipped observations are the source values, unchanged
    src = gdp[gdp["indicator"].isin(["gdp", "tertiary_va"])]
    ours = data.observations[data.observations["indicator"].isin(["gdp", "tertiary_va"])]
    assert len(ours) == len(src) == 31 * 10 * 2
    assert sorted(ours["value"].round(6)) == sorted(src["value_100m_yuan"].round(6))


def test_regions_are_four_groups_of_unequal_size(data: pa.Dataset, scheme: pa.Scheme) -> None:
    sizes = data.units["sequence"].value_counts().to_dict()
    assert sizes == {"west": 12, "east": 10, "central": 6, "northeast": 3}
    assert scheme.sequences == {"east": "东部", "central": "中部", "west": "西部",
                                "northeast": "东北"}


def test_every_invented_choice_is_marked(scheme: pa.Scheme) -> None:
    assert all(i.assumption for i in scheme.indicators())
    text = SCHEME.read_text(encoding="utf-8")
    assert "shares: [0.15, 0.80, 0.05]   # assumption" in text


@pytest.mark.parametrize("year", [2003, 2008, 2011])
def test_scores_every_year_it_claims(data: pa.Dataset, scheme: pa.Scheme, year: int) -> None:
    table = pa.score(data, scheme, year)
    assert len(table) == 31
    assert table["total"].between(0, 100).all()


def test_forced_distribution_counts_by_hand(data: pa.Dataset, scheme: pa.Scheme) -> None:
    """15:80:5 in each region: top rounded half up (at least 1), bottom a ceiling (floor).

    东部 10: 1.5 → 2 一等, 0.5 → 0 三等; 中部 6: 0.9 → 1, 0.3 → 0; 西部 12: 1.8 → 2, 0.6 → 0;
    东北 3: 0.45 → 0 → at least 1, 0.15 → 0. The bottom tier is empty everywhere.
    """
    tiers = pa.assign_tiers(pa.score(data, scheme, 2011), scheme, data)
    counts = tiers.groupby(["sequence", "tier"]).size().unstack(fill_value=0)
    assert counts["一等"].to_dict() == {"central": 1, "east": 2, "northeast": 1, "west": 2}
    assert "三等" not in counts or counts["三等"].sum() == 0


def test_score_command_on_the_panel(tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    res = CliRunner().invoke(app, ["score", "--data", str(FOLDER), "--scheme", str(SCHEME),
                                   "--year", "2011", "--out", str(out)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert len(table) == 31 and set(table["sequence"]) == {"east", "central", "west", "northeast"}


def test_the_invented_provincial_scheme_marks_every_rule_an_assumption() -> None:
    """Every scoring choice of the provincial preset is invented for the example (its header
    says so): its 方案依据与假设 table marks each rule an assumption, so the brief no longer
    reports rules 'neither sourced nor marked' (it reported two: the block and the tiers)."""
    from perfanalysis.report.publication import scheme_basis

    basis = scheme_basis(pa.load_scheme(SCHEME))
    assert len(basis) == 7
    assert set(basis["是否假设"]) == {"是"}, basis.loc[basis["是否假设"] != "是", "项目"].tolist()
    assert "15:80:5" in basis.set_index("类别").at["等次规则", "理由"]
