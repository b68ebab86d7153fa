"""The annual brief's sentences. The reply first (``reply_sections``: 结论, one 答复要点 per
suggestion, 说明 — at most two pages), from ``reply.Reply``; then the annexes' sentences
(证据 / 方案 / 后续处理 / 与上年相比) from ``brief_facts``, the trade-offs table, the
follow-up tables, the study status and the diffs. Every number comes from those tables,
each sentence names its table by its Chinese name, and every sentence passes
``wording.sentence_problems``.

The brief's facts: ``perfanalysis.report.brief``; its figures:
``perfanalysis.report.figures.brief``; chapter ``notebooks/05_brief.py``.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from .. import wording as wd
from ..brief import SHOWN_IN
from ..diff import STATUS_ZH
from ..reply import RULES, UNDECIDED_RHO, Reply, size_name
from ..wording import SAME_EVERY_RESAMPLE, SINGLE_POINT, count_units, num, pct, single_point

#: result tables by their Chinese names (citations never show a table id)
TABLE_ZH: dict[str, str] = {
    "scores": "成绩表", "tier_margins": "距等次边界的分差表", "tier_history": "逐年等次表",
    "tier_followups": "连续低等次后续处理表", "tier_probabilities": "等次概率表",
    "tier_uncertainty_summary": "等次不确定性汇总表", "fairness_top_chance": "进入最高等次概率表",
    "fairness_size_dependence": "得分与规模相关系数表", "targets_backtest": "目标回测表",
    "targets_summary": "目标回测汇总表", "targets_rule_means": "目标完成比例的指标平均表",
    "brief_tradeoffs": "各方案利弊表",
    "reward_cost": "奖励成本表", "followups_alternatives": "替代方案下的后续处理表",
    "data_revisions": "数据修订表", "unit_changes": "单位变化表", "scheme_changes": "方案变化表",
    "alternatives_targets": "差异化目标替代方案表",
    "alternatives_fairness": "增量与增速替代方案表",
    "alternatives_weightings": "替代权重方案表", "brief_alternatives": "经济指标替代方案排序表",
    "quota_warnings": "等次人数与计划比例表",
}


def _share_ci(v: pd.Series, key: str, extra: str = "") -> str:
    """'60.2%(55.1%至65.0%,extra)': a share with its interval from facts ``key``/``_lo``/
    ``_hi`` and ``extra`` in the same brackets (a collapsed interval said to show no
    uncertainty; no interval without bounds)."""
    lo, hi = v.get(f"{key}_lo", math.nan), v.get(f"{key}_hi", math.nan)
    if single_point(lo, hi):
        inside = [SINGLE_POINT]
    elif math.isnan(lo) or math.isnan(hi):
        inside = []
    else:
        inside = [f"{_pct(lo)}至{_pct(hi)}"]
    inside += [extra] if extra else []
    return _pct(v[key]) + (f"({','.join(inside)})" if inside else "")


def cite(*tables: str) -> str:
    """A citation: the tables and where the report shows them."""
    bits = []
    for t in tables:
        where = SHOWN_IN.get(t)
        name = TABLE_ZH.get(t, "结果表")
        bits.append(f"{name}" + (f",见{where}" if where else ""))
    return "(来源:" + ";".join(bits) + ")"


MAX_LISTED_CHANCES = 4
#: focus units written in prose (more go to a table)
MAX_FOCUS_PROSE = 3
MAX_LISTED_ALTERNATIVES = 5


def _span(values: pd.Series, digits: int = 2) -> str:
    v = values.dropna()
    if not len(v):
        return "—"
    lo, hi = num(float(v.min()), digits), num(float(v.max()), digits)
    return lo if lo == hi else f"{lo}至{hi}"


def _study_range_sentence(grp: pd.DataFrame) -> str:
    """One sentence for a study with many alternatives: the ranges of its effects."""
    r0 = grp.iloc[0]
    most = int(grp["tier_changes"].max())
    bits = ["均不改变任何单位的等次" if most == 0 else
            f"等次改变的单位数为{_span(grp['tier_changes'].astype(float), 0)}个"]
    if grp["size_rho"].notna().any():
        bits.append(f"总分与规模的相关系数ρ为{_span(grp['size_rho'])}(各方案的区间见表)")
    if grp["rank_volatility"].notna().any():
        bits.append(f"测量误差下排名的标准差平均{_span(grp['rank_volatility'])}位")
    tiers = [t for t in dict.fromkeys(grp["focus_tier"]) if t]
    if tiers:
        bits.append(f"重点单位等次为{'或'.join(tiers)}")
    return (f"“{r0['study_name']}”测算了{len(grp)}个方案(从“{one_decimal(grp['alternative'].iloc[0])}”"
            f"到“{one_decimal(grp['alternative'].iloc[-1])}”):" + ",".join(bits) + ",逐项见表"
            + cite("brief_tradeoffs", f"alternatives_{r0['study']}") + "。")


def _rho_detail(lo: float | None, hi: float | None, n: float | None) -> str:
    """'90%置信区间−0.30至0.33,31个单位,' for a trade-offs ρ (what is known of the two)."""
    bits = []
    if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
        bits.append(wd.interval(lo, hi))
    if n is not None and math.isfinite(n):
        bits.append(f"{int(n)}个单位")
    return "".join(f"{b}," for b in bits)


def _pct(p: float) -> str:
    return pct(p)


def one_decimal(label: str) -> str:
    """Percentages inside a label (a study's alternative name) to one decimal."""
    return re.sub(r"(\d+(?:\.\d+)?)%", lambda m: f"{float(m.group(1)):.1f}%", str(label))


def _num(x: float, digits: int = 2) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _get(f: pd.DataFrame, topic: str, statistic: str) -> pd.Series | None:
    sel = f.loc[(f["topic"] == topic) & (f["statistic"] == statistic)]
    return sel.iloc[0] if len(sel) else None


#: target rules written out in the brief's prose (more: the range, and the rules in a table)
MAX_LISTED_RULES = 2
#: the caption of the brief's table of target shares met per rule (display_target_means)
TARGET_MEANS_CAPTION = "各目标规则的目标完成比例"


def _targets_sentence(tg: pd.DataFrame) -> str:
    """The share of targets met per rule, averaged over indicators, overall and by small and
    large units, each with its interval and n (facts of topic 'targets_equity'). Up to
    ``MAX_LISTED_RULES`` rules are written out; with more, the sentence gives the lowest and
    the highest overall share and points to the table of every rule (a list of nine rules
    with three intervals each is not a sentence a reader can follow)."""
    level, rules = 0.9, []
    for rule, grp in tg.groupby("alternative", sort=False):
        v = grp.set_index("statistic")["value"]
        level = float(v.get("level", level))
        rules.append((str(rule), v))

    def overall(v: pd.Series) -> str:
        return _share_ci(v, "share_met", f"共{int(v['n'])}个单位年、{int(v['indicators'])}个指标")

    head = f"历年目标回测的完成比例(各指标平均;括号内为按单位重抽样的{level:.0%}区间"
    if len(rules) <= MAX_LISTED_RULES:
        bits = []
        for rule, v in rules:
            text = f"按“{rule}”全体完成{overall(v)}"
            if not (math.isnan(v["small_met"]) or math.isnan(v["large_met"])):
                text += (f",小单位{_share_ci(v, 'small_met')}、"
                         f"大单位{_share_ci(v, 'large_met')}")
            bits.append(text)
        return (head + ",各指标的比例见“差异化目标”一章):" + ";".join(bits)
                + cite("targets_rule_means") + "。")
    ranked = sorted((rv for rv in rules if math.isfinite(float(rv[1]["share_met"]))),
                    key=lambda rv: float(rv[1]["share_met"]))
    span = ""
    if ranked:
        (lo_rule, lo_v), (hi_rule, hi_v) = ranked[0], ranked[-1]
        span = (f"全体完成比例最低的是“{lo_rule}”的{overall(lo_v)},"
                f"最高的是“{hi_rule}”的{overall(hi_v)};")
    collapsed = any(single_point(v.get(f"{k}_lo", math.nan), v.get(f"{k}_hi", math.nan))
                    for _, v in rules for k in ("share_met", "small_met", "large_met"))
    note = f";表中“{SAME_EVERY_RESAMPLE}”表示{SINGLE_POINT}" if collapsed else ""
    return (head + f"):{len(rules)}种目标规则中," + span
            + f"各规则全体、小单位和大单位的比例及区间见本附件“{TARGET_MEANS_CAPTION}”表"
            + note + cite("targets_rule_means") + "。")


def general_sentences(facts: pd.DataFrame, size_col: str | None) -> list[str]:
    """Evidence about all units (facts with unit_id ""): size dependence, targets met by
    small and large units, expected tier changes under measurement noise."""
    g = facts.loc[facts["unit_id"] == ""]
    out: list[str] = []
    rho = g.loc[(g["topic"] == "size") & (g["source"] == "brief_tradeoffs")]
    if len(rho):
        v = rho.set_index("statistic")["value"]
        out.append(f"现行方案下,本年度总分与单位规模({size_name(size_col)})的等级相关系数ρ为"
                   f"{num(v['size_rho'])}"
                   f"({_rho_detail(v.get('size_rho_lo'), v.get('size_rho_hi'), v.get('size_n'))}"
                   "序列内计算,正值表示规模越大得分越高)"
                   f"{cite('brief_tradeoffs')}。")
    dep = g.loc[g["source"] == "fairness_size_dependence"]
    if len(dep):
        bits = []
        for variant, grp in dep.groupby("alternative", sort=False):
            v = grp.set_index("statistic")["value"]
            bits.append(f"按{variant}计分ρ={num(v['rho'])}(区间{num(v['rho_lo'])}至"
                        f"{num(v['rho_hi'])})")
        out.append("增量与增速研究中主要指标得分与规模的相关系数:" + ";".join(bits)
                   + cite("fairness_size_dependence") + "。")
    tg = g.loc[g["topic"] == "targets_equity"]
    if len(tg):
        out.append(_targets_sentence(tg))
    noise = g.loc[g["topic"] == "noise"].set_index("statistic")["value"]
    if "expected_changes" in noise.index:
        out.append(f"考虑测量误差({int(noise['draws'])}次模拟),预计平均有"
                   f"{noise['expected_changes']:.1f}个单位的等次会与现行结果不同"
                   f"{cite('tier_uncertainty_summary')}。")
    return out


def evidence_sentences(facts: pd.DataFrame, year: int, top_label: str,
                       size_col: str | None = None) -> list[str]:
    """The 证据 section: evidence about all units (``general_sentences``), then for each
    focus unit this year's result and margins, tiers by year and follow-ups, tier
    probabilities under the noise model."""
    out: list[str] = general_sentences(facts, size_col)
    units = list(dict.fromkeys(facts.loc[facts["unit_id"] != "", "unit_id"]))
    if len(units) > MAX_FOCUS_PROSE:
        out.append(f"以下只写前{MAX_FOCUS_PROSE}个重点单位,全部{len(units)}个重点单位的数字见"
                   f"证据明细表。")
    keep = facts["unit_id"].isin(units[:MAX_FOCUS_PROSE])
    for uid, f in facts.loc[keep].groupby("unit_id", sort=False):
        name = str(f["name"].iloc[0])
        total, rank = _get(f, "score", "total"), _get(f, "score", "rank")
        n, tier = _get(f, "score", "n_sequence"), _get(f, "score", "tier")
        if total is not None and rank is not None and n is not None and tier is not None:
            out.append(f"{name}{year}年总分{total['value']:.2f}分,在同序列{int(n['value'])}个单位中"
                       f"排第{int(rank['value'])}位,等次为{tier['label']}{cite(total['source'])}。")
        down, up = _get(f, "margin", "margin_down"), _get(f, "margin", "gap_up")
        bits = []
        if down is not None and not math.isnan(down["value"]):
            bits.append(f"比{down['label']}高{down['value']:.2f}分")
        if up is not None and not math.isnan(up["value"]):
            bits.append(f"距{up['label']}还差{up['value']:.2f}分")
        if bits:
            out.append(f"{name}" + ",".join(bits) + cite("tier_margins") + "。")
        hist = f.loc[f["topic"] == "history"]
        if len(hist):
            seq = "、".join(f"{r.alternative}年{r.label}(第{int(r.value)}位)"
                           for r in hist.itertuples(index=False))
            n_top = int((hist["label"] == top_label).sum())
            out.append(f"{name}历年等次:{seq};{len(hist)}年中评为{top_label}{n_top}年"
                       f"{cite('tier_history')}。")
        fu = f.loc[f["topic"] == "followup"]
        for r in fu.itertuples(index=False):
            out.append(f"{name}截至{r.alternative}年已连续{int(r.value)}年处于同一低等次,"
                       f"按规定应{r.label}{cite('tier_followups')}。")
        p = _get(f, "probability", "p_official")
        if p is not None:
            ptop = _get(f, "probability", f"p_{top_label}")
            lo, hi = _get(f, "probability", "rank_p05"), _get(f, "probability", "rank_p95")
            text = (f"考虑测量误差后,{name}保持{p['label']}的概率为{_pct(p['value'])}")
            if ptop is not None and p["label"] != top_label:
                text += f",评为{top_label}的概率为{_pct(ptop['value'])}"
            if lo is not None and hi is not None:
                text += f",排名的90%区间为第{lo['value']:g}至第{hi['value']:g}位"
            out.append(text + cite("tier_probabilities") + "。")
    return out


def option_sentences(facts: pd.DataFrame, trade: pd.DataFrame, alt_flags: pd.DataFrame,
                     top_label: str, size_col: str | None, reward_note: str = "") -> list[str]:
    """The 建议 section: each alternative's measured effects (trade-offs table), what each
    does for the focus units (alternatives_*, fairness_top_chance, targets_backtest) and
    the follow-ups each alternative would trigger."""
    out: list[str] = []
    if len(trade) <= 1:
        out.append("目前没有可比较的替代方案(差异化目标、增量与增速、替代权重三项研究的"
                   "替代方案表均未生成),暂不能给出有测算依据的建议。")
    official = trade.iloc[0] if len(trade) else None
    for study, grp in trade.iloc[1:].groupby("study", sort=False):
        if len(grp) > MAX_LISTED_ALTERNATIVES:
            out.append(_study_range_sentence(grp))
            continue
        for r in grp.itertuples(index=False):
            bits = ["与现行方案相比" + count_units(int(r.tier_changes), "单位", "等次改变")]
            if not math.isnan(r.size_rho):
                detail = _rho_detail(r.size_rho_lo, r.size_rho_hi, r.size_n)
                bits.append(f"总分与规模的相关系数ρ为{num(r.size_rho)}"
                            + (f"({detail[:-1]})" if detail else ""))
            if not math.isnan(r.rank_volatility):
                bits.append(f"测量误差下排名的标准差平均{r.rank_volatility:.2f}位")
            if r.focus_tier:
                bits.append(f"重点单位等次为{r.focus_tier}")
            out.append(f"方案“{one_decimal(r.alternative)}”({r.study_name}):" + ",".join(bits)
                       + cite("brief_tradeoffs", f"alternatives_{study}") + "。")
    if official is not None and not math.isnan(official["reward_cost"]):
        priced = trade.iloc[1:].dropna(subset=["reward_cost"])
        text = f"现行方案的奖励成本为{official['reward_cost']:,.0f}元"
        if len(priced):
            text += (f",各替代方案为{priced['reward_cost'].min():,.0f}至"
                     f"{priced['reward_cost'].max():,.0f}元")
        out.append(text + (cite("brief_tradeoffs") if len(priced)
                           else cite("brief_tradeoffs", "reward_cost")) + "。")
    if reward_note:
        out.append(reward_note)
    units = list(dict.fromkeys(facts.loc[facts["unit_id"] != "", "unit_id"]))
    keep = facts["unit_id"].isin(units[:MAX_FOCUS_PROSE])
    for uid, f in facts.loc[keep].groupby("unit_id", sort=False):
        name = str(f["name"].iloc[0])
        alt = f.loc[f["topic"] == "alternative"]
        if len(alt):
            yes = [one_decimal(r.alternative) for r in alt.itertuples(index=False)
                   if r.label == top_label]
            srcs = sorted(set(alt["source"]))
            shown_yes = "、".join(yes[:MAX_LISTED_CHANCES]) + ("等" if len(yes) >
                                                               MAX_LISTED_CHANCES else "")
            out.append((f"{name}在{len(alt)}个替代方案中有{len(yes)}个能评为{top_label}"
                        f"({shown_yes})" if yes else
                        f"{name}在{len(alt)}个替代方案中均未能评为{top_label}")
                       + cite(*srcs) + "。")
        ch = f.loc[f["topic"] == "top_chance"]
        if len(ch) > MAX_LISTED_CHANCES:
            hi = ch.loc[ch["value"].idxmax()]
            lo = ch.loc[ch["value"].idxmin()]
            out.append(f"考虑测量误差后,{name}在{len(ch)}种计分方式下进入{top_label}的概率最高为"
                       f"{_pct(hi['value'])}({one_decimal(hi['alternative'])}),最低为"
                       f"{_pct(lo['value'])}({one_decimal(lo['alternative'])})"
                       f"{cite('fairness_top_chance')}。")
        elif len(ch):
            bits = "、".join(f"{one_decimal(r.alternative)}下{_pct(r.value)}"
                             for r in ch.itertuples(index=False))
            out.append(f"考虑测量误差后,{name}进入{top_label}的概率:{bits}"
                       f"{cite('fairness_top_chance')}。")
        tg = f.loc[f["topic"] == "targets"]
        if len(tg):
            bits = []
            for rule, grp in tg.groupby("alternative", sort=True):
                met = grp.loc[grp["statistic"] == "met", "value"].iloc[0]
                n = grp.loc[grp["statistic"] == "targets", "value"].iloc[0]
                bits.append(f"按“{rule}”完成{int(met)}/{int(n)}项")
            out.append(f"{name}{tg['label'].iloc[0]}年各目标规则下的目标完成情况(回测):"
                       f"{';'.join(bits)}"
                       f"{cite('targets_backtest')}。")
    if len(alt_flags):
        n_alts = len(trade) - 1
        for (uid, cons), grp in alt_flags.groupby(["unit_id", "consequence"], sort=False):
            name = str(grp["name"].iloc[0])
            also = ("现行方案下同样触发" if bool(grp["official_triggers"].iloc[0])
                    else "现行方案下不触发")
            alts_ = list(dict.fromkeys(grp["alternative"]))
            where = (f"全部{n_alts}个替代方案下" if len(alts_) == n_alts
                     else f"{len(alts_)}个替代方案(" + "、".join(
                         one_decimal(a) for a in alts_[:MAX_LISTED_CHANCES])
                     + ("等" if len(alts_) > MAX_LISTED_CHANCES else "") + ")下")
            out.append(f"{name}在{where}本年度都会触发{cons}({also})"
                       f"{cite('followups_alternatives')}。")
    return out


def followup_sentences(flags: pd.DataFrame, year: int, rules_text: str) -> list[str]:
    """Who triggers a follow-up rule this year under the official scheme (``rules_text``
    empty: the scheme has no follow-up rules)."""
    if not rules_text:
        return ["本考核方案没有对连续处于低等次的单位作后续处理的规定。"]
    now = flags.loc[flags["year"] == year] if len(flags) else flags
    if not len(now):
        return [(f"按{rules_text},{year}年现行方案下没有单位触发后续处理"
                f"{cite('tier_followups')}。")]
    names = "、".join(f"{r.name}(连续{int(r.run)}年{r.tier},{r.consequence})"
                      for r in now.itertuples(index=False))
    return [f"按{rules_text},{year}年触发后续处理的单位:{names}{cite('tier_followups')}。"]


def missing_sentences(status: pd.DataFrame) -> list[str]:
    """Which studies have not produced their tables (the brief covers what exists)."""
    lost = status.loc[status["status"] != "完成"]
    if not len(lost):
        return ["四项研究和年度总览的结果表均已生成,本简报涵盖全部内容。"]
    out = []
    for r in lost.itertuples(index=False):
        lost_n = len([t for t in str(r.missing).split(",") if t.strip()])
        what = "尚未生成结果表" if r.status == "缺失" else f"缺少{lost_n}张结果表"
        out.append(f"“{r.study_name}”一章{what},本简报未涵盖依赖这些表的内容。")
    return out


MAX_LISTED_CHANGES = 8


def diff_sentences(revisions: pd.DataFrame | None, units: pd.DataFrame | None,
                   scheme_changes: pd.DataFrame | None,
                   new_years: list[int] | None = None) -> list[str]:
    """The 与上年相比 section: counts of data revisions and unit changes, scheme changes
    counted by section with the first few described (tables data_revisions, unit_changes,
    scheme_changes)."""
    out: list[str] = []
    if new_years:
        out.append(f"本次数据新增{'、'.join(str(y) for y in new_years)}年的数据(不计为修订)。")
    if revisions is not None:
        if len(revisions):
            counts = revisions.groupby(["table_name", "status"]).size()
            bits = "、".join(f"{t}{STATUS_ZH[s]}{n}项" for (t, s), n in counts.items())
            years = sorted({int(y) for y in revisions["year"]})
            out.append(f"与上年数据相比:{bits},涉及{years[0]}—{years[-1]}年"
                       f"{cite('data_revisions')}。")
        else:
            out.append("与上年数据相比,相同单位、年度和指标的数值没有变化" + cite("data_revisions")
                       + "。")
    if units is not None and len(units):
        out.append("单位变化:" + "、".join(f"{r.name}({STATUS_ZH[r.status]})"
                                        for r in units.itertuples(index=False))
                   + cite("unit_changes") + "。")
    if scheme_changes is not None:
        if len(scheme_changes):
            counts = scheme_changes.groupby("section", sort=False).size()
            listed = list(scheme_changes["description"])[:MAX_LISTED_CHANGES]
            rest = len(scheme_changes) - len(listed)
            out.append(f"考核方案共有{len(scheme_changes)}处变化("
                       + "、".join(f"{k}{n}处" for k, n in counts.items()) + "):"
                       + ";".join(listed) + (f";其余{rest}处见表" if rest else "")
                       + cite("scheme_changes") + "。")
        else:
            out.append("考核方案与上年相同" + cite("scheme_changes") + "。")
    return out


def skipped_sentences(skipped: pd.DataFrame) -> list[str]:
    """Years of the data the scheme cannot score, with the first reason."""
    if not len(skipped):
        return []
    years = "、".join(str(int(y)) for y in skipped["year"])
    return [(f"{years}年的数据不足以按本方案计分,逐年等次不含这些年度"
            f"(以{int(skipped['year'].iloc[-1])}年为例:{skipped['reason'].iloc[-1]})。")]


# --- the reply (结论, 答复要点, 说明) ------------------------------------------------------

_VERDICT_HEAD = {
    "favours_large": "现行方案下小单位仍然吃亏",
    "favours_small": "现行方案下小单位并不吃亏",
    "no_sign": "现行方案下未见小单位吃亏",
}
_VERDICT_WHY = {
    "favours_large": "规模越大得分越高",
    "favours_small": "规模越小得分反而越高",
    "no_sign": "未见得分随规模增大而升高",
    "undecided": "区间包含0,方向不能确定",
}


def _why(row: pd.Series) -> str:
    """What a size dependence shows, by its verdict; 'no rise seen' also says, when the
    interval reaches |ρ| = 0.3 above zero, that a rise cannot be ruled out (Yiyang's −0.19
    with 8 units reaches 0.44; n is in the brackets before it): the rule's category stands,
    the 结论 claims no more than the interval allows (the 答复要点 below it do not repeat
    it: the reply keeps to two pages)."""
    text = _VERDICT_WHY[row["verdict"]]
    hi = float(row["rho_hi"])
    if row["verdict"] == "no_sign" and math.isfinite(hi) and hi >= UNDECIDED_RHO:
        text += f",但区间上限达{wd.num(hi)},不能排除得分随规模升高"
    return text


def reply_title(reply: Reply) -> str:
    """The reply's title: the proposal it answers, or the generic question of the scheme."""
    p = reply.proposal
    if p is None:
        return "关于现行考核方案对不同规模单位影响的评估意见"
    return f"关于{p.heading}的答复要点"


def question_text(reply: Reply) -> str:
    """The proposal's question (its file), or the generic question without one."""
    if reply.proposal is not None:
        return reply.proposal.question
    a, b = reply.block.bases
    if not reply.block.leaves:
        return "现行方案下,规模较小的单位总分是否偏低?"
    if not b:
        return f"现行方案对经济指标按{a}计分,规模较小的单位是否吃亏?"
    return f"现行方案对经济指标既考{a}也考{b},规模较小的单位是否仍然吃亏?"


def _stat(row: pd.Series, level: float) -> str:
    groups = int(row["groups"])
    n = f"{int(row['n'])}个单位" + (f",{groups}个序列内分别计算" if groups > 1 else "")
    return (f"ρ={wd.num(row['rho'])}({wd.interval(row['rho_lo'], row['rho_hi'], level)},"
            f"{n})")


def _size_row(reply: Reply, measure: str) -> pd.Series | None:
    sel = reply.sizes.loc[reply.sizes["measure"] == measure]
    return sel.iloc[0] if len(sel) else None


def _evidence_row(reply: Reply) -> pd.Series | None:
    """The block's size row, or the total's when the scheme has no economic block."""
    row = _size_row(reply, "block")
    return row if row is not None else _size_row(reply, "total")


def conclusion_paragraph(reply: Reply, top_label: str) -> str:
    """结论: the sign-aware answer from the block as scored (its size dependence with
    interval and n), the group and the total beside it, and the smaller half's top tiers."""
    blk = _evidence_row(reply)
    wd_size = size_name(reply.size_col)
    if blk is None:
        return "结论:单位名单中没有规模数据(如常住人口),无法判断考核结果是否随单位规模变化。"
    if blk["measure"] == "total":  # no block: the total is all there is
        v = blk["verdict"]
        head = (_VERDICT_HEAD[v] if v in _VERDICT_HEAD
                else f"{int(blk['n'])}个单位不足以判断现行方案下小单位是否吃亏")
        return (f"结论:{head}。现行方案没有按增量、增速计分的经济指标,按总分判断:总分与"
                f"{wd_size}的等级相关系数{_stat(blk, float(blk['level']))},{_why(blk)}。")
    v = blk["verdict"]
    head = (_VERDICT_HEAD[v] if v in _VERDICT_HEAD
            else f"{int(blk['n'])}个单位不足以判断现行方案下小单位是否吃亏")
    level = float(blk["level"])
    text = (f"结论:{head}。按现行方案实际计分,{blk['label']}(满分{blk['points']:g}分)"
            f"得分与{wd_size}的等级相关系数{_stat(blk, level)},{_why(blk)}。")
    others = []
    tot = _size_row(reply, "total")
    if tot is not None:
        others.append(f"总分ρ={wd.num(tot['rho'])}"
                      f"({wd.interval(tot['rho_lo'], tot['rho_hi'], level)})")
    if others:
        text += "作为参照," + ";".join(others) + ",总分含其他一级指标,不作为判断依据。"
    s = reply.block.scores.dropna(subset=["size"])
    if len(s):
        r = s.groupby("sequence")["size"].rank(method="first")
        n_seq = s.groupby("sequence")["size"].transform("size")
        small = s.loc[r <= n_seq // 2]
        k = int((small["tier"] == top_label).sum())
        n_top = int((s["tier"] == top_label).sum())
        text += (f"本年度评为{top_label}的{n_top}个单位中,"
                 + (f"{k}个属于各序列规模较小的一半单位" if k else
                    "没有单位属于各序列规模较小的一半单位") + "。"
                 if n_top else f"本年度没有单位评为{top_label}。")
    return text


def focus_sentence(reply: Reply, max_units: int = 3) -> list[str]:
    """At most ``max_units`` focus units of the proposal in one sentence each: total, place,
    tier and the block's points (more go to a table)."""
    s = reply.block.scores.set_index("unit_id")
    row = _size_row(reply, "block")
    blk_label = str(row["label"]) if row is not None else "经济指标"
    out = []
    for uid in reply.focus[:max_units]:
        if uid not in s.index:
            continue
        r = s.loc[uid]
        seq = s.loc[s["sequence"] == r["sequence"]]
        place = int((seq["total"] > r["total"]).sum()) + 1
        out.append(f"{r['name']}{reply.year}年总分{r['total']:.2f}分,在同序列{len(seq)}个单位中"
                   f"排第{place}位,等次为{r['tier']};其中{blk_label}得分"
                   f"{r['block']:.2f}分(满分{reply.block.points:g}分)。")
    return out


def _alternatives_effect(reply: Reply) -> str:
    alts = reply.alternatives
    if alts.empty:
        return "现行方案没有可调整增量与增速比重的指标,未测算替代方案。"
    lo, hi = alts["block_rho"].min(), alts["block_rho"].max()
    cur = alts.loc[alts["is_current"]]
    half = float((cur["block_rho_hi"] - cur["block_rho_lo"]).iloc[0]) / 2 if len(cur) else 0
    changes = int(alts["tier_changes"].max())
    tiers = ("均不改变任何单位的等次" if changes == 0
             else f"最多使{changes}个单位的等次改变")
    a_, b_ = reply.block.bases
    text = (f"{a_}与{b_}的比重从“{alts.sort_values('alpha')['alternative'].iloc[0]}”调到"
            f"“{alts.sort_values('alpha')['alternative'].iloc[-1]}”,ρ在{wd.num(lo)}至"
            f"{wd.num(hi)}之间,{tiers}")
    if half and hi - lo < half:
        text += ",差别小于置信区间半宽,调整比重作用不明显"
    else:
        best = alts.loc[alts["rank"] == 1]
        if len(best):
            b = best.iloc[0]
            text += (f";按“ρ最接近0且等次变化不超过四分之一单位”排序,首选“{b['alternative']}”"
                     f"(ρ={wd.num(b['block_rho'])},{b['meaning']})")
    return text + "。"


_NO_DATA = {
    "key_work": "现有数据不含各单位的重点工作及完成情况,无法测算",
    "budget": "现有数据不含预算执行和结余情况,无法测算",
}


def reply_points(reply: Reply) -> list[str]:
    """答复要点: one paragraph per suggestion (``reply.answers``): the scheme's measure, the
    evidence with its interval, the alternatives' effect, the category and its rule."""
    blk = _evidence_row(reply)
    out = []
    for a in reply.answers.itertuples(index=False):
        text = f"({a.key})关于“{a.title}”。现行方案:{a.measure}。"
        if a.evidence == "block" and blk is not None:
            text += (f"测算:ρ={wd.num(blk['rho'])}"
                     f"({wd.interval(blk['rho_lo'], blk['rho_hi'], float(blk['level']))}),"
                     f"{_VERDICT_WHY[blk['verdict']]}。")  # the caveat: in the 结论 above
            text += _alternatives_effect(reply)
        else:
            topics = str(a.topics).split(",")
            text += ";".join(_NO_DATA.get(t, "现有数据不能反映这项内容") for t in topics) + "。"
        text += f"处理意见:{a.category}(依据:{a.rule_text})。"
        out.append(text)
    return out


def rules_sentence() -> str:
    """The stated rules, in one sentence (printed below the reply)."""
    return "处理意见按以下规则确定:" + ";".join(
        f"{cond},{cat}" for cond, cat, _ in RULES.values()) + "。"


def limitations_paragraph(reply: Reply, basis: pd.DataFrame,
                          noise: pd.DataFrame | None = None) -> str:
    """说明: n, illustrative or real data, the bootstrap and Monte Carlo error, assumptions."""
    blk = _size_row(reply, "block")
    n = int(blk["n"]) if blk is not None else len(reply.block.scores)
    kind = {"public": "公开统计数据", "given": "所提供的数据"}.get(
        reply.data_kind, "示例数据(按公开资料构造,用于演示方法,不代表各单位真实情况)")
    text = (f"说明:本测算基于{n}个单位{reply.year}年的{kind};相关系数的置信区间由"
            f"{reply.boot}次自助抽样得到,单位数少时区间较宽,结论只在区间所示范围内成立。")
    if noise is not None and len(noise):
        r = noise.iloc[0]
        se = r.get("max_se", math.nan)
        text += (f"测量误差的影响经{int(r['draws'])}次模拟估计"
                 + (f",等次概率的模拟标准误不超过{wd.num(float(se) * 100, 1)}个百分点"
                    if isinstance(se, float)
                    and not math.isnan(se) else "") + "。")
    assumed = int((basis["是否假设"] == "是").sum()) if len(basis) else 0
    if assumed:
        text += (f"方案的{len(basis)}项规定中有{assumed}项(分值、目标规则、等次规则等)"
                 "原文未作规定,按示例假设设置,详见附件《方案依据与假设》。")
    return text


def reply_sections(reply: Reply, top_label: str, basis: pd.DataFrame,
                   noise: pd.DataFrame | None = None) -> list[tuple[str, list[str]]]:
    """The reply part (two pages at most): the question, 一、结论, 二、答复要点, 三、说明;
    (heading, paragraphs) pairs shared by the chapter and the reply DOCX."""
    return [("", [question_text(reply)]),
            ("一、结论", [conclusion_paragraph(reply, top_label), *focus_sentence(reply)]),
            ("二、答复要点", reply_points(reply)),
            ("三、说明", [limitations_paragraph(reply, basis, noise)])]


def alternatives_sentences(reply: Reply) -> list[str]:
    """The annex's reading of the ranked alternatives: the stated objective and the first
    admissible alternative, with the sign explained."""
    alts = reply.alternatives
    if alts.empty:
        return ["现行方案没有可调整增量与增速比重的指标,未对经济指标的替代方案排序。"]
    limit = "四分之一"
    out = [(f"排序目标:经济指标得分与规模的相关系数ρ越接近0越好(ρ为正表示规模大的单位"
           f"得分高,为负表示规模小的单位得分高),且与现行方案相比等次改变的单位不超过{limit};"
           f"每行是一种计分方式({reply.block.bases[0]}与{reply.block.bases[1]}的一种比重),"
           f"由考核方案的计分规则实际计算"
           f"{cite('brief_alternatives')}。")]
    ok = alts.loc[alts["admissible"]]
    if len(ok):
        b = ok.iloc[0]
        cur = alts.loc[alts["is_current"]]
        text = (f"排在首位的是“{b['alternative']}”:ρ={num(b['block_rho'])}"
                f"({interval_text(b)}),{b['meaning']}")
        if len(cur) and not bool(cur["rank"].iloc[0] == 1):
            c = cur.iloc[0]
            text += (f";现行比重“{c['alternative']}”排第{int(c['rank'])}位"
                     if c["admissible"] else f";现行比重“{c['alternative']}”")
        out.append(text + "。")
    return out


def interval_text(row: pd.Series, level: float = 0.9) -> str:
    return wd.interval(row["block_rho_lo"], row["block_rho_hi"], level)
