"""Issued target tables (目标分解表, 附件4 "区县(市)差异化绩效目标"): the targets of year T from
data up to T−1, written by `perfanalysis targets`, and scoring against the frozen table
(`rule: table` with `file`) so that later data revisions do not change them."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from perfanalysis import DataError, SchemeError, leaf_scores, load_data, scheme_from_mapping
from perfanalysis.cli import app
from perfanalysis.engine.targets import issue_targets, issued_changes, read_frozen

from .helpers import write_dataset

LEVELS = {"A": (100, 110, 121), "B": (50, 60, 66)}  # 2017, 2018, 2019


def _raw(target: dict, blend_target: dict | None = None) -> dict:
    leaf = {"id": "x", "name": "地区生产总值", "unit": "亿元", "points": 10,
            "method": "completion", "cap": 1.2, "basis": "increment", "target": target,
            "blend": {"basis": "growth", "alpha": 0.5, "target": blend_target or target}}
    return {"id": "t", "name": "下达目标测试", "sequences": {"s": "序列"},
            "components": [{"id": "indicators", "name": "指标", "points": 100,
                            "source": "indicators", "children": [
                                leaf, {"id": "y", "name": "Y", "points": 90,
                                       "method": "pass_fail", "threshold": 0}]}],
            "tiers": {"method": "forced_distribution", "labels": ["一等", "二等"],
                      "shares": [0.5, 0.5]}}


OWN = {"rule": "own_average", "years": 1}


def _data(folder, b2018: float = 60):
    levels = {**LEVELS, "B": (50, b2018, 66)}
    obs = [{"unit_id": u, "year": y, "indicator": ind, "value": v}
           for u, vals in levels.items() for y, v in zip((2017, 2018, 2019), vals)
           for ind in ("x", "y")]
    return write_dataset(folder, {
        "units": [{"unit_id": u, "name": f"{u}县", "sequence": "s"} for u in LEVELS],
        "observations": obs})


def test_issued_targets_hand_worked(tmp_path) -> None:
    data = load_data(_data(tmp_path / "d"))
    issued = issue_targets(data, scheme_from_mapping(_raw(OWN)), 2019).set_index(
        ["unit_id", "basis"])
    # own_average(1): last year's increment and growth — A 110 − 100 = 10, 10 %;
    # B 60 − 50 = 10, 20 %
    assert issued.loc[("A", "increment"), "target"] == pytest.approx(10.0)
    assert issued.loc[("A", "growth"), "target"] == pytest.approx(0.10)
    assert issued.loc[("B", "increment"), "target"] == pytest.approx(10.0)
    assert issued.loc[("B", "growth"), "target"] == pytest.approx(0.20)
    assert issued.loc[("B", "increment"), "inputs"] == "2018:10.00"
    assert issued.loc[("B", "growth"), "measure_unit"] == "%"
    assert issued.loc[("B", "increment"), "measure_unit"] == "亿元"
    assert issued.loc[("B", "increment"), "rule_zh"] == "本单位前1年平均×1"


def test_targets_use_no_data_of_the_target_year(tmp_path) -> None:
    # changing 2019 changes nothing issued for 2019
    a = load_data(_data(tmp_path / "a"))
    obs = a.observations.copy()
    obs.loc[obs["year"] == 2019, "value"] *= 3
    from dataclasses import replace
    b = replace(a, observations=obs)
    scheme = scheme_from_mapping(_raw(OWN))
    pd.testing.assert_frame_equal(issue_targets(a, scheme, 2019), issue_targets(b, scheme, 2019))


def test_scoring_against_the_frozen_table_survives_revisions(tmp_path) -> None:
    folder = _data(tmp_path / "d")
    res = CliRunner().invoke(app, ["targets", "--data", str(folder), "--scheme",
                                   str(_scheme_file(tmp_path, OWN)), "--year", "2019",
                                   "--out", str(folder / "issued_2019.xlsx")])
    assert res.exit_code == 0, res.output
    frozen = {"rule": "table", "file": "issued_2019.xlsx"}
    scheme = scheme_from_mapping(_raw(frozen, frozen))
    s = leaf_scores(load_data(folder), scheme, 2019).set_index(["unit_id", "indicator"])
    # A: increment 11/10 = 1.1, growth 10 %/10 % = 1 → 10 × (0.5·1.1 + 0.5·1) = 10.5
    # B: increment 6/10 = 0.6, growth 10 %/20 % = 0.5 → 10 × (0.3 + 0.25) = 5.5
    assert s.loc[("A", "x"), "score"] == pytest.approx(10.5)
    assert s.loc[("B", "x"), "score"] == pytest.approx(5.5)
    # the census revises B's 2018 level 60 → 55: the issued targets stay (10, 20 %); the
    # actual is now 66 − 55 = 11 (1.1) and 20 % (1.0) → 10.5. Recomputed targets would be
    # 5 and 10 % (both capped at 1.2 → 12)
    revised = _data(tmp_path / "r", b2018=55)
    (revised / "issued_2019.xlsx").write_bytes((folder / "issued_2019.xlsx").read_bytes())
    rdata = load_data(revised)
    s = leaf_scores(rdata, scheme, 2019).set_index(["unit_id", "indicator"])
    assert s.loc[("B", "x"), "score"] == pytest.approx(10.5)
    s = leaf_scores(rdata, scheme_from_mapping(_raw(OWN)), 2019).set_index(
        ["unit_id", "indicator"])
    assert s.loc[("B", "x"), "score"] == pytest.approx(12.0)
    # what the revision would have changed, listed
    ch = issued_changes(rdata, scheme_from_mapping(_raw(OWN)), 2019,
                        read_frozen(revised / "issued_2019.xlsx"))
    got = {(r.unit_id, r.basis): (r.target_issued, r.target_now) for r in ch.itertuples()}
    assert got == {("B", "increment"): pytest.approx((10.0, 5.0)),
                   ("B", "growth"): pytest.approx((0.2, 0.1))}
    res = CliRunner().invoke(app, ["targets", "--data", str(revised), "--scheme",
                                   str(_scheme_file(tmp_path, OWN)), "--year", "2019",
                                   "--out", str(tmp_path / "again.csv"),
                                   "--against", str(revised / "issued_2019.xlsx")])
    assert res.exit_code == 0, res.output
    assert "现行数据算出的目标与已下达目标不同" in res.output


def _scheme_file(tmp_path, target):
    import yaml
    path = tmp_path / "scheme.yaml"
    path.write_text(yaml.safe_dump(_raw(target), allow_unicode=True), encoding="utf-8")
    return path


def test_frozen_table_errors(tmp_path) -> None:
    folder = _data(tmp_path / "d")
    scheme = scheme_from_mapping(_raw({"rule": "table", "file": "nope.xlsx"}, OWN))
    with pytest.raises(DataError, match="issued target table does not exist"):
        leaf_scores(load_data(folder), scheme, 2019)
    with pytest.raises(SchemeError, match="'file' is only used by rule 'table'"):
        scheme_from_mapping(_raw({"rule": "own_average", "years": 1, "file": "x.csv"}))
    # a table without the unit's row: scoring names unit and indicator
    pd.DataFrame({"unit_id": ["A"], "year": [2019], "indicator": ["x"], "basis": ["increment"],
                  "target": [10.0]}).to_csv(folder / "part.csv", index=False)
    part = scheme_from_mapping(_raw({"rule": "table", "file": "part.csv"}, OWN))
    with pytest.raises(DataError, match="unit B, indicator 'x'"):
        leaf_scores(load_data(folder), part, 2019)


def test_diff_lists_the_targets_a_revision_moves(tmp_path) -> None:
    """`perfanalysis diff` with a scheme: the census revises B's 2018 level 60 → 55, so the
    2019 targets recomputed from the new data differ: own_average(1) increment 60 − 50 = 10
    → 55 − 50 = 5, growth 10/50 = 20 % → 5/50 = 10 %; A is unrevised and not listed."""
    from perfanalysis import target_revisions

    old, new = _data(tmp_path / "old"), _data(tmp_path / "new", b2018=55)
    scheme = scheme_from_mapping(_raw(OWN))
    moved = target_revisions(load_data(old), load_data(new), scheme, 2019)
    got = {(r.unit_id, r.basis): (r.target_issued, r.target_now) for r in moved.itertuples()}
    assert got == {("B", "increment"): pytest.approx((10.0, 5.0)),
                   ("B", "growth"): pytest.approx((0.2, 0.1))}
    assert target_revisions(load_data(old), load_data(old), scheme, 2019).empty
    res = CliRunner().invoke(app, ["diff", "--old", str(old), "--new", str(new), "--scheme",
                                   str(_scheme_file(tmp_path, OWN))])
    assert res.exit_code == 0, res.output
    assert "下达目标的变化" in res.output and "B县" in res.output
    out = tmp_path / "diff.xlsx"
    res = CliRunner().invoke(app, ["diff", "--old", str(old), "--new", str(new), "--scheme",
                                   str(_scheme_file(tmp_path, OWN)), "--out", str(out)])
    assert res.exit_code == 0, res.output
    sheet = pd.read_excel(out, sheet_name="target_revisions")
    assert sorted(sheet["basis"]) == ["growth", "increment"] and set(sheet["unit_id"]) == {"B"}
