"""Benchmark: the growth-vs-level fairness study on a large synthetic panel.

A panel of N units (default 2 850 in 31 sequences) × Y years (default 20) of one indicator
whose level grows with size. Times: the variants of one year (including 99 quantile
regressions of the conditional growth percentile), the variants of every year (for
persistence), and the noise simulation (all variants on D noisy copies, chunked arrays with a
leading draw axis), next to a floor measured in the same run: drawing the same noise alone.
Prints figures; asserts nothing about time.

    .venv/bin/python benchmarks/bench_fairness.py [--units 2850] [--years 20] [--draws 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from perfanalysis import load_data
from perfanalysis.studies import fairness as fs


def write_panel(folder: Path, n: int, years: int, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    size = np.exp(rng.uniform(np.log(2e4), np.log(2e6), n))
    units = pd.DataFrame({"unit_id": [f"u{i:04d}" for i in range(n)],
                          "name": [f"单位{i}" for i in range(n)],
                          "sequence": [f"p{i % 31:02d}" for i in range(n)],
                          "population": size.round()})
    level = size * rng.uniform(2.0, 6.0, n)
    rows = []
    for t in range(years):
        level = level * (1 + rng.normal(0.06, 0.03, n))
        rows.append(pd.DataFrame({"unit_id": units["unit_id"], "year": 2000 + t,
                                  "indicator": "gdp", "value": level.round(3)}))
    units.to_csv(folder / "units.csv", index=False)
    pd.concat(rows).to_csv(folder / "observations.csv", index=False)
    return folder


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=2850)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--draws", type=int, default=2000)
    args = ap.parse_args()
    alphas = fs.alpha_grid(0.1)
    with tempfile.TemporaryDirectory() as tmp:
        data = load_data(write_panel(Path(tmp), args.units, args.years))
    size = fs.unit_sizes(data)
    year = data.years[-1]
    n = args.units
    print(f"panel: {n} units × {args.years} years, 1 indicator; α grid of {len(alphas)}")

    t0 = time.perf_counter()
    table = fs.variants(data, "gdp", year, alphas, size)
    t_one = time.perf_counter() - t0
    print(f"variants of one year (incl. 99 quantile regressions): {t_one:.2f} s")

    t0 = time.perf_counter()
    groups = fs.comparison_groups(data, None)
    fs.size_dependence_table(table, size, boot=1000, groups=groups)
    print(f"size dependence of {table.groupby(['variant', 'alpha'], dropna=False).ngroups} "
          f"variants within {groups.nunique()} sequences, 1000 stratified bootstrap resamples "
          f"each: {time.perf_counter() - t0:.2f} s")

    years = fs.usable_years(data, "gdp")
    t0 = time.perf_counter()
    panel = fs.variants_panel(data, "gdp", years, alphas, size)
    fs.persistence(panel)
    print(f"variants of {len(years)} years + persistence: {time.perf_counter() - t0:.2f} s")

    rng = np.random.default_rng(1)
    t0 = time.perf_counter()
    for _ in range(0, args.draws, 200):
        np.exp(0.05 * rng.standard_normal((min(200, args.draws), n, 2)))
    floor = time.perf_counter() - t0
    t0 = time.perf_counter()
    sim = fs.simulate_noise(data, "gdp", year, alphas, size=size, noise=0.05,
                            draws=args.draws, seed=1)
    t_sim = time.perf_counter() - t0
    v = len(sim.labels)
    print(f"noise: {args.draws} draws × {v} variants × {n} units: {t_sim:.2f} s "
          f"({args.draws / t_sim:.0f} draws/s, {args.draws * v * n / t_sim / 1e6:.1f} M "
          f"unit-variant ranks/s); floor (drawing the noise alone): {floor:.2f} s")


if __name__ == "__main__":
    main()
