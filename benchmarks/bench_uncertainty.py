"""Benchmark of study 3's Monte Carlo: scoring, ranks and tiers over many draws.

National-scale synthetic case (2 850 units, 30 indicators, 31 provincial sequences; tiers
by a 20 % quota and two score lines): weight draws per second and noisy-data draws per
second *including ranks and tiers* (the default error model of ``perfanalysis.engine.errormodel``:
centred, correlated across years), each next to its floor measured in the same run (the
time to generate the same random numbers alone); peak memory (max RSS); and the speed-up
over a straightforward per-draw loop (score → ``assign_tiers``) on a small case where both
give identical tiers (asserted). Prints figures; asserts nothing about time.

    .venv/bin/python benchmarks/bench_uncertainty.py [--weight-draws 100000]
        [--noise-draws 5000] [--chunk 1000] [--noise-chunk 100] [--workers 2]
"""

from __future__ import annotations

import os

# one BLAS thread: on 2 shared cores, threaded BLAS oversubscribes and runs several times
# slower (set OPENBLAS_NUM_THREADS yourself to override)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import resource
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from bench_draws import national_scheme  # the same synthetic national scheme

from perfanalysis import (
    assign_tiers,
    component_scores,
    leaf_fractions,
    scheme_from_mapping,
)
from perfanalysis.engine.data import load_data
from perfanalysis.engine.tiers import tier_codes
from perfanalysis.memory import keep_freed_memory
from perfanalysis.sample import write_sample
from perfanalysis.studies import boundaries as study

NO_EVENTS = pd.DataFrame(columns=["unit_id", "year", "event", "count", "project"])


def synthetic_scheme(k: int) -> dict:
    """bench_draws' national scheme with quota-and-threshold tiers (top 20 %, 75 / 65)."""
    raw = national_scheme(k)
    raw["tiers"] = {"method": "quota_threshold", "labels": ["优秀", "达标", "基本达标", "不达标"],
                    "quota": [{"share": 0.2}],
                    "thresholds": [{"label": "达标", "min_total": 75},
                                   {"label": "基本达标", "min_total": 65}]}
    return raw


def synthetic_data(n: int, k: int, n_seq: int, folder: str, seed: int = 0,
                   scheme: dict | None = None, population: bool = False):
    """Synthetic national data (n units in n_seq sequences, k indicators, 2015–2019) and
    ``scheme`` (default: ``synthetic_scheme(k)``); ``population`` adds a size column."""
    rng = np.random.default_rng(seed)
    units = pd.DataFrame({"unit_id": [f"u{i:04d}" for i in range(n)],
                          "name": [f"县{i}" for i in range(n)],
                          "sequence": [f"p{i % n_seq:02d}" for i in range(n)]})
    years = np.arange(2015, 2020)
    values = (rng.lognormal(3, 1, (n, k))[None] * 1.07 ** (years - 2015)[:, None, None]
              * rng.lognormal(0, 0.05, (len(years), n, k)))
    yy, uu, kk = np.meshgrid(years, np.arange(n), np.arange(k), indexing="ij")
    obs = pd.DataFrame({"unit_id": units["unit_id"].to_numpy()[uu.ravel()], "year": yy.ravel(),
                        "indicator": np.array([f"i{j:02d}" for j in range(k)])[kk.ravel()],
                        "value": values.ravel()})
    if population:
        units["population"] = rng.lognormal(13, 0.6, n).round()
    write_sample({"units": units, "observations": obs}, folder)
    return load_data(folder), scheme_from_mapping(scheme or synthetic_scheme(k))


def timed_run(model: study.BoundaryModel, draws: int, chunk: int,
              workers: int) -> tuple[float, study.Tally]:
    t0 = time.perf_counter()
    tally = study.run(model, draws=draws, seed=1, chunk=chunk, workers=workers)
    return time.perf_counter() - t0, tally


def _chunks(draws: int, chunk: int) -> list[tuple[int, int]]:
    return [(i, min(chunk, draws - start)) for i, start in enumerate(range(0, draws, chunk))]


def _threaded(job, draws: int, chunk: int, workers: int) -> float:
    """Wall time of ``job(i, size)`` over the chunks on ``workers`` threads (as ``run``)."""
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda c: job(*c), _chunks(draws, chunk)))
    return time.perf_counter() - t0


def weight_floor(model: study.BoundaryModel, draws: int, chunk: int, workers: int) -> float:
    """Time to draw the same Dirichlet weights alone."""
    def job(i: int, size: int) -> None:
        study.draw_points(model, np.random.default_rng(study.chunk_seed(1, i)), size)
    return _threaded(job, draws, chunk, workers)


def noise_blocks(model: study.BoundaryModel) -> int:
    """(draws, units) blocks of normal deviates a draw of the error model takes: one per
    leaf with an error, one more where last year's value is read and its deviate is not
    the same as this year's (year correlation < 1), one per rating component with one."""
    active = model.errors.code > 0
    return int(active.sum() + (active & model.uses_prev & (model.errors.rho < 1)).sum()
               + (model.rating_errors.code > 0).sum())


def noise_floor(model: study.BoundaryModel, draws: int, chunk: int, workers: int) -> float:
    """Time to generate the same normal deviates, in the same (draws, units) blocks
    (``noise_blocks``)."""
    n = model.n_units
    blocks = noise_blocks(model)

    def job(i: int, size: int) -> None:
        rng = np.random.default_rng(study.chunk_seed(1, i))
        for _ in range(blocks):
            rng.standard_normal((size, n))
    return _threaded(job, draws, chunk, workers)


def loop_comparison(draws: int) -> None:
    """Per-draw loop (score → assign_tiers) against the vectorised path, same numbers."""
    with tempfile.TemporaryDirectory() as tmp:
        data, scheme = synthetic_data(300, 10, 5, tmp, seed=2)
        model = study.prepare_model(data, scheme, 2019, noise=0.05)
    inp = model.inp
    rng = np.random.default_rng(3)
    level = inp.level * (1 + 0.05 * rng.standard_normal((draws, *inp.level.shape)))
    prev = inp.previous * (1 + model.prev_noise * rng.standard_normal((draws,
                                                                       *inp.level.shape)))
    t0 = time.perf_counter()
    total = component_scores(inp, scheme, leaf_fractions(inp, level, prev))[..., 0]
    codes = tier_codes(model.tiers, np.round(total, 6))
    t_vec = time.perf_counter() - t0
    labels = {lab: i for i, lab in enumerate(scheme.tiers.labels)}
    t0 = time.perf_counter()
    loop = np.empty_like(codes)
    for d in range(draws):
        comps = component_scores(inp, scheme, leaf_fractions(inp, level[d], prev[d]))
        table = pd.DataFrame({"unit_id": inp.unit_ids, "name": inp.names,
                              "sequence": inp.sequences,
                              "total": np.round(comps[:, 0], 6)})
        loop[d] = assign_tiers(table, scheme, NO_EVENTS)["tier"].map(labels).to_numpy()
    t_loop = time.perf_counter() - t0
    assert np.array_equal(codes, loop), "vectorised and per-draw tiers differ"
    print(f"per-draw loop vs vectorised (300 units, 10 indicators, 5 sequences, {draws} draws, "
          f"identical tiers): loop {t_loop / draws * 1e3:.1f} ms/draw, vectorised "
          f"{t_vec / draws * 1e3:.3f} ms/draw → speed-up {t_loop / t_vec:,.0f}×")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=2850)
    ap.add_argument("--indicators", type=int, default=30)
    ap.add_argument("--sequences", type=int, default=31)
    ap.add_argument("--weight-draws", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=1000)
    ap.add_argument("--noise-draws", type=int, default=5000)
    ap.add_argument("--noise-chunk", type=int, default=100)
    ap.add_argument("--loop-draws", type=int, default=40)
    ap.add_argument("--workers", type=int, default=study.default_workers(),
                    help="threads for the Monte Carlo (also run with 1 for comparison)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        data, scheme = synthetic_data(args.units, args.indicators, args.sequences, tmp)
        # tier counts, rank histograms, changes and payout tallied; per-sequence covariance
        # of totals (only the rank sets need it) left out
        weights = study.prepare_model(data, scheme, 2019, covariance=False,
                                      weights=study.WeightUncertainty("dirichlet", 200))
        # the default error model at 0.05: volumes 5 % relative (centred lognormal), a
        # unit's errors of this and last year correlated 0.9
        noisy = study.prepare_model(data, scheme, 2019, noise=0.05, covariance=False)
        t_prep = time.perf_counter() - t0
    print(f"units={args.units} indicators={args.indicators} sequences={args.sequences}; "
          f"data + models prepared in {t_prep:.1f} s")
    keep_freed_memory()  # as simulate_chunk does: the floors run under the same malloc
    for workers in sorted({1, args.workers}):
        t_w, tally = timed_run(weights, args.weight_draws, args.chunk, workers)
        f_w = weight_floor(weights, args.weight_draws, args.chunk, workers)
        print(f"weight draws with ranks and tiers, {workers} thread(s): {args.weight_draws} in "
              f"{t_w:.2f} s ({args.weight_draws / t_w:,.0f} draws/s, "
              f"{t_w * 100_000 / args.weight_draws:.1f} s per 100 000); floor (Dirichlet draws "
              f"alone) {f_w:.2f} s → {t_w / f_w:.1f}× the floor; expected tier changes "
              f"{tally.changes / tally.draws:.1f}")
    per = 100_000 / args.noise_draws
    for workers in sorted({1, args.workers}):
        # floor before and after the run: the machine's speed may drift while it runs
        f_a = noise_floor(noisy, args.noise_draws, args.noise_chunk, workers)
        t_n, tally = timed_run(noisy, args.noise_draws, args.noise_chunk, workers)
        f_b = noise_floor(noisy, args.noise_draws, args.noise_chunk, workers)
        f_n = (f_a + f_b) / 2
        print(f"noisy-data draws with ranks and tiers, {workers} thread(s): {args.noise_draws} "
              f"in {t_n:.2f} s ({args.noise_draws / t_n:,.0f} draws/s, {t_n * per:.0f} s per "
              f"100 000); floor (the same normal deviates alone, {workers} thread(s)) "
              f"{f_n:.2f} s ({f_n * per:.0f} s per 100 000; {f_a:.2f} before, {f_b:.2f} after) "
              f"→ {t_n / f_n:.2f}× the floor; expected tier changes "
              f"{tally.changes / tally.draws:.1f}")
    loop_comparison(args.loop_draws)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of the process): {peak:,.0f} MB")


if __name__ == "__main__":
    main()
