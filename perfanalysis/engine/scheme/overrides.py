"""Scenarios in Python: a scheme with some keys, nodes, points or tier rules replaced
(``with_overrides``), validated like a scheme file; a switched method drops the settings
it does not use (``METHOD_FIELDS``), as scenario files do.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from typing import Any

from ...errors import SchemeError
from .defaults import METHOD_FIELDS, TARGET_METHODS, TOLERANCE
from .load import scheme_from_mapping
from .model import Scheme


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        out = dict(base)
        for k, v in override.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    return copy.deepcopy(override)


def _node_index(raw: Mapping[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any] | None,
                                                              int]]:
    """Node id -> (node mapping, parent mapping or None for a component, depth)."""
    out: dict[str, tuple[dict[str, Any], dict[str, Any] | None, int]] = {}

    def visit(nodes: list[dict[str, Any]], parent: dict[str, Any] | None, depth: int) -> None:
        for node in nodes:
            out[node["id"]] = (node, parent, depth)
            visit(node.get("children") or [], node, depth + 1)

    visit(raw["components"], None, 0)
    return out


def _unknown_ids(names: list[str], known: list[str], what: str) -> SchemeError:
    """An error naming unknown node ids with the closest known ones."""
    hints = []
    for name in names:
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hints.append(f"'{name}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    return SchemeError(f"override names unknown nodes: {', '.join(hints)}; known node ids: "
                       f"{', '.join(known)}", path=what)


def _rescale(node: dict[str, Any], new_points: float) -> None:
    """Set a node's points and rescale its children (recursively) in proportion."""
    old = float(node["points"])
    node["points"] = float(new_points)
    kids = node.get("children") or []
    if kids and old > 0:
        for kid in kids:
            _rescale(kid, float(kid["points"]) * new_points / old)


def _renormalise(parent: dict[str, Any], named: set[str], path: str) -> None:
    """Make a parent's children add up to its points: unnamed siblings share what the named
    ones leave, in proportion to their points; when all are named, all scale in proportion."""
    kids = parent["children"]
    target = float(parent["points"])
    fixed = sum(float(k["points"]) for k in kids if k["id"] in named)
    free = [k for k in kids if k["id"] not in named]
    free_sum = sum(float(k["points"]) for k in free)
    if not free:
        for kid in kids:
            _rescale(kid, float(kid["points"]) * target / fixed)
        return
    if fixed >= target - TOLERANCE:
        raise SchemeError(
            f"the overridden children of '{parent['id']}' take {fixed:g} of its {target:g} "
            f"points and leave nothing for {', '.join(k['id'] for k in free)}: give smaller "
            f"points, override '{parent['id']}' too, or name every child", path=path)
    for kid in free:
        _rescale(kid, float(kid["points"]) * (target - fixed) / free_sum)


def _switch_method(node: dict[str, Any], fields: Mapping[str, Any]) -> None:
    """Drop from a leaf's raw mapping the settings its new method (``fields['method']``) does
    not use; ``blend.target`` goes with ``target``."""
    new = fields["method"]
    if "method" not in node or new == node["method"]:
        return
    for key, users in METHOD_FIELDS.items():
        if new not in users and key not in fields:
            node.pop(key, None)
    blend = node.get("blend")
    if isinstance(blend, dict) and new not in TARGET_METHODS and "blend" not in fields:
        blend.pop("target", None)


def with_overrides(scheme: Scheme, overrides: Mapping[str, Any] | None = None,
                   points: Mapping[str, float] | None = None, *,
                   nodes: Mapping[str, Mapping[str, Any]] | None = None,
                   tiers: Mapping[str, Any] | None = None,
                   renormalise: bool = False) -> Scheme:
    """A scenario: the scheme with some keys replaced, validated like a scheme file.

    - ``overrides``: top-level keys merged into the scheme (mappings merge, the rest replace).
    - ``nodes``: node id -> fields to set on that group or indicator (``basis``, ``method``,
      ``blend``, ``target``, ``cap``, ``direction`` …); a value of ``None`` removes the field.
      A new ``method`` drops the settings it does not use (``METHOD_FIELDS``).
    - ``points``: node id -> new points. A group's (or component's) new points rescale its
      children in proportion, down the tree: ``high_quality: 50`` (was 40) makes its 8-point
      child 10. With ``renormalise=True`` the siblings of the named nodes are rescaled so that
      each parent keeps its points: unnamed siblings share what the named ones leave, in
      proportion to their points (all siblings in proportion when every one is named).
      Without it the points must add up as in a scheme file.
    - ``tiers``: tier rules; a different ``method`` replaces the rules, the same one merges.
    """
    raw = scheme.model_dump(mode="python", exclude_none=True)
    if overrides:
        raw = _merge(raw, overrides)
    if tiers is not None:
        same = tiers.get("method", raw["tiers"]["method"]) == raw["tiers"]["method"]
        raw["tiers"] = _merge(raw["tiers"], tiers) if same else copy.deepcopy(dict(tiers))
    index = _node_index(raw)
    known = list(index)
    for what, given in (("nodes", nodes), ("points", points)):
        unknown = [k for k in (given or {}) if k not in index]
        if unknown:
            raise _unknown_ids(unknown, known, what)
    for nid, fields in (nodes or {}).items():
        node = index[nid][0]
        if fields.get("method") is not None:
            _switch_method(node, fields)
        for key, value in fields.items():
            if key in ("id", "children"):
                raise SchemeError(f"'{key}' of a node cannot be overridden", path=f"nodes.{nid}")
            if value is None:
                node.pop(key, None)
            else:
                node[key] = copy.deepcopy(value)
    if points:
        bad = {k: v for k, v in points.items() if not float(v) > 0}
        if bad:
            raise SchemeError(f"points must be positive; got {bad}", path="points")
        # depth by depth: a node's own value wins over the rescaling of its ancestors
        for depth in sorted({index[i][2] for i in points}):
            named = [i for i in points if index[i][2] == depth]
            for nid in named:
                _rescale(index[nid][0], float(points[nid]))
            if renormalise:
                parents: dict[str, dict[str, Any]] = {}
                for nid in named:
                    parent = index[nid][1]
                    if parent is not None:
                        parents.setdefault(parent["id"], parent)
                for pid, parent in parents.items():
                    _renormalise(parent, set(named), f"points.{pid}")
    out = scheme_from_mapping(raw, file=f"{scheme.id} (scenario)")
    # a series the base read and the variant no longer does (an official rate whose blend a
    # scenario replaced) stays allowed in the data: the variant scores the same data
    dropped = sorted(scheme.observed_indicators() - out.observed_indicators())
    if dropped:
        raw["other_indicators"] = [*raw.get("other_indicators", []), *dropped]
        out = scheme_from_mapping(raw, file=f"{scheme.id} (scenario)")
    return out
