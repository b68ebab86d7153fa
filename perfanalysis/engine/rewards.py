"""Rewards (奖金) from tiers: what each unit is paid, as scheme data (``rewards:``).

Heshan 2013 (seed 003, 绩效评估奖金奖励办法): per-head amounts by tier × the unit's staff,
leaders paid a multiple of the per-head amount, fixed lump sums for 驻区单位, and the 优岗
share of each tier. ``payout_matrix`` gives every unit's payout in every tier, so the
payout of any tier assignment (official or simulated) is one lookup.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from .data import Dataset
from .methods import round_half_up
from .scheme import LeaderMultiplier, RewardRules, Scheme


def _rules(scheme: Scheme) -> RewardRules:
    if scheme.rewards is None:
        raise ValueError(f"scheme '{scheme.id}' has no 'rewards' section")
    return scheme.rewards


def _units(data: Dataset, unit_ids: list[str]) -> pd.DataFrame:
    return data.units.set_index("unit_id").loc[unit_ids]


def _staff(data: Dataset, rules: RewardRules, units: pd.DataFrame) -> np.ndarray:
    col = rules.staff_column
    if col not in units.columns:
        raise DataError([Problem(str(data.files.get("units", data.source)),
                                 f"the scheme's rewards need a '{col}' column (staff numbers)",
                                 zh=f"奖金计算需要 units.csv 中的“{col}”列(在岗在编人数)")],
                        headline="Rewards need staff numbers")
    staff = pd.to_numeric(units[col], errors="coerce").to_numpy(dtype=float)
    bad = [u for u, s in zip(units.index, staff, strict=True) if not np.isfinite(s) or s < 0]
    if bad:
        raise DataError([Problem(str(data.files.get("units", data.source)),
                                 f"staff number missing or negative for unit {u}",
                                 zh=f"单位{u}的在岗在编人数缺失或为负") for u in bad[:20]],
                        headline="Rewards need staff numbers")
    return staff


def leader_counts(leader: LeaderMultiplier, units: pd.DataFrame, staff: np.ndarray) -> np.ndarray:
    """Head count of one leader group per unit: the column, else the default."""
    if leader.column is not None and leader.column in units.columns:
        return pd.to_numeric(units[leader.column], errors="coerce").fillna(0).to_numpy(float)
    if leader.default_count is not None:
        return np.full(len(staff), float(leader.default_count))
    if leader.default_share is not None:
        return np.asarray(round_half_up(leader.default_share * staff), dtype=float)
    raise ValueError(f"leader group '{leader.name}': column '{leader.column}' not in units.csv "
                     "and no default")


def payout_matrix(data: Dataset, scheme: Scheme, unit_ids: list[str]) -> np.ndarray:
    """Payout (元) of each unit (rows, in ``unit_ids`` order) in each tier (columns, the
    scheme's labels): per_head × (staff + Σ (multiplier − 1) × leaders), or the lump sum
    of the unit's sequence. Leaders count within the staff (a head paid ×1.5 adds 0.5)."""
    rules = _rules(scheme)
    units = _units(data, unit_ids)
    staff = _staff(data, rules, units)
    heads = staff.copy()
    for leader in rules.leaders:
        heads += (leader.multiplier - 1) * np.minimum(leader_counts(leader, units, staff), staff)
    labels = scheme.tiers.labels
    out = np.outer(heads, [rules.per_head.get(lab, 0.0) for lab in labels])
    seq = units["sequence"].to_numpy()
    for ls in rules.lump_sums:
        rows = np.isin(seq, ls.sequences)
        out[rows] = [ls.amounts.get(lab, 0.0) for lab in labels]
    return out


def unit_rewards(data: Dataset, scheme: Scheme, table: pd.DataFrame) -> pd.DataFrame:
    """Per unit of a tiered table (``assign_tiers`` output): staff, payout (元) and 优岗
    places (share of staff, rounded half up)."""
    rules = _rules(scheme)
    unit_ids = list(table["unit_id"])
    units = _units(data, unit_ids)
    staff = _staff(data, rules, units)
    matrix = payout_matrix(data, scheme, unit_ids)
    code = table["tier"].map({lab: i for i, lab in enumerate(scheme.tiers.labels)}).to_numpy()
    posts = [int(round_half_up(rules.excellent_post_share.get(t, 0.0) * s))
             for t, s in zip(table["tier"], staff, strict=True)]
    return pd.DataFrame({"unit_id": unit_ids, "name": list(table["name"]),
                         "sequence": list(table["sequence"]), "tier": list(table["tier"]),
                         "staff": staff.astype(int), "payout": matrix[np.arange(len(code)), code],
                         "excellent_posts": posts})


def rewards_sentence(rewards: pd.DataFrame) -> str:
    """One Chinese sentence on the payout of a ``unit_rewards`` table."""
    paid = rewards.loc[rewards["payout"] > 0]
    total = float(rewards["payout"].sum())
    top = rewards.sort_values("payout", ascending=False, kind="stable").iloc[0]
    text = (f"按方案的奖金标准,{len(paid)}个单位获发绩效奖金,合计{total / 1e4:.2f}万元"
            f"(人均标准乘在岗在编人数,党政正职和其他班子成员按倍数计)")
    if len(paid):
        text += f";最多的是{top['name']}({top['tier']},{float(top['payout']) / 1e4:.2f}万元)"
    return text + f";“优岗”名额合计{int(rewards['excellent_posts'].sum())}个。"


def display_rewards(rewards: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """The rewards table for display, with Chinese headers."""
    return pd.DataFrame({
        "序列": [scheme.sequences.get(str(s), str(s)) for s in rewards["sequence"]],
        "单位": rewards["name"], "等次": rewards["tier"], "在岗在编人数": rewards["staff"],
        "应发奖金(元)": rewards["payout"].round(0), "优岗名额": rewards["excellent_posts"]})
