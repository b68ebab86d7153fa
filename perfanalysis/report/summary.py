"""What the scorecard chapter says: score breakdown, margins to tier boundaries, sentences.

Pure functions of a scorecard table (``scorecard(data, scheme, year)``) and the scheme, so
the report's narrative is generated from the numbers and tested like any other rule.
"""

from __future__ import annotations

import itertools
import math
from decimal import Decimal

import pandas as pd

from ..engine.data import Dataset
from ..engine.methods import METHOD_ZH
from ..engine.rounding import dec, fmt, round_frame
from ..engine.scheme import BASIS_ZH, Group, Scheme
from ..engine.scoring import leaf_scores
from ..engine.tiers import RULE_BASES, quota_for, quota_warnings

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


RULE_PREFIX = "由规则确定:"

_Side = tuple[float, float, str] | tuple[None, None, str] | None  # (margin, line, text)


def _line(gap: float, line: float, text: str) -> tuple[float, float, str]:
    return gap, line, text


def _rule(text: str) -> tuple[None, None, str]:
    """A side of the margin set by a rule: no score line, the rule named instead."""
    return None, None, RULE_PREFIX + text


def _require_basis(table: pd.DataFrame) -> None:
    if "tier_basis" not in table.columns:
        raise ValueError("tier margins need the 'tier_basis' column: pass the table from "
                         "assign_tiers(...) or scorecard(..., with_basis=True)")


def tier_margins(table: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """Each unit's distance to the nearest tier boundary in its sequence.

    Columns: unit_id, name, sequence, total, tier, tier_basis, margin_down (points the unit
    could lose before dropping a tier; NaN in the last tier or when a rule, not a score line,
    holds the tier), line_down (that score line), boundary_down (which line, or
    ``由规则确定:…`` naming the rule), gap_up / line_up / boundary_up (points needed to reach
    the next better tier; NaN at the top or when a rule bars the way), nearest (the smaller
    finite one). The top tier's boundary under a quota is the total of the first eligible
    unit outside the quota; below it, the total of the last unit inside. An affirmed unit
    (优秀 beyond the quota) stays top while its total reaches the affirmation's required
    tier line; a unit demoted by disqualifications or barred from the top tier has no score
    line on the rule's side. Ties are settled by the scheme's tie-break, so a margin of 0
    means "decided by tie-break". ``table`` needs ``tier_basis`` (``tiers.assign_tiers``).
    """
    _require_basis(table)
    rules = scheme.tiers
    labels = list(rules.labels)
    top = labels[0]
    thr = {t.label: t.min_total for t in rules.thresholds}
    rows: list[dict[str, object]] = []
    for seq, grp in table.groupby("sequence", sort=True):
        grp = grp.sort_values("total", ascending=False, kind="stable")
        seq = str(seq)
        eligible = ~grp["tier_basis"].isin(["demoted", "disqualified"])
        if rules.method == "quota_threshold":
            k, inside, outside = _quota_cuts(grp, scheme, seq, eligible)
        totals = list(grp["total"])
        for r in grp.itertuples(index=False):
            total = float(r.total)
            level = labels.index(str(r.tier))
            basis = str(r.tier_basis)
            down: _Side = None
            up: _Side = None
            if basis == "demoted":
                up = _rule(str(r.tier_reason))
            elif basis == "affirmation":
                req = rules.affirmation.requires if rules.affirmation else None
                if req is not None and req in thr:
                    down = _line(total - thr[req], thr[req],
                                 f"{req}线{thr[req]:g}分({top}不受名额限制的条件)")
                else:
                    down = _rule(str(r.tier_reason))
            elif rules.method == "quota_threshold":
                if level == 0:
                    if outside is not None:
                        down = _line(total - outside, outside, f"评优名额线({fmt(outside)}分)")
                    elif rules.thresholds:
                        first = rules.thresholds[0]
                        down = _line(total - first.min_total, first.min_total,
                                     f"{first.label}线{first.min_total:g}分")
                else:
                    if str(r.tier) in thr:
                        line = thr[str(r.tier)]
                        down = _line(total - line, line, f"{r.tier}线{line:g}分")
                    better = labels[level - 1]
                    if level - 1 == 0:
                        if basis == "disqualified":
                            up = _rule(f"不能评为{top}({r.tier_reason})")
                        elif inside is not None and k > 0:
                            up = _line(inside - total, inside, f"评优名额线({fmt(inside)}分)")
                    elif better in thr:
                        up = _line(thr[better] - total, thr[better], f"{better}线{thr[better]:g}分")
            else:
                tiers_ = [labels.index(str(lab)) for lab in grp["tier"]]
                same = [t for t, lv in zip(totals, tiers_) if lv == level]
                worse = [t for t, lv in zip(totals, tiers_) if lv > level]
                better_t = [t for t, lv in zip(totals, tiers_) if lv == level - 1]
                if worse and same:
                    down = _line(total - max(worse), max(worse),
                                 f"强制分布分档线({fmt(max(worse))}分)")
                if level - 1 == 0 and basis == "disqualified":
                    up = _rule(f"不能评为{top}({r.tier_reason})")
                elif better_t:
                    up = _line(min(better_t) - total, min(better_t),
                               f"强制分布分档线({fmt(min(better_t))}分)")
            md = round(max(down[0], 0.0), 6) if down and down[0] is not None else math.nan
            gu = round(max(up[0], 0.0), 6) if up and up[0] is not None else math.nan
            finite = [x for x in (md, gu) if not math.isnan(x)]
            rows.append({
                "unit_id": r.unit_id, "name": r.name, "sequence": seq, "total": total,
                "tier": r.tier, "tier_basis": basis,
                "margin_down": md,
                "line_down": float(down[1]) if down and down[1] is not None else math.nan,
                "boundary_down": down[2] if down else "",
                "gap_up": gu,
                "line_up": float(up[1]) if up and up[1] is not None else math.nan,
                "boundary_up": up[2] if up else "",
                "nearest": min(finite) if finite else math.nan,
            })
    return pd.DataFrame(rows)


def shown(x: float) -> Decimal:
    """A figure as the report prints it (half-up, 2 decimals), for differences that match
    the text."""
    return dec(x)


def _names(df: pd.DataFrame, scheme: Scheme) -> str:
    aff = scheme.tiers.affirmation
    bits = []
    for r in df.itertuples(index=False):
        extra = (f",{aff.name},不受名额限制" if aff is not None
                 and getattr(r, "tier_basis", "") == "affirmation" else "")
        bits.append(f"{r.name}({fmt(r.total)}分{extra})")
    return "、".join(bits)


def scorecard_sentences(table: pd.DataFrame, margins: pd.DataFrame, scheme: Scheme,
                        year: int, n_nearest: int = 3) -> list[str]:
    """A few Chinese sentences stating the year's result: spread, who is excellent, tier
    counts, the units nearest a score line (with the margin in points, computed from the
    printed figures) and, separately, the units whose tier a rule set."""
    if isinstance(n_nearest, bool) or not isinstance(n_nearest, int) or n_nearest < 1:
        raise ValueError(f"n_nearest must be an integer ≥ 1, got {n_nearest!r}")
    labels = list(scheme.tiers.labels)
    warnings = quota_warnings(table, scheme) if "tier_basis" in table.columns else None
    out: list[str] = []
    for seq, grp in table.groupby("sequence", sort=True):
        grp = grp.sort_values("total", ascending=False, kind="stable")
        seq_name = scheme.sequences.get(str(seq), str(seq))
        hi, lo = grp.iloc[0], grp.iloc[-1]
        out.append(f"{year}年{seq_name}共{len(grp)}个单位参加考核,总分最高的是{hi['name']}"
                   f"({fmt(hi['total'])}分),最低的是{lo['name']}({fmt(lo['total'])}分),"
                   f"相差{shown(hi['total']) - shown(lo['total'])}分。")
        top = grp.loc[grp["tier"] == labels[0]]
        if len(top):
            out.append(f"{seq_name}评为{labels[0]}的是:{_names(top, scheme)}。")
        else:
            out.append(f"{seq_name}本年度没有单位评为{labels[0]}。")
        counts = grp["tier"].value_counts()
        out.append(f"{seq_name}等次分布:"
                   + "、".join(f"{lab}{int(counts.get(lab, 0))}个" for lab in labels) + "。")
        if warnings is not None:
            out += quota_warning_sentences(warnings.loc[warnings["sequence"] == str(seq)])
    near = margins.dropna(subset=["nearest"]).sort_values(["nearest", "unit_id"],
                                                          kind="stable").head(n_nearest)
    bits = []
    for r in near.itertuples(index=False):
        md, gu = r.margin_down, r.gap_up
        if not math.isnan(md) and (math.isnan(gu) or md <= gu):
            diff = shown(r.total) - shown(r.line_down)
            bits.append(f"{r.name}({r.tier},{fmt(r.total)}分)仅比{r.boundary_down}高{diff}分")
        else:
            diff = shown(r.line_up) - shown(r.total)
            bits.append(f"{r.name}({r.tier},{fmt(r.total)}分)距{r.boundary_up}还差{diff}分")
    if bits:
        out.append("离等次边界最近的单位:" + ";".join(bits) + "。分差在测量误差范围内时,"
                   "等次可能因数据的小幅变动而改变。")
    if "tier_basis" in table.columns:
        ruled = table.loc[table["tier_basis"].isin(sorted(RULE_BASES))]
        ruled = ruled.sort_values(["sequence", "total"], ascending=[True, False], kind="stable")
        if len(ruled):
            out.append("以下单位的等次由规则确定,不只取决于总分和名额:" + "".join(
                f"{r.name}({r.tier},{fmt(r.total)}分)——{r.tier_reason}。"
                for r in ruled.itertuples(index=False)))
    return out


#: sequences named in one sentence on tiers that round to no unit (more: "等N个序列")
MAX_LISTED_SEQUENCES = 6


def _rounded(planned: float) -> str:
    """How a planned count below one became no unit: '向下取整' from 0.5 up (a tier below the
    middle of a forced distribution is a ceiling, 不超过: 0.60 is 0 although the scheme
    rounds quotas half up), '取整' below 0.5."""
    return "向下取整" if planned >= 0.5 else "取整"


def _zero_sentence(rows: list) -> str:
    """Tiers whose share rounds to no unit, one sentence per tier: one sequence alone as
    before; several (the provincial panel's four regions for 三等) in one sentence."""
    tier = rows[0].tier
    if len(rows) == 1:
        r = rows[0]
        return (f"提示:{r.sequence_name}共{r.n_units}个单位,{tier}按比例为{r.planned:.2f}名,"
                f"{_rounded(r.planned)}后为0名,本序列没有单位评为{tier}。")
    shown = [f"{r.sequence_name}({r.n_units}个单位,按比例{r.planned:.2f}名)"
             for r in rows[:MAX_LISTED_SEQUENCES]]
    more = f"等{len(rows)}个序列" if len(rows) > MAX_LISTED_SEQUENCES else ""
    how = _rounded(max(r.planned for r in rows))
    return (f"提示:{'、'.join(shown)}{more}的{tier}按比例{how}后均为0名,这{len(rows)}个序列"
            f"没有单位评为{tier}。")


def quota_warning_sentences(warnings: pd.DataFrame) -> list[str]:
    """Chinese sentences on tiers whose head count broke the plan (``quota_warnings``): one
    per tie that pushed a tier past its quota, and one per tier whose share rounds to no
    unit in some sequences (those sequences named together), in the table's order."""
    items: list[tuple[str, str]] = []  # ("ties", sentence) or ("zero", tier) in order
    zero: dict[str, list] = {}
    for r in warnings.itertuples(index=False):
        if r.kind == "ties":
            items.append(("ties", (f"提示:{r.sequence_name}{r.tier}名额{r.quota}名,与末位总分"
                                  f"并列的单位同入{r.tier},实际{r.actual}名,超出名额{r.over}名,"
                                  "方案规定的比例未能保持。")))
        else:
            if r.tier not in zero:
                items.append(("zero", r.tier))
            zero.setdefault(r.tier, []).append(r)
    return [_zero_sentence(zero[v]) if kind == "zero" else v for kind, v in items]


def quota_summary(warnings: pd.DataFrame) -> list[str]:
    """The chapter's statement on planned tier head counts: the warnings, or one sentence
    saying every sequence kept them."""
    if warnings.empty:
        return [("各序列各等次人数与方案规定的名额或比例一致,没有因总分并列超出名额,"
                "也没有按比例取整为0名的等次。")]
    return quota_warning_sentences(warnings)


def display_quota_warnings(warnings: pd.DataFrame) -> pd.DataFrame:
    """The quota warnings with Chinese headers, for the report table."""
    kind = {"ties": "并列超出名额", "zero": "比例取整为0名"}
    return pd.DataFrame({
        "序列": warnings["sequence_name"], "单位数": warnings["n_units"],
        "等次": warnings["tier"], "情形": warnings["kind"].map(kind),
        "按比例人数": warnings["planned"].map(lambda x: "" if pd.isna(x) else f"{x:.2f}"),
        "名额": warnings["quota"], "实际人数": warnings["actual"], "超出": warnings["over"],
    })


def totals_chart_note(scheme: Scheme) -> str:
    """The totals chart's caption, worded for the scheme's tier method (score lines and
    quota, or a forced distribution by shares) and its rules."""
    rules = scheme.tiers
    labels = list(rules.labels)
    if rules.method == "forced_distribution":
        shares = ":".join(f"{x * 100:g}%" for x in rules.shares)
        text = (f"柱形颜色表示等次。等次按强制分布确定:各序列按总分排序,依次按{shares}的比例"
                f"评为{'、'.join(labels)},没有等次分数线,图中不画分数线")
    else:
        lines = "、".join(f"{t.label}{t.min_total:g}分" for t in rules.thresholds)
        text = "柱形颜色表示等次" + (f",虚线为等次分数线({lines})" if lines else "")
        text += f";{labels[0]}按各序列评优名额确定"
    if rules.disqualifications:
        text += f";有取消评优情形的单位不能评为{labels[0]}"
        if rules.demote_at is not None:
            text += f",有{rules.demote_at}种及以上的直接认定为{labels[-1]}"
    if rules.affirmation is not None:
        cond = f"能评为{rules.affirmation.requires}的" if rules.affirmation.requires else ""
        text += f";{rules.affirmation.name}且{cond}单位不受名额限制,评为{labels[0]}"
    return text + "。"


def display_scores(table: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """The scorecard with Chinese column names and sequence names, for the report table."""
    cols = {"name": "单位", "sequence": "序列"}
    cols |= {c.id: f"{c.name}({c.points:g})" for c in scheme.components}
    cols |= {"bonus": "加分", "penalty": "减分", "total": "总分", "rank": "序列排名",
             "tier": "等次", "tier_reason": "等次依据"}
    if "tier_flags" in table.columns:  # 后k位 rules (所属类别后两位由市委分管领导诫勉谈话)
        cols["tier_flags"] = "后位处理"
    out = table[list(cols)].copy()
    out["sequence"] = out["sequence"].map(lambda s: scheme.sequences.get(str(s), str(s)))
    return out.rename(columns=cols)


def display_margins(margins: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """Margins to tier boundaries with Chinese column names, nearest first."""
    cols = {"name": "单位", "sequence": "序列", "total": "总分", "tier": "等次",
            "nearest": "距最近边界", "margin_down": "可降分数", "boundary_down": "下方边界",
            "gap_up": "升档差距", "boundary_up": "上方边界"}
    out = margins.sort_values(["nearest", "unit_id"], kind="stable").copy()
    # the margins as the printed figures give them, so the table and the sentences agree
    for col, sign, line in (("margin_down", 1, "line_down"), ("gap_up", -1, "line_up")):
        out[col] = [x if math.isnan(x) or math.isnan(ln) else
                    float(max(sign * (shown(t) - shown(ln)), Decimal(0)))
                    for x, t, ln in zip(out[col], out["total"], out[line])]
    out["nearest"] = out[["margin_down", "gap_up"]].min(axis=1)
    out = out[list(cols)]
    out["sequence"] = out["sequence"].map(lambda s: scheme.sequences.get(str(s), str(s)))
    return out.rename(columns=cols)


CUT_PRECISION = 0.1  # points: tier cuts closer than this are "decided by a hair"


def close_cuts(table: pd.DataFrame, scheme: Scheme,
               precision: float = CUT_PRECISION) -> pd.DataFrame:
    """Tier cuts decided by a hair: neighbours in a sequence's ranking that fall in different
    tiers although their totals differ by less than ``precision`` points.

    One row per such pair: sequence, name_above, unit_above, tier_above, total_above,
    name_below, unit_below, tier_below, total_below, gap (points, as printed: the difference
    of the 2-decimal figures). Pairs where a rule (affirmation, demotion, disqualification)
    set either tier are left out: the score did not decide them.
    """
    if not precision > 0:
        raise ValueError(f"precision must be positive, got {precision!r}")
    cols = ["sequence", "name_above", "unit_above", "tier_above", "total_above",
            "name_below", "unit_below", "tier_below", "total_below", "gap"]
    rows: list[dict[str, object]] = []
    for seq, grp in table.groupby("sequence", sort=True):
        grp = grp.sort_values(["total", "unit_id"], ascending=[False, True], kind="stable")
        recs = list(grp.itertuples(index=False))
        for a, b in itertools.pairwise(recs):
            if a.tier == b.tier:
                continue
            if {getattr(a, "tier_basis", ""), getattr(b, "tier_basis", "")} & RULE_BASES:
                continue
            if float(a.total) - float(b.total) < precision - 1e-12:
                rows.append({"sequence": str(seq), "name_above": a.name, "unit_above": a.unit_id,
                             "tier_above": a.tier, "total_above": float(a.total),
                             "name_below": b.name, "unit_below": b.unit_id,
                             "tier_below": b.tier, "total_below": float(b.total),
                             "gap": float(shown(a.total) - shown(b.total))})
    return pd.DataFrame(rows, columns=cols)


def close_cut_sentences(cuts: pd.DataFrame, scheme: Scheme,
                        precision: float = CUT_PRECISION) -> list[str]:
    """Chinese sentences naming each cut decided by a hair (none: one sentence saying so)."""
    if cuts.empty:
        return [(f"各序列相邻等次之间的分差都不小于{precision:g}分,"
                 f"没有由不足{precision:g}分的分差决定等次的情形。")]
    out = []
    for r in cuts.itertuples(index=False):
        seq = scheme.sequences.get(str(r.sequence), str(r.sequence))
        same = "总分相同" if r.gap == 0 else f"仅相差{fmt(r.gap)}分"
        out.append(f"{seq}:{r.name_above}({fmt(r.total_above)}分,{r.tier_above})与"
                   f"{r.name_below}({fmt(r.total_below)}分,{r.tier_below}){same},"
                   f"小于{precision:g}分的判别精度,等次实际由极小的分差决定。")
    return out


def display_cuts(cuts: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """Close cuts with Chinese column names, for the report table."""
    cols = {"sequence": "序列", "name_above": "上一等次单位", "tier_above": "等次",
            "total_above": "总分", "name_below": "下一等次单位", "tier_below": "等次 ",
            "total_below": "总分 ", "gap": "分差"}
    out = cuts[list(cols)].copy()
    out["sequence"] = out["sequence"].map(lambda s: scheme.sequences.get(str(s), str(s)))
    return out.rename(columns=cols)


# --- indicator-level detail and the workbook for people (issue 14, item 11) -------------

MISSING_ZH = {"": "", "zero": "缺数记0分", "reweight": "不适用(分值分给同组其他指标)"}


def _leaf_groups(scheme: Scheme) -> dict[str, str]:
    """Leaf id -> the names of its component and groups, outermost first ("经济发展/工业")."""
    out: dict[str, str] = {}

    def walk(nodes: list[object], path: list[str]) -> None:
        for node in nodes:
            if isinstance(node, Group):
                walk(node.children, [*path, node.name])
            else:
                out[node.id] = "/".join(path)  # type: ignore[attr-defined]

    for comp in scheme.components:
        walk(list(comp.children or []), [comp.name] if len(scheme.components) > 1 else [])
    return out


def score_detail(data: Dataset, scheme: Scheme, year: int) -> pd.DataFrame:
    """Per unit × indicator: what was scored and how many points it earned.

    Columns: unit_id, name, sequence, indicator, indicator_name, group (its groups' names),
    method, basis, value (the year's), previous (the year before, for growth/increment),
    basis_value (the quantity scored: level, increment or growth), target (completion),
    fraction (completion ratio or efficacy/min–max/rank share of the points), points
    (earned), points_possible (after any reweighting), missing (rule applied to a gap);
    for a 增量+增速 blend also blend_basis, blend_basis_value, blend_target (the second
    half) and alpha (the weight of the first), empty/NaN for other indicators.
    Units in scorecard order (sequence, unit_id); indicators in scheme order.
    """
    leaves = leaf_scores(data, scheme, year)
    units = data.units.set_index("unit_id")
    meta = {i.id: i for i in scheme.indicators()}
    groups = _leaf_groups(scheme)
    out = pd.DataFrame({
        "unit_id": leaves["unit_id"],
        "name": leaves["unit_id"].map(units["name"]),
        "sequence": leaves["unit_id"].map(units["sequence"]),
        "indicator": leaves["indicator"], "indicator_name": leaves["name"],
        "group": leaves["indicator"].map(groups),
        "method": leaves["indicator"].map(lambda i: meta[i].method),
        "basis": leaves["basis"], "value": leaves["value"], "previous": leaves["previous"],
        "basis_value": leaves["basis_value"], "target": leaves["target"],
        "fraction": leaves["fraction"], "points": leaves["score"],
        "points_possible": leaves["points"], "missing": leaves["missing"],
        "blend_basis": leaves["blend_basis"], "blend_basis_value": leaves["blend_basis_value"],
        "blend_target": leaves["blend_target"], "alpha": leaves["alpha"],
    })
    order = {i.id: k for k, i in enumerate(scheme.indicators())}
    out = out.assign(_k=out["indicator"].map(order)).sort_values(
        ["sequence", "unit_id", "_k"], kind="stable").drop(columns="_k")
    num = ["value", "previous", "basis_value", "target", "fraction", "points",
           "points_possible", "blend_basis_value", "blend_target", "alpha"]
    out[num] = out[num].astype(float).round(6)
    return out.reset_index(drop=True)


def display_detail(detail: pd.DataFrame, scheme: Scheme, blend: bool = True) -> pd.DataFrame:
    """The detail with Chinese headers, method / basis / sequence names in Chinese; with
    ``blend`` (the workbook) also the second half of 增量+增速 indicators when there are any
    (the console leaves them out: it has no room)."""
    cols = {"name": "单位", "sequence": "序列", "indicator_name": "指标", "group": "所属",
            "method": "计分方法", "basis": "计分基础", "value": "本年值", "previous": "上年值",
            "basis_value": "计分值", "target": "目标值", "fraction": "得分率",
            "points": "得分", "points_possible": "满分", "missing": "缺数处理"}
    blended = blend and "blend_basis" in detail.columns and bool(
        (detail["blend_basis"].fillna("") != "").any())
    if blended:  # 增量+增速: the second half's quantity and target, and the weight α
        cols.update({"blend_basis": "混合计分基础", "blend_basis_value": "混合计分值",
                     "blend_target": "混合目标值", "alpha": "本口径权重α"})
    out = detail[list(cols)].copy()
    if blended:
        out["blend_basis"] = out["blend_basis"].map(lambda b: BASIS_ZH.get(b, b))
    out["sequence"] = out["sequence"].map(lambda s: scheme.sequences.get(str(s), str(s)))
    out["method"] = out["method"].map(lambda m: METHOD_ZH.get(m, m))
    out["basis"] = out["basis"].map(lambda b: BASIS_ZH.get(b, b))
    out["missing"] = out["missing"].map(lambda m: MISSING_ZH.get(m, m))
    return out.rename(columns=cols)


def display_breakdown_wide(parts: pd.DataFrame, table: pd.DataFrame,
                           scheme: Scheme) -> pd.DataFrame:
    """The score breakdown wide: one row per unit, one column per part, then the total."""
    names = list(dict.fromkeys(parts["part_name"]))
    wide = (parts.pivot_table(index="unit_id", columns="part_name", values="points",
                              aggfunc="sum", sort=False)
            .reindex(columns=names) + 0.0)  # + 0.0: no "-0.00" for a zero penalty
    base = table[["unit_id", "name", "sequence"]].copy()
    base["sequence"] = base["sequence"].map(lambda s: scheme.sequences.get(str(s), str(s)))
    out = base.join(wide, on="unit_id").drop(columns="unit_id")
    out["总分"] = table["total"].to_numpy(dtype=float)
    return out.rename(columns={"name": "单位", "sequence": "序列"}).reset_index(drop=True)


PEOPLE_SHEETS = ("成绩表", "得分构成", "指标明细")


def people_sheets(table: pd.DataFrame, parts: pd.DataFrame, detail: pd.DataFrame,
                  scheme: Scheme) -> dict[str, pd.DataFrame]:
    """The workbook sheets for readers: Chinese headers and names, numbers at 2 decimals
    (half-up, ``rounding``): 成绩表 (scores and tiers), 得分构成 (breakdown, wide),
    指标明细 (unit × indicator detail)."""
    sheets = [display_scores(table, scheme), display_breakdown_wide(parts, table, scheme),
              display_detail(detail, scheme)]
    return {name: round_frame(df) for name, df in zip(PEOPLE_SHEETS, sheets, strict=True)}


def missing_sentences(detail: pd.DataFrame, scheme: Scheme) -> list[str]:
    """How the scheme treats missing values, and every gap the year's scoring filled by
    rule (unit, indicator, rule), from ``score_detail``."""
    rules = {scheme.missing_rule(i) for i in scheme.indicators() if i.event is None}
    says = {"error": "缺数时不计分,须补齐数据", "zero": "缺数的指标记0分",
            "reweight": "缺数的指标按“不适用”处理,其分值按比例分给同组其他指标"}
    own = [i for i in scheme.indicators() if i.missing is not None and i.missing != scheme.missing]
    text = f"缺数处理规则:{says[scheme.missing]}"
    if own:
        text += ";另有" + "、".join(f"“{i.name}”{says[i.missing]}" for i in own)  # type: ignore[index]
    out = [text + "。"]
    gaps = detail.loc[detail["missing"] != ""]
    if gaps.empty:
        if rules != {"error"}:
            out.append("本年度没有缺数的指标。")
        return out
    bits = []
    for (name, uid), grp in gaps.groupby(["name", "unit_id"], sort=False):
        items = "、".join(f"“{r.indicator_name}”({MISSING_ZH[r.missing]})"
                         for r in grp.itertuples(index=False))
        bits.append(f"{name}({uid}):{items}")
    out.append(f"本年度共有{len(gaps)}项指标缺数,已按规则处理:" + ";".join(bits) + "。")
    return out


DETAIL_ROWS_SHOWN = 600  # a larger detail table goes to scores.xlsx only (report stays light)


def detail_note(n_rows: int, limit: int = DETAIL_ROWS_SHOWN) -> list[str]:
    """Where to find the indicator detail: below (small panels) or in scores.xlsx."""
    if n_rows <= limit:
        return ["下表列出每个单位每项指标的得分明细,完整数据另见 scores.xlsx 的“指标明细”工作表。"]
    return [(f"指标得分明细共{n_rows}行,超过报告正文列示的上限({limit}行),"
             "请查阅 scores.xlsx 的“指标明细”工作表。")]
