"""Tiers (等次) from scores: quotas per sequence, thresholds, forced distributions,
disqualifications (取消评优资格), affirmation beyond the quota (不受名额限制 / 一票肯定).

A separate step from scoring, so tier rules can be swapped while scores stay fixed. Every
unit gets ``tier`` and a short Chinese ``tier_reason``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .methods import round_half_up
from .scheme import QuotaRule, Scheme, TierRules


def rounded_count(x: float, rounding: str) -> int:
    """Round a fractional head count by the scheme's rule (half_up: 4.5 → 5)."""
    if rounding == "floor":
        return math.floor(x + 1e-9)
    if rounding == "ceil":
        return math.ceil(x - 1e-9)
    return int(round_half_up(x))


def quota_for(rules: TierRules, sequence: str, n_units: int) -> int:
    """How many units of a sequence of ``n_units`` may be top tier."""
    rule: QuotaRule | None = None
    for q in rules.quota:
        if q.sequences is not None and sequence in q.sequences:
            rule = q
            break
    if rule is None:
        rule = next((q for q in rules.quota if q.sequences is None), None)
    if rule is None:
        raise ValueError(f"no quota rule covers sequence '{sequence}' and there is no default")
    if rule.top is not None:
        k = rule.top
    else:
        k = max(rounded_count(rule.share * n_units, rule.rounding),  # type: ignore[operator]
                rule.min_count)
    return min(k, n_units)


def _event_flags(events: pd.DataFrame, unit_ids: list[str], names: list[str]) -> pd.Series:
    """True for units with a positive count of any of ``names``."""
    hit = events.loc[events["event"].isin(names) & (events["count"] > 0), "unit_id"]
    return pd.Series(unit_ids, index=unit_ids).isin(set(hit))


def _threshold_tier(rules: TierRules, total: float) -> tuple[str, str]:
    for t in rules.thresholds:
        if total >= t.min_total - 1e-9:
            return t.label, f"总分{total:.2f}≥{t.min_total:g}"
    last = rules.thresholds[-1].min_total if rules.thresholds else None
    return rules.labels[-1], (f"总分{total:.2f}<{last:g}" if last is not None else "")


def _sort_keys(scores: pd.DataFrame, rules: TierRules) -> list[str]:
    return ["total", *rules.tie_break]


def _tied(a: pd.Series, b: pd.Series, keys: list[str]) -> bool:
    return all(abs(float(a[k]) - float(b[k])) <= 1e-9 for k in keys)


def assign_tiers(scores: pd.DataFrame, scheme: Scheme, events: pd.DataFrame) -> pd.DataFrame:
    """Add ``tier`` and ``tier_reason`` to a score table; ``events`` are the year's events."""
    rules = scheme.tiers
    out = scores.copy()
    unit_ids = list(out["unit_id"])
    disq = pd.DataFrame({d.id: _event_flags(events, unit_ids, d.events)
                         for d in rules.disqualifications}, index=unit_ids)
    disq_names = {d.id: d.name for d in rules.disqualifications}
    n_disq = disq.sum(axis=1) if len(disq.columns) else pd.Series(0, index=unit_ids)
    affirmed = (_event_flags(events, unit_ids, rules.affirmation.events) if rules.affirmation
                else pd.Series(False, index=unit_ids))
    tier: dict[str, str] = {}
    reason: dict[str, str] = {}
    keys = _sort_keys(out, rules)
    top, last = rules.labels[0], rules.labels[-1]
    for seq, grp in out.groupby("sequence", sort=True):
        grp = grp.sort_values(keys, ascending=False, kind="stable")
        n = len(grp)
        seq_name = scheme.sequences.get(str(seq), str(seq))

        def disq_text(uid: str) -> str:
            return "、".join(disq_names[c] for c in disq.columns if disq.at[uid, c])

        if rules.method == "forced_distribution":
            cum = np.cumsum(rules.shares)
            cuts = [rounded_count(c * n, rules.rounding) for c in cum]
            cuts[-1] = n
            rows = list(grp.itertuples(index=False))
            for pos, row in enumerate(rows):
                j = next(i for i, c in enumerate(cuts) if pos < c)
                # a unit tied with the last unit of a better tier joins that tier
                while j > 0 and cuts[j - 1] > 0 and _tied(
                        pd.Series(row._asdict()), pd.Series(rows[cuts[j - 1] - 1]._asdict()),
                        keys):
                    j -= 1
                label = rules.labels[j]
                why = (f"{seq_name}第{pos + 1}名/{n},强制分布"
                       f"{':'.join(f'{s * 100:g}' for s in rules.shares)}")
                uid = row.unit_id
                if label == top and n_disq[uid] > 0:
                    label = rules.labels[1]
                    why += f";因{disq_text(uid)}取消评优资格"
                tier[uid], reason[uid] = label, why
        else:
            k = quota_for(rules, str(seq), n)
            candidates = [r for r in grp.itertuples(index=False)
                          if not rules.quota_passes_down or n_disq[r.unit_id] == 0]
            winners: list[str] = []
            beyond: set[str] = set()
            if k > 0 and candidates:
                cut_row = pd.Series(candidates[min(k, len(candidates)) - 1]._asdict())
                for i, r in enumerate(candidates):
                    if i < k:
                        winners.append(r.unit_id)
                    elif _tied(pd.Series(r._asdict()), cut_row, keys):
                        winners.append(r.unit_id)
                        beyond.add(r.unit_id)
            places = {uid: i + 1 for i, uid in enumerate(grp["unit_id"])}
            eligible_place = {r.unit_id: i + 1 for i, r in enumerate(candidates)}
            key_names = [_key_name(scheme, key) for key in keys]
            # units that lost or won a tie on the total at the cut, decided by tie_break
            cut_total = float(cut_row["total"]) if k > 0 and candidates else None
            split_at_cut = {r.unit_id for r in candidates
                            if cut_total is not None and abs(float(r.total) - cut_total) <= 1e-9}
            if not (split_at_cut - set(winners)) or not (split_at_cut & set(winners)):
                split_at_cut = set()  # nobody won or lost the tie on the tie-break
            for r in grp.itertuples(index=False):
                uid = r.unit_id
                base_label, base_why = _threshold_tier(rules, float(r.total))
                if rules.demote_at is not None and n_disq[uid] >= rules.demote_at:
                    tier[uid] = last
                    reason[uid] = (f"{int(n_disq[uid])}种取消评优情形({disq_text(uid)}),"
                                   f"直接认定为{last}")
                    continue
                if uid in winners and n_disq[uid] == 0:
                    tier[uid] = top
                    if uid in beyond:
                        tie_on = "、".join(key_names)
                        reason[uid] = (f"{seq_name}第{places[uid]}名,与名额末位并列({tie_on}相同),"
                                       f"同入{top}(超出名额{k}名)")
                    else:
                        shifted = (f"(可评优单位中第{eligible_place[uid]}名,名额顺延)"
                                   if eligible_place[uid] != places[uid] else "")
                        reason[uid] = f"{seq_name}第{places[uid]}名{shifted},在评优名额{k}名内"
                        if uid in split_at_cut:
                            reason[uid] += f";总分并列,按{'、'.join(key_names[1:])}排前"
                    continue
                req = rules.affirmation.requires if rules.affirmation else None
                ok_req = req is None or rules.labels.index(base_label) <= rules.labels.index(req)
                if affirmed[uid] and n_disq[uid] == 0 and ok_req:
                    tier[uid] = top
                    reason[uid] = f"{rules.affirmation.name}({base_why}),不受名额限制"  # type: ignore[union-attr]
                    continue
                tier[uid] = base_label
                why = base_why
                if uid in split_at_cut and n_disq[uid] == 0:
                    why = f"总分与名额末位并列,按{'、'.join(key_names[1:])}排后,未入{top};" + why
                if n_disq[uid] > 0:
                    why = f"因{disq_text(uid)}取消评优资格;" + why
                reason[uid] = why
    out["tier"] = out["unit_id"].map(tier)
    out["tier_reason"] = out["unit_id"].map(reason)
    return out


def _key_name(scheme: Scheme, key: str) -> str:
    if key == "total":
        return "总分"
    return next((c.name for c in scheme.components if c.id == key), key)


def tier_order(scheme: Scheme) -> list[str]:
    """Tier labels, best first (for ordered categoricals and charts)."""
    return list(scheme.tiers.labels)
