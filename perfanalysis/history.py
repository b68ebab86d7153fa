"""Tier and rank history over all scoreable years, and the follow-up rules it triggers.

Heshan's scheme sanctions units that stay in a low tier (连续两年基本达标 → 通报批评,
连续两年不达标 → 组织调整); the rules are scheme data (``tiers.followups``, defaults in
``scheme.DEFAULT_FOLLOWUPS``). Flags are computed from a history table, so they are tested on
hand-made histories and applied unchanged to each alternative a study proposes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .data import Dataset
from .errors import DataError
from .scheme import Followup, Scheme
from .scorecard import scorecard

HISTORY_COLUMNS = ["unit_id", "name", "sequence", "year", "total", "rank", "tier"]
FLAG_COLUMNS = ["unit_id", "name", "year", "tier", "run", "years_required", "consequence"]
ALT_FLAG_COLUMNS = ["study", "alternative", "kind", "unit_id", "name", "year", "tier", "run",
                    "years_required", "consequence", "official_triggers"]


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
        frames.append(table.assign(year=int(year))[HISTORY_COLUMNS])
    hist = (pd.concat(frames, ignore_index=True) if frames
            else pd.DataFrame(columns=HISTORY_COLUMNS))
    hist = hist.sort_values(["unit_id", "year"], kind="stable").reset_index(drop=True)
    return TierHistory(hist, pd.DataFrame(skipped, columns=["year", "reason"]))


def _runs(history: pd.DataFrame) -> pd.Series:
    """Length of the run of consecutive calendar years in the same tier ending at each row
    (a missing year breaks the run)."""
    h = history.sort_values(["unit_id", "year"], kind="stable")
    same = ((h["unit_id"] == h["unit_id"].shift()) & (h["tier"] == h["tier"].shift())
            & (h["year"] == h["year"].shift() + 1))
    block = (~same).cumsum()
    run = h.groupby(block).cumcount() + 1
    return run.reindex(history.index)


def followup_flags(history: pd.DataFrame, rules: list[Followup]) -> pd.DataFrame:
    """Each (unit, year) where a follow-up rule holds: the unit has been in the rule's tier
    for at least ``years`` consecutive years ending that year (a third year in a row flags
    again). ``history`` needs unit_id, name, year, tier."""
    if history.empty or not rules:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    h = history.reset_index(drop=True)
    h = h.assign(run=_runs(h))
    out = []
    for rule in rules:
        hit = h.loc[(h["tier"] == rule.tier) & (h["run"] >= rule.years)]
        out.append(hit.assign(years_required=rule.years, consequence=rule.consequence))
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
    past = history.loc[history["year"] < year, ["unit_id", "name", "year", "tier"]]
    official = followup_flags(history.loc[history["year"] <= year], rules)
    official = official.loc[official["year"] == year]
    official_keys = set(zip(official["unit_id"], official["consequence"]))
    out = []
    for (study, alt, kind), grp in alternatives.groupby(["study", "alternative", "kind"],
                                                       sort=False):
        now = grp[["unit_id", "name", "tier"]].assign(year=year)
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
