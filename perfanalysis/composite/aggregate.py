"""Aggregation: weighted means over a node's available children, and Copeland outranking.

Each mean takes children's values shaped ``(..., n_units, k)`` and weights ``(k,)``; NaN
children are skipped and the remaining weights renormalised (COINr's ``a_amean`` etc.).
A unit with no available child gets NaN. ``min_availability`` (COINr ``dat_thresh``): when
the share of available children is below it, the result is NaN.

Zeros and negatives (``zeros`` rule): the geometric mean needs positive values and the
harmonic mean non-zero ones. COINr stops with an error ("Negative or zero values found
when applying geometric mean … Normalise to remove negative/zero values first"); that is
our default ``zeros="error"``. ``zeros="zero"`` returns 0 for a unit with a zero child
(the limit of the mean as that child tends to 0); negative values are always an error.
Normalise to e.g. [1, 100] to avoid the question.

Copeland (COINr ``outrankMatrix``/``a_copeland``): for units i, j the outranking value is
the sum of (normalised) weights of children where i > j plus half of those where they tie;
comparisons with a missing value count for neither. The default "coinr" score is COINr's
(≥ 1.0) ``a_copeland``: pairwise majorities, +1 for each j with outranking value above 0.5,
−1 below, 0 at 0.5 (so on ASEM's example pipeline AUS gets Conn −24, Sust −7, Index −15).
The named option "outranking_sum" is the row sum of the outranking matrix (COINr < 1.0's
``copeland``). (COINr fills the lower triangle as 1 − upper, which differs from the direct
computation only when values are missing.)
Copeland is allowed at any level, as in COINr (``Aggregate(f_ag = "a_copeland")``): note
that its scores are rank-like (a count of pairwise wins, not a mean of the children), so a
parent of Copeland-aggregated groups aggregates win counts, not normalised values.

A node's own method (the scheme's ``aggregation`` on a group or component) wins over the
recipe's level method; ``method_overrides`` lists where that happens so a build can say so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import PipelineError
from .spec import AggregateLevel
from .tree import Hierarchy

FloatArray = np.ndarray


def _weights(x: FloatArray, w: FloatArray | None) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Values, weights broadcast to x with 0 where x is NaN, and the availability mask."""
    x = np.asarray(x, dtype=float)
    k = x.shape[-1]
    w = np.ones(k) if w is None else np.asarray(w, dtype=float)
    if w.shape != (k,) or np.any(~(w > 0)):
        raise ValueError(f"weights must be {k} positive numbers, got {w}")
    ok = ~np.isnan(x)
    wb = np.where(ok, w, 0.0)
    return x, wb, ok


def _finish(num: FloatArray, ok: FloatArray) -> FloatArray:
    return np.where(ok.any(axis=-1), num, np.nan)


def arithmetic(x: FloatArray, w: FloatArray | None = None) -> FloatArray:
    """Σ w·x / Σ w over available children."""
    x, wb, ok = _weights(x, w)
    tot = wb.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _finish(np.where(ok, x * wb, 0.0).sum(axis=-1) / tot, ok)


def _check_sign(x: FloatArray, ok: FloatArray, what: str, allow_zero: bool) -> None:
    bad = ok & ((x < 0) | ((x == 0) & (not allow_zero)))
    if bad.any():
        raise ValueError(f"{what} mean: {int(bad.sum())} value(s) "
                         f"{'negative' if allow_zero else 'zero or negative'}; normalise to a "
                         f"positive range (e.g. 1–100) or use zeros='zero' for zeros")


def geometric(x: FloatArray, w: FloatArray | None = None, zeros: str = "error") -> FloatArray:
    """exp(Σ w·log x / Σ w); zeros per the module's rule."""
    x, wb, ok = _weights(x, w)
    _check_sign(x, ok, "geometric", allow_zero=zeros == "zero")
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(ok, np.log(np.where(ok, x, 1.0)), 0.0)
        out = np.exp((logs * wb).sum(axis=-1) / wb.sum(axis=-1))
    return _finish(out, ok)


def harmonic(x: FloatArray, w: FloatArray | None = None, zeros: str = "error") -> FloatArray:
    """Σ w / Σ (w/x); zeros per the module's rule."""
    x, wb, ok = _weights(x, w)
    _check_sign(x, ok, "harmonic", allow_zero=zeros == "zero")
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(ok, wb / np.where(ok, x, 1.0), 0.0).sum(axis=-1)
        out = np.where(np.isinf(inv), 0.0, wb.sum(axis=-1) / inv)
    return _finish(out, ok)


def generalised(x: FloatArray, w: FloatArray | None = None, p: float = 1.0,
                zeros: str = "error") -> FloatArray:
    """(Σ w·x^p / Σ w)^(1/p), p ≠ 0; p = 1 arithmetic, p = −1 harmonic, p → 0 geometric."""
    if p == 0:
        raise ValueError("p = 0 is the geometric mean; use geometric()")
    x, wb, ok = _weights(x, w)
    if p < 0:
        _check_sign(x, ok, "generalised (p < 0)", allow_zero=zeros == "zero")
    elif np.any(ok & (x < 0)) and p != round(p):
        raise ValueError("generalised mean: negative values with a non-integer p")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        powered = np.where(ok, np.where(ok, x, 1.0) ** p, 0.0)
        m = (powered * wb).sum(axis=-1) / wb.sum(axis=-1)
        out = np.where(np.isinf(m), 0.0, m ** (1.0 / p)) if p < 0 else m ** (1.0 / p)
    return _finish(out, ok)


def outranking_matrix(x: FloatArray, w: FloatArray | None = None) -> FloatArray:
    """(n, n) matrix: weight share where unit i beats j, plus half the ties; diagonal 0."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError("outranking needs a (n_units, k) array")
    k = x.shape[1]
    w = np.ones(k) if w is None else np.asarray(w, dtype=float)
    w = w / w.sum()
    a, b = x[:, None, :], x[None, :, :]
    with np.errstate(invalid="ignore"):
        m = ((a > b) * w).sum(axis=-1) + 0.5 * ((a == b) * w).sum(axis=-1)
    np.fill_diagonal(m, 0.0)
    return m


def copeland(x: FloatArray, w: FloatArray | None = None, score: str = "coinr") -> FloatArray:
    """Copeland scores of units from their children's values (see module docstring)."""
    m = outranking_matrix(x, w)
    if score == "outranking_sum":
        return m.sum(axis=1)
    if score != "coinr":
        raise ValueError(f"copeland: unknown score {score!r} (use 'coinr' or 'outranking_sum')")
    off = ~np.eye(m.shape[0], dtype=bool)
    return (np.sign(m - 0.5) * off).sum(axis=1)


def aggregate(x: FloatArray, w: FloatArray | None, spec: AggregateLevel) -> FloatArray:
    """One node: the spec's mean, then NaN where availability is below its threshold."""
    x = np.asarray(x, dtype=float)
    m = spec.method
    if m == "arithmetic":
        y = arithmetic(x, w)
    elif m == "geometric":
        y = geometric(x, w, spec.zeros)
    elif m == "harmonic":
        y = harmonic(x, w, spec.zeros)
    elif m == "generalised":
        y = generalised(x, w, spec.p, spec.zeros)  # type: ignore[arg-type]
    else:
        y = copeland(x, w, spec.copeland_score)
    if spec.min_availability is not None:
        share = (~np.isnan(x)).sum(axis=-1) / x.shape[-1]
        y = np.where(share < spec.min_availability, np.nan, y)
    return y


def node_spec(tree: Hierarchy, code: str, default: AggregateLevel,
              levels: dict[int, AggregateLevel] | None = None) -> AggregateLevel:
    """The spec for a node: the node's own fields over its level's over the default."""
    spec = (levels or {}).get(tree.height(code), default)
    node = tree.node(code)
    changes: dict[str, object] = {}
    if node.aggregation not in (None, "sum"):
        changes["method"] = node.aggregation
        changes["p"] = node.p
    if node.min_availability is not None:
        changes["min_availability"] = node.min_availability
    return AggregateLevel.model_validate({**spec.model_dump(), **changes}) if changes else spec


def method_overrides(tree: Hierarchy, default: AggregateLevel,
                     levels: dict[int, AggregateLevel] | None = None) -> pd.DataFrame:
    """Nodes whose own method differs from the recipe's for their level.

    Columns: node, height, recipe_method, node_method — one row per node whose scheme
    setting, not the recipe's ``aggregate`` step, decides how it is aggregated.
    """
    rows = []
    for code in tree.aggregation_order():
        height = tree.height(code)
        recipe = (levels or {}).get(height, default).method
        used = node_spec(tree, code, default, levels).method
        if used != recipe:
            rows.append({"node": code, "height": height, "recipe_method": recipe,
                         "node_method": used})
    return pd.DataFrame(rows, columns=["node", "height", "recipe_method", "node_method"])


def aggregate_tree(values: pd.DataFrame, tree: Hierarchy, default: AggregateLevel,
                   levels: dict[int, AggregateLevel] | None = None) -> pd.DataFrame:
    """Units × (indicators + every aggregate), computed children before parents."""
    missing = [c for c in tree.indicators if c not in values.columns]
    if missing:
        raise PipelineError(f"aggregation: indicators missing from the data: {missing}")
    out = values[tree.indicators].astype(float).copy()
    for code in tree.aggregation_order():
        kids = tree.children(code)
        spec = node_spec(tree, code, default, levels)
        w = np.array([tree.node(k).weight for k in kids])
        try:
            out[code] = aggregate(out[kids].to_numpy(dtype=float), w, spec)
        except ValueError as exc:
            raise PipelineError(f"aggregation of '{code}' ({spec.method}): {exc}") from exc
    return out
