"""Exports of a setting: a one-scenario file that ``perfanalysis compare`` and the report
read unchanged, and the page's tables as an .xlsx workbook."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ..engine.methods import METHOD_ZH
from ..engine.scheme import Scheme
from ..report.export import write_tables
from .changes import tier_moves, view_table
from .core import BASE_START, SCENARIO_ID, SCENARIO_NAME, Explorer, View


def describe(scheme: Scheme, spec: Mapping[str, Any]) -> str:
    """The controls' part of a setting in one Chinese sentence (for the exported note)."""
    names = {n.id: n.name for n in scheme.iter_nodes()} | {c.id: c.name for c in scheme.components}
    parts = []
    if spec.get("points"):
        parts.append("分值:" + "、".join(f"{names.get(k, k)}{float(v):g}分"
                                         for k, v in spec["points"].items()))
    alpha = spec.get("alpha")
    if isinstance(alpha, Mapping):
        parts.append("α:" + "、".join(f"{names.get(k, k)}{float(v):g}" for k, v in alpha.items()))
    elif alpha is not None:
        parts.append(f"增量+增速指标的α为{float(alpha):g}")
    if spec.get("method"):
        parts.append("计分方法:" + "、".join(f"{names.get(k, k)}用{METHOD_ZH.get(m, m)}"
                                          for k, m in spec["method"].items()))
    if spec.get("tiers"):
        parts.append("等次规则已调整")
    return ";".join(parts) if parts else "未改动方案"


def scenario_yaml(ex: Explorer, view: View, *, start: str = BASE_START) -> str:
    """The setting as a scenario file that ``perfanalysis compare --scheme`` (and the
    report's ``-p scenarios=``) read unchanged: one scenario, no ``base:`` (the scheme is
    the one given with it), the scheme named in a comment."""
    s = ex.starts[start]
    note = f"由权重探索页面导出({view.year}年;起点:{s.name})。{describe(ex.scheme, view.spec)}。"
    body = {"name": SCENARIO_NAME, "note": note, **_plain_types(view.spec)}
    doc = {"note": f"考核方案:{ex.scheme.name}({ex.scheme.id})",
           "scenarios": {SCENARIO_ID: body}}
    head = (f"# 权重探索导出的情景 (perfanalysis explore), scheme {ex.scheme.id}"
            + (f": {ex.scheme_path.name}" if ex.scheme_path else "") + "\n"
            "# perfanalysis compare --data DIR --scheme SCHEME --scenarios THIS_FILE\n")
    return head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _plain_types(value: Any) -> Any:
    """JSON-like Python values (numpy numbers as floats) for a YAML dump."""
    if isinstance(value, Mapping):
        return {str(k): _plain_types(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_types(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def workbook_bytes(base: View, view: View) -> bytes:
    """The page's tables as an .xlsx (written by ``export.write_tables``)."""
    table = view_table(base, view)
    moves = tier_moves(base, view).rename(columns={
        "unit_id": "单位代码", "name": "单位", "sequence": "序列", "base_tier": "基准等次",
        "tier": "等次", "base_total": "基准总分", "total": "总分", "base_rank": "基准名次",
        "rank": "名次", "reason": "原因"})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "explored.xlsx"
        write_tables({"总分与名次": table.rename(columns={"unit_id": "单位代码"}),
                      "等次变化": moves}, path)
        return path.read_bytes()
