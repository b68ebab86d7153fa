"""Scoring: a pure function of (data, scheme, year), vectorisable over a leading draw axis.

``prepare`` turns validated tables into arrays (units × indicators); ``leaf_fractions`` and
``component_scores`` work on arrays with any leading axes, so uncertainty and sensitivity
studies can score many noisy data copies or weight vectors at once; ``score`` returns the
year's table (components, bonus, penalty, total, rank) for one unit per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, Problem, SchemeError
from . import methods
from .adjustments import adjustment_table, event_row_points, excess_points, progress_points
from .data import Dataset, check_data
from .ranks import ALL_GROUP, scope_values
from .scheme import ExcessRule, Group, Indicator, ProgressRule, Scheme, TargetRule
from .targets import consistent_increment, leaf_table, require_targets, rule_targets


@dataclass(frozen=True)
class ScoringInput:
    """Arrays for one scheme and year; units sorted by (sequence, id)."""

    year: int
    unit_ids: list[str]
    names: list[str]
    sequences: list[str]
    leaves: list[Indicator]
    level: np.ndarray  # (N, K) values in the year (event counts for event deductions)
    previous: np.ndarray  # (N, K) values in the year before (NaN where not needed)
    targets: np.ndarray  # (N, K) completion targets for the main basis (NaN otherwise)
    blend_targets: np.ndarray  # (N, K) completion targets for the blend basis
    groups: np.ndarray  # (K, N) comparison-group codes per leaf
    leaf_component: np.ndarray  # (K,) index into indicator_components
    indicator_components: list[str]
    ratings: pd.DataFrame  # (N × rating components), indexed by unit_id
    source: str = "observations.csv"  # where the values came from, for messages
    missing_rules: tuple[str, ...] = ()  # per leaf: error | zero | reweight (empty: all error)
    # (N, K) values the blend half reads when it names its own series (blend.indicator: an
    # official rate); None when no leaf does. Fixed data: draws perturb ``level`` only
    blend_level: np.ndarray | None = None

    @property
    def leaf_points(self) -> np.ndarray:
        return np.array([leaf.points for leaf in self.leaves], dtype=float)


def _panel(data: Dataset, unit_ids: list[str], ids: list[str]) -> tuple[np.ndarray, list[int]]:
    """Observations as a (years, units, indicators) array with NaN where missing."""
    obs = data.observations
    years = sorted(int(y) for y in obs["year"].unique())
    obs = obs.loc[obs["indicator"].isin(ids)]
    cube = np.full((len(years), len(unit_ids), len(ids)), np.nan)
    yi = pd.Index(years).get_indexer(obs["year"])
    ui = pd.Index(unit_ids).get_indexer(obs["unit_id"])
    ki = pd.Index(ids).get_indexer(obs["indicator"])
    cube[yi, ui, ki] = obs["value"].to_numpy(dtype=float)
    return cube, years


def _targets(leaf: Indicator, rule: TargetRule, basis: str, levels: np.ndarray,
             years: list[int], year: int, sequences: np.ndarray, table: np.ndarray | None,
             data: Dataset, unit_ids: list[str]) -> np.ndarray:
    """Completion targets of one leaf and basis; missing history is a DataError."""
    got = rule_targets(rule, levels, years, year, basis=basis,
                       reverse=leaf.direction == "negative", groups=sequences, table=table)
    require_targets(rule, got, levels, years, year, unit_ids=unit_ids,
                    indicator=leaf.id, basis=basis,
                    source=str(data.files.get("observations", data.source)))
    return got


ADDITIVE = ("sum", "arithmetic")


def _require_additive(scheme: Scheme) -> None:
    """Points scoring adds points up; refuse trees that ask for another mean, loudly."""
    nodes = [*scheme.components, *(n for n in scheme.iter_nodes() if isinstance(n, Group))]
    other = [f"{n.id} ({n.aggregation})" for n in nodes if n.aggregation not in ADDITIVE]
    if other:
        raise SchemeError(
            "points scoring adds children's points; these nodes ask for another aggregation: "
            + ", ".join(other) + ". Build it as a composite index instead "
            "(`perfanalysis composite` / `perfanalysis.build_composite`).", path="aggregation")


def prepare(data: Dataset, scheme: Scheme, year: int, *, check: bool = True) -> ScoringInput:
    """Validate data against the scheme for ``year`` and arrange it as arrays."""
    _require_additive(scheme)
    if check:
        check_data(data, scheme, year)
    # sorted by sequence then id: row order never matters and comparison groups are contiguous
    units = data.units.sort_values(["sequence", "unit_id"], kind="stable")
    unit_ids = list(units["unit_id"])
    leaves = scheme.indicators()
    ids = [leaf.id for leaf in leaves]
    rate_ids = [leaf.series(1) for leaf in leaves if leaf.series(1) != leaf.id]
    cube, years = _panel(data, unit_ids, ids + rate_ids)
    n, kk = len(unit_ids), len(leaves)
    level = np.full((n, kk), np.nan)
    previous = np.full((n, kk), np.nan)
    targets = np.full((n, kk), np.nan)
    blend_targets = np.full((n, kk), np.nan)
    blend_level = np.full((n, kk), np.nan) if rate_ids else None
    seq_codes = pd.factorize(units["sequence"], sort=True)[0]
    groups = np.zeros((kk, n), dtype=int)
    ev_year = data.events.loc[data.events["year"] == year]
    tg = data.targets
    t = years.index(year) if year in years else None
    for k, leaf in enumerate(leaves):
        cg = leaf.comparison_group or scheme.comparison_group
        groups[k] = seq_codes if cg == "sequence" else 0
        if leaf.event is not None:
            rows = ev_year.loc[ev_year["event"] == leaf.event]
            if leaf.per_event == "from_data":
                rows = rows.assign(count=event_row_points(rows, 1.0))
            counts = rows.groupby("unit_id")["count"].sum()
            level[:, k] = counts.reindex(unit_ids, fill_value=0).to_numpy(dtype=float)
            continue
        assert t is not None, "check_data guarantees the year is present"
        level[:, k] = cube[t, :, k]
        # the blend half's own series (an official rate), when it names one
        col = {h: k if leaf.series(h) == leaf.id else len(ids) + rate_ids.index(leaf.series(h))
               for h in (0, 1)}
        if blend_level is not None and col[1] != k:
            blend_level[:, k] = cube[t, :, col[1]]
        if t >= 1:
            previous[:, k] = cube[t - 1, :, k]
        if leaf.target is not None:
            table = None
            if leaf.target.rule == "table" and leaf.target.file is None and tg is not None:
                sub = tg.loc[(tg["year"] == year) & (tg["indicator"] == leaf.id)]
                table = sub.set_index("unit_id")["target"].reindex(unit_ids).to_numpy(dtype=float)
            # the target engine (perfanalysis/engine/targets.py): one rule, all units at once; the
            # blend basis (if any) has its own
            consistent = leaf.blend is not None and leaf.blend.consistent
            for h, (out, (basis, rule)) in enumerate(zip((targets, blend_targets),
                                                         leaf.basis_rules())):
                tbl = leaf_table(data, rule, leaf.id, basis, year, unit_ids, table)  # issued
                if consistent and h == 0 and tbl is None:
                    continue  # set from the growth target below
                out[:, k] = _targets(leaf, rule, basis, cube[:, :, col[h]], years, year,
                                     seq_codes, tbl, data, unit_ids)
            if consistent and not np.isfinite(targets[:, k]).any():
                # one growth target g* for both halves: Δ* = x(t−1)·g*
                targets[:, k] = consistent_increment(previous[:, k], blend_targets[:, k])
    comp_ids = [c.id for c in scheme.components if c.source == "indicators"]
    leaf_comp = scheme.indicator_component()
    leaf_component = np.array([comp_ids.index(leaf_comp[leaf.id]) for leaf in leaves], dtype=int)
    rating_ids = [c.id for c in scheme.components if c.source == "rating"]
    rat = data.ratings.loc[(data.ratings["year"] == year)
                           & data.ratings["component"].isin(rating_ids)]
    ratings = (rat.pivot(index="unit_id", columns="component", values="score")
               .reindex(index=unit_ids, columns=rating_ids).astype(float))
    # (N, K) arrays column-major: a leaf's column [:, k] is contiguous, so scoring a leaf
    # (once, or per block of draws) reads its values in unit strides rather than K-strided
    level, previous, targets, blend_targets = (np.asfortranarray(a) for a in
                                               (level, previous, targets, blend_targets))
    return ScoringInput(
        year=year, unit_ids=unit_ids, names=list(units["name"]), sequences=list(units["sequence"]),
        leaves=leaves, level=level, previous=previous, targets=targets,
        blend_targets=blend_targets, groups=groups, leaf_component=leaf_component,
        indicator_components=comp_ids, ratings=ratings,
        source=str(data.files.get("observations", data.source)),
        missing_rules=tuple(scheme.missing_rule(leaf) for leaf in leaves),
        blend_level=None if blend_level is None else np.asfortranarray(blend_level),
    )


def _method_fraction(leaf: Indicator, x: np.ndarray, target: np.ndarray,
                     groups: np.ndarray, skip: bool = False,
                     basis: str | None = None) -> np.ndarray:
    """Leaf's method applied to ``x``, the values of ``basis`` (the leaf's own basis, or its
    blend's for the blend half: rates scale gap points by 100 whichever half they are)."""
    basis = leaf.basis if basis is None else basis
    reverse = leaf.direction == "negative"
    m = leaf.method
    if m == "completion":
        return methods.completion(x, target, cap=leaf.cap, floor=leaf.floor, reverse=reverse)
    if m == "efficacy" and leaf.satisfactory is not None:
        return methods.efficacy_fixed(x, satisfactory=leaf.satisfactory,
                                      allowed=float(leaf.allowed), base=leaf.base)  # type: ignore[arg-type]
    if m == "efficacy":
        return methods.efficacy(x, groups, base=leaf.base, reverse=reverse, skip_missing=skip)
    if m == "gap_points":
        scale = 100.0 if basis in ("growth", "given_rate") else 1.0
        return methods.gap_points(x, target, points=leaf.points, per_point=float(leaf.per_point),  # type: ignore[arg-type]
                                  per_point_above=leaf.per_point_above,
                                  max_deduction=leaf.max_deduction, max_bonus=leaf.max_bonus,
                                  scale=scale, reverse=reverse)
    if m == "time_progress":
        return methods.time_progress(x, target, elapsed=float(leaf.elapsed), cap=leaf.cap,  # type: ignore[arg-type]
                                     reverse=reverse)
    if m == "minmax":
        return methods.minmax(x, groups, reverse=reverse, skip_missing=skip)
    if m == "rank_points":
        return methods.rank_points(x, groups, points=leaf.points, step=leaf.step or 0.0,
                                   reverse=reverse, skip_missing=skip)
    if m == "pass_fail":
        return methods.pass_fail(x, threshold=float(leaf.threshold or 0.0), reverse=reverse)
    if m == "deduction":
        # per_event 'from_data': the level already holds the points (events.csv `points`)
        per = 1.0 if leaf.per_event == "from_data" else float(leaf.per_event or 0.0)
        return methods.deduction(x, points=leaf.points, per_event=per)
    raise ValueError(f"unknown method {m!r}")  # unreachable: the scheme model restricts it


def leaf_fractions(inp: ScoringInput, level: np.ndarray | None = None,
                   previous: np.ndarray | None = None) -> np.ndarray:
    """Each leaf's score as a fraction of its points, shaped (..., N, K).

    ``level`` and ``previous`` default to the prepared data; pass arrays with leading draw
    axes (e.g. noisy copies shaped (D, N, K)) to score many versions at once.
    """
    level = inp.level if level is None else np.asarray(level, dtype=float)
    previous = inp.previous if previous is None else np.asarray(previous, dtype=float)
    # leaf-major contiguous copies: per-leaf slices are then contiguous (much faster)
    lev = np.ascontiguousarray(np.moveaxis(level, -1, 0))
    prev = np.ascontiguousarray(np.moveaxis(previous, -1, 0))
    out = np.empty((len(inp.leaves), *np.broadcast_shapes(level.shape, inp.level.shape)[:-1]))
    for k in range(len(inp.leaves)):
        out[k] = leaf_fraction(inp, k, lev[k], prev[k])
    return np.moveaxis(out, 0, -1)


def leaf_fraction(inp: ScoringInput, k: int, level: np.ndarray,
                  previous: np.ndarray) -> np.ndarray:
    """Leaf ``k``'s score as a fraction of its points from its values (..., N): this year's
    and last year's (the basis decides which it needs), blend included."""
    leaf = inp.leaves[k]
    # units with a gap a scheme rule handles take no part in the others' comparison
    skip = bool(inp.missing_rules) and inp.missing_rules[k] != "error"
    x = methods.basis_values(level, previous, leaf.basis)
    frac = _method_fraction(leaf, x, inp.targets[:, k], inp.groups[k], skip)
    if leaf.blend is not None:
        x2 = blend_values(inp, k, level, previous)
        frac2 = _method_fraction(leaf, x2, inp.blend_targets[:, k], inp.groups[k], skip,
                                 basis=leaf.blend.basis)
        a = leaf.blend.alpha
        if frac.shape == frac2.shape and frac.base is None and frac2.base is None:
            frac *= a  # fresh arrays of this leaf's: α·f + (1 − α)·f₂ in place
            frac2 *= 1.0 - a
            frac += frac2
        else:
            frac = a * frac + (1.0 - a) * frac2
    return frac


def blend_values(inp: ScoringInput, k: int, level: np.ndarray | None = None,
                 previous: np.ndarray | None = None) -> np.ndarray:
    """The quantity leaf ``k``'s blend half scores: its blend basis of the leaf's own values,
    or the official rate it names (``blend.indicator``, read from the prepared data)."""
    leaf = inp.leaves[k]
    assert leaf.blend is not None
    if leaf.series(1) != leaf.id and inp.blend_level is not None:
        return methods.basis_values(inp.blend_level[:, k], None, leaf.blend.basis)
    level = inp.level[:, k] if level is None else level
    previous = inp.previous[:, k] if previous is None else previous
    return methods.basis_values(level, previous, leaf.blend.basis)


def component_scores(inp: ScoringInput, scheme: Scheme, fractions: np.ndarray,
                     points: np.ndarray | None = None) -> np.ndarray:
    """Indicator components (..., N, C): Σ points·fraction over each component's leaves.

    ``points`` (K,) or (D, K) replaces the leaves' points (weight draws); a component with
    ``clip`` is capped at its points (scaled to the drawn points when they are given).
    """
    pts = inp.leaf_points if points is None else np.asarray(points, dtype=float)
    c = len(inp.indicator_components)
    onehot = np.zeros((len(inp.leaves), c))
    onehot[np.arange(len(inp.leaves)), inp.leaf_component] = 1.0
    if pts.ndim == 2 and fractions.ndim == 2:
        # weight draws on fixed data: one matrix product per component, (D, K) @ (K, N)
        comps = np.stack([(pts * onehot[:, j]) @ fractions.T for j in range(c)], axis=-1)
    else:
        weighted = fractions * (pts[..., None, :] if pts.ndim > 1 else pts)
        comps = weighted @ onehot
    for j, cid in enumerate(inp.indicator_components):
        comp = scheme.component(cid)
        if comp.clip:
            cap = pts @ onehot[:, j]
            comps[..., j] = np.minimum(comps[..., j], cap[..., None] if np.ndim(cap) else cap)
    return comps


def _nan_cause(inp: ScoringInput, i: int, k: int) -> tuple[str, str]:
    """Why leaf k of unit i has no score, in English and Chinese."""
    leaf = inp.leaves[k]
    for tg in (inp.targets[i, k], inp.blend_targets[i, k]):
        if leaf.method == "completion" and np.isfinite(tg) and tg <= 0:
            why = (f"its completion target is {tg:g}; a completion rate needs a positive "
                   "target (an own-average target of a growth or increment basis can be "
                   "negative: score that basis with efficacy or a uniform target instead)")
            return why, f"完成率法的目标值为{tg:g},目标须为正数"
    if leaf.method == "deduction" and inp.level[i, k] < 0:
        return (f"its event count is negative ({inp.level[i, k]:g})",
                f"扣分项次数为负({inp.level[i, k]:g})")
    return ("a value or target it needs is missing or not a finite number",
            "所需数值或目标缺失或不是有限数")


def _refuse_nan(inp: ScoringInput, frac: np.ndarray) -> None:
    """A score that could not be computed is an error, never a silent 0 in the total."""
    bad = np.argwhere(~np.isfinite(frac))
    if len(bad):
        problems = []
        for i, k in bad[:50]:
            why, zh = _nan_cause(inp, int(i), int(k))
            who = f"{inp.names[i]} ({inp.unit_ids[i]})"
            problems.append(Problem(
                inp.source, f"score of indicator '{inp.leaves[k].id}' could not be computed for "
                f"unit {who} in {inp.year}: {why}",
                zh=f"单位{who}的指标“{inp.leaves[k].name}”无法计分:{zh}"))
        raise DataError(problems, headline=f"Scores not computable for {inp.year}")


def missing_mask(inp: ScoringInput) -> np.ndarray:
    """(N, K) True where a leaf whose scheme rule is ``zero`` or ``reweight`` lacks a value
    it needs (the year's value, the previous year's for growth/increment, or an own-history
    target); leaves under the ``error`` rule are never masked (check_data stops on them)."""
    mask = np.zeros(inp.level.shape, dtype=bool)
    for k, leaf in enumerate(inp.leaves):
        if not inp.missing_rules or inp.missing_rules[k] == "error" or leaf.event is not None:
            continue
        gap = ~np.isfinite(inp.level[:, k])
        if leaf.series(1) != leaf.id and inp.blend_level is not None:
            gap |= ~np.isfinite(inp.blend_level[:, k])
        bases = {leaf.basis, leaf.blend.basis if leaf.blend else "level"}
        if bases != {"level"}:
            gap |= ~np.isfinite(inp.previous[:, k])
        if leaf.method == "completion":
            gap |= np.isnan(inp.targets[:, k])
            if leaf.blend is not None:
                gap |= np.isnan(inp.blend_targets[:, k])
        mask[:, k] = gap
    return mask


def unit_points(inp: ScoringInput, scheme: Scheme, mask: np.ndarray) -> np.ndarray:
    """(N, K) points each unit's leaves are worth after the ``reweight`` rule (不适用).

    A masked ``reweight`` leaf is worth 0 and its group's points are shared by the group's
    other children in proportion to their points (recursively: a subgroup with nothing left
    passes its share up the same way). A component with no child left is an error.
    """
    pts = np.tile(inp.leaf_points, (len(inp.unit_ids), 1))
    rules = inp.missing_rules or ("error",) * len(inp.leaves)
    gone = mask & (np.array(rules) == "reweight")[None, :]
    col = {leaf.id: k for k, leaf in enumerate(inp.leaves)}
    problems: list[Problem] = []
    for i in np.flatnonzero(gone.any(axis=1)):
        row_gone, row_pts = gone[i], pts[i]

        def alive(node: Any, row_gone: np.ndarray = row_gone) -> bool:
            if isinstance(node, Indicator):
                return not row_gone[col[node.id]]
            return any(alive(c) for c in node.children)

        def share(node: Any, points: float, row_pts: np.ndarray = row_pts) -> None:
            if isinstance(node, Indicator):
                row_pts[col[node.id]] = points if alive(node) else 0.0
                return
            kids = [c for c in node.children if alive(c)]
            total = sum(c.points for c in kids)
            for c in node.children:
                share(c, points * c.points / total if c in kids else 0.0)

        for comp in scheme.components:
            if comp.source != "indicators":
                continue
            if not alive(comp):
                problems.append(Problem(
                    inp.source, f"unit {inp.names[i]} ({inp.unit_ids[i]}) has no value for any "
                    f"indicator of '{comp.id}' in {inp.year}: the reweight rule has nothing to "
                    "give the points to", None, "value", None,
                    zh=f"单位{inp.names[i]}({inp.unit_ids[i]})的“{comp.name}”各项指标均缺数,"
                       "无法按不适用重新分配分值"))
                continue
            share(comp, comp.points)
    if problems:
        raise DataError(problems, headline=f"Scores not computable for {inp.year}")
    return pts


def _scored(data: Dataset, scheme: Scheme, year: int
            ) -> tuple[ScoringInput, np.ndarray, np.ndarray, np.ndarray]:
    """Prepared input, fractions (gaps under a rule → 0), per-unit points and the gap mask."""
    inp = prepare(data, scheme, year)
    frac = leaf_fractions(inp)
    gaps = missing_mask(inp)
    frac = np.where(gaps, 0.0, frac)
    _refuse_nan(inp, frac)
    return inp, frac, unit_points(inp, scheme, gaps), gaps


def leaf_scores(data: Dataset, scheme: Scheme, year: int) -> pd.DataFrame:
    """Long table of each unit's score on each indicator: unit_id, indicator, name,
    component, basis, value (the year's), previous, basis_value, target, fraction, points
    (possible, after any reweighting), points_scheme (the scheme's), score (earned),
    missing (the rule applied to a gap, "" when the value is there); for a blended leaf
    (增量+增速) also blend_basis, blend_basis_value, blend_target (the second half's
    quantity and completion target) and alpha, empty/NaN otherwise."""
    inp, frac, pts, gaps = _scored(data, scheme, year)
    rules = inp.missing_rules or ("error",) * len(inp.leaves)
    frames = []
    for k, leaf in enumerate(inp.leaves):
        basis = methods.basis_values(inp.level[:, k], inp.previous[:, k], leaf.basis)
        nan = np.full(len(inp.unit_ids), np.nan)
        second = nan if leaf.blend is None else blend_values(inp, k)
        frames.append(pd.DataFrame({
            "unit_id": inp.unit_ids, "indicator": leaf.id, "name": leaf.name,
            "component": inp.indicator_components[inp.leaf_component[k]],
            "basis": leaf.basis, "value": inp.level[:, k],
            "previous": (inp.previous[:, k] if {leaf.basis, leaf.blend.basis if leaf.blend
                                                 else "level"} != {"level"} else np.nan),
            "basis_value": basis.astype(float), "target": inp.targets[:, k],
            "fraction": frac[:, k], "points": pts[:, k], "points_scheme": leaf.points,
            "score": frac[:, k] * pts[:, k],
            "missing": np.where(gaps[:, k], rules[k], ""),
            "blend_basis": leaf.blend.basis if leaf.blend is not None else "",
            "blend_basis_value": np.asarray(second, dtype=float),
            "blend_target": inp.blend_targets[:, k],
            "alpha": leaf.blend.alpha if leaf.blend is not None else np.nan,
        }))
    return pd.concat(frames, ignore_index=True)


def without_progress(scheme: Scheme) -> Scheme:
    """The scheme without its progress-award rules (the ranking those rules compare)."""
    rules = [r for r in scheme.bonus.rules if not isinstance(r, ProgressRule)]
    return scheme.model_copy(update={"bonus": scheme.bonus.model_copy(update={"rules": rules})})


def _with_progress(data: Dataset, scheme: Scheme, year: int, table: pd.DataFrame,
                   adj: pd.DataFrame, rules: list[ProgressRule]) -> pd.Series:
    """The bonus with 进位奖 added: ranks on totals without the award, this year and last."""
    base = without_progress(scheme)
    try:
        before = score(data, base, year - 1).set_index("unit_id")
    except DataError as exc:
        raise DataError(exc.problems, headline=(
            f"Progress award '{rules[0].id}' compares {year} with {year - 1}, and {year - 1} "
            f"cannot be scored / 进位奖需要上一年的排名,{year - 1} 年无法计分")) from exc
    comp_cols = [c.id for c in scheme.components]
    now = table.set_index("unit_id")
    total = now[comp_cols].sum(axis=1) + adj["bonus"] - adj["penalty"]
    groups = scope_values(scheme.tiers.rank_group_scope(), list(now.index),
                          list(now["sequence"]), data.units,
                          str(data.files.get("units", data.source)))  # as the rank column
    rank_now = total.groupby(groups).rank(method="min", ascending=False)
    raw = adj[[c for c in adj.columns if c.startswith("bonus_")]].sum(axis=1)
    for rule in rules:
        pts = progress_points(rule, now["sequence"], rank_now, before["rank"].astype(float))
        adj[f"bonus_{rule.id}"] = pts
        raw = raw + pts
    return raw.clip(upper=scheme.bonus.cap) if scheme.bonus.cap is not None else raw


def _with_excess(inp: ScoringInput, scheme: Scheme, adj: pd.DataFrame,
                 rules: list[ExcessRule]) -> pd.Series:
    """The bonus with 超额完成任务加分 added under the block's ceiling (seeds/001)."""
    ids = [leaf.id for leaf in inp.leaves]
    bases = [leaf.basis for leaf in inp.leaves]
    values = np.column_stack([methods.basis_values(inp.level[:, k], inp.previous[:, k], b)
                              for k, b in enumerate(bases)])
    reverse = [leaf.direction == "negative" for leaf in inp.leaves]
    for rule in rules:
        adj[f"bonus_{rule.id}"] = excess_points(rule, ids, bases, reverse, values,
                                                np.asarray(inp.targets), inp.sequences)
    raw = adj[[c for c in adj.columns if c.startswith("bonus_")]].sum(axis=1)
    return raw.clip(upper=scheme.bonus.cap) if scheme.bonus.cap is not None else raw


def score(data: Dataset, scheme: Scheme, year: int) -> pd.DataFrame:
    """The year's scores: one row per unit with components, bonus, penalty, total and rank.

    Tiers are a separate step (``assign_tiers``) so tier rules can change while scores stay.
    """
    inp, frac, pts, _gaps = _scored(data, scheme, year)
    # fractions of the scheme's points, so reweighted leaves count at their new points
    comps = component_scores(inp, scheme, frac * pts / inp.leaf_points)
    table = pd.DataFrame({"unit_id": inp.unit_ids, "name": inp.names, "sequence": inp.sequences})
    for comp in scheme.components:
        if comp.source == "indicators":
            table[comp.id] = comps[:, inp.indicator_components.index(comp.id)]
        else:
            table[comp.id] = inp.ratings[comp.id].to_numpy()
    adj = adjustment_table(data, scheme, year, inp.unit_ids)
    excess = [r for r in scheme.bonus.rules if isinstance(r, ExcessRule)]
    if excess:
        adj["bonus"] = _with_excess(inp, scheme, adj, excess)
    progress = [r for r in scheme.bonus.rules if isinstance(r, ProgressRule)]
    if progress:
        adj["bonus"] = _with_progress(data, scheme, year, table, adj, progress)
    table["bonus"] = adj["bonus"].to_numpy()
    table["penalty"] = adj["penalty"].to_numpy()
    comp_cols = [c.id for c in scheme.components]
    table["total"] = table[comp_cols].sum(axis=1) + table["bonus"] - table["penalty"]
    num = comp_cols + ["bonus", "penalty", "total"]
    table[num] = table[num].astype(float).round(6)
    # ranking groups (tiers.rank_scope / scope): each sequence, all units, or a units column
    units_file = str(data.files.get("units", data.source))
    rank_scope, tier_scope = scheme.tiers.rank_group_scope(), scheme.tiers.scope
    groups = scope_values(rank_scope, inp.unit_ids, inp.sequences, data.units, units_file)
    for col in {rank_scope, tier_scope} - {"sequence", ALL_GROUP}:
        table[col] = scope_values(col, inp.unit_ids, inp.sequences, data.units, units_file)
    table["rank"] = (table.groupby(groups)["total"]
                     .rank(method="min", ascending=False).astype(int))
    return table.sort_values(["sequence", "rank", "unit_id"], kind="stable").reset_index(drop=True)
