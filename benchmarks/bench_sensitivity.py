"""Benchmark: uncertainty and sensitivity analysis, COINr's design, on the vectorised engines.

1. The ASEM index (COINr's own example data, ``shared/reference-data/asem``), COINr's
   sensitivity vignette design: weights ±25 % at levels 2–3, min–max (1–100) vs z-score
   (10, 2), arithmetic vs geometric mean, winsorisation limit 1–5; N = 10 000 replications
   (uncertainty analysis) and a Saltelli design for Sobol indices. COINr rebuilds the whole
   index per replication (≈ 0.08–0.1 s each on a 2-core machine).
2. Sobol indices of every unit's rank on the Yiyang preset regrouped into 8 first-level
   groups (8 weights + the blend α + the relative method = 10 factors) at N = 4 096 base
   samples (N·12 = 49 152 scored weightings).

Each figure is printed next to a floor measured in the same run (drawing the random
numbers alone). Prints figures; asserts nothing about time.

    .venv/bin/python benchmarks/bench_sensitivity.py [--n 10000] [--sobol-n 4096]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import perfanalysis as pa
from perfanalysis.composite.coin import coin_data
from perfanalysis.composite.sensitivity import (
    VIGNETTE_NORMALISATIONS,
    composite_sensitivity,
    noisy_weights,
)
from perfanalysis.paths import PROJ_ROOT, SAMPLE_DIR, SCHEMES_DIR
from perfanalysis.studies import weightings as wt

COINR_SECONDS = (0.08, 0.1)  # per replication, COINr rebuilding the index (2-core machine)


def _asem_dir() -> Path | None:
    for base in (PROJ_ROOT.parent / "shared", Path("/work/shared")):
        if (base / "reference-data" / "asem" / "ASEM_iData.csv").exists():
            return base / "reference-data" / "asem"
    return None


def bench_asem(n: int) -> None:
    ref = _asem_dir()
    if ref is None:
        print("ASEM reference data not found: skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        units, obs, sch = pa.from_coin_tables(ref / "ASEM_iData.csv", ref / "ASEM_iMeta.csv")
        folder = pa.write_coin_import(units, obs, sch, Path(tmp) / "asem")
        data = coin_data(pa.load_data(folder), pa.load_scheme(folder / "scheme.yaml"), 2018)
    recipe = pa.Recipe.from_list([
        {"step": "denominate"},
        {"step": "impute", "method": "group_mean", "group": "EurAsia_group"},
        {"step": "screen", "min_share": 0.9}, {"step": "treat", "winmax": 5},
        {"step": "normalise", "method": "minmax", "lower": 0, "upper": 100},
        {"step": "aggregate", "method": "arithmetic"}])
    design = {"weight_noise": {2: 0.25, 3: 0.25}, "normalisations": VIGNETTE_NORMALISATIONS,
              "aggregations": ["arithmetic", "geometric"], "winmax": [1, 2, 3, 4, 5]}
    t0 = time.perf_counter()
    rng = np.random.default_rng(1)
    rng.random((n, 4))
    noisy_weights(data.tree, design["weight_noise"], n, rng)  # type: ignore[arg-type]
    floor = time.perf_counter() - t0
    t0 = time.perf_counter()
    pa.run_build(data, recipe)
    one_build = time.perf_counter() - t0
    res = composite_sensitivity(data, recipe, n=n, seed=1, **design)  # type: ignore[arg-type]
    t = res.timings
    per = t["total"] / n
    print(f"ASEM ({len(res.nominal)} units, {len(data.tree.indicators)} indicators), "
          f"COINr vignette design, N = {n} replications (uncertainty analysis):")
    print(f"  one ordinary build of the whole index:     {one_build:.3f} s")
    print(f"  builds of the 10 discrete alternatives:    {t['builds']:.3f} s (once)")
    print(f"  replications (weight draws aggregated):    {t['replications']:.3f} s "
          f"({t['replications'] / n * 1e6:.1f} µs each)")
    print(f"  total:                                     {t['total']:.3f} s "
          f"({per * 1e6:.1f} µs per replication)")
    print(f"  floor (drawing the random numbers alone):  {floor:.4f} s")
    lo, hi = COINR_SECONDS
    print(f"  COINr ≈ {lo}–{hi} s per replication → {lo * n:.0f}–{hi * n:.0f} s in all; "
          f"speed-up {lo / per:,.0f}–{hi / per:,.0f}× (total), "
          f"{lo * n / t['replications']:,.0f}–{hi * n / t['replications']:,.0f}× "
          "(replications alone)")
    sa_n = 1024
    sa = composite_sensitivity(data, recipe, n=sa_n, kind="SA", seed=1, **design)  # type: ignore[arg-type]
    print(f"  Sobol (Saltelli, N = {sa_n}: {len(sa.scores)} runs): {sa.timings['total']:.3f} s")
    for row in sa.sobol.itertuples(index=False):
        print(f"    {row.parameter:<14} Si {row.Si:6.3f} ± {row.Si_conf:.3f}   "
              f"STi {row.STi:6.3f} ± {row.STi_conf:.3f}")


def yiyang_eight_groups() -> pa.Scheme:
    """The Yiyang preset with each first-level group split in two (8 groups)."""
    base = pa.load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    raw = base.model_dump(mode="python", exclude_none=True)
    comp = raw["components"][0]
    groups = []
    for g in comp["children"]:
        kids = g["children"]
        half = max(1, len(kids) // 2)
        for j, part in enumerate((kids[:half], kids[half:])):
            groups.append({"id": f"{g['id']}_{j + 1}", "name": f"{g['name']}{'甲乙'[j]}",
                           "points": sum(k["points"] for k in part), "children": part})
    comp["children"] = groups
    return pa.scheme_from_mapping(raw)


def bench_yiyang(n: int) -> None:
    data = pa.load_data(SAMPLE_DIR / "yiyang")
    scheme = yiyang_eight_groups()
    factors = wt.default_factors(scheme)
    t0 = time.perf_counter()
    u = wt.saltelli_design(len(factors), n, seed=1)
    t_design = time.perf_counter() - t0
    t0 = time.perf_counter()
    eng = wt._engine(data, scheme, 2019, ("efficacy", "minmax"))
    t_prep = time.perf_counter() - t0
    t0 = time.perf_counter()
    totals = wt.draw_totals(eng, factors, u)
    ranks = wt.ranks_within(totals, eng.inp.sequences)
    t_score = time.perf_counter() - t0
    t0 = time.perf_counter()
    wt.sobol_many(ranks, len(factors), seed=1)
    t_sobol = time.perf_counter() - t0
    t0 = time.perf_counter()
    wt.sobol_indices(ranks[:, 0], len(factors), [f.label for f in factors], seed=1)
    t_salib = time.perf_counter() - t0
    t0 = time.perf_counter()
    pa.weight_sensitivity(data, scheme, 2019, n=n, seed=1)
    t_all = time.perf_counter() - t0
    print(f"Yiyang preset, 8 first-level groups, {len(eng.inp.unit_ids)} units, "
          f"{len(factors)} Sobol factors, N = {n}: {len(u)} weightings scored")
    print(f"  floor (Saltelli design alone):             {t_design:.3f} s")
    print(f"  engine set-up (4 fraction arrays):          {t_prep:.3f} s")
    print(f"  scoring + ranks of all samples at once:     {t_score:.3f} s "
          f"({t_score / len(u) * 1e6:.1f} µs per weighting)")
    print(f"  Sobol indices + bootstrap (100) of every unit's rank, vectorised: {t_sobol:.3f} s "
          f"for {ranks.shape[1]} units (SALib's analyze: {t_salib:.3f} s per unit)")
    print(f"  weight_sensitivity end to end (+ shift):    {t_all:.3f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--sobol-n", type=int, default=4096)
    args = ap.parse_args()
    bench_asem(args.n)
    bench_yiyang(args.sobol_n)


if __name__ == "__main__":
    main()
