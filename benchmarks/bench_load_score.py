"""Benchmark: load, validate and score a national-scale panel (issue 5, "Scale").

Generates 2 850 units × 10 years × 50 indicators (1.425 million rows, long format CSV) with
a matching 50-indicator scheme in a temporary folder, then prints the seconds taken by
``load_data`` (read + parse + validate), ``check_data`` and ``scorecard`` for the last year.

Run: ``.venv/bin/python benchmarks/bench_load_score.py [--units N --years Y --indicators K]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from perfanalysis import check_data, load_data, load_scheme, scorecard

SEQUENCES = ("counties", "cities", "districts")
METHODS = ("efficacy", "completion", "minmax", "rank_points", "pass_fail")


def make_scheme(n_indicators: int) -> dict[str, Any]:
    """A flat scheme of ``n_indicators`` leaves (2 points each), cycling through the methods."""
    leaves: list[dict[str, Any]] = []
    for k in range(n_indicators):
        method = METHODS[k % len(METHODS)]
        leaf: dict[str, Any] = {"id": f"ind{k:02d}", "name": f"指标{k:02d}", "points": 2,
                                "method": method}
        if method == "completion":
            leaf["target"] = {"rule": "own_average", "years": 3}
            leaf["cap"] = 1.2
        elif method == "rank_points":
            leaf["step"] = 0.01
        elif method == "pass_fail":
            leaf["threshold"] = 50.0
        if k % 7 == 3 and method == "efficacy":
            leaf["basis"] = "growth"
        leaves.append(leaf)
    total = 2 * n_indicators
    return {
        "id": "bench", "name": "全国规模基准", "comparison_group": "sequence",
        "sequences": {s: s for s in SEQUENCES},
        "components": [{"id": "indicators", "name": "指标", "points": total,
                        "source": "indicators", "children": leaves}],
        "tiers": {"method": "quota_threshold", "labels": ["优秀", "达标", "不达标"],
                  "quota": [{"share": 0.15}],
                  "thresholds": [{"label": "达标", "min_total": 0.6 * total}]},
    }


def make_panel(folder: Path, n_units: int, n_years: int, n_ind: int, seed: int = 5) -> None:
    """Write units.csv and observations.csv (long) with positive, trending values."""
    rng = np.random.default_rng(seed)
    ids = [f"u{i:04d}" for i in range(n_units)]
    pd.DataFrame({"unit_id": ids, "name": [f"单位{i:04d}" for i in range(n_units)],
                  "sequence": [SEQUENCES[i % len(SEQUENCES)] for i in range(n_units)],
                  "staff": rng.integers(200, 3000, n_units)}).to_csv(
        folder / "units.csv", index=False)
    years = np.arange(2015, 2015 + n_years)
    size = rng.lognormal(4, 0.6, (n_units, 1, n_ind))
    trend = 1 + rng.normal(0.05, 0.03, (n_units, 1, n_ind))
    values = size * trend ** (years - years[0])[None, :, None] * rng.lognormal(
        0, 0.05, (n_units, n_years, n_ind))
    u, y, k = np.meshgrid(np.arange(n_units), np.arange(n_years), np.arange(n_ind), indexing="ij")
    pd.DataFrame({"unit_id": np.array(ids)[u.ravel()], "year": years[y.ravel()],
                  "indicator": np.array([f"ind{j:02d}" for j in range(n_ind)])[k.ravel()],
                  "value": np.round(values.ravel(), 3)}).to_csv(
        folder / "observations.csv", index=False)


def main() -> None:
    """Generate the panel, time each step, print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--units", type=int, default=2850)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--indicators", type=int, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        make_panel(folder, args.units, args.years, args.indicators)
        (folder / "scheme.yaml").write_text(
            yaml.safe_dump(make_scheme(args.indicators), allow_unicode=True), encoding="utf-8")
        gen = time.perf_counter() - t0
        rows = args.units * args.years * args.indicators
        size_mb = (folder / "observations.csv").stat().st_size / 1e6
        print(f"panel: {args.units} units × {args.years} years × {args.indicators} indicators "
              f"= {rows:,} rows ({size_mb:.0f} MB CSV), generated in {gen:.1f} s")
        scheme = load_scheme(folder / "scheme.yaml")
        t0 = time.perf_counter()
        data = load_data(folder)
        t_load = time.perf_counter() - t0
        year = max(data.years)
        t0 = time.perf_counter()
        check_data(data, scheme, year)
        t_check = time.perf_counter() - t0
        t0 = time.perf_counter()
        table = scorecard(data, scheme, year)
        t_score = time.perf_counter() - t0
        print(f"load_data (read + parse + validate): {t_load:6.2f} s")
        print(f"check_data ({year}):                  {t_check:6.2f} s")
        print(f"scorecard ({year}, incl. its check):  {t_score:6.2f} s  ({len(table)} units)")
        print(f"total:                               {t_load + t_check + t_score:6.2f} s")


if __name__ == "__main__":
    main()
