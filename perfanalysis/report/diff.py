"""What changed since last year: data revisions between two data folders and a readable
diff of two schemes, both in Chinese names.

``data_diff`` compares the value tables cell by cell (same unit, year and indicator /
component / event) and the unit list; ``scheme_diff`` compares points, methods, targets,
bonus and penalty rules and tier rules node by node (matched by id).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..engine.data import Dataset
from ..engine.methods import METHOD_ZH
from ..engine.scheme import BASIS_ZH, Component, Group, Indicator, Scheme
from ..engine.targets import issue_targets, issued_changes, rule_zh

#: table → (key column besides unit_id and year, value column, Chinese name of the table)
VALUE_TABLES = {
    "observations": ("indicator", "value", "指标数据"),
    "ratings": ("component", "score", "评分"),
    "events": ("event", "count", "事件"),
    "targets": ("indicator", "target", "目标值"),
}
REVISION_COLUMNS = ["table", "table_name", "unit_id", "name", "year", "key", "key_name",
                    "old", "new", "change", "status"]
UNIT_COLUMNS = ["unit_id", "name", "status", "old", "new"]
SCHEME_COLUMNS = ["section", "item", "item_name", "change", "field", "field_name", "old", "new",
                  "description"]
STATUS_ZH = {"revised": "修订", "added": "新增", "removed": "删除", "changed": "变更"}

FIELD_ZH = {
    "name": "名称", "points": "分值", "method": "计分方法", "direction": "方向",
    "basis": "计分口径", "blend": "增量+增速权重", "cap": "完成率上限", "floor": "完成率下限",
    "base": "功效系数基础分", "step": "排位扣分步长", "threshold": "达标线",
    "per_event": "每次扣分", "event": "扣分事件", "target": "目标规则",
    "comparison_group": "比较范围", "source": "来源", "clip": "封顶", "cap_total": "上限",
    "applies_to": "适用序列", "once_per_project": "同一项目只计最高",
    "per_place": "每前移一位加分", "max_per_indicator": "单项上限", "keep_first": "保持第一加分",
    "indicators": "指标", "subcaps": "分项上限", "method_tiers": "等次方法",
    "labels": "等次", "quota": "评优名额", "thresholds": "分数线", "shares": "强制分布比例",
    "rounding": "取整规则", "disqualifications": "取消评优情形", "demote_at": "直接认定末等的情形数",
    "affirmation": "一票肯定", "tie_break": "同分比较", "quota_passes_down": "名额顺延",
    "quota_requires": "占名额须达到的等次", "followups": "连续低等次的后续处理",
    "label": "等次", "min_total": "最低分", "top": "前几名", "share": "比例",
    "sequences": "序列", "min_count": "最少名额", "years": "连续年数", "tier": "等次",
    "consequence": "后续处理", "rewards": "奖金规则",
    "events": "事件", "requires": "须达到", "alpha": "α",
    "unit": "计量单位", "assumption": "示例假设", "factor": "倍数", "add": "加数", "value": "目标值", "rule": "规则", "max": "上限",
}


@dataclass(frozen=True)
class DataDiff:
    """Value revisions (``REVISION_COLUMNS``), unit changes (``UNIT_COLUMNS``) and the
    observation years only the new data has (their values are new, not revisions)."""

    revisions: pd.DataFrame
    units: pd.DataFrame
    new_years: list[int]

    @property
    def empty(self) -> bool:
        return self.revisions.empty and self.units.empty and not self.new_years


def _long(ds: Dataset, table: str) -> pd.DataFrame | None:
    df = getattr(ds, table)
    if df is None:
        return None
    key, value, _ = VALUE_TABLES[table]
    cols = ["unit_id", "year", key, value]
    if table == "events":  # an event may be listed once per project: compare the year's sum
        return df.groupby(cols[:3], as_index=False)[value].sum()
    return df[cols]


def data_diff(old: Dataset, new: Dataset, scheme: Scheme | None = None) -> DataDiff:
    """Values that differ (or exist on one side only) for the same unit, year and key in
    observations, ratings, events and targets; units added, removed, renamed or moved to
    another sequence. Values of years the old data has no observations for at all (a new
    year's data) are not revisions: those years are listed in ``new_years``. Names come from the new units.csv (the old one for removed units);
    indicator, component and event names from ``scheme`` when given."""
    names = dict(zip(old.units["unit_id"], old.units["name"]))
    names.update(zip(new.units["unit_id"], new.units["name"]))
    key_names: dict[str, str] = {}
    if scheme is not None:
        key_names.update({n.id: n.name for n in scheme.iter_nodes()})
        key_names.update({c.id: c.name for c in scheme.components})
        key_names.update(scheme.events)
    new_years = sorted(set(new.years) - set(old.years))
    rows: list[pd.DataFrame] = []
    for table, (key, value, table_zh) in VALUE_TABLES.items():
        a, b = _long(old, table), _long(new, table)
        if a is None and b is None:
            continue
        cols = ["unit_id", "year", key, value]
        a = a if a is not None else pd.DataFrame(columns=cols)
        b = b if b is not None else pd.DataFrame(columns=cols)
        m = a.merge(b, on=["unit_id", "year", key], how="outer", suffixes=("_old", "_new"))
        va, vb = m[f"{value}_old"].astype(float), m[f"{value}_new"].astype(float)
        differs = ~((va - vb).abs() <= 1e-9 * (1.0 + va.abs()))
        m = m.loc[differs & ~m["year"].isin(new_years)].copy()
        if m.empty:
            continue
        va, vb = va[m.index], vb[m.index]
        status = ["added" if math.isnan(x) else "removed" if math.isnan(y) else "revised"
                  for x, y in zip(va, vb)]
        rows.append(pd.DataFrame({
            "table": table, "table_name": table_zh, "unit_id": m["unit_id"],
            "name": m["unit_id"].map(names), "year": m["year"].astype(int), "key": m[key],
            "key_name": m[key].map(lambda k: key_names.get(k, k)), "old": va, "new": vb,
            "change": vb - va, "status": status}))
    revisions = (pd.concat(rows, ignore_index=True) if rows
                 else pd.DataFrame(columns=REVISION_COLUMNS))
    revisions = revisions.sort_values(["table", "unit_id", "year", "key"],
                                      kind="stable").reset_index(drop=True)
    return DataDiff(revisions[REVISION_COLUMNS], _unit_changes(old.units, new.units), new_years)


def _unit_changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    o = old.set_index("unit_id")
    n = new.set_index("unit_id")
    rows: list[dict[str, Any]] = []
    for uid in sorted(set(o.index) | set(n.index)):
        if uid not in o.index:
            rows.append({"unit_id": uid, "name": n.at[uid, "name"], "status": "added",
                         "old": "", "new": f"{n.at[uid, 'name']}({n.at[uid, 'sequence']})"})
        elif uid not in n.index:
            rows.append({"unit_id": uid, "name": o.at[uid, "name"], "status": "removed",
                         "old": f"{o.at[uid, 'name']}({o.at[uid, 'sequence']})", "new": ""})
        else:
            for col in ("name", "sequence"):
                if str(o.at[uid, col]) != str(n.at[uid, col]):
                    rows.append({"unit_id": uid, "name": n.at[uid, "name"], "status": "changed",
                                 "old": f"{FIELD_ZH.get(col, '序列')}:{o.at[uid, col]}",
                                 "new": f"{FIELD_ZH.get(col, '序列')}:{n.at[uid, col]}"})
    return pd.DataFrame(rows, columns=UNIT_COLUMNS)


# --- scheme diff --------------------------------------------------------------------------
def _fmt(value: Any) -> str:
    """A scheme value as a reader sees it (methods and bases in Chinese)."""
    if value is None:
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return METHOD_ZH.get(value, BASIS_ZH.get(value, value))
    if isinstance(value, dict):
        if "rule" in value:  # a target rule
            return rule_zh(value)
        return ",".join(f"{FIELD_ZH.get(k, k)}={_fmt(v)}" for k, v in value.items()
                        if v is not None)
    if isinstance(value, list):
        return "[" + "; ".join(_fmt(v) for v in value) + "]"
    return str(value)


def _node_fields(node: Indicator | Group | Component) -> dict[str, Any]:
    raw = node.model_dump(mode="python", exclude={"children", "id", "note"})
    return raw


def _nodes(scheme: Scheme) -> dict[str, tuple[str, Indicator | Group | Component]]:
    out: dict[str, tuple[str, Indicator | Group | Component]] = {}
    for comp in scheme.components:
        out[comp.id] = ("组成部分", comp)
    for node in scheme.iter_nodes():
        out[node.id] = ("指标" if isinstance(node, Indicator) else "指标组", node)
    return out


def _compare(section: str, item: str, item_name: str, a: dict[str, Any], b: dict[str, Any],
             rows: list[dict[str, Any]]) -> None:
    for key in sorted(set(a) | set(b), key=lambda k: (list(a) + list(b)).index(k)):
        va, vb = a.get(key), b.get(key)
        if va == vb:
            continue
        field = FIELD_ZH.get(key, key)
        rows.append({"section": section, "item": item, "item_name": item_name,
                     "change": "修改", "field": key,
                     "field_name": field, "old": _fmt(va), "new": _fmt(vb),
                     "description": f"{section}“{item_name}”的{field}由{_fmt(va)}改为{_fmt(vb)}"})


def scheme_diff(old: Scheme, new: Scheme) -> pd.DataFrame:
    """A readable diff of two schemes (``SCHEME_COLUMNS``): nodes added or removed, and for
    nodes with the same id their points, method, direction, basis, blend, target rule and
    method parameters; bonus and penalty rules; tier rules. ``description`` is one Chinese
    sentence per change."""
    rows: list[dict[str, Any]] = []
    a_nodes, b_nodes = _nodes(old), _nodes(new)
    for nid in list(a_nodes) + [n for n in b_nodes if n not in a_nodes]:
        if nid not in b_nodes:
            kind, node = a_nodes[nid]
            rows.append({"section": kind, "item": nid, "item_name": node.name,
                         "change": "删除", "field": "", "field_name": "",
                         "old": f"{node.points:g}分", "new": "",
                         "description": f"删除{kind}“{node.name}”({node.points:g}分)"})
        elif nid not in a_nodes:
            kind, node = b_nodes[nid]
            extra = f",{METHOD_ZH[node.method]}" if isinstance(node, Indicator) else ""
            rows.append({"section": kind, "item": nid, "item_name": node.name,
                         "change": "新增", "field": "", "field_name": "",
                         "old": "", "new": f"{node.points:g}分",
                         "description": f"新增{kind}“{node.name}”({node.points:g}分{extra})"})
        else:
            kind, node = b_nodes[nid]
            _compare(kind, nid, node.name, _node_fields(a_nodes[nid][1]), _node_fields(node),
                     rows)
    for block, zh in (("bonus", "加分"), ("penalty", "减分")):
        a_rules = {r.id: r for r in getattr(old, block).rules}
        b_rules = {r.id: r for r in getattr(new, block).rules}
        for rid in list(a_rules) + [r for r in b_rules if r not in a_rules]:
            ra, rb = a_rules.get(rid), b_rules.get(rid)
            name = (rb or ra).name  # type: ignore[union-attr]
            if rb is None or ra is None:
                verb = "删除" if rb is None else "新增"
                rows.append({"section": f"{zh}规则", "item": rid, "item_name": name,
                             "change": verb, "field": "", "field_name": "",
                             "old": "" if ra is None else name,
                             "new": "" if rb is None else name,
                             "description": f"{verb}{zh}规则“{name}”"})
                continue
            _compare(f"{zh}规则", rid, name, ra.model_dump(exclude={"id"}),
                     rb.model_dump(exclude={"id"}), rows)
        _compare(f"{zh}规则", block, f"{zh}合计",
                 getattr(old, block).model_dump(include={"cap", "subcaps"}),
                 getattr(new, block).model_dump(include={"cap", "subcaps"}), rows)
    # any other top-level setting (sequences, events, comparison group, rewards …)
    handled = {"id", "name", "source", "year", "note", "components", "bonus", "penalty",
               "tiers", "composite"}
    others = [k for k in type(new).model_fields if k not in handled]
    _compare("方案设置", "scheme", "考核方案", old.model_dump(mode="python", include=set(others)),
             new.model_dump(mode="python", include=set(others)), rows)
    ta = old.tiers.model_dump(mode="python")
    tb = new.tiers.model_dump(mode="python")
    ta["method_tiers"], tb["method_tiers"] = ta.pop("method"), tb.pop("method")
    # follow-ups in force (defaults included), so an omitted key and its defaults compare equal
    ta["followups"] = [f.model_dump() for f in old.tiers.followup_rules()]
    tb["followups"] = [f.model_dump() for f in new.tiers.followup_rules()]
    _compare("等次规则", "tiers", "等次评定", ta, tb, rows)
    return pd.DataFrame(rows, columns=SCHEME_COLUMNS)


def target_revisions(old: Dataset, new: Dataset, scheme: Scheme, year: int) -> pd.DataFrame:
    """Targets of ``year`` that the new data would issue differently from the old data
    (both from data up to ``year − 1``): a revision of last year's figures (the economic
    census) silently moves a recomputed target. unit, indicator, basis, the target as the
    old data issued it and as the new data gives it; empty when the scheme has no targets."""
    issued = issue_targets(old, scheme, year)
    if issued.empty:
        return issued
    return issued_changes(new, scheme, year, issued)
