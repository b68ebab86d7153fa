"""The annual brief's facts: read the study tables from ``OUT/tables``
(``study_tables``), pick the focus units and assemble the 问题/证据/建议 facts and the
trade-offs table, each fact naming its table; score the history and, when given, diff
against last year's data and scheme.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..engine.parsing import UnitResolver
from ..errors import DataError, Problem
from ..studies.size import size_dependence as _size_dependence
from .reply import Reply, build_reply, find_proposal
from .study_tables import (  # noqa: F401 (re-exported: the brief's contract)
    ALT_COLUMNS,
    CONTRACT,
    SHOWN_IN,
    STUDIES,
    StudyTables,
    alternatives,
    read_study_tables,
)
from .wording import SAME_EVERY_RESAMPLE, single_point

FACT_COLUMNS = ["section", "topic", "unit_id", "name", "alternative", "statistic", "value",
                "label", "source"]
TRADEOFF_COLUMNS = ["study", "study_name", "alternative", "kind", "size_rho", "size_rho_lo",
                    "size_rho_hi", "size_n", "rank_volatility", "tier_changes", "n_units", "reward_cost", "focus_tier"]
SIZE_PREFERENCE = ("population", "staff")


# --- units: size and focus ----------------------------------------------------------------
def size_column(units: pd.DataFrame, requested: str = "") -> str | None:
    """The units.csv column measuring size: ``requested`` when given (it must exist and be
    numeric), else the first column named population* then staff*, else None."""
    if requested:
        if requested not in units.columns or not pd.api.types.is_numeric_dtype(
                units[requested]):
            numeric = [c for c in units.columns if pd.api.types.is_numeric_dtype(units[c])]
            raise DataError([Problem(
                "units.csv", f"size column '{requested}' is not a numeric column; numeric "
                f"columns: {numeric}", column=requested,
                zh=f"规模列“{requested}”不存在或不是数值列;可用的数值列:{numeric}")])
        return requested
    for prefix in SIZE_PREFERENCE:
        for col in units.columns:
            if col.startswith(prefix) and pd.api.types.is_numeric_dtype(units[col]):
                return str(col)
    return None


def focus_units(units: pd.DataFrame, focus: str = "", size_col: str | None = None) -> list[str]:
    """Unit ids the brief covers: ``focus`` (an id or Chinese name) or, when empty, the
    smallest unit of each sequence by ``size_col`` (none without a size column)."""
    if focus.strip():
        match = UnitResolver(units["unit_id"], units["name"]).resolve(focus.strip())
        if match.unit_id is None:
            reason = match.reason
            raise DataError([Problem("focus_unit", reason.en if reason else "unknown unit",
                                     value=focus, zh=reason.zh if reason else None)],
                            headline="Unknown focus unit")
        return [match.unit_id]
    if size_col is None:
        return []
    u = units.sort_values(["sequence", size_col, "unit_id"], kind="stable")
    return list(u.groupby("sequence", sort=True).head(1)["unit_id"])


# --- trade-offs ---------------------------------------------------------------------------
def size_dependence_row(totals: pd.DataFrame, sizes: pd.Series | None, *, boot: int = 1000,
                        seed: int = 0) -> dict[str, float]:
    """Size dependence of the total (``studies.size.size_dependence``: within-sequence
    Spearman ρ averaged with weights = units per sequence; NaN when no sequence has 3 units)
    with its bootstrap interval (90 %, ``boot`` resamples within the sequences; NaN bounds
    for 0) and the units it used, as the trade-offs table holds them: size_rho, size_rho_lo,
    size_rho_hi, size_n. ``totals`` needs unit_id, sequence, total; ``sizes`` is indexed by
    unit_id."""
    if sizes is None:
        return dict.fromkeys(("size_rho", "size_rho_lo", "size_rho_hi", "size_n"), math.nan)
    t = totals.set_index("unit_id")
    dep = _size_dependence(t["total"], sizes, t["sequence"], boot=boot, seed=seed)

    def r6(x: float) -> float:
        return round(float(x), 6) if np.isfinite(x) else math.nan

    return {"size_rho": r6(dep["rho"]), "size_rho_lo": r6(dep["rho_lo"]),
            "size_rho_hi": r6(dep["rho_hi"]), "size_n": float(dep["n"])}


def _volatility(alt_rows: pd.DataFrame, vol: pd.DataFrame | None) -> float:
    """Mean rank_sd (fairness_volatility) of the alternative, matched on variant and alpha
    (one construct per row: an alternative without a variant, such as the scheme's own
    增量/增速 α, is never paired with a GDP-only variant's volatility); NaN otherwise."""
    if vol is None or alt_rows.empty:
        return math.nan
    keys = [k for k in ("variant", "alpha") if k in alt_rows.columns]
    if "variant" not in keys:
        return math.nan
    first = alt_rows.iloc[0]
    sel = vol
    for k in keys:
        if k == "alpha":
            sel = sel.loc[(sel["alpha"].astype(float) - float(first[k])).abs() < 1e-9]
        else:
            sel = sel.loc[sel[k].astype(str) == str(first[k])]
    return round(float(sel["rank_sd"].mean()), 6) if len(sel) else math.nan


def tradeoffs(official: pd.DataFrame, alts: pd.DataFrame, sizes: pd.Series | None,
              tables: StudyTables, focus: list[str] | None = None,
              price: Callable[[pd.DataFrame], float] | None = None, *, boot: int = 1000,
              seed: int = 0) -> pd.DataFrame:
    """The trade-offs table (``TRADEOFF_COLUMNS``): the official scheme first, then each
    alternative: size dependence with its interval and n (``size_dependence_row``, ``boot``
    resamples), rank volatility (mean rank_sd from
    fairness_volatility, where the study gives it), units whose tier differs from the
    official tier, the reward cost and the focus units' tiers. ``price`` maps a tiered
    table (unit_id, name, sequence, tier) to its total payout; without it the official
    cost is reward_cost's 'official' statistic and alternatives are not priced (NaN)."""
    off_tier = official.set_index("unit_id")["tier"]
    vol = tables.get("fairness_volatility")
    rc = tables.get("reward_cost")
    official_cost = math.nan
    if price is not None:
        official_cost = float(price(official))
    elif rc is not None and (rc["statistic"] == "official").any():
        official_cost = float(rc.loc[rc["statistic"] == "official", "value"].iloc[0])
    focus = focus or []

    def focus_tiers(df: pd.DataFrame) -> str:
        t = df.set_index("unit_id")["tier"]
        return "、".join(f"{t[u]}" for u in focus if u in t.index)

    rows = [{"study": "official", "study_name": "现行方案", "alternative": "现行方案",
             "kind": "official", **size_dependence_row(official, sizes, boot=boot, seed=seed),
             "rank_volatility": math.nan, "tier_changes": 0, "n_units": len(official),
             "reward_cost": official_cost, "focus_tier": focus_tiers(official)}]
    for (study, alt, kind), grp in alts.groupby(["study", "alternative", "kind"], sort=False):
        changed = int((grp["tier"].to_numpy() != off_tier.reindex(grp["unit_id"]).to_numpy())
                      .sum())
        rows.append({"study": study, "study_name": STUDIES.get(study, (study, ""))[0],
                     "alternative": alt, "kind": kind,
                     **size_dependence_row(grp, sizes, boot=boot, seed=seed),
                     "rank_volatility": _volatility(grp, vol) if study == "fairness"
                     else math.nan,
                     "tier_changes": changed, "n_units": len(grp),
                     "reward_cost": float(price(grp)) if price is not None else math.nan,
                     "focus_tier": focus_tiers(grp)})
    return pd.DataFrame(rows, columns=TRADEOFF_COLUMNS)


# --- facts about a focus unit -------------------------------------------------------------
def _fact(topic: str, uid: str, name: str, statistic: str, value: float = math.nan,
          label: str = "", alternative: str = "", source: str = "",
          section: str = "证据") -> dict[str, Any]:
    return {"section": section, "topic": topic, "unit_id": uid, "name": name,
            "alternative": alternative, "statistic": statistic,
            "value": float(value) if value is not None else math.nan, "label": label,
            "source": source}


def focus_facts(uid: str, year: int, tables: StudyTables, history: pd.DataFrame,
                flags: pd.DataFrame, alts: pd.DataFrame, top_label: str) -> pd.DataFrame:
    """Everything the brief says about one unit, one fact per row (``FACT_COLUMNS``), each
    with the table it comes from: the year's score, rank and tier (scores, else
    tier_history), margins (tier_margins), tiers by year (tier_history), follow-ups
    (tier_followups), tier probabilities (tier_probabilities), tier under each alternative
    (alternatives_*), chance of the top tier (fairness_top_chance), targets met per rule
    in the year (targets_backtest)."""
    rows: list[dict[str, Any]] = []
    hist_u = history.loc[history["unit_id"] == uid].sort_values("year")
    name = str(hist_u["name"].iloc[0]) if len(hist_u) else uid
    scores = tables.get("scores")
    src, now = ("scores", scores.loc[scores["unit_id"] == uid]) if scores is not None else (
        "tier_history", hist_u.loc[hist_u["year"] == year])
    if len(now):
        r = now.iloc[0]
        name = str(r["name"])
        seq_n = (scores if scores is not None else history.loc[history["year"] == year])
        n_seq = int((seq_n["sequence"] == r["sequence"]).sum())
        rows += [_fact("score", uid, name, "total", r["total"], source=src),
                 _fact("score", uid, name, "rank", r["rank"], source=src),
                 _fact("score", uid, name, "n_sequence", n_seq, source=src),
                 _fact("score", uid, name, "tier", label=str(r["tier"]), source=src)]
    margins = tables.get("tier_margins")
    if margins is not None and (margins["unit_id"] == uid).any():
        m = margins.loc[margins["unit_id"] == uid].iloc[0]
        rows += [_fact("margin", uid, name, "margin_down", m["margin_down"],
                       label=_text(m["boundary_down"]), source="tier_margins"),
                 _fact("margin", uid, name, "gap_up", m["gap_up"],
                       label=_text(m["boundary_up"]), source="tier_margins")]
    for r in hist_u.itertuples(index=False):
        rows.append(_fact("history", uid, name, "rank", r.rank, label=str(r.tier),
                          alternative=str(int(r.year)), source="tier_history"))
    for r in flags.loc[flags["unit_id"] == uid].itertuples(index=False):
        rows.append(_fact("followup", uid, name, "run", r.run, label=str(r.consequence),
                          alternative=str(int(r.year)), source="tier_followups"))
    probs = tables.get("tier_probabilities")
    if probs is not None and (probs["unit_id"] == uid).any():
        p = probs.loc[probs["unit_id"] == uid].iloc[0]
        rows.append(_fact("probability", uid, name, "p_official", p["p_official"],
                          label=str(p["official_tier"]), source="tier_probabilities"))
        for col in [c for c in probs.columns if c.startswith("p_") and c != "p_official"]:
            rows.append(_fact("probability", uid, name, col, p[col], label=col[2:],
                              source="tier_probabilities"))
        for col in ("rank_p05", "rank_p95"):
            rows.append(_fact("probability", uid, name, col, p[col],
                              source="tier_probabilities"))
    for r in alts.loc[alts["unit_id"] == uid].itertuples(index=False):
        rows.append(_fact("alternative", uid, name, "rank", r.rank, label=str(r.tier),
                          alternative=str(r.alternative), source=f"alternatives_{r.study}",
                          section="建议"))
    chance = tables.get("fairness_top_chance")
    if chance is not None:
        for r in chance.loc[chance["unit_id"] == uid].itertuples(index=False):
            rows.append(_fact("top_chance", uid, name, "p_top", r.p_top, label=top_label,
                              alternative=variant_label(str(r.variant), r.alpha,
                                                        getattr(r, "label", None)),
                              source="fairness_top_chance", section="建议"))
    back = tables.get("targets_backtest")
    if back is not None:
        # the evaluation year, or the latest back-tested year before it (label says which)
        b = back.loc[(back["unit_id"] == uid) & (back["year"] <= year)]
        if len(b):
            b = b.loc[b["year"] == b["year"].max()]
            shown = str(int(b["year"].iloc[0]))
        labels = _rule_labels(back)
        for rule, grp in b.groupby("rule", sort=True):
            rule = labels.get(str(rule), str(rule))
            met = grp["met"].astype(str).str.lower().isin(["true", "1", "1.0"])
            rows.append(_fact("targets", uid, name, "met", int(met.sum()), label=shown,
                              alternative=str(rule), source="targets_backtest",
                              section="建议"))
            rows.append(_fact("targets", uid, name, "targets", len(grp), label=shown,
                              alternative=str(rule), source="targets_backtest",
                              section="建议"))
    return pd.DataFrame(rows, columns=FACT_COLUMNS)


#: fairness variants in Chinese (fairness_top_chance labels them by variant id and alpha)
VARIANT_ZH = {"level": "总量", "growth": "增速", "increment": "增量", "per_capita": "人均量",
              "value_added": "增值残差", "cgp": "条件增长百分位", "blend": "总量与增速混合"}


def variant_label(variant: str, alpha: object, label: object = None) -> str:
    """A fairness variant as the brief names it: 总量, 增速, 总量+增速 α=0.3; the scheme's own
    rows (``scheme:<id>``) by the study's ``label`` (e.g. 现行方案:总分)."""
    if isinstance(label, str) and label:
        return label
    if variant.startswith("scheme:"):
        return "现行方案:" + ("总分" if variant == "scheme:total" else variant.split(":", 1)[1])
    name = VARIANT_ZH.get(variant, variant)
    try:
        a = float(alpha)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return name
    return name if math.isnan(a) else f"{name} α={a:g}"


def _rule_labels(df: pd.DataFrame) -> dict[str, str]:
    """Target rule id → its Chinese label, when the targets study adds ``rule_label``."""
    if "rule_label" not in df.columns:
        return {}
    return {str(k): str(v) for k, v in zip(df["rule"], df["rule_label"]) if isinstance(v, str)}


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def general_facts(tables: StudyTables, trade: pd.DataFrame) -> pd.DataFrame:
    """Facts about all units (unit_id ""): the official scheme's size dependence
    (brief_tradeoffs), score–size ρ with its interval by level and by growth
    (fairness_size_dependence), the share of targets met overall and by small and large
    units per rule, averaged over indicators, with intervals and n (targets_rule_means), the
    expected number of tier changes under measurement noise (tier_uncertainty_summary)."""
    rows: list[dict[str, Any]] = []
    if len(trade) and not math.isnan(trade["size_rho"].iloc[0]):
        for stat in ("size_rho", "size_rho_lo", "size_rho_hi", "size_n"):
            rows.append(_fact("size", "", "", stat, trade[stat].iloc[0],
                              alternative="现行方案", source="brief_tradeoffs"))
    dep = tables.get("fairness_size_dependence")
    if dep is not None:
        plain = dep.loc[dep["variant"].isin(["level", "growth"]) & dep["alpha"].isna()]
        for r in plain.itertuples(index=False):
            for stat in ("rho", "rho_lo", "rho_hi"):
                rows.append(_fact("size", "", "", stat, getattr(r, stat),
                                  alternative=variant_label(str(r.variant), r.alpha),
                                  source="fairness_size_dependence"))
    means = tables.get("targets_rule_means")
    if means is not None:
        labels = _rule_labels(means)
        for r in means.to_dict("records"):
            rule = labels.get(str(r["rule"]), str(r["rule"]))
            for stat in ("share_met", "small_met", "large_met"):
                for key in (stat, f"{stat}_lo", f"{stat}_hi"):
                    rows.append(_fact("targets_equity", "", "", key, r[key],
                                      alternative=rule, source="targets_rule_means"))
            for key in ("n", "indicators", "level"):
                rows.append(_fact("targets_equity", "", "", key, r[key],
                                  alternative=rule, source="targets_rule_means"))
    unc = tables.get("tier_uncertainty_summary")
    if unc is not None and len(unc):
        r = unc.iloc[0]
        rows += [_fact("noise", "", "", "draws", r["draws"], source="tier_uncertainty_summary"),
                 _fact("noise", "", "", "expected_changes", r["expected_changes"],
                       source="tier_uncertainty_summary")]
    return pd.DataFrame(rows, columns=FACT_COLUMNS)


def brief_facts(focus: list[str], year: int, tables: StudyTables, history: pd.DataFrame,
                flags: pd.DataFrame, alts: pd.DataFrame, top_label: str,
                trade: pd.DataFrame | None = None) -> pd.DataFrame:
    """``general_facts`` (when ``trade`` is given) then ``focus_facts`` for every focus
    unit, in focus order."""
    frames = [general_facts(tables, trade)] if trade is not None else []
    frames += [focus_facts(u, year, tables, history, flags, alts, top_label) for u in focus]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=FACT_COLUMNS)
    return pd.concat(frames, ignore_index=True)


# --- the whole brief ----------------------------------------------------------------------
def reward_pricing(data: Any, scheme: Any) -> tuple[Callable[[pd.DataFrame], float] | None,
                                                     str]:
    """A payout function for tiered tables when the scheme has a ``rewards`` section and
    ``perfanalysis.engine.rewards`` is installed, and a note (Chinese) saying why not otherwise."""
    if getattr(scheme, "rewards", None) is None:
        return None, "考核方案没有奖金规则,不计算各方案的奖励成本。"
    try:
        from ..engine.rewards import unit_rewards  # type: ignore[import-not-found]
    except ImportError:
        return None, "奖励成本模块(perfanalysis.engine.rewards)不可用,未计算各方案的奖励成本。"

    def price(table: pd.DataFrame) -> float:
        return float(unit_rewards(data, scheme, table)["payout"].sum())

    return price, ""



@dataclass
class Brief:
    """Everything the brief chapter shows; ``tables()`` are the tables it saves."""

    year: int
    top_label: str
    size_col: str | None
    focus: list[str]
    focus_names: list[str]
    studies: StudyTables
    status: pd.DataFrame
    history: pd.DataFrame
    skipped_years: pd.DataFrame
    flags: pd.DataFrame
    alt_flags: pd.DataFrame
    alternatives: pd.DataFrame
    trade: pd.DataFrame
    facts: pd.DataFrame
    followup_text: str
    reward_note: str = ""
    revisions: pd.DataFrame | None = None
    unit_changes: pd.DataFrame | None = None
    scheme_changes: pd.DataFrame | None = None
    new_years: list[int] = field(default_factory=list)
    reply: Reply | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {"brief_facts": self.facts, "brief_tradeoffs": self.trade,
               "tier_history": self.history, "tier_followups": self.flags,
               "followups_alternatives": self.alt_flags, "brief_status": self.status}
        if self.reply is not None:
            out.update(self.reply.tables())
        if self.revisions is not None and self.unit_changes is not None:
            out["data_revisions"] = self.revisions
            out["unit_changes"] = self.unit_changes
        if self.scheme_changes is not None:
            out["scheme_changes"] = self.scheme_changes
        return out


def assemble_brief(data: Any, scheme: Any, year: int, tables_dir: Path | str,
                   focus_unit: str = "", size: str = "", previous_data: str = "",
                   previous_scheme: str = "", proposal: str = "", boot: int = 1000,
                   seed: int = 0) -> Brief:
    """Read the study tables, score the history, pick the focus units, build the reply
    (``reply.build_reply``: the proposal file ``proposal`` or ``proposal.yaml`` beside the
    data, else the generic question), the facts, the trade-offs and (when a previous data
    folder or scheme is given) the diffs. Focus units: ``focus_unit``, else the proposal's,
    else none."""
    from ..engine.data import load_data
    from ..engine.history import followup_flags, followups_under_alternatives, tier_history
    from ..engine.scheme import load_scheme
    from .diff import data_diff, scheme_diff

    studies = read_study_tables(tables_dir)
    hist = tier_history(data, scheme)
    rules = scheme.tiers.followup_rules()
    history = hist.table.loc[hist.table["year"] <= year].reset_index(drop=True)
    flags = followup_flags(history, rules)
    alts = alternatives(studies)
    alt_flags = followups_under_alternatives(history, alts, rules, year)
    size_col = size_column(data.units, size)
    prop = find_proposal(data.source, proposal)
    if focus_unit.strip():
        focus = focus_units(data.units, focus_unit, size_col)
    elif prop is not None:
        focus = [u for f in prop.focus_units for u in focus_units(data.units, f, size_col)]
    else:
        focus = []
    names = dict(zip(data.units["unit_id"], data.units["name"]))
    sizes = (data.units.set_index("unit_id")[size_col].astype(float)
             if size_col is not None else None)
    official = history.loc[history["year"] == year]
    if official.empty and studies.get("scores") is not None:
        official = studies.tables["scores"]
    top = str(scheme.tiers.labels[0])
    price, reward_note = reward_pricing(data, scheme)
    trade = tradeoffs(official, alts, sizes, studies, focus, price, boot=boot, seed=seed)
    facts = brief_facts(focus, year, studies, history, flags, alts, top, trade)
    rules_text = ";".join(f"连续{r.years}年{r.label()}的单位{r.consequence}" for r in rules)
    brief = Brief(year=year, top_label=top, size_col=size_col, focus=focus,
                  focus_names=[names[u] for u in focus], studies=studies,
                  status=studies.status(), history=history, skipped_years=hist.skipped,
                  flags=flags, alt_flags=alt_flags, alternatives=alts, trade=trade,
                  facts=facts, followup_text=rules_text, reward_note=reward_note)
    brief.reply = build_reply(data, scheme, year, data.source, size_col, prop, boot=boot,
                              seed=seed, focus=focus)
    if previous_data.strip():
        dd = data_diff(load_data(previous_data.strip()), data, scheme)
        brief.revisions, brief.unit_changes, brief.new_years = dd.revisions, dd.units, \
            dd.new_years
    if previous_scheme.strip():
        brief.scheme_changes = scheme_diff(load_scheme(previous_scheme.strip()), scheme)
    return brief


# --- tables as the report shows them ------------------------------------------------------
def _zh_table(df: pd.DataFrame, cols: dict[str, str]) -> pd.DataFrame:
    return df[[c for c in cols if c in df.columns]].rename(columns=cols).reset_index(drop=True)


def display_tradeoffs(trade: pd.DataFrame) -> pd.DataFrame:
    """The trade-offs table with Chinese headers."""
    return _zh_table(trade, {"study_name": "研究", "alternative": "方案",
                             "size_rho": "总分与规模的相关系数ρ",
                             "size_rho_lo": "ρ下限(5%)", "size_rho_hi": "ρ上限(95%)",
                             "size_n": "单位数",
                             "rank_volatility": "测量误差下排名的标准差(平均)",
                             "tier_changes": "等次改变的单位数", "reward_cost": "奖励成本(元)",
                             "focus_tier": "重点单位等次"})


def display_history(history: pd.DataFrame, scheme_sequences: dict[str, str]) -> pd.DataFrame:
    """Tier history, one row per unit, one column per year ("达标(第3位)")."""
    if history.empty:
        return pd.DataFrame(columns=["单位", "序列"])
    h = history.assign(cell=[f"{t}(第{int(r)}位)" for t, r in zip(history["tier"],
                                                                  history["rank"])])
    wide = h.pivot(index=["sequence", "unit_id", "name"], columns="year", values="cell")
    wide = wide.reset_index().drop(columns="unit_id").fillna("—")
    wide["sequence"] = wide["sequence"].map(lambda s: scheme_sequences.get(str(s), str(s)))
    # a year before the scheme's first year: its tiers are a back-calculation (history.py)
    notes = (history.groupby("year")["note"].first().fillna("").to_dict()
             if "note" in history.columns else {})
    wide.columns = ["序列", "单位", *[f"{c}年({notes[c]})" if notes.get(c) else f"{c}年"
                                      for c in wide.columns[2:]]]
    return wide[["单位", "序列", *wide.columns[2:]]]


def display_flags(flags: pd.DataFrame) -> pd.DataFrame:
    """Follow-up flags with Chinese headers (studies by their Chinese names)."""
    if "study" in flags.columns:
        flags = flags.assign(study=flags["study"].map(lambda s: STUDIES.get(s, (s, ""))[0]),
                             official_triggers=flags["official_triggers"].map(
                                 lambda x: "是" if bool(x) else "否"))
    return _zh_table(flags, {"study": "研究", "alternative": "方案", "name": "单位",
                             "year": "年度", "tier": "等次", "run": "连续年数",
                             "consequence": "后续处理", "official_triggers": "现行方案下是否触发",
                             "note": "说明"})


def display_revisions(revisions: pd.DataFrame) -> pd.DataFrame:
    """Data revisions with Chinese headers and statuses."""
    from .diff import STATUS_ZH

    out = revisions.assign(status=revisions["status"].map(STATUS_ZH))
    return _zh_table(out, {"table_name": "数据表", "name": "单位", "year": "年度",
                           "key_name": "指标/项目", "old": "原值", "new": "新值",
                           "change": "变化", "status": "类型"})


def display_scheme_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """Scheme changes with Chinese headers."""
    return _zh_table(changes, {"section": "部分", "item_name": "项目", "change": "变化",
                               "field_name": "内容",
                               "old": "原规定", "new": "新规定"})


def display_alternatives(alts: pd.DataFrame) -> pd.DataFrame:
    """The economic block's alternatives, ranked, with Chinese headers (one construct per
    row: one weight of 增量 and 增速, scored by the scheme's rules)."""
    out = alts.assign(
        rank=alts["rank"].map(lambda r: "—" if pd.isna(r) else str(int(r))),
        admissible=alts["admissible"].map(lambda x: "是" if bool(x) else "否"),
        is_current=alts["is_current"].map(lambda x: "现行" if bool(x) else ""))
    return _zh_table(out, {"rank": "排序", "alternative": "计分方式", "is_current": "现行方案",
                           "block_rho": "经济指标得分与规模的ρ", "block_rho_lo": "置信区间下限",
                           "block_rho_hi": "置信区间上限", "meaning": "含义",
                           "total_rho": "总分与规模的ρ", "tier_changes": "等次改变的单位数",
                           "admissible": "等次稳定(不超过四分之一单位改变)"})


def display_sizes(sizes: pd.DataFrame) -> pd.DataFrame:
    """Size dependence of the block, its group and the total, Chinese headers."""
    from .reply import VERDICT_ZH

    out = sizes.assign(verdict=sizes["verdict"].map(lambda v: VERDICT_ZH.get(v, "—")))
    return _zh_table(out, {"label": "得分", "points": "满分", "rho": "序列内ρ",
                           "rho_lo": "置信区间下限", "rho_hi": "置信区间上限", "n": "单位数",
                           "groups": "序列数", "rho_all": "全体单位ρ",
                           "slope": "规模每增加一倍名次变化(位)", "verdict": "判断"})


def _share_cell(share: float, lo: float, hi: float) -> str:
    """'45.6 (40.7–50.5)' (percent, one decimal, the interval in brackets; the space lets a
    narrow DOCX column break there), '100.0 (各次相同)' for a collapsed interval, the share
    alone without bounds, '—' without a share."""
    if not math.isfinite(share):
        return "—"
    if single_point(lo, hi):
        return f"{100 * share:.1f} ({SAME_EVERY_RESAMPLE})"
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return f"{100 * share:.1f}"
    return f"{100 * share:.1f} ({100 * lo:.1f}–{100 * hi:.1f})"


def display_target_means(facts: pd.DataFrame) -> pd.DataFrame:
    """The share of targets met per rule as the brief quotes it (facts of topic
    'targets_equity', from targets_rule_means), one row per rule: overall, small and large
    units in percent, each with its resampling interval in brackets (six columns: the rule
    names keep room on a DOCX page), unit-years and indicators averaged."""
    f = facts.loc[(facts["unit_id"] == "") & (facts["topic"] == "targets_equity")]
    columns = ["目标规则", "全体(%)", "小单位(%)", "大单位(%)", "单位年数", "指标数"]
    rows = []
    for rule, g in f.groupby("alternative", sort=False):
        v = g.set_index("statistic")["value"].astype(float)
        cells = [_share_cell(v[k], v.get(f"{k}_lo", math.nan), v.get(f"{k}_hi", math.nan))
                 for k in ("share_met", "small_met", "large_met")]
        rows.append([str(rule), *cells, int(v["n"]), int(v["indicators"])])
    return pd.DataFrame(rows, columns=columns)


def display_focus(facts: pd.DataFrame) -> pd.DataFrame:
    """The focus units' score, place and tier (facts of topic 'score'), one row per unit:
    the table that carries focus units beyond the few written in prose."""
    f = facts.loc[(facts["unit_id"] != "") & (facts["topic"] == "score")]
    if f.empty:
        return pd.DataFrame(columns=["单位", "总分", "名次", "等次"])
    rows = []
    for uid, g in f.groupby("unit_id", sort=False):
        v = g.set_index("statistic")
        rows.append({"单位": str(g["name"].iloc[0]), "总分": round(float(v.at["total", "value"]), 2),
                     "名次": int(v.at["rank", "value"]), "等次": str(v.at["tier", "label"])})
    return pd.DataFrame(rows)
