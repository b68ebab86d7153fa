"""Scheme loading: presets validate; every kind of bad scheme names its key path."""

from __future__ import annotations

import copy

import pytest

from perfanalysis import SchemeError, load_scheme, scheme_from_mapping, with_overrides
from perfanalysis.paths import SCHEMES_DIR

from .helpers import preset_mapping

PRESETS = ["heshan_2013", "yiyang_2018", "changsha_forced"]


@pytest.mark.parametrize("name", PRESETS)
def test_presets_load(name):
    scheme = load_scheme(SCHEMES_DIR / f"{name}.yaml")
    assert scheme.id == name
    assert scheme.tiers.labels


def test_heshan_preset_is_the_heshan_rules():
    s = load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
    assert {c.id: c.points for c in s.components} == {
        "indicators": 700, "work_report": 200, "public_survey": 100}
    for e in ["commendation_central", "commendation_provincial", "commendation_city",
              "criticism_central", "criticism_provincial", "criticism_city", "veto",
              "poll_bottom10", "corruption_case"]:
        assert e in s.events
    thresholds = {t.label: t.min_total for t in s.tiers.thresholds}
    assert thresholds == {"达标": 700, "基本达标": 600}
    assert s.tiers.demote_at == 2 and len(s.tiers.disqualifications) == 4


@pytest.mark.parametrize("preset", ["yiyang_2018", "yiyang_2018_levels"])
def test_yiyang_preset_marks_assumptions(preset):
    s = load_scheme(SCHEMES_DIR / f"{preset}.yaml")
    groups = [n for n in s.iter_nodes() if hasattr(n, "children")]
    assert [g.name for g in groups] == ["高质量发展", "三大攻坚战", "党的建设", "社会稳定和安全生产"]
    assert all(g.assumption for g in groups)
    assert s.max_points == 100
    volumes = {"gdp", "fai", "industry_va", "retail_sales"}
    leaves = {i.id: i for i in s.indicators()}
    if preset == "yiyang_2018":
        # 增量+增速 by completion of differentiated targets, no efficacy on sizes: increment
        # against its own 3-year average, growth against its own 3-year average, both ≥ 2 %
        # (GDP and 规模工业增加值 growth: the official rates, 可比价/同口径; FAI and 社零: the
        # growth of the levels, published at current prices)
        official = {"gdp": "gdp_growth", "industry_va": "industry_va_growth"}
        for v in volumes:
            leaf = leaves[v]
            assert leaf.method == "completion" and leaf.basis == "increment"
            assert leaf.blend is not None
            assert leaf.blend.basis == ("given_rate" if v in official else "growth")
            assert leaf.series(1) == official.get(v, v)
            assert leaf.blend.alpha == 0.5
            for rule in (leaf.target, leaf.blend.target):
                assert rule is not None and (rule.rule, rule.years) == ("own_average", 3)
                assert rule.min_growth == 0.02
    else:  # the pre-reform counterfactual: efficacy across counties on level and growth
        for v in volumes:
            leaf = leaves[v]
            assert (leaf.method, leaf.basis) == ("efficacy", "level")
            assert leaf.blend is not None and leaf.blend.basis == "growth"


def _bad(mutate) -> str:
    raw = preset_mapping("heshan_2013")
    mutate(raw)
    with pytest.raises(SchemeError) as exc:
        scheme_from_mapping(raw)
    return str(exc.value)


def test_points_do_not_add_up():
    def m(raw):
        raw["components"][0]["children"][0]["children"][0]["points"] = 61
    msg = _bad(m)
    assert "components[0:indicators].children[0:economy]" in msg
    assert "add up to 251" in msg


def test_unknown_key_named():
    msg = _bad(lambda raw: raw["tiers"].update(quotas=[]))
    assert "tiers.quotas" in msg and "unknown key" in msg


def test_unknown_method_lists_allowed():
    def m(raw):
        raw["components"][0]["children"][1]["children"][0]["method"] = "magic"
    msg = _bad(m)
    assert "children[0:family_planning_rate].method" in msg
    assert "'completion'" in msg and "magic" in msg


def test_completion_without_target():
    def m(raw):
        del raw["components"][0]["children"][0]["children"][0]["target"]
    assert "needs 'target'" in _bad(m)


def test_cap_below_one():
    def m(raw):
        raw["components"][0]["children"][0]["children"][0]["cap"] = 0.9
    assert "children[0:fiscal_revenue].cap" in _bad(m)


def test_undeclared_event():
    def m(raw):
        raw["penalty"]["rules"][0]["points"]["criticism_county"] = 0.5
    assert "criticism_county" in _bad(m)


def test_tier_rule_never_met():
    assert "can never be met" in _bad(lambda raw: raw["tiers"].update(demote_at=5))


def test_thresholds_must_decrease():
    def m(raw):
        raw["tiers"]["thresholds"][1]["min_total"] = 800
    assert "must decrease" in _bad(m)


def test_duplicate_node_ids():
    def m(raw):
        node = copy.deepcopy(raw["components"][0]["children"][0])
        raw["components"][0]["children"][0]["children"][1]["id"] = "fiscal_revenue"
        del node
    assert "unique" in _bad(m)


def test_yaml_errors_and_unsafe_tags(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(SchemeError, match="not valid YAML"):
        load_scheme(f)
    f.write_text("!!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    with pytest.raises(SchemeError):
        load_scheme(f)
    with pytest.raises(SchemeError, match="not found"):
        load_scheme(tmp_path / "missing.yaml")


def test_scenario_overrides_points_and_revalidates():
    s = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    # move 2 points from gdp (8 → 6) to fai (5 → 7): sums still 40
    scen = with_overrides(s, points={"gdp": 6, "fai": 7})
    pts = {i.id: i.points for i in scen.indicators()}
    assert pts["gdp"] == 6 and pts["fai"] == 7
    with pytest.raises(SchemeError, match="add up"):
        with_overrides(s, points={"gdp": 6})
    with pytest.raises(SchemeError, match="unknown nodes"):
        with_overrides(s, points={"nope": 1})


def test_points_scoring_refuses_non_additive_aggregation(yiyang_dir):
    from perfanalysis import load_data, score

    raw = preset_mapping("yiyang_2018")
    raw["components"][0]["children"][0]["aggregation"] = "geometric"
    scheme = scheme_from_mapping(raw)  # valid for a composite build …
    with pytest.raises(SchemeError, match="high_quality \\(geometric\\)"):
        score(load_data(yiyang_dir), scheme, 2019)  # … but not silently summed


def test_typo_gets_a_suggestion_in_both_languages_and_no_missing_echo():
    raw = preset_mapping("yiyang_2018")
    leaf = raw["components"][0]["children"][0]["children"][0]
    leaf["mehtod"] = leaf.pop("method")
    with pytest.raises(SchemeError) as exc:
        scheme_from_mapping(raw)
    msg = str(exc.value)
    assert "did you mean 'method'?" in msg and "是否应为“method”" in msg
    assert "required key is missing" not in msg  # the typo explains the missing key
    assert "1 problem(s) in scheme / 考核方案有 1 处错误" in msg


def test_bound_errors_in_both_languages():
    def m(raw):
        raw["components"][0]["children"][0]["children"][0]["cap"] = 0.9
    msg = _bad(m)
    assert "greater than or equal to 1" in msg and "应不小于1" in msg and "0.9" in msg
