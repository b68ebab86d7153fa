"""The year's scorecard: scores followed by tiers, in the column order users rely on."""

from __future__ import annotations

import pandas as pd

from .data import Dataset
from .scheme import Scheme
from .scoring import score
from .tiers import assign_tiers


def scorecard(data: Dataset, scheme: Scheme, year: int, with_basis: bool = False) -> pd.DataFrame:
    """One row per unit: unit_id, name, sequence, components, bonus, penalty, total, rank,
    tier, tier_reason (sorted by sequence, then rank), and ``tier_flags`` when the scheme has
    后k位 rules (``tiers.bottom``); ``with_basis`` adds ``tier_basis``
    (what set the tier, see ``tiers.TIER_BASES``) for the report's margins.

    Rows are indexed by the unit ids, so a join or an assignment pairs rows by unit, never by
    position (on a 0…n−1 index a join with another table silently paired different units).
    The index is unnamed and ``unit_id`` stays a column: with both an index level and a column
    called ``unit_id`` pandas refuses ``merge(on="unit_id")`` and ``groupby("unit_id")`` as
    ambiguous; this way ``table.merge(other, on="unit_id")``, ``table.join(other)`` (``other``
    indexed by unit id) and ``table.loc[unit_id]`` all work."""
    scores = score(data, scheme, year)
    events = data.events.loc[data.events["year"] == year]
    table = assign_tiers(scores, scheme, events)
    cols = ["unit_id", "name", "sequence", *[c.id for c in scheme.components],
            "bonus", "penalty", "total", "rank", "tier", "tier_reason"]
    if scheme.tiers.bottom:  # 后k位 rules: what each unit meets (e.g. 诫勉谈话), shown too
        cols.append("tier_flags")
    # a ranking group from a units column (tiers.scope / rank_scope: e.g. region) is shown
    cols += sorted({scheme.tiers.scope, scheme.tiers.rank_group_scope()} - {"sequence", "all"})
    if with_basis:
        cols.append("tier_basis")
    return table[cols].set_index("unit_id", drop=False).rename_axis(None)


def latest_year(data: Dataset) -> int:
    """The latest year with observations (the default year of a run)."""
    return max(data.years)
