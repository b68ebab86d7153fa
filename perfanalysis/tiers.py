"""Tiers (等次) from scores: quotas per sequence, thresholds, forced distributions,
disqualifications (取消评优资格), affirmation beyond the quota (不受名额限制 / 一票肯定).

A separate step from scoring, so tier rules can be swapped while scores stay fixed. Every
unit gets ``tier``, a short Chinese ``tier_reason`` and a ``tier_basis`` (which rule set the
tier, one of ``TIER_BASES``) so the report can tell score lines from rules without parsing text.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd

from .errors import SchemeError
from .methods import round_half_up
from .rounding import dec, fmt
from .scheme import QuotaRule, Scheme, TierRules

#: What set a unit's tier: ``quota`` (top tier inside the quota or its forced share, ties at
#: the cut included), ``threshold`` (score line), ``position`` (forced-distribution rank),
#: ``affirmation`` (top tier beyond the quota), ``demoted`` (``demote_at`` or more
#: disqualifications → last tier), ``disqualified`` (tier by threshold/position but barred
#: from the top tier by a disqualification).
TIER_BASES = ("quota", "threshold", "position", "affirmation", "demoted", "disqualified")
#: Bases where a rule, not only the score, decides the tier.
RULE_BASES = frozenset({"affirmation", "demoted", "disqualified"})


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
        raise SchemeError(f"no quota rule covers sequence '{sequence}' and there is no default "
                          "rule without 'sequences'", path="tiers.quota")
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


def fmt_total(total: float, lines: tuple[float, ...] = ()) -> str:
    """A total for a reason text, rounded like every displayed number (``rounding.fmt``);
    a total below one of the score ``lines`` that would print as that line (699.9996 →
    700.00 next to a 700 line it missed) shows the decimals that tell it is below."""
    text = fmt(total)
    if any(total < ln - 1e-12 and dec(total) >= Decimal(repr(float(ln))) for ln in lines):
        text = f"{total:.6f}".rstrip("0")
    return text


def _threshold_tier(rules: TierRules, total: float) -> tuple[str, str]:
    lines = tuple(t.min_total for t in rules.thresholds)
    for t in rules.thresholds:
        if total >= t.min_total - 1e-9:
            return t.label, f"总分{fmt_total(total, lines)}≥{t.min_total:g}"
    last = rules.thresholds[-1].min_total if rules.thresholds else None
    return rules.labels[-1], (f"总分{fmt_total(total, lines)}<{last:g}" if last is not None
                              else "")


def _tied(a: pd.Series, b: pd.Series, keys: list[str]) -> bool:
    return all(abs(float(a[k]) - float(b[k])) <= 1e-9 for k in keys)


def _key_name(scheme: Scheme, key: str) -> str:
    if key == "total":
        return "总分"
    return next((c.name for c in scheme.components if c.id == key), key)


def _forced_cuts(rules: TierRules, n: int) -> list[int]:
    """Cut positions of a forced distribution: cumulative shares × n, rounded."""
    cuts = [rounded_count(c * n, rules.rounding) for c in np.cumsum(rules.shares)]
    cuts[-1] = n
    return cuts


def assign_tiers(scores: pd.DataFrame, scheme: Scheme, events: pd.DataFrame) -> pd.DataFrame:
    """Add ``tier``, ``tier_reason`` and ``tier_basis`` to a score table; ``events`` are the
    year's events.

    Per sequence, units are ordered by total then ``tie_break``. Units with ``demote_at``
    or more disqualifications go to the last tier; the top tier takes its quota (or its
    forced-distribution share) from the units without disqualification, ties at the cut all
    going up; affirmed units join the top tier beyond the quota; the rest get their tier by
    threshold (quota_threshold) or by position (forced_distribution).
    """
    rules = scheme.tiers
    out = scores.copy()
    unit_ids = list(out["unit_id"])
    disq = pd.DataFrame({d.id: _event_flags(events, unit_ids, d.events)
                         for d in rules.disqualifications}, index=unit_ids)
    disq_names = {d.id: d.name for d in rules.disqualifications}
    n_disq = disq.sum(axis=1) if len(disq.columns) else pd.Series(0, index=unit_ids)
    affirmed = (_event_flags(events, unit_ids, rules.affirmation.events) if rules.affirmation
                else pd.Series(False, index=unit_ids))
    keys = ["total", *rules.tie_break]
    key_names = [_key_name(scheme, key) for key in keys]
    labels = rules.labels
    top, last = labels[0], labels[-1]
    forced = rules.method == "forced_distribution"
    tier: dict[str, str] = {}
    reason: dict[str, str] = {}
    basis: dict[str, str] = {}

    def disq_text(uid: str) -> str:
        return "、".join(disq_names[c] for c in disq.columns if disq.at[uid, c])

    for seq, grp in out.groupby("sequence", sort=True):
        grp = grp.sort_values(keys, ascending=False, kind="stable")
        rows = {r.unit_id: pd.Series(r._asdict()) for r in grp.itertuples(index=False)}
        order = list(rows)
        n = len(order)
        seq_name = scheme.sequences.get(str(seq), str(seq))
        place = grp.set_index("unit_id")["total"].rank(method="min", ascending=False).astype(int)
        demoted = [u for u in order
                   if rules.demote_at is not None and n_disq[u] >= rules.demote_at]
        for u in demoted:
            tier[u], basis[u] = last, "demoted"
            reason[u] = f"{int(n_disq[u])}种取消评优情形({disq_text(u)}),直接认定为{last}"
        base = {u: _threshold_tier(rules, float(rows[u]["total"])) for u in order}
        if forced:
            cuts = _forced_cuts(rules, n)
            k = cuts[0]
            share_text = ":".join(f"{x * 100:g}" for x in rules.shares)
        else:
            k = quota_for(rules, str(seq), n)

        def eligible(u: str, base: dict[str, tuple[str, str]] = base) -> bool:
            if n_disq[u] > 0:
                return False
            if rules.quota_requires is None:
                return True
            return labels.index(base[u][0]) <= labels.index(rules.quota_requires)

        # --- the top tier: quota (or first share), ties at the cut all go up -------------
        pool = order if rules.quota_passes_down else order[:k]
        candidates = [u for u in pool if u not in demoted and eligible(u)]
        winners = candidates[:k]
        beyond: list[str] = []
        if winners and len(winners) == k:
            cut = rows[winners[-1]]
            beyond = [u for u in candidates[k:] if _tied(rows[u], cut, keys)]
        winners += beyond
        tied_totals = ({u for u in candidates if abs(float(rows[u]["total"])
                                                     - float(rows[winners[-1]]["total"])) <= 1e-9}
                       if winners else set())
        split = tied_totals if (tied_totals - set(winners)) and (tied_totals & set(winners)) \
            else set()
        eligible_place = {u: i + 1 for i, u in enumerate(candidates)}
        for u in winners:
            tier[u], basis[u] = top, "quota"
            if u in beyond:
                reason[u] = (f"{seq_name}第{place[u]}名,与名额末位并列({'、'.join(key_names)}"
                             f"相同),同入{top}(名额{k}名之外)")
                continue
            shifted = (f"(可评优单位中第{eligible_place[u]}名,名额顺延)"
                       if eligible_place[u] != order.index(u) + 1 else "")
            quota_text = f"前{share_text}%中的{k}名" if forced else f"评优名额{k}名"
            reason[u] = f"{seq_name}第{place[u]}名{shifted},在{quota_text}内"
            if u in split:
                reason[u] += f";总分并列,按{'、'.join(key_names[1:])}排前"

        # --- everyone else --------------------------------------------------------------
        rest = [u for u in order if u not in tier]
        prev: str | None = None
        for i, u in enumerate(rest):
            if forced:
                pos = len(winners) + i
                j = max(1, next(t for t, c in enumerate(cuts) if pos < c))
                if prev is not None and _tied(rows[u], rows[prev], keys):
                    j = min(j, labels.index(tier[prev]))  # a tie at a cut goes up
                label = labels[j]
                why = f"{seq_name}第{place[u]}名/{n},强制分布{share_text}"
            else:
                label, why = base[u]
            prev = u
            if affirmed[u] and n_disq[u] == 0:
                req = rules.affirmation.requires if rules.affirmation else None
                if req is None or labels.index(label) <= labels.index(req):
                    tier[u], basis[u] = top, "affirmation"
                    reason[u] = f"{rules.affirmation.name}({why}),不受名额限制"  # type: ignore[union-attr]
                    continue
            if u in split and n_disq[u] == 0:
                why = f"总分与名额末位并列,按{'、'.join(key_names[1:])}排后,未入{top};" + why
            if n_disq[u] > 0:
                why = f"因{disq_text(u)}取消评优资格;" + why
            elif rules.quota_requires is not None and not eligible(u) and u in order[:k]:
                why = f"未达到{rules.quota_requires},不能占用评优名额;" + why
            tier[u], reason[u] = label, why
            basis[u] = ("disqualified" if n_disq[u] > 0 else "position" if forced
                        else "threshold")
    out["tier"] = out["unit_id"].map(tier)
    out["tier_reason"] = out["unit_id"].map(reason)
    out["tier_basis"] = out["unit_id"].map(basis)
    return out
