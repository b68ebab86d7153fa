"""The current setting beside its starting point: per-unit columns, the units whose tier
changed with the nearest boundary they crossed, and the page's table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..engine.scheme import Scheme
from .core import ExploreError, View


def _columns(base: View, cur: View) -> dict[str, np.ndarray]:
    """The current table's columns beside the baseline's (looked up by unit, in the current
    order) as arrays: base_total, base_rank, base_tier, change, moved (positive: up)."""
    t, b = cur.columns, base.columns
    at = pd.Index(b["unit_id"]).get_indexer(t["unit_id"])
    if (at < 0).any():
        raise ExploreError("起点与当前设定的单位不同 / the units differ from the starting point's")
    cols = dict(t)
    cols["base_total"] = b["total"][at]
    cols["base_rank"] = b["rank"][at]
    cols["base_tier"] = b["tier"][at]
    cols["change"] = np.round(cols["total"] - cols["base_total"], 6)
    cols["moved"] = cols["base_rank"] - cols["rank"]
    return cols


def compared(base: View, cur: View) -> pd.DataFrame:
    """Per unit the baseline beside the current setting: unit_id, name, sequence, total,
    rank, tier, base_total, base_rank, base_tier, change in total and places moved
    (positive: up), in the current order."""
    return pd.DataFrame(_columns(base, cur))


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def move_reason(row: Mapping[str, Any], base: Scheme, cur: Scheme,
                quota: Mapping[str, int], base_quota: Mapping[str, int]) -> str:
    """Why a unit's tier changed, naming the nearest boundary it crossed: the top-tier
    quota (by place) or a score line (by total), in Chinese."""
    rules, labels = cur.tiers, cur.tiers.labels
    b_tier, tier = str(row["base_tier"]), str(row["tier"])
    up = labels.index(tier) < labels.index(b_tier)
    seq = str(row["sequence"])
    t0, t1, r0, r1 = float(row["base_total"]), float(row["total"]), int(row["base_rank"]), \
        int(row["rank"])
    if rules.method == "forced_distribution" or labels[0] in (b_tier, tier):
        q, q0 = quota.get(seq), base_quota.get(seq)
        cut = f"前{q}名" if q is not None else "按比例确定的名额"
        if q0 is not None and q is not None and q != q0:
            cut += f"(原为前{q0}名)"
        where = f"名次由第{r0}名{'升至' if up else '降至'}第{r1}名"
        if labels[0] in (b_tier, tier):
            return f"{where},{'进入' if up else '落出'}{labels[0]}名额({cut})"
        return f"{where},跨过{tier if up else b_tier}档的名次界限"
    lines = {t.label: t.min_total for t in rules.thresholds}
    old_lines = {t.label: t.min_total for t in base.tiers.thresholds} \
        if base.tiers.method == "quota_threshold" else {}
    crossed = []
    for label, line in lines.items():
        before = t0 >= old_lines.get(label, line)
        after = t1 >= line
        if before != after:
            moved = f"(原为{_fmt(old_lines[label])}分)" if label in old_lines and \
                old_lines[label] != line else ""
            crossed.append(f"{label}线{_fmt(line)}分{moved}")
    verb = "升过" if up else "跌破"
    change = (f"总分{_fmt(t1)}不变" if _fmt(t0) == _fmt(t1) else
              f"总分由{_fmt(t0)}{'升至' if t1 > t0 else '降至'}{_fmt(t1)}")
    return f"{change},{verb}" + "、".join(crossed or ["等次分数线"])


def _quotas(scheme: Scheme, sequences: np.ndarray) -> dict[str, int]:
    """Top-tier places per sequence (the quota, or the forced distribution's top count)."""
    from ..engine.tiers import forced_counts, quota_for

    out = {}
    for seq, n in zip(*np.unique(sequences.astype(str), return_counts=True), strict=True):
        rules = scheme.tiers
        out[str(seq)] = (forced_counts(rules, int(n))[0] if rules.method == "forced_distribution"
                         else quota_for(rules, str(seq), int(n)))
    return out


def tier_moves(base: View, cur: View, cols: dict[str, np.ndarray] | None = None
               ) -> pd.DataFrame:
    """Units whose tier differs from the baseline, with the reason (nearest boundary
    crossed): unit_id, name, sequence, base_tier, tier, base_total, total, base_rank,
    rank, reason. ``cols``: ``_columns(base, cur)`` when the caller has them."""
    cols = _columns(base, cur) if cols is None else cols
    hit = np.flatnonzero(cols["tier"] != cols["base_tier"])
    keys = ["unit_id", "name", "sequence", "base_tier", "tier", "base_total", "total",
            "base_rank", "rank"]
    rows = [{k: cols[k][i] for k in keys} for i in hit]
    q = _quotas(cur.scheme, cols["sequence"])
    q0 = _quotas(base.scheme, base.columns["sequence"])
    for r in rows:
        r["reason"] = move_reason(r, base.scheme, cur.scheme, q, q0)
    return pd.DataFrame(rows, columns=[*keys, "reason"])


def view_table(base: View, cur: View, cols: dict[str, np.ndarray] | None = None
               ) -> pd.DataFrame:
    """The page's table with Chinese headers: the baseline beside the current setting."""
    c = _columns(base, cur) if cols is None else cols
    names = dict(cur.scheme.sequences or {})
    return pd.DataFrame({
        "单位": c["name"], "序列": np.array([names.get(s, s) for s in c["sequence"]], dtype=object),
        "基准总分": c["base_total"], "总分": c["total"], "总分变化": c["change"],
        "基准名次": c["base_rank"], "名次": c["rank"], "名次变化": c["moved"],
        "基准等次": c["base_tier"], "等次": c["tier"], "unit_id": c["unit_id"]})


def table_rows(cur: View, cols: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """The page table's rows (totals to 2 decimals) straight from the arrays: the same
    columns as ``view_table`` without building a frame (it is sent on every update)."""
    names = dict(cur.scheme.sequences or {})
    keys = ("单位", "序列", "基准总分", "总分", "总分变化", "基准名次", "名次", "名次变化",
            "基准等次", "等次", "unit_id")
    values = (cols["name"].tolist(), [names.get(x, x) for x in cols["sequence"].tolist()],
              np.round(cols["base_total"], 2).tolist(), np.round(cols["total"], 2).tolist(),
              np.round(cols["change"], 2).tolist(), cols["base_rank"].tolist(),
              cols["rank"].tolist(), cols["moved"].tolist(), cols["base_tier"].tolist(),
              cols["tier"].tolist(), cols["unit_id"].tolist())
    return [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]
