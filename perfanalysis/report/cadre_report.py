"""The cadre section of chapter 00 (干部考核结果): shown only when the data carry a cadre
layer (persons.csv rows for the year), with each cadre's rank, tier and review flag per
(sequence, role) — Xiangxi's "三个层次" ranked separately (``perfanalysis.engine.cadres``).

Every sentence is computed from the cadre table; the table keeps the ranks and tiers of
``cadre_table`` as they are.
"""

from __future__ import annotations

import pandas as pd

from ..engine.cadres import REVIEW, CadreRules
from ..engine.data import Dataset
from ..engine.rounding import round_frame
from ..engine.scheme import Scheme

#: the scores.xlsx sheet (a reader's name) holding the whole cadre table
CADRE_SHEET = "干部考核结果"


def has_cadres(data: Dataset, year: int) -> bool:
    """True when the data carry a cadre layer for ``year`` (persons.csv rows of that year):
    the report then shows the cadre section, else it leaves it out."""
    persons = data.persons
    return persons is not None and bool((persons["year"] == year).any())


def _sequence_names(cadres: pd.DataFrame, scheme: Scheme) -> pd.Series:
    return cadres["sequence"].map(lambda s: scheme.sequences.get(s, s))


def display_cadres(cadres: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """The cadre table for readers: Chinese headers, sequence names, scores at 2 decimals;
    one row per cadre in the order of ``cadre_table`` (sequence, role, rank)."""
    out = pd.DataFrame({
        "序列": _sequence_names(cadres, scheme), "层次": cadres["role"],
        "姓名": cadres["name"], "单位": cadres["unit_name"],
        "班子得分": cadres["team_score"], "个人得分": cadres["score"],
        "层次内名次": cadres["rank"], "等次": cadres["tier"],
        "考核对象标记": cadres["review"], "触发条件": cadres["triggers"],
        "等次说明": cadres["tier_reason"]})
    return round_frame(out)


def cadre_group_summary(cadres: pd.DataFrame, scheme: Scheme,
                        rules: CadreRules | None = None) -> pd.DataFrame:
    """Per (sequence, role): how many cadres, how many in each tier and how many flagged
    for review (基本称职考核对象) — the groups the 15:80:4:1 distribution runs in."""
    rules = rules or CadreRules()
    names = _sequence_names(cadres, scheme)
    frame = cadres.assign(序列=names, 层次=cadres["role"])
    keys = ["序列", "层次"] if rules.by_role else ["序列"]
    grouped = frame.groupby(keys, sort=False)
    out = grouped.size().rename("人数").to_frame()
    for label in rules.labels:
        out[label] = grouped["tier"].apply(lambda t, lab=label: int((t == lab).sum()))
    out[REVIEW] = grouped["review"].apply(lambda r: int((r == REVIEW).sum()))
    return out.reset_index()


def cadre_sentences(cadres: pd.DataFrame, scheme: Scheme, year: int,
                    rules: CadreRules | None = None) -> list[str]:
    """What the cadre section says, computed from the cadre table: how many cadres in how
    many groups, the tier counts, and who is flagged for review or rated down by a trigger."""
    rules = rules or CadreRules()
    summary = cadre_group_summary(cadres, scheme, rules)
    shares = ":".join(f"{s * 100:g}" for s in rules.shares)
    roles = "、".join(dict.fromkeys(cadres["role"]))
    per = f"序列和层次({roles})" if rules.by_role else "序列"
    counts = "、".join(f"{label}{int((cadres['tier'] == label).sum())}名"
                       for label in rules.labels)
    out = [(f"{year}年共{len(cadres)}名领导干部参加考核,按{per}分{len(summary)}组分别排名,"
            f"各组按{shares}的比例评定等次:{counts}。")]
    if rules.assumption:
        out.append(f"干部个人得分中班子得分的折算比例(班子正职{rules.head_team_share * 100:g}%、"
                   f"班子成员{rules.member_team_share * 100:g}%)取自湘西州的做法,{shares}的"
                   "等次比例和基本称职触发条件取自长沙市的做法,二者合用是本报告的示例假设。")
    flagged = cadres.loc[cadres["review"] == REVIEW]
    if len(flagged):
        who = "、".join(f"{n}({u})" for n, u in zip(flagged["name"], flagged["unit_name"]))
        out.append(f"{len(flagged)}名干部触发基本称职条件,列为{REVIEW},待组织复核,等次不因此"
                   f"自动降低:{who}。")
    else:
        out.append(f"本年度没有干部列为{REVIEW}。")
    lowered = cadres.loc[cadres["tier_reason"].str.contains("原按比例为", regex=False)]
    if len(lowered):
        why = ("触发基本称职条件" if rules.triggers_demote
               else "民主测评基本称职或不称职得票超过三分之一")
        out.append(f"{len(lowered)}名干部因{why},评为{rules.labels[2]}:"
                   + "、".join(lowered["name"]) + "。")
    return out
