"""The annual brief's sentences (问题 / 证据 / 建议), generated from ``brief_facts``, the
trade-offs table, the follow-up tables, the study status and the diffs. Every number comes
from those tables and each sentence names the table (and where the report shows it)."""

from __future__ import annotations

import math

import pandas as pd

from ..brief import SHOWN_IN
from ..diff import STATUS_ZH

DEFAULT_QUESTION = (
    "提案第1214号(关于全市绩效评估对重点工作差异化考核的建议)认为:现行办法把8个地域条件、"
    "发展状况各不相同的区县(市)放在一个考核序列,经济总量指标是重头戏,建区时间短、人口少、"
    "农业占比大的大通湖区等单位各项指标差距大,很少进入优秀行列;建议增设差异性指标、"
    "设置差异化目标,并适当按增速评分,兼顾公平。")


def cite(*tables: str) -> str:
    """A citation: the tables and where the report shows them."""
    bits = []
    for t in tables:
        where = SHOWN_IN.get(t)
        bits.append(f"表 {t}" + (f",见{where}" if where else ""))
    return "(来源:" + ";".join(bits) + ")"


MAX_LISTED_CHANCES = 4
MAX_LISTED_ALTERNATIVES = 5


def _span(values: pd.Series, digits: int = 2) -> str:
    v = values.dropna()
    if not len(v):
        return "—"
    lo, hi = float(v.min()), float(v.max())
    return f"{lo:.{digits}f}" if f"{lo:.{digits}f}" == f"{hi:.{digits}f}" else (
        f"{lo:.{digits}f}至{hi:.{digits}f}")


def _study_range_sentence(grp: pd.DataFrame) -> str:
    """One sentence for a study with many alternatives: the ranges of its effects."""
    r0 = grp.iloc[0]
    bits = [f"等次改变的单位数为{_span(grp['tier_changes'].astype(float), 0)}个"]
    if grp["size_rho"].notna().any():
        bits.append(f"总分与规模的相关系数ρ为{_span(grp['size_rho'])}")
    if grp["rank_volatility"].notna().any():
        bits.append(f"测量误差下排名的标准差平均{_span(grp['rank_volatility'])}位")
    tiers = [t for t in dict.fromkeys(grp["focus_tier"]) if t]
    if tiers:
        bits.append(f"重点单位等次为{'或'.join(tiers)}")
    return (f"“{r0['study_name']}”测算了{len(grp)}个方案(从“{grp['alternative'].iloc[0]}”到"
            f"“{grp['alternative'].iloc[-1]}”):" + ",".join(bits) + ",逐项见表"
            + cite("brief_tradeoffs", f"alternatives_{r0['study']}") + "。")


def _pct(p: float) -> str:
    return f"{p * 100:.0f}%"


def _num(x: float, digits: int = 2) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def question_sentences(question: str, focus_names: list[str], size_col: str | None) -> list[str]:
    """The 问题 section: the proposal's claim and whom the brief looks at."""
    text = question.strip() or DEFAULT_QUESTION
    out = [text]
    if focus_names:
        out.append(f"本简报重点分析:{'、'.join(focus_names)}。")
    elif size_col is None:
        out.append("未指定重点单位,units 表中也没有规模列(如人口),本简报只给出全体单位的结果。")
    return out


def _get(f: pd.DataFrame, topic: str, statistic: str) -> pd.Series | None:
    sel = f.loc[(f["topic"] == topic) & (f["statistic"] == statistic)]
    return sel.iloc[0] if len(sel) else None


def general_sentences(facts: pd.DataFrame, size_col: str | None) -> list[str]:
    """Evidence about all units (facts with unit_id ""): size dependence, targets met by
    small and large units, expected tier changes under measurement noise."""
    g = facts.loc[facts["unit_id"] == ""]
    out: list[str] = []
    rho = g.loc[(g["topic"] == "size") & (g["source"] == "brief_tradeoffs")]
    if len(rho):
        out.append(f"现行方案下,本年度总分与单位规模({size_col})的等级相关系数ρ为"
                   f"{rho['value'].iloc[0]:.2f}(序列内计算,正值表示规模越大得分越高)"
                   f"{cite('brief_tradeoffs')}。")
    dep = g.loc[g["source"] == "fairness_size_dependence"]
    if len(dep):
        bits = []
        for variant, grp in dep.groupby("alternative", sort=False):
            v = grp.set_index("statistic")["value"]
            bits.append(f"按{variant}计分ρ={v['rho']:.2f}(区间{v['rho_lo']:.2f}至"
                        f"{v['rho_hi']:.2f})")
        out.append("增量与增速研究中主要指标得分与规模的相关系数:" + ";".join(bits)
                   + cite("fairness_size_dependence") + "。")
    tg = g.loc[g["topic"] == "targets_equity"]
    if len(tg):
        bits = []
        for rule, grp in tg.groupby("alternative", sort=False):
            v = grp.set_index("statistic")["value"]
            text = f"按“{rule}”全体完成{_pct(v['share_met'])}"
            if not (math.isnan(v["small_met"]) or math.isnan(v["large_met"])):
                text += f",小单位{_pct(v['small_met'])}、大单位{_pct(v['large_met'])}"
            bits.append(text)
        out.append("历年目标回测的完成比例(各指标平均):" + ";".join(bits)
                   + cite("targets_summary") + "。")
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
    for uid, f in facts.loc[facts["unit_id"] != ""].groupby("unit_id", sort=False):
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
                   "alternatives_* 表均未生成),暂不能给出有测算依据的建议。")
    official = trade.iloc[0] if len(trade) else None
    for study, grp in trade.iloc[1:].groupby("study", sort=False):
        if len(grp) > MAX_LISTED_ALTERNATIVES:
            out.append(_study_range_sentence(grp))
            continue
        for r in grp.itertuples(index=False):
            bits = [f"与现行方案相比{int(r.tier_changes)}个单位等次改变"]
            if not math.isnan(r.size_rho):
                bits.append(f"总分与规模的相关系数ρ为{r.size_rho:.2f}")
            if not math.isnan(r.rank_volatility):
                bits.append(f"测量误差下排名的标准差平均{r.rank_volatility:.2f}位")
            if r.focus_tier:
                bits.append(f"重点单位等次为{r.focus_tier}")
            out.append(f"方案“{r.alternative}”({r.study_name}):" + ",".join(bits)
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
    alts = trade.iloc[1:].dropna(subset=["size_rho"])
    if len(alts) and official is not None and not math.isnan(official["size_rho"]):
        best = alts.loc[alts["size_rho"].abs().idxmin()]
        out.append(f"在已测算的方案中,总分与规模关系最弱的是“{best['alternative']}”"
                   f"(ρ={best['size_rho']:.2f},现行方案ρ={official['size_rho']:.2f}),"
                   f"代价是{int(best['tier_changes'])}个单位等次改变{cite('brief_tradeoffs')}。")
    for uid, f in facts.loc[facts["unit_id"] != ""].groupby("unit_id", sort=False):
        name = str(f["name"].iloc[0])
        alt = f.loc[f["topic"] == "alternative"]
        if len(alt):
            yes = [r.alternative for r in alt.itertuples(index=False) if r.label == top_label]
            srcs = sorted(set(alt["source"]))
            shown_yes = "、".join(yes[:MAX_LISTED_CHANCES]) + ("等" if len(yes) >
                                                               MAX_LISTED_CHANCES else "")
            out.append(f"{name}在{len(alt)}个替代方案中有{len(yes)}个能评为{top_label}"
                       + (f"({shown_yes})" if yes else "") + cite(*srcs) + "。")
        ch = f.loc[f["topic"] == "top_chance"]
        if len(ch) > MAX_LISTED_CHANCES:
            hi = ch.loc[ch["value"].idxmax()]
            lo = ch.loc[ch["value"].idxmin()]
            out.append(f"考虑测量误差后,{name}在{len(ch)}种计分方式下进入{top_label}的概率最高为"
                       f"{_pct(hi['value'])}({hi['alternative']}),最低为{_pct(lo['value'])}"
                       f"({lo['alternative']}){cite('fairness_top_chance')}。")
        elif len(ch):
            bits = "、".join(f"{r.alternative}下{_pct(r.value)}" for r in ch.itertuples(index=False))
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
                     else f"{len(alts_)}个替代方案(" + "、".join(alts_[:MAX_LISTED_CHANCES])
                     + ("等" if len(alts_) > MAX_LISTED_CHANCES else "") + ")下")
            out.append(f"{name}在{where}本年度都会触发{cons}({also})"
                       f"{cite('followups_alternatives')}。")
    return out


def followup_sentences(flags: pd.DataFrame, year: int, rules_text: str) -> list[str]:
    """Who triggers a follow-up rule this year under the official scheme (``rules_text``
    empty: the scheme has no follow-up rules)."""
    if not rules_text:
        return ["本考核方案没有对连续处于低等次的单位作后续处理的规定,不套用其他地方方案的规定。"]
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
        what = "尚未生成结果表" if r.status == "缺失" else f"缺少表 {r.missing}"
        out.append(f"“{r.study_name}”({r.chapter}){what},本简报未涵盖依赖这些表的内容。")
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
