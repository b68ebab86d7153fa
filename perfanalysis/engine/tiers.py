"""Tiers (等次) from scores: quotas per sequence, thresholds, forced distributions,
disqualifications (取消评优资格), affirmation beyond the quota (不受名额限制 / 一票肯定).

A separate step from scoring, so tier rules can be swapped while scores stay fixed. Every
unit gets ``tier``, a short Chinese ``tier_reason``, a ``tier_basis`` (which rule set the
tier, one of ``TIER_BASES``) so the report can tell score lines from rules without parsing
text, and ``tier_flags`` (the 后k位 rules it meets, e.g. 诫勉谈话). ``assign_tiers`` is the
readable per-unit reference; ``tier_codes`` (on a ``TierModel``) gives the same tiers for
many draws at once, as integer codes into ``labels``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SchemeError
from .methods import round_half_up
from .packsort import row_starts, sort_packed
from .ranks import ALL_GROUP, scope_name
from .rounding import dec, fmt
from .scheme import BottomRule, QuotaRule, Scheme, TierRules

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


def _tied(a: Mapping[str, Any], b: Mapping[str, Any], keys: list[str]) -> bool:
    return all(abs(float(a[k]) - float(b[k])) <= 1e-9 for k in keys)


def _key_name(scheme: Scheme, key: str) -> str:
    if key == "total":
        return "总分"
    return next((c.name for c in scheme.components if c.id == key), key)


def middle_tier(shares: list[float]) -> int:
    """The tier that takes a forced distribution's remainder: the largest share (ties: the
    one nearest the centre of the labels, then the better one)."""
    centre = (len(shares) - 1) / 2
    return min(range(len(shares)), key=lambda t: (-shares[t], abs(t - centre), t))


def forced_counts(rules: TierRules, n: int) -> list[int]:
    """Head count of each tier of a forced distribution over ``n`` units.

    Each tier's count is rounded separately: tiers above the middle one by ``rounding``
    (the top tier gets at least one unit when its share is positive), tiers below it are
    ceilings (不超过: rounded down), and the middle tier takes the remainder.
    """
    shares = rules.shares
    mid = middle_tier(shares)
    counts = [0] * len(shares)
    for t, share in enumerate(shares):
        if t < mid:
            counts[t] = rounded_count(share * n, rules.rounding)
            if t == 0 and share > 0 and n > 0:
                counts[t] = max(counts[t], 1)
        elif t > mid:
            counts[t] = math.floor(share * n + 1e-9)
    # never more than n: take back from the bottom tiers first, then from above the middle
    excess = sum(counts) - n
    for t in [*range(len(shares) - 1, mid, -1), *range(mid - 1, -1, -1)]:
        if excess <= 0:
            break
        take = min(excess, counts[t])
        counts[t] -= take
        excess -= take
    counts[mid] = n - sum(counts)
    return counts


def _share_text(share: float) -> str:
    return f"{share * 100:g}%"


def _zero_tier_notes(rules: TierRules, n: int) -> dict[int, str]:
    """Tiers of a forced distribution with a positive share that round to no unit in a
    sequence of ``n`` units: tier index -> the Chinese note (share × n = x, rounded to 0)."""
    counts = forced_counts(rules, n)
    return {t: (f"{rules.labels[t]}比例{_share_text(share)}×{n}={share * n:.2f},"
                f"取整为0名,本序列无{rules.labels[t]}")
            for t, (share, c) in enumerate(zip(rules.shares, counts, strict=True))
            if share > 0 and c == 0}


def forced_cuts(rules: TierRules, n: int) -> list[int]:
    """Cut positions of a forced distribution (cumulative ``forced_counts``)."""
    return [int(c) for c in np.cumsum(forced_counts(rules, n))]


def bottom_count(rule: BottomRule, rounding: str, n: int) -> int:
    """How many units at the end of a sequence of ``n`` units a 后k位 rule covers."""
    k = rule.count if rule.count is not None else rounded_count(rule.share * n, rounding)  # type: ignore[operator]
    return min(int(k), n)


def bottom_applies(rule: BottomRule, sequence: str) -> bool:
    return rule.sequences is None or sequence in rule.sequences


def _classes(order: list[str], rows: dict[str, dict[str, Any]], keys: list[str]) -> tuple[
        dict[str, int], dict[str, int]]:
    """Tie classes along ``order``: each unit's class start and end positions."""
    start: dict[str, int] = {}
    s = 0
    for i, u in enumerate(order):
        if i and not _tied(rows[u], rows[order[i - 1]], keys):
            s = i
        start[u] = s
    end: dict[str, int] = {}
    e = len(order) - 1
    for i in range(len(order) - 1, -1, -1):
        u = order[i]
        if i < len(order) - 1 and not _tied(rows[u], rows[order[i + 1]], keys):
            e = i
        end[u] = e
    return start, end


def _scope_groups(scores: pd.DataFrame, scope: str) -> np.ndarray:
    """The ranking group of each row under ``tiers.scope`` (``score`` adds a units column the
    scope names to its table)."""
    if scope == "sequence":
        return scores["sequence"].to_numpy(dtype=object)
    if scope == ALL_GROUP:
        return np.full(len(scores), ALL_GROUP, dtype=object)
    if scope not in scores.columns:
        raise SchemeError(f"tiers.scope names column '{scope}', which the score table does not "
                          "have (score() adds it from units.csv)", path="tiers.scope")
    return scores[scope].astype(str).to_numpy(dtype=object)


def assign_tiers(scores: pd.DataFrame, scheme: Scheme, events: pd.DataFrame) -> pd.DataFrame:
    """Add ``tier``, ``tier_reason``, ``tier_basis`` and ``tier_flags`` to a score table;
    ``events`` are the year's events.

    Per sequence, units are ordered by total then ``tie_break``. Units with ``demote_at``
    or more disqualifications (or under a ``last_tier`` 后k位 rule) go to the last tier; the
    top tier takes its quota (or its forced-distribution count) from the units without
    disqualification (nor a ``no_top`` 后k位 rule), ties at the cut all going up; affirmed
    units join the top tier beyond the quota; the rest get their tier by threshold
    (quota_threshold) or by position (forced_distribution, ties at a cut going up).
    """
    rules = scheme.tiers
    out = scores.copy()
    unit_ids = list(out["unit_id"])
    disq = pd.DataFrame({d.id: _event_flags(events, unit_ids, d.events)
                         for d in rules.disqualifications}, index=unit_ids)
    disq_names = {d.id: d.name for d in rules.disqualifications}
    # plain dicts: looked up unit by unit below, where a Series' lookup costs microseconds
    n_disq = dict(zip(unit_ids, disq.sum(axis=1).tolist() if len(disq.columns)
                      else [0] * len(unit_ids), strict=True))
    affirmed = dict(zip(unit_ids, _event_flags(events, unit_ids, rules.affirmation.events)
                        .tolist() if rules.affirmation else [False] * len(unit_ids),
                        strict=True))
    keys = ["total", *rules.tie_break]
    key_names = [_key_name(scheme, key) for key in keys]
    labels = rules.labels
    top, last = labels[0], labels[-1]
    forced = rules.method == "forced_distribution"
    tier: dict[str, str] = {}
    reason: dict[str, str] = {}
    basis: dict[str, str] = {}
    flags: dict[str, list[str]] = {u: [] for u in unit_ids}

    disq_texts = {u: "、".join(disq_names[c] for c, hit in zip(disq.columns, row, strict=True)
                             if hit)
                  for u, row in zip(unit_ids, disq.to_numpy(dtype=bool).tolist(), strict=True)}

    for seq, grp in out.groupby(_scope_groups(out, rules.scope), sort=True):
        grp = grp.sort_values(keys, ascending=False, kind="stable")
        rows = {r.unit_id: r._asdict() for r in grp.itertuples(index=False)}
        order = list(rows)
        n = len(order)
        seq_name = scope_name(rules.scope, str(seq), scheme.sequences)
        place = dict(zip(order, grp["total"].rank(method="min", ascending=False).astype(int)
                         .tolist(), strict=True))
        cls_start, cls_end = _classes(order, rows, keys)
        # --- 后k位 rules: units with fewer than k units strictly behind them ------------
        barred: dict[str, str] = {}
        bottom_last: dict[str, str] = {}
        for b in rules.bottom:
            if not bottom_applies(b, str(seq)):
                continue
            kb = bottom_count(b, rules.rounding, n)
            for u in order:
                if n - 1 - cls_end[u] < kb:
                    flags[u].append(b.name)
                    if b.effect == "no_top":
                        barred.setdefault(u, b.name)
                    elif b.effect == "last_tier":
                        bottom_last.setdefault(u, b.name)
        demoted = [u for u in order
                   if (rules.demote_at is not None and n_disq[u] >= rules.demote_at)
                   or u in bottom_last]
        for u in demoted:
            tier[u], basis[u] = last, "demoted"
            if rules.demote_at is not None and n_disq[u] >= rules.demote_at:
                reason[u] = f"{int(n_disq[u])}种取消评优情形({disq_texts[u]}),直接认定为{last}"
            else:
                reason[u] = f"{seq_name}第{place[u]}名/{n},{bottom_last[u]},认定为{last}"
        base = {u: _threshold_tier(rules, float(rows[u]["total"])) for u in order}
        if forced:
            cuts = forced_cuts(rules, n)
            k = cuts[0]
            share_text = ":".join(f"{x * 100:g}" for x in rules.shares)
        else:
            k = quota_for(rules, str(seq), n)

        bar_why: dict[str, str] = {}
        for u in order:
            parts = [f"因{disq_texts[u]}取消评优资格"] if n_disq[u] > 0 else []
            if u in barred:
                parts.append(f"{seq_name}第{place[u]}名/{n},{barred[u]},不能评为{top}")
            if parts:
                bar_why[u] = ";".join(parts) + ";"

        def eligible(u: str, base: dict[str, tuple[str, str]] = base,
                     bar_why: dict[str, str] = bar_why) -> bool:
            if u in bar_why:
                return False
            if rules.quota_requires is None:
                return True
            return labels.index(base[u][0]) <= labels.index(rules.quota_requires)

        # --- the top tier: quota (or first count), ties at the cut all go up ------------
        pool = order if rules.quota_passes_down else [u for u in order if cls_start[u] < k]
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
            quota_text = (f"前{rules.shares[0] * 100:g}%的{k}名(强制分布{share_text})"  # type: ignore[index]
                          if forced
                          else f"评优名额{k}名")
            reason[u] = f"{seq_name}第{place[u]}名{shifted},在{quota_text}内"
            if u in split:
                reason[u] += f";总分并列,按{'、'.join(key_names[1:])}排前"

        # --- everyone else --------------------------------------------------------------
        rest = [u for u in order if u not in tier]
        position: dict[str, int] = {}  # positional tier index (forced), before affirmation
        zero_notes = _zero_tier_notes(rules, n) if forced else {}
        prev: str | None = None
        for i, u in enumerate(rest):
            if forced:
                pos = len(winners) + i
                j0 = max(1, next(t for t, c in enumerate(cuts) if pos < c))
                j = j0
                if prev is not None and _tied(rows[u], rows[prev], keys):
                    j = min(j, position[prev])  # a tie at a cut goes up
                position[u] = j
                label = labels[j]
                why = f"{seq_name}第{place[u]}名/{n},强制分布{share_text}"
                if j < j0:
                    why += (f";与{labels[j]}末位并列({'、'.join(key_names)}相同),同入"
                            f"{labels[j]}({labels[j]}名额{cuts[j] - cuts[j - 1]}名之外)")
                # a tier below this one planned but rounded to zero: the units that its
                # unrounded share would reach say so (the bottom of the sequence)
                for t, note in zero_notes.items():
                    if t > j and pos >= n - math.ceil(sum(rules.shares[t:]) * n - 1e-9):
                        why += ";" + note
            else:
                label, why = base[u]
            prev = u
            if affirmed[u] and u not in bar_why:
                req = rules.affirmation.requires if rules.affirmation else None
                if req is None or labels.index(label) <= labels.index(req):
                    tier[u], basis[u] = top, "affirmation"
                    reason[u] = f"{rules.affirmation.name}({why}),不受名额限制"  # type: ignore[union-attr]
                    continue
            if u in split and u not in bar_why:
                why = f"总分与名额末位并列,按{'、'.join(key_names[1:])}排后,未入{top};" + why
            if u in bar_why:
                why = bar_why[u] + why
            elif rules.quota_requires is not None and not eligible(u) and u in order[:k]:
                why = f"未达到{rules.quota_requires},不能占用评优名额;" + why
            if not forced and k == 0 and u == order[0]:
                raw = next((p for _, p, _ in _planned(rules, str(seq), n)), None)
                if raw is not None and raw > 0:  # a share quota rounded to nobody
                    why += f";{top}名额按比例为{raw:.2f}名,取整为0名,本序列无{top}"
            tier[u], reason[u] = label, why
            basis[u] = ("disqualified" if u in bar_why else "position" if forced
                        else "threshold")
    out["tier"] = out["unit_id"].map(tier)
    out["tier_reason"] = out["unit_id"].map(reason)
    out["tier_basis"] = out["unit_id"].map(basis)
    out["tier_flags"] = out["unit_id"].map(lambda u: "、".join(flags[u]))
    return out


#: Columns of ``quota_warnings``.
QUOTA_WARNING_COLUMNS = ("sequence", "sequence_name", "n_units", "tier", "kind", "planned",
                         "quota", "actual", "over", "message")


def _planned(rules: TierRules, seq: str, n: int) -> list[tuple[str, float | None, int]]:
    """(tier, unrounded planned count or None for a fixed top-k, rounded count) of the tiers
    a sequence's rules size: the top tier's quota, or every forced-distribution tier."""
    if rules.method == "forced_distribution":
        return [(lab, round(share * n, 9), c) for lab, share, c in
                zip(rules.labels, rules.shares, forced_counts(rules, n), strict=True)]
    rule = next((q for q in rules.quota if q.sequences is not None and seq in q.sequences),
                next((q for q in rules.quota if q.sequences is None), None))
    if rule is None:
        return []
    raw = None if rule.share is None else round(rule.share * n, 9)
    return [(rules.labels[0], raw, quota_for(rules, seq, n))]


def quota_warnings(table: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """Where the tiers do not keep the planned head counts, one row per sequence × tier:

    - ``kind = "ties"``: units tied at a cut all went to the better tier, so the tier holds
      ``over`` more units than its ``quota`` (89 of 118 counties tied at 100 under 15:80:5
      make 89 top-tier units instead of 18). Counted over the units whose tier the ranking
      set (``tier_basis`` quota / position / disqualified); units affirmed beyond the quota
      (不受名额限制) or demoted by a rule are not quota overruns.
    - ``kind = "zero"``: a tier with a positive share rounds to no unit in the sequence
      (5 % of a sequence of 19 is 0.95, a ceiling: no bottom tier at all).

    ``table`` is ``assign_tiers``' output (or the scorecard ``with_basis``). Empty (with the
    columns) when every tier keeps its plan. Why: a reader of the tier list must see when
    the planned shares did not hold, and in which group.
    """
    rules = scheme.tiers
    if "tier_basis" not in table.columns:
        raise ValueError("quota_warnings needs the tier_basis column (scorecard(..., "
                         "with_basis=True) or assign_tiers)")
    ranked = table["tier_basis"].isin(["quota", "position", "disqualified"])
    forced = rules.method == "forced_distribution"
    rows: list[dict[str, object]] = []
    for seq, grp in table.groupby(_scope_groups(table, rules.scope), sort=True):
        n = len(grp)
        seq_name = scope_name(rules.scope, str(seq), scheme.sequences)
        in_rank = grp.loc[ranked.loc[grp.index]]
        for label, raw, k in _planned(rules, str(seq), n):
            if forced:
                actual = int((in_rank["tier"] == label).sum())
            else:  # the quota's units: the top tier set by the ranking, not by affirmation
                actual = int(((in_rank["tier"] == label)
                              & (in_rank["tier_basis"] == "quota")).sum())
            base = {"sequence": str(seq), "sequence_name": seq_name, "n_units": n,
                    "tier": label, "planned": raw, "quota": k, "actual": actual}
            if raw is not None and raw > 0 and k == 0:
                rows.append({**base, "kind": "zero", "over": 0, "message": (
                    f"{seq_name}({n}个单位):{label}比例{raw / n * 100:g}%×{n}={raw:.2f},"
                    f"取整后为0名,本序列没有{label}")})
            if actual > k:
                rows.append({**base, "kind": "ties", "over": actual - k, "message": (
                    f"{seq_name}({n}个单位):{label}应为{k}名,因与末位并列实际{actual}名,"
                    f"超出{actual - k}名")})
    out = pd.DataFrame(rows, columns=list(QUOTA_WARNING_COLUMNS))
    return out.astype({"n_units": int, "quota": int, "actual": int, "over": int})


# --- vectorised: tier codes for totals shaped (draws, units) ---------------------------


@dataclass(frozen=True)
class TierModel:
    """Tier rules prepared for a fixed set of units (picklable, no pandas): everything
    ``tier_codes`` needs besides the totals. Build it with ``tier_model``."""

    labels: tuple[str, ...]
    forced: bool
    seq_index: tuple[np.ndarray, ...]  # unit positions of each sequence
    top_count: tuple[int, ...]  # quota (or forced top count) per sequence
    cuts: tuple[np.ndarray, ...]  # forced-distribution cut positions per sequence
    bottom: tuple[tuple[tuple[int, str], ...], ...]  # (k, effect) of 后k位 rules per sequence
    thresholds: np.ndarray  # min totals, best first (quota_threshold)
    quota_requires: int  # tier index a quota unit must reach by threshold; -1 for none
    passes_down: bool
    barred: np.ndarray  # (N,) a disqualification: never top tier
    demoted: np.ndarray  # (N,) demote_at reached: last tier
    affirmed: np.ndarray  # (N,) affirmation event and no disqualification
    affirm_requires: int  # tier index the affirmed unit must reach anyway; -1 for none

    @property
    def n_units(self) -> int:
        return len(self.barred)


def tier_model(scheme: Scheme, unit_ids: list[str], sequences: list[str],
               events: pd.DataFrame, groups: list[str] | None = None) -> TierModel:
    """Prepare the scheme's tier rules for these units (in this order) and year's events.
    ``groups``: each unit's ranking group when ``tiers.scope`` names a units column."""
    rules = scheme.tiers
    labels = tuple(rules.labels)
    if rules.scope == ALL_GROUP:
        sequences = [ALL_GROUP] * len(unit_ids)
    elif rules.scope != "sequence":
        if groups is None:
            raise SchemeError(f"tiers.scope '{rules.scope}': pass each unit's group",
                              path="tiers.scope")
        sequences = list(groups)
    seq_arr = np.asarray(sequences, dtype=object)
    names = sorted(set(sequences))
    seq_index = tuple(np.flatnonzero(seq_arr == s) for s in names)
    n_disq = np.zeros(len(unit_ids), dtype=int)
    for d in rules.disqualifications:
        n_disq += _event_flags(events, unit_ids, d.events).to_numpy(dtype=int)
    affirmed = (_event_flags(events, unit_ids, rules.affirmation.events).to_numpy(dtype=bool)
                if rules.affirmation else np.zeros(len(unit_ids), dtype=bool))
    forced = rules.method == "forced_distribution"
    top_count, cuts, bottom = [], [], []
    for s, idx in zip(names, seq_index, strict=True):
        n = len(idx)
        if forced:
            c = np.asarray(forced_cuts(rules, n), dtype=int)
            cuts.append(c)
            top_count.append(int(c[0]))
        else:
            cuts.append(np.zeros(0, dtype=int))
            top_count.append(quota_for(rules, s, n))
        bottom.append(tuple((bottom_count(b, rules.rounding, n), b.effect)
                            for b in rules.bottom if bottom_applies(b, s)))
    req = rules.affirmation.requires if rules.affirmation else None
    return TierModel(
        labels=labels, forced=forced, seq_index=seq_index, top_count=tuple(top_count),
        cuts=tuple(cuts), bottom=tuple(bottom),
        thresholds=np.array([t.min_total for t in rules.thresholds], dtype=float),
        quota_requires=(labels.index(rules.quota_requires) if rules.quota_requires else -1),
        passes_down=rules.quota_passes_down, barred=n_disq > 0,
        demoted=(n_disq >= rules.demote_at if rules.demote_at is not None
                 else np.zeros(len(unit_ids), dtype=bool)),
        affirmed=affirmed & (n_disq == 0),
        affirm_requires=labels.index(req) if req else -1,
    )


@dataclass(frozen=True)
class SortedTiers:
    """Tiers of many draws in rank order: row s of a draw holds sequence s best first,
    padded to the largest sequence (pads hold unit ``n_units``, code 0, ``valid`` False)."""

    unit: np.ndarray  # (D, S, M) unit position at each place (n_units for a pad)
    code: np.ndarray  # (D, S, M) tier code (int8)
    rank: np.ndarray | None  # (D, S, M) rank within the sequence (1 = best, ties → min)
    valid: np.ndarray  # (S, M) place holds a unit

    def scatter(self, values: np.ndarray, n_units: int, dtype: type) -> np.ndarray:
        """Values given per place back in unit order, shaped (D, N)."""
        d = values.shape[0]
        out = np.empty((d, n_units + 1), dtype=dtype)  # column n_units takes the pads
        flat = (self.unit + (np.arange(d, dtype=self.unit.dtype) * (n_units + 1))[:, None, None])
        out.ravel()[flat.ravel()] = values.ravel()
        return out[:, :n_units]


GRID = 1e6  # totals on a grid of 10⁻⁶ points (rounded to 6 decimals) sort as integers


def on_grid(totals: np.ndarray) -> np.ndarray | None:
    """``totals`` × 10⁶ as exact integers (float array) when every total is already rounded
    to 6 decimals, else None."""
    micro = np.rint(totals * GRID)
    return micro if np.array_equal(micro / GRID, totals) else None


def _micro_cut(threshold: float) -> int:
    """Smallest integer r with r / 10⁶ ≥ ``threshold``: on the grid, total < threshold
    exactly when r < this (division by 10⁶ is monotone, so the float test is reproduced)."""
    r = math.floor(threshold * GRID) - 2
    while r / GRID < threshold:
        r += 1
    return r


def sorted_tiers(model: TierModel, totals: np.ndarray, tie: np.ndarray | None = None,
                 ranks: bool = False, micro: np.ndarray | None = None) -> SortedTiers:
    """The rules of ``assign_tiers`` for totals shaped (draws, units), all sequences at once:
    each sequence is a row padded to the largest one (pads sort last and take no place).

    ``micro``: the totals × 10⁶ as exact integers when the caller knows them (totals rounded
    to 6 decimals); then, without tie-break components, one integer sort orders every
    sequence.
    """
    totals = np.atleast_2d(np.asarray(totals, dtype=float))
    d, n = totals.shape
    sizes = np.array([len(i) for i in model.seq_index])
    ns, m = len(sizes), int(sizes.max()) if len(sizes) else 0
    slot = np.concatenate([s * m + np.arange(len(i)) for s, i in enumerate(model.seq_index)])
    unit_at = np.full(ns * m, n, dtype=np.intp)
    unit_at[slot] = np.concatenate(model.seq_index)
    units_by_slot = unit_at[slot]  # unit of each real slot, in slot order

    in_order = bool(np.array_equal(units_by_slot, np.arange(n)))  # sequences contiguous

    def padded(values: np.ndarray) -> np.ndarray:
        out = np.full((values.shape[0], ns, m), -np.inf)
        if in_order:  # one block copy per sequence
            start = 0
            for s, size in enumerate(sizes):
                out[:, s, :size] = values[:, start:start + size]
                start += size
        else:
            out.reshape(values.shape[0], ns * m)[:, slot] = values[:, units_by_slot]
        return out

    shape = (d, ns, m)
    pos = np.arange(m, dtype=np.int32)
    valid = pos < sizes[:, None]  # (S, M): pads sort after every unit
    packed = None
    if tie is None and in_order:
        if micro is None:
            micro = on_grid(totals)
        if micro is not None:  # best first: keys −total·10⁶, sequences contiguous
            packed = sort_packed(-micro, np.cumsum(sizes) - sizes, sizes)
    n_keys = 1 + (tie.shape[2] if tie is not None else 0)
    if packed is not None:
        keys, bits = packed
        slot_sorted = keys & ((1 << bits) - 1)  # the unit's position in its sequence
        slot_sorted += (np.arange(ns) * m)[:, None]
        uo = unit_at[slot_sorted]
        # on the grid, tied means equal: the keys' high parts (above the slot bits) agree
        same_total = np.zeros(keys.shape, dtype=bool)
        ukeys = keys.view(np.uint64)
        np.less(ukeys[..., 1:] ^ ukeys[..., :-1], np.uint64(1 << bits), out=same_total[..., 1:])
        tied = same_total

        def below(threshold: float) -> np.ndarray:
            # total < threshold ⇔ r < cut ⇔ −r ≥ 1 − cut ⇔ key ≥ (1 − cut)·2^bits
            return keys >= (1 - _micro_cut(threshold - 1e-9)) * (1 << bits)
    else:
        t = padded(totals)
        keys = [t] + ([padded(tie[:, :, j]) for j in range(tie.shape[2])]
                      if tie is not None else [])
        if len(keys) == 1:
            order = np.argsort(-t, axis=-1)  # full ties: the order among them never matters
            st = -np.sort(-t, axis=-1)
        else:
            order = np.lexsort(tuple(-k for k in reversed(keys)), axis=-1)
            st = np.take_along_axis(t, order, axis=-1)
        same_total = np.zeros(shape, dtype=bool)
        with np.errstate(invalid="ignore"):  # pad − pad is NaN: never tied
            np.less_equal(np.abs(st[..., 1:] - st[..., :-1]), 1e-9, out=same_total[..., 1:])
            tied = same_total
            if len(keys) > 1:
                tied = same_total.copy()
                for key in keys[1:]:
                    sk = np.take_along_axis(key, order, axis=-1)
                    tied[..., 1:] &= np.abs(np.diff(sk, axis=-1)) <= 1e-9
        uo = unit_at[(order + (np.arange(ns) * m)[:, None]).astype(np.int32, copy=False)]

        def below(threshold: float) -> np.ndarray:
            return st < threshold - 1e-9
    # class start: first place of the unit's tie class (each place its own without ties)
    tied &= valid
    tie_rows = tied.any(axis=-1)  # (D, S): sequences of a draw with a tie
    any_tie = bool(tie_rows.any())
    if any_tie:  # class starts worked out only in the rows that have ties
        cs = np.empty(shape, dtype=np.int32)
        cs[:] = pos
        sub = ~tied[tie_rows]
        cs[tie_rows] = row_starts(sub.shape, sub)
    else:
        cs = np.broadcast_to(pos, shape)
    ext = np.zeros(n + 1, dtype=bool)

    def per_place(flags: np.ndarray) -> np.ndarray:
        ext[:n] = flags
        return ext[uo]

    barred = per_place(model.barred) if model.barred.any() else np.zeros(shape, dtype=bool)
    any_dem = bool(model.demoted.any())
    dem = per_place(model.demoted) if any_dem else np.zeros(shape, dtype=bool)
    any_bottom = any(model.bottom)
    if any_bottom:
        is_end = np.ones(shape, dtype=bool)
        is_end[..., :-1] = ~tied[..., 1:]
        ce = np.minimum.accumulate(np.where(is_end, pos, m)[..., ::-1], axis=-1)[..., ::-1]
        behind = (sizes[:, None] - 1 - ce)  # places behind the end of the unit's class
        for effect in ("no_top", "last_tier"):
            kb = np.array([max([k for k, e in rules if e == effect], default=0)
                           for rules in model.bottom])[:, None]
            if kb.any():
                hit = behind < kb
                if effect == "no_top":
                    barred = barred | hit
                else:
                    dem = dem | hit
    if model.barred.any() or any_dem or any_bottom:
        elig = ~(barred | dem) & valid
    else:  # nobody barred or demoted: every unit is eligible
        elig = np.broadcast_to(valid, shape)
    if model.forced:
        code = None
    else:
        code = np.ones(shape, dtype=np.int8)
        for thr in model.thresholds:
            code += below(thr)
        if model.quota_requires >= 0:
            elig = elig & (code <= model.quota_requires)
    k = np.array(model.top_count)[:, None]  # (S, 1)
    # the quota: only the first w places can take it unless it passes down (a tie class
    # that starts above the cut carries it past the cut, so w reaches the class's end)
    w = m
    if not model.passes_down:
        kmax = int(k.max()) if k.size else 0
        w = min(m, int((cs < kmax).sum(axis=-1).max()) if any_tie else kmax)
    cs_w = cs[..., :w]
    cand = elig[..., :w] if model.passes_down else elig[..., :w] & (cs_w < k)
    cc = np.cumsum(cand, axis=-1, dtype=np.int32)
    has_k = (cc[..., -1:] >= k) if w else np.zeros((d, ns, 1), dtype=bool)
    pk = np.argmax(cc >= k, axis=-1)[..., None] if w else np.zeros((d, ns, 1), dtype=int)
    cs_k = np.where(has_k, np.take_along_axis(cs_w, pk, axis=-1) if w else -1, -1)
    win = np.zeros(shape, dtype=bool)
    win[..., :w] = cand & ((cc <= k) | (cs_w == cs_k)) & (k > 0)
    if model.forced:
        rest = ~(win | dem) & valid
        excl = np.cumsum(rest, axis=-1, dtype=np.int32) - rest
        first = np.take_along_axis(excl, cs, axis=-1) + win.sum(axis=-1, keepdims=True,
                                                                 dtype=np.int32)
        cuts = np.array([np.asarray(c) for c in model.cuts])  # (S, L)
        code = np.zeros(shape, dtype=np.int8)
        for j in range(cuts.shape[1]):
            code += first >= cuts[:, j:j + 1]
        np.maximum(code, 1, out=code)
    assert code is not None
    top = win
    if model.affirmed.any():
        aff = per_place(model.affirmed) & ~barred & ~dem & ~win
        if model.affirm_requires >= 0:
            aff &= code <= model.affirm_requires
        top = win | aff
    if any_dem or any_bottom:
        code[dem] = len(model.labels) - 1
    code[top] = 0
    code[:, ~valid] = 0  # pads: a fixed code, so tallies over places need no mask
    rank = None
    if ranks:
        rcs = cs
        if n_keys > 1:  # ranks go by total alone: classes of equal totals
            by_total = same_total & valid
            rcs = row_starts(shape, ~by_total) if by_total.any() else np.broadcast_to(pos, shape)
        rank = rcs + 1
    return SortedTiers(uo, code, rank, valid)


def tier_codes(model: TierModel, totals: np.ndarray, tie: np.ndarray | None = None,
               ranks: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Tier codes (index into ``model.labels``) shaped like ``totals`` (draws, units).

    ``tie`` (draws, units, T) holds the tie-break components in order. The same rules as
    ``assign_tiers``, vectorised over draws and sequences (see ``sorted_tiers``). With
    ``ranks=True`` also returns each unit's rank within its sequence by total (1 = best,
    ties → min).
    """
    totals = np.atleast_2d(np.asarray(totals, dtype=float))
    n = totals.shape[1]
    st = sorted_tiers(model, totals, tie, ranks)
    codes = st.scatter(st.code, n, np.int8)
    if not ranks:
        return codes
    assert st.rank is not None
    return codes, st.scatter(st.rank, n, np.int32)
