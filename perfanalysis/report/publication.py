"""Publication tables of the annual brief, as a 通报 prints them: the 成绩表 with the
first-level (一级指标) scores, the 指标明细 with its 计量单位 column, the 等次名单 per
sequence (by score or in administrative order) with footnotes for the completion cap and
points above 满分, and the 方案依据与假设 appendix (every scheme node and tier rule with its
source quote, or its assumption and the reason).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from ..engine.scheme import BASIS_ZH, Component, Group, Indicator, Scheme
from .wording import count_units, pct

CAP_MARK = "*"
OVER_MARK = "†"
Order = Literal["score", "admin"]


def _first_level(scheme: Scheme) -> dict[str, tuple[str, str, float]]:
    """Leaf id → (first-level node id, name, points)."""
    out: dict[str, tuple[str, str, float]] = {}

    def walk(node: Any, top: Group | Indicator) -> None:
        if isinstance(node, Group):
            for c in node.children:
                walk(c, top)
        else:
            out[node.id] = (top.id, top.name, float(top.points))

    for comp in scheme.components:
        for child in comp.children or []:
            walk(child, child)
    return out


def _sequence_order(scheme: Scheme, sequences: pd.Series) -> dict[str, int]:
    """Sequence id → its place in the scheme's ``sequences`` (undeclared ones after)."""
    declared = list(scheme.sequences)
    extra = sorted(set(map(str, sequences)) - set(declared))
    return {s: i for i, s in enumerate(declared + extra)}


def results_table(data: Any, scheme: Scheme, year: int, tiers: pd.DataFrame) -> pd.DataFrame:
    """成绩表: 序列, 单位, one column per 一级指标 ("高质量发展(40分)") and per rating
    component, 加分, 扣分, 总分, 名次, 等次; rows by sequence and place. A first-level score
    above its points carries ``OVER_MARK`` in the 注 column (see ``footnotes``)."""
    from ..engine.scoring import leaf_scores

    ls = leaf_scores(data, scheme, year)
    top = _first_level(scheme)
    ls["top"] = ls["indicator"].map(lambda i: top[i][0])
    per = ls.pivot_table(index="unit_id", columns="top", values="score", aggfunc="sum")
    t = tiers.set_index("unit_id")
    out = pd.DataFrame({"序列": t["sequence"].map(lambda s: scheme.sequences.get(s, s)),
                        "单位": t["name"]})
    over = pd.Series(False, index=t.index)
    seen: list[str] = []
    for comp in scheme.components:
        if comp.source == "rating":
            out[f"{comp.name}({comp.points:g}分)"] = t[comp.id].round(2)
            continue
        for child in comp.children or []:
            if child.id in seen:
                continue
            seen.append(child.id)
            col = per[child.id].reindex(t.index)
            out[f"{child.name}({child.points:g}分)"] = col.round(2)
            over |= col > child.points + 1e-9
    out["加分"] = t["bonus"].round(2)
    out["扣分"] = t["penalty"].round(2)
    out["总分"] = t["total"].round(2)
    out["名次"] = t["rank"].astype(int)
    out["等次"] = t["tier"]
    out["注"] = np.where(over, OVER_MARK, "")
    out = out.assign(_seq=t["sequence"].map(_sequence_order(scheme, t["sequence"])))
    out = out.sort_values(["_seq", "名次", "单位"], kind="stable")
    return out.drop(columns="_seq").reset_index(drop=True)


def _fmt(value: float, basis: str) -> str:
    if value is None or not np.isfinite(value):
        return "—"
    return pct(value) if basis in ("growth", "given_rate") else f"{value:,.2f}"


def indicator_detail(data: Any, scheme: Scheme, year: int) -> pd.DataFrame:
    """指标明细: 单位, 一级指标, 指标, 计量单位, 计分口径, 本年值, 实际(计分口径), 目标,
    完成率, 满分, 得分, 注 (``CAP_MARK`` at the completion cap, ``OVER_MARK`` above 满分).
    Growth is shown as a percentage to one decimal (11.0%)."""
    from ..engine.scoring import leaf_scores

    ls = leaf_scores(data, scheme, year)
    leaves = {leaf.id: leaf for leaf in scheme.indicators()}
    top = _first_level(scheme)
    names = dict(zip(data.units["unit_id"], data.units["name"]))
    rows = []
    for r in ls.itertuples(index=False):
        leaf = leaves[r.indicator]
        capped = leaf.method in ("completion", "time_progress") and leaf.cap > 1 and \
            np.isfinite(r.fraction) and abs(r.fraction - leaf.cap) < 1e-9
        over = np.isfinite(r.score) and r.score > r.points_scheme + 1e-9
        basis = BASIS_ZH.get(r.basis, r.basis) + (
            f"+{BASIS_ZH.get(r.blend_basis, r.blend_basis)}" if r.blend_basis else "")
        rows.append({"单位": names.get(r.unit_id, r.unit_id),
                     "一级指标": top[r.indicator][1], "指标": r.name,
                     "计量单位": leaf.unit or "—", "计分口径": basis,
                     "本年值": _fmt(r.value, "level"),
                     "实际(计分口径)": _fmt(r.basis_value, r.basis),
                     "目标": _fmt(r.target, r.basis),
                     "完成率": pct(r.fraction) if leaf.method in ("completion",
                                                                 "time_progress") else "—",
                     "满分": r.points_scheme, "得分": round(float(r.score), 2),
                     "注": (CAP_MARK if capped else "") + (OVER_MARK if over else "")})
    return pd.DataFrame(rows)


def footnotes(detail: pd.DataFrame, scheme: Scheme) -> list[str]:
    """Footnotes of the tables: how many leaf scores sit at the completion cap and how many
    exceed the leaf's 满分 (counted from ``indicator_detail``)."""
    caps = sorted({leaf.cap for leaf in scheme.indicators()
                   if leaf.method in ("completion", "time_progress") and leaf.cap > 1})
    n_cap = int(detail["注"].str.contains(CAP_MARK, regex=False).sum())
    n_over = int(detail["注"].str.contains(OVER_MARK, regex=False).sum())
    out = []
    if caps:
        cap_text = "、".join(pct(c) for c in caps)
        out.append(f"注{CAP_MARK}:完成率按{cap_text}封顶,本年度"
                   + (f"共{n_cap}项次达到封顶值" if n_cap else "没有指标达到封顶值") + "。")
        out.append(f"注{OVER_MARK}:完成率超过100.0%时得分可高于该项满分,本年度"
                   + (f"共{n_over}项次高于满分" if n_over else "没有指标得分高于满分")
                   + ";一级指标得分因此可高于其分值。")
    return out


def tier_roster(tiers: pd.DataFrame, scheme: Scheme, units: pd.DataFrame,
                order: Order = "score") -> pd.DataFrame:
    """等次名单: one row per sequence (in the scheme's order) and tier (序列, 等次, 单位数,
    名单), names ordered by score (``order="score"``) or in the units file's administrative
    order (``"admin"``)."""
    if order not in ("score", "admin"):
        raise ValueError(f"tier_roster: order must be 'score' or 'admin', got {order!r}")
    admin = {u: i for i, u in enumerate(units["unit_id"])}
    t = tiers.assign(_admin=tiers["unit_id"].map(admin),
                     _seq=tiers["sequence"].map(_sequence_order(scheme, tiers["sequence"])))
    keys = ["_seq", "rank", "_admin"] if order == "score" else ["_seq", "_admin"]
    t = t.sort_values(keys, kind="stable")
    rows = []
    for seq, grp in t.groupby("sequence", sort=False):
        for label in scheme.tiers.labels:
            names = list(grp.loc[grp["tier"] == label, "name"])
            rows.append({"序列": scheme.sequences.get(str(seq), str(seq)), "等次": label,
                         "单位数": len(names),
                         "名单": "、".join(names) if names else "(无)"})
    return pd.DataFrame(rows)


def roster_counts(roster: pd.DataFrame) -> pd.DataFrame:
    """The 等次名单 as counts: one row per sequence (in the roster's order), one column per
    tier (in the roster's order) with its number of units, and 合计; for a roster too long
    for a page (national scale: 31 sequences × tiers), the names being in the sentences and
    in scores.xlsx."""
    wide = roster.pivot(index="序列", columns="等次", values="单位数")
    wide = wide.loc[list(dict.fromkeys(roster["序列"])), list(dict.fromkeys(roster["等次"]))]
    wide = wide.fillna(0).astype(int)
    wide["合计"] = wide.sum(axis=1)
    return wide.reset_index().rename_axis(columns=None)


def roster_sentences(roster: pd.DataFrame) -> list[str]:
    """The 等次名单 as a 通报 writes it: one sentence per sequence."""
    out = []
    for seq, grp in roster.groupby("序列", sort=False):
        bits = [f"{r.等次}{r.单位数}个:{r.名单}" if r.单位数 else f"{r.等次}:{count_units(0)}"
                for r in grp.itertuples(index=False)]
        out.append(f"{seq}:" + ";".join(bits) + "。")
    return out


# --- 方案依据与假设 ------------------------------------------------------------------------
BASIS_COLUMNS = ["类别", "项目", "规定", "依据(原文)", "是否假设", "理由"]
NO_REASON = "原文未作规定,按示例假设设置"
ROUNDING_ZH = {"half_up": "四舍五入", "floor": "向下取整", "ceil": "向上取整"}


def _row(kind: str, item: str, rule: str, obj: Any) -> dict[str, str]:
    quote = getattr(obj, "quote", None) or ""
    assumed = bool(getattr(obj, "assumption", False))
    note = getattr(obj, "note", None) or ""
    reason = note if note else (NO_REASON if assumed else ("" if quote else "未注明出处"))
    return {"类别": kind, "项目": item, "规定": rule, "依据(原文)": quote or "—",
            "是否假设": "是" if assumed else "否", "理由": reason or "—"}


def _node_rule(node: Component | Group | Indicator) -> str:
    from ..engine.methods import METHOD_ZH
    from ..engine.targets import rule_zh

    text = f"{node.points:g}分"
    if isinstance(node, Indicator):
        text += f",{METHOD_ZH.get(node.method, node.method)}"
        if node.unit:
            text += f",计量单位{node.unit}"
        for basis, rule in node.basis_rules():
            text += (f";{BASIS_ZH.get(basis, basis)}目标:"
                     f"{rule_zh(rule.model_dump(exclude_none=True))}")
        if node.method in ("completion", "time_progress") and node.cap > 1:
            text += f";完成率封顶{pct(node.cap)}"
    return text


def scheme_basis(scheme: Scheme) -> pd.DataFrame:
    """方案依据与假设: every component, group and indicator, the tier rules, quotas,
    thresholds, follow-ups, bonus/penalty rules and rewards, each with its source quote or
    its assumption flag and reason (``BASIS_COLUMNS``)."""
    rows = []

    def walk(node: Any, depth: int) -> None:
        kind = "指标" if isinstance(node, Indicator) else ("一级指标" if depth == 1 else "分组")
        rows.append(_row(kind, node.name, _node_rule(node), node))
        if isinstance(node, Group):
            for c in node.children:
                walk(c, depth + 1)

    for comp in scheme.components:
        rows.append(_row("考核部分", comp.name, _node_rule(comp), comp))
        for child in comp.children or []:
            walk(child, 1)
    t = scheme.tiers
    rows.append(_row("等次规则", "等次名称与取整",
                     f"{'、'.join(t.labels)};名额{ROUNDING_ZH.get(t.rounding, t.rounding)}", t))
    for q in t.quota:
        what = f"前{q.top}名" if q.top is not None else f"{pct(q.share or 0)}"
        seqs = "、".join(q.sequences) if q.sequences else "各序列"
        rows.append(_row("等次名额", f"{t.labels[0]}名额({seqs})",
                         f"{what},{ROUNDING_ZH.get(q.rounding, q.rounding)},"
                         f"至少{q.min_count}个", q))
    for th in t.thresholds:
        rows.append(_row("等次分数线", th.label, f"总分不低于{th.min_total:g}分", th))
    for f in t.followup_rules():
        rows.append(_row("后续处理", f"连续{f.years}年{f.label()}", f.consequence, f))
    for r in scheme.results.rules:  # 结果运用 (issue 22)
        rows.append(_row("结果运用", r.name, r.consequence, r))
    for block, kind in ((scheme.bonus, "加分规则"), (scheme.penalty, "扣分规则")):
        for r in block.rules:
            rows.append(_row(kind, str(getattr(r, "name", None) or r.id),
                             f"封顶{r.cap:g}分" if getattr(r, "cap", None) else "—", r))
    if scheme.rewards is not None:
        rows.append(_row("奖励", "奖金", "按等次发放", scheme.rewards))
    return pd.DataFrame(rows, columns=BASIS_COLUMNS)


def basis_sentence(basis: pd.DataFrame) -> str:
    """How many of the scheme's rules are assumptions, by kind."""
    assumed = basis.loc[basis["是否假设"] == "是"]
    quoted = int(((basis["是否假设"] == "否") & (basis["依据(原文)"] != "—")).sum())
    bare = len(basis) - len(assumed) - quoted
    by = assumed.groupby("类别", sort=False).size()
    parts = "、".join(f"{k}{v}项" for k, v in by.items())
    text = f"方案共列出{len(basis)}项规定:"
    text += (f"{len(assumed)}项原文未作规定、按示例假设设置({parts})" if len(assumed)
             else "没有按假设设置的规定")
    text += f";{quoted}项注明原文出处" if quoted else ";没有规定注明原文出处"
    text += f";{bare}项既未注明出处也未标为假设" if bare else ""
    return text + "。"


# --- the reply as an official DOCX --------------------------------------------------------
def reply_docx(title: str, sections: list[tuple[str, list[str]]], path: Any) -> Any:
    """The reply part (title, then each section's heading and paragraphs) as a DOCX in the
    official styles (``officialdoc.write_reference_docx``: 方正小标宋 二号 title, 仿宋 三号
    body at 28 pt lines, 黑体 headings). Written atomically; returns the path."""
    from pathlib import Path

    import docx

    from .officialdoc import write_reference_docx
    from .wording import real_minus

    path = Path(path)
    tmp = path.with_name(path.name + ".tmp.docx")
    write_reference_docx(tmp)
    doc = docx.Document(str(tmp))
    body = doc.element.body
    for child in list(body):  # pandoc's specimen content; keep the section properties
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    doc.add_paragraph(title, style="Title")
    for heading, paragraphs in sections:
        if heading:
            doc.add_paragraph(heading, style="Heading 1")
        for text in paragraphs:
            doc.add_paragraph(real_minus(text), style="Body Text")
    doc.save(str(tmp))
    tmp.replace(path)
    return path


def docx_pages(path: Any, timeout: float = 240) -> int | None:
    """Pages of a DOCX as LibreOffice lays it out (converted to PDF, counted by pdfinfo);
    None when soffice or pdfinfo is not installed."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    office = shutil.which("soffice") or shutil.which("libreoffice")
    info = shutil.which("pdfinfo")
    if office is None or info is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([office, "--headless", "--norestore",
                               f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                               "pdf", "--outdir", tmp, str(path)], capture_output=True,
                              text=True, timeout=timeout, check=False)
        pdf = Path(tmp) / (Path(path).stem + ".pdf")
        if proc.returncode != 0 or not pdf.is_file():
            raise RuntimeError(f"LibreOffice could not convert {path}: {proc.stderr.strip()}")
        out = subprocess.run([info, str(pdf)], capture_output=True, text=True, check=True)
    for line in out.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise RuntimeError(f"pdfinfo gave no page count for {path}")
