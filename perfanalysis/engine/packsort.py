"""Sorting many short rows at once: places within comparison groups and tier sequences.

Both ``methods.places`` and ``tiers.sorted_tiers`` order the units of every group of every
draw. When the sort keys are integers (values on a grid: 10⁻¹⁰ for places, 10⁻⁶ points for
totals) each key can carry its unit's position in the group in its low bits; the groups,
laid out as rows padded to the largest, are then sorted as plain ``int64`` (several times
faster than an argsort, which must carry the indices along), and each sorted key says
which unit holds that place. Equal keys are exactly the ties.
"""

from __future__ import annotations

import math

import numpy as np


def group_slots(starts: np.ndarray, sizes: np.ndarray, width: int) -> np.ndarray:
    """Each unit's slot in contiguous groups laid out as rows of ``width`` (group · width +
    its position in the group)."""
    gid = np.repeat(np.arange(len(starts)), sizes)
    return gid * width + np.arange(len(gid)) - starts[gid]


def slot_bits(width: int) -> int:
    """Low bits a key needs for a position within a row of ``width``."""
    return max(1, (width - 1).bit_length())


def sort_packed(q: np.ndarray, starts: np.ndarray, sizes: np.ndarray,
                ) -> tuple[np.ndarray, int] | None:
    """Rows (..., G, W) of keys q · 2^b + position, each group's sorted ascending, and b;
    None when a key does not fit (|q| ≥ 2^(62 − b), NaN or ±inf) or there is nothing to sort.

    ``q`` (..., N): integer-valued keys, the units of each group contiguous (``starts``,
    ``sizes``). Pads carry distinct keys above every real one, so they sort last and tie
    with nothing.
    """
    if q.size == 0:
        return None
    width = int(sizes.max())
    bits = slot_bits(width)
    limit = 2 ** (62 - bits)
    if not (q.min() > -limit and q.max() < limit):  # NaN fails both
        return None
    col = np.arange(width, dtype=np.int64)
    keys = np.empty((*q.shape[:-1], len(starts), width), dtype=np.int64)
    rows = keys.reshape(-1, width)
    rows[:] = limit + col  # padding
    # one block copy (and cast: integers below 2^62 are exact in int64) per group: several
    # times faster than a scatter of every unit at once
    for g, (start, size) in enumerate(zip(starts.tolist(), sizes.tolist())):
        keys[..., g, :size] = q[..., start:start + size]
    rows <<= bits
    rows |= col
    rows.sort(axis=-1)
    return keys, bits


def row_starts(shape: tuple[int, ...], new: np.ndarray) -> np.ndarray:
    """Position of the start of the run each place belongs to, along the last axis (runs
    start where ``new`` is True; the first place of a row always starts one). One running
    maximum over the flattened rows: a row's first place resets it."""
    size = math.prod(shape)
    itype = np.int32 if size < 2**31 else np.int64
    flat = np.arange(size, dtype=itype).reshape(shape)
    first = np.maximum.accumulate(np.where(new, flat, 0).ravel()).reshape(shape)
    first -= flat[..., :1]
    return first
