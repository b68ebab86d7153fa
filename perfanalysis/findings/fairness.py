"""Chinese findings of the growth-vs-level fairness study, generated from its tables: which
variant is size-neutral, which α the data support, what it means for the smallest unit.
Every number in a sentence is read from a table the study computed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..studies.fairness import VARIANT_NAMES

MAIN_VARIANTS = ("level", "growth", "increment", "per_capita", "cgp", "value_added")


def _name(variant: str, alpha: float | None = None) -> str:
    base = VARIANT_NAMES.get(variant, variant)
    if variant == "blend" and alpha is not None and np.isfinite(alpha):
        return f"{base}(α={alpha:.2f})"
    return base


def lean(row: pd.Series) -> str:
    """'large', 'small' or 'neutral': whether the 90 % interval of ρ excludes 0."""
    if np.isfinite(row["rho_lo"]) and row["rho_lo"] > 0:
        return "large"
    if np.isfinite(row["rho_hi"]) and row["rho_hi"] < 0:
        return "small"
    return "neutral"


def _places_per_doubling(slope: float) -> str:
    if not np.isfinite(slope):
        return ""
    moved = abs(slope)
    way = "前移" if slope < 0 else "后移"
    return f",规模每扩大一倍名次平均{way}{moved:.1f}位"


def size_sentences(size_dep: pd.DataFrame) -> list[str]:
    """How much each variant favours large units, and which is size-neutral."""
    rows = size_dep.loc[size_dep["variant"].isin(MAIN_VARIANTS)].dropna(subset=["rho"])
    if rows.empty:
        return ["单位数太少或得分无差异,无法估计得分与规模的关系。"]
    out = []
    verdict = {"large": "明显有利于规模大的单位", "small": "明显有利于规模小的单位",
               "neutral": "与规模无明显关系(90%区间包含0)"}
    for _, r in rows.iterrows():
        out.append(f"{_name(r['variant'])}计分下,得分与规模的秩相关ρ为{r['rho']:.2f}"
                   f"(90%自助区间{r['rho_lo']:.2f}至{r['rho_hi']:.2f})"
                   f"{_places_per_doubling(r['slope'])},{verdict[lean(r)]}。")
    neutral = rows.loc[rows.apply(lean, axis=1) == "neutral"]
    best = rows.loc[rows["rho"].abs().idxmin()]
    if len(neutral):
        names = "、".join(_name(v) for v in neutral["variant"])
        out.append(f"在本数据上规模中性的计分方式是:{names};其中与规模关系最弱的是"
                   f"{_name(best['variant'])}(ρ={best['rho']:.2f})。")
    else:
        out.append(f"在本数据上没有一种计分方式是规模中性的;与规模关系最弱的是"
                   f"{_name(best['variant'])}(ρ={best['rho']:.2f})。")
    return out


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


def volatility_sentences(vol_size: pd.DataFrame) -> list[str]:
    """How rank noise grows as size shrinks, per main variant."""
    out = []
    for _, r in vol_size.loc[vol_size["variant"].isin(MAIN_VARIANTS)].iterrows():
        if not np.isfinite(r["rho"]):
            continue
        trend = ("规模越小名次越不稳定" if r["rho"] < -0.3 else
                 "规模越大名次越不稳定" if r["rho"] > 0.3 else "名次波动与规模关系不大")
        out.append(f"{_name(r['variant'])}计分下,测量误差使名次平均波动{r['mean_rank_sd']:.2f}位,"
                   f"名次标准差与规模的秩相关为{r['rho']:.2f},{trend}。")
    return out


def persistence_sentences(kendall: pd.DataFrame, chance: pd.DataFrame) -> list[str]:
    """Rank persistence across years and the top-tier share of the smaller half of units."""
    out = []
    for variant in ("level", "growth"):
        k = kendall.loc[kendall["variant"] == variant, "kendall_tau"].dropna()
        c = chance.loc[chance["variant"] == variant]
        if k.empty or c.empty:
            continue
        r = c.iloc[0]
        out.append(f"{_name(variant)}计分下,相邻两年名次的Kendall τ平均为{k.mean():.2f}"
                   f"({len(k)}对年份);规模较小的一半单位在各年进入优秀名额的比例为"
                   f"{r['p_top_small'] * 100:.0f}%,较大的一半为{r['p_top_large'] * 100:.0f}%。")
    return out


def focus_sentences(unit_id: str, table: pd.DataFrame, top: pd.DataFrame,
                    volatility: pd.DataFrame, alpha: float | None) -> list[str]:
    """What the variants mean for one unit (by default the smallest): its rank, its chance of
    the top tier under noise and its rank noise, under level, growth and the chosen blend."""
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
        parts.append(f"{_name(variant, a)}计分下排第{int(sel['rank'].iloc[0])}名(共{n}个),"
                     f"测量误差下进入优秀名额的概率为{t['p_top'].iloc[0] * 100:.0f}%,"
                     f"名次标准差{v['rank_sd'].iloc[0]:.2f}位")
    if not parts:
        return []
    return [f"{name}:" + ";".join(parts) + "。"]


COLUMN_NAMES = {"variant": "计分方式", "alpha": "α", "rho": "ρ", "rho_lo": "ρ下限(5%)",
                "rho_hi": "ρ上限(95%)", "slope": "规模每翻一番名次变化(位,组内)",
                "slope_se": "斜率标准误(HC3)", "n": "单位数", "groups": "比较组数",
                "rho_all": "全部单位ρ", "rho_all_lo": "全部单位ρ下限(5%)",
                "rho_all_hi": "全部单位ρ上限(95%)", "level": "区间置信水平", "size_rho": "ρ", "size_rho_lo": "ρ下限(5%)",
                "size_rho_hi": "ρ上限(95%)", "volatility": "平均名次标准差", "within": "两项均达标"}


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """A study table for the report: Chinese variant names and column headers."""
    out = table.copy()
    if "variant" in out.columns:
        out["variant"] = [_name(v, a) for v, a in zip(out["variant"],
                                                     out.get("alpha", [None] * len(out)))]
        out = out.drop(columns=["alpha"], errors="ignore")
    if "within" in out.columns:
        out["within"] = out["within"].map({True: "是", False: "否"})
    return out.rename(columns=COLUMN_NAMES)
