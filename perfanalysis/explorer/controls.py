"""The controls of the explorer's page as a setting, without a browser: which points were
moved (relative to the starting point), α, methods and the tier controls, each checked with
a message for the page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine.scheme import Scheme
from .core import ExploreError, Explorer, blended, start_alpha, start_view


def points_changes(start_points: Mapping[str, float], values: Mapping[str, float | None]
                   ) -> dict[str, float]:
    """The points a user set: every control whose value differs from the starting point's
    (None — an emptied box — counts as a change so that the scenario check can name it)."""
    out: dict[str, Any] = {}
    for nid, value in values.items():
        if value is None or not np.isclose(float(value), float(start_points[nid])):
            out[nid] = value
    return out


@dataclass(frozen=True)
class TierControls:
    """The tier settings a page offers for a scheme: the top-tier quota of the default
    rule (a share in % or a head count), the score lines (quota_threshold) or the forced
    shares in % (forced_distribution)."""

    method: str
    labels: tuple[str, ...]
    quota_kind: str | None  # "share" | "top" | None (forced distribution)
    quota_value: float | None  # % for a share, head count for top
    thresholds: tuple[tuple[str, float], ...]
    shares: tuple[float, ...]  # % per label


def tier_controls(scheme: Scheme) -> TierControls:
    """What the tier controls start from, read off the scheme's tier rules."""
    t = scheme.tiers
    if t.method == "forced_distribution":
        return TierControls(t.method, tuple(t.labels), None, None, (),
                            tuple(round(s * 100, 6) for s in t.shares))
    rule = next((q for q in t.quota if q.sequences is None), t.quota[0])
    kind = "share" if rule.share is not None else "top"
    value = round(rule.share * 100, 6) if rule.share is not None else float(rule.top or 0)
    return TierControls(t.method, tuple(t.labels), kind, value,
                        tuple((th.label, float(th.min_total)) for th in t.thresholds), ())


def tiers_from_controls(scheme: Scheme, quota: float | None,
                        lines: list[float | None], shares: list[float | None]
                        ) -> dict[str, Any] | None:
    """A ``tiers`` override from the tier controls (None when they equal the scheme's).
    Bad values raise ``ExploreError`` naming the control: a quota outside 0–100 %, an empty
    box, shares not adding up to 100 %."""
    tc = tier_controls(scheme)
    t = scheme.tiers
    if tc.method == "forced_distribution":
        if any(v is None for v in shares):
            raise ExploreError("强制分布比例须为数字 / every forced share must be a number")
        pct = [float(v) for v in shares]  # type: ignore[arg-type]
        if any(v < 0 or v > 100 for v in pct) or abs(sum(pct) - 100) > 1e-6:
            raise ExploreError(f"强制分布各档比例须在0–100%之间且合计100%,当前合计{sum(pct):g}% "
                               f"/ forced shares must lie in 0–100 % and add up to 100 %")
        if all(np.isclose(a, b) for a, b in zip(pct, tc.shares, strict=True)):
            return None
        return {"shares": [round(v / 100, 9) for v in pct]}
    if quota is None:
        raise ExploreError("优秀名额须为数字 / the top-tier quota must be a number")
    if tc.quota_kind == "share" and not 0 < float(quota) <= 100:
        raise ExploreError(f"{t.labels[0]}名额比例须在0到100%之间,当前为{float(quota):g}% / "
                           f"the quota share must lie in (0, 100] %, got {float(quota):g}")
    if tc.quota_kind == "top" and (float(quota) < 0 or float(quota) != int(quota)):
        raise ExploreError(f"{t.labels[0]}名额须为非负整数 / the quota must be a whole number")
    if any(v is None for v in lines):
        raise ExploreError("分数线须为数字 / every score line must be a number")
    out: dict[str, Any] = {}
    if not np.isclose(float(quota), tc.quota_value or 0.0):
        rules = [q.model_dump(mode="python", exclude_none=True) for q in t.quota]
        i = next((j for j, q in enumerate(t.quota) if q.sequences is None), 0)
        rules[i]["share" if tc.quota_kind == "share" else "top"] = (
            round(float(quota) / 100, 9) if tc.quota_kind == "share" else int(quota))
        # the moved rule is the researcher's setting: the source's provenance goes with it
        for key in ("assumption", "note", "quote"):
            rules[i].pop(key, None)
        out["quota"] = rules
    if any(not np.isclose(float(v), m) for v, (_, m) in  # type: ignore[arg-type]
           zip(lines, tc.thresholds, strict=True)):
        out["thresholds"] = [{"label": lab, "min_total": float(v)}  # type: ignore[arg-type]
                             for v, (lab, _) in zip(lines, tc.thresholds, strict=True)]
    return out or None


def spec_from_controls(ex: Explorer, start: str, year: int, *,
                       node_values: Mapping[str, float | None],
                       extra_points: Mapping[str, float | None] | None = None,
                       alpha: float | None = None,
                       leaf_alpha: Mapping[str, float | None] | None = None,
                       methods: Mapping[str, str] | None = None,
                       quota: float | None = None, lines: list[float | None] | None = None,
                       shares: list[float | None] | None = None) -> dict[str, Any]:
    """The controls as a scenario's control keys, relative to the starting point: only
    what differs from it (a first-level value equal to the start's is not named, so the
    others are not pinned by it). ``extra_points`` (any node, set on demand) and
    ``methods`` are named as given; ``leaf_alpha`` (α of single blended leaves) turns
    ``alpha`` into a per-leaf mapping: the named leaves get theirs, the other blended
    leaves the α control's value."""
    base = start_view(ex, start, year)
    out: dict[str, Any] = {}
    points = points_changes(base.node_points, node_values)
    points.update(dict(extra_points or {}))
    if points:
        out["points"] = points
    a0 = start_alpha(base.scheme)
    if leaf_alpha and any(a is None for a in leaf_alpha.values()):
        raise ExploreError("指标的α须为数字 / an indicator's α must be a number")
    for a in [alpha, *(leaf_alpha or {}).values()]:
        if a is not None and a0 is not None and not 0 <= float(a) <= 1:
            raise ExploreError(f"α须在0到1之间,当前为{float(a):g} / α must lie in [0, 1]")
    moved = alpha is not None and a0 is not None and not np.isclose(float(alpha), a0)
    if leaf_alpha:
        own = {leaf.id: float(leaf.blend.alpha) for leaf in blended(base.scheme)}  # type: ignore[union-attr]
        unknown = [i for i in leaf_alpha if i not in own]
        if unknown:
            raise ExploreError(f"这些指标没有增量+增速组合,不能设定α:{unknown} / no blend: "
                               f"{unknown}")
        out["alpha"] = {i: float(leaf_alpha[i]) if i in leaf_alpha  # type: ignore[arg-type]
                        else (float(alpha) if moved else a)  # type: ignore[arg-type]
                        for i, a in own.items()}
    elif moved:
        out["alpha"] = float(alpha)  # type: ignore[arg-type]
    if methods:
        out["method"] = dict(methods)
    tiers = tiers_from_controls(base.scheme, quota, list(lines or []), list(shares or []))
    if tiers:
        out["tiers"] = tiers
    return out
