"""What the scorecard chapter says: score breakdown, margins to tier boundaries, sentences.

Pure functions of a scorecard table (``scorecard(data, scheme, year)``) and the scheme, so
the report's narrative is generated from the numbers and tested like any other rule.
"""

from __future__ import annotations

import math

import pandas as pd

from .data import Dataset
from .scheme import Group, Scheme
from .scoring import leaf_scores
from .tiers import quota_for

_EPS = 1e-9


def score_breakdown(data: Dataset, scheme: Scheme, year: int, table: pd.DataFrame) -> pd.DataFrame:
    """Long table of each unit's total split into parts (unit_id, part, part_name, points).

    With several components the parts are the components; with a single indicator component
    they are its first-level groups (一级指标), so Yiyang's 100 points split into its four
    areas. Bonus and penalty (negative) are parts too, so the parts add up to the total.
    """
    parts: list[pd.DataFrame] = []
    indicator_comps = [c for c in scheme.components if c.source == "indicators"]
    if len(scheme.components) == 1 and indicator_comps:
        comp = indicator_comps[0]
        leaf_to_part: dict[str, tuple[str, str]] = {}
        for child in comp.children or []:
            stack = [child]
            while stack:
                node = stack.pop()
                if isinstance(node, Group):
                    stack.extend(node.children)
                else:
                    leaf_to_part[node.id] = (child.id, child.name)
        leaves = leaf_scores(data, scheme, year)
        leaves = leaves.assign(part=leaves["indicator"].map(lambda i: leaf_to_part[i][0]),
                               part_name=leaves["indicator"].map(lambda i: leaf_to_part[i][1]))
        grouped = (leaves.groupby(["unit_id", "part", "part_name"], sort=False)["score"].sum()
                   .reset_index().rename(columns={"score": "points"}))
        order = {c.id: k for k, c in enumerate(comp.children or [])}
        grouped["_order"] = grouped["part"].map(order)
        parts.append(grouped)
    else:
        for k, comp in enumerate(scheme.components):
            parts.append(pd.DataFrame({"unit_id": table["unit_id"], "part": comp.id,
                                       "part_name": comp.name, "points": table[comp.id],
                                       "_order": k}))
    n = len(scheme.components) + 100
    parts.append(pd.DataFrame({"unit_id": table["unit_id"], "part": "bonus", "part_name": "加分",
                               "points": table["bonus"], "_order": n}))
    parts.append(pd.DataFrame({"unit_id": table["unit_id"], "part": "penalty",
                               "part_name": "减分", "points": -table["penalty"],
                               "_order": n + 1}))
    out = pd.concat(parts, ignore_index=True)
    unit_order = {u: i for i, u in enumerate(table["unit_id"])}
    out["_unit"] = out["unit_id"].map(unit_order)
    out = out.sort_values(["_unit", "_order"], kind="stable")
    out["points"] = out["points"].astype(float).round(6)
    return out.drop(columns=["_unit", "_order"]).reset_index(drop=True)


def _quota_cuts(grp: pd.DataFrame, scheme: Scheme, seq: str,
                eligible: pd.Series) -> tuple[int, float | None, float | None]:
    """Quota size and the totals of the last unit inside and the first unit outside it."""
    k = quota_for(scheme.tiers, seq, len(grp))
    cand = grp.loc[eligible.reindex(grp.index, fill_value=True)]
    totals = list(cand["total"])
    inside = totals[k - 1] if 0 < k <= len(totals) else None
    outside = totals[k] if k < len(totals) else None
    return k, inside, outside


def tier_margins(table: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """Each unit's distance to the nearest tier boundary in its sequence.

    Columns: unit_id, name, sequence, total, tier, margin_down (points the unit could lose
    before dropping a tier; NaN in the last tier), boundary_down (which line),
    gap_up (points needed to reach the next better tier; NaN at the top), boundary_up,
    nearest (the smaller of the two). The top tier's boundary under a quota is the total of
    the first eligible unit outside the quota; below it, the total of the last unit inside.
    Ties are settled by the scheme's tie-break, so a margin of 0 means "decided by tie-break".
    """
    rules = scheme.tiers
    labels = list(rules.labels)
    rows: list[dict[str, object]] = []
    for seq, grp in table.groupby("sequence", sort=True):
        grp = grp.sort_values("total", ascending=False, kind="stable")
        seq = str(seq)
        eligible = ~grp["tier_reason"].astype(str).str.contains("取消评优资格|直接认定")
        if rules.method == "quota_threshold":
            k, inside, outside = _quota_cuts(grp, scheme, seq, eligible)
        for pos, r in enumerate(grp.itertuples(index=False)):
            total = float(r.total)
            level = labels.index(str(r.tier))
            down: tuple[float, str] | None = None
            up: tuple[float, str] | None = None
            if rules.method == "quota_threshold":
                thr = {t.label: t.min_total for t in rules.thresholds}
                if level == 0:
                    if outside is not None:
                        down = (total - outside, "评优名额线")
                    elif thr:
                        first = rules.thresholds[0]
                        down = (total - first.min_total, f"{first.label}线{first.min_total:g}分")
                else:
                    if str(r.tier) in thr:
                        down = (total - thr[str(r.tier)], f"{r.tier}线{thr[str(r.tier)]:g}分")
                    better = labels[level - 1]
                    if level - 1 == 0:
                        if bool(eligible.iloc[pos]) and inside is not None and k > 0:
                            up = (inside - total, f"评优名额线({inside:.2f}分)")
                    elif better in thr:
                        up = (thr[better] - total, f"{better}线{thr[better]:g}分")
            else:
                totals = list(grp["total"])
                same = [t for t, lab in zip(totals, grp["tier"]) if lab == r.tier]
                worse = [t for t, lab in zip(totals, grp["tier"])
                         if labels.index(str(lab)) > level]
                better_t = [t for t, lab in zip(totals, grp["tier"])
                            if labels.index(str(lab)) == level - 1]
                if worse and same:
                    down = (total - max(worse), "强制分布分档线")
                if better_t:
                    up = (min(better_t) - total, "强制分布分档线")
            md = round(max(down[0], 0.0), 6) if down else math.nan
            gu = round(max(up[0], 0.0), 6) if up else math.nan
            rows.append({
                "unit_id": r.unit_id, "name": r.name, "sequence": seq, "total": total,
                "tier": r.tier, "margin_down": md, "boundary_down": down[1] if down else "",
                "gap_up": gu, "boundary_up": up[1] if up else "",
                "nearest": min(x for x in (md, gu) if not math.isnan(x))
                if not (math.isnan(md) and math.isnan(gu)) else math.nan,
            })
    return pd.DataFrame(rows)


def _names(df: pd.DataFrame) -> str:
    return "、".join(f"{r.name}({r.total:.2f}分)" for r in df.itertuples(index=False))


def scorecard_sentences(table: pd.DataFrame, margins: pd.DataFrame, scheme: Scheme,
                        year: int, n_nearest: int = 3) -> list[str]:
    """A few Chinese sentences stating the year's result: spread, who is excellent, tier
    counts, and the units nearest a tier boundary (with the margin in points)."""
    labels = list(scheme.tiers.labels)
    out: list[str] = []
    for seq, grp in table.groupby("sequence", sort=True):
        grp = grp.sort_values("total", ascending=False, kind="stable")
        seq_name = scheme.sequences.get(str(seq), str(seq))
        hi, lo = grp.iloc[0], grp.iloc[-1]
        out.append(f"{year}年{seq_name}共{len(grp)}个单位参加考核,总分最高的是{hi['name']}"
                   f"({hi['total']:.2f}分),最低的是{lo['name']}({lo['total']:.2f}分),"
                   f"相差{hi['total'] - lo['total']:.2f}分。")
        top = grp.loc[grp["tier"] == labels[0]]
        if len(top):
            out.append(f"{seq_name}评为{labels[0]}的是:{_names(top)}。")
        else:
            out.append(f"{seq_name}本年度没有单位评为{labels[0]}。")
        counts = grp["tier"].value_counts()
        out.append(f"{seq_name}等次分布:"
                   + "、".join(f"{lab}{int(counts.get(lab, 0))}个" for lab in labels) + "。")
    near = margins.dropna(subset=["nearest"]).sort_values(["nearest", "unit_id"],
                                                          kind="stable").head(n_nearest)
    bits = []
    for r in near.itertuples(index=False):
        md, gu = r.margin_down, r.gap_up
        if not math.isnan(md) and (math.isnan(gu) or md <= gu):
            bits.append(f"{r.name}({r.tier},{r.total:.2f}分)仅比{r.boundary_down}高{md:.2f}分")
        else:
            bits.append(f"{r.name}({r.tier},{r.total:.2f}分)距{r.boundary_up}还差{gu:.2f}分")
    if bits:
        out.append("离等次边界最近的单位:" + ";".join(bits) + "。分差在测量误差范围内时,"
                   "等次可能因数据的小幅变动而改变。")
    return out


def display_scores(table: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """The scorecard with Chinese column names and sequence names, for the report table."""
    cols = {"name": "单位", "sequence": "序列"}
    cols |= {c.id: f"{c.name}({c.points:g})" for c in scheme.components}
    cols |= {"bonus": "加分", "penalty": "减分", "total": "总分", "rank": "序列排名",
             "tier": "等次", "tier_reason": "等次依据"}
    out = table[list(cols)].copy()
    out["sequence"] = out["sequence"].map(lambda s: scheme.sequences.get(str(s), str(s)))
    return out.rename(columns=cols)


def display_margins(margins: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """Margins to tier boundaries with Chinese column names, nearest first."""
    cols = {"name": "单位", "sequence": "序列", "total": "总分", "tier": "等次",
            "nearest": "距最近边界", "margin_down": "可降分数", "boundary_down": "下方边界",
            "gap_up": "升档差距", "boundary_up": "上方边界"}
    out = margins.sort_values(["nearest", "unit_id"], kind="stable")[list(cols)].copy()
    out["sequence"] = out["sequence"].map(lambda s: scheme.sequences.get(str(s), str(s)))
    return out.rename(columns=cols)
