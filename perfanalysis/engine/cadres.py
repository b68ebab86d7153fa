"""The cadre layer (领导干部绩效考核, seeds/004): leaders' scores from their team's score,
a 15:80:4:1 forced distribution among cadres, and the hard triggers for 基本称职.

Source (Xiangxi): "班子正职履行岗位职责情况按所在班子年度绩效得分的70%折算" and "班子成员……
履行岗位职责考核得分由所在班子年度绩效得分的50%和个人分管工作考核得分两部分构成", plus a
personal 德才素质测评. Source (Changsha): "对领导干部按15∶80∶4∶1的比例评出一、二、三、四等(相当于
……优秀、称职、基本称职和不称职)。……本类别班子成员得分排名后5%、民主测评综合得分排名后2%,以及某项
工作目标定量指标得分低于60%的,均作为“基本称职”考核对象,并且民主测评“基本称职”或“不称职”得票
超过1/3必须评为“基本称职”。"

Xiangxi ranks its cadres in "三个层次" separately (班子正职, 班子成员, 其它处级干部): ranks,
the 15:80:4:1 distribution and the "本类别……排名" triggers are per (sequence, role)
(``by_role``, default). Role codes in persons.csv: ``head``, ``member``, ``other`` (其它处级干部,
scored like members).

Readings (assumptions, documented in data/schemes/README.md): the team score is the team's
total rescaled to 100; 德才素质测评 weighs 30 of 100 for everyone, 分管工作 20 for members;
"本类别" is the unit's sequence (and the cadre's level). The first three triggers make a cadre
a "基本称职考核对象": a cadre under review (``review`` column), not demoted unless the rules
say so (``triggers_demote``); the vote trigger ("必须评为基本称职") always demotes; a cadre the
distribution already puts in 不称职 stays there. The combination itself is an assumption:
the 70 %/50 % team shares are Xiangxi's, 15:80:4:1 and the triggers Changsha's
(``CadreRules.assumption``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import DataError, Problem
from .data import Dataset
from .scheme import Rounding, Scheme, scheme_from_mapping
from .scorecard import scorecard
from .tiers import assign_tiers, rounded_count

CADRE_COLUMNS = ["person_id", "name", "role", "unit_id", "unit_name", "sequence", "team_score",
                 "duty_score", "character_score", "score", "rank", "triggers", "review", "tier",
                 "tier_reason"]
ROLE_NAMES = {"head": "班子正职", "member": "班子成员", "other": "其它处级干部"}
REVIEW = "基本称职考核对象"
VOTE_TRIGGER = "基本称职或不称职得票超过1/3"


class CadreRules(BaseModel):
    """Parameters of the cadre layer; defaults are the sources' figures and marked readings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    labels: list[str] = Field(default_factory=lambda: ["优秀", "称职", "基本称职", "不称职"])
    shares: list[float] = Field(default_factory=lambda: [0.15, 0.80, 0.04, 0.01])
    rounding: Rounding = "half_up"
    head_team_share: float = Field(0.7, ge=0, le=1, description="班子正职: 班子得分的70%")
    member_team_share: float = Field(0.5, ge=0, le=1, description="班子成员: 班子得分的50%")
    portfolio_weight: float = Field(0.2, ge=0, le=1, description="members' 分管工作 (assumption)")
    character_weight: float = Field(0.3, ge=0, le=1, description="德才素质测评 (assumption)")
    bottom_share: float = Field(0.05, ge=0, le=1, description="本类别得分排名后5%")
    democratic_bottom_share: float = Field(0.02, ge=0, le=1, description="民主测评后2%")
    quantitative_min: float = Field(60.0, description="定量指标得分低于60%")
    vote_share: float = Field(1 / 3, ge=0, le=1, description="基本称职/不称职得票超过1/3")
    by_role: bool = Field(True, description="Xiangxi's 三个层次: rank and distribute per "
                                            "(sequence, role)")
    triggers_demote: bool = Field(
        False, description="the 后5%/民主测评后2%/定量 triggers make a cadre 基本称职 (True) or "
                           "only a 基本称职考核对象 for review (False, the source's word)")
    assumption: bool = Field(
        True, description="the combination is an assumption: the 70 %/50 % team shares are "
                          "Xiangxi's, 15:80:4:1 and the triggers Changsha's")

    @model_validator(mode="after")
    def _consistent(self) -> CadreRules:
        if len(self.labels) != 4 or len(self.shares) != 4:
            raise ValueError("cadre tiers need four labels and four shares (15:80:4:1)")
        if abs(sum(self.shares) - 1) > 1e-9:
            raise ValueError(f"cadre shares must add up to 1: {self.shares}")
        for role, share, other in (("head", self.head_team_share, self.character_weight),
                                   ("member", self.member_team_share,
                                    self.character_weight + self.portfolio_weight)):
            if abs(share + other - 1) > 1e-9:
                raise ValueError(f"a {role}'s weights add up to {share + other:g}, not 1")
        return self


def cadre_scores(persons: pd.DataFrame, teams: pd.DataFrame, max_points: float,
                 rules: CadreRules) -> pd.DataFrame:
    """Each cadre's score (0–100): team share + 分管工作 (members) + 德才素质测评.

    ``teams`` holds the units' ``unit_id``, ``name``, ``sequence`` and ``total``; the team
    score is the total rescaled to 100 (total / max_points × 100).
    """
    team = teams.set_index("unit_id")
    missing = sorted(set(persons["unit_id"]) - set(team.index))
    if missing:
        raise DataError([Problem("persons.csv", f"cadres of units without a team score: "
                                 f"{missing}", zh=f"以下单位没有班子得分:{missing}")])
    out = persons.copy()
    out["unit_name"] = out["unit_id"].map(team["name"])
    out["sequence"] = out["unit_id"].map(team["sequence"])
    out["team_score"] = out["unit_id"].map(team["total"]) / max_points * 100.0
    bad_role = sorted(set(out["role"]) - set(ROLE_NAMES))
    if bad_role:
        raise DataError([Problem("persons.csv", f"unknown roles {bad_role}; allowed: "
                                 f"{sorted(ROLE_NAMES)}", None, "role",
                                 zh=f"未知的干部层次 {bad_role}(应为 head 班子正职、member 班子成员、"
                                    "other 其它处级干部)")])
    head = out["role"] == "head"
    portfolio = out["portfolio"] if "portfolio" in out else pd.Series(np.nan, index=out.index)
    no_portfolio = ~head & portfolio.isna()
    if no_portfolio.any():
        ids = out.loc[no_portfolio, "person_id"].tolist()
        raise DataError([Problem("persons.csv", f"members need a portfolio score (分管工作考核得分): "
                                 f"{ids}", None, "portfolio", zh=f"班子成员缺少分管工作考核得分:{ids}")])
    out["duty_score"] = np.where(
        head, rules.head_team_share * out["team_score"],
        rules.member_team_share * out["team_score"]
        + rules.portfolio_weight * portfolio.fillna(0.0))
    out["character_score"] = rules.character_weight * out["character"]
    out["score"] = out["duty_score"] + out["character_score"]
    cols = ["team_score", "duty_score", "character_score", "score"]
    out[cols] = out[cols].astype(float).round(6)
    return out


def _bottom(values: pd.Series, groups: pd.Series, share: float, rounding: str) -> pd.Series:
    """Whether each value is among the last ``share`` of its group (ties with the cut in)."""
    out = pd.Series(False, index=values.index)
    for idx in values.groupby(groups).groups.values():
        v = values.loc[idx]
        k = rounded_count(share * len(v), rounding)
        if k <= 0:
            continue
        cut = v.sort_values(kind="stable").iloc[k - 1]
        out.loc[idx] = v <= cut
    return out


def cadre_groups(cadres: pd.DataFrame, rules: CadreRules) -> pd.Series:
    """Who is ranked together: the sequence, or (``by_role``) the sequence and the role
    (Xiangxi's 三个层次), as ``sequence|role``."""
    if not rules.by_role:
        return cadres["sequence"].astype(str)
    return cadres["sequence"].astype(str) + "|" + cadres["role"].astype(str)


def basic_triggers(cadres: pd.DataFrame, rules: CadreRules) -> pd.Series:
    """The 基本称职 triggers each cadre meets, as Chinese text ('' when none)."""
    groups = cadre_groups(cadres, rules)
    parts = pd.DataFrame(index=cadres.index)
    parts["后5%"] = _bottom(cadres["score"], groups, rules.bottom_share, rules.rounding)
    parts["民主测评后2%"] = _bottom(cadres["democratic"], groups, rules.democratic_bottom_share,
                                  rules.rounding)
    quant = cadres["quantitative"] if "quantitative" in cadres else pd.Series(np.nan,
                                                                             index=cadres.index)
    parts["定量指标得分低于60%"] = quant < rules.quantitative_min
    if "votes_total" in cadres and "votes_basic" in cadres:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = cadres["votes_basic"] / cadres["votes_total"]
        parts[VOTE_TRIGGER] = (cadres["votes_total"] > 0) & (ratio > rules.vote_share)
    else:
        parts[VOTE_TRIGGER] = False
    names = list(parts.columns)
    return parts.apply(lambda r: "、".join(n for n in names if r[n]), axis=1)


def _tier_scheme(sequences: dict[str, str], rules: CadreRules) -> Scheme:
    return scheme_from_mapping({
        "id": "cadres", "name": "领导干部绩效考核", "sequences": sequences,
        "components": [{"id": "score", "name": "个人绩效得分", "points": 100,
                        "source": "rating"}],
        "tiers": {"method": "forced_distribution", "labels": rules.labels,
                  "shares": rules.shares, "rounding": rules.rounding}})


def _group_names(cadres: pd.DataFrame, groups: pd.Series, sequences: dict[str, str],
                 rules: CadreRules) -> dict[str, str]:
    names = {}
    for g, seq, role in zip(groups, cadres["sequence"], cadres["role"], strict=True):
        seq_name = sequences.get(str(seq), str(seq))
        names[g] = f"{seq_name}·{ROLE_NAMES.get(str(role), str(role))}" if rules.by_role \
            else seq_name
    return names


def assign_cadre_tiers(cadres: pd.DataFrame, sequences: dict[str, str],
                       rules: CadreRules) -> pd.DataFrame:
    """15:80:4:1 per (sequence, role) — or per sequence without ``by_role`` — then the
    triggers: the vote trigger makes a cadre 基本称职 at best (不称职 stays); the others make
    him a 基本称职考核对象 (``review``), demoted only with ``triggers_demote``."""
    groups = cadre_groups(cadres, rules)
    scores = pd.DataFrame({"unit_id": cadres["person_id"], "name": cadres["name"],
                           "sequence": groups, "score": cadres["score"],
                           "total": cadres["score"]})
    no_events = pd.DataFrame({c: pd.Series(dtype=object) for c in
                              ("unit_id", "year", "event", "count", "project")})
    names = _group_names(cadres, groups, sequences, rules)
    tiers = assign_tiers(scores, _tier_scheme(names, rules), no_events).set_index("unit_id")
    out = cadres.copy()
    out["tier"] = out["person_id"].map(tiers["tier"])
    out["tier_reason"] = out["person_id"].map(tiers["tier_reason"])
    out["triggers"] = basic_triggers(out, rules)
    others = out["triggers"].str.replace(VOTE_TRIGGER, "", regex=False).str.strip("、") != ""
    out["review"] = np.where(others, REVIEW, "")
    labels = rules.labels
    basic = labels[2]
    demoting = out["triggers"].str.contains(VOTE_TRIGGER, regex=False)
    if rules.triggers_demote:
        demoting |= out["triggers"] != ""
    hit = demoting & out["tier"].map(labels.index).lt(labels.index(basic))
    out.loc[hit, "tier_reason"] = (out.loc[hit, "triggers"] + ",评为" + basic + "(原按比例为"
                                   + out.loc[hit, "tier"] + ")")
    out.loc[hit, "tier"] = basic
    flagged = others & ~hit
    out.loc[flagged, "tier_reason"] = (out.loc[flagged, "tier_reason"] + ";"
                                       + out.loc[flagged, "triggers"] + ",列为" + REVIEW)
    return out


def cadre_table(data: Dataset, scheme: Scheme, year: int,
                rules: CadreRules | None = None) -> pd.DataFrame:
    """The year's cadre results: team scores from the scheme, then each cadre's score and tier.

    Needs ``persons.csv`` (person_id, unit_id, name, role head|member, year, character,
    democratic, and optionally portfolio, quantitative, votes_total, votes_basic).
    """
    rules = rules or CadreRules()
    if data.persons is None:
        raise DataError([Problem(str(data.source), "the cadre level needs persons.csv (person_id, "
                                 "unit_id, name, role, year, character, democratic, …)",
                                 zh="干部层面的考核需要 persons.csv(干部名单及个人得分)")])
    persons = data.persons.loc[data.persons["year"] == year]
    if persons.empty:
        raise DataError([Problem(str(data.files.get("persons", data.source)),
                                 f"persons.csv has no rows for {year}",
                                 zh=f"persons.csv 中没有 {year} 年的数据")])
    teams = scorecard(data, scheme, year)
    cadres = cadre_scores(persons, teams, scheme.max_points, rules)
    cadres["rank"] = (cadres.groupby(cadre_groups(cadres, rules))["score"]
                      .rank(method="min", ascending=False).astype(int))
    sequences = scheme.sequences or {s: s for s in cadres["sequence"].unique()}
    out = assign_cadre_tiers(cadres, sequences, rules)
    order = out["role"].map({r: i for i, r in enumerate(ROLE_NAMES)})
    out = out.assign(_role=order if rules.by_role else 0)
    out = out.sort_values(["sequence", "_role", "rank", "person_id"], kind="stable")
    out["role"] = out["role"].map(ROLE_NAMES)
    return out[CADRE_COLUMNS].reset_index(drop=True)
