"""Benchmark: the full composite pipeline at national scale (2 850 units × 30 indicators).

Prints figures; asserts nothing. Seeded, so the data are the same on every run.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from perfanalysis.composite.aggregate import arithmetic
from perfanalysis.composite.build import CoinData, Recipe, run_build
from perfanalysis.composite.normalise import minmax
from perfanalysis.composite.tree import Hierarchy, TreeNode


def main() -> None:
    rng = np.random.default_rng(20181214)
    n, k = 2850, 30
    values = pd.DataFrame(rng.lognormal(0, 1, (n, k)), columns=[f"i{j}" for j in range(k)],
                          index=[f"u{i}" for i in range(n)])
    values = values.mask(rng.random((n, k)) < 0.05)
    nodes = [TreeNode("idx", None)] + [TreeNode(f"g{g}", "idx") for g in range(5)]
    nodes += [TreeNode(f"i{j}", f"g{j // 6}") for j in range(k)]
    data = CoinData(values=values, tree=Hierarchy(tuple(nodes)),
                    unit_attributes=pd.DataFrame({"grp": rng.integers(0, 14, n)},
                                                 index=values.index))
    recipe = Recipe.from_list([{"step": "impute", "method": "group_mean", "group": "grp"},
                               {"step": "screen", "min_share": 0.9}, {"step": "treat"},
                               {"step": "normalise"}, {"step": "aggregate"}])
    t0 = time.perf_counter()
    run_build(data, recipe)
    t1 = time.perf_counter()
    print(f"full pipeline, {n} units × {k} indicators: {t1 - t0:.3f} s")
    draws = rng.lognormal(0, 1, (1000, n, 6))
    t0 = time.perf_counter()
    normed = minmax(np.moveaxis(draws, -1, -2)).swapaxes(-1, -2)
    arithmetic(normed, np.arange(1.0, 7.0))
    t1 = time.perf_counter()
    print(f"min–max + arithmetic mean over 1 000 draws × {n} units × 6 children: {t1 - t0:.3f} s")


if __name__ == "__main__":
    main()
