"""Study 3, tier boundaries: how much of each unit's tier is signal.

Monte Carlo over measurement noise (the error model of ``perfanalysis.engine.errormodel``: per
indicator and rating component its kind, size, range and correlation across years; centred
draws that stay in range) and weight uncertainty (Dirichlet around the scheme's points, or uniform ±x %): each draw is
scored with the vectorised engine and tiered with ``tiers.tier_codes``. The work splits into
chunks that can run anywhere: ``prepare_model`` builds a picklable model,
``simulate_chunk(model, seed_sequence, draws)`` returns a ``Tally`` of sums and counts,
``merge_tallies`` adds tallies up and ``summarise`` turns a tally into the per-unit table.
Chunk i uses ``np.random.SeedSequence(seed).spawn(n)[i]`` (``chunk_seed(seed, i)``), so
serial and distributed runs with the same seed and chunk size give identical results.
Also: threshold and quota sensitivity, and the reward payout under uncertainty.

Where the rest of the study lives: charts ``perfanalysis.report.figures.boundaries``, sentences
``perfanalysis.report.findings.boundaries``, chapter ``notebooks/03_tier_boundaries.py``.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from ..engine.adjustments import adjustment_table
from ..engine.data import Dataset
from ..engine.errormodel import (
    REFERENCE_NOISE,
    ErrorArrays,
    ErrorModel,
    additive,
    check_values,
    draw_pair,
    error_model_table,
    resolve_error_model,
)
from ..engine.rewards import payout_matrix
from ..engine.scheme import Scheme, TierRules
from ..engine.scoring import (
    ScoringInput,
    component_scores,
    leaf_fraction,
    leaf_fractions,
    prepare,
    score,
)
from ..engine.tiers import GRID, TierModel, assign_tiers, sorted_tiers, tier_codes, tier_model
from ..memory import keep_freed_memory


@dataclass(frozen=True)
class WeightUncertainty:
    """How leaf points vary: ``dirichlet`` with concentration ``value`` around the scheme's
    points (larger = closer), or ``uniform`` ±``value`` (a share, 0.2 = ±20 %). Points are
    drawn within each indicator component, whose total stays fixed."""

    kind: Literal["dirichlet", "uniform"]
    value: float

    def __post_init__(self) -> None:
        if self.kind not in ("dirichlet", "uniform"):
            raise ValueError(f"weight uncertainty kind must be dirichlet or uniform; got {self.kind}")
        if self.value <= 0 or (self.kind == "uniform" and self.value >= 1):
            raise ValueError(f"weight uncertainty value out of range: {self.value}")


@dataclass(frozen=True)
class BoundaryModel:
    """Everything one draw needs (picklable): prepared data, noise, weights, tier rules."""

    scheme: Scheme
    inp: ScoringInput
    frac: np.ndarray  # (N, K) leaf fractions without noise
    errors: ErrorArrays  # (K,) per leaf: kind, size, year correlation, range
    uses_prev: np.ndarray  # (K,) bool: the leaf reads last year's value (growth/increment)
    ratings: np.ndarray  # (N, R) rating components
    rating_errors: ErrorArrays  # (R,)
    rating_points: np.ndarray  # (R,)
    comp_kind: tuple[tuple[str, int], ...]  # per scheme component: ("ind"|"rating", column)
    bonus: np.ndarray  # (N,)
    penalty: np.ndarray  # (N,)
    tie_cols: tuple[int, ...]  # scheme component positions used to break ties
    weights: WeightUncertainty | None
    tiers: TierModel
    official: np.ndarray  # (N,) official tier codes
    totals: np.ndarray  # (N,) official totals
    payout: np.ndarray | None  # (N, L) reward of each unit in each tier, or None
    seq_index: tuple[np.ndarray, ...] = field(default=())
    covariance: bool = True  # tally Σ x xᵀ per sequence (rank sets); else variances only
    error_model: ErrorModel | None = None  # what the errors were made of (for the table)

    @property
    def level_noise(self) -> np.ndarray:
        """(K,) size of each leaf's error on this year's value (0: exact)."""
        return self.errors.size

    @property
    def prev_noise(self) -> np.ndarray:
        """(K,) size of each leaf's error on last year's value (0: exact or not read)."""
        return np.where(self.uses_prev, self.errors.size, 0.0)

    @property
    def rating_noise(self) -> np.ndarray:
        """(R,) size of each rating component's error (0: exact)."""
        return self.rating_errors.size

    @property
    def n_units(self) -> int:
        return len(self.inp.unit_ids)

    @property
    def labels(self) -> tuple[str, ...]:
        return self.tiers.labels


@dataclass
class Tally:
    """Sums and counts over draws; add tallies with ``merge_tallies``."""

    draws: int
    tier_counts: np.ndarray  # (N, L)
    rank_hist: np.ndarray  # (N, max sequence size): rank r at column r − 1
    changes: float  # Σ over draws of units whose tier differs from the official one
    changes_sq: float
    top_exact: int  # draws whose top-tier set is exactly the official one
    total_sum: np.ndarray  # (N,)
    total_sq: np.ndarray  # (N,) Σ x² of totals
    cross: tuple[np.ndarray, ...]  # per sequence Σ x xᵀ of totals (empty when not tallied)
    payout: np.ndarray  # (draws,) total payout per draw (empty without rewards)


def prepare_model(data: Dataset, scheme: Scheme, year: int,
                  noise: float | ErrorModel | None = None,
                  weights: WeightUncertainty | float | None = None,
                  covariance: bool = True,
                  error_model: ErrorModel | str | os.PathLike[str] | None = None
                  ) -> BoundaryModel:
    """Prepare the study for one scheme and year.

    ``noise``: the scale of the default error model (0.05 gives its table: volumes 5 %
    relative, rates 1 percentage point, official growth rates 0.5 point, scores 1 point,
    ratings 2 % of their points, counts and events exact; see ``errormodel``), or an
    ``ErrorModel``; None or 0: no error. ``error_model``: a CSV/YAML file overriding the
    defaults (or a model); with it, ``noise`` None means the defaults at 0.05 and 0 still
    means no error. ``weights``: a ``WeightUncertainty`` or a number (a Dirichlet
    concentration). ``covariance``: tally the covariance of totals within each sequence
    (for rank sets; else variances only). Bonus and penalty points are taken as they are
    (events are exact); targets are the issued ones, fixed.
    """
    if isinstance(weights, int | float):
        weights = WeightUncertainty("dirichlet", float(weights))
    inp = prepare(data, scheme, year)
    frac = leaf_fractions(inp)
    leaf_ids = [leaf.id for leaf in inp.leaves]
    rating_ids = [c.id for c in scheme.components if c.source == "rating"]
    if error_model is not None and not isinstance(noise, ErrorModel):
        emodel = resolve_error_model(error_model, scheme, data,
                                     REFERENCE_NOISE if noise is None else float(noise))
    else:
        emodel = resolve_error_model(noise, scheme, data)
    errors = ErrorArrays.of(emodel, leaf_ids)
    rating_errors = ErrorArrays.of(emodel, rating_ids)
    if (rating_errors.code == 1).any():
        bad = [r for r, c in zip(rating_ids, rating_errors.code, strict=True) if c == 1]
        raise ValueError(f"rating components {bad}: a rating's error is a standard error in "
                         "points (kind se or absolute), not relative")
    is_event = np.array([leaf.event is not None for leaf in inp.leaves], dtype=bool)
    if is_event.any():  # event counts are exact whatever the table says
        errors = replace(errors, code=np.where(is_event, 0, errors.code).astype(np.int8),
                         size=np.where(is_event, 0.0, errors.size))
    uses_prev = np.array([leaf.basis in ("increment", "growth") or (
        leaf.blend is not None and leaf.blend.basis in ("increment", "growth"))
        for leaf in inp.leaves], dtype=bool)
    ratings = inp.ratings.to_numpy(dtype=float).reshape(len(inp.unit_ids), len(rating_ids))
    check_values(emodel, leaf_ids, inp.unit_ids, np.where(is_event[None], np.nan, inp.level))
    check_values(emodel, rating_ids, inp.unit_ids, ratings, label="ratings.csv")
    comp_kind = tuple(("ind", inp.indicator_components.index(c.id)) if c.source == "indicators"
                      else ("rating", rating_ids.index(c.id)) for c in scheme.components)
    adj = adjustment_table(data, scheme, year, inp.unit_ids)
    events = data.events.loc[data.events["year"] == year]
    tmodel = tier_model(scheme, inp.unit_ids, inp.sequences, events)
    official_table = assign_tiers(score(data, scheme, year), scheme, events)
    official_table = official_table.set_index("unit_id").loc[inp.unit_ids]
    official = official_table["tier"].map({lab: i for i, lab in enumerate(tmodel.labels)})
    comp_pos = [c.id for c in scheme.components]
    payout = payout_matrix(data, scheme, inp.unit_ids) if getattr(scheme, "rewards", None) \
        else None
    return BoundaryModel(
        scheme=scheme, inp=inp, frac=frac, errors=errors, uses_prev=uses_prev,
        ratings=ratings, rating_errors=rating_errors,
        rating_points=np.array([scheme.component(r).points for r in rating_ids], dtype=float),
        comp_kind=comp_kind, bonus=adj["bonus"].to_numpy(dtype=float),
        penalty=adj["penalty"].to_numpy(dtype=float),
        tie_cols=tuple(comp_pos.index(t) for t in scheme.tiers.tie_break),
        weights=weights, tiers=tmodel, official=official.to_numpy(dtype=np.int8),
        totals=official_table["total"].to_numpy(dtype=float), payout=payout,
        seq_index=tmodel.seq_index, covariance=covariance, error_model=emodel,
    )


def error_table(model: BoundaryModel) -> pd.DataFrame:
    """The error model the draws used, one row per indicator and rating component, with
    their Chinese names (``errormodel.error_model_table``); the chapter prints it."""
    assert model.error_model is not None
    names = {leaf.id: leaf.name for leaf in model.scheme.indicators()}
    names |= {c.id: c.name for c in model.scheme.components}
    units = {leaf.id: leaf.unit or "" for leaf in model.scheme.indicators()}
    return error_model_table(model.error_model, names, units)


def draw_points(model: BoundaryModel, rng: np.random.Generator, draws: int) -> np.ndarray:
    """Leaf points for ``draws`` draws (D, K), each indicator component's total kept."""
    base = model.inp.leaf_points
    w = model.weights
    assert w is not None
    out = np.empty((draws, len(base)))
    for j in range(len(model.inp.indicator_components)):
        idx = np.flatnonzero(model.inp.leaf_component == j)
        p = base[idx]
        if w.kind == "dirichlet":
            share = rng.dirichlet(w.value * p / p.sum(), size=draws)
        else:
            raw = p * rng.uniform(1 - w.value, 1 + w.value, size=(draws, len(idx)))
            share = raw / raw.sum(axis=1, keepdims=True)
        out[:, idx] = share * p.sum()
    return out


def _weighted_components(model: BoundaryModel, frac: np.ndarray,
                         points: np.ndarray) -> np.ndarray:
    """``component_scores`` for weight draws on fixed data (D, N, C): one matrix product
    per component, capped at the drawn points like ``clip`` components."""
    inp = model.inp
    out = np.empty((len(points), len(inp.unit_ids), len(inp.indicator_components)))
    for j, cid in enumerate(inp.indicator_components):
        idx = np.flatnonzero(inp.leaf_component == j)
        comp = points[:, idx] @ frac[:, idx].T
        if model.scheme.component(cid).clip:
            np.minimum(comp, points[:, idx].sum(axis=1)[:, None], out=comp)
        out[..., j] = comp
    return out


def _noisy_components(model: BoundaryModel, rng: np.random.Generator, draws: int,
                      points: np.ndarray | None) -> np.ndarray:
    """Indicator components (D, N, C) of ``draws`` noisy copies of the data, leaf by leaf.

    Each leaf's noisy values are drawn as one (D, N) block (this year's, and last year's
    correlated with it where growth or increment reads it: ``errormodel.draw_pair``), scored
    by ``leaf_fraction`` and
    added to its component at once, so no (D, N, K) array is ever built: the work stays in
    cache and costs a few passes per value, next to the normal deviates it needs. Points
    are the scheme's, or the drawn ones (D, K) when weights vary too. A score that cannot
    be computed counts 0, as in a draw of the reference engine.
    """
    inp = model.inp
    n, c = model.n_units, len(inp.indicator_components)
    comps = np.zeros((c, draws, n))
    for k in range(len(inp.leaves)):
        level, prev = inp.level[:, k], inp.previous[:, k]
        if model.errors.code[k]:
            level, noisy_prev = draw_pair(rng, model.errors, k, level,
                                          prev if model.uses_prev[k] else None, draws)
            prev = prev if noisy_prev is None else noisy_prev
        frac = np.asarray(leaf_fraction(inp, k, level, prev), dtype=float)
        if not np.isfinite(frac.sum()):  # one reduction: any NaN or inf makes the sum so
            frac = np.where(np.isfinite(frac), frac, 0.0)
        pts = inp.leaf_points[k] if points is None else points[:, k, None]
        if frac.ndim == 2 and frac.flags.writeable and frac.base is None:
            frac *= pts  # a fresh array of this leaf's: weight it in place
        else:
            frac = frac * pts
        comps[inp.leaf_component[k]] += frac
    for j, cid in enumerate(inp.indicator_components):
        if model.scheme.component(cid).clip:
            idx = inp.leaf_component == j
            cap = inp.leaf_points[idx].sum() if points is None \
                else points[:, idx].sum(axis=1)[:, None]
            np.minimum(comps[j], cap, out=comps[j])
    return np.moveaxis(comps, 0, -1)


def draw_totals(model: BoundaryModel, rng: np.random.Generator,
                draws: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Totals (D, N) and tie-break components (D, N, T) of ``draws`` draws."""
    total, _, tie = _draw(model, rng, draws)
    return total, tie


def _draw(model: BoundaryModel, rng: np.random.Generator,
          draws: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``draw_totals`` plus the totals × 10⁶ as exact integers (what rounding to 6 decimals
    makes of them), which ``sorted_tiers`` sorts as integers."""
    inp = model.inp
    points = draw_points(model, rng, draws) if model.weights is not None else None
    if model.errors.code.any():
        comps = _noisy_components(model, rng, draws, points)
    elif points is not None:
        comps = _weighted_components(model, model.frac, points)
    else:
        comps = component_scores(inp, model.scheme, model.frac)
    if comps.ndim == 2:
        comps = np.broadcast_to(comps, (draws, *comps.shape))
    ratings = np.broadcast_to(model.ratings, (draws, *model.ratings.shape))
    if model.rating_errors.code.any():
        ratings = ratings.copy()
        for r in np.flatnonzero(model.rating_errors.code):  # centred, kept in [0, points]
            e = model.rating_errors
            ratings[..., r] = additive(model.ratings[:, r], float(e.size[r]),
                                       max(float(e.lower[r]), 0.0),
                                       min(float(e.upper[r]), float(model.rating_points[r])),
                                       rng.standard_normal((draws, model.n_units)))
    cols = [comps[..., j] if kind == "ind" else ratings[..., j] for kind, j in model.comp_kind]
    total = cols[0] + cols[1] if len(cols) > 1 else cols[0].copy()
    for c in cols[2:]:
        total += c
    if model.bonus.any():
        total += model.bonus
    if model.penalty.any():
        total -= model.penalty
    # np.round(x, 6) is rint(x · 10⁶) / 10⁶: keep the integers for the tier sort
    total *= GRID
    micro = np.rint(total, out=total)
    total = micro / GRID
    tie = (np.stack([np.round(cols[j], 6) for j in model.tie_cols], axis=-1)
           if model.tie_cols else None)
    return total, micro, tie


def empty_tally(model: BoundaryModel) -> Tally:
    n, labels = model.n_units, len(model.labels)
    width = max(len(i) for i in model.seq_index)
    return Tally(0, np.zeros((n, labels), dtype=np.int64), np.zeros((n, width), dtype=np.int64),
                 0.0, 0.0, 0, np.zeros(n), np.zeros(n),
                 tuple(np.zeros((len(i), len(i))) for i in model.seq_index)
                 if model.covariance else (), np.zeros(0))


def simulate_chunk(model: BoundaryModel, seed_sequence: np.random.SeedSequence | int,
                   draws: int) -> Tally:
    """Draw, score and tier ``draws`` draws; return their tally (sums and counts only)."""
    keep_freed_memory()  # temporaries reuse freed blocks: no page faults per chunk
    rng = np.random.default_rng(seed_sequence)
    total, micro, tie = _draw(model, rng, draws)
    # tallied place by place in rank order: no scatter back to unit order; pads are unit n
    # with code 0, their bins dropped
    st = sorted_tiers(model.tiers, total, tie, ranks=True, micro=micro)
    assert st.rank is not None
    n, nl = model.n_units, len(model.labels)
    width = max(len(i) for i in model.seq_index)
    unit = st.unit
    # tier counts and rank histogram by one count each of (unit, tier) and (unit, rank)
    # pairs (a joint count of triples needs two reductions of an n × width × tiers array,
    # several times the cost of the second count)
    key = unit * nl
    key += st.code
    tier_counts = np.bincount(key.ravel(), minlength=(n + 1) * nl)[:n * nl].reshape(n, nl)
    key = unit * width
    key += st.rank
    key -= 1
    rank_hist = np.bincount(key.ravel(), minlength=(n + 1) * width)[:n * width].reshape(n, width)
    official = np.append(model.official, 0).astype(np.int8)[unit]  # a pad's official code 0
    changed = (st.code != official).sum(axis=(1, 2))
    top_exact = int(((st.code == 0) == (official == 0)).all(axis=(1, 2)).sum())
    cross = tuple(_block(total, i).T @ _block(total, i) for i in model.seq_index) \
        if model.covariance else ()
    payout = (np.vstack([model.payout, np.zeros((1, nl))])[unit, st.code].sum(axis=(1, 2))
              if model.payout is not None else np.zeros(0))
    return Tally(draws, tier_counts, rank_hist, float(changed.sum()),
                 float((changed.astype(float) ** 2).sum()), top_exact, total.sum(axis=0),
                 np.einsum("dn,dn->n", total, total), cross, payout)


def _block(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Columns ``idx`` of a (D, N) array: a view when they are contiguous."""
    if len(idx) and idx[-1] - idx[0] + 1 == len(idx):
        return a[:, idx[0]:idx[-1] + 1]
    return a[:, idx]


def merge_tallies(tallies: list[Tally]) -> Tally:
    """Add tallies up (payout samples are concatenated in list order)."""
    if not tallies:
        raise ValueError("no tallies to merge")
    first = tallies[0]
    return Tally(
        sum(t.draws for t in tallies), sum(t.tier_counts for t in tallies),
        sum(t.rank_hist for t in tallies), sum(t.changes for t in tallies),
        sum(t.changes_sq for t in tallies), sum(t.top_exact for t in tallies),
        sum(t.total_sum for t in tallies), sum(t.total_sq for t in tallies),
        tuple(sum(t.cross[s] for t in tallies) for s in range(len(first.cross))),
        np.concatenate([t.payout for t in tallies]))


def chunk_seed(seed: int, i: int) -> np.random.SeedSequence:
    """The seed sequence of chunk ``i``: equal to ``np.random.SeedSequence(seed).spawn(n)[i]``
    for any n > i."""
    return np.random.SeedSequence(seed, spawn_key=(i,))


def max_se(tally: Tally) -> float:
    """Largest Monte Carlo standard error of a tier probability."""
    p = tally.tier_counts / max(tally.draws, 1)
    return float(np.sqrt(p * (1 - p) / max(tally.draws, 1)).max())


def default_workers() -> int:
    """Threads for ``run``: one per core, at most four (numpy releases the GIL in the heavy
    steps, so chunks on two threads take about half the time on two cores)."""
    return max(1, min(4, os.cpu_count() or 1))


def run(model: BoundaryModel, draws: int | None = None, seed: int = 0, chunk: int = 500,
        se_target: float = 0.005, max_draws: int = 200_000, min_draws: int = 1000,
        workers: int | None = None) -> Tally:
    """Serial run: ``draws`` draws in chunks, or (``draws=None``) chunks until every tier
    probability's standard error is below ``se_target`` (at least ``min_draws``, at most
    ``max_draws``).

    ``workers`` threads (default ``default_workers()``) simulate consecutive chunks at once;
    chunk i always uses ``chunk_seed(seed, i)``, tallies are merged in chunk order and the
    adaptive stop is checked after each chunk in that order, so the result is the same for
    any number of workers.
    """
    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError("workers must be at least 1")
    limit = max_draws if draws is None else draws
    sizes = [min(chunk, limit - start) for start in range(0, limit, chunk)]
    merged: Tally | None = None  # the chunks so far, merged in chunk order as they finish
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[Tally]] = deque()
        queued = iter(enumerate(sizes))

        def top_up() -> None:
            while len(pending) < workers + 1:
                nxt = next(queued, None)
                if nxt is None:
                    return
                i, size = nxt
                pending.append(pool.submit(simulate_chunk, model, chunk_seed(seed, i), size))

        top_up()
        while pending:
            tally = pending.popleft().result()
            merged = tally if merged is None else merge_tallies([merged, tally])
            if draws is None and merged.draws >= min_draws and max_se(merged) < se_target:
                for f in pending:
                    f.cancel()
                break
            top_up()
    return merged if merged is not None else empty_tally(model)


def _rank_percentile(hist: np.ndarray, q: float) -> np.ndarray:
    cdf = np.cumsum(hist, axis=1) / np.maximum(hist.sum(axis=1, keepdims=True), 1)
    return (cdf < q - 1e-12).sum(axis=1) + 1


def summarise(model: BoundaryModel, tally: Tally) -> pd.DataFrame:
    """Per unit: official tier, probability of each tier (``p_<label>``) and its Monte Carlo
    standard error (``se_<label>``), ``p_official`` (and ``se_official``), rank percentiles
    5/50/95 within the sequence, the mean simulated total and its sd, and ``bias``: mean
    simulated total − official total (with ``bias_se``, its Monte Carlo standard error).
    The draws are centred, so a bias beyond its standard error comes from the scheme's
    non-linear steps (caps, floors, min–max, ranks), not from the noise."""
    inp = model.inp
    d = max(tally.draws, 1)
    out = pd.DataFrame({"unit_id": inp.unit_ids, "name": inp.names, "sequence": inp.sequences,
                        "total": model.totals,
                        "official_tier": [model.labels[c] for c in model.official]})
    probs = tally.tier_counts / d
    for j, lab in enumerate(model.labels):
        out[f"p_{lab}"] = probs[:, j]
    for j, lab in enumerate(model.labels):
        out[f"se_{lab}"] = np.sqrt(probs[:, j] * (1 - probs[:, j]) / d)
    out["p_official"] = probs[np.arange(model.n_units), model.official]
    out["se_official"] = np.sqrt(out["p_official"] * (1 - out["p_official"]) / d)
    for q, name in ((0.05, "rank_p05"), (0.5, "rank_p50"), (0.95, "rank_p95")):
        out[name] = _rank_percentile(tally.rank_hist, q)
    out["total_mean"] = tally.total_sum / d
    out["total_sd"] = np.sqrt(np.clip(tally.total_sq / d - (tally.total_sum / d) ** 2, 0, None))
    out["bias"] = out["total_mean"] - out["total"]
    out["bias_se"] = out["total_sd"] / np.sqrt(d)
    return out.sort_values(["sequence", "total", "unit_id"], ascending=[True, False, True],
                           kind="stable").reset_index(drop=True)


def uncertainty_summary(model: BoundaryModel, tally: Tally) -> pd.DataFrame:
    """One row: draws, expected number of units off their official tier (and its standard
    error), the probability the top-tier set is exactly the official one (and its standard
    error), the largest standard error of a tier probability, and the largest |bias| of a
    unit's mean simulated total (``max_abs_bias``, with that unit's ``max_abs_bias_se``)."""
    d = max(tally.draws, 1)
    mean = tally.changes / d
    var = max(tally.changes_sq / d - mean ** 2, 0.0)
    p_top = tally.top_exact / d
    bias = tally.total_sum / d - model.totals
    sd = np.sqrt(np.clip(tally.total_sq / d - (tally.total_sum / d) ** 2, 0, None))
    worst = int(np.argmax(np.abs(bias))) if len(bias) else 0
    return pd.DataFrame([{"draws": tally.draws, "expected_changes": mean,
                          "expected_changes_se": float(np.sqrt(var / d)),
                          "p_top_set_exact": p_top,
                          "p_top_set_exact_se": float(np.sqrt(p_top * (1 - p_top) / d)),
                          "max_se": max_se(tally),
                          "max_abs_bias": float(abs(bias[worst])) if len(bias) else 0.0,
                          "max_abs_bias_se": float(sd[worst] / np.sqrt(d)) if len(bias)
                          else 0.0}])


def total_covariance(model: BoundaryModel, tally: Tally, sequence_pos: int) -> np.ndarray:
    """Covariance of the simulated totals of one sequence's units (for rank sets); only
    the variances when the model does not tally covariances."""
    idx = model.seq_index[sequence_pos]
    d = max(tally.draws, 1)
    m = tally.total_sum[idx] / d
    if not tally.cross:
        return np.diag(np.clip(tally.total_sq[idx] / d - m ** 2, 0, None))
    return tally.cross[sequence_pos] / d - np.outer(m, m)


def tier_probabilities(data: Dataset, scheme: Scheme, year: int,
                       noise: float | ErrorModel | None = None,
                       weights: WeightUncertainty | float | None = None,
                       draws: int | None = None, seed: int = 0, se_target: float = 0.005,
                       chunk: int = 500, workers: int | None = None,
                       error_model: ErrorModel | str | os.PathLike[str] | None = None
                       ) -> pd.DataFrame:
    """Each unit's probability of every tier under noise and/or weight uncertainty, rank
    percentiles 5/50/95 and its official tier (see ``summarise``); ``draws=None`` stops when
    every probability's standard error is below ``se_target``. ``attrs["summary"]`` holds
    ``uncertainty_summary`` (draws used, expected changes, P(top set exact)). ``workers``
    threads share the chunks (same result for any number, see ``run``). ``noise`` and
    ``error_model`` as in ``prepare_model``."""
    model = prepare_model(data, scheme, year, noise, weights, error_model=error_model)
    tally = run(model, draws=draws, seed=seed, chunk=chunk, se_target=se_target,
                workers=workers)
    out = summarise(model, tally)
    out.attrs["summary"] = uncertainty_summary(model, tally)
    return out


# --- rank confidence sets of the official totals -------------------------------------


def rank_sets(model: BoundaryModel, tally: Tally, alpha: float = 0.05, draws: int = 1000,
              seed: int = 0) -> pd.DataFrame:
    """Marginal rank confidence sets within each sequence, the official totals as estimates
    and the simulated covariance of totals as their error (unit_id, name, sequence,
    estimate, rank, lower, upper), plus the sequence's top-tier ``quota`` (count), whether
    the whole set lies within it (``surely_top``) and whether it reaches it (``maybe_top``)."""
    from ..engine.ranks import rank_confidence_sets

    frames = []
    inp = model.inp
    for s, idx in enumerate(model.seq_index):
        cov = total_covariance(model, tally, s)
        sets = rank_confidence_sets(model.totals[idx], cov=cov, alpha=alpha, draws=draws,
                                    seed=seed)
        sets.insert(0, "sequence", [inp.sequences[i] for i in idx])
        sets.insert(0, "name", [inp.names[i] for i in idx])
        sets.insert(0, "unit_id", [inp.unit_ids[i] for i in idx])
        k = model.tiers.top_count[s]
        sets["quota"] = k
        sets["surely_top"] = sets["upper"] <= k
        sets["maybe_top"] = sets["lower"] <= k
        frames.append(sets)
    return (pd.concat(frames, ignore_index=True)
            .sort_values(["sequence", "rank", "unit_id"], kind="stable").reset_index(drop=True))


# --- threshold and quota sensitivity ---------------------------------------------------


def _changed(model: BoundaryModel, rules: TierRules, tie: np.ndarray | None) -> int:
    scheme = model.scheme.model_copy(update={"tiers": rules})
    events = pd.DataFrame(columns=["unit_id", "year", "event", "count", "project"])
    tm = tier_model(scheme, model.inp.unit_ids, model.inp.sequences, events)
    tm = replace(tm, barred=model.tiers.barred, demoted=model.tiers.demoted,
                 affirmed=model.tiers.affirmed)
    codes = tier_codes(tm, model.totals[None], tie)[0]
    return int((codes != model.official).sum())


def threshold_sensitivity(model: BoundaryModel, span: float | None = None,
                          steps: int = 21) -> pd.DataFrame:
    """Units changing tier as each score line moves (±``span``, default 5 % of the full
    score: ±50 on a 1000-point scheme), as the quota changes (top k per sequence, top p %),
    or (forced distribution) as the top share moves ±5 points.

    Columns: rule (Chinese), kind (threshold / quota_top / quota_share / forced_share),
    shift (points, k, or percent), setting (the value tried), n_changed.
    """
    rules = model.scheme.tiers
    span = 0.05 * model.scheme.max_points if span is None else span
    tie = None
    if model.tie_cols:
        comps = score_components(model)
        tie = np.stack([comps[:, j] for j in model.tie_cols], axis=-1)[None]
    rows = []
    if rules.method == "quota_threshold":
        for i, t in enumerate(rules.thresholds):
            for shift in np.linspace(-span, span, steps):
                new = [th.model_copy(update={"min_total": th.min_total + (shift if j == i else 0)})
                       for j, th in enumerate(rules.thresholds)]
                mins = [th.min_total for th in new]
                if any(a <= b for a, b in itertools.pairwise(mins)):
                    continue
                rows.append({"rule": f"{t.label}线", "kind": "threshold",
                             "shift": round(float(shift), 6),
                             "setting": round(t.min_total + float(shift), 6),
                             "n_changed": _changed(model, rules.model_copy(
                                 update={"thresholds": new}), tie)})
        sizes = [len(i) for i in model.seq_index]
        for k in range(max(sizes) + 1):
            quota = [rules.quota[0].model_copy(update={"sequences": None, "top": k,
                                                       "share": None})]
            rows.append({"rule": "评优名额:每序列前k名", "kind": "quota_top",
                         "shift": k, "setting": k, "n_changed": _changed(
                             model, rules.model_copy(update={"quota": quota}), tie)})
        for p in (5, 10, 15, 20, 25, 30, 35, 40, 50):
            quota = [rules.quota[0].model_copy(update={"sequences": None, "top": None,
                                                       "share": p / 100,
                                                       "rounding": "half_up",
                                                       "min_count": 1})]
            rows.append({"rule": "评优比例:每序列前p%", "kind": "quota_share", "shift": p,
                         "setting": p, "n_changed": _changed(
                             model, rules.model_copy(update={"quota": quota}), tie)})
    else:
        mid = int(np.argmax(rules.shares))
        for pp in range(-5, 6):
            shares = list(rules.shares)
            shares[0] = shares[0] + pp / 100
            shares[mid] = shares[mid] - pp / 100
            if shares[0] <= 0 or shares[mid] < 0:
                continue
            rows.append({"rule": f"{rules.labels[0]}比例", "kind": "forced_share", "shift": pp,
                         "setting": round(shares[0] * 100, 6), "n_changed": _changed(
                             model, rules.model_copy(update={"shares": shares}), tie)})
    return pd.DataFrame(rows, columns=["rule", "kind", "shift", "setting", "n_changed"])


def score_components(model: BoundaryModel) -> np.ndarray:
    """Official component scores (N, C) in scheme order, rounded like ``score``."""
    comps = component_scores(model.inp, model.scheme, model.frac)
    cols = [comps[:, j] if kind == "ind" else model.ratings[:, j] for kind, j in model.comp_kind]
    return np.round(np.stack(cols, axis=-1), 6)


# --- reward cost ------------------------------------------------------------------------


def reward_cost(model: BoundaryModel, tally: Tally) -> pd.DataFrame:
    """Total payout (元) of the official tiers and its distribution over the draws
    (statistic: official, mean, p05, p50, p95); empty when the scheme has no rewards."""
    if model.payout is None:
        return pd.DataFrame(columns=["statistic", "value"])
    official = float(model.payout[np.arange(model.n_units), model.official].sum())
    p = tally.payout
    stats = [("official", official)]
    if len(p):
        stats += [("mean", float(p.mean())), ("p05", float(np.quantile(p, 0.05))),
                  ("p50", float(np.quantile(p, 0.5))), ("p95", float(np.quantile(p, 0.95)))]
    return pd.DataFrame(stats, columns=["statistic", "value"])


def payout_samples(tally: Tally) -> np.ndarray:
    """The total payout of each draw (for a histogram)."""
    return tally.payout
