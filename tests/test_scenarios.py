"""Scenarios: ``with_overrides`` (rescaling, node fields, tiers), scenario files (format,
errors with scenario + key path + did-you-mean), the comparison tables and ``compare``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import perfanalysis as pa
from perfanalysis.cli import app
from perfanalysis.engine.scenarios import generic_scenarios, scenarios_for, scenarios_from_mapping
from perfanalysis.engine.scheme import Blend, Group
from perfanalysis.errors import SchemeError
from perfanalysis.paths import DATA_DIR, SAMPLE_DIR, SCHEMES_DIR
from perfanalysis.studies import weightings as wt

from .helpers import write_dataset

YIYANG = SCHEMES_DIR / "yiyang_2018.yaml"
REFORM = DATA_DIR / "scenarios" / "yiyang_reform.yaml"


@pytest.fixture(scope="module")
def yiyang() -> pa.Scheme:
    return pa.load_scheme(YIYANG)


def _points(scheme: pa.Scheme) -> dict[str, float]:
    return {n.id: n.points for n in scheme.iter_nodes()}


# --- with_overrides ---------------------------------------------------------------------


def test_group_points_rescale_children_proportionally(yiyang: pa.Scheme) -> None:
    # issue 14 item 10: high_quality 40 → 50 and party_building 20 → 10 (sum stays 100)
    s = pa.with_overrides(yiyang, points={"high_quality": 50, "party_building": 10})
    p = _points(s)
    assert p["high_quality"] == 50 and p["party_building"] == 10
    assert p["gdp"] == pytest.approx(8 * 50 / 40)  # 10
    assert p["fiscal_revenue"] == pytest.approx(6 * 50 / 40)  # 7.5
    assert p["party_building_eval"] == pytest.approx(10 * 10 / 20)  # 5
    assert p["clean_government"] == pytest.approx(5.0)
    assert p["three_battles"] == 25  # untouched


def test_renormalise_unnamed_siblings_share_the_rest(yiyang: pa.Scheme) -> None:
    # high_quality 50 of 100 leaves 50 for 25 + 20 + 15 = 60: each × 50/60
    s = pa.with_overrides(yiyang, points={"high_quality": 50}, renormalise=True)
    p = _points(s)
    assert p["three_battles"] == pytest.approx(25 * 50 / 60)  # 20.8333
    assert p["party_building"] == pytest.approx(20 * 50 / 60)  # 16.6667
    assert p["stability_safety"] == pytest.approx(15 * 50 / 60)  # 12.5
    # and their children follow: poverty_rate 8 of 25 → 8 × 50/60 = 6.6667
    assert p["poverty_rate"] == pytest.approx(8 * 50 / 60)
    # an indicator inside a group: gdp 8 → 12 leaves 28 for the other 32 points of the group
    s = pa.with_overrides(yiyang, points={"gdp": 12}, renormalise=True)
    assert _points(s)["fiscal_revenue"] == pytest.approx(6 * 28 / 32)  # 5.25
    assert _points(s)["high_quality"] == 40


def test_renormalise_all_named_scales_in_proportion(yiyang: pa.Scheme) -> None:
    # all four groups named, 30 + 30 + 30 + 30 = 120 → each × 100/120 = 25
    groups = {"high_quality": 30, "three_battles": 30, "party_building": 30,
              "stability_safety": 30}
    p = _points(pa.with_overrides(yiyang, points=groups, renormalise=True))
    assert all(p[g] == pytest.approx(25.0) for g in groups)


def test_points_that_do_not_add_up_without_renormalise_are_refused(yiyang: pa.Scheme) -> None:
    with pytest.raises(SchemeError, match="add up to 110, not 100"):
        pa.with_overrides(yiyang, points={"high_quality": 50})
    with pytest.raises(SchemeError, match="leave nothing"):
        pa.with_overrides(yiyang, points={"high_quality": 100}, renormalise=True)


def test_overrides_reach_node_fields_and_tiers(yiyang: pa.Scheme) -> None:
    s = pa.with_overrides(yiyang, nodes={
        "gdp": {"basis": "increment"},
        "fai": {"blend": {"basis": "growth", "alpha": 0.2}},
        "fiscal_revenue": {"target": {"rule": "own_average", "years": 2, "factor": 1.0}},
        "clean_government": {"method": "minmax"},
        "pm25": {"method": "efficacy", "target": None}},
        tiers={"method": "forced_distribution", "labels": ["优秀", "达标", "不达标"],
               "shares": [0.15, 0.8, 0.05]})
    leaves = {i.id: i for i in s.indicators()}
    assert leaves["gdp"].basis == "increment"
    assert leaves["fai"].blend is not None and leaves["fai"].blend.alpha == 0.2
    assert leaves["fiscal_revenue"].target.years == 2  # type: ignore[union-attr]
    assert leaves["clean_government"].method == "minmax"
    assert leaves["pm25"].method == "efficacy" and leaves["pm25"].target is None
    assert s.tiers.method == "forced_distribution" and s.tiers.quota == []
    # same method: merged, not replaced
    s2 = pa.with_overrides(yiyang, tiers={"thresholds": [{"label": "达标", "min_total": 70},
                                                         {"label": "基本达标", "min_total": 60}]})
    assert s2.tiers.quota == yiyang.tiers.quota and s2.tiers.thresholds[0].min_total == 70


def test_switching_method_drops_unused_settings_alike_in_python_and_yaml(
        yiyang: pa.Scheme) -> None:
    gdp = next(i for i in yiyang.indicators() if i.id == "gdp")
    assert gdp.method == "completion" and gdp.cap == 1.2 and gdp.target is not None
    assert gdp.blend is not None and gdp.blend.target is not None
    py = pa.with_overrides(yiyang, nodes={"gdp": {"method": "efficacy"}})
    leaf = next(i for i in py.indicators() if i.id == "gdp")
    # target, cap (back to its default 1.0) and blend.target are completion settings
    assert leaf.method == "efficacy" and leaf.target is None and leaf.cap == 1.0
    assert leaf.blend is not None and leaf.blend.target is None
    assert leaf.blend.alpha == gdp.blend.alpha and leaf.blend.basis == gdp.blend.basis
    by_method = scenarios_from_mapping(_raw(method={"gdp": "efficacy"}), yiyang)[0].scheme
    by_nodes = scenarios_from_mapping(_raw(nodes={"gdp": {"method": "efficacy"}}),
                                      yiyang)[0].scheme
    dump = py.model_dump(exclude={"id"})
    assert by_method.model_dump(exclude={"id"}) == dump == by_nodes.model_dump(exclude={"id"})
    # a setting given with the switch is kept; a needed one missing is named
    kept = pa.with_overrides(yiyang, nodes={"gdp": {"method": "efficacy", "base": 0.5}})
    assert next(i for i in kept.indicators() if i.id == "gdp").base == 0.5
    with pytest.raises(SchemeError, match="'rank_points' needs 'step'"):
        pa.with_overrides(yiyang, nodes={"gdp": {"method": "rank_points"}})
    # the same method again changes nothing
    same = pa.with_overrides(yiyang, nodes={"gdp": {"method": "completion"}})
    assert same.model_dump(exclude={"id"}) == yiyang.model_dump(exclude={"id"})


def test_unknown_node_names_the_closest_id(yiyang: pa.Scheme) -> None:
    with pytest.raises(SchemeError, match="'gpd' \\(did you mean 'gdp'\\?\\)"):
        pa.with_overrides(yiyang, points={"gpd": 9})
    with pytest.raises(SchemeError, match="did you mean 'high_quality'"):
        pa.with_overrides(yiyang, nodes={"high_qualty": {"points": 3}})


_BASE = pa.load_scheme(YIYANG)


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["high_quality", "three_battles", "party_building",
                                        "gdp", "poverty_rate", "clean_government"]),
                       st.floats(0.5, 12.0), min_size=1, max_size=3))
def test_renormalised_points_always_add_up(points: dict[str, float]) -> None:
    try:
        s = pa.with_overrides(_BASE, points=points, renormalise=True)
    except SchemeError as exc:
        assert "leave nothing" in str(exc)  # the only refusal: named points fill the parent
        return
    p = _points(s)
    for name, value in points.items():  # named nodes keep their points unless an ancestor
        ancestors = {"gdp": "high_quality", "poverty_rate": "three_battles",
                     "clean_government": "party_building"}
        if ancestors.get(name) not in points:
            assert p[name] == pytest.approx(value)
    for node in s.iter_nodes():  # the scheme validated: children add up at every level
        if isinstance(node, Group):
            assert sum(c.points for c in node.children) == pytest.approx(node.points)
    assert sum(p[g] for g in ("high_quality", "three_battles", "party_building",
                              "stability_safety")) == pytest.approx(100.0)


# --- scenario files ---------------------------------------------------------------------


def test_reform_file_loads_with_the_issue_variants(yiyang: pa.Scheme) -> None:
    scs = pa.load_scenarios(REFORM, yiyang)
    ids = [s.id for s in scs]
    assert ids == ["growth_weight", "high_quality_50", "levels", "across", "one_growth_target",
                   "per_capita",
                   "categories", "forced_distribution"]
    by = {s.id: s for s in scs}
    gdp = {i.id: i for i in by["growth_weight"].scheme.indicators()}["gdp"]
    assert gdp.blend is not None and gdp.blend.alpha == 0.3
    assert _points(by["high_quality_50"].scheme)["party_building"] == pytest.approx(20 * 50 / 60)
    # the pre-reform counterfactual: the volumes compared across counties again, as in
    # yiyang_2018_levels.yaml (same leaves, so the same scores)
    levels = {i.id: i for i in by["levels"].scheme.indicators()}
    assert (levels["fai"].method, levels["fai"].basis, levels["fai"].target) == (
        "efficacy", "level", None)
    assert levels["fai"].blend == Blend(basis="growth", alpha=0.5)
    data = pa.load_data(SAMPLE_DIR / "yiyang")
    counterfactual = pa.load_scheme(YIYANG.parent / "yiyang_2018_levels.yaml")
    pd.testing.assert_series_equal(
        pa.score(data, by["levels"].scheme, 2019).set_index("unit_id")["total"],
        pa.score(data, counterfactual, 2019).set_index("unit_id")["total"])
    assert by["forced_distribution"].scheme.tiers.shares == [0.15, 0.8, 0.05]
    data = pa.load_data(SAMPLE_DIR / "yiyang")
    adapted = by["categories"].adapt(data)
    assert sorted(adapted.units["sequence"].unique()) == ["county", "urban", "zone"]
    pc = by["per_capita"].adapt(data)
    obs, new = data.observations, pc.observations
    row = (obs["unit_id"] == "datonghu") & (obs["indicator"] == "gdp") & (obs["year"] == 2019)
    # 大通湖区 population 83 100: per 10 000 people = value / 83 100 × 10 000
    assert float(new.loc[row, "value"].iloc[0]) == pytest.approx(
        float(obs.loc[row, "value"].iloc[0]) / 83_100 * 10_000)


def _raw(**spec: object) -> dict:
    return {"scenarios": {"mine": {"name": "我的情景", **spec}}}


@pytest.mark.parametrize("spec, pattern", [
    ({"methd": {"gdp": "minmax"}}, (r"scenario 'mine': scenarios\.mine\.methd: unknown key "
                                   r"'methd': did you mean 'method'\?")),
    ({"method": {"gpd": "minmax"}}, r"scenarios\.mine\.method.*'gpd' \(did you mean 'gdp'\?"),
    ({"method": {"gdp": "minimax"}}, r"scenarios\.mine\.method\.gdp: Input should be"),
    ({"alpha": 1.5}, r"alpha must lie in \[0, 1\]"),
    ({"points": {"high_quality": 100}}, r"(?s)scenario 'mine' \(我的情景\).*leave nothing"),
    ({"method": {"urban_income": "completion"}},
     r"(?s)scenario 'mine'.*'completion' needs 'target'"),
    ({"sequences": {"mapping": {"heshan": "a"}, "names": {"a": "甲"}}},
     r"leaves units without a sequence"),
])
def test_invalid_scenario_files_name_scenario_and_key(yiyang: pa.Scheme, spec: dict,
                                                      pattern: str) -> None:
    with pytest.raises(SchemeError, match=pattern):
        scs = scenarios_from_mapping(_raw(**spec), yiyang, file="mine.yaml")
        scs[0].adapt(pa.load_data(SAMPLE_DIR / "yiyang"))


def test_scenario_file_errors_through_the_loader(tmp_path: Path, yiyang: pa.Scheme) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenarios:\n  a: {name: 甲, renormalize: false}\n", encoding="utf-8")
    with pytest.raises(SchemeError, match=r"(?s)bad\.yaml.*did you mean 'renormalise'"):
        pa.load_scenarios(bad, yiyang)
    bad.write_text("scenarios: [1, 2\n", encoding="utf-8")
    with pytest.raises(SchemeError, match="not valid YAML"):
        pa.load_scenarios(bad, yiyang)


def test_other_scheme_gets_generic_scenarios() -> None:
    heshan = pa.load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
    scs, note = scenarios_for(REFORM, heshan, SCHEMES_DIR / "heshan_2013.yaml")
    # the base scheme by its Chinese name, not its file name (reader text: issue 23)
    assert note and f"是为考核方案“{pa.load_scheme(SCHEMES_DIR / 'yiyang_2018.yaml').name}”" in note
    assert ".yaml" not in note
    names = [s.name for s in scs]
    assert names[0] == "一级指标等权" and "强制分布15:80:4:1" in names  # Heshan: 4 tiers
    # equal groups: 700 points over 4 groups → 175 each
    eq = _points(scs[0].scheme)
    assert eq["economy"] == pytest.approx(175.0) and eq["key_work"] == pytest.approx(175.0)
    same, none = scenarios_for(REFORM, pa.load_scheme(YIYANG), YIYANG)
    assert none is None and len(same) == 8
    assert generic_scenarios(pa.load_scheme(YIYANG))["scenarios"]["more_growth"]["alpha"] == 0.3


# --- comparison -------------------------------------------------------------------------


def _tiny(tmp_path: Path) -> tuple[pa.Dataset, pa.Scheme]:
    """4 units, two min-max indicators (range 0–10) of 50 points each, quota 1, 达标 ≥ 50."""
    units = [{"unit_id": u, "name": n, "sequence": "all"}
             for u, n in [("a", "甲"), ("b", "乙"), ("c", "丙"), ("d", "丁")]]
    vals = {"a": (10, 10), "b": (8, 5), "c": (5, 7), "d": (0, 0)}
    obs = [{"unit_id": u, "year": 2020, "indicator": k, "value": v[j]}
           for u, v in vals.items() for j, k in enumerate(("x1", "x2"))]
    folder = write_dataset(tmp_path / "tiny", {"units": units, "observations": obs})
    scheme = pa.scheme_from_mapping({
        "id": "tiny", "name": "小例", "sequences": {"all": "全部"},
        "components": [{"id": "indicators", "name": "指标", "points": 100,
                        "source": "indicators", "children": [
                            {"id": "g", "name": "组", "points": 100, "children": [
                                {"id": "x1", "name": "甲指标", "points": 50, "method": "minmax"},
                                {"id": "x2", "name": "乙指标", "points": 50,
                                 "method": "minmax"}]}]}],
        "tiers": {"method": "quota_threshold", "labels": ["优秀", "达标", "不达标"],
                  "quota": [{"top": 1}], "thresholds": [{"label": "达标", "min_total": 50}]}})
    return pa.load_data(folder), scheme


def test_identical_scenario_gives_zero_shifts_and_tau_one(yiyang: pa.Scheme) -> None:
    data = pa.load_data(SAMPLE_DIR / "yiyang")
    scs = scenarios_from_mapping({"scenarios": {"same": {"name": "照旧"}}}, yiyang)
    res = pa.compare_scenarios(data, yiyang, scs, 2019)
    assert (res.shifts["shift"] == 0).all() and not res.shifts["tier_changed"].any()
    assert res.kendall["tau"].tolist() == pytest.approx([1.0, 1.0, 1.0, 1.0])
    row = res.summary.iloc[0]
    assert row["n_tier_changes"] == 0 and row["mean_abs_shift"] == 0
    assert not row["top_set_changed"]


def test_reorder_inside_a_tier_changes_no_tier(tmp_path: Path) -> None:
    data, scheme = _tiny(tmp_path)
    # base: 甲 100, 乙 50·0.8 + 50·0.5 = 65, 丙 25 + 35 = 60, 丁 0
    # x1 20 / x2 80: 乙 16 + 40 = 56, 丙 10 + 56 = 66 → 乙 and 丙 swap, both stay 达标 (≥ 50)
    scs = scenarios_from_mapping({"scenarios": {"x2": {"name": "重x2",
                                                      "points": {"x1": 20, "x2": 80}}}}, scheme)
    res = pa.compare_scenarios(data, scheme, scs, 2020)
    tot = res.totals.set_index(["scenario_id", "unit_id"])["total"]
    assert tot["base", "b"] == pytest.approx(65) and tot["x2", "b"] == pytest.approx(56)
    assert tot["x2", "c"] == pytest.approx(66)
    sh = res.shifts.set_index("unit_id")
    assert sh.at["b", "shift"] == -1 and sh.at["c", "shift"] == 1
    assert not sh["tier_changed"].any()
    assert res.summary.iloc[0]["mean_abs_shift"] == pytest.approx(0.5)  # (0+1+1+0)/4
    # 6 pairs, one discordant (乙, 丙): τ = (5 − 1)/6
    tau = res.kendall.set_index(["scenario_a", "scenario_b"])["tau"]
    assert tau[wt.BASE_NAME, "重x2"] == pytest.approx(4 / 6)
    assert res.alternatives["kind"].eq("scenario").all()
    assert list(res.alternatives.columns) == ["study", "alternative", "kind", "unit_id", "name",
                                              "sequence", "total", "rank", "tier"]


def test_compare_equals_score_on_written_out_schemes(tmp_path: Path, yiyang: pa.Scheme) -> None:
    data = pa.load_data(SAMPLE_DIR / "yiyang")
    scs = pa.load_scenarios(REFORM, yiyang)
    res = pa.compare_scenarios(data, yiyang, scs, 2019)
    for sc in scs:
        path = tmp_path / f"{sc.id}.yaml"
        path.write_text(yaml.safe_dump(sc.scheme.model_dump(mode="json", exclude_none=True),
                                       allow_unicode=True), encoding="utf-8")
        ours = res.totals.loc[res.totals["scenario_id"] == sc.id].set_index("unit_id")
        if sc.spec.per_capita is None and sc.spec.sequences is None:
            out = tmp_path / f"{sc.id}.csv"
            cli = CliRunner().invoke(app, ["score", "--data", str(SAMPLE_DIR / "yiyang"),
                                           "--scheme", str(path), "--year", "2019",
                                           "--out", str(out)])
            assert cli.exit_code == 0, cli.output
            theirs = pd.read_csv(out, encoding="utf-8-sig").set_index("unit_id")
        else:  # data-changing scenarios: the written scheme scored on the adapted data
            table = pa.scorecard(sc.adapt(data), pa.load_scheme(path), 2019)
            theirs = table.set_index("unit_id")
        pd.testing.assert_series_equal(ours["total"].sort_index(),
                                       theirs["total"].sort_index(), check_names=False)
        assert (ours["tier"].sort_index() == theirs["tier"].sort_index()).all()
        assert (ours["rank"].sort_index() == theirs["rank"].sort_index()).all()


def test_compare_command_prints_and_writes_sheets(tmp_path: Path) -> None:
    out = tmp_path / "cmp.xlsx"
    res = CliRunner().invoke(app, ["compare", "--data", str(SAMPLE_DIR / "yiyang"), "--scheme",
                                   str(YIYANG), "--scenarios", str(REFORM), "--year", "2019",
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "强制分布15:80:5" in res.output and "Kendall" in res.output
    with pd.ExcelFile(out) as book:
        sheets = book.sheet_names
    assert sheets == ["scenario_totals", "scenario_shifts", "scenario_kendall",
                      "scenario_summary", "scenario_tier_dependence", "alternatives_weightings",
                      "scenario_size_dependence"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenarios:\n  a: {name: 甲, methd: {gdp: minmax}}\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["compare", "--data", str(SAMPLE_DIR / "yiyang"), "--scheme",
                                   str(YIYANG), "--scenarios", str(bad), "--out",
                                   str(tmp_path / "x.xlsx")])
    assert res.exit_code == 1 and "did you mean 'method'" in res.output
    assert not (tmp_path / "x.xlsx").exists()
