"""Ties that break the planned shares (issue 20 §4): ``quota_warnings``, ``tier_reason``, the
scorecard sentences and the ``score`` command say when ties push a tier past its quota and
when a forced-distribution tier rounds to zero units. Expectations computed by hand."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from perfanalysis import assign_tiers, quota_warnings, scheme_from_mapping, scorecard
from perfanalysis.cli import app
from perfanalysis.engine.scheme import Scheme
from perfanalysis.paths import REAL_DIR, SCHEMES_DIR
from perfanalysis.report.summary import quota_summary, scorecard_sentences, tier_margins

from .helpers import preset_mapping

NO_EVENTS = pd.DataFrame(columns=["unit_id", "year", "event", "count", "project"])
BASE = preset_mapping("changsha_forced")


def _scheme(tiers: dict[str, Any], sequences: dict[str, str] | None = None) -> Scheme:
    raw = copy.deepcopy(BASE)
    raw["tiers"] = tiers
    if sequences is not None:
        raw["sequences"] = sequences
    return scheme_from_mapping(raw)


FORCED = _scheme({"method": "forced_distribution", "labels": ["一等", "二等", "三等"],
                  "shares": [0.15, 0.80, 0.05], "rounding": "half_up",
                  "tie_break": ["annual"]}, {"a": "甲组", "b": "乙组"})
QUOTA = _scheme({"method": "quota_threshold", "labels": ["优秀", "达标", "不达标"],
                 "quota": [{"share": 0.25, "rounding": "half_up", "min_count": 0}],
                 "thresholds": [{"label": "达标", "min_total": 60}]},
                {"a": "甲组", "b": "乙组"})


def _scores(totals: list[float], sequence: str = "a", start: int = 0) -> pd.DataFrame:
    ids = [f"{sequence}{start + i:03d}" for i in range(len(totals))]
    return pd.DataFrame({"unit_id": ids, "name": ids, "sequence": sequence,
                         "annual": totals, "total": totals})


def test_89_of_118_tied_at_100_under_15_80_5() -> None:
    """118 counties, 89 at exactly 100 (the completion cap), the rest 99, 98, …, 71.

    Plan: 一等 0.15 × 118 = 17.7 → 18 (half up); 三等 0.05 × 118 = 5.9 → 5 (a ceiling);
    二等 the remainder 95. The 89 tied units all go to 一等: 89 − 18 = 71 over quota.
    Then positions 89…112 are 二等 (24) and 113…117 三等 (5): those keep their plan.
    """
    totals = [100.0] * 89 + [99.0 - i for i in range(29)]
    t = assign_tiers(_scores(totals), FORCED, NO_EVENTS)
    assert t["tier"].value_counts().to_dict() == {"一等": 89, "二等": 24, "三等": 5}
    w = quota_warnings(t, FORCED)
    assert len(w) == 1
    row = w.iloc[0]
    assert (row["sequence"], row["tier"], row["kind"]) == ("a", "一等", "ties")
    assert (row["n_units"], row["quota"], row["actual"], row["over"]) == (118, 18, 89, 71)
    assert row["planned"] == pytest.approx(17.7)
    assert "超出71名" in row["message"] and "甲组" in row["message"]
    # the 71 beyond the quota say so in their tier_reason; the first 18 do not
    beyond = t["tier_reason"].str.contains("名额18名之外")
    assert int(beyond.sum()) == 71 and not beyond.iloc[:18].any()


def test_bottom_share_rounds_to_zero_in_groups_of_19_or_fewer() -> None:
    """三等 5 % is a ceiling: 19 × 0.05 = 0.95 → 0 units; 20 × 0.05 = 1.0 → 1 unit."""
    small = _scores([90.0 - i for i in range(19)], "a")
    large = _scores([90.0 - i for i in range(20)], "b")
    t = assign_tiers(pd.concat([small, large], ignore_index=True), FORCED, NO_EVENTS)
    w = quota_warnings(t, FORCED)
    assert w[["sequence", "tier", "kind", "quota", "actual"]].values.tolist() == [
        ["a", "三等", "zero", 0, 0]]
    assert w["planned"].iloc[0] == pytest.approx(0.95)
    assert "0.95" in w["message"].iloc[0]
    last_a = t.loc[t["unit_id"] == "a018"].iloc[0]
    assert last_a["tier"] == "二等" and "三等比例5%×19=0.95,取整为0名" in last_a["tier_reason"]
    # only the unit the unrounded share reaches (the last one) carries the note
    assert t.loc[t["sequence"] == "a", "tier_reason"].str.contains("取整为0名").sum() == 1
    assert not t.loc[t["sequence"] == "b", "tier_reason"].str.contains("取整为0名").any()
    assert (t.loc[t["sequence"] == "b", "tier"] == "三等").sum() == 1


def test_tie_at_the_lower_cut_goes_up_and_is_named() -> None:
    """20 units: 一等 3, 三等 1 (20 × 0.05), 二等 16. The last two tie: both 二等, the 三等
    tier is empty and 二等 holds 17 of its 16 places, one over."""
    t = assign_tiers(_scores([100.0 - i for i in range(18)] + [50.0, 50.0]), FORCED, NO_EVENTS)
    assert t["tier"].value_counts().to_dict() == {"一等": 3, "二等": 17}
    w = quota_warnings(t, FORCED)
    assert w[["tier", "kind", "quota", "actual", "over"]].values.tolist() == [
        ["二等", "ties", 16, 17, 1]]
    assert "同入二等(二等名额16名之外)" in t["tier_reason"].iloc[-1]


def test_quota_ties_and_a_share_rounding_to_zero() -> None:
    """Quota 25 % half up with min_count 0: group a (4 units) 1.0 → 1, three tied at 90 →
    3 优秀, 2 over; group b (1 unit) 0.25 → 0: no 优秀 possible."""
    scores = pd.concat([_scores([90.0, 90.0, 90.0, 80.0], "a"), _scores([95.0], "b")],
                       ignore_index=True)
    t = assign_tiers(scores, QUOTA, NO_EVENTS)
    assert list(t["tier"]) == ["优秀", "优秀", "优秀", "达标", "达标"]
    w = quota_warnings(t, QUOTA)
    assert w[["sequence", "tier", "kind", "quota", "actual", "over"]].values.tolist() == [
        ["a", "优秀", "ties", 1, 3, 2], ["b", "优秀", "zero", 0, 0, 0]]
    assert t["tier_reason"].iloc[4].endswith(";优秀名额按比例为0.25名,取整为0名,本序列无优秀")
    assert not t["tier_reason"].iloc[:4].str.contains("取整为0名").any()
    sentences = scorecard_sentences(t, tier_margins(t, QUOTA), QUOTA, 2021)
    assert any("甲组优秀名额1名" in s and "超出名额2名" in s for s in sentences)
    assert any("乙组共1个单位,优秀按比例为0.25名,取整后为0名" in s for s in sentences)


def test_no_warning_when_the_plan_holds() -> None:
    t = assign_tiers(_scores([100.0 - i for i in range(20)]), FORCED, NO_EVENTS)
    w = quota_warnings(t, FORCED)
    assert w.empty and list(w.columns)[:4] == ["sequence", "sequence_name", "n_units", "tier"]
    assert "一致" in quota_summary(w)[0]


def test_needs_the_tier_basis() -> None:
    t = assign_tiers(_scores([1.0, 2.0]), FORCED, NO_EVENTS).drop(columns="tier_basis")
    with pytest.raises(ValueError, match="tier_basis"):
        quota_warnings(t, FORCED)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=40),
       st.sampled_from([FORCED, QUOTA]))
def test_overruns_are_the_tied_surplus(values: list[int], scheme: Scheme) -> None:
    """Properties: with distinct totals nothing is over quota; the over count is always
    actual − quota ≥ 1; a forced tier's actual counts add up to the sequence size."""
    t = assign_tiers(_scores([float(v) for v in values]), scheme, NO_EVENTS)
    w = quota_warnings(t, scheme)
    ties = w.loc[w["kind"] == "ties"]
    assert ((ties["actual"] - ties["quota"]) == ties["over"]).all() and (ties["over"] >= 1).all()
    if len(set(values)) == len(values):
        assert ties.empty
    zero = w.loc[w["kind"] == "zero"]
    assert (zero["quota"] == 0).all() and (zero["planned"] > 0).all()


def test_score_command_warns_on_the_provincial_panel() -> None:
    """The panel's 15:80:5 in regions of 3–12 provinces: 三等 rounds to 0 in all four."""
    res = CliRunner().invoke(app, ["score", "--data", str(REAL_DIR / "china_provinces"),
                                   "--scheme", str(SCHEMES_DIR / "china_provinces.yaml"),
                                   "--year", "2011"])
    assert res.exit_code == 0, res.output
    assert "rounded to no unit" in res.output
    for region, n in (("东部", 10), ("中部", 6), ("西部", 12), ("东北", 3)):
        assert f"{region}({n}个单位):三等比例5%×{n}=" in res.output


def test_scorecard_of_the_panel_states_the_empty_bottom_tier() -> None:
    from perfanalysis import load_data, load_scheme

    scheme = load_scheme(SCHEMES_DIR / "china_provinces.yaml")
    table = scorecard(load_data(REAL_DIR / "china_provinces"), scheme, 2011, with_basis=True)
    w = quota_warnings(table, scheme)
    assert sorted(w["sequence"]) == ["central", "east", "northeast", "west"]
    assert set(w["kind"]) == {"zero"} and set(w["tier"]) == {"三等"}


def test_a_tier_rounding_to_no_unit_in_several_sequences_is_one_sentence() -> None:
    """The provincial panel under 15:80:5: 三等 (below the middle tier: a ceiling, rounded
    down) is 5 % of 10, 6, 12 and 3 units = 0.50, 0.30, 0.60 and 0.15, none a whole unit, so
    no region has a 三等: the four are named in one sentence with their planned counts,
    said to be rounded down (0.60 half up would be 1); a tie sentence keeps its own."""
    from perfanalysis import load_data, load_scheme
    from perfanalysis.paths import REAL_DIR, SCHEMES_DIR
    from perfanalysis.report.summary import quota_warning_sentences

    scheme = load_scheme(SCHEMES_DIR / "china_provinces.yaml")
    table = scorecard(load_data(REAL_DIR / "china_provinces"), scheme, 2011, with_basis=True)
    w = quota_warnings(table, scheme)
    assert w[["sequence_name", "n_units", "tier", "kind", "quota"]].values.tolist() == [
        ["中部", 6, "三等", "zero", 0], ["东部", 10, "三等", "zero", 0],
        ["东北", 3, "三等", "zero", 0], ["西部", 12, "三等", "zero", 0]]
    assert w["planned"].tolist() == pytest.approx([6 * .05, 10 * .05, 3 * .05, 12 * .05])
    assert quota_warning_sentences(w) == [
        ("提示:中部(6个单位,按比例0.30名)、东部(10个单位,按比例0.50名)、东北(3个单位,"
        "按比例0.15名)、西部(12个单位,按比例0.60名)的三等按比例向下取整后均为0名,这4个序列"
        "没有单位评为三等。")]
    ties = pd.DataFrame({"sequence": ["a", "b"], "sequence_name": ["甲组", "乙组"],
                         "n_units": [4, 1], "tier": ["优秀", "优秀"], "kind": ["ties", "zero"],
                         "planned": [1.0, 0.25], "quota": [1, 0], "actual": [3, 0],
                         "over": [2, 0]})
    assert quota_warning_sentences(ties) == [
        ("提示:甲组优秀名额1名,与末位总分并列的单位同入优秀,实际3名,超出名额2名,"
        "方案规定的比例未能保持。"),
        "提示:乙组共1个单位,优秀按比例为0.25名,取整后为0名,本序列没有单位评为优秀。"]
    many = pd.concat([w.iloc[[0]]] * 8, ignore_index=True).assign(
        sequence_name=[f"组{i}" for i in range(8)])
    text = quota_warning_sentences(many)
    assert len(text) == 1 and "组5(6个单位,按比例0.30名)等8个序列的三等按比例取整后" in text[0]
    assert "组6" not in text[0]
