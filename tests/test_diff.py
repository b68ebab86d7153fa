"""`perfanalysis diff`: data revisions and scheme changes on small hand-made pairs."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from perfanalysis import data_diff, load_data, load_scheme, scheme_diff, scheme_from_mapping
from perfanalysis.cli import app
from perfanalysis.paths import SCHEMES_DIR
from tests.helpers import preset_mapping, write_dataset

UNITS = [{"unit_id": "a", "name": "甲镇", "sequence": "towns"},
         {"unit_id": "b", "name": "乙镇", "sequence": "towns"},
         {"unit_id": "c", "name": "丙镇", "sequence": "towns"}]
OBS = [{"unit_id": u, "year": y, "indicator": "gdp", "value": v}
       for u, y, v in [("a", 2012, 10.0), ("a", 2013, 11.0), ("b", 2012, 20.0),
                       ("b", 2013, 22.0), ("c", 2012, 30.0), ("c", 2013, 33.0)]]
RATINGS = [{"unit_id": u, "year": 2013, "component": "work_report", "score": 150.0}
           for u in "abc"]
EVENTS = [{"unit_id": "a", "year": 2013, "event": "commendation_city", "count": 1}]


def _pair(tmp_path: Path) -> tuple[Path, Path]:
    old = write_dataset(tmp_path / "old", {"units": UNITS, "observations": OBS,
                                           "ratings": RATINGS, "events": EVENTS})
    units = copy.deepcopy(UNITS)
    units[1]["name"] = "乙街道"                          # renamed
    units = [u for u in units if u["unit_id"] != "c"]     # c removed
    units.append({"unit_id": "d", "name": "丁镇", "sequence": "towns"})  # d added
    obs = [dict(o) for o in OBS if o["unit_id"] != "c"]
    obs[1]["value"] = 11.5                                # a 2013 revised 11 → 11.5
    del obs[2]                                            # b 2012 gdp removed
    obs += [{"unit_id": "d", "year": 2013, "indicator": "gdp", "value": 40.0},
            {"unit_id": "a", "year": 2014, "indicator": "gdp", "value": 12.0}]  # a new year
    ratings = [dict(r) for r in RATINGS if r["unit_id"] != "c"]
    ratings[0]["score"] = 160.0                           # a's rating revised 150 → 160
    events = [dict(EVENTS[0]), {"unit_id": "a", "year": 2013, "event": "commendation_city",
                                "count": 1}]              # a second city commendation
    new = write_dataset(tmp_path / "new", {"units": units, "observations": obs,
                                           "ratings": ratings, "events": events})
    return old, new


def test_data_diff_on_a_hand_made_pair(tmp_path: Path) -> None:
    old, new = _pair(tmp_path)
    dd = data_diff(load_data(old), load_data(new))
    r = dd.revisions
    got = {(t, u, y, k, s): (o, n) for t, u, y, k, s, o, n in
           zip(r["table"], r["unit_id"], r["year"], r["key"], r["status"], r["old"], r["new"])}
    nan = got.get(("observations", "b", 2012, "gdp", "removed"), (None, None))
    assert nan[0] == 20.0 and pd.isna(nan[1])
    assert got[("observations", "a", 2013, "gdp", "revised")] == (11.0, 11.5)
    assert pd.isna(got[("observations", "d", 2013, "gdp", "added")][0])
    assert got[("ratings", "a", 2013, "work_report", "revised")] == (150.0, 160.0)
    # events: 1 city commendation → 2 (summed per unit, year, event)
    assert got[("events", "a", 2013, "commendation_city", "revised")] == (1.0, 2.0)
    # c's values disappear with c; 2014 is a new year, not a revision
    assert {k for k in got if k[1] == "c"} == {
        ("observations", "c", 2012, "gdp", "removed"), ("observations", "c", 2013, "gdp",
                                                        "removed"),
        ("ratings", "c", 2013, "work_report", "removed")}
    assert not any(k[2] == 2014 for k in got)
    assert dd.new_years == [2014]
    assert len(got) == 8
    # Chinese names: new units.csv, the old one for a removed unit
    assert set(zip(r["unit_id"], r["name"])) >= {("a", "甲镇"), ("b", "乙街道"), ("c", "丙镇")}
    u = dd.units
    assert list(zip(u["unit_id"], u["status"])) == [("b", "changed"), ("c", "removed"),
                                                     ("d", "added")]
    assert u.loc[u["unit_id"] == "b", "old"].iloc[0] == "名称:乙镇"


def test_data_diff_of_identical_data_is_empty(tmp_path: Path) -> None:
    old, _ = _pair(tmp_path)
    dd = data_diff(load_data(old), load_data(old))
    assert dd.empty


def test_scheme_diff_on_a_hand_made_pair() -> None:
    old = scheme_from_mapping(preset_mapping("yiyang_2018"))
    raw = preset_mapping("yiyang_2018")
    growth = raw["components"][0]["children"][0]["children"]
    # move 2 points from the 2nd to the 1st indicator of the group (sums unchanged)
    first, second = growth[0], growth[1]
    first["points"] += 2
    second["points"] -= 2
    raw["tiers"]["thresholds"][0]["min_total"] = 80
    raw["tiers"]["followups"] = [{"tier": "不达标", "years": 2, "consequence": "组织调整"}]
    new = scheme_from_mapping(raw)
    d = scheme_diff(old, new)
    desc = list(d["description"])
    assert (f"指标“{first['name']}”的分值由{first['points'] - 2:g}改为{first['points']:g}"
            in desc)
    assert (f"指标“{second['name']}”的分值由{second['points'] + 2:g}改为"
            f"{second['points']:g}" in desc)
    thr = d.loc[d["field"] == "thresholds"].iloc[0]
    assert "最低分=75" in thr["old"] and "最低分=80" in thr["new"]
    fu = d.loc[d["field"] == "followups"].iloc[0]
    # yiyang_2018 declares no follow-ups (issue 22): none before, one after
    assert "组织调整" not in fu["old"] and "组织调整" in fu["new"]
    assert len(d) == 4


def test_scheme_diff_names_methods_targets_and_added_nodes() -> None:
    old = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    raw = preset_mapping("yiyang_2018")
    group = raw["components"][0]["children"][0]
    leaf = next(c for c in group["children"] if c.get("method") == "completion")
    leaf["target"] = {"rule": "uniform", "value": 100}
    removed = group["children"].pop()
    group["children"].append({**removed, "id": "new_leaf", "name": "新指标"})
    d = scheme_diff(old, scheme_from_mapping(raw))
    desc = list(d["description"])
    assert any(s.startswith(f"指标“{leaf['name']}”的目标规则由本单位前3年平均") and
               s.endswith("改为统一目标100") for s in desc)
    assert f"删除指标“{removed['name']}”({removed['points']:g}分)" in desc
    assert any(s.startswith("新增指标“新指标”") for s in desc)
    assert scheme_diff(old, old).empty


def test_cli_diff_prints_and_writes(tmp_path: Path) -> None:
    old, new = _pair(tmp_path)
    runner = CliRunner()
    res = runner.invoke(app, ["diff", "--old", str(old), "--new", str(new)])
    assert res.exit_code == 0, res.output
    assert "数据修订" in res.output and "乙街道" in res.output and "2014" in res.output
    res = runner.invoke(app, ["diff", "--old-scheme", str(SCHEMES_DIR / "yiyang_2018.yaml"),
                              "--new-scheme", str(SCHEMES_DIR / "heshan_2013.yaml"),
                              "--out", str(tmp_path / "diff.xlsx")])
    assert res.exit_code == 0, res.output
    sheets = pd.read_excel(tmp_path / "diff.xlsx", sheet_name=None)
    assert list(sheets) == ["scheme_changes"] and len(sheets["scheme_changes"]) > 10
    res = runner.invoke(app, ["diff", "--old", str(old)])
    assert res.exit_code == 1
    res = runner.invoke(app, ["diff", "--old", str(tmp_path / "nowhere"), "--new", str(new)])
    assert res.exit_code == 1 and "error" in res.output.lower()


def test_scheme_diff_of_the_reform_names_every_target_rule() -> None:
    # the pre-reform counterfactual → the 2018 default: method, basis, cap, target and the
    # blend's own target, each rule in words with its bounds
    old = load_scheme(SCHEMES_DIR / "yiyang_2018_levels.yaml")
    new = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    text = list(scheme_diff(old, new)["description"])
    assert "指标“地区生产总值”的计分方法由功效系数法改为完成率法" in text
    assert "指标“地区生产总值”的计分口径由总量改为增量" in text
    assert "指标“地区生产总值”的目标规则由无改为本单位前3年平均×1,至少比上年增长2%" in text
    # every rule the engine knows has words (the study's rules, nested in a blend)
    raw = preset_mapping("yiyang_2018")
    raw["components"][0]["children"][0]["children"][0]["target"] = {
        "rule": "blend", "weight": 0.25,
        "of": [{"rule": "last_growth", "years": 2}, {"rule": "peer", "factor": 1.1}],
        "not_below_last": True}
    text = list(scheme_diff(new, scheme_from_mapping(raw))["description"])
    assert ("指标“地区生产总值”的目标规则由本单位前3年平均×1,至少比上年增长2%改为"
            "0.25×上年值×(1+前2年平均增速)×1+0.75×上年值×(1+同序列增速中位数)×1.1,"
            "不低于上年实际") in text
