"""Weights explorer without a browser: the setting's arithmetic, reasons, exports, errors."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr
from typer.testing import CliRunner

import perfanalysis as pa
from perfanalysis.cli import app as cli_app
from perfanalysis.engine.scenarios import load_scenarios, scenarios_for
from perfanalysis.engine.scheme import with_overrides
from perfanalysis.explorer import changes, controls, core, exports
from perfanalysis.paths import DATA_DIR, SAMPLE_DIR
from perfanalysis.studies.weightings import scenario_totals

YIYANG_SCHEME = DATA_DIR / "schemes" / "yiyang_2018.yaml"
SCENARIOS = DATA_DIR / "scenarios" / "yiyang_reform.yaml"
YEAR = 2019


@pytest.fixture(scope="module")
def yiyang() -> tuple[pa.Dataset, pa.Scheme]:
    scheme = pa.load_scheme(YIYANG_SCHEME)
    return pa.load_data(SAMPLE_DIR / "yiyang", scheme), scheme


@pytest.fixture(scope="module")
def ex(yiyang: tuple[pa.Dataset, pa.Scheme]) -> core.Explorer:
    data, scheme = yiyang
    return core.make_explorer(data, scheme, scheme_path=YIYANG_SCHEME, scenarios=SCENARIOS)


def _reference(data: pa.Dataset, scheme: pa.Scheme, year: int) -> pd.DataFrame:
    return pa.scorecard(data, scheme, year)[["unit_id", "total", "rank", "tier"]]


def _same(view: core.View, ref: pd.DataFrame) -> None:
    got = view.table[["unit_id", "total", "rank", "tier"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, ref.reset_index(drop=True), check_dtype=False)


def test_unchanged_setting_is_the_scorecard(ex: core.Explorer, yiyang) -> None:
    data, scheme = yiyang
    view = core.evaluate(ex, {}, year=YEAR, boot=None)
    _same(view, _reference(data, scheme, YEAR))
    assert view.points_sum == 100 and view.points_total == 100


def test_two_groups_at_30_rescale_the_others_by_hand(ex: core.Explorer, yiyang) -> None:
    data, scheme = yiyang
    view = core.evaluate(ex, {"points": {"party_building": 30, "high_quality": 30}},
                         year=YEAR, boot=None)
    # 100 − 30 − 30 = 40 left for 三大攻坚战 (25) and 社会稳定和安全生产 (15): 40·25/40, 40·15/40
    assert view.node_points == {"high_quality": 30, "three_battles": 25, "party_building": 30,
                                "stability_safety": 15}
    # the same scenario written out as a scheme: the engine's own score and tiers
    as_scheme = with_overrides(scheme, points={"party_building": 30, "high_quality": 30},
                               renormalise=True)
    _same(view, _reference(data, as_scheme, YEAR))


def test_one_group_up_rescales_the_rest_in_proportion(ex: core.Explorer) -> None:
    view = core.evaluate(ex, {"points": {"party_building": 40}}, year=YEAR, boot=None)
    # 60 left over 40 + 25 + 15 = 80: 40·60/80 = 30, 25·60/80 = 18.75, 15·60/80 = 11.25
    assert view.node_points == pytest.approx({"high_quality": 30, "three_battles": 18.75,
                                              "party_building": 40, "stability_safety": 11.25})
    assert view.points_sum == pytest.approx(100)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(pts=st.lists(st.integers(1, 60), min_size=4, max_size=4),
       alpha=st.sampled_from([None, 0.0, 0.3, 1.0]))
def test_any_weighting_equals_score_on_the_scheme(ex: core.Explorer, yiyang, pts: list[int],
                                                   alpha: float | None) -> None:
    data, _scheme = yiyang
    ids = ["high_quality", "three_battles", "party_building", "stability_safety"]
    controls: dict = {"points": dict(zip(ids, pts, strict=True))}
    if alpha is not None:
        controls["alpha"] = alpha
    view = core.evaluate(ex, controls, year=YEAR, boot=None)
    sc = core.scenario_of(ex, controls)
    _same(view, _reference(data, sc.scheme, YEAR))
    # every group named: all scale in proportion to the component's 100 points
    assert view.points_sum == pytest.approx(100)
    assert view.node_points["party_building"] == pytest.approx(100 * pts[2] / sum(pts))


@pytest.mark.parametrize("start", ["", "growth_weight", "high_quality_50", "levels",
                                   "per_capita", "categories", "forced_distribution"])
def test_every_starting_scenario_scores_as_compare_does(ex: core.Explorer, yiyang,
                                                        start: str) -> None:
    data, scheme = yiyang
    view = core.start_view(ex, start, YEAR)
    scenarios = [s for s in load_scenarios(SCENARIOS, scheme) if s.id == start]
    ref = scenario_totals(data, scheme, scenarios, YEAR)
    ref = ref.loc[ref["scenario_id"] == (start or "base"), ["unit_id", "total", "rank", "tier"]]
    _same(view, ref)


def test_heshan_sequences_quotas_and_events(heshan_dir: Path) -> None:
    scheme = pa.load_scheme(DATA_DIR / "schemes" / "heshan_2013.yaml")
    data = pa.load_data(heshan_dir, scheme)
    ex = core.make_explorer(data, scheme)
    year = max(ex.years)
    nodes = core.first_level(scheme)
    controls = {"points": {nodes[0][0]: nodes[0][2] * 0.5}}
    view = core.evaluate(ex, controls, year=year, boot=None)
    _same(view, _reference(data, core.scenario_of(ex, controls).scheme, year))


def test_progress_award_takes_the_engines_own_path(yiyang) -> None:
    data, scheme = yiyang
    raw = scheme.model_dump(mode="python", exclude_none=True)
    raw["bonus"] = {"rules": [{"kind": "progress", "id": "jinwei", "name": "进位奖",
                               "per_place": 1.0, "cap": 3}]}
    with_award = pa.scheme_from_mapping(raw)
    ex = core.make_explorer(data, with_award)
    controls = {"points": {"party_building": 30}}
    view = core.evaluate(ex, controls, year=YEAR, boot=None)
    _same(view, _reference(data, core.scenario_of(ex, controls).scheme, YEAR))


def test_size_dependence_is_spearman_on_the_totals(ex: core.Explorer, yiyang) -> None:
    data, _ = yiyang
    view = core.evaluate(ex, {"points": {"party_building": 30}}, year=YEAR, boot=200)
    t = view.table.set_index("unit_id")
    pop = data.units.set_index("unit_id")["population_2020"].reindex(t.index)
    # one sequence: the within-group ρ is the plain Spearman ρ (scipy, independently)
    assert view.size is not None
    assert view.size["rho"] == pytest.approx(spearmanr(t["total"], pop).statistic)
    assert view.size["n"] == 8 and view.size["rho_lo"] <= view.size["rho"] <= view.size["rho_hi"]


def test_quota_move_reason_names_the_cut(ex: core.Explorer) -> None:
    base = core.start_view(ex, "", YEAR)
    # (issue-22 sample with official growth rates: 高质量发展 60 lifts 资阳区 from 3rd into
    # the 优秀 places)
    cur = core.evaluate(ex, {"points": {"high_quality": 60}}, year=YEAR, boot=None)
    moves = changes.tier_moves(base, cur).set_index("unit_id")
    # 25 % of 8 units, half up: 2 优秀 places
    up = moves.loc[moves["tier"] == "优秀"]
    assert len(up) >= 1
    for uid, row in up.iterrows():
        assert row["rank"] <= 2 < row["base_rank"]
        assert row["reason"] == (f"名次由第{row['base_rank']}名升至第{row['rank']}名,"
                                 "进入优秀名额(前2名)")
    both = changes.compared(base, cur)
    assert set(moves.index) == set(both.loc[both["tier"] != both["base_tier"], "unit_id"])


def test_threshold_move_reason_names_the_line(ex: core.Explorer, yiyang) -> None:
    data, scheme = yiyang
    base = core.start_view(ex, "", YEAR)
    tiers = controls.tiers_from_controls(scheme, 25, [85, 65], [])
    assert tiers == {"thresholds": [{"label": "达标", "min_total": 85.0},
                                    {"label": "基本达标", "min_total": 65.0}]}
    cur = core.evaluate(ex, {"tiers": tiers}, year=YEAR, boot=None)
    moves = changes.tier_moves(base, cur).set_index("unit_id")
    ref = _reference(data, scheme, YEAR).set_index("unit_id")
    # who falls: 达标 units with 75 ≤ total < 85 (the line moved from 75 to 85)
    expected = ref.index[(ref["tier"] == "达标") & (ref["total"] < 85)]
    assert sorted(moves.index) == sorted(expected) and len(expected) > 0
    for uid in expected:
        t = ref.loc[uid, "total"]
        assert moves.loc[uid, "reason"] == f"总分{changes._fmt(t)}不变,跌破达标线85分(原为75分)"


def test_controls_name_only_what_moved(ex: core.Explorer) -> None:
    start = core.start_view(ex, "", YEAR)
    same = controls.spec_from_controls(ex, "", YEAR, node_values=start.node_points, alpha=0.5,
                                   quota=25, lines=[75, 65])
    assert same == {}
    moved = controls.spec_from_controls(ex, "", YEAR, node_values={**start.node_points,
                                                               "party_building": 30.0},
                                    alpha=0.3, quota=50, lines=[75, 65],
                                    methods={"clean_government": "minmax"})
    assert moved == {"points": {"party_building": 30.0}, "alpha": 0.3,
                     "method": {"clean_government": "minmax"},
                     "tiers": {"quota": [{"share": 0.5, "rounding": "half_up",
                                          "min_count": 1}]}}


@pytest.mark.parametrize(("controls", "words"), [
    ({"points": {"party_building": -5}}, "须为正数"),
    ({"points": {"party_building": 0}}, "须为正数"),
    ({"points": {"party_building": None}}, "须为数字"),
    ({"points": {"party_building": 70, "high_quality": 40}}, "已达到或超过“指标考核”的100分"),
    ({"tiers": {"thresholds": [{"label": "达标", "min_total": 60},
                               {"label": "基本达标", "min_total": 65}]}}, "must decrease"),
    ({"method": {"gdp": "rank_points"}}, "needs 'step'"),
])
def test_bad_settings_raise_a_clear_message(ex: core.Explorer, controls: dict,
                                            words: str) -> None:
    with pytest.raises(core.ExploreError, match=words.replace("(", r"\(")):
        core.evaluate(ex, controls, year=YEAR, boot=None)


@pytest.mark.parametrize(("quota", "lines", "words"), [
    (150, [75, 65], "0到100%之间"), (0, [75, 65], "0到100%之间"), (None, [75, 65], "须为数字"),
    (25, [None, 65], "分数线须为数字")])
def test_bad_tier_controls(yiyang, quota, lines, words) -> None:
    _, scheme = yiyang
    with pytest.raises(core.ExploreError, match=words):
        controls.tiers_from_controls(scheme, quota, lines, [])


def test_forced_shares_must_add_up(ex: core.Explorer) -> None:
    scheme = core.start_view(ex, "forced_distribution", YEAR).scheme
    assert controls.tier_controls(scheme).shares == (15, 80, 5)
    assert controls.tiers_from_controls(scheme, None, [], [15, 80, 5]) is None
    assert controls.tiers_from_controls(scheme, None, [], [25, 70, 5]) == {
        "shares": [0.25, 0.7, 0.05]}
    with pytest.raises(core.ExploreError, match="合计100%"):
        controls.tiers_from_controls(scheme, None, [], [50, 80, 5])


def test_applicable_methods(yiyang) -> None:
    _, scheme = yiyang
    leaves = {leaf.id: leaf for leaf in scheme.indicators()}
    assert core.applicable_methods(leaves["gdp"]) == ["completion", "efficacy", "minmax"]
    assert core.applicable_methods(leaves["clean_government"]) == ["efficacy", "minmax"]
    assert core.applicable_methods(leaves["party_building_eval"]) == [
        "rank_points", "efficacy", "minmax"]


def test_exported_scenario_round_trips_through_compare_and_run(ex: core.Explorer, yiyang,
                                                               tmp_path: Path) -> None:
    data, scheme = yiyang
    controls = {"points": {"party_building": 30, "high_quality": 30}, "alpha": 0.3,
                "method": {"clean_government": "minmax"},
                "tiers": {"quota": [{"share": 0.375, "rounding": "half_up", "min_count": 1}]}}
    view = core.evaluate(ex, controls, year=YEAR, start="levels", boot=None)
    path = tmp_path / "explored.yaml"
    path.write_text(exports.scenario_yaml(ex, view, start="levels"), encoding="utf-8")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "base" not in raw and list(raw["scenarios"]) == ["explored"]
    # what compare reads
    scenarios = load_scenarios(path, scheme)
    ref = scenario_totals(data, scheme, scenarios, YEAR)
    ref = ref.loc[ref["scenario_id"] == "explored", ["unit_id", "total", "rank", "tier"]]
    _same(view, ref)
    # what the report's -p scenarios=… reads: the file itself, not the generic scenarios
    got, note = scenarios_for(path, scheme, YIYANG_SCHEME)
    assert note is None and [s.id for s in got] == ["explored"]
    assert got[0].scheme == scenarios[0].scheme
    res = CliRunner().invoke(cli_app, ["compare", "--data", str(SAMPLE_DIR / "yiyang"),
                                       "--scheme", str(YIYANG_SCHEME), "--scenarios", str(path),
                                       "--year", str(YEAR)])
    assert res.exit_code == 0, res.output
    assert core.SCENARIO_NAME in res.output


def test_export_note_in_chinese(ex: core.Explorer) -> None:
    view = core.evaluate(ex, {"points": {"party_building": 30}, "alpha": 0.3}, year=YEAR,
                         boot=None)
    text = exports.scenario_yaml(ex, view)
    note = yaml.safe_load(text)["scenarios"]["explored"]["note"]
    assert note == "由权重探索页面导出(2019年;起点:方案原值)。分值:党的建设30分;增量+增速指标的α为0.3。"


def test_workbook_is_readable_and_reproducible(ex: core.Explorer) -> None:
    from perfanalysis.explorer.exports import workbook_bytes

    base = core.start_view(ex, "", YEAR)
    cur = core.evaluate(ex, {"points": {"party_building": 30, "high_quality": 30}}, year=YEAR,
                        boot=None)
    a, b = workbook_bytes(base, cur), workbook_bytes(base, cur)
    assert a == b
    sheets = pd.read_excel(io.BytesIO(a), sheet_name=None)
    assert list(sheets) == ["总分与名次", "等次变化"]
    table = sheets["总分与名次"]
    assert np.allclose(table.set_index("单位代码")["总分"].sort_index(),
                       cur.table.set_index("unit_id")["total"].sort_index())


def test_page_is_offline_and_callbacks_registered(ex: core.Explorer) -> None:
    from perfanalysis.explorer.app import build_app

    app = build_app(ex)
    assert app.config.serve_locally and not app.config.external_scripts
    html = app.server.test_client().get("/").get_data(as_text=True)
    assert "权重探索" in html
    srcs = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert srcs and all(src.startswith("/") for src in srcs), srcs
    assert "https://" not in html and "http://" not in html
    assert len(app.callback_map) >= 8


def test_cli_explore_rejects_bad_inputs_before_serving(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli_app, ["explore", "--data", str(tmp_path / "missing"),
                                       "--scheme", str(YIYANG_SCHEME)])
    assert res.exit_code == 1


def test_page_update_keeps_the_last_state_on_bad_input(ex: core.Explorer) -> None:
    from dash import no_update

    from perfanalysis.explorer.app import page_update

    start = core.start_view(ex, "", YEAR)
    ids = list(start.node_points)
    good = {"year": YEAR, "start": "", "values": [30.0, 25.0, 30.0, 15.0], "alpha": 0.5, "extra": {},
                "methods": {}, "quota": [25], "lines": [75, 65], "shares": [], "seq": "counties"}
    out = page_update(ex, ids, {}, **good)
    assert out[0] == "" and out[5] == ["30.00", "25.00", "30.00", "15.00"]
    assert out[7]["controls"] == {"points": {"high_quality": 30.0, "party_building": 30.0}}
    assert [r["总分"] for r in out[2]] == list(core.evaluate(
        ex, out[7]["controls"], year=YEAR, boot=None).table["total"].round(2))
    for bad, words in (({"quota": [150]}, "0到100%之间"),
                       ({"values": [30.0, 25.0, 0.0, 15.0]}, "须为正数"),
                       ({"year": 1990}, "没有数据"), ({"year": 2013}, "2013年无法计分")):
        got = page_update(ex, ids, {}, **{**good, **bad})
        assert words in got[0] and "页面保留上一次有效的结果" in got[0]
        # every other output untouched; the per-node output is a list (a wildcard output)
        assert got[1:5] == (no_update,) * 4 and got[5] == [no_update] * 4
        assert got[6:] == (no_update, no_update)


def test_single_leaf_alpha(ex: core.Explorer, yiyang) -> None:
    data, _ = yiyang
    start = core.start_view(ex, "", YEAR)
    spec = controls.spec_from_controls(ex, "", YEAR, node_values=start.node_points, alpha=0.7,
                                   leaf_alpha={"gdp": 0.2}, quota=25, lines=[75, 65])
    # gdp gets its own α; the other blended leaves the α control's 0.7
    assert spec == {"alpha": {"gdp": 0.2, "fai": 0.7, "industry_va": 0.7, "retail_sales": 0.7}}
    view = core.evaluate(ex, spec, year=YEAR, boot=None)
    alphas = {leaf.id: leaf.blend.alpha for leaf in view.scheme.indicators() if leaf.blend}
    assert alphas == spec["alpha"]
    _same(view, _reference(data, view.scheme, YEAR))
    with pytest.raises(core.ExploreError, match="没有增量"):
        controls.spec_from_controls(ex, "", YEAR, node_values=start.node_points,
                                leaf_alpha={"pm25": 0.2}, quota=25, lines=[75, 65])
    with pytest.raises(core.ExploreError, match="0到1之间"):
        controls.spec_from_controls(ex, "", YEAR, node_values=start.node_points,
                                leaf_alpha={"gdp": 1.5}, quota=25, lines=[75, 65])


def test_run_explorer_passes_jupyter_mode(ex: core.Explorer, monkeypatch) -> None:
    from dash import Dash

    from perfanalysis.explorer.app import run_explorer

    seen: dict = {}
    monkeypatch.setattr(Dash, "run", lambda self, **kw: seen.update(kw))
    run_explorer(ex, year=YEAR, port=8123, jupyter_mode="inline")
    assert seen == {"port": 8123, "host": "127.0.0.1", "debug": False, "jupyter_mode": "inline"}


@pytest.mark.parametrize("year", [2010, 2011])
def test_provincial_panel_regions_reweight_and_forced_shares(year: int) -> None:
    # real data, four regions of unequal size, `missing: reweight` before 2011, 15:80:5
    scheme = pa.load_scheme(DATA_DIR / "schemes" / "china_provinces.yaml")
    data = pa.load_data(DATA_DIR / "real" / "china_provinces", scheme)
    ex = core.make_explorer(data, scheme)
    (first, _, pts), _ = core.first_level(scheme)
    controls = {"points": {first: pts - 20}}
    view = core.evaluate(ex, controls, year=year, boot=None)
    _same(view, _reference(data, core.scenario_of(ex, controls).scheme, year))
    assert view.points_sum == pytest.approx(100)


def test_preset_with_the_same_tree_is_a_starting_point(yiyang, tmp_path: Path) -> None:
    from perfanalysis.explorer.presets import preset_spec

    data, scheme = yiyang
    levels = pa.load_scheme(DATA_DIR / "schemes" / "yiyang_2018_levels.yaml")
    spec = preset_spec(scheme, levels)
    # the four economic volumes switch to efficacy on levels blended with growth
    assert spec is not None and set(spec["nodes"]) == {"gdp", "fai", "industry_va",
                                                       "retail_sales"}
    assert spec["nodes"]["gdp"]["method"] == "efficacy" and spec["nodes"]["gdp"]["target"] is None
    assert preset_spec(scheme, pa.load_scheme(DATA_DIR / "schemes" / "heshan_2013.yaml")) is None
    ex = core.make_explorer(data, scheme, scheme_path=YIYANG_SCHEME,
                            presets=DATA_DIR / "schemes")
    assert "preset:yiyang_2018_levels" in ex.starts and "preset:yiyang_2018" not in ex.starts
    start = core.start_view(ex, "preset:yiyang_2018_levels", YEAR)
    _same(start, _reference(data, levels, YEAR))
    # moved from there and exported: compare reads the preset's changes and the move
    view = core.evaluate(ex, {"points": {"party_building": 30}}, year=YEAR,
                         start="preset:yiyang_2018_levels", boot=None)
    path = tmp_path / "from_preset.yaml"
    path.write_text(exports.scenario_yaml(ex, view, start="preset:yiyang_2018_levels"),
                    encoding="utf-8")
    ref = scenario_totals(data, scheme, load_scenarios(path, scheme), YEAR)
    _same(view, ref.loc[ref["scenario_id"] == "explored", ["unit_id", "total", "rank", "tier"]])


def test_a_year_without_history_is_a_message(ex: core.Explorer) -> None:
    # 2013 is the sample's first year: the own-average targets have no history
    with pytest.raises(core.ExploreError, match="2013年无法计分"):
        core.evaluate(ex, {}, year=2013, boot=None)


def test_on_demand_uncertainty_is_the_studies_own(ex: core.Explorer, yiyang) -> None:
    from perfanalysis.studies.boundaries import tier_probabilities
    from perfanalysis.studies.weightings import SHIFT_TARGET, weight_sensitivity

    data, _ = yiyang
    controls = {"points": {"party_building": 30}}
    probs, sob = core.uncertainty(ex, controls, year=YEAR, start="", noise=0.05, draws=400,
                                  sobol_n=64)
    scheme = core.scenario_of(ex, controls).scheme
    ref = tier_probabilities(data, scheme, YEAR, noise=0.05, draws=400, seed=0, workers=1)
    assert list(probs["单位"]) == list(ref["name"])
    assert np.allclose(probs["P(优秀)"], ref["p_优秀"]) and probs["P(优秀)"].sum() > 0
    assert probs.attrs["draws"] == 400
    # the largest binomial standard error √(p(1−p)/n) over every unit and tier
    p = ref[[c for c in ref.columns if c.startswith("p_") and c != "p_official"]].to_numpy()
    assert probs.attrs["max_se"] == pytest.approx(np.sqrt(p * (1 - p) / 400).max())
    sens = weight_sensitivity(data, scheme, YEAR, n=64, seed=0).sobol
    sens = sens.loc[sens["target"] == SHIFT_TARGET]
    assert np.allclose(sob["总效应指数ST"], sens["ST"])
