"""Benchmark: scoring many draws at once at national scale.

≈2 850 county-level units in 31 provincial sequences, 30 indicators: draws of noisy data
(centred multiplicative measurement noise, mean one), scored in chunks with the vectorised engine
(`leaf_fractions` + `component_scores` on arrays with a leading draw axis), and draws of
weights on fixed data (`component_scores` with a (D, K) points array: matrix products).
Prints figures; asserts nothing about time.

    .venv/bin/python benchmarks/bench_draws.py [--draws 100000] [--chunk 100]
        [--weight-draws 100000]
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np
import pandas as pd

from perfanalysis import component_scores, leaf_fractions, prepare, scheme_from_mapping
from perfanalysis.engine.data import load_data
from perfanalysis.sample import write_sample

METHODS = ["efficacy", "completion", "minmax", "rank_points", "pass_fail"]


def national_scheme(k: int) -> dict:
    leaves = []
    for j in range(k):
        m = METHODS[j % len(METHODS)]
        leaf = {"id": f"i{j:02d}", "name": f"指标{j}", "points": 100 / k, "method": m}
        if m == "completion":
            leaf["target"] = {"rule": "own_average", "years": 3, "factor": 1.05}
        if m == "rank_points":
            leaf["step"] = 0.05
        if m == "pass_fail":
            leaf["threshold"] = 1.0
        if j % 3 == 0 and m in ("efficacy", "minmax"):
            leaf["blend"] = {"basis": "growth", "alpha": 0.5}
        leaves.append(leaf)
    return {"id": "national", "name": "全国县域", "components": [
        {"id": "indicators", "name": "指标", "points": 100, "source": "indicators",
         "children": [{"id": "all", "name": "全部", "points": 100, "children": leaves}]}],
        "tiers": {"method": "forced_distribution", "labels": ["一等", "二等", "三等"],
                  "shares": [0.15, 0.8, 0.05]}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=2850)
    ap.add_argument("--indicators", type=int, default=30)
    ap.add_argument("--draws", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=100)
    ap.add_argument("--weight-draws", type=int, default=100_000)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n, k = args.units, args.indicators
    units = pd.DataFrame({"unit_id": [f"u{i:04d}" for i in range(n)],
                          "name": [f"县{i}" for i in range(n)],
                          "sequence": [f"p{i % 31:02d}" for i in range(n)]})
    years = np.arange(2015, 2020)
    values = (rng.lognormal(3, 1, (n, k))[None] * 1.07 ** (years - 2015)[:, None, None]
              * rng.lognormal(0, 0.05, (len(years), n, k)))
    yy, uu, kk = np.meshgrid(years, np.arange(n), np.arange(k), indexing="ij")
    obs = pd.DataFrame({"unit_id": units["unit_id"].to_numpy()[uu.ravel()], "year": yy.ravel(),
                        "indicator": np.array([f"i{j:02d}" for j in range(k)])[kk.ravel()],
                        "value": values.ravel()})
    with tempfile.TemporaryDirectory() as tmp:
        write_sample({"units": units, "observations": obs}, tmp)
        t0 = time.perf_counter()
        data = load_data(tmp)
        scheme = scheme_from_mapping(national_scheme(k))
        inp = prepare(data, scheme, 2019)
        t_prep = time.perf_counter() - t0
    print(f"units={n} indicators={k} draws={args.draws} chunk={args.chunk}")
    print(f"load + validate + prepare: {t_prep:.2f} s")
    t0 = time.perf_counter()
    checksum = 0.0
    done = 0
    while done < args.draws:
        d = min(args.chunk, args.draws - done)
        noise = rng.lognormal(-0.05 ** 2 / 2, 0.05, (d, n, k))  # centred: mean exactly 1
        comps = component_scores(inp, scheme, leaf_fractions(inp, level=inp.level * noise))
        checksum += float(comps.sum())
        done += d
    t = time.perf_counter() - t0
    print(f"data draws: scored {done} noisy data copies in {t:.2f} s ({done / t:,.0f} draws/s, "
          f"{done * n * k / t / 1e6:,.0f} M unit-indicator scores/s); checksum {checksum:.6e}")
    # weight draws: the data are fixed, the points vary (Dirichlet around the scheme's)
    frac = leaf_fractions(inp)
    t0 = time.perf_counter()
    checksum = 0.0
    done = 0
    chunk = 10_000
    while done < args.weight_draws:
        d = min(chunk, args.weight_draws - done)
        pts = 100.0 * rng.dirichlet(inp.leaf_points * 2.0, size=d)
        checksum += float(component_scores(inp, scheme, frac, points=pts).sum())
        done += d
    t = time.perf_counter() - t0
    print(f"weight draws: scored {done} weight vectors in {t:.2f} s ({done / t:,.0f} draws/s); "
          f"checksum {checksum:.6e}")


if __name__ == "__main__":
    main()
