"""Chinese findings of the differentiated-targets study, generated from its tables.

Every number comes from ``targets_summary``, ``targets_backtest``, ``targets_warnings`` or
the score-effect shifts; nothing is typed by hand.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..targets import warning_sentences

MAX_LISTED = 8  # names listed in one sentence before "等 N 个"


def _pct(x: float) -> str:
    return "—" if not np.isfinite(x) else f"{100 * x:.0f}%"


def _names(names: list[str]) -> str:
    shown = "、".join(names[:MAX_LISTED])
    return shown + (f"等 {len(names)} 个" if len(names) > MAX_LISTED else "")


SIZE_NAMES = {"population": "常住人口", "staff": "编制人数", "area": "面积"}


def size_name_zh(label: str) -> str:
    """A readable name of the size measure: “常住人口(population_2020)”, or the label."""
    for key, zh in SIZE_NAMES.items():
        if label.startswith(key):
            return f"{zh}({label})"
    if "@" in label:
        ind, year = label.split("@", 1)
        return f"指标 {ind} 的 {year} 年值"
    return label


def accuracy_sentences(summary: pd.DataFrame, labels: Mapping[str, str],
                       indicator_names: Mapping[str, str]) -> list[str]:
    """Per indicator: the most and least accurate rule by mean absolute percentage error,
    and the share of targets each makes units meet."""
    out = []
    for ind, g in summary.groupby("indicator", sort=False):
        g = g.loc[np.isfinite(g["mape"])]
        if g.empty:
            continue
        best = g.loc[g["mape"].idxmin()]
        worst = g.loc[g["mape"].idxmax()]
        years = int(g["years"].max())
        text = (f"“{indicator_names.get(ind, ind)}”:{years} 个年度的回测中,"
                f"最准确的目标规则是{labels.get(best['rule'], best['rule'])}"
                f"(目标与实际的平均绝对百分比误差 {100 * best['mape']:.1f}%)")
        if worst["rule"] != best["rule"]:
            text += (f",最不准确的是{labels.get(worst['rule'], worst['rule'])}"
                     f"({100 * worst['mape']:.1f}%)")
        easy = g.loc[g["share_met"].idxmax()]
        hard = g.loc[g["share_met"].idxmin()]
        text += (f";完成目标的比例从{labels.get(hard['rule'], hard['rule'])}的"
                 f"{_pct(hard['share_met'])}到{labels.get(easy['rule'], easy['rule'])}的"
                 f"{_pct(easy['share_met'])}。")
        out.append(text)
    return out


def equity_sentences(summary: pd.DataFrame, labels: Mapping[str, str],
                     indicator_names: Mapping[str, str], size_label: str) -> list[str]:
    """Per indicator: the most equitable rule (attainment least related to size) and the one
    hardest on small units, with the 90 % interval and the met shares by size half."""
    out = []
    for ind, g in summary.groupby("indicator", sort=False):
        g = g.loc[np.isfinite(g["equity_rho"])]
        if g.empty:
            continue
        fair = g.loc[g["equity_rho"].abs().idxmin()]
        tough = g.loc[g["equity_rho"].idxmax()]
        name = indicator_names.get(ind, ind)

        def interval(row: pd.Series) -> str:
            return (f"秩相关系数 {row['equity_rho']:.2f},90%区间 "
                    f"{row['equity_rho_lo']:.2f}~{row['equity_rho_hi']:.2f}")

        text = (f"“{name}”:按{size_name_zh(size_label)}衡量规模,最公平的规则是"
                f"{labels.get(fair['rule'], fair['rule'])}(达成度与规模的{interval(fair)};"
                f"小单位完成 {_pct(fair['small_met'])},大单位完成 {_pct(fair['large_met'])})")
        if tough["rule"] != fair["rule"] and tough["equity_rho"] > 0:
            text += (f";对小单位最不利的是{labels.get(tough['rule'], tough['rule'])}"
                     f"({interval(tough)};小单位完成 {_pct(tough['small_met'])},"
                     f"大单位完成 {_pct(tough['large_met'])})")
        out.append(text + "。")
    if out:
        out.append("秩相关系数为正表示规模越大越容易完成目标;区间跨过 0 时,"
                   "规模与达成度的关系在现有数据中并不确定。")
    return out


def focus_sentences(bt: pd.DataFrame, focus_unit: str, focus_name: str,
                    labels: Mapping[str, str]) -> list[str]:
    """How many of the focus unit's back-tested targets each rule lets it meet."""
    sub = bt.loc[(bt["unit_id"] == focus_unit) & bt["valid"].astype(bool)]
    if sub.empty:
        return [f"{focus_name}没有可回测的目标(历史数据不足)。"]
    counts = sub.groupby("rule", sort=False)["met"].agg(["sum", "count"])
    parts = [f"按{labels.get(r, r)}完成 {int(c['sum'])} 个" for r, c in counts.iterrows()]
    best = counts["sum"].idxmax()
    worst = counts["sum"].idxmin()
    n = int(counts["count"].max())
    text = (f"{focus_name}在回测的 {n} 个目标(指标×年度)中:" + ",".join(parts) + "。")
    if counts.loc[best, "sum"] != counts.loc[worst, "sum"]:
        text += (f"对{focus_name}最有利的是{labels.get(best, best)},"
                 f"最不利的是{labels.get(worst, worst)}。")
    return [text]


def warning_summary(warnings: pd.DataFrame, year: int) -> list[str]:
    """Targets easier than last year's actual under the scheme's rules, each named."""
    if warnings.empty:
        return [f"按方案现行规则,{year}年没有低于上年实际值(负向指标:高于上年实际值)的目标。"]
    head = (f"按方案现行规则,{year}年有 {len(warnings)} 个目标比上年实际值还容易完成"
            "(正向指标低于上年实际值、负向指标高于上年实际值),"
            "这类目标等于允许单位退步:")
    return [head, *warning_sentences(warnings)]


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
            moves = f"名次最多变动 {move} 位" if move else "名次也都不变"
            out.append(f"把完成率指标的目标改为{label},{year}年没有单位的等次改变,{moves}。")
        else:
            who = [f"{r.name}({r.tier_base}→{r.tier})" for r in changed.itertuples()]
            out.append(f"把完成率指标的目标改为{label},{year}年有 {len(changed)} 个单位"
                       f"等次改变:{_names(who)};名次最多变动 {move} 位。")
    return out


def k_note(k: int, k_used: int, first_year: int, year: int) -> list[str]:
    """Say so when the data are too short for the requested history length."""
    if k_used >= k:
        return []
    return [(f"数据从 {first_year} 年开始,评估 {year} 年最多可用 {k_used} 年历史,"
            f"因此各规则的历史年数由 {k} 改为 {k_used}。")]


def display_summary(summary: pd.DataFrame, labels: Mapping[str, str],
                    indicator_names: Mapping[str, str]) -> pd.DataFrame:
    """The back-test summary with Chinese column names and percentages, for the report."""
    return pd.DataFrame({
        "指标": summary["indicator"].map(lambda i: indicator_names.get(i, i)),
        "目标规则": summary["rule"].map(lambda r: labels.get(r, r)),
        "回测目标数": summary["n"].astype(int),
        "完成比例%": 100 * summary["share_met"],
        "平均绝对百分比误差%": 100 * summary["mape"],
        "达成度与规模秩相关": summary["equity_rho"],
        "90%区间下限": summary["equity_rho_lo"],
        "90%区间上限": summary["equity_rho_hi"],
        "小单位完成%": 100 * summary["small_met"],
        "大单位完成%": 100 * summary["large_met"],
    })


def display_changes(shifts: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """Units whose tier or rank changes under some rule, with Chinese column names."""
    moved = shifts.loc[(shifts["rule"] != "scheme")
                       & (shifts["tier_changed"] | (shifts["shift"] != 0))]
    return pd.DataFrame({
        "目标规则": moved["rule"].map(lambda r: labels.get(r, r)),
        "单位": moved["name"], "现行名次": moved["rank_base"].astype(int),
        "新名次": moved["rank"].astype(int), "上升位数": moved["shift"].astype(int),
        "现行等次": moved["tier_base"], "新等次": moved["tier"]})


def display_warnings(warnings: pd.DataFrame) -> pd.DataFrame:
    """The below-last-actual warnings with Chinese column names."""
    return pd.DataFrame({
        "单位": warnings["name"], "指标": warnings["indicator_name"],
        "年度": warnings["year"].astype(int), "目标值": warnings["target"],
        "上年实际值": warnings["last_actual"], "规则": warnings["rule"]})
