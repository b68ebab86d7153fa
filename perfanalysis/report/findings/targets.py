"""Chinese findings of the differentiated-targets study, generated from its tables.

Every number comes from ``targets_summary``, ``targets_backtest``, ``targets_warnings`` or
the score-effect shifts; nothing is typed by hand.

The study's computation: ``perfanalysis.studies.targets``; its figures:
``perfanalysis.report.figures.targets``; chapter ``notebooks/01_differentiated_targets.py``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ...engine.scheme import BASIS_ZH
from ...studies.size import size_name_zh
from .. import wording as wd

MAX_LISTED = 8  # names listed in one sentence before "等 N 个"
SHOWN_ROWS = 30  # rows of a long table shown in the report (the full table: scores.xlsx)


def _pct(x: float) -> str:
    return "—" if not np.isfinite(x) else f"{100 * x:.0f}%"


def _names(names: list[str]) -> str:
    shown = "、".join(names[:MAX_LISTED])
    return shown + (f"等{len(names)}个" if len(names) > MAX_LISTED else "")


def _rows_first_half(summary: pd.DataFrame) -> pd.DataFrame:
    """Summary rows of the rules compared (a blended leaf's second half, back-tested under
    its own rule only, is reported apart)."""
    return summary.loc[~summary["rule"].astype(str).str.endswith("_blend")]


def _interval_pct(row: pd.Series, col: str, digits: int = 1) -> str:
    lo, hi = row.get(f"{col}_lo", np.nan), row.get(f"{col}_hi", np.nan)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return f"{100 * row[col]:.{digits}f}%"
    if wd.single_point(lo, hi):
        return f"{100 * row[col]:.{digits}f}%,{wd.SINGLE_POINT}"
    return f"{100 * row[col]:.{digits}f}%,90%区间{100 * lo:.{digits}f}%至{100 * hi:.{digits}f}%"


def _interval_only(row: pd.Series, col: str) -> str:
    lo, hi = row.get(f"{col}_lo", np.nan), row.get(f"{col}_hi", np.nan)
    return wd.SINGLE_POINT if wd.single_point(lo, hi) else f"90%区间{_pct(lo)}至{_pct(hi)}"


def accuracy_sentences(summary: pd.DataFrame, labels: Mapping[str, str],
                       indicator_names: Mapping[str, str]) -> list[str]:
    """Per indicator: the most and least accurate rule by the mean absolute percentage
    error of the LEVEL each rule asks for (with its interval and n unit-years), and the
    share of targets each lets units meet (with its interval)."""
    out = []
    for ind, g in _rows_first_half(summary).groupby("indicator", sort=False):
        g = g.loc[np.isfinite(g["mape"].astype(float))]
        if g.empty:
            continue
        best = g.loc[g["mape"].idxmin()]
        worst = g.loc[g["mape"].idxmax()]
        years = int(g["years"].max())
        text = (f"“{indicator_names.get(ind, ind)}”:{years}个年度、{int(best['n'])}个"
                f"单位-年度的回测中,目标值(换算为应达到的水平值)最准确的规则是"
                f"{labels.get(best['rule'], best['rule'])}(平均绝对百分比误差"
                f"{_interval_pct(best, 'mape')})")
        if worst["rule"] != best["rule"]:
            text += (f",最不准确的是{labels.get(worst['rule'], worst['rule'])}"
                     f"({_interval_pct(worst, 'mape')})")
        easy = g.loc[g["share_met"].idxmax()]
        hard = g.loc[g["share_met"].idxmin()]
        text += (f";完成目标的比例从{labels.get(hard['rule'], hard['rule'])}的"
                 f"{_pct(hard['share_met'])}({_interval_only(hard, 'share_met')})到"
                 f"{labels.get(easy['rule'], easy['rule'])}的"
                 f"{_pct(easy['share_met'])}({_interval_only(easy, 'share_met')})。")
        out.append(text)
    if out:
        out.append("误差按水平值计算:增量目标换算为“上年实际值+目标增量”,增速目标换算为"
                   "“上年实际值×(1+目标增速)”,增量接近0时误差也不会失真。")
    return out


def _undecided(row: pd.Series) -> bool:
    lo, hi = float(row["equity_rho_lo"]), float(row["equity_rho_hi"])
    return np.isfinite(lo) and np.isfinite(hi) and lo <= 0 <= hi


def _half_met(row: pd.Series, half: str) -> str:
    """'小单位完成60.0%(90%区间45.0%至75.0%,40个单位年)': a size half's share of
    targets met with its bootstrap interval over units and its valid unit-years."""
    zh = {"small": "小单位", "large": "大单位"}[half]
    text = f"{zh}完成{_pct(row[f'{half}_met'])}"
    lo, hi = row.get(f"{half}_met_lo", np.nan), row.get(f"{half}_met_hi", np.nan)
    n = row.get(f"{half}_n", np.nan)
    bits = []
    if wd.single_point(lo, hi):
        bits.append(wd.SINGLE_POINT)
    elif lo is not None and hi is not None and np.isfinite(lo) and np.isfinite(hi):
        bits.append(f"90%区间{_pct(lo)}至{_pct(hi)}")
    if n is not None and np.isfinite(n):
        bits.append(f"{int(n)}个单位年")
    return text + (f"({','.join(bits)})" if bits else "")


#: a rule whose targets at least this share of unit-years meet asks almost nothing: its
#: weak relation to size is no evidence of fairness (the three-year average level of a
#: growing series, met by every province in every year)
EASY_TARGET_SHARE = 0.95


def equity_sentences(summary: pd.DataFrame, labels: Mapping[str, str],
                     indicator_names: Mapping[str, str], size_label: str) -> list[str]:
    """Per indicator: the most equitable rule (attainment least related to size within
    sequences, among the rules that bind: met below ``EASY_TARGET_SHARE``; a rule nearly
    every unit meets is named apart) and the one hardest on small units, with the 90 %
    interval, n units and the met shares by size half; an interval across 0 with |ρ| ≥ 0.3
    says the units are too few to decide."""
    out = []
    for ind, g in _rows_first_half(summary).groupby("indicator", sort=False):
        g = g.loc[np.isfinite(g["equity_rho"].astype(float))]
        if g.empty:
            continue
        # a rule nearly every unit meets relates to size least because it asks nothing: it
        # is named apart, and the weakest relation is sought among rules that bind
        binding = g.loc[~(g["share_met"].astype(float) >= EASY_TARGET_SHARE)]
        pool = binding if len(binding) else g
        fair = pool.loc[pool["equity_rho"].abs().idxmin()]
        loosest = g.loc[g["equity_rho"].abs().idxmin()]
        tough = g.loc[g["equity_rho"].idxmax()]
        name = indicator_names.get(ind, ind)

        def interval(row: pd.Series) -> str:
            text = (f"秩相关系数{row['equity_rho']:.2f},90%区间"
                    f"{row['equity_rho_lo']:.2f}至{row['equity_rho_hi']:.2f},"
                    f"{int(row['equity_n'])}个单位")
            if _undecided(row) and abs(row["equity_rho"]) >= 0.3:
                text += f";{int(row['equity_n'])}个单位不足以判断"
            return text

        text = (f"“{name}”:按{size_name_zh(size_label)}衡量规模,达成度与规模关系最弱的规则是"
                f"{labels.get(fair['rule'], fair['rule'])}(达成度与规模的{interval(fair)};"
                f"{_half_met(fair, 'small')},{_half_met(fair, 'large')})")
        if fair["share_met"] >= EASY_TARGET_SHARE:
            text += (f",但该规则的目标{_pct(fair['share_met'])}都能完成"
                     f"({_interval_only(fair, 'share_met')}),几乎不构成约束,"
                     "关系弱不能说明它对各单位公平")
        elif loosest["rule"] != fair["rule"]:
            text += (f";{labels.get(loosest['rule'], loosest['rule'])}的秩相关更接近0"
                     f"({loosest['equity_rho']:.2f}),但其目标{_pct(loosest['share_met'])}都能完成"
                     f"({_interval_only(loosest, 'share_met')}),几乎不构成约束,不作比较")
        if tough["rule"] != fair["rule"] and tough["equity_rho"] > 0:
            text += (f";对小单位最不利的是{labels.get(tough['rule'], tough['rule'])}"
                     f"({interval(tough)};{_half_met(tough, 'small')},"
                     f"{_half_met(tough, 'large')})")
        out.append(text + "。")
    if out:
        out.append("秩相关系数在同一序列内计算、按序列单位数加权平均;为正表示规模越大越容易"
                   "完成目标。区间跨过0时,现有数据不能确定规模与达成度的关系。")
    return out


def not_applicable_sentences(absent: pd.DataFrame, labels: Mapping[str, str],
                             indicator_names: Mapping[str, str]) -> list[str]:
    """The rules named but not computed for an indicator, with the reason, one sentence per
    reason."""
    if absent.empty:
        return []
    out = []
    for (rule, reason), g in absent.groupby(["rule", "reason"], sort=False):
        names = [indicator_names.get(i, i) for i in dict.fromkeys(g["indicator"])]
        out.append(f"“{labels.get(rule, rule)}”未用于{_names([f'“{n}”' for n in names])}:"
                   f"{reason}。")
    return out


def cap_sentences(cap: pd.DataFrame, year: int) -> list[str]:
    """How many completion scores sit at the cap (with its interval) and how many points are
    paid above the full points of the indicators."""
    if cap.empty:
        return []
    allrow = cap.loc[cap["indicator"] == "all"].iloc[0]
    parts = cap.loc[(cap["indicator"] != "all") & (cap["at_cap"] > 0)]
    capped = np.isfinite(allrow["cap"])
    limit = f"完成率上限{100 * allrow['cap']:.0f}%" if capped else "完成率上限"
    text = (f"{year}年,按方案现行规则,{int(allrow['n'])}个“单位×完成率指标”得分中有"
            f"{int(allrow['at_cap'])}个达到{limit}({_pct(allrow['share_at_cap'])},90%区间"
            f"{_pct(allrow['share_lo'])}至{_pct(allrow['share_hi'])}),这些单位在该项上已"
            "无法再拉开差距")
    if len(parts):
        worst = parts.loc[parts["share_at_cap"].idxmax()]
        text += (f",其中“{worst['indicator_name']}”最多({int(worst['at_cap'])}/"
                 f"{int(worst['n'])})")
    text += "。"
    if allrow["units_above_full"] > 0:
        text += (f"完成率超过100%时得分可高于该项满分:{int(allrow['units_above_full'])}个"
                 f"得分超过满分,合计多得{allrow['points_above_full']:.2f}分,单项最多多得"
                 f"{allrow['max_points_above']:.2f}分。")
    return [text]


def focus_sentences(bt: pd.DataFrame, focus_unit: str, focus_name: str,
                    labels: Mapping[str, str]) -> list[str]:
    """How many of the focus unit's back-tested targets each rule lets it meet."""
    sub = bt.loc[(bt["unit_id"] == focus_unit) & bt["valid"].astype(bool)]
    if sub.empty:
        return [f"{focus_name}没有可回测的目标(历史数据不足)。"]
    counts = sub.groupby("rule", sort=False)["met"].agg(["sum", "count"])
    same = counts["count"].nunique() == 1
    # rules that apply to fewer indicators set fewer targets: compare shares, not counts
    parts = [f"按{labels.get(r, r)}完成{int(c['sum'])}个" if same else
             f"按{labels.get(r, r)}完成{int(c['sum'])}/{int(c['count'])}个"
             for r, c in counts.iterrows()]
    share = counts["sum"] / counts["count"]
    best = share.idxmax()
    worst = share.idxmin()
    n = int(counts["count"].max())
    text = (f"{focus_name}在回测的{n}个目标(指标×年度)中:" + ",".join(parts) + "。")
    if share[best] != share[worst]:
        text += (f"对{focus_name}最有利的是{labels.get(best, best)},"
                 f"最不利的是{labels.get(worst, worst)}。")
    return [text]


def warning_summary(warnings: pd.DataFrame, year: int, limit: int = SHOWN_ROWS) -> list[str]:
    """Targets easier than last year's actual under the scheme's rules: how many, then one
    sentence per target naming unit, indicator and both numbers (at most ``limit``; the
    rest in the exported tables)."""
    if warnings.empty:
        return [f"按方案现行规则,{year}年没有低于上年实际值(负向指标:高于上年实际值)的目标。"]
    head = (f"按方案现行规则,{year}年有{len(warnings)}个目标比上年实际值还容易完成"
            "(正向指标低于上年实际值、负向指标高于上年实际值),这类目标等于允许单位退步"
            + (f";以下列出前{limit}个,完整数据见导出的结果表 scores.xlsx。"
               if len(warnings) > limit else "。"))
    out = []
    for w in warnings.head(limit).itertuples(index=False):
        word, what = ("低于", "低") if w.direction == "positive" else ("高于", "宽松")
        out.append(f"{w.name}的“{w.indicator_name}”{w.year}年目标值{w.target:.2f}"
                   f"{word}上年实际值{w.last_actual:.2f},目标比已达到的水平还{what}。")
    return [head, *out]


def effect_sentences(shifts: pd.DataFrame, labels: Mapping[str, str], year: int) -> list[str]:
    """Per rule: how many units change tier and the largest rank move against the scheme."""
    out = []
    for rule, g in shifts.groupby("rule", sort=False):
        if rule == "scheme":
            continue
        changed = g.loc[g["tier_changed"]]
        move = int(g["shift"].abs().max()) if len(g) else 0
        label = labels.get(rule, rule)
        if changed.empty:
            moves = f"名次最多变动{move}位" if move else "名次也都不变"
            out.append(f"把完成率指标的目标改为{label},{year}年没有单位的等次改变,{moves}。")
        else:
            who = [f"{r.name}(由{r.tier_base}变为{r.tier})" for r in changed.itertuples()]
            out.append(f"把完成率指标的目标改为{label},{year}年有{len(changed)}个单位"
                       f"等次改变:{_names(who)};名次最多变动{move}位。")
    return out


def k_note(k: int, k_used: int, first_year: int, year: int) -> list[str]:
    """Say so when the data are too short for the requested history length."""
    if k_used >= k:
        return []
    return [(f"数据从{first_year}年开始,评估{year}年最多可用{k_used}年历史,"
            f"因此各规则的历史年数由{k}改为{k_used}。")]


def display_summary(summary: pd.DataFrame, labels: Mapping[str, str],
                    indicator_names: Mapping[str, str]) -> pd.DataFrame:
    """The back-test summary with Chinese column names and percentages, for the report."""
    basis = summary["basis"] if "basis" in summary else pd.Series("level", index=summary.index)
    return pd.DataFrame({
        "指标": summary["indicator"].map(lambda i: indicator_names.get(i, i)),
        "考核口径": basis.map(lambda b: BASIS_ZH.get(b, b)),
        "目标规则": summary["rule"].map(lambda r: labels.get(r, r)),
        "单位-年度数": summary["n"].astype(int),
        "完成比例%": 100 * summary["share_met"],
        "完成比例90%区间": [f"{100 * a:.0f}至{100 * b:.0f}" if np.isfinite(a) else "—"
                       for a, b in zip(summary["share_met_lo"], summary["share_met_hi"])],
        "水平值平均绝对百分比误差%": 100 * summary["mape"],
        "误差90%区间": [f"{100 * a:.1f}至{100 * b:.1f}" if np.isfinite(a) else "—"
                    for a, b in zip(summary["mape_lo"], summary["mape_hi"])],
        "相对“维持上年”误差比": summary["mase"],
        "增速误差(百分点)": summary["growth_mae_pp"],
        "达成度与规模秩相关": summary["equity_rho"],
        "秩相关90%区间": [f"{a:.2f}至{b:.2f}" if np.isfinite(a) else "—"
                      for a, b in zip(summary["equity_rho_lo"], summary["equity_rho_hi"])],
        "小单位完成%": 100 * summary["small_met"],
        "大单位完成%": 100 * summary["large_met"],
    })


def display_cap(cap: pd.DataFrame) -> pd.DataFrame:
    """Cap saturation per indicator with Chinese column names."""
    return pd.DataFrame({
        "指标": cap["indicator_name"], "完成率上限%": 100 * cap["cap"],
        "单位数": cap["n"].astype(int), "达到上限": cap["at_cap"].astype(int),
        "达到上限%": 100 * cap["share_at_cap"],
        "90%区间": [f"{100 * a:.0f}至{100 * b:.0f}" for a, b in zip(cap["share_lo"],
                                                                   cap["share_hi"])],
        "超过满分的单位": cap["units_above_full"].astype(int),
        "超出满分合计(分)": cap["points_above_full"]})


def display_changes(shifts: pd.DataFrame, labels: Mapping[str, str],
                    limit: int = SHOWN_ROWS, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """Units whose tier or rank changes under some rule, with Chinese column names: the
    units in ``keep`` (unit ids a reader asks about) first, then tier changes, then the
    largest moves, at most ``limit`` rows besides the kept units'."""
    moved = shifts.loc[(shifts["rule"] != "scheme")
                       & (shifts["tier_changed"] | (shifts["shift"] != 0))]
    moved = moved.assign(_abs=moved["shift"].abs(), _keep=moved["unit_id"].isin(keep))
    moved = moved.sort_values(["_keep", "tier_changed", "_abs", "rule", "unit_id"],
                              ascending=[False, False, False, True, True], kind="stable")
    moved = moved.head(limit + int(moved["_keep"].sum()))
    return pd.DataFrame({
        "目标规则": moved["rule"].map(lambda r: labels.get(r, r)),
        "单位": moved["name"], "现行名次": moved["rank_base"].astype(int),
        "新名次": moved["rank"].astype(int), "上升位数": moved["shift"].astype(int),
        "现行等次": moved["tier_base"], "新等次": moved["tier"]})


def changes_note(shifts: pd.DataFrame, limit: int = SHOWN_ROWS) -> list[str]:
    """Say how many changed rows the table leaves out (the full table is exported)."""
    moved = shifts.loc[(shifts["rule"] != "scheme")
                       & (shifts["tier_changed"] | (shifts["shift"] != 0))]
    if len(moved) <= limit:
        return []
    return [(f"名次或等次变化共{len(moved)}行,下表只列等次改变和名次变动最大的{limit}行;"
             "完整数据见导出的结果表 scores.xlsx。")]


def display_warnings(warnings: pd.DataFrame) -> pd.DataFrame:
    """The below-last-actual warnings with Chinese column names."""
    return pd.DataFrame({
        "单位": warnings["name"], "指标": warnings["indicator_name"],
        "年度": warnings["year"].astype(int), "目标值": warnings["target"],
        "上年实际值": warnings["last_actual"]})
