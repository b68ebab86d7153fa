"""Rewards as scheme data (Heshan 2013, seed 003): per-head amounts × staff with leaders'
multipliers, lump sums for 驻区单位, 优岗 shares; validation against the tier labels."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from perfanalysis import SchemeError, load_data, scheme_from_mapping, scorecard, unit_rewards
from perfanalysis.engine.rewards import display_rewards, payout_matrix, rewards_sentence
from perfanalysis.paths import PROJ_ROOT

from .helpers import preset_mapping


def test_payout_by_hand():
    raw = preset_mapping("heshan_2013")
    scheme = scheme_from_mapping(raw)
    data = load_data(PROJ_ROOT / "data" / "sample" / "heshan")
    units = data.units.copy()
    extra = pd.DataFrame([{"unit_id": "zhu", "name": "驻区局", "sequence": "stationed_units",
                           "population": 0, "staff": 30, "source_row": 99}])
    data = dataclasses.replace(data, units=pd.concat([units, extra], ignore_index=True))
    m = payout_matrix(data, scheme, ["lanxi", "zhu"])
    # 兰溪镇: 96 staff, 2 党政正职, round(9.6) = 10 其他班子成员 →
    # 96 + 0.5·2 + 0.2·10 = 99 heads → 优秀 198 000, 达标 99 000, 基本达标 / 不达标 0
    assert m[0].tolist() == pytest.approx([198_000, 99_000, 0, 0])
    # 驻区单位: lump sums 4万 / 2万, whatever the staff
    assert m[1].tolist() == pytest.approx([40_000, 20_000, 0, 0])
    # a leaders column replaces the defaults: 3 heads, 4 others → 96 + 1.5 + 0.8 = 98.3
    data.units.loc[data.units["unit_id"] == "lanxi", "leaders_head"] = 3
    data.units.loc[data.units["unit_id"] == "lanxi", "leaders_other"] = 4
    assert payout_matrix(data, scheme, ["lanxi"])[0, 0] == pytest.approx(196_600)


def test_unit_rewards_table_and_sentence():
    data = load_data(PROJ_ROOT / "data" / "sample" / "heshan")
    scheme = scheme_from_mapping(preset_mapping("heshan_2013"))
    table = scorecard(data, scheme, 2013)
    r = unit_rewards(data, scheme, table).set_index("unit_id")
    # 优岗: 20 % of 优秀 staff, 15 % of 达标, 5 % of 不达标 (rounded half up)
    for uid, row in r.iterrows():
        share = {"优秀": 0.20, "达标": 0.15, "基本达标": 0.10, "不达标": 0.05}[row["tier"]]
        assert row["excellent_posts"] == int(share * row["staff"] + 0.5), uid
        if row["tier"] not in ("优秀", "达标"):
            assert row["payout"] == 0
    text = rewards_sentence(r.reset_index())
    assert f"{r['payout'].sum() / 1e4:.2f}万元" in text
    assert list(display_rewards(r.reset_index(), scheme).columns)[-2:] == ["应发奖金(元)", "优岗名额"]


def test_rewards_must_name_known_tiers():
    raw = preset_mapping("heshan_2013")
    raw["rewards"]["per_head"] = {"优良": 2000}
    with pytest.raises(SchemeError, match="unknown tiers"):
        scheme_from_mapping(raw)
    raw = preset_mapping("heshan_2013")
    raw["rewards"]["leaders"] = [{"name": "正职", "multiplier": 1.5}]
    with pytest.raises(SchemeError, match="column"):
        scheme_from_mapping(raw)
