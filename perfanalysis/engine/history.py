"""Tier and rank history over all scoreable years, and the follow-up rules it triggers.

Heshan's scheme sanctions units that stay in a low tier (连续两年基本达标 → 通报批评,
连续两年不达标 → 组织调整); the rules are scheme data (``tiers.followups``) and apply only
where a scheme declares them. Flags are computed from a history table, so they are tested on
hand-made histories and applied unchanged to each alternative a study proposes.

Years before a scheme's first year (``scheme.year``) are scored as if the scheme had been in
force; every such row carries ``note`` "按2018年方案回溯测算" (back-calculated), and a
follow-up whose run reaches into such a year says so.

A scheme's results use (``results:``, 结果运用: 末位 → 约谈/诫勉, 进步幅度大 → 进步奖励,
绩效奖金 上浮/下浮) gives flags per unit and year (``result_flags``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError
from .data import Dataset
from .methods import round_half_up
from .ranks import scope_values
from .scheme import Followup, ResultRule, Scheme
from .scorecard import scorecard

HISTORY_COLUMNS = ["unit_id", "name", "sequence", "year", "total", "rank", "tier", "note",
                   "rank_group"]
FLAG_COLUMNS = ["unit_id", "name", "year", "tier", "run", "years_required", "consequence",
                "note"]
ALT_FLAG_COLUMNS = ["study", "alternative", "kind", "unit_id", "name", "year", "tier", "run",
                    "years_required", "consequence", "official_triggers"]
RESULT_COLUMNS = ["unit_id", "name", "sequence", "year", "rule", "rule_name", "kind",
                  "consequence", "pay_change", "note"]


def back_calculation_note(scheme: Scheme, year: int) -> str:
    """"按2018年方案回溯测算" when ``year`` precedes the scheme's first year (the scheme did
    not exist then: its tiers are a back-calculation), else ""."""
    if scheme.year is not None and int(year) < int(scheme.year):
        return f"按{int(scheme.year)}年方案回溯测算"
    return ""


@dataclass(frozen=True)
class TierHistory:
    """Scores, ranks and tiers of every unit in every year the data can score, and the
    years it cannot (with the reason, in Chinese)."""

    table: pd.DataFrame  # HISTORY_COLUMNS, sorted by unit_id, year
    skipped: pd.DataFrame  # year, reason


def tier_history(data: Dataset, scheme: Scheme, years: list[int] | None = None) -> TierHistory:
    """Score every year of ``years`` (default: all years in the data) with the scheme.

    A year the data cannot score (e.g. the first years, where an own-average target or a
    growth rate needs earlier years) is skipped and listed with the data error's first
    problem, never scored with missing values.
    """
    frames: list[pd.DataFrame] = []
    skipped: list[dict[str, object]] = []
    for year in (data.years if years is None else sorted(years)):
        try:
            table = scorecard(data, scheme, int(year))
        except DataError as exc:
            first = exc.problems[0] if exc.problems else None
            reason = (first.zh or first.reason) if first is not None else str(exc)
            skipped.append({"year": int(year), "reason": reason})
            continue
        group = scope_values(scheme.tiers.rank_group_scope(), list(table["unit_id"]),
                             list(table["sequence"]), data.units,
                             str(data.files.get("units", data.source)))
        frames.append(table.assign(year=int(year), note=back_calculation_note(scheme, year),
                                   rank_group=group)[HISTORY_COLUMNS])
    hist = (pd.concat(frames, ignore_index=True) if frames
            else pd.DataFrame(columns=HISTORY_COLUMNS))
    hist = hist.sort_values(["unit_id", "year"], kind="stable").reset_index(drop=True)
    return TierHistory(hist, pd.DataFrame(skipped, columns=["year", "reason"]))


def _runs(history: pd.DataFrame, key: pd.Series | None = None) -> pd.Series:
    """Length of the run of consecutive calendar years with the same ``key`` (default: the
    tier) ending at each row (a missing year breaks the run)."""
    key = history["tier"] if key is None else key
    h = history.assign(_key=key).sort_values(["unit_id", "year"], kind="stable")
    same = ((h["unit_id"] == h["unit_id"].shift()) & (h["_key"] == h["_key"].shift())
            & (h["year"] == h["year"].shift() + 1))
    block = (~same).cumsum()
    run = h.groupby(block).cumcount() + 1
    return run.reindex(history.index)


def _in_bottom(h: pd.DataFrame, k: int) -> pd.Series:
    """Whether each row is among the last ``k`` places of its year's ranking group (fewer
    than k units ranked strictly behind it: ties with the k-th last are included)."""
    group = (h["rank_group"].fillna(h["sequence"]) if "rank_group" in h.columns
             else h["sequence"])
    behind = pd.Series(0, index=h.index)
    for _, grp in h.groupby([h["year"], group], sort=False):
        ranks = grp["rank"].to_numpy(dtype=float)
        behind.loc[grp.index] = (ranks[None, :] > ranks[:, None]).sum(axis=1)
    return behind < k


def _run_note(h: pd.DataFrame, hit: pd.DataFrame, years: int) -> list[str]:
    """For each flagged row, the back-calculation note of the years its rule counted
    ("含按2018年方案回溯测算的年份") or ""."""
    notes = dict(zip(zip(h["unit_id"], h["year"]), h["note"]))
    out = []
    for uid, year in zip(hit["unit_id"], hit["year"]):
        back = sorted({notes.get((uid, int(year) - k), "") for k in range(years)} - {""})
        out.append(f"含{back[0]}的年份" if back else "")
    return out


def followup_flags(history: pd.DataFrame, rules: list[Followup]) -> pd.DataFrame:
    """Each (unit, year) where a follow-up rule holds: the unit has been in the rule's tier
    for at least ``years`` consecutive years ending that year (a third year in a row flags
    again). ``history`` needs unit_id, name, year, tier; with a ``note`` column (see
    ``tier_history``) a flag whose counted years include a back-calculated one says so in
    its ``note``."""
    if history.empty or not rules:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    h = history.reset_index(drop=True)
    if "note" not in h.columns:
        h = h.assign(note="")
    h = h.assign(run=_runs(h), note=h["note"].fillna("").astype(str))
    out = []
    for rule in rules:
        if rule.bottom is not None:  # 连续k年位居后列: runs of years among the last places
            low = _in_bottom(h, rule.bottom)
            runs = _runs(h, low)
            hit = h.loc[low & (runs >= rule.years)].assign(run=runs, tier=rule.label())
        else:
            hit = h.loc[(h["tier"] == rule.tier) & (h["run"] >= rule.years)]
        hit = hit.assign(years_required=rule.years, consequence=rule.consequence)
        out.append(hit.assign(note=_run_note(h, hit, rule.years)))
    flags = pd.concat(out, ignore_index=True)[FLAG_COLUMNS]
    return flags.sort_values(["year", "unit_id", "consequence"], kind="stable").reset_index(
        drop=True)


def followups_under_alternatives(history: pd.DataFrame, alternatives: pd.DataFrame,
                                 rules: list[Followup], year: int) -> pd.DataFrame:
    """Units that would trigger a follow-up in ``year`` if an alternative set that year's
    tiers: the alternative's tier in ``year`` (``alternatives_*`` tables) appended to the
    official tiers of the earlier years. ``official_triggers`` says whether the official
    scheme triggers the same consequence for the unit that year."""
    if alternatives.empty or not rules:
        return pd.DataFrame(columns=ALT_FLAG_COLUMNS)
    keep = ["unit_id", "name", "year", "tier",
            *[c for c in ("note", "rank", "sequence", "rank_group") if c in history.columns]]
    past = history.loc[history["year"] < year, keep]
    official = followup_flags(history.loc[history["year"] <= year], rules)
    official = official.loc[official["year"] == year]
    official_keys = set(zip(official["unit_id"], official["consequence"]))
    out = []
    for (study, alt, kind), grp in alternatives.groupby(["study", "alternative", "kind"],
                                                       sort=False):
        now = grp[[c for c in ("unit_id", "name", "tier", "rank", "sequence")
                   if c in grp.columns]].assign(year=year)
        flags = followup_flags(pd.concat([past, now], ignore_index=True), rules)
        flags = flags.loc[flags["year"] == year]
        if flags.empty:
            continue
        out.append(flags.assign(study=study, alternative=alt, kind=kind))
    if not out:
        return pd.DataFrame(columns=ALT_FLAG_COLUMNS)
    res = pd.concat(out, ignore_index=True)
    res["official_triggers"] = [(u, c) in official_keys
                                for u, c in zip(res["unit_id"], res["consequence"])]
    return res[ALT_FLAG_COLUMNS].reset_index(drop=True)


def _place_rows(card: pd.DataFrame, rule: ResultRule, groups: np.ndarray) -> pd.Series:
    """Units a 末位/排位靠前 rule covers: per ranking group (the rank column's, see
    ``tiers.rank_scope``), the last (or first) ``count`` units by rank, or ``share`` × size
    rounded half up (at least one); units tied with the k-th are included (ranks share the
    better place)."""
    hit = pd.Series(False, index=card.index)
    for _seq, grp in card.groupby(groups, sort=True):
        n = len(grp)
        k = rule.count if rule.count is not None else max(1, int(round_half_up(rule.share * n)))
        k = min(int(k), n)
        ranks = grp["rank"].astype(int)
        if rule.kind == "top":
            cut = ranks.sort_values().iloc[k - 1]
            hit.loc[grp.index] = ranks <= cut
        else:
            cut = ranks.sort_values(ascending=False).iloc[k - 1]
            hit.loc[grp.index] = ranks >= cut
    return hit


def _progress_rows(data: Dataset, scheme: Scheme, year: int, card: pd.DataFrame,
                   rule: ResultRule) -> pd.Series:
    """Units whose rank in their sequence rose by at least ``min_places`` on last year's
    rank (last year scored with the same scheme; a unit without one is not flagged)."""
    before = scorecard(data, scheme, year - 1)["rank"]  # indexed by unit id
    gained = before.reindex(card["unit_id"]).to_numpy(dtype=float) - card["rank"].to_numpy(
        dtype=float)
    return pd.Series(gained >= rule.min_places, index=card.index).fillna(False)


def result_flags(data: Dataset, scheme: Scheme, year: int,
                 card: pd.DataFrame | None = None) -> pd.DataFrame:
    """The scheme's results use (``results.rules``) in ``year``: one row per unit and rule
    it meets (RESULT_COLUMNS), with the consequence, the 绩效奖金 change and the
    back-calculation note. ``card`` is the year's scorecard (computed when omitted). A
    progress rule needs last year scored with the same scheme (a data error otherwise)."""
    rules = scheme.results.rules
    if not rules:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    card = (scorecard(data, scheme, year) if card is None else card).reset_index(drop=True)
    note = back_calculation_note(scheme, year)
    groups = scope_values(scheme.tiers.rank_group_scope(), list(card["unit_id"]),
                          list(card["sequence"]), data.units,
                          str(data.files.get("units", data.source)))
    out = []
    for rule in rules:
        if rule.kind in ("top", "bottom"):
            hit = _place_rows(card, rule, groups)
        elif rule.kind == "tier":
            hit = card["tier"] == rule.tier
        else:
            hit = _progress_rows(data, scheme, year, card, rule)
        rows = card.loc[hit.to_numpy(dtype=bool), ["unit_id", "name", "sequence"]]
        before = back_calculation_note(scheme, year - 1) if rule.kind == "progress" else ""
        out.append(rows.assign(year=int(year), rule=rule.id, rule_name=rule.name,
                               kind=rule.kind, consequence=rule.consequence,
                               pay_change=rule.pay_change if rule.pay_change is not None
                               else 0.0,
                               note=note or (f"上年排名{before}" if before else "")))
    res = pd.concat(out, ignore_index=True)[RESULT_COLUMNS]
    return res.sort_values(["sequence", "unit_id", "rule"], kind="stable").reset_index(drop=True)


def pay_factors(card: pd.DataFrame, flags: pd.DataFrame) -> pd.Series:
    """Each unit's 绩效奖金 factor against the average: 1 + the sum of the ``pay_change`` of
    the result rules it meets, never below 0 (上浮/下浮一定比例, 不予发放 at 0)."""
    change = flags.groupby("unit_id")["pay_change"].sum() if not flags.empty else pd.Series(
        dtype=float)
    factor = 1.0 + change.reindex(card["unit_id"]).fillna(0.0).to_numpy(dtype=float)
    return pd.Series(np.clip(factor, 0.0, None), index=pd.Index(card["unit_id"], name="unit_id"),
                     name="pay_factor")
