"""The brief as a reply to a proposal: the proposal file, the economic block as the scheme
actually scores it, its size dependence, the category of each suggestion's answer (by
stated rules) and the alternatives ranked on a stated objective.

The proposal (its number, question, focus units and suggestions) is data: a
``proposal.yaml`` beside the data (or any file given as ``proposal``). Without one the brief
asks the generic question of the scheme and names no focus unit.

The economic block is the set of leaves whose level/growth weight the scheme sets (its
blended 增量+增速 leaves, ``fairness_core.blended_leaves``) scored by the engine
(``leaf_scores``), with the first-level group that holds them and the total beside it. Size
dependence is always :func:`perfanalysis.studies.size.size_dependence`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..engine.scheme import BASIS_ZH, Group, Indicator, Scheme, with_overrides
from ..errors import DataError, Problem
from ..studies.size import size_dependence
from ..yamlsafe import safe_load

#: what a suggestion may ask about (the proposal file's ``topics``), in Chinese
TOPICS: dict[str, str] = {
    "growth_scoring": "按增量、增速评分",
    "differentiated_targets": "差异化目标",
    "key_work": "重点工作和个性指标",
    "budget": "绩效预算",
}
CATEGORIES = ("采纳", "部分采纳", "留作参考", "需进一步研究")
#: |ρ| at or above which an interval covering 0 means "too few units to decide"
UNDECIDED_RHO = 0.3
#: tier stability: an alternative is admissible when it changes at most this share of tiers
MAX_TIER_CHANGE_SHARE = 0.25
#: the α grid of the economic block's alternatives (weight of the leaves' own basis)
ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0)

#: the stated rules deciding a suggestion's category: rule id → (condition, category, the
#: condition in short as the 答复要点 prints it)
RULES: dict[str, tuple[str, str, str]] = {
    "R1": ("现有数据不能反映该建议涉及的内容", "留作参考", "数据不能反映该项内容"),
    "R2": ("得分与规模相关系数的置信区间包含0且|ρ|≥0.3,现有单位数不足以判断", "需进一步研究",
           "单位数不足以判断"),
    "R3": ("现行方案已采取该措施,且未见得分随规模增大而升高(置信区间上限<0,或区间包含0且|ρ|<0.3)",
           "采纳", "已采取该措施,未见得分随规模升高"),
    "R4": ("现行方案已采取该措施,但得分仍随规模增大而升高(置信区间下限>0)", "部分采纳",
           "已采取该措施,但得分仍随规模升高"),
    "R5": ("现行方案未采取该措施,且得分随规模增大而升高(置信区间下限>0)", "采纳",
           "未采取该措施,得分随规模升高"),
    "R6": ("现行方案未采取该措施,且未见得分随规模增大而升高", "留作参考",
           "未采取该措施,未见得分随规模升高"),
}


# --- the proposal file --------------------------------------------------------------------
@dataclass(frozen=True)
class Suggestion:
    """One suggestion of a proposal: its number (一, 二 …), title and the topics it asks."""

    key: str
    title: str
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Proposal:
    """A proposal the brief answers (read from a YAML file by :func:`load_proposal`)."""

    id: str
    title: str
    question: str
    suggestions: tuple[Suggestion, ...]
    session: str = ""
    proposer: str = ""
    focus_units: tuple[str, ...] = ()
    path: str = ""

    @property
    def heading(self) -> str:
        """"市政协六届二次会议第1214号提案" (or without the session)."""
        return f"{self.session}第{self.id}号提案"


def _proposal_problem(path: Path, key: str, en: str, zh: str) -> DataError:
    return DataError([Problem(str(path), en, column=key, zh=zh)],
                     headline="Invalid proposal file / 提案文件有误")


def load_proposal(path: Path | str) -> Proposal:
    """Read a proposal file: id, title, question, suggestions (each key, title, topics from
    ``TOPICS``), optional session, proposer, focus_units. Bad input raises a DataError naming
    the file and key."""
    path = Path(path)
    if not path.is_file():
        raise _proposal_problem(path, "", f"proposal file not found: {path}",
                                f"找不到提案文件:{path}")
    try:
        raw = safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _proposal_problem(path, "", f"not valid YAML: {exc}", f"不是有效的YAML:{exc}") \
            from exc
    if not isinstance(raw, dict):
        raise _proposal_problem(path, "", "expected a mapping", "应为键值对")
    for key in ("id", "title", "question", "suggestions"):
        if not raw.get(key):
            raise _proposal_problem(path, key, f"missing key '{key}'", f"缺少“{key}”")
    sugg = raw["suggestions"]
    if not isinstance(sugg, list):
        raise _proposal_problem(path, "suggestions", "'suggestions' must be a list",
                                "“suggestions”应为列表")
    out = []
    for i, s in enumerate(sugg):
        where = f"suggestions[{i}]"
        if not isinstance(s, dict) or not s.get("key") or not s.get("title"):
            raise _proposal_problem(path, where, f"{where} needs 'key' and 'title'",
                                    f"{where}需要“key”和“title”")
        topics = tuple(str(t) for t in s.get("topics") or ())
        bad = [t for t in topics if t not in TOPICS]
        if bad:
            raise _proposal_problem(path, f"{where}.topics", f"unknown topics {bad}; allowed: "
                                    f"{list(TOPICS)}", f"未知的主题{bad};可用:{list(TOPICS)}")
        out.append(Suggestion(str(s["key"]), str(s["title"]).strip(), topics))
    keys = [s.key for s in out]
    if len(set(keys)) != len(keys):
        raise _proposal_problem(path, "suggestions", f"suggestion keys repeat: {keys}",
                                f"建议编号重复:{keys}")
    return Proposal(id=str(raw["id"]), title=str(raw["title"]).strip(),
                    question=" ".join(str(raw["question"]).split()), suggestions=tuple(out),
                    session=str(raw.get("session") or ""),
                    proposer=str(raw.get("proposer") or ""),
                    focus_units=tuple(str(u) for u in raw.get("focus_units") or ()),
                    path=str(path))


def find_proposal(data_dir: Path | str, explicit: str = "") -> Proposal | None:
    """The proposal to answer: ``explicit`` (a path) when given, else ``proposal.yaml`` in
    the data folder (beside a workbook for .xlsx data), else None."""
    if explicit.strip():
        return load_proposal(explicit.strip())
    d = Path(data_dir)
    candidate = (d if d.is_dir() else d.parent) / "proposal.yaml"
    return load_proposal(candidate) if candidate.is_file() else None


# --- size wording -------------------------------------------------------------------------
def size_name(column: str | None) -> str:
    """The size column in Chinese (population* 常住人口, staff* 编制人数, else 规模)."""
    if column is None:
        return "规模"
    if column.startswith("population"):
        return "常住人口"
    if column.startswith("staff"):
        return "编制人数"
    if column.startswith("gdp"):
        return "经济总量"
    return "规模"


def verdict(rho: float, lo: float, hi: float) -> str | None:
    """The sign-aware reading of a size dependence: favours_large (interval above 0),
    favours_small (below 0), undecided (covers 0 with |ρ| ≥ 0.3), no_sign (covers 0 with
    |ρ| < 0.3); None without a number."""
    if any(x is None or not np.isfinite(x) for x in (rho, lo, hi)):
        return None
    if lo > 0:
        return "favours_large"
    if hi < 0:
        return "favours_small"
    return "undecided" if abs(rho) >= UNDECIDED_RHO else "no_sign"


# --- the economic block -------------------------------------------------------------------
@dataclass
class Block:
    """The scheme's economic block as scored: its leaves, their first-level group and, per
    unit, the block's points, the group's points and the total."""

    leaves: list[str]
    leaf_names: list[str]
    points: float
    group_id: str | None
    group_name: str | None
    group_points: float
    bases: tuple[str, str]  # the two parts of a blend; ("总量", "") without a blend
    alpha: float

    @property
    def kind(self) -> str:
        """"增量与增速" for a blend, else the one basis ("总量")."""
        a, b = self.bases
        return f"{a}与{b}" if b else a
    scores: pd.DataFrame  # unit_id, name, sequence, block, group, total, tier, size


def block_leaves(scheme: Scheme) -> list[str]:
    """The leaves the proposal's question is about: the blended 增量+增速 leaves (or the
    level money amounts of a scheme without a blend), as the fairness study's α varies."""
    from ..studies.fairness_core import blended_leaves

    return blended_leaves(scheme)


def _first_level(scheme: Scheme) -> dict[str, Group | Indicator]:
    """Leaf id → the first-level node (child of a component) holding it."""
    out: dict[str, Group | Indicator] = {}

    def walk(node: Any, top: Group | Indicator) -> None:
        if isinstance(node, Group):
            for c in node.children:
                walk(c, top)
        else:
            out[node.id] = top

    for comp in scheme.components:
        for child in comp.children or []:
            walk(child, child)
    return out


def economic_block(data: Any, scheme: Scheme, year: int, sizes: pd.Series | None) -> Block:
    """Score ``year`` with the engine and sum the block's leaves per unit (``leaf_scores``),
    with the first-level group holding them, the total and the official tier."""
    from ..engine.scoring import leaf_scores, score
    from ..engine.tiers import assign_tiers

    ids = block_leaves(scheme)
    leaves = {leaf.id: leaf for leaf in scheme.indicators()}
    ls = leaf_scores(data, scheme, year)
    table = score(data, scheme, year)
    tiers = assign_tiers(table, scheme, data.events.loc[data.events["year"] == year])
    tops = _first_level(scheme)
    groups = {tops[i].id for i in ids}
    group = tops[ids[0]] if len(groups) == 1 and isinstance(tops[ids[0]], Group) else None
    in_group = [k for k, v in tops.items() if group is not None and v.id == group.id]
    per = ls.pivot_table(index="unit_id", columns="indicator", values="score", aggfunc="sum")
    out = tiers[["unit_id", "name", "sequence", "total", "tier"]].set_index("unit_id")
    out["block"] = per[ids].sum(axis=1).reindex(out.index) if ids else np.nan
    out["group"] = per[in_group].sum(axis=1).reindex(out.index) if in_group else np.nan
    out["size"] = sizes.reindex(out.index) if sizes is not None else np.nan
    picked = [leaves[i] for i in ids]
    own = {leaf.basis for leaf in picked}
    # an official rate (given_rate) is growth too, read rather than computed: one 增速
    other = {"growth" if leaf.blend is None or leaf.blend.basis == "given_rate"
             else leaf.blend.basis for leaf in picked}
    alphas = {leaf.blend.alpha for leaf in picked if leaf.blend is not None}
    blends = any(leaf.blend is not None for leaf in picked)
    bases = (BASIS_ZH.get(own.pop(), "本口径") if len(own) == 1 else "本口径",
             "" if not blends else (BASIS_ZH.get(other.pop(), "增速") if len(other) == 1
                                    else "混合口径"))
    return Block(leaves=ids, leaf_names=[leaves[i].name for i in ids],
                 points=float(sum(leaves[i].points for i in ids)),
                 group_id=group.id if group is not None else None,
                 group_name=group.name if group is not None else None,
                 group_points=float(group.points) if group is not None else math.nan,
                 bases=bases, alpha=float(alphas.pop()) if len(alphas) == 1 else math.nan,
                 scores=out.reset_index()[["unit_id", "name", "sequence", "block", "group",
                                           "total", "tier", "size"]])


SIZE_COLUMNS = ["measure", "label", "points", "rho", "rho_lo", "rho_hi", "n", "groups",
                "rho_all", "rho_all_lo", "rho_all_hi", "slope", "slope_se", "level", "verdict"]


def block_size_table(block: Block, *, boot: int = 1000, seed: int = 0,
                     level: float = 0.90) -> pd.DataFrame:
    """Size dependence (``size_dependence`` within sequences) of the block, its group and
    the total, one row each (``SIZE_COLUMNS``)."""
    s = block.scores.set_index("unit_id")
    rows = []
    measures = []
    if block.leaves:
        names = block.leaf_names[0] + (f"等{len(block.leaves)}项" if len(block.leaves) > 1
                                       else "")
        measures.append(("block", f"{names}{block.kind}指标",
                         block.points))
    if block.group_id is not None:
        measures.append(("group", f"一级指标“{block.group_name}”", block.group_points))
    measures.append(("total", "总分", math.nan))
    for key, label, pts in measures:
        if s[key].isna().all() or s["size"].isna().all():
            continue
        d = size_dependence(s[key], s["size"], s["sequence"], boot=boot, seed=seed,
                            level=level)
        rows.append({"measure": key, "label": label, "points": pts, **d,
                     "verdict": verdict(d["rho"], d["rho_lo"], d["rho_hi"])})
    return pd.DataFrame(rows, columns=SIZE_COLUMNS)


# --- alternatives of the block ------------------------------------------------------------
ALT_RANK_COLUMNS = ["alternative", "kind", "alpha", "block_rho", "block_rho_lo", "block_rho_hi",
                    "total_rho", "tier_changes", "n_units", "admissible", "rank", "meaning",
                    "is_current"]


def alpha_label(alpha: float, bases: tuple[str, str]) -> str:
    """"增量50.0%+增速50.0%" for a blend weight α of the first basis."""
    a, b = bases
    if alpha >= 1:
        return f"只考{a}"
    if alpha <= 0:
        return f"只考{b}"
    return f"{a}{alpha * 100:.1f}%+{b}{(1 - alpha) * 100:.1f}%"


VERDICT_ZH = {"favours_large": "规模大的单位得分高", "favours_small": "规模小的单位得分高",
              "undecided": "单位数不足以判断", "no_sign": "未见随规模升高"}


def _meaning(rho: float, lo: float, hi: float) -> str:
    return VERDICT_ZH.get(verdict(rho, lo, hi) or "", "—")


def block_alternatives(data: Any, scheme: Scheme, year: int, block: Block,
                       alphas: tuple[float, ...] = ALPHAS, *, boot: int = 1000,
                       seed: int = 0, level: float = 0.90) -> pd.DataFrame:
    """Each α of the block's blend scored by the engine (``with_overrides``): the block's
    size dependence with its interval, the total's, and tier changes against the official
    tiers; ranked on the stated objective (``rank_alternatives``). Empty when the block's
    leaves have no blend."""
    from ..engine.scoring import score
    from ..engine.tiers import assign_tiers

    leaves = {leaf.id: leaf for leaf in scheme.indicators()}
    blended = [i for i in block.leaves if leaves[i].blend is not None]
    if not blended or block.scores["size"].isna().all():
        return pd.DataFrame(columns=ALT_RANK_COLUMNS)
    off = block.scores.set_index("unit_id")
    events = data.events.loc[data.events["year"] == year]
    grid = sorted(set(alphas) | ({block.alpha} if np.isfinite(block.alpha) else set()))
    rows = []
    for a in grid:
        alt = with_overrides(scheme, nodes={i: {"blend": {
            **leaves[i].blend.model_dump(exclude_none=True), "alpha": float(a)}}  # type: ignore[union-attr]
            for i in blended})
        alt_block = economic_block(data, alt, year, off["size"])
        t = alt_block.scores.set_index("unit_id")
        dep = size_dependence(t["block"], t["size"], t["sequence"], boot=boot, seed=seed,
                              level=level)
        tot = size_dependence(t["total"], t["size"], t["sequence"], boot=0)
        tiers = assign_tiers(score(data, alt, year), alt, events).set_index("unit_id")["tier"]
        changed = int((tiers.reindex(off.index) != off["tier"]).sum())
        rows.append({"alternative": alpha_label(a, block.bases), "kind": "alpha", "alpha": a,
                     "block_rho": dep["rho"], "block_rho_lo": dep["rho_lo"],
                     "block_rho_hi": dep["rho_hi"], "total_rho": tot["rho"],
                     "tier_changes": changed, "n_units": int(dep["n"]),
                     "is_current": bool(np.isfinite(block.alpha) and abs(a - block.alpha)
                                        < 1e-9)})
    return rank_alternatives(pd.DataFrame(rows))


def rank_alternatives(df: pd.DataFrame) -> pd.DataFrame:
    """Rank on the stated objective: the block's size dependence closest to zero (|ρ| to
    two decimals), among alternatives whose tier changes stay within
    ``MAX_TIER_CHANGE_SHARE`` of the units (admissible); ties go to the current scheme, then
    to fewer tier changes. Inadmissible rows come after, unranked."""
    if df.empty:
        return pd.DataFrame(columns=ALT_RANK_COLUMNS)
    out = df.copy()
    limit = np.floor(MAX_TIER_CHANGE_SHARE * out["n_units"])
    out["admissible"] = out["tier_changes"] <= limit
    out["_key"] = out["block_rho"].abs().round(2)  # closer than 0.01: a tie
    out["_cur"] = ~out["is_current"].astype(bool)  # a tie goes to the current scheme
    out = out.sort_values(["admissible", "_key", "_cur", "tier_changes", "alpha"],
                          ascending=[False, True, True, True, True], kind="stable")
    out["rank"] = np.where(out["admissible"], np.arange(1, len(out) + 1), np.nan)
    out["meaning"] = [_meaning(r, lo, hi) for r, lo, hi in zip(
        out["block_rho"], out["block_rho_lo"], out["block_rho_hi"])]
    return out[ALT_RANK_COLUMNS].reset_index(drop=True)


# --- the scheme's measures and the decision -----------------------------------------------
@dataclass
class Measure:
    """What the scheme does about a topic: taken or not, and a Chinese description."""

    topic: str
    taken: bool
    text: str


def scheme_measures(scheme: Scheme, block: Block | None) -> dict[str, Measure]:
    """The scheme's measure for each topic of ``TOPICS``, read from the scheme model."""
    leaves = scheme.indicators()
    blended = [leaf for leaf in leaves if leaf.blend is not None]
    growth = [leaf for leaf in leaves if leaf.basis in ("growth", "increment", "given_rate")]
    own = [leaf for leaf in leaves for _, rule in leaf.basis_rules()
           if rule.rule in ("own_average", "own_last", "trend", "last_growth")]
    table = [leaf for leaf in leaves for _, rule in leaf.basis_rules() if rule.rule == "table"]
    out: dict[str, Measure] = {}
    if blended and block is not None:
        a = block.alpha
        share = (",各占一半" if np.isfinite(a)
                 and abs(a - 0.5) < 1e-9 else (f",{block.bases[0]}占{a * 100:.1f}%"
                                               if np.isfinite(a) else ""))
        out["growth_scoring"] = Measure(
            "growth_scoring", True, f"{len(blended)}项经济指标({blended[0].name}"
            f"{'等' if len(blended) > 1 else ''},满分{block.points:g}分)"
            f"既考{block.bases[0]}也考{block.bases[1]}{share}")
    elif growth:
        out["growth_scoring"] = Measure("growth_scoring", True,
                                        f"{len(growth)}项指标按{BASIS_ZH[growth[0].basis]}"
                                        f"计分({growth[0].name}等)")
    else:
        out["growth_scoring"] = Measure("growth_scoring", False, "各项指标均按总量计分")
    uniq_own = list(dict.fromkeys(leaf.name for leaf in own))
    out["differentiated_targets"] = (
        Measure("differentiated_targets", True, f"{len(uniq_own)}项指标的目标按各单位自身"
                f"近年水平确定({uniq_own[0]}等)") if own else
        Measure("differentiated_targets", False, "各单位目标未按自身历史差异化确定"))
    uniq_table = list(dict.fromkeys(leaf.name for leaf in table))
    out["key_work"] = (
        Measure("key_work", True, f"{len(uniq_table)}项指标的目标按下达任务逐单位确定") if table
        else Measure("key_work", False, "没有逐单位设置的个性指标或重点工作目标"))
    paid = [r for r in scheme.results.rules if r.pay_change]
    if scheme.rewards is not None:
        out["budget"] = Measure("budget", True, "考核等次与奖金挂钩")
    elif paid:
        shown = "、".join(f"{r.name}{'上浮' if r.pay_change > 0 else '下浮'}"
                          f"{abs(r.pay_change) * 100:.1f}%" for r in paid[:3])
        out["budget"] = Measure("budget", True, f"考核排位与绩效奖金挂钩({shown}),"
                                "未规定与预算安排挂钩")
    else:
        out["budget"] = Measure("budget", False, "考核方案未规定考核结果与预算、奖金的挂钩")
    return out


def decide(taken: bool, reading: str | None) -> tuple[str, str]:
    """(category, rule id) from ``RULES``: whether the scheme takes the measure and the
    sign-aware reading (``verdict``) of the evidence (None: the data cannot speak)."""
    if reading is None:
        rule = "R1"
    elif reading == "undecided":
        rule = "R2"
    elif taken:
        rule = "R4" if reading == "favours_large" else "R3"
    else:
        rule = "R5" if reading == "favours_large" else "R6"
    return RULES[rule][1], rule


#: topics the data can speak to (the others: R1)
EVIDENCE_TOPICS = ("growth_scoring", "differentiated_targets")

ANSWER_COLUMNS = ["key", "title", "topics", "measure", "taken", "evidence", "verdict",
                  "category", "rule", "rule_text"]


def answers(suggestions: tuple[Suggestion, ...], measures: dict[str, Measure],
            sizes: pd.DataFrame) -> pd.DataFrame:
    """One row per suggestion (``ANSWER_COLUMNS``): the scheme's measure for its topics, the
    evidence used (the block's size dependence, or the total's when the scheme has no
    block, for growth scoring and differentiated targets; none for key work and budget), the reading and the category with its rule."""
    blk = sizes.loc[sizes["measure"] == "block"]
    if blk.empty:  # no economic block in the scheme: the total is the evidence
        blk = sizes.loc[sizes["measure"] == "total"]
    rows = []
    for s in suggestions:
        ms = [measures[t] for t in s.topics if t in measures]
        taken = bool(ms) and all(m.taken for m in ms)
        speaks = any(t in EVIDENCE_TOPICS for t in s.topics) and len(blk)
        reading = blk["verdict"].iloc[0] if speaks else None
        if reading is not None and not isinstance(reading, str):
            reading = None
        cat, rule = decide(taken, reading)
        rows.append({"key": s.key, "title": s.title, "topics": ",".join(s.topics),
                     "measure": ";".join(m.text for m in ms), "taken": taken,
                     "evidence": "block" if speaks else "", "verdict": reading or "",
                     "category": cat, "rule": rule, "rule_text": RULES[rule][2]})
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)


#: the generic question's one suggestion when there is no proposal file
GENERIC = (Suggestion("一", "经济指标的计分方式能否消除规模对考核结果的影响",
                      ("growth_scoring",)),)


# --- everything the reply needs -----------------------------------------------------------
@dataclass
class Reply:
    """The reply part of the brief: proposal (or None), block, size table, alternatives,
    answers, the focus units named in prose and the noise figures for the limitations."""

    proposal: Proposal | None
    block: Block
    sizes: pd.DataFrame
    alternatives: pd.DataFrame
    answers: pd.DataFrame
    size_col: str | None
    year: int
    focus: list[str] = field(default_factory=list)
    focus_names: list[str] = field(default_factory=list)
    real_data: bool = False
    boot: int = 1000
    data_kind: str = "sample"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"brief_size": self.sizes, "brief_alternatives": self.alternatives,
                "brief_answers": self.answers, "brief_block_scores": self.block.scores}


def data_kind(data_dir: Path | str) -> str:
    """"sample" (the illustrative sample: under ``sample/`` or with a SAMPLE.md), "public"
    (the shipped real figures under ``real/``) or "given" (anyone's own data)."""
    path = Path(data_dir).resolve()
    folder = path if path.is_dir() else path.parent
    if "sample" in path.parts or (folder / "SAMPLE.md").is_file():
        return "sample"
    return "public" if "real" in path.parts else "given"


def is_real_data(data_dir: Path | str) -> bool:
    """Not the illustrative sample (``data_kind`` is "public" or "given")."""
    return data_kind(data_dir) != "sample"


def build_reply(data: Any, scheme: Scheme, year: int, data_dir: Path | str,
                size_col: str | None, proposal: Proposal | None, *, boot: int = 1000,
                seed: int = 0, level: float = 0.90, focus: list[str] | None = None
                ) -> Reply:
    """Score the block, measure its size dependence and the alternatives, answer each
    suggestion (the generic question without a proposal)."""
    sizes = (data.units.set_index("unit_id")[size_col].astype(float)
             if size_col is not None else None)
    block = economic_block(data, scheme, year, sizes)
    table = (block_size_table(block, boot=boot, seed=seed, level=level) if sizes is not None
             else pd.DataFrame(columns=SIZE_COLUMNS))
    alts = block_alternatives(data, scheme, year, block, boot=boot, seed=seed, level=level)
    measures = scheme_measures(scheme, block)
    sugg = proposal.suggestions if proposal is not None else GENERIC
    names = dict(zip(data.units["unit_id"], data.units["name"]))
    focus = list(focus or [])
    return Reply(proposal=proposal, block=block, sizes=table, alternatives=alts,
                 answers=answers(sugg, measures, table), size_col=size_col, year=year,
                 focus=focus, focus_names=[names[u] for u in focus if u in names],
                 real_data=is_real_data(data_dir), boot=boot, data_kind=data_kind(data_dir))
