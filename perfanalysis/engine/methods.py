"""Scoring methods of Chinese practice, as vectorised functions.

Each takes values shaped ``(..., n_units)`` — any leading axes, e.g. draws — and returns the
score as a *fraction of the indicator's points* with the same shape. Methods that compare
units do so within comparison groups given by integer codes of shape ``(n_units,)``.
When every unit of a group has the same value, all get full points.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np

from .packsort import group_slots, row_starts, sort_packed

FloatArray = np.ndarray
EQUAL_RTOL = 1e-9  # relative spread below which a group's values count as all equal
TIE_DECIMALS = 10  # values equal to this many decimals share a place
TIE_SCALE = 10.0 ** TIE_DECIMALS

#: The one Chinese name of each scoring method (reports, scheme diffs, detail tables).
METHOD_ZH = {"completion": "完成率法", "efficacy": "功效系数法", "minmax": "极差法",
             "rank_points": "排位法", "pass_fail": "达标制", "deduction": "扣分制",
             "gap_points": "差距计分法", "time_progress": "序时进度法"}


def _by_group(x: FloatArray, groups: np.ndarray):
    """Yield (selector, values of the group) for each comparison group along the last axis.

    When groups are contiguous (``prepare`` sorts units by sequence) the selectors are
    slices, so the values are views rather than copies.
    """
    groups = np.asarray(groups)
    change = np.flatnonzero(groups[1:] != groups[:-1]) + 1
    starts = np.concatenate(([0], change))
    if len(np.unique(groups)) == len(starts):  # each group in one contiguous block
        ends = np.concatenate((change, [len(groups)]))
        for a, b in zip(starts, ends):
            yield slice(int(a), int(b)), x[..., a:b]
        return
    for g in np.unique(groups):
        mask = groups == g
        yield mask, x[..., mask]


def group_blocks(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(starts, sizes) of the comparison groups when each is one contiguous block (as
    ``prepare`` arranges them), else None. Lets the methods work on all groups at once."""
    groups = np.asarray(groups)
    if groups.size == 0:
        return None
    return _group_blocks(groups.tobytes(), groups.dtype.str)


@functools.lru_cache(maxsize=64)
def _group_blocks(raw: bytes, dtype: str) -> tuple[np.ndarray, np.ndarray] | None:
    """``group_blocks`` of a groups array given by its bytes (the same groups recur for
    every leaf and every draw chunk: worked out once)."""
    groups = np.frombuffer(raw, dtype=dtype)
    change = np.flatnonzero(groups[1:] != groups[:-1]) + 1
    starts = np.concatenate(([0], change))
    if len(np.unique(groups)) != len(starts):
        return None
    sizes = np.diff(np.append(starts, len(groups)))
    starts.setflags(write=False)  # shared by every caller: read-only
    sizes.setflags(write=False)
    return starts, sizes


def completion(actual: FloatArray, target: FloatArray, *, cap: float = 1.0,
               floor: float | None = None, reverse: bool = False) -> FloatArray:
    """完成率法: min(actual/target, cap); reverse indicators use target/actual.

    Below ``floor`` the score is 0. Negative ratios count as 0. A reverse indicator with an
    actual of 0 or less has met any positive target fully: it gets the cap. A target of 0 or
    less has no completion rate: the score is NaN, which scoring refuses loudly.
    """
    actual = np.asarray(actual, dtype=float)
    target = np.asarray(target, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = target / actual if reverse else actual / target
    if reverse:
        ratio = np.where(actual <= 0, cap, ratio)
    ratio = np.clip(ratio, 0.0, cap, out=ratio if ratio.ndim and ratio.base is None else None)
    if floor is not None:
        ratio = np.where(ratio < floor, 0.0, ratio)
    if (target > 0).all():  # the usual case: every target positive, nothing to blank
        return ratio
    return np.where(target > 0, ratio, np.nan)


def _position(x: FloatArray, groups: np.ndarray, reverse: bool,
              skip_missing: bool = False) -> FloatArray:
    """(x − min)/(max − min) within each group (1 when the group's values are all equal).

    ``skip_missing``: NaN units are left out of min and max (and stay NaN), for indicators
    whose gaps a scheme rule handles; otherwise a NaN poisons its group.
    """
    x = np.asarray(x, dtype=float)
    if reverse:
        x = -x
    blocks = group_blocks(groups)
    if blocks is not None:
        # every group at once: min, max and span per group (reduceat), spread over its units
        starts, sizes = blocks
        lo_r, hi_r = (np.fmin, np.fmax) if skip_missing else (np.minimum, np.maximum)
        lo = lo_r.reduceat(x, starts, axis=-1)
        hi = hi_r.reduceat(x, starts, axis=-1)
        span, spread = _spread(lo, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            pos = (x - np.repeat(lo, sizes, axis=-1)) / np.repeat(
                np.where(spread, span, 1.0), sizes, axis=-1)
        ok = spread & np.isfinite(span)
        if not ok.all():  # all-equal groups get 1, a NaN or inf poisons its group
            fill = np.where(np.isfinite(span), 1.0, np.nan)
            pos = np.where(np.repeat(ok, sizes, axis=-1), pos, np.repeat(fill, sizes, axis=-1))
            if skip_missing:
                pos = np.where(np.isnan(x), np.nan, pos)
        return pos
    out = np.empty_like(x)
    lo_of, hi_of = (np.nanmin, np.nanmax) if skip_missing else (np.min, np.max)
    for mask, xs in _by_group(x, groups):
        if skip_missing and np.isnan(xs).all():
            out[..., mask] = np.nan
            continue
        with warnings.catch_warnings():  # a row all NaN: NaN bounds, NaN scores
            warnings.simplefilter("ignore", RuntimeWarning)
            lo = lo_of(xs, axis=-1, keepdims=True)
            hi = hi_of(xs, axis=-1, keepdims=True)
        out[..., mask] = _span_position(xs, lo, hi, skip_missing)
    return out


def _spread(lo: FloatArray, hi: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The span hi − lo and whether it counts: values equal up to floating-point noise
    (e.g. 133.1/121 vs 66/60) count as all equal."""
    span = hi - lo
    return span, span > EQUAL_RTOL * np.maximum(1.0, np.maximum(np.abs(lo), np.abs(hi)))


def _span_position(xs: FloatArray, lo: FloatArray, hi: FloatArray,
                   skip_missing: bool) -> FloatArray:
    """(x − lo)/(hi − lo), 1 when the span is nil, NaN when it is not finite."""
    span, spread = _spread(lo, hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = np.where(spread, (xs - lo) / np.where(spread, span, 1.0), 1.0)
    pos = np.where(np.isfinite(span), pos, np.nan)  # a NaN or inf poisons its group
    return np.where(np.isnan(xs), np.nan, pos) if skip_missing else pos


def efficacy(x: FloatArray, groups: np.ndarray, *, base: float = 0.6,
             reverse: bool = False, skip_missing: bool = False) -> FloatArray:
    """功效系数法: base + (1 − base)·(x − min)/(max − min) within the comparison group."""
    pos = _position(x, groups, reverse, skip_missing)  # a fresh array: scaled in place
    pos *= 1.0 - base
    pos += base
    return pos


def efficacy_fixed(x: FloatArray, *, satisfactory: float, allowed: float,
                   base: float = 0.6) -> FloatArray:
    """功效系数法 with fixed bounds: base + (1 − base)·(x − 不允许值)/(满意值 − 不允许值), clipped.

    The bounds are the scheme's, not the group's best and worst, so a unit's score does not
    move when another unit's value does. A reverse indicator has 满意值 below 不允许值; the
    same formula then rewards lower values.
    """
    x = np.asarray(x, dtype=float)
    pos = np.clip((x - allowed) / (satisfactory - allowed), 0.0, 1.0)
    return base + (1.0 - base) * pos


def gap_points(x: FloatArray, target: FloatArray, *, points: float, per_point: float,
               per_point_above: float = 0.0, max_deduction: float | None = None,
               max_bonus: float = 0.0, scale: float = 1.0, reverse: bool = False) -> FloatArray:
    """每差1个百分点扣x分,每超1个百分点加y分: points − deduction + bonus, as a fraction of points.

    The gap is (target − x)·``scale`` percentage points (x − target for reverse indicators);
    ``scale`` is 100 when x and target are rates stored as fractions. The deduction stops at
    ``max_deduction`` (default: all the points), the bonus at ``max_bonus``.
    """
    x = np.asarray(x, dtype=float)
    target = np.asarray(target, dtype=float)
    short = (x - target if reverse else target - x) * scale
    cut = np.minimum(np.maximum(short, 0.0) * per_point,
                     points if max_deduction is None else min(max_deduction, points))
    add = np.minimum(np.maximum(-short, 0.0) * per_point_above, max_bonus)
    return (points - cut + add) / points


def time_progress(actual: FloatArray, target: FloatArray, *, elapsed: float, cap: float = 1.0,
                  reverse: bool = False) -> FloatArray:
    """序时进度: year-to-date actual against the annual target × the elapsed share of the year.

    In-year monitoring (月度/季度评估): by the end of September (elapsed 0.75) a unit that has
    done 75 % of its annual target is on schedule (1.0). Capped at ``cap``.
    """
    return completion(actual, np.asarray(target, dtype=float) * elapsed, cap=cap,
                      reverse=reverse)


def minmax(x: FloatArray, groups: np.ndarray, *, reverse: bool = False,
           skip_missing: bool = False) -> FloatArray:
    """Min–max: (x − min)/(max − min) within the comparison group."""
    return _position(x, groups, reverse, skip_missing)


def rank_min(a: FloatArray, lengths: np.ndarray | None = None,
             values: np.ndarray | None = None) -> FloatArray:
    """Ranks along the last axis, ties sharing the lowest ("min") rank; NaN in a row → NaN row.

    Same figures as ``scipy.stats.rankdata(a, method="min", axis=-1)`` without importing
    scipy.stats (about a second), which ``perfanalysis score`` does not otherwise need.
    ``lengths`` (one per row of the last axis, broadcast over the leading ones): only the
    first ``lengths`` values of a row are real, the rest is +inf padding whose ranks do not
    matter (so ties among the padding cost nothing). ``values``: return ``values[rank − 1]``
    instead of the rank (a score per place, looked up rather than computed per unit).
    """
    a = np.asarray(a, dtype=float)
    m = a.shape[-1]
    if a.size == 0:
        return np.empty_like(a)
    rows = np.ascontiguousarray(a).reshape(-1, m)
    order = np.argsort(rows, axis=-1)  # tied values share one place: their order never matters
    order += (np.arange(len(rows)) * m)[:, None]  # positions in the flattened rows
    idx = order.ravel()
    s = rows.ravel()[idx].reshape(rows.shape)  # the rows sorted
    same = s[:, 1:] == s[:, :-1]
    tie_rows = same.any(axis=1)
    if lengths is not None and tie_rows.any():  # ties within the padding do not count
        lens = np.broadcast_to(np.asarray(lengths), a.shape[:-1]).reshape(-1)[tie_rows]
        sub = same[tie_rows] & (np.arange(m - 1) < (lens - 1)[:, None])
        same[tie_rows] = sub
        tie_rows[tie_rows] = sub.any(axis=1)
    got = _place_values(same, tie_rows, m, values)
    out = np.empty(s.size)
    out[idx] = got.ravel()
    out = out.reshape(a.shape)
    nan_row = np.isnan(s[:, -1]).reshape(*a.shape[:-1], 1)  # NaN sorts last
    return np.where(nan_row, np.nan, out) if nan_row.any() else out


def _place_values(same: np.ndarray, tie_rows: np.ndarray, m: int,
                  values: np.ndarray | None) -> np.ndarray:
    """The figure of each sorted position (R, m): its place (1-based), or ``values[place − 1]``,
    where tied neighbours (``same``: (R, m − 1), sorted row equal to the one before) share
    the first place of their run."""
    table = np.arange(1.0, m + 1.0) if values is None else np.asarray(values, dtype=float)[:m]
    if not tie_rows.any():
        return np.broadcast_to(table, (len(same), m))
    # first place of each run of equal values, in the rows that have ties
    place = np.empty((len(same), m), dtype=np.intp)
    place[:] = np.arange(m)
    new = np.ones((int(tie_rows.sum()), m), dtype=bool)
    new[:, 1:] = ~same[tie_rows]
    place[tie_rows] = row_starts(new.shape, new)
    return table[place]


def places(x: FloatArray, groups: np.ndarray, *, reverse: bool = False,
           skip_missing: bool = False, values: np.ndarray | None = None) -> FloatArray:
    """Place within the group, 1 = best; ties share the best place ("min" ranking).

    ``skip_missing``: NaN units are ranked after everyone (so they take no place from the
    others) and stay NaN; otherwise a NaN poisons its group. ``values``: a figure per place
    (``values[place − 1]``) instead of the place.
    """
    x = np.asarray(x, dtype=float)
    blocks = group_blocks(groups)
    if blocks is not None and len(blocks[0]) > 1:
        out = _packed_places(x, *blocks, reverse=reverse, values=values)
        if out is not None:  # every value finite: nothing to skip
            return out
    x = np.round(x, TIE_DECIMALS)  # float noise is not a place
    key = x if reverse else -x
    gap = np.isnan(key)
    if skip_missing:
        key = np.where(gap, np.inf, key)
    if blocks is not None and len(blocks[0]) > 1:
        out = _grouped_rank_min(key, *blocks, values=values)
    else:
        out = np.empty_like(x)
        for mask, ks in _by_group(key, groups):
            out[..., mask] = rank_min(ks, values=values)
    return np.where(gap, np.nan, out) if skip_missing else out


def _packed_places(x: FloatArray, starts: np.ndarray, sizes: np.ndarray, *, reverse: bool,
                   values: np.ndarray | None) -> FloatArray | None:
    """``places`` within contiguous groups by one integer sort (``packsort.sort_packed``),
    or None when a value does not fit (NaN, ±inf, or |x| beyond 2^(62 − b) · 10⁻¹⁰, e.g.
    3.6 × 10⁶ for groups of up to 128). A value's key is rint(∓x · 10¹⁰), the integer that
    rounding to ``TIE_DECIMALS`` makes of it, so equal keys are exactly the ties."""
    q = np.multiply(x, TIE_SCALE if reverse else -TIE_SCALE)
    np.rint(q, out=q)
    packed = sort_packed(q, starts, sizes)
    if packed is None:
        return None
    keys, bits = packed
    width = keys.shape[-1]
    rows = keys.reshape(-1, width)
    key = rows >> bits
    same = key[:, 1:] == key[:, :-1]
    got = _place_values(same, same.any(axis=1), width, values)
    rows &= (1 << bits) - 1  # the unit's position in its group, at each place
    rows += (np.arange(len(rows)) * width)[:, None]
    out = np.empty(rows.size)
    out[rows.ravel()] = got.ravel()
    return np.take(out.reshape(*x.shape[:-1], len(starts) * width),
                   group_slots(starts, sizes, width), axis=-1)


def _grouped_rank_min(key: FloatArray, starts: np.ndarray, sizes: np.ndarray,
                      values: np.ndarray | None = None) -> FloatArray:
    """``rank_min`` within each contiguous group, all groups in one sort: the groups are laid
    out as rows padded with +inf (padding follows every finite value, so it never takes a
    place from one)."""
    width = int(sizes.max())
    flat = group_slots(starts, sizes, width)  # unit → slot of its group's row
    lead = key.shape[:-1]
    padded = np.full((*lead, len(starts) * width), np.inf)
    padded[..., flat] = key
    # real +inf values tie with the padding: then every tie counts
    lengths = None if np.isposinf(key).any() else sizes
    ranks = rank_min(padded.reshape(*lead, len(starts), width), lengths=lengths, values=values)
    return np.take(ranks.reshape(*lead, len(starts) * width), flat, axis=-1)


def rank_points(x: FloatArray, groups: np.ndarray, *, points: float, step: float,
                reverse: bool = False, skip_missing: bool = False) -> FloatArray:
    """排位法: first place full points, each place lower loses ``step`` points (not below 0)."""
    n = np.shape(x)[-1] if np.ndim(x) else 1
    # the score of every possible place, looked up per unit: max(points − step·(place − 1),
    # 0) / points worked out once for places 1..n
    score = np.maximum(points - step * (np.arange(1.0, n + 1.0) - 1.0), 0.0) / points
    return places(x, groups, reverse=reverse, skip_missing=skip_missing, values=score)


def pass_fail(x: FloatArray, *, threshold: float, reverse: bool = False) -> FloatArray:
    """Pass/fail: full points when x ≥ threshold (x ≤ threshold for reverse), else 0."""
    x = np.asarray(x, dtype=float)
    ok = x <= threshold if reverse else x >= threshold
    return ok.astype(float)


def deduction(count: FloatArray, *, points: float, per_event: float) -> FloatArray:
    """扣分制: full points minus ``per_event`` per event, not below 0."""
    count = np.asarray(count, dtype=float)
    frac = np.maximum(points - per_event * count, 0.0) / points
    return np.where(count >= 0, frac, np.nan)  # a negative count is not a count


GIVEN_RATE_SCALE = 0.01  # official growth rates are published in per cent (7.8 = 7.8 %)


def basis_values(level: FloatArray, previous: FloatArray | None, basis: str) -> FloatArray:
    """The quantity scored: the level, the increment (x_t − x_{t−1}) or the growth rate.

    ``given_rate``: the observed value is itself an official growth rate in per cent (at
    comparable prices, 可比价), returned as a fraction so it sits on the scale of ``growth``.
    """
    if basis == "level":
        return np.asarray(level, dtype=float)
    if basis == "given_rate":
        return np.asarray(level, dtype=float) * GIVEN_RATE_SCALE
    if previous is None:
        raise ValueError(f"basis '{basis}' needs the previous year's values")
    if basis == "increment":
        return level - previous
    with np.errstate(divide="ignore", invalid="ignore"):
        return level / previous - 1.0


def round_half_up(x: float | np.ndarray) -> np.ndarray:
    """Round halves away from zero (0.5 → 1, 4.5 → 5), unlike numpy's banker's rounding."""
    x = np.asarray(x, dtype=float)
    return np.sign(x) * np.floor(np.abs(x) + 0.5 + 1e-12)
