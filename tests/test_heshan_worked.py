"""The Heshan 2013 rules on a worked example, with the arithmetic written out.

The scheme is the preset `heshan_2013.yaml` with its indicator tree replaced by one
indicator `quality` (completion against a uniform target of 100, 700 points), so that
indicators = 7 × value. Bonus, penalty, disqualification and tier rules are the preset's.
"""

from __future__ import annotations

import pandas as pd
import pytest

from perfanalysis import load_data, scheme_from_mapping, scorecard
from perfanalysis.engine.adjustments import rank_improvement_points

from .helpers import preset_mapping, write_dataset

QUALITY = {"id": "quality", "name": "综合指标", "points": 700, "method": "completion",
           "target": {"rule": "uniform", "value": 100}}


def worked_scheme():
    raw = preset_mapping("heshan_2013")
    raw["components"][0]["children"] = [QUALITY]
    raw["bonus"]["rules"] = [r for r in raw["bonus"]["rules"] if r["id"] != "growth_rank"]
    return scheme_from_mapping(raw)


# unit, sequence, quality value, work_report, public_survey
UNITS = [
    ("A1", "industrial_towns", 90, 180, 90),   # 630 + 180 + 90 = 900
    ("A2", "industrial_towns", 95, 170, 80),   # 665 + 170 + 80 = 915, veto
    ("A3", "industrial_towns", 80, 160, 85),   # 560 + 160 + 85 = 805
    ("A4", "industrial_towns", 85, 150, 60),   # 595 + 150 + 60 = 805 (ties A3, more indicators)
    ("A5", "industrial_towns", 70, 100, 50),   # 490 + 100 + 50 = 640, +7 bonus −1 penalty
    ("A6", "industrial_towns", 60, 100, 50),   # 420 + 100 + 50 = 570, −5 penalty
    ("B1", "agricultural_towns", 90, 150, 70),  # 630 + 150 + 70 = 850
    ("B2", "agricultural_towns", 88, 150, 70),  # 616 + 150 + 70 = 836
    ("B3", "agricultural_towns", 80, 140, 70),  # 560 + 140 + 70 = 770, +5 national commendation
    ("B4", "agricultural_towns", 90, 160, 80),  # 630 + 160 + 80 = 870, veto + corruption
    ("C1", "streets", 90, 150, 80),             # 630 + 150 + 80 = 860
    ("C2", "streets", 90, 160, 70),             # 630 + 160 + 70 = 860 (fully tied with C1)
    ("C3", "streets", 100, 120, 30),            # 700 + 120 + 30 = 850, +5 (sub-cap) −2
]

EVENTS = [
    ("A2", "veto", 1, ""),
    # A5: central + provincial for the same project count once at the highest (5);
    # another provincial project +2, but province-or-above is capped at 5 → 5;
    # two city commendations without project: 2 × 1 = 2 → bonus 7. City criticism: −1.
    ("A5", "commendation_central", 1, "X"),
    ("A5", "national_commendation_affirmed", 1, "X"),
    ("A5", "commendation_provincial", 1, "X"),
    ("A5", "commendation_provincial", 1, "Y"),
    ("A5", "commendation_city", 2, ""),
    ("A5", "criticism_city", 1, ""),
    ("A6", "criticism_central", 1, ""),
    ("B3", "commendation_central", 1, "Z"),
    ("B3", "national_commendation_affirmed", 1, "Z"),
    ("B4", "veto", 1, ""),
    ("B4", "corruption_case", 1, ""),
    # C3: four provincial commendations for four projects: 4 × 2 = 8 → capped at 5.
    ("C3", "commendation_provincial", 1, "P1"),
    ("C3", "commendation_provincial", 1, "P2"),
    ("C3", "commendation_provincial", 1, "P3"),
    ("C3", "commendation_provincial", 1, "P4"),
    ("C3", "criticism_provincial", 1, ""),
]


@pytest.fixture
def worked(tmp_path) -> pd.DataFrame:
    units = [{"unit_id": u, "name": f"单位{u}", "sequence": s} for u, s, *_ in UNITS]
    obs = [{"unit_id": u, "year": 2013, "indicator": "quality", "value": v}
           for u, _, v, _, _ in UNITS]
    ratings = [{"unit_id": u, "year": 2013, "component": c, "score": x}
               for u, _, _, wr, ps in UNITS for c, x in (("work_report", wr),
                                                         ("public_survey", ps))]
    events = [{"unit_id": u, "year": 2013, "event": e, "count": n, "project": p}
              for u, e, n, p in EVENTS]
    folder = write_dataset(tmp_path / "worked", {"units": units, "observations": obs,
                                                 "ratings": ratings, "events": events})
    table = scorecard(load_data(folder), worked_scheme(), 2013)
    return table.set_index("unit_id")


def test_components_bonus_penalty_total(worked):
    assert worked.loc["A1", "indicators"] == pytest.approx(630.0)  # 7 × 90
    assert worked.loc["A1", "total"] == pytest.approx(900.0)       # 630 + 180 + 90
    assert worked.loc["A5", "bonus"] == pytest.approx(7.0)         # min(5 + 2, 5) + 2 × 1
    assert worked.loc["A5", "penalty"] == pytest.approx(1.0)       # city criticism
    assert worked.loc["A5", "total"] == pytest.approx(646.0)       # 640 + 7 − 1
    assert worked.loc["A6", "penalty"] == pytest.approx(5.0)       # central criticism
    assert worked.loc["A6", "total"] == pytest.approx(565.0)       # 570 − 5
    assert worked.loc["C3", "bonus"] == pytest.approx(5.0)         # min(4 × 2, 5)
    assert worked.loc["C3", "total"] == pytest.approx(853.0)       # 850 + 5 − 2
    assert worked.loc["B3", "total"] == pytest.approx(775.0)       # 770 + 5


def test_quota_per_sequence_with_veto_and_tie_break(worked):
    # industrial: A2 915 (veto) > A1 900 > A3 805 = A4 805 (A4 has 595 > 560 indicators)
    assert worked.loc["A2", "tier"] == "达标"          # disqualified; 915 ≥ 700
    assert "一票否决" in worked.loc["A2", "tier_reason"]
    assert worked.loc["A1", "tier"] == "优秀"
    assert worked.loc["A4", "tier"] == "优秀"          # wins the tie on indicators
    assert worked.loc["A3", "tier"] == "达标"
    assert "按指标评估排前" in worked.loc["A4", "tier_reason"]
    assert "按指标评估排后" in worked.loc["A3", "tier_reason"]
    assert worked.loc["A2", "rank"] == 1 and worked.loc["A3", "rank"] == 3
    assert worked.loc["A4", "rank"] == 3                # ranks share the place of a tie


def test_thresholds(worked):
    assert worked.loc["A5", "tier"] == "基本达标"      # 600 ≤ 646 < 700
    assert "受市级以上通报批评" in worked.loc["A5", "tier_reason"]
    assert worked.loc["A6", "tier"] == "不达标"        # 565 < 600


def test_national_commendation_requires_dabiao(worked):
    # A5 was commended nationally (and affirmed) but is only 基本达标: not beyond the quota
    assert worked.loc["A5", "tier"] != "优秀"


def test_two_disqualifications_and_beyond_quota(worked):
    assert worked.loc["B4", "tier"] == "不达标"        # veto + corruption → 不达标 despite 870
    assert "2种" in worked.loc["B4", "tier_reason"]
    # with B4 out, B1 and B2 take the two places; B3 (775 ≥ 700, national) is beyond quota
    assert list(worked.loc[["B1", "B2", "B3"], "tier"]) == ["优秀", "优秀", "优秀"]
    assert "名额顺延" in worked.loc["B1", "tier_reason"]
    assert "不受名额限制" in worked.loc["B3", "tier_reason"]


def test_full_tie_at_the_cut_keeps_both_in_better_tier(worked):
    assert worked.loc["C1", "tier"] == "优秀" and worked.loc["C2", "tier"] == "优秀"
    reasons = worked.loc[["C1", "C2"], "tier_reason"].str.cat()
    assert "并列" in reasons and "名额1名之外" in reasons
    assert "排前" not in reasons  # the tie-break did not decide anything
    assert worked.loc["C3", "tier"] == "达标"          # criticised → not excellent


def test_quota_not_passed_down(tmp_path):
    raw = preset_mapping("heshan_2013")
    raw["components"][0]["children"] = [QUALITY]
    raw["bonus"]["rules"] = [r for r in raw["bonus"]["rules"] if r["id"] != "growth_rank"]
    raw["tiers"]["quota_passes_down"] = False
    scheme = scheme_from_mapping(raw)
    units = [{"unit_id": u, "name": u, "sequence": "streets"} for u in ("S1", "S2")]
    obs = [{"unit_id": "S1", "year": 2013, "indicator": "quality", "value": 100},
           {"unit_id": "S2", "year": 2013, "indicator": "quality", "value": 90}]
    ratings = [{"unit_id": u, "year": 2013, "component": c, "score": 100}
               for u in ("S1", "S2") for c in ("work_report", "public_survey")]
    events = [{"unit_id": "S1", "year": 2013, "event": "veto", "count": 1, "project": ""}]
    folder = write_dataset(tmp_path / "d", {"units": units, "observations": obs,
                                            "ratings": ratings, "events": events})
    t = scorecard(load_data(folder), scheme, 2013).set_index("unit_id")
    # S1 holds the only place but is vetoed; the place is not passed to S2
    assert list(t["tier"]) == ["达标", "达标"]


def _growth_levels(g12: list[float], g13: list[float]) -> list[tuple[int, float]]:
    return [(100.0, 100.0 * (1 + a), 100.0 * (1 + a) * (1 + b)) for a, b in zip(g12, g13)]


def test_rank_improvement_bonus(tmp_path):
    raw = preset_mapping("heshan_2013")
    raw["components"][0]["children"] = [QUALITY]
    rule = next(r for r in raw["bonus"]["rules"] if r["id"] == "growth_rank")
    rule.update(indicators=["g1", "g2"], cap=4, applies_to=["industrial_towns",
                                                            "agricultural_towns"])
    raw["bonus"]["rules"] = [rule]
    scheme = scheme_from_mapping(raw)
    ids = [f"U{i}" for i in range(1, 9)]
    # g1: 2012 growth U1..U8 = 10, 9, …, 3 % → places 1..8;
    #     2013 growth U8 20 %, U1 15 %, U2 14 %, … U7 9 % → U8 1st, the others one place down.
    #     U8 moves 7 places: 7 × 0.5 = 3.5 → capped at 3 per indicator; the others get 0.
    g1 = _growth_levels([0.10 - 0.01 * i for i in range(8)],
                        [0.15 - 0.01 * i for i in range(7)] + [0.20])
    # g2: U1 first in both years → keep_first 1.5; U8 from 8th (−1 %) to 2nd (9 %) → 6 × 0.5 = 3.
    g2 = _growth_levels([0.10, 0.05, 0.04, 0.03, 0.02, 0.01, 0.0, -0.01],
                        [0.10, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.09])
    units = [{"unit_id": u, "name": u,
              "sequence": "industrial_towns" if i < 4 else "agricultural_towns"}
             for i, u in enumerate(ids)] + [{"unit_id": "S", "name": "S", "sequence": "streets"}]
    obs = []
    for ind, levels in (("g1", g1), ("g2", g2)):
        for u, lv in zip(ids, levels):
            obs += [{"unit_id": u, "year": y, "indicator": ind, "value": v}
                    for y, v in zip((2011, 2012, 2013), lv)]
        obs += [{"unit_id": "S", "year": y, "indicator": ind, "value": 100.0 + y - 2011}
                for y in (2011, 2012, 2013)]
    obs += [{"unit_id": u, "year": 2013, "indicator": "quality", "value": 90} for u in ids + ["S"]]
    folder = write_dataset(tmp_path / "rank", {"units": units, "observations": obs})
    data = load_data(folder)
    pts = rank_improvement_points(data, scheme.bonus.rules[0], 2013, ids + ["S"])
    # U8: 3 (g1, capped) + 3 (g2) = 6 → rule cap 4. U1: 0 + 1.5. Streets are not ranked: 0.
    assert pts["U8"] == pytest.approx(4.0)
    assert pts["U1"] == pytest.approx(1.5)
    assert pts["S"] == 0.0
    # U2 in g2: 2012 2nd (5 %), 2013 8th (1 %) → moved down: 0; in g1 one place down: 0
    assert pts["U2"] == 0.0
    # U7 in g2: 2012 7th (0 %), 2013 3rd (6 %) → 4 places → 2.0; g1: one place down → 0
    assert pts["U7"] == pytest.approx(2.0)
