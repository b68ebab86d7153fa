"""Scheme validation errors name the key path and the allowed values; YAML is loaded safely."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from perfanalysis import SchemeError, load_scheme, scheme_from_mapping
from perfanalysis.paths import SCHEMES_DIR
from perfanalysis.yamlsafe import safe_load


def preset(name: str) -> dict[str, Any]:
    return copy.deepcopy(safe_load((SCHEMES_DIR / f"{name}.yaml").read_text(encoding="utf-8")))


def error_of(raw: dict[str, Any]) -> SchemeError:
    with pytest.raises(SchemeError) as info:
        scheme_from_mapping(raw, file="test.yaml")
    return info.value


def first_leaf(raw: dict[str, Any]) -> dict[str, Any]:
    node = raw["components"][0]
    while "children" in node:
        node = node["children"][0]
    return node


@pytest.mark.parametrize("tagged", [
    "!!python/object/apply:os.system ['echo pwned > {marker}']\n",
    "id: x\npoints: !!python/object/apply:builtins.eval ['1+1']\n",
    "!!python/object:perfanalysis.engine.scheme.Scheme {{}}\n",
    "!!python/name:os.system\n",
])
def test_object_constructing_tags_are_refused(tagged: str, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    path = tmp_path / "evil.yaml"
    path.write_text(tagged.format(marker=marker), encoding="utf-8")
    with pytest.raises(SchemeError, match="not valid YAML"):
        load_scheme(path)
    assert not marker.exists()


def test_expressions_are_never_evaluated() -> None:
    raw = preset("yiyang_2018")
    first_leaf(raw)["points"] = "2+3"  # stays text: not a number, not 5
    err = error_of(raw)
    assert "expected a number; got '2+3'" in str(err)


def test_unknown_key_lists_the_allowed_keys_of_that_node() -> None:
    raw = preset("yiyang_2018")
    first_leaf(raw)["weigth"] = 3
    err = error_of(raw)
    leaf_id = first_leaf(raw)["id"]
    assert f".children[0:{leaf_id}].weigth: unknown key" in str(err)
    assert "allowed keys here: id, name, points, method, direction" in str(err)
    assert err.path is not None and err.path.endswith(f"[0:{leaf_id}].weigth")
    assert err.file == "test.yaml"


def test_unknown_top_level_and_tier_keys() -> None:
    raw = preset("heshan_2013")
    raw["tier"] = {}
    raw["tiers"]["quota"][0]["topp"] = 2
    text = str(error_of(raw))
    assert "tier: unknown key" in text and "components, bonus, penalty, tiers" in text
    assert "tiers.quota[0].topp: unknown key" in text
    assert "allowed keys here: sequences, top, share, rounding, min_count" in text


def test_unknown_method_lists_the_methods() -> None:
    raw = preset("yiyang_2018")
    first_leaf(raw)["method"] = "weighted"
    text = str(error_of(raw))
    assert ".method: Input should be 'completion', 'efficacy', 'minmax', 'rank_points', " \
           "'pass_fail', 'deduction', 'gap_points' or 'time_progress'; got 'weighted'" in text


def test_wrong_types_say_what_is_expected() -> None:
    raw = preset("yiyang_2018")
    raw["components"][0]["points"] = "一百"
    raw["tiers"]["labels"] = "优秀"
    text = str(error_of(raw))
    assert "components[0:indicators].points: expected a number; got '一百'" in text
    assert "tiers.labels: expected a list" in text


def test_points_that_do_not_add_up() -> None:
    raw = preset("yiyang_2018")
    leaf = first_leaf(raw)
    group = raw["components"][0]["children"][0]
    total = sum(c["points"] for c in group["children"])
    leaf["points"] = leaf["points"] + 1  # the group's children now add up to total + 1
    text = str(error_of(raw))
    assert f"group '{group['id']}' add up to {total + 1:g}, not {group['points']:g}" in text
    assert f"{leaf['id']}={leaf['points']:g}" in text  # the listing shows every child


def test_cap_below_one() -> None:
    raw = preset("yiyang_2018")
    leaf = next(c for c in raw["components"][0]["children"][0]["children"]
                if c["method"] == "completion")
    leaf["cap"] = 0.8
    text = str(error_of(raw))
    assert f"{leaf['id']}].cap: Input should be greater than or equal to 1; got 0.8" in text


def test_threshold_that_can_never_be_met() -> None:
    raw = preset("yiyang_2018")  # 100 points, no bonus: the highest total is 100
    raw["tiers"]["thresholds"] = [{"label": "达标", "min_total": 120},
                                  {"label": "基本达标", "min_total": 65}]
    text = str(error_of(raw))
    assert "tiers.thresholds[0:达标].min_total = 120 can never be met" in text
    assert "allowed: a value ≤ 100" in text


def test_demotion_that_can_never_be_met() -> None:
    raw = preset("heshan_2013")
    n = len(raw["tiers"]["disqualifications"])
    raw["tiers"]["demote_at"] = n + 1
    assert f"demote_at={n + 1} can never be met with {n} disqualification(s)" in str(error_of(raw))


def test_presets_still_validate() -> None:
    for path in sorted(SCHEMES_DIR.glob("*.yaml")):
        assert load_scheme(path).id
