"""Chinese findings of study 3 (tier boundaries), generated from its tables: who is safely
in a tier, who is a coin toss, how many tiers the noise could flip, what the rank sets and
score lines say, what the rewards cost.

The study's computation: ``perfanalysis.studies.boundaries``; its figures:
``perfanalysis.report.figures.boundaries``; chapter ``notebooks/03_tier_boundaries.py``.
"""

from __future__ import annotations

import pandas as pd

from ...engine.errormodel import error_size_units
from ...engine.scheme import Scheme
from ..wording import count_units

SAFE = 0.95  # a unit keeps its official tier in at least this share of draws
COIN = (0.35, 0.65)  # the official tier's probability in this band: a coin toss
MAX_NAMES = 8


def _changes(worst: int) -> str:
    """'最多使2个单位的等次改变', or for none '不改变任何单位的等次'."""
    return f"最多使{worst}个单位的等次改变" if worst else "不改变任何单位的等次"


def _names(df: pd.DataFrame, with_p: bool = False) -> str:
    items = [f"{r.name}({r.official_tier},{r.p_official:.0%})" if with_p else str(r.name)
             for r in df.head(MAX_NAMES).itertuples()]
    more = f"等{len(df)}个单位" if len(df) > MAX_NAMES else ""
    return "、".join(items) + more


KIND_TEXT = {"relative": "相对误差{size}", "absolute": "绝对误差{size}{unit}",
             "growth": "增速误差{size}个百分点", "se": "标准误{size}分"}
CLASS_TEXT = {"volume": "总量类指标", "rate": "比率类指标", "growth_rate": "官方增速指标",
              "score": "考评得分指标", "count": "计数类指标", "rating": "评议得分"}


def _size(kind: str, size: float) -> str:
    return f"{size:.0%}" if kind == "relative" and size * 100 == round(size * 100) \
        else f"{size * 100:.3g}%" if kind == "relative" else f"{size:.3g}"


def error_model_text(errors: pd.DataFrame) -> str:
    """The error model in one sentence, from its table (class, kind, size, year
    correlation per indicator): groups of indicators with the same error, then what is
    exact. An absolute error is stated in the indicator's unit (the table's ``unit``:
    percentage points for %, 万元 for a volume)."""
    active = errors.loc[(errors["kind"] != "none") & (errors["size"] > 0)]
    if active.empty:
        return "不加数据误差"
    parts = []
    # the unit matters for an absolute error only (5 % of 万元 and of 亿元 is one group)
    active = active.assign(error_unit=error_size_units(active))
    keys = ["class", "kind", "size", "year_correlation", "error_unit"]
    for (cls, kind, size, rho, unit), g in active.groupby(keys, sort=False):
        text = (f"{len(g)}项{CLASS_TEXT.get(str(cls), str(cls))}"
                + KIND_TEXT.get(str(kind), "误差{size}").format(size=_size(str(kind), size),
                                                               unit=unit))
        if rho > 0:
            text += f"(相邻年份误差相关系数{rho:g})"
        parts.append(text)
    exact = errors.loc[(errors["kind"] == "none") | (errors["size"] <= 0)]
    tail = f",{len(exact)}项按精确值处理" if len(exact) else ""
    return "数据误差按误差模型表:" + "、".join(parts) + tail


def setting_text(noise: float, weight_concentration: float, draws: int,
                 errors: pd.DataFrame | None = None) -> str:
    """What was simulated, in one clause (the error model from its table when given)."""
    parts = []
    if errors is not None and noise > 0:
        text = error_model_text(errors)
        if text != "不加数据误差":
            parts.append(text + ";误差以原值为中心(平均为零),取值不越出有效范围")
    elif noise > 0:
        parts.append(f"各指标数据带有规模为{noise:g}的数据误差")
    if weight_concentration > 0:
        parts.append(f"指标权重围绕方案分值随机变动(狄利克雷分布,集中度{weight_concentration:g})")
    what = "、".join(parts) if parts else "不加任何扰动"
    return f"模拟{draws}次:{what}。"


def bias_text(probs: pd.DataFrame) -> str | None:
    """The largest gap between a unit's mean simulated total and its official total, and
    whether it exceeds its Monte Carlo error (4 standard errors): the draws are centred, so
    such a gap comes from capped or relative scoring, not from the errors."""
    if "bias" not in probs or probs["bias"].isna().all():
        return None
    worst = probs.loc[probs["bias"].abs().idxmax()]
    if abs(worst["bias"]) <= 4 * worst["bias_se"] or abs(worst["bias"]) < 0.005:
        return ("模拟平均总分与正式总分的差(偏差)都在模拟误差以内:在本误差模型下,"
                "数据误差不会系统地抬高或压低总分。")
    n_sig = int((probs["bias"].abs() > 4 * probs["bias_se"]).sum())
    return (f"误差以原值为中心,但封顶、保底、组内最大最小值和排位等非线性计分使{n_sig}个单位的"
            f"模拟平均总分偏离正式总分,最大的是{worst['name']}"
            f"({worst['bias']:+.2f}分,模拟标准误{worst['bias_se']:.2f});"
            "偏差单列于各单位的等次概率表,等次概率已包含其影响。")


def boundary_findings(probs: pd.DataFrame, summary: pd.DataFrame, sets: pd.DataFrame,
                      sensitivity: pd.DataFrame, cost: pd.DataFrame, scheme: Scheme,
                      noise: float, weight_concentration: float,
                      errors: pd.DataFrame | None = None) -> list[str]:
    """The chapter's findings: one paragraph per claim, numbers from the tables
    (``errors``: the error model's table, ``errormodel.error_model_table``)."""
    s = summary.iloc[0]
    n = len(probs)
    out = [setting_text(noise, weight_concentration, int(s["draws"]), errors)]
    bias = bias_text(probs) if noise > 0 else None
    if bias:
        out.append(bias)
    safe = probs.loc[probs["p_official"] >= SAFE]
    coin = probs.loc[probs["p_official"].between(*COIN)].sort_values("p_official")
    shaky = probs.loc[probs["p_official"] < SAFE].sort_values("p_official")
    out.append(f"{n}个单位中,{len(safe)}个单位在{SAFE:.0%}以上的模拟中保持正式等次,"
               f"等次稳定;{len(shaky)}个单位的等次会随误差改变"
               + (f",其中变动可能最大的是{_names(shaky, True)}。" if len(shaky) else "。"))
    if len(coin):
        out.append(f"{_names(coin, True)}保持正式等次的概率在{COIN[0]:.0%}至{COIN[1]:.0%}"
                   "之间,等次结果不确定性较大。")
    else:
        out.append(f"没有单位保持正式等次的概率落在{COIN[0]:.0%}至{COIN[1]:.0%}之间"
                   "(即等次结果不确定性较大的单位)。")
    top = scheme.tiers.labels[0]
    exact_se = (f",模拟标准误{s['p_top_set_exact_se']:.1%}"
                if "p_top_set_exact_se" in s else "")
    out.append(f"平均每次模拟有{s['expected_changes']:.1f}个单位的等次与正式结果不同"
               f"(模拟标准误{s['expected_changes_se']:.2f});"
               f"{top}名单与正式结果完全相同的概率为{s['p_top_set_exact']:.0%}{exact_se}"
               f"(各单位等次概率的模拟标准误不超过{s['max_se']:.3f})。")
    if len(sets):
        width = sets["upper"] - sets["lower"]
        point = sets.loc[width == 0]
        widest = sets.assign(width=width).sort_values("width", ascending=False,
                                                      kind="stable").head(3)
        text = (f"按95%名次置信区间,{count_units(len(point), verb='的名次可以确定')},"
                f"{count_units(len(sets) - len(point), verb='的名次无法与相邻单位区分')}")
        if len(sets) > len(point):
            text += "(区间最宽的是" + "、".join(
                f"{r.name}:第{r.lower}至{r.upper}名" for r in widest.itertuples()) + ")"
        out.append(text + "。")
        quota_line = sets.loc[sets["surely_top"] | sets["maybe_top"]] if "maybe_top" in sets \
            else None
        if quota_line is not None:
            sure = sets.loc[sets["surely_top"]]
            maybe = sets.loc[sets["maybe_top"] & ~sets["surely_top"]]
            first = (f"{len(sure)}个单位的名次区间整体在名额之内,可以确定属于前列" if len(sure)
                     else "没有单位的名次区间整体在名额之内(没有单位可以确定属于前列)")
            second = (f"{len(maybe)}个单位的区间跨越名额线,名额内外都有可能({_names(maybe)})"
                      if len(maybe) else "没有单位的区间跨越名额线")
            out.append(f"以评优名额为界,{first};{second}。")
    thr = sensitivity.loc[sensitivity["kind"] == "threshold"]
    if len(thr):
        for rule, sub in thr.groupby("rule", sort=False):
            span = float(sub["shift"].abs().max())
            worst = int(sub["n_changed"].max())
            out.append(f"{rule}上下移动{span:g}分," + _changes(worst) + "。")
    forced = sensitivity.loc[sensitivity["kind"] == "forced_share"]
    if len(forced):
        out.append(f"{top}比例上下调整5个百分点," + _changes(int(forced["n_changed"].max()))
                   + "。")
    if len(cost):
        c = cost.set_index("statistic")["value"]
        text = f"按正式等次,绩效奖金合计{c['official'] / 1e4:.1f}万元"
        if "p05" in c:
            text += (f";考虑误差后,90%的模拟落在{c['p05'] / 1e4:.1f}万元至"
                     f"{c['p95'] / 1e4:.1f}万元之间")
        out.append(text + "。")
    return out
