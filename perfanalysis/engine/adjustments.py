"""Bonus and penalty points (加分 / 减分) from events and rank improvements, with caps.

Rules (Heshan 2013 is the reference): points per event, "the same project counts once at
its highest" (同一项目只计最高), sub-caps over groups of events, a cap per rule and per block,
and a bonus per place moved up in a district ranking of named indicators.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from . import methods
from .data import Dataset
from .scheme import (
    Adjustments,
    EventRule,
    ExcessRule,
    ProgressRule,
    RankImprovementRule,
    Scheme,
    SubCap,
)


def event_row_points(rows: pd.DataFrame, per: pd.Series | float) -> pd.Series:
    """Amount of each events.csv row: its own ``points`` when given, else ``per`` × count.

    Used by rules with ``per_event: from_data`` (给予相应减分: the amount differs per case).
    """
    pts = rows["points"] if "points" in rows.columns else pd.Series(np.nan, index=rows.index)
    fallback = rows["count"].astype(float) * per
    return pts.astype(float).where(pts.notna(), fallback)


def event_amounts(events: pd.DataFrame, rule: EventRule, unit_ids: list[str]) -> pd.DataFrame:
    """Points of one event rule per unit and event, before caps (同一项目只计最高 applied)."""
    chosen = events["event"].isin(list(rule.points))
    if rule.per_event == "from_data":
        has_pts = events["points"].notna() if "points" in events.columns else False
        ev = events.loc[chosen & ((events["count"] > 0) | has_pts)].copy()
        ev["per"] = event_row_points(ev, ev["event"].map(rule.points).astype(float))
        ev["count"] = 1
    else:
        ev = events.loc[chosen & (events["count"] > 0)].copy()
        ev["per"] = ev["event"].map(rule.points).astype(float)
    if rule.once_per_project:
        has_project = ev["project"].notna() & (ev["project"].astype(str).str.len() > 0)
        keyed = ev.loc[has_project]
        # one entry per (unit, project): the highest-valued event, counted once
        best = keyed.sort_values("per", ascending=False, kind="stable").drop_duplicates(
            ["unit_id", "project"])
        best = best.assign(count=1)
        ev = pd.concat([best, ev.loc[~has_project]], ignore_index=True)
    ev["amount"] = ev["per"] * ev["count"]
    by_event = ev.groupby(["unit_id", "event"])["amount"].sum().unstack(fill_value=0.0)
    return by_event.reindex(index=unit_ids, columns=list(rule.points), fill_value=0.0)


def apply_subcaps(amounts: dict[str, pd.DataFrame], subcaps: list[SubCap]) -> None:
    """Cap the pooled points of each sub-cap's events across the block's rules (in place).

    Where a sub-cap bites, each rule's share of those events is scaled down pro rata, so
    the per-rule columns still add up to what the unit receives.
    """
    for sub in subcaps:
        parts = {rid: [e for e in sub.events if e in df.columns] for rid, df in amounts.items()}
        parts = {rid: cols for rid, cols in parts.items() if cols}
        if not parts:
            continue
        pooled = sum(amounts[rid][cols].sum(axis=1) for rid, cols in parts.items())
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(pooled > sub.max, sub.max / pooled, 1.0)
        for rid, cols in parts.items():
            amounts[rid][cols] = amounts[rid][cols].mul(factor, axis=0)


def _applies(units: pd.DataFrame, applies_to: list[str] | None) -> np.ndarray:
    seq = units["sequence"].to_numpy()
    return np.ones(len(seq), bool) if applies_to is None else np.isin(seq, applies_to)


def rank_improvement_points(data: Dataset, rule: RankImprovementRule, year: int,
                            unit_ids: list[str],
                            directions: Mapping[str, str] | None = None) -> pd.Series:
    """排位前移加分: per_place per place moved up vs last year, keep_first for staying first.

    Units in ``applies_to`` are ranked together (ties share the best place; a negative
    indicator ranks the lowest value first: the rule's ``direction``, else the direction of
    the tree leaf in ``directions``); the points per indicator are capped at
    ``max_per_indicator`` and the rule's sum at ``cap``.
    """
    units = data.units.set_index("unit_id").loc[unit_ids].reset_index()
    mask = _applies(units, rule.applies_to)
    scope = [u for u, m in zip(unit_ids, mask) if m]
    obs = data.observations
    total = pd.Series(0.0, index=unit_ids)
    if not scope:
        return total
    groups = np.zeros(len(scope), dtype=int)
    for ind in rule.indicators:
        sub = obs.loc[obs["indicator"] == ind].pivot(index="unit_id", columns="year",
                                                     values="value").reindex(scope)

        def basis(y: int, sub: pd.DataFrame = sub) -> np.ndarray:
            prev = sub[y - 1].to_numpy(float) if rule.basis != "level" else None
            return methods.basis_values(sub[y].to_numpy(float), prev, rule.basis)

        reverse = (rule.direction or (directions or {}).get(ind, "positive")) == "negative"
        now = methods.places(basis(year), groups, reverse=reverse)
        before = methods.places(basis(year - 1), groups, reverse=reverse)
        moved = np.maximum(before - now, 0.0)
        pts = rule.per_place * moved
        if rule.max_per_indicator is not None:
            pts = np.minimum(pts, rule.max_per_indicator)
        pts = pts + np.where((now == 1) & (before == 1), rule.keep_first, 0.0)
        total.loc[scope] += pts
    if rule.cap is not None:
        total = total.clip(upper=rule.cap)
    return total


def block_points(data: Dataset, block: Adjustments, year: int, unit_ids: list[str],
                 directions: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Points of every rule of a bonus or penalty block per unit, plus the capped total."""
    events = data.events.loc[data.events["year"] == year]
    units = data.units.set_index("unit_id").loc[unit_ids].reset_index()
    out = pd.DataFrame(index=pd.Index(unit_ids, name="unit_id"))
    amounts = {}
    for rule in block.rules:
        if isinstance(rule, EventRule):
            amounts[rule.id] = event_amounts(events, rule, unit_ids).mul(
                _applies(units, rule.applies_to), axis=0)
    apply_subcaps(amounts, block.subcaps)
    for rule in block.rules:
        if isinstance(rule, EventRule):
            pts = amounts[rule.id].sum(axis=1)
            if rule.cap is not None:
                pts = pts.clip(upper=rule.cap)
        elif isinstance(rule, (ProgressRule, ExcessRule)):
            continue  # needs totals or targets: added by scoring.score
        else:
            pts = rank_improvement_points(data, rule, year, unit_ids, directions)
        out[rule.id] = pts.to_numpy() * _applies(units, rule.applies_to)
    total = out.sum(axis=1) if len(out.columns) else pd.Series(0.0, index=out.index)
    if block.cap is not None:
        total = total.clip(upper=block.cap)
    out["total"] = total
    return out


def adjustment_table(data: Dataset, scheme: Scheme, year: int,
                     unit_ids: list[str]) -> pd.DataFrame:
    """Bonus and penalty per unit for the year (columns ``bonus``, ``penalty`` and per rule)."""
    directions = {leaf.id: leaf.direction for leaf in scheme.indicators()}
    bonus = block_points(data, scheme.bonus, year, unit_ids, directions)
    penalty = block_points(data, scheme.penalty, year, unit_ids)
    out = pd.DataFrame(index=pd.Index(unit_ids, name="unit_id"))
    out["bonus"] = bonus.pop("total")
    out["penalty"] = penalty.pop("total")
    out = out.join(bonus.add_prefix("bonus_")).join(penalty.add_prefix("penalty_"))
    return out


def progress_points(rule: ProgressRule, sequences: pd.Series, rank_now: pd.Series,
                    rank_before: pd.Series) -> pd.Series:
    """进位奖: ``per_place`` per place gained in the sequence ranking, from ``min_places`` up.

    All three series are indexed by unit_id; a unit without last year's rank (new unit)
    gets nothing. Capped at the rule's ``cap``.
    """
    gained = (rank_before.reindex(rank_now.index) - rank_now).fillna(0.0).clip(lower=0.0)
    pts = np.where(gained >= rule.min_places, gained * rule.per_place, 0.0)
    out = pd.Series(pts, index=rank_now.index, dtype=float)
    if rule.cap is not None:
        out = out.clip(upper=rule.cap)
    if rule.applies_to is not None:
        out = out.where(sequences.reindex(out.index).isin(rule.applies_to), 0.0)
    return out


def excess_points(rule: ExcessRule, leaves: list[str], basis: list[str], reverse: list[bool],
                  values: np.ndarray, targets: np.ndarray, sequences: list[str]) -> np.ndarray:
    """超额完成任务加分 per unit: ``values`` and ``targets`` are (units, leaves) basis values
    and completion targets of the ``leaves`` (ids, bases, directions in that order). A growth
    basis counts percentage points above the target rate; a level or increment the per cent
    by which the actual beats the target (reverse: target ÷ actual). Missing values give 0."""
    total = np.zeros(values.shape[0])
    for ind in rule.indicators:
        k = leaves.index(ind)
        x, t = values[:, k], targets[:, k]
        with np.errstate(divide="ignore", invalid="ignore"):
            if basis[k] in ("growth", "given_rate"):
                above = (t - x) if reverse[k] else (x - t)
                pp = above * 100.0
            else:
                ratio = (t / x) if reverse[k] else (x / t)
                pp = (ratio - 1.0) * 100.0
        pts = np.where(np.isfinite(pp), np.maximum(pp, 0.0) * rule.per_point, 0.0)
        if rule.max_per_indicator is not None:
            pts = np.minimum(pts, rule.max_per_indicator)
        total += pts
    if rule.cap is not None:
        total = np.minimum(total, rule.cap)
    if rule.applies_to is not None:
        total = np.where(np.isin(np.asarray(sequences, dtype=object), rule.applies_to), total, 0.0)
    return total
