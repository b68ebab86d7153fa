"""COINr import/export, scheme integration, the build recipe, and the ASEM check.

The ASEM tests reproduce figures published in COINr's documentation: the vignette
"Presenting Results" (COINr 1.1.14 on CRAN, ``vignettes/results.Rmd``; rendered at
https://cran.r-project.org/web/packages/COINr/vignettes/results.html) prints
``head(get_results(build_example_coin(), dset = "Aggregated", tab_type = "Aggs"))``: the
top six units with their index, sub-index and pillar scores, rounded to 2 decimals. The
example coin is built by ``build_example_coin`` (``R/examples.R``): Denominate →
Impute(i_mean_grp, EurAsia_group) → Screen(dat_thresh 0.9, byNA) → Treat(winmax 5) →
Normalise(n_minmax 0–100) → Aggregate(a_amean).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from perfanalysis import (
    Recipe,
    build_composite,
    from_coin_tables,
    load_data,
    load_scheme,
    rerun,
    scheme_from_mapping,
    to_coin_tables,
    write_coin_import,
)
from perfanalysis.cli import app
from perfanalysis.composite.coin import coin_data
from perfanalysis.errors import DataError, SchemeError

from .helpers import reference_dir

REPO = Path(__file__).resolve().parents[1]


def _reference() -> Path:
    ref = reference_dir()
    if ref is None or not (ref / "asem" / "ASEM_iMeta.csv").exists():
        pytest.skip("reference data folder shared/reference-data/asem not found")
    return ref / "asem"


# a small COINr-style composite: 4 units, 4 indicators, 2 pillars, 1 index
IMETA = pd.DataFrame({
    "Level": [1, 1, 1, 1, 2, 2, 3, None, None],
    "iCode": ["i1", "i2", "i3", "i4", "P1", "P2", "Idx", "region", "pop"],
    "iName": ["One", "Two", "Three", "Four", "Pillar 1", "Pillar 2", "Index", "Region",
              "Population"],
    "Direction": [1, -1, 1, 1, 1, 1, 1, None, None],
    "Weight": [1, 1, 2, 1, 1, 3, 1, None, None],
    "Denominator": [None, None, "pop", None, None, None, None, None, None],
    "Parent": ["P1", "P1", "P2", "P2", "Idx", "Idx", None, None, None],
    "Type": ["Indicator"] * 4 + ["Aggregate"] * 3 + ["Group", "Denominator"],
})
IDATA = pd.DataFrame({
    "uCode": ["A", "B", "C", "D"], "uName": ["Aa", "Bb", "Cc", "Dd"],
    "region": ["N", "N", "S", "S"], "Time": [2020] * 4, "pop": [10.0, 20.0, 40.0, 5.0],
    "i1": [1.0, 2.0, 3.0, 5.0], "i2": [10.0, 30.0, np.nan, 20.0],
    "i3": [100.0, 100.0, 400.0, 50.0], "i4": [0.0, 1.0, 1.0, np.nan],
})


@pytest.fixture()
def small(tmp_path: Path) -> Path:
    units, obs, sch = from_coin_tables(IDATA, IMETA)
    return write_coin_import(units, obs, sch, tmp_path / "small")


def test_import_writes_our_contract(small: Path):
    ds, sch = load_data(small), load_scheme(small / "scheme.yaml")
    assert ds.units["unit_id"].tolist() == ["A", "B", "C", "D"]
    assert set(ds.units.columns) >= {"region", "sequence"}
    assert sch.composite is not None and sch.composite.denominators == {"pop": "Population"}
    # P1 weight 1, P2 weight 3: effective weights i1, i2 = 1/8; i3 = 3/4·2/3; i4 = 3/4·1/3
    pts = {i.id: i.points for i in sch.indicators()}
    assert pts == pytest.approx({"i1": 12.5, "i2": 12.5, "i3": 50.0, "i4": 25.0})
    assert sch.observed_indicators() == {"i1", "i2", "i3", "i4", "pop"}


def test_minmax_arithmetic_build_by_hand(small: Path):
    res = build_composite(load_data(small), load_scheme(small / "scheme.yaml"), 2020)
    agg = res.aggregated
    # i1 minmax (1..5): A 0, B 25, C 50, D 100; i2 negative (10..30): A 100, B 0, D 50, C NaN
    # P1: A 50, B 12.5, C 50 (i2 missing), D 75
    assert agg["P1"].tolist() == pytest.approx([50.0, 12.5, 50.0, 75.0])
    # i3 (50..400): A 50/350·100, B same, C 100, D 0; i4 (0..1): A 0, B 100, C 100, D NaN
    i3a = 50 / 350 * 100
    p2 = [(2 * i3a + 0) / 3, (2 * i3a + 100) / 3, (200 + 100) / 3, 0.0]
    assert agg["P2"].tolist() == pytest.approx(p2)
    assert agg["Idx"].tolist() == pytest.approx(
        [(p1 + 3 * q) / 4 for p1, q in zip([50.0, 12.5, 50.0, 75.0], p2)])
    assert res.results()["unit_id"].iloc[0] == "C"


def test_recipe_records_steps_and_reruns_with_changes(small: Path):
    ds, sch = load_data(small), load_scheme(small / "scheme.yaml")
    rec = Recipe.from_list([{"step": "denominate"},
                            {"step": "impute", "method": "group_mean", "group": "region"},
                            {"step": "normalise"}, {"step": "aggregate"}])
    res = build_composite(ds, sch, 2020, rec)
    assert list(res.datasets) == ["Raw", "Denominated", "Imputed", "Normalised", "Aggregated"]
    # i3 per pop: 10, 5, 10, 10; C's i2 imputed with region S mean = D's 20
    assert res.datasets["Denominated"]["i3"].tolist() == [10.0, 5.0, 10.0, 10.0]
    assert res.datasets["Imputed"].loc["C", "i2"] == 20.0
    assert res.logs["impute"][["unit_id", "indicator"]].values.tolist() == [["C", "i2"], ["D", "i4"]]
    geo = rerun(res, coin_data(ds, sch, 2020), "normalise", lower=1, upper=100)
    assert geo.datasets["Normalised"].min().min() == 1.0
    assert geo.recipe.step("normalise").lower == 1
    assert rec.with_step("screen", min_share=0.9).to_list()[2] == {"step": "screen",
                                                                   "min_share": 0.9}


def test_round_trip_import_export_import(small: Path, tmp_path: Path):
    u1, o1, s1 = from_coin_tables(IDATA, IMETA)
    idata, imeta = to_coin_tables(load_data(small), load_scheme(small / "scheme.yaml"))
    idata.to_csv(tmp_path / "iData.csv", index=False)
    imeta.to_csv(tmp_path / "iMeta.csv", index=False)
    u2, o2, s2 = from_coin_tables(tmp_path / "iData.csv", tmp_path / "iMeta.csv")
    pd.testing.assert_frame_equal(u1, u2, check_dtype=False)
    pd.testing.assert_frame_equal(o1, o2)
    assert s1 == s2


def test_import_errors_name_file_row_column():
    bad = IMETA.copy()
    bad.loc[1, "Direction"] = 2
    bad.loc[2, "Type"] = "Indicatr"
    with pytest.raises(DataError) as err:
        from_coin_tables(IDATA, bad)
    text = str(err.value)
    assert "row 3, column 'Direction'" in text and "row 4, column 'Type'" in text
    with pytest.raises(DataError, match="column for iMeta code 'i4' missing"):
        from_coin_tables(IDATA.drop(columns=["i4"]), IMETA)


def test_cli_import_coin(tmp_path: Path):
    IDATA.to_csv(tmp_path / "d.csv", index=False)
    IMETA.to_csv(tmp_path / "m.csv", index=False)
    r = CliRunner().invoke(app, ["import-coin", "--idata", str(tmp_path / "d.csv"), "--imeta",
                                 str(tmp_path / "m.csv"), "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "observations.csv", "scheme.yaml", "units.csv"]
    r2 = CliRunner().invoke(app, ["composite", "--data", str(tmp_path / "o"), "--scheme",
                                  str(tmp_path / "o" / "scheme.yaml")])
    assert r2.exit_code == 0 and "Idx" in r2.output
    r3 = CliRunner().invoke(app, ["import-coin", "--idata", str(tmp_path / "m.csv"), "--imeta",
                                  str(tmp_path / "m.csv"), "--out", str(tmp_path / "bad")])
    assert r3.exit_code == 1 and not (tmp_path / "bad").exists()


def test_scheme_composite_section_validates_and_presets_still_load(small: Path):
    for preset in ("heshan_2013", "yiyang_2018", "changsha_forced"):
        assert load_scheme(REPO / "data" / "schemes" / f"{preset}.yaml").composite is None
    raw = yaml.safe_load((small / "scheme.yaml").read_text(encoding="utf-8"))
    raw["composite"]["steps"] = [{"step": "aggregate"}, {"step": "normalise"}]
    with pytest.raises(SchemeError, match="'aggregate' must be the last step"):
        scheme_from_mapping(raw)
    raw = yaml.safe_load((small / "scheme.yaml").read_text(encoding="utf-8"))
    raw["composite"]["steps"][0]["method"] = "goalposts"
    with pytest.raises(SchemeError, match=r"composite.steps\[0\].*goal_lower"):
        scheme_from_mapping(raw)
    raw = yaml.safe_load((small / "scheme.yaml").read_text(encoding="utf-8"))
    raw["components"][0]["aggregation"] = "generalised"
    with pytest.raises(SchemeError, match="non-zero 'p'"):
        scheme_from_mapping(raw)


def test_scheme_node_methods_drive_the_build(small: Path):
    raw = yaml.safe_load((small / "scheme.yaml").read_text(encoding="utf-8"))
    p2 = raw["components"][1]
    p2["aggregation"] = "geometric"
    p2["children"][1]["normalise"] = {"method": "rank"}
    raw["composite"]["steps"][0].update(lower=1, upper=2)
    sch = scheme_from_mapping(raw)
    with pytest.warns(UserWarning, match="overridden"):
        res = build_composite(load_data(small), sch, 2020)
    norm = res.datasets["Normalised"]
    assert norm["i4"].tolist()[:3] == [1, 2, 2] and np.isnan(norm["i4"].iloc[3])
    # P2 geometric, weights i3 2, i4 1: A = (1 + 50/350)^(2/3) · 1^(1/3)
    assert res.aggregated.loc["A", "P2"] == pytest.approx((1 + 50 / 350) ** (2 / 3))


# --- ASEM, the real thing ---------------------------------------------------------------

# COINr vignette "Presenting Results": uCode, Index, Conn, Sust, Physical, ConEcFin,
# Political, Instit, P2P, Environ, Social, SusEcFin
PUBLISHED = {
    "CHE": [68.38, 62.79, 73.98, 63.41, 32.87, 74.78, 85.94, 56.93, 77.21, 87.85, 56.88],
    "NLD": [64.82, 61.94, 67.70, 64.87, 46.62, 84.55, 71.74, 41.92, 58.73, 86.58, 57.78],
    "DNK": [64.80, 57.10, 72.51, 50.52, 30.43, 78.13, 75.35, 51.04, 69.83, 86.40, 61.29],
    "NOR": [64.47, 57.44, 71.50, 58.18, 25.70, 80.03, 89.46, 33.80, 70.90, 87.00, 56.59],
    "BEL": [63.54, 63.99, 63.09, 71.97, 48.22, 80.84, 75.60, 43.32, 53.01, 86.17, 50.09],
    "SWE": [63.00, 53.87, 72.12, 51.51, 23.87, 80.98, 74.51, 38.50, 66.37, 87.74, 62.27],
}
COLUMNS = ["Index", "Conn", "Sust", "Physical", "ConEcFin", "Political", "Instit", "P2P",
           "Environ", "Social", "SusEcFin"]


@pytest.fixture(scope="module")
def asem(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ref = _reference()
    units, obs, sch = from_coin_tables(ref / "ASEM_iData.csv", ref / "ASEM_iMeta.csv")
    return write_coin_import(units, obs, sch, tmp_path_factory.mktemp("asem") / "asem")


def test_asem_import_shape(asem: Path):
    ds, sch = load_data(asem), load_scheme(asem / "scheme.yaml")
    assert len(ds.units) == 51 and len(sch.indicators()) == 49
    assert [c.id for c in sch.components] == ["Conn", "Sust"]
    assert sum(i.points for i in sch.indicators()) == pytest.approx(100.0)
    # 51 × (49 indicators + 4 denominators) cells, minus the missing ones (not written)
    raw = pd.read_csv(_reference() / "ASEM_iData.csv")
    cols = [i.id for i in sch.indicators()] + ["Area", "Energy", "GDP", "Population"]
    n_missing = int(raw[cols].isna().sum().sum())
    assert n_missing > 50  # ASEM has missing values
    assert len(ds.observations) == 51 * 53 - n_missing


def test_asem_minmax_arithmetic_matches_direct_numpy(asem: Path):
    ds, sch = load_data(asem), load_scheme(asem / "scheme.yaml")
    res = build_composite(ds, sch, 2018)
    raw = pd.read_csv(_reference() / "ASEM_iData.csv").set_index("uCode")
    meta = pd.read_csv(_reference() / "ASEM_iMeta.csv")
    ind = meta.loc[meta["Type"] == "Indicator"]
    # direct computation: direction, min–max 0–100, mean of available per pillar, then means
    x = raw[ind["iCode"]].to_numpy(float) * ind["Direction"].to_numpy(float)
    n = (x - np.nanmin(x, 0)) / (np.nanmax(x, 0) - np.nanmin(x, 0)) * 100
    normed = pd.DataFrame(n, index=raw.index, columns=ind["iCode"])
    pillars = {p: normed[ind.loc[ind["Parent"] == p, "iCode"]].mean(axis=1)
               for p in ind["Parent"].unique()}
    conn = np.mean([pillars[p] for p in ("Physical", "ConEcFin", "Political", "Instit", "P2P")], 0)
    sust = np.mean([pillars[p] for p in ("Environ", "Social", "SusEcFin")], 0)
    index = (conn + sust) / 2
    for u in ("DEU", "CHE", "CHN", "BGD", "MMR"):
        i = raw.index.get_loc(u)
        assert res.aggregated.loc[u, "Index"] == pytest.approx(index[i], rel=1e-12)
        assert res.aggregated.loc[u, "Social"] == pytest.approx(pillars["Social"].iloc[i])


#: COINr's example pipeline up to aggregation (build_example_coin)
ASEM_EXAMPLE_STEPS = [
        {"step": "denominate"},
        {"step": "impute", "method": "group_mean", "group": "EurAsia_group"},
        {"step": "screen", "min_share": 0.9},
        {"step": "treat", "winmax": 5},
        {"step": "normalise", "method": "minmax", "lower": 0, "upper": 100},
]


def test_asem_coinr_example_pipeline_reproduces_published_results(asem: Path):
    ds, sch = load_data(asem), load_scheme(asem / "scheme.yaml")
    rec = Recipe.from_list([*ASEM_EXAMPLE_STEPS, {"step": "aggregate", "method": "arithmetic"}])
    res = build_composite(ds, sch, 2018, rec)
    table = res.results()
    assert table["unit_id"].head(6).tolist() == list(PUBLISHED)
    got = table.set_index("unit_id").loc[list(PUBLISHED), COLUMNS].round(2)
    expected = pd.DataFrame.from_dict(PUBLISHED, orient="index", columns=COLUMNS)
    pd.testing.assert_frame_equal(got, expected, check_names=False, atol=0.0051, rtol=0)
    treated = res.logs["treat"].set_index("indicator")
    assert treated.at["Flights", "winsorised"] == 1  # 2.24 skew, 6.30 kurtosis → 1 point


def test_asem_copeland_reproduces_coinr_a_copeland(asem: Path):
    """COINr's example pipeline with Copeland at every level: AUS Conn −24, Sust −7,
    Index −15 (COINr 1.1 ``a_copeland``: pairwise majorities)."""
    ds, sch = load_data(asem), load_scheme(asem / "scheme.yaml")
    rec = Recipe.from_list([*ASEM_EXAMPLE_STEPS, {"step": "aggregate", "method": "copeland"}])
    agg = build_composite(ds, sch, 2018, rec).aggregated
    assert agg.loc["AUS", ["Conn", "Sust", "Index"]].tolist() == [-24.0, -7.0, -15.0]
    # majorities are integers, within ±(units − 1)
    n = len(agg)
    assert (agg["Index"] == agg["Index"].round()).all()
    assert agg["Index"].abs().max() <= n - 1


def test_asem_round_trip(asem: Path, tmp_path: Path):
    ref = _reference()
    u1, o1, s1 = from_coin_tables(ref / "ASEM_iData.csv", ref / "ASEM_iMeta.csv")
    idata, imeta = to_coin_tables(load_data(asem), load_scheme(asem / "scheme.yaml"))
    u2, o2, s2 = from_coin_tables(idata, imeta)
    pd.testing.assert_frame_equal(u1, u2, check_dtype=False)
    pd.testing.assert_frame_equal(o1, o2)
    assert s1 == s2


def test_panel_last_value_imputation_through_the_build(tmp_path: Path):
    early = IDATA.assign(Time=2019, i2=[11.0, 31.0, 15.0, 21.0], i4=[0.0, 1.0, 1.0, 0.5])
    units, obs, sch = from_coin_tables(pd.concat([early, IDATA]), IMETA)
    folder = write_coin_import(units, obs, sch, tmp_path / "panel")
    ds, scheme = load_data(folder), load_scheme(folder / "scheme.yaml")
    rec = Recipe.from_list([{"step": "impute", "method": "last_value"},
                            {"step": "normalise"}, {"step": "aggregate"}])
    res = build_composite(ds, scheme, 2020, rec)
    imputed = res.datasets["Imputed"]
    # C's i2 and D's i4 are missing in 2020: they take their 2019 values 15 and 0.5
    assert imputed.loc["C", "i2"] == 15.0 and imputed.loc["D", "i4"] == 0.5
    assert imputed.loc["A", "i2"] == 10.0  # observed 2020 values are kept
    assert res.logs["impute"]["source"].tolist() == ["2019→2020", "2019→2020"]


def test_scenario_overrides_keep_the_composite_section(small: Path):
    from perfanalysis import with_overrides

    sch = load_scheme(small / "scheme.yaml")
    sc = with_overrides(sch, {"composite": {"steps": [{"step": "normalise", "method": "rank"},
                                                      {"step": "aggregate"}]}})
    assert sc.composite is not None and sc.composite.steps[0].method == "rank"
    assert sc.composite.denominators == sch.composite.denominators


def test_imported_asem_validates_as_composite_and_explains_score(tmp_path: Path) -> None:
    ref = _reference()
    out = tmp_path / "asem"
    runner = CliRunner()
    res = runner.invoke(app, ["import-coin", "--idata", str(ref / "ASEM_iData.csv"),
                              "--imeta", str(ref / "ASEM_iMeta.csv"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    args = ["--data", str(out), "--scheme", str(out / "scheme.yaml")]
    res = runner.invoke(app, ["validate", *args])
    assert res.exit_code == 0 and "Builds with `composite`" in res.output
    assert "points scoring (`score`) is not possible" in " ".join(res.output.split())
    res = runner.invoke(app, ["score", *args])
    assert res.exit_code == 1
    assert "build it with `perfanalysis composite`" in " ".join(res.output.split())


# --- issue 14 items 7 and 8: the recipe's method reaches every level; overrides are said ---


def test_import_leaves_the_method_to_the_recipe(small: Path):
    raw = yaml.safe_load((small / "scheme.yaml").read_text(encoding="utf-8"))
    assert "aggregation" not in yaml.safe_dump(raw["components"])
    ds, sch = load_data(small), load_scheme(small / "scheme.yaml")
    base = Recipe(tuple(sch.composite.steps))
    rec = base.with_step("normalise", lower=1, upper=100).with_step("aggregate",
                                                                   method="geometric")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing overrides the recipe: no warning
        res = build_composite(ds, sch, 2020, rec)
    assert "aggregate_overrides" not in res.logs
    agg = res.aggregated
    # min–max 1–100: i1 (1..5) A 1, B 25.75, C 50.5, D 100; i2 negative (10..30): A 100,
    # B 1, D 50.5, C NaN. P1 geometric, equal weights: A √(1·100) = 10, B √25.75,
    # C 50.5 (only i1), D √(100·50.5)
    assert agg["P1"].tolist() == pytest.approx([10.0, 25.75 ** 0.5, 50.5, (5050) ** 0.5])
    # the index is geometric too: Idx = P1^(1/4) · P2^(3/4)
    expected = agg["P1"] ** 0.25 * agg["P2"] ** 0.75
    assert agg["Idx"].tolist() == pytest.approx(expected.tolist())


def test_node_setting_over_the_recipe_warns_and_logs(small: Path):
    raw = yaml.safe_load((small / "scheme.yaml").read_text(encoding="utf-8"))
    raw["components"][1]["aggregation"] = "harmonic"
    sch = scheme_from_mapping(raw)
    rec = Recipe(tuple(sch.composite.steps)).with_step("normalise", lower=1, upper=100)
    with pytest.warns(UserWarning, match=r"P2 \(harmonic, not arithmetic\)"):
        res = build_composite(load_data(small), sch, 2020, rec)
    log = res.logs["aggregate_overrides"]
    assert log.to_dict("records") == [{"node": "P2", "height": 2, "recipe_method": "arithmetic",
                                       "node_method": "harmonic"}]


def test_copeland_below_the_root_like_coinr(small: Path):
    ds, sch = load_data(small), load_scheme(small / "scheme.yaml")
    rec = Recipe(tuple(sch.composite.steps)).with_step("aggregate", method="copeland")
    res = build_composite(ds, sch, 2020, rec)
    agg = res.aggregated
    # P1 from i1 (A 0, B 25, C 50, D 100) and i2 (A 100, B 0, C NaN, D 50), weights ½ each.
    # Outranking values: A>B ½, A>C 0 (i1 0<50; i2 vs NaN counts for neither), A>D ½;
    # B>A ½, B>C 0, B>D 0; C>A ½, C>B ½, C>D 0; D>A ½, D>B ½+½ = 1, D>C ½.
    # COINr's majorities (+1 above ½, −1 below, 0 at ½): A = 0−1+0 = −1; B = 0−1−1 = −2;
    # C = 0+0−1 = −1; D = 0+1+0 = 1
    assert agg["P1"].tolist() == pytest.approx([-1.0, -2.0, -1.0, 1.0])
    assert np.isfinite(agg["Idx"]).all()
    # the row sums of the outranking matrix, COINr < 1.0, as a named option:
    # A = ½+0+½ = 1, B = ½, C = 1, D = 2
    rec_sum = rec.with_step("aggregate", method="copeland", copeland_score="outranking_sum")
    agg_sum = build_composite(ds, sch, 2020, rec_sum).aggregated
    assert agg_sum["P1"].tolist() == pytest.approx([1.0, 0.5, 1.0, 2.0])


def test_asem_geometric_recipe_reaches_every_level(asem: Path):
    ds, sch = load_data(asem), load_scheme(asem / "scheme.yaml")
    rec = Recipe.from_list([{"step": "normalise", "method": "minmax", "lower": 1, "upper": 100},
                            {"step": "aggregate", "method": "geometric"}])
    res = build_composite(ds, sch, 2018, rec)
    raw = pd.read_csv(_reference() / "ASEM_iData.csv").set_index("uCode")
    meta = pd.read_csv(_reference() / "ASEM_iMeta.csv")
    ind = meta.loc[meta["Type"] == "Indicator"]
    # direct: direction, min–max 1–100, unweighted geometric mean of the available values
    x = raw[ind["iCode"]].to_numpy(float) * ind["Direction"].to_numpy(float)
    n = 1 + (x - np.nanmin(x, 0)) / (np.nanmax(x, 0) - np.nanmin(x, 0)) * 99
    normed = pd.DataFrame(np.log(n), index=raw.index, columns=ind["iCode"])
    pillars = {p: normed[ind.loc[ind["Parent"] == p, "iCode"]].mean(axis=1)
               for p in ind["Parent"].unique()}
    conn = np.mean([pillars[p] for p in ("Physical", "ConEcFin", "Political", "Instit", "P2P")], 0)
    sust = np.mean([pillars[p] for p in ("Environ", "Social", "SusEcFin")], 0)
    index = np.exp((conn + sust) / 2)
    got = res.aggregated.loc[raw.index, "Index"].to_numpy()
    np.testing.assert_allclose(got, index, rtol=1e-10)
