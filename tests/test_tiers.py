"""Tier rules apart from the Heshan worked example: quota rounding, forced distribution."""

from __future__ import annotations

import pandas as pd
import pytest

from perfanalysis import assign_tiers, load_scheme, quota_for, scheme_from_mapping
from perfanalysis.paths import SCHEMES_DIR

from .helpers import preset_mapping

HESHAN = load_scheme(SCHEMES_DIR / "heshan_2013.yaml")
NO_EVENTS = pd.DataFrame(columns=["unit_id", "year", "event", "count", "project"])


@pytest.mark.parametrize("n, expected", [
    (18, 4),  # 25 % of 18 = 4.5 → a ceiling (floor) → 4 (经济管理部门)
    (13, 3),  # 3.25 → 3 (社会发展部门)
    (7, 1),   # 1.75 → 1 (区委工作部门)
    (6, 1),   # 1.5 → 1 (区委工作机构)
    (2, 1),   # 0.5 → 0 → at least 1
    (1, 1),   # 0.25 → 0 → at least 1
])
def test_department_quota_top_25_percent_as_a_ceiling(n, expected):
    # issue 22: "原则上按…25%" read as a ceiling in both Heshan presets
    assert quota_for(HESHAN.tiers, "economic_departments", n) == expected


@pytest.mark.parametrize("n, expected", [
    (18, 5),  # 25 % of 18 = 4.5 → half up → 5
    (13, 3),  # 3.25 → 3
    (7, 2),   # 1.75 → 2
    (6, 2),   # 1.5 → 2
    (2, 1),   # 0.5 → 1
    (1, 1),   # 0.25 → 0 → at least 1
])
def test_department_quota_half_up_option(n, expected):
    # the other reading (the nearest count), a documented option no preset uses
    quota = [q if q.sequences is not None else q.model_copy(update={"rounding": "half_up"})
             for q in HESHAN.tiers.quota]
    rules = HESHAN.tiers.model_copy(update={"quota": quota})
    assert quota_for(rules, "economic_departments", n) == expected


def test_town_quotas_are_fixed():
    assert quota_for(HESHAN.tiers, "industrial_towns", 6) == 2
    assert quota_for(HESHAN.tiers, "agricultural_towns", 6) == 2
    assert quota_for(HESHAN.tiers, "streets", 4) == 1


def _scores(totals: list[float], sequence: str = "counties") -> pd.DataFrame:
    return pd.DataFrame({"unit_id": [f"U{i}" for i in range(len(totals))],
                         "name": [f"U{i}" for i in range(len(totals))],
                         "sequence": sequence, "annual": totals, "total": totals})


def test_forced_distribution_15_80_5():
    scheme = load_scheme(SCHEMES_DIR / "changsha_forced.yaml")
    # 20 units: cumulative 0.15·20 = 3, 0.95·20 = 19 → 3 一等, 16 二等, 1 三等
    t = assign_tiers(_scores([100.0 - i for i in range(20)]), scheme, NO_EVENTS)
    assert t["tier"].value_counts().to_dict() == {"一等": 3, "二等": 16, "三等": 1}
    assert list(t["tier"][:3]) == ["一等"] * 3 and t["tier"].iloc[-1] == "三等"
    # 8 units with floor rounding, each tier separately: 一等 0.15·8 = 1.2 → 1; 三等 is a
    # ceiling (不超过5%): 0.05·8 = 0.4 → 0; 二等 takes the remainder 8 − 1 = 7
    t = assign_tiers(_scores([100.0 - i for i in range(8)]), scheme, NO_EVENTS)
    assert t["tier"].value_counts().to_dict() == {"一等": 1, "二等": 7}


def test_forced_distribution_tie_at_cut_goes_up():
    scheme = load_scheme(SCHEMES_DIR / "changsha_forced.yaml")
    # 8 units, the 1st and 2nd tie on total and on the tie-break → both 一等
    t = assign_tiers(_scores([90, 90, 80, 79, 78, 77, 76, 75]), scheme, NO_EVENTS)
    assert list(t["tier"][:3]) == ["一等", "一等", "二等"]


def test_affirmation_without_requirement():
    raw = preset_mapping("yiyang_2018")
    raw["events"] = {"affirmed": "一票肯定"}
    raw["tiers"]["affirmation"] = {"events": ["affirmed"]}
    scheme = scheme_from_mapping(raw)
    scores = _scores([90, 85, 80, 60, 50, 40, 30, 20]).rename(columns={"annual": "indicators"})
    events = pd.DataFrame([{"unit_id": "U7", "year": 2019, "event": "affirmed", "count": 1,
                            "project": None}])
    t = assign_tiers(scores, scheme, events).set_index("unit_id")
    # quota 25 % of 8 = 2 → U0, U1; U7 (20 points, 不达标 by threshold) affirmed → 优秀
    assert list(t.loc[["U0", "U1", "U2", "U7"], "tier"]) == ["优秀", "优秀", "达标", "优秀"]
    assert t.loc["U6", "tier"] == "不达标"
