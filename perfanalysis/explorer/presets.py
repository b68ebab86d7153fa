"""Scheme presets as starting points: a preset with the same tree as the scheme (same node
ids under the same parents) differs from it only in node fields and tier rules, so it can be
written as a scenario (``nodes:`` and ``tiers:``) and explored, exported and compared like
any other. A preset is offered only when that scenario rebuilds it exactly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..engine.scenarios import ScenarioSpec, scenario_scheme
from ..engine.scheme import Scheme, load_scheme
from ..errors import PerfAnalysisError

#: Scheme fields that name or date a scheme rather than score with it.
_LABELS = ("id", "name", "source", "year", "note")


#: Provenance fields (where a rule comes from), not how it scores: ignored when comparing.
_PROVENANCE = ("quote", "note", "assumption")


def _plain(value: Any) -> Any:
    """``value`` without provenance fields at any depth."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in _PROVENANCE}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _nodes(scheme: Scheme) -> dict[str, tuple[str | None, dict[str, Any]]]:
    """Node id -> (parent id, the node's own fields without its children)."""
    out: dict[str, tuple[str | None, dict[str, Any]]] = {}

    def walk(node: Any, parent: str | None) -> None:
        fields = _plain(node.model_dump(mode="json", exclude_none=True))
        fields.pop("children", None)
        out[node.id] = (parent, fields)
        for kid in getattr(node, "children", None) or []:
            walk(kid, node.id)

    for comp in scheme.components:
        walk(comp, None)
    return out


def _scoring_fields(scheme: Scheme) -> dict[str, Any]:
    raw = _plain(scheme.model_dump(mode="json", exclude_none=True))
    return {k: v for k, v in raw.items() if k not in _LABELS}


def preset_spec(base: Scheme, preset: Scheme) -> dict[str, Any] | None:
    """The scenario (``nodes``, ``tiers``) that turns ``base`` into ``preset``, or None when
    the trees differ or the scenario would not rebuild the preset exactly (top-level
    scoring fields, tier keys a merge would keep)."""
    b, p = _nodes(base), _nodes(preset)
    if set(b) != set(p) or any(b[i][0] != p[i][0] for i in b):
        return None
    nodes = {}
    for nid, (_, fields) in b.items():
        other = p[nid][1]
        diff = {k: other.get(k) for k in sorted(set(fields) | set(other))
                if fields.get(k) != other.get(k)}
        if diff:
            nodes[nid] = diff
    spec: dict[str, Any] = {}
    if nodes:
        spec["nodes"] = nodes
    if _plain(preset.tiers.model_dump(mode="json")) != _plain(base.tiers.model_dump(mode="json")):
        spec["tiers"] = preset.tiers.model_dump(mode="json", exclude_none=True)
    try:
        rebuilt = scenario_scheme(base, "preset", ScenarioSpec(name=preset.name, **spec))
    except (PerfAnalysisError, ValueError):
        return None
    return spec if _scoring_fields(rebuilt) == _scoring_fields(preset) else None


def preset_starts(base: Scheme, folder: Path | str,
                  skip: Path | str | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    """(id, Chinese label, scenario spec) of every preset YAML in ``folder`` (other than
    ``skip``, the scheme itself) that ``preset_spec`` can write as a scenario of ``base``."""
    out = []
    skip_path = Path(skip).resolve() if skip is not None else None
    for path in sorted(Path(folder).glob("*.yaml")):
        if skip_path is not None and path.resolve() == skip_path:
            continue
        try:
            preset = load_scheme(path)
        except PerfAnalysisError:
            continue  # not a scheme this package reads: nothing to offer
        if preset.id == base.id:
            continue
        spec = preset_spec(base, preset)
        if spec is not None:
            out.append((f"preset:{preset.id}", f"方案:{preset.name}", spec))
    return out
