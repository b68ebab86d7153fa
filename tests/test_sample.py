"""Sample data and presets: reproducible generation, every preset scores its sample,
CLI output formats, byte-identical reruns."""

from __future__ import annotations

import filecmp

import pandas as pd
import pytest
from typer.testing import CliRunner

from perfanalysis import load_data, load_scheme, scorecard
from perfanalysis.cli import app
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR
from perfanalysis.sample import write_all_samples

runner = CliRunner()
CASES = [("yiyang", "yiyang_2018", 2019), ("yiyang", "changsha_forced", 2019),
         ("heshan", "heshan_2013", 2013)]
# presets whose last tier may carry no reason (two-label schemes: nothing to explain)
SOURCE_CASES = [("yiyang", "changsha", 2019), ("yiyang", "xiangxi_counties", 2019),
                ("yiyang", "hunan_province_tiers", 2019),
                ("xiangxi_departments", "xiangxi_departments", 2011),
                ("zhangjiagang_departments", "zhangjiagang_departments", 2013),
                ("zhangjiagang_towns", "zhangjiagang_towns", 2013),
                ("heshan_departments", "heshan_2013_departments", 2013),
                ("yiyang_departments", "yiyang_departments", 2019)]


def test_committed_sample_is_the_generator_output(tmp_path):
    write_all_samples(tmp_path)
    folders = sorted(p.name for p in SAMPLE_DIR.iterdir() if p.is_dir())
    assert sorted(p.name for p in tmp_path.iterdir()) == folders
    for name in folders:
        files = sorted(p.name for p in (SAMPLE_DIR / name).glob("*.csv"))
        _, mismatch, errors = filecmp.cmpfiles(SAMPLE_DIR / name, tmp_path / name, files,
                                                   shallow=False)
        assert not mismatch and not errors, (name, mismatch, errors)


def test_sample_is_realistic():
    d = load_data(SAMPLE_DIR / "yiyang")
    units = d.units.set_index("unit_id")
    assert units.loc["datonghu", "population_2020"] == 83_100
    gdp = d.observations.query("indicator == 'gdp'").pivot(index="unit_id", columns="year",
                                                           values="value")
    # 赫山区: about 176亿 in 2011 and 408亿 in 2020, i.e. roughly 200–240亿 in 2013
    assert 190 < gdp.loc["heshan", 2013] < 250 and 330 < gdp.loc["heshan", 2019] < 420
    assert gdp.loc["heshan", 2013] > 5 * gdp.loc["datonghu", 2013]  # sizes spread
    growth = gdp.pct_change(axis=1).iloc[:, 1:]
    assert growth.loc["datonghu"].std() > growth.loc["heshan"].std()  # small units noisier
    assert 12 <= d.observations["indicator"].nunique() <= 20


def test_sample_incomes_do_not_follow_gdp_per_resident():
    # 益阳高新区 has 2.1× the GDP per resident; its 2019 urban income stays in the county
    # range (≈ 30–45 thousand yuan), not 2.1× it (≈ 72 thousand)
    d = load_data(SAMPLE_DIR / "yiyang")
    inc = d.observations.query("indicator == 'urban_income' and year == 2019").set_index(
        "unit_id")["value"]
    assert inc["gaoxin"] < 1.4 * inc.drop("gaoxin").median()
    assert 25_000 < inc.min() and inc.max() < 50_000


def test_heshan_sample_reaches_the_thresholds():
    # some towns fall near 达标 700 (not only by demotion), and the spread is wide
    t = scorecard(load_data(SAMPLE_DIR / "heshan"), load_scheme(SCHEMES_DIR / "heshan_2013.yaml"),
                  2013)
    assert t["total"].min() < 720 and t["total"].max() > 880
    assert (t["tier_basis"] == "threshold").any() if "tier_basis" in t else True
    assert t["tier"].isin(["达标", "基本达标"]).sum() >= 5


@pytest.mark.parametrize("data, scheme, year", SOURCE_CASES)
def test_every_source_preset_scores_its_sample(data, scheme, year):
    s = load_scheme(SCHEMES_DIR / f"{scheme}.yaml")
    t = scorecard(load_data(SAMPLE_DIR / data), s, year)
    assert t["tier"].isin(s.tiers.labels).all()
    assert t["tier"].nunique() >= 2  # the sample separates units
    comps = [c.id for c in s.components]
    recomputed = t[comps].sum(axis=1) + t["bonus"] - t["penalty"]
    assert (recomputed - t["total"]).abs().max() < 1e-5  # columns rounded to 6 decimals


@pytest.mark.parametrize("data, scheme, year", CASES)
def test_every_preset_scores_its_sample(data, scheme, year):
    s = load_scheme(SCHEMES_DIR / f"{scheme}.yaml")
    t = scorecard(load_data(SAMPLE_DIR / data), s, year)
    assert list(t.columns[:3]) == ["unit_id", "name", "sequence"]
    assert list(t.columns[-5:]) == ["penalty", "total", "rank", "tier", "tier_reason"]
    assert t["tier"].isin(s.tiers.labels).all() and t["tier_reason"].str.len().gt(0).all()
    comps = [c.id for c in s.components]
    recomputed = t[comps].sum(axis=1) + t["bonus"] - t["penalty"]
    assert (recomputed - t["total"]).abs().max() < 1e-6


def test_cli_score_csv_xlsx_and_deterministic(tmp_path):
    args = ["score", "--data", str(SAMPLE_DIR / "heshan"),
            "--scheme", str(SCHEMES_DIR / "heshan_2013.yaml"), "--year", "2013"]
    for name in ("a.csv", "b.csv", "c.xlsx"):
        res = runner.invoke(app, [*args, "--out", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    csv = pd.read_csv(tmp_path / "a.csv", encoding="utf-8-sig")
    xlsx = pd.read_excel(tmp_path / "c.xlsx", sheet_name="scores")
    assert list(csv.columns) == ["unit_id", "name", "sequence", "indicators", "work_report",
                                 "public_survey", "bonus", "penalty", "total", "rank", "tier",
                                 "tier_reason"]
    pd.testing.assert_frame_equal(csv, xlsx, check_dtype=False)
    res = runner.invoke(app, args)
    assert res.exit_code == 0 and "优秀" in res.output
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "x.json")])
    assert res.exit_code == 1 and "unsupported output format" in res.output
    assert not (tmp_path / "x.json").exists()


def test_xlsx_output_is_byte_identical_across_runs(tmp_path):
    import time

    args = ["score", "--data", str(SAMPLE_DIR / "heshan"),
            "--scheme", str(SCHEMES_DIR / "heshan_2013.yaml"), "--year", "2013"]
    runner.invoke(app, [*args, "--out", str(tmp_path / "a.xlsx")])
    time.sleep(2.1)  # zip timestamps have 2-second resolution
    runner.invoke(app, [*args, "--out", str(tmp_path / "b.xlsx")])
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    assert pd.read_excel(tmp_path / "a.xlsx", sheet_name="scores")["unit_id"].notna().all()
