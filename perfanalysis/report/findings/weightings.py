"""Chinese findings of study 4 (alternative weightings), generated from the study tables.

Every number in a sentence comes from a table the study computed (rounded half-up to two
decimals for display); nothing is computed here that a table does not already hold.

The study's computation: ``perfanalysis.studies.weightings``; its figures:
``perfanalysis.report.figures.weightings``; chapter ``notebooks/04_alternative_weightings.py``.
"""

from __future__ import annotations

import math

import pandas as pd

from ...engine.methods import round_half_up
from ..wording import count_units

SENSITIVE_ST = 0.1  # a factor whose total index reaches this "matters" for a unit's rank


def _n(x: float) -> str:
    """A number for a sentence: half-up at 2 decimals, trailing zeros dropped."""
    v = float(round_half_up(float(x) * 100) / 100)
    return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


def _names(names: list[str], limit: int = 8) -> str:
    shown = "、".join(names[:limit])
    return shown + (f"等{len(names)}个单位" if len(names) > limit else "")


def scenario_sentences(summary: pd.DataFrame, dependence: pd.DataFrame,
                       kendall: pd.DataFrame, base_name: str, year: int) -> list[str]:
    """What each scenario changes: tier changes, mean rank shift, the top-tier set; which
    units' tiers depend on the scenario; which scenario reorders most (Kendall τ). With no
    scenario to compare (none applies to the scheme) one sentence says so, never that the
    weights do not matter."""
    if summary.empty:
        return [(f"{year}年没有可与{base_name}比较的情景,无法据此判断权重或计分办法的选择"
                "是否改变等次(不能变动的内容见上文)。")]
    out: list[str] = []
    for row in summary.itertuples(index=False):
        moved = (f"名次平均变动{_n(row.mean_abs_shift)}位(最多{row.max_abs_shift}位)"
                 if row.max_abs_shift else "名次都不变")
        text = (f"“{row.scenario}”情景下,"
                f"{count_units(int(row.n_tier_changes), verb=f'的等次与{base_name}不同')},"
                f"{moved};")
        if row.top_set_changed:
            moves = []
            if row.top_entered:
                moves.append(f"{row.top_entered}进入最高等次")
            if row.top_left:
                moves.append(f"{row.top_left}退出最高等次")
            text += "最高等次名单改变:" + ",".join(moves) + "。"
        else:
            text += "最高等次名单不变。"
        out.append(text)
    moving = dependence.loc[dependence["n_tiers"] > 1, "name"].astype(str).tolist()
    if moving:
        out.append(f"{year}年共有{len(moving)}个单位的等次取决于采用哪种方案:{_names(moving)};"
                   f"其余{len(dependence) - len(moving)}个单位在各情景下等次相同。")
    else:
        out.append(f"{year}年各情景下所有单位的等次都相同,权重选择不影响等次。")
    vs_base = kendall.loc[(kendall["scenario_a"] == base_name)
                          & (kendall["scenario_b"] != base_name)].dropna(subset=["tau"])
    if len(vs_base):
        lo = vs_base.loc[vs_base["tau"].idxmin()]
        hi = vs_base.loc[vs_base["tau"].idxmax()]
        out.append(f"与{base_name}相比,总分排序变化最大的是“{lo['scenario_b']}”"
                   f"(Kendall τ={_n(lo['tau'])}),最接近的是“{hi['scenario_b']}”"
                   f"(τ={_n(hi['tau'])})。")
    return out


def _sensitive_sentence(sensitive: list[tuple[str, str, float, float]]) -> str:
    """The units whose rank hinges on one factor (name, factor, ST, ST's 95 % half-width;
    by ST, largest first), one clause per factor naming its units: 'A、B的名次主要受α影响
    (ST为0.98至1.01,95%区间半宽不超过0.07)' rather than a clause per unit with the same
    factor (an ST estimate above 1 is sampling error of the estimator, within that width)."""
    by_factor: dict[str, list[tuple[str, float, float]]] = {}
    for name, factor, st, conf in sensitive:
        by_factor.setdefault(factor, []).append((name, st, conf))
    parts = []
    for factor, units in by_factor.items():
        lo, hi = _n(min(u[1] for u in units)), _n(max(u[1] for u in units))
        st = lo if lo == hi else f"{lo}至{hi}"
        confs = [u[2] for u in units if math.isfinite(u[2])]
        width = f",95%区间半宽不超过{_n(max(confs))}" if confs else ""
        parts.append(f"{_names([u[0] for u in units])}的名次主要受{factor}影响(ST为{st}{width})")
    return ";".join(parts) + "。"


def sobol_sentences(sobol: pd.DataFrame, shift_target: str, n_samples: int) -> list[str]:
    """Which weights and choices the ranking hinges on, overall and for which units."""
    out: list[str] = []
    overall = sobol.loc[sobol["target"] == shift_target].sort_values("ST", ascending=False)
    if len(overall) and overall["ST"].max() > 0:
        top = overall.iloc[0]
        text = (f"在{n_samples}组抽样中,名次平均变化主要取决于{top['parameter']}"
                f"(总效应指数ST={_n(top['ST'])},95%区间±{_n(top['ST_conf'])};"
                f"一阶指数S1={_n(top['S1'])})")
        if len(overall) > 1:
            nxt = overall.iloc[1]
            text += f",其次是{nxt['parameter']}(ST={_n(nxt['ST'])})"
        out.append(text + "。")
        small = overall.loc[overall["ST"] + overall["ST_conf"] < 0.05, "parameter"].tolist()
        if small:
            out.append(f"{'、'.join(small)}的总效应指数连同区间上限都低于0.05,"
                       "在所考察的范围内几乎不影响名次。")
    elif len(overall):
        out.append(f"在{n_samples}组抽样中,{'、'.join(overall['parameter'].astype(str))}"
                   "的变化都没有改变任何单位的名次。")
    units = sobol.loc[sobol["target"] != shift_target]
    fixed, sensitive = [], []
    for name, grp in units.groupby("target", sort=False):
        if (grp["ST"] == 0).all() and (grp["S1"] == 0).all():
            fixed.append(str(name))
            continue
        best = grp.loc[grp["ST"].idxmax()]
        if best["ST"] >= SENSITIVE_ST:
            sensitive.append((str(name), str(best["parameter"]), float(best["ST"]),
                              float(best.get("ST_conf", float("nan")))))
    sensitive.sort(key=lambda t: -t[2])
    if sensitive:
        out.append(_sensitive_sentence(sensitive))
    if fixed:
        out.append(f"{_names(fixed)}在所有抽样中名次不变,对权重和方法选择不敏感。")
    return out


def removal_sentences(removal: pd.DataFrame) -> list[str]:
    """Which first-level group the ranking leans on most (dropping it moves ranks most)."""
    if removal.empty:
        return ["方案的指标部分只有一个一级指标,无法做去掉一级指标的检验。"]
    r = removal.sort_values("mean_abs_rank_change", ascending=False)
    top, low = r.iloc[0], r.iloc[-1]
    changed = count_units(int(top["n_tier_changes"]), verb="等次改变")
    return [(f"去掉“{top['name']}”后名次变化最大:平均{_n(top['mean_abs_rank_change'])}位,"
            f"最多{int(top['max_abs_rank_change'])}位,{changed};"
            f"去掉“{low['name']}”影响最小(平均{_n(low['mean_abs_rank_change'])}位)。")]


def summary_display(summary: pd.DataFrame) -> pd.DataFrame:
    """The scenario summary with Chinese headers, for the report table."""
    out = summary.drop(columns=["scenario_id"]).rename(columns={
        "scenario": "情景", "n_tier_changes": "等次变化单位数", "mean_abs_shift": "平均名次变动",
        "max_abs_shift": "最大名次变动", "top_set_changed": "最高等次名单变化",
        "top_entered": "进入最高等次", "top_left": "退出最高等次"})
    out["最高等次名单变化"] = out["最高等次名单变化"].map({True: "是", False: "否"})
    return out


def overview_display(overview: pd.DataFrame) -> pd.DataFrame:
    """The scenario list with Chinese headers."""
    return overview.drop(columns=["scenario_id"]).rename(
        columns={"scenario": "情景", "note": "调整内容", "source": "依据"})
