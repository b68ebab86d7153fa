"""Benchmark: the differentiated-targets study on a researcher-scale and a national panel.

Builds an in-memory panel (units × years, one completion indicator; 31 sequences as in the
national case) and prints the seconds taken by ``backtest`` (every level rule, every year,
on a level and on an increment basis), ``backtest_summary`` (unit bootstrap of share met and
error, size dependence within sequences) and one year's ``set_targets`` for every engine
rule, next to a floor measured in the same run: arranging the panel as a (years, units)
array alone.

Run: ``.venv/bin/python benchmarks/bench_targets.py [--units N --years Y --boot B]``
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from perfanalysis.engine.data import Dataset
from perfanalysis.engine.targets import indicator_levels
from perfanalysis.studies import targets as st

RULES = ["mean_level", "mean_increment", "mean_growth", "cagr", "trend", "peer", "blend"]


def make_panel(units: int, years: int, seed: int = 1) -> Dataset:
    """Levels growing at unit-specific rates with noise, sizes log-normal."""
    rng = np.random.default_rng(seed)
    ids = [f"u{i:05d}" for i in range(units)]
    size = rng.lognormal(13, 0.6, units)
    growth = 0.03 + 0.04 * rng.random(units)
    steps = 1 + growth[None, :] + rng.normal(0, 0.03, (years, units))
    levels = size[None, :] / 1e4 * np.cumprod(steps, axis=0)
    first = 2026 - years
    obs = pd.DataFrame({"unit_id": np.tile(ids, years),
                        "year": np.repeat(np.arange(first, first + years), units),
                        "indicator": "x", "value": levels.ravel()})
    unit_table = pd.DataFrame({"unit_id": ids, "name": ids,
                               "sequence": [f"s{i % 31:02d}" for i in range(units)],
                               "population": size})
    empty = pd.DataFrame(columns=["unit_id", "year", "component", "score"])
    events = pd.DataFrame(columns=["unit_id", "year", "event", "count"])
    return Dataset(units=unit_table, observations=obs, ratings=empty, events=events,
                   targets=None, source=Path("memory"), files={})


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=0, help="one size only (default: two)")
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--boot", type=int, default=1000)
    args = ap.parse_args()
    sizes = [args.units] if args.units else [150, 2850]
    for n in sizes:
        data = make_panel(n, args.years)
        ids = list(data.units["unit_id"])
        _, floor = timed(indicator_levels, data, "x", ids)
        bt, t_bt = timed(st.backtest, data, "x", RULES, k=3, common=True)
        inc, t_inc = timed(st.backtest, data, "x", RULES, k=3, common=True,
                           basis="increment")
        size, _ = st.size_series(data, "population")
        groups = data.units.set_index("unit_id")["sequence"]
        _, t_sum = timed(st.backtest_summary, bt, size, groups=groups, n_boot=args.boot)
        rules = list(st.preset_rules(RULES, 3).values())
        _, t_set = timed(lambda d, y, rs: [st.set_targets(d, "x", y, r) for r in rs],
                         data, max(data.years), rules)
        print(f"{n} units × {args.years} years, {len(RULES)} rules ({len(bt):,} back-test rows):"
              f"\n  floor (panel → array)         {floor:7.3f} s"
              f"\n  backtest (level)              {t_bt:7.3f} s"
              f"\n  backtest (increment, {len(inc):,} rows) {t_inc:7.3f} s"
              f"\n  backtest_summary ({args.boot} boot) {t_sum:7.3f} s"
              f"\n  set_targets, every rule       {t_set:7.3f} s")


if __name__ == "__main__":
    main()
