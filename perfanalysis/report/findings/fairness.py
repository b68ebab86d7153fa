"""Chinese findings of the growth-vs-level fairness study, generated from its tables: how each
variant and the scheme's own method relate to size (worded by the interval: a relation, a
weak one, or too few units to decide), which α the data support, what it means for the
smallest unit. Every number in a sentence is read from a table the study computed.

The study's computation: ``perfanalysis.studies.fairness``; its figures:
``perfanalysis.report.figures.fairness``; chapter ``notebooks/02_growth_vs_level.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...studies.fairness import SCHEME_PREFIX, VARIANT_NAMES
from .. import wording as wd

MAIN_VARIANTS = ("level", "growth", "increment", "per_capita", "cgp", "value_added")
WEAK_RHO = 0.3
"""|ρ| below which an interval covering 0 reads as a weak relation; at or above it, an
interval covering 0 means the units are too few to decide."""


def _name(variant: str, alpha: float | None = None, label: object = None) -> str:
    if isinstance(label, str) and label:
        return label
    base = VARIANT_NAMES.get(variant, variant)
    if variant.startswith(SCHEME_PREFIX):
        return "现行方案:" + variant[len(SCHEME_PREFIX):]
    if variant == "blend" and alpha is not None and np.isfinite(alpha):
        return f"{base}(α={alpha:.2f})"
    return base


def lean(row: pd.Series) -> str:
    """What the interval of ρ supports: 'large' or 'small' (it excludes 0), 'undecided'
    (it covers 0 but |ρ| ≥ ``WEAK_RHO``: too few units to decide) or 'weak' (it covers 0
    and |ρ| < ``WEAK_RHO``)."""
    if np.isfinite(row["rho_lo"]) and row["rho_lo"] > 0:
        return "large"
    if np.isfinite(row["rho_hi"]) and row["rho_hi"] < 0:
        return "small"
    if not np.isfinite(row["rho"]) or abs(row["rho"]) >= WEAK_RHO:
        return "undecided"
    return "weak"


def _level(row: pd.Series) -> float:
    lv = row.get("level", 0.90)
    return float(lv) if lv is not None and np.isfinite(lv) else 0.90


def _pct(level: float) -> str:
    return f"{level * 100:.0f}%"


def _verdict(row: pd.Series) -> str:
    kind = lean(row)
    if kind == "large":
        return "明显有利于规模大的单位"
    if kind == "small":
        return "明显有利于规模小的单位"
    if kind == "undecided":
        return (f"{int(row['n'])}个单位不足以判断是否有利于某一规模"
                f"({_pct(_level(row))}区间包含0,但|ρ|达{abs(row['rho']):.2f})")
    return f"与规模的关系弱(|ρ|<{WEAK_RHO:g},{_pct(_level(row))}区间包含0)"


def _groups_note(row: pd.Series) -> str:
    """'(组内ρ,4个比较组按单位数加权;全部单位合计ρ为…)' when there are several groups."""
    g = row.get("groups", 1.0)
    if g is None or not np.isfinite(g) or g <= 1:
        return ""
    note = f";这是{int(g)}个比较组内ρ按单位数加权的平均,全部{int(row['n'])}个单位合计的ρ为" \
           f"{row['rho_all']:.2f}"
    if np.isfinite(row.get("rho_all_lo", np.nan)):
        note += f"(区间{row['rho_all_lo']:.2f}至{row['rho_all_hi']:.2f})"
    return note


def _places_per_doubling(row: pd.Series) -> str:
    """The rank slope in places within the comparison group, with its scale."""
    slope, se = row.get("slope", np.nan), row.get("slope_se", np.nan)
    if slope is None or not np.isfinite(slope):
        return ""
    way = "前移" if slope < 0 else "后移"
    lo, hi = row.get("group_min", np.nan), row.get("group_max", np.nan)
    scale = ""
    if lo is not None and np.isfinite(lo):
        scale = (f",组内共{int(lo)}个单位" if lo == hi else f",各组{int(lo)}至{int(hi)}个单位")
    err = f"(标准误{se:.1f}位)" if se is not None and np.isfinite(se) else ""
    return f",规模每扩大一倍,在所在比较组内名次平均{way}{abs(slope):.1f}位{err}{scale}"


def _sentence(r: pd.Series) -> str:
    name = _name(r["variant"], r["alpha"], r.get("label"))
    head = (f"按现行方案计分,{name.removeprefix('现行方案:')}与规模的秩相关ρ为"
            if str(r["variant"]).startswith(SCHEME_PREFIX) else f"{name}计分下,得分与规模的秩相关ρ为")
    return (f"{head}"
            f"{r['rho']:.2f}({_pct(_level(r))}自助区间{r['rho_lo']:.2f}至{r['rho_hi']:.2f},"
            f"{int(r['n'])}个单位{_groups_note(r)}){_places_per_doubling(r)},{_verdict(r)}。")


def size_sentences(size_dep: pd.DataFrame) -> list[str]:
    """How much each generic variant favours large units, and which relates weakly to size
    (never called neutral when the units are too few to decide)."""
    rows = size_dep.loc[size_dep["variant"].isin(MAIN_VARIANTS)].dropna(subset=["rho"])
    if rows.empty:
        return ["单位数太少或得分无差异,无法估计得分与规模的关系。"]
    out = [_sentence(r) for _, r in rows.iterrows()]
    kinds = rows.apply(lean, axis=1)
    best = rows.loc[rows["rho"].abs().idxmin()]
    weak = rows.loc[kinds == "weak"]
    undecided = rows.loc[kinds == "undecided"]
    best_txt = f"与规模关系最弱的是{_name(best['variant'])}(ρ={best['rho']:.2f})。"
    if len(weak):
        names = "、".join(_name(v) for v in weak["variant"])
        out.append(f"在本数据上与规模关系弱(|ρ|<{WEAK_RHO:g}且区间包含0)的计分方式是:{names};"
                   + best_txt)
    elif len(undecided):
        out.append(f"在本数据上没有一种计分方式能确认与规模关系弱:区间包含0的计分方式|ρ|都不小于"
                   f"{WEAK_RHO:g},{int(rows['n'].max())}个单位不足以判断;" + best_txt)
    else:
        out.append("在本数据上每种计分方式都明显偏向某一规模的单位;" + best_txt)
    return out


def scheme_sentences(size_dep: pd.DataFrame) -> list[str]:
    """What the scheme's own method does: size dependence of each blended leaf as the
    scheme scores it, of the group holding them and of the total."""
    rows = size_dep.loc[size_dep["variant"].str.startswith(SCHEME_PREFIX)].dropna(
        subset=["rho"])
    return [_sentence(r) for _, r in rows.iterrows()]


def sample_sentences(sample: bool) -> list[str]:
    """A warning when the data are the bundled sample, whose generator builds the pattern
    the chapter measures into the data (growth noise σ ∝ 1/√size)."""
    if not sample:
        return []
    return [("注意:本章使用的是示例数据。示例数据的生成程序按构造让规模小的单位增速波动更大"
             "(增速随机波动的标准差与规模的平方根成反比),总量也按规模生成;因此增速计分下小单位"
             "名次波动更大、总量计分与规模高度相关,都部分来自数据的构造,不能作为对真实单位的结论。")]


def frontier_sentences(front: pd.DataFrame, chosen: tuple[float, float] | None,
                       max_rho: float, max_volatility: float) -> list[str]:
    """Which α of the level/growth blend keeps both size dependence and noise in bounds."""
    if front.empty:
        return ["没有可比较的混合权重。"]
    req = f"得分与规模的秩相关|ρ|不超过{max_rho:g}、测量误差下平均名次标准差不超过{max_volatility:g}位"
    fair = front.loc[front["size_rho"].abs().idxmin()]
    stable = front.loc[front["volatility"].idxmin()]
    tail = (f"与规模关系最弱的是α={fair['alpha']:.2f}(|ρ|={abs(fair['size_rho']):.2f},"
            f"名次标准差{fair['volatility']:.2f}位),名次最稳的是α={stable['alpha']:.2f}"
            f"(|ρ|={abs(stable['size_rho']):.2f},名次标准差{stable['volatility']:.2f}位)。")
    if chosen is None:
        return [f"按{req}的要求,没有一个总量权重α能同时满足;" + tail]
    lo, hi = chosen
    inside = front.loc[front["within"]]
    span = f"α={lo:.2f}" if lo == hi else f"α在{lo:.2f}至{hi:.2f}之间"
    gaps = "" if len(inside) == len(front.loc[front["alpha"].between(lo, hi)]) else \
        "(区间内个别α不满足,见表)"
    return [f"按{req}的要求,数据支持{span}的总量与增速混合{gaps},"
            f"即总量得分占{lo * 100:.0f}%至{hi * 100:.0f}%、增速得分占其余部分。" + tail]


def volatility_sentences(vol_size: pd.DataFrame, draws: int = 0) -> list[str]:
    """How rank noise grows as size shrinks, per main variant (ρ of the rank SD with size
    within the comparison groups; the wording follows its interval when there is one)."""
    out = []
    for _, r in vol_size.loc[vol_size["variant"].isin(MAIN_VARIANTS)].iterrows():
        if not np.isfinite(r["rho"]):
            continue
        lo, hi = r.get("rho_lo", np.nan), r.get("rho_hi", np.nan)
        has_ci = lo is not None and np.isfinite(lo)
        if has_ci and hi < 0 or not has_ci and r["rho"] < -WEAK_RHO:
            trend = "规模越小名次越不稳定"
        elif has_ci and lo > 0 or not has_ci and r["rho"] > WEAK_RHO:
            trend = "规模越大名次越不稳定"
        elif abs(r["rho"]) >= WEAK_RHO:
            trend = f"{int(r['n'])}个单位不足以判断名次波动是否随规模变化"
        else:
            trend = "名次波动与规模的关系弱"
        ci = f"(区间{lo:.2f}至{hi:.2f})" if has_ci else ""
        se = r.get("mean_rank_sd_se", np.nan)
        err = f"(模拟误差±{se:.2g}位)" if se is not None and np.isfinite(se) else ""
        out.append(f"{_name(r['variant'])}计分下,测量误差使名次平均波动{r['mean_rank_sd']:.2f}位"
                   f"{err},名次标准差与规模的秩相关为{r['rho']:.2f}{ci},{trend}。")
    return out


def _ci(row: pd.Series, key: str, scale: float = 1.0, digits: int = 2,
        suffix: str = "") -> str:
    """',90%区间0.95至0.98' from a summary row's ``key_lo``/``key_hi`` ("" without one; a
    collapsed interval is said to show no uncertainty, ``wording.single_point``)."""
    lo, hi = row.get(f"{key}_lo", np.nan), row.get(f"{key}_hi", np.nan)
    if lo is None or hi is None or not (np.isfinite(lo) and np.isfinite(hi)):
        return ""
    if wd.single_point(lo, hi):
        return f",{wd.SINGLE_POINT}"
    return (f",{_pct(_level(row))}区间{wd.num(lo * scale, digits)}至"
            f"{wd.num(hi * scale, digits)}{suffix}")


def _gap_text(row: pd.Series, top_label: str) -> str:
    """The small half's top-tier share against the large half's, judged by the interval of
    the difference: clearly lower, clearly higher, or the data cannot decide (also when one
    half's interval collapsed to a point: the difference's interval is then too narrow)."""
    gap, lo, hi = row["gap"], row.get("gap_lo", np.nan), row.get("gap_hi", np.nan)
    if not np.isfinite(gap):
        return ""
    ci = _ci(row, "gap", 100, 1, "个百分点")
    if not ci:
        return f",两者相差{wd.pct_points(gap)}"
    if any(wd.single_point(row.get(f"{k}_lo"), row.get(f"{k}_hi"))
           for k in ("p_top_small", "p_top_large")):
        # one half alike in every resample (e.g. 0 of 4 small units): the difference's
        # interval carries only the other half's uncertainty and is too narrow to judge by
        return (f",两者相差{wd.pct_points(gap)}(一半单位的结果在各次重抽样中均相同,"
                f"差值的区间低估了不确定性),数据不足以判断两者进入{top_label}名额的机会是否不同")
    if hi < 0:
        return f",较小的一半明显更低(相差{wd.pct_points(gap)}{ci})"
    if lo > 0:
        return f",较小的一半明显更高(相差{wd.pct_points(gap)}{ci})"
    return (f",两者相差{wd.pct_points(gap)}({ci[1:]},包含0),"
            f"数据不足以判断两者进入{top_label}名额的机会是否不同")


def persistence_sentences(summary: pd.DataFrame, groups: int = 1, *,
                          top_label: str) -> list[str]:
    """Rank persistence across years and the top-tier share of the smaller half of units
    (within each of ``groups`` comparison groups when there are several), from a
    ``persistence_summary`` table: each figure with its n and its bootstrap interval over
    units, and the difference of the halves judged by its interval. ``top_label``: the
    scheme's top tier (优秀, 一等, 先进), whose quota the shares count."""
    out = []
    half = "各比较组内规模较小的一半单位" if groups > 1 else "规模较小的一半单位"
    for variant in ("level", "growth"):
        rows = summary.loc[summary["variant"] == variant]
        if rows.empty or not rows.iloc[0]["year_pairs"]:
            continue
        r = rows.iloc[0]
        out.append(
            f"{_name(variant)}计分下,相邻两年名次的Kendall τ平均为{wd.num(r['tau_mean'])}"
            f"({int(r['year_pairs'])}对年份,{int(r['units'])}个单位{_ci(r, 'tau')});"
            f"{half}在各年进入{top_label}名额的比例为{wd.pct(r['p_top_small'])}"
            f"(共{int(r['unit_years_small'])}个单位年{_ci(r, 'p_top_small', 100, 1, '%')}),"
            f"较大的一半为{wd.pct(r['p_top_large'])}"
            f"(共{int(r['unit_years_large'])}个单位年{_ci(r, 'p_top_large', 100, 1, '%')})"
            f"{_gap_text(r, top_label)}。")
    return out


def focus_sentences(unit_id: str, table: pd.DataFrame, top: pd.DataFrame,
                    volatility: pd.DataFrame, alpha: float | None, *,
                    top_label: str) -> list[str]:
    """What the variants mean for one unit (by default the smallest): its rank, its chance of
    the top tier (``top_label``: the scheme's) under noise and its rank noise, under level,
    growth and the chosen blend."""
    rows = table.loc[table["unit_id"] == unit_id]
    if rows.empty:
        return []
    name = str(rows["name"].iloc[0])
    n = int(table.loc[(table["variant"] == "level")
                      & (table["sequence"] == rows["sequence"].iloc[0]), "unit_id"].nunique())
    parts = []
    picks = [("level", None), ("growth", None)] + ([("blend", alpha)] if alpha is not None else [])
    for variant, a in picks:
        sel = rows.loc[rows["variant"] == variant]
        t = top.loc[(top["unit_id"] == unit_id) & (top["variant"] == variant)]
        v = volatility.loc[(volatility["unit_id"] == unit_id) & (volatility["variant"] == variant)]
        if a is not None:
            sel = sel.loc[np.isclose(sel["alpha"], a)]
            t = t.loc[np.isclose(t["alpha"], a)]
            v = v.loc[np.isclose(v["alpha"], a)]
        if sel.empty or t.empty or v.empty:
            continue
        se = t["p_top_se"].iloc[0] if "p_top_se" in t.columns else np.nan
        err = f"(模拟误差±{se * 100:.0f}个百分点)" if np.isfinite(se) and se > 0 else ""
        parts.append(f"{_name(variant, a)}计分下排第{int(sel['rank'].iloc[0])}名(共{n}个),"
                     f"测量误差下进入{top_label}名额的概率为{t['p_top'].iloc[0] * 100:.0f}%{err},"
                     f"名次标准差{v['rank_sd'].iloc[0]:.2f}位")
    if not parts:
        return []
    return [f"{name}:" + ";".join(parts) + "。"]


COLUMN_NAMES = {"variant": "计分方式", "alpha": "α", "rho": "ρ(组内)",
                "slope": "规模每翻一番名次变化(位,组内)", "slope_se": "斜率标准误(HC3)",
                "n": "单位数", "groups": "比较组数", "rho_all": "全部单位ρ",
                "group_min": "最小组单位数", "group_max": "最大组单位数",
                "size_rho": "ρ(组内)", "size_rho_all": "全部单位ρ",
                "volatility": "平均名次标准差", "volatility_se": "平均名次标准差的模拟误差",
                "within": "两项均达标", "p_top": "进入最高等次名额的概率",
                "p_top_se": "概率的模拟误差", "mean_rank_sd": "平均名次标准差",
                "mean_rank_sd_se": "平均名次标准差的模拟误差"}


def interval_names(level: float) -> dict[str, str]:
    """Headers of interval bounds at ``level``: a 90 % interval is 5 %/95 %."""
    lo, hi = f"{(1 - level) / 2 * 100:g}%", f"{(1 + level) / 2 * 100:g}%"
    return {"rho_lo": f"ρ下限({lo})", "rho_hi": f"ρ上限({hi})",
            "rho_all_lo": f"全部单位ρ下限({lo})", "rho_all_hi": f"全部单位ρ上限({hi})",
            "size_rho_lo": f"ρ下限({lo})", "size_rho_hi": f"ρ上限({hi})"}


def display_table(table: pd.DataFrame, level: float | None = None) -> pd.DataFrame:
    """A study table for the report: Chinese variant names and column headers; interval
    bounds labelled by the table's ``level`` (or ``level``; default 90 %). The columns of
    the all-units ρ are dropped when there is one comparison group (they repeat ρ)."""
    out = table.copy()
    if level is None:
        level = (float(out["level"].dropna().iloc[0]) if "level" in out.columns
                 and out["level"].notna().any() else 0.90)
    if "groups" in out.columns and out["groups"].max() <= 1:
        out = out.drop(columns=[c for c in ("rho_all", "rho_all_lo", "rho_all_hi", "groups")
                                if c in out.columns])
    if "size_rho_all" in out.columns and np.allclose(
            out["size_rho_all"].fillna(9), out["size_rho"].fillna(9)):
        out = out.drop(columns=["size_rho_all"])
    if "variant" in out.columns:
        labels = out["label"] if "label" in out.columns else [None] * len(out)
        out["variant"] = [_name(v, a, lab) for v, a, lab in
                          zip(out["variant"], out.get("alpha", [None] * len(out)), labels)]
        out = out.drop(columns=["alpha", "label"], errors="ignore")
    if "within" in out.columns:
        out["within"] = out["within"].map({True: "是", False: "否"})
    out = out.drop(columns=["level"], errors="ignore")
    return out.rename(columns={**COLUMN_NAMES, **interval_names(level)})
