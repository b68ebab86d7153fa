"""Tier history over the years and the follow-up rules (连续两年基本达标 → 通报批评,
连续两年不达标 → 组织调整) on hand-made histories, under the official scheme and under
alternatives."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfanalysis import (
    SchemeError,
    followup_flags,
    followups_under_alternatives,
    load_data,
    load_scheme,
    scheme_from_mapping,
    scorecard,
    tier_history,
)
from perfanalysis.engine.scheme import HESHAN_FOLLOWUPS, Followup
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR
from tests.helpers import preset_mapping

RULES = list(HESHAN_FOLLOWUPS)
LABELS = ["优秀", "达标", "基本达标", "不达标"]


def _history(rows: dict[str, list[str]], start: int = 2011) -> pd.DataFrame:
    """unit → tiers by consecutive year from ``start``."""
    out = []
    for uid, tiers in rows.items():
        for k, tier in enumerate(tiers):
            out.append({"unit_id": uid, "name": f"{uid}名", "year": start + k, "tier": tier})
    return pd.DataFrame(out)


def test_followup_flags_on_a_three_year_history() -> None:
    hist = _history({
        "a": ["基本达标", "基本达标", "基本达标"],  # flagged 2012 (run 2) and 2013 (run 3)
        "b": ["不达标", "基本达标", "不达标"],      # alternates: never two in a row
        "c": ["达标", "不达标", "不达标"],          # 组织调整 in 2013 (run 2)
        "d": ["基本达标", "不达标", "基本达标"],    # low every year but never the same tier twice
        "e": ["优秀", "优秀", "优秀"],              # top tier has no follow-up
    })
    flags = followup_flags(hist, RULES)
    got = [(r.unit_id, r.year, r.tier, r.run, r.consequence) for r in flags.itertuples()]
    assert got == [("a", 2012, "基本达标", 2, "通报批评"),
                   ("a", 2013, "基本达标", 3, "通报批评"),
                   ("c", 2013, "不达标", 2, "组织调整")]


def test_a_missing_year_breaks_the_run() -> None:
    hist = pd.DataFrame({"unit_id": ["a", "a"], "name": ["甲", "甲"], "year": [2011, 2013],
                         "tier": ["不达标", "不达标"]})
    assert followup_flags(hist, RULES).empty


def test_three_year_rule_from_scheme_data() -> None:
    hist = _history({"a": ["基本达标", "基本达标", "基本达标"], "b": ["基本达标", "基本达标", "达标"]})
    rules = [Followup(tier="基本达标", years=3, consequence="诫勉谈话")]
    flags = followup_flags(hist, rules)
    assert list(zip(flags["unit_id"], flags["year"], flags["run"])) == [("a", 2013, 3)]


def test_followups_under_alternatives() -> None:
    # 2011-2012 official; in 2013 the official scheme puts x in 基本达标 (its 2nd year in a row:
    # 通报批评) and y in 达标; alternative "α=0" keeps x 达标 and puts y 不达标 after 2012 不达标
    hist = _history({"x": ["达标", "基本达标", "基本达标"], "y": ["达标", "不达标", "达标"]})
    alts = pd.DataFrame({
        "study": "fairness", "alternative": ["α=0", "α=0", "α=1", "α=1"], "kind": "alpha",
        "unit_id": ["x", "y", "x", "y"], "name": ["x名", "y名", "x名", "y名"],
        "sequence": "s", "total": [1.0, 2.0, 3.0, 4.0], "rank": [2, 1, 2, 1],
        "tier": ["达标", "不达标", "基本达标", "达标"]})
    res = followups_under_alternatives(hist, alts, RULES, 2013)
    got = [(r.alternative, r.unit_id, r.consequence, r.official_triggers)
           for r in res.itertuples()]
    assert got == [("α=0", "y", "组织调整", False), ("α=1", "x", "通报批评", True)]


tiers = st.sampled_from(LABELS)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(tiers, min_size=1, max_size=6), min_size=1, max_size=5),
       st.randoms(use_true_random=False))
def test_flags_need_the_run_and_ignore_row_order(seqs: list[list[str]], rnd) -> None:
    hist = _history({f"u{i}": s for i, s in enumerate(seqs)})
    flags = followup_flags(hist, RULES)
    by = {(r.unit_id, r.year): r.tier for r in hist.itertuples()}
    for r in flags.itertuples():
        # the flagged tier held in this year and every one of the previous years_required - 1
        assert all(by.get((r.unit_id, r.year - k)) == r.tier for k in range(r.years_required))
    # every pair of consecutive equal low tiers is flagged
    expected = sum(1 for (u, y), t in by.items()
                   if t in ("基本达标", "不达标") and by.get((u, y - 1)) == t)
    assert len(flags) == expected
    shuffled = hist.sample(frac=1.0, random_state=rnd.randint(0, 10**6))
    pd.testing.assert_frame_equal(followup_flags(shuffled, RULES), flags)


def test_scheme_followups_default_explicit_and_validated() -> None:
    # yiyang_2018 declares none (issue 22: Heshan's rules no longer apply silently)
    yiyang = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    assert yiyang.tiers.followup_rules() == []
    heshan = load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
    assert heshan.tiers.followups is not None and len(heshan.tiers.followup_rules()) == 2
    forced = load_scheme(SCHEMES_DIR / "changsha_forced.yaml")  # 一等/二等/三等: no default
    assert forced.tiers.followup_rules() == []
    raw = preset_mapping("yiyang_2018")
    raw["tiers"]["followups"] = []
    assert scheme_from_mapping(raw).tiers.followup_rules() == []
    raw["tiers"]["followups"] = [{"tier": "很差", "years": 2, "consequence": "通报批评"}]
    with pytest.raises(SchemeError, match="followups name unknown tiers"):
        scheme_from_mapping(raw)


def test_tier_history_scores_every_scoreable_year() -> None:
    data = load_data(SAMPLE_DIR / "yiyang")
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    hist = tier_history(data, scheme)
    # own 3-year-average targets of increments and growth rates read 4 years of levels
    # (increments of t−3…t−1 need t−4): 2013-2016 cannot be scored from data starting in 2013
    assert list(hist.skipped["year"]) == [2013, 2014, 2015, 2016]
    assert all("2017" in r for r in hist.skipped["reason"])
    assert sorted(hist.table["year"].unique()) == [2017, 2018, 2019]
    assert len(hist.table) == 3 * len(data.units)
    y2019 = hist.table.loc[hist.table["year"] == 2019].set_index("unit_id")
    card = scorecard(data, scheme, 2019).set_index("unit_id")
    assert (y2019["tier"] == card["tier"].reindex(y2019.index)).all()
    assert (y2019["rank"] == card["rank"].reindex(y2019.index)).all()
