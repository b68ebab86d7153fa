"""Sweep throughput: report cells per minute serially and on a Dask LocalCluster.

Builds a grid of at least 40 report cells on the Yiyang sample (every year the sample can
score × values of a notebook parameter), runs it once in this process (``workers=0``) and
once on a LocalCluster with one worker process per core, checks that both wrote the same
tables, and prints cells per minute, the scaling ratio, and next to it its ceiling measured
in the same run: the cores over the serial run's CPU use (machine-wide busy time / wall
time), with the core-seconds each cell cost in either run.

Run: .venv/bin/python benchmarks/bench_sweep.py [--cells 40] [--workers N] [--full]
(``--full`` runs every chapter instead of the scorecard only.)
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

import yaml

from perfanalysis import load_data, load_scheme
from perfanalysis.engine.data import check_data
from perfanalysis.errors import PerfAnalysisError
from perfanalysis.sweeps import run_sweep

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "sample" / "yiyang"
SCHEME = ROOT / "data" / "schemes" / "yiyang_2018.yaml"


def busy_seconds() -> float:
    """CPU seconds the whole machine has been busy (every process, every core: /proc/stat),
    so the sweep's scheduler, workers, kernels and pandoc all count."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            ticks = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return float("nan")
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def scorable_years() -> list[int]:
    data, scheme = load_data(DATA), load_scheme(SCHEME)
    years = []
    for y in data.years:
        try:
            check_data(data, scheme, y)
        except PerfAnalysisError:
            continue
        years.append(y)
    return years


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cells", type=int, default=40)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--full", action="store_true", help="every chapter, not only the scorecard")
    args = ap.parse_args()
    years = scorable_years()
    n_values = -(-args.cells // len(years))  # ceil
    spec = {"name": "bench", "seed": 1,
            "grid": {"inputs": [{"data": str(DATA), "schemes": [str(SCHEME)], "years": years}],
                     "parameters": {"n_nearest": list(range(1, n_values + 1))}},
            "produce": {"reports": {"renderer": "nbconvert", "png": False,
                                    **({} if args.full else {"notebooks": ["00_scorecard"]})}}}
    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    try:
        path = tmp / "sweep.yaml"
        path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
        b0 = busy_seconds()
        serial = run_sweep(path, tmp / "serial", workers=0)
        b1 = busy_seconds()
        dask = run_sweep(path, tmp / "dask", workers=args.workers)
        b2 = busy_seconds()
        n = serial.done
        assert serial.failed == dask.failed == 0, "cells failed"
        same = all(
            (a / "tables" / t.name).read_bytes() == t.read_bytes()
            for a, b in zip(sorted((tmp / "serial" / "cells").iterdir()),
                            sorted((tmp / "dask" / "cells").iterdir()), strict=True)
            for t in sorted((b / "tables").glob("*.csv")))
        assert same, "Dask tables differ from the serial run"
        s_rate = n / serial.seconds * 60
        d_rate = n / dask.seconds * 60
        print(f"grid: {n} report cells ({len(years)} years × {n_values} parameter values), "
              f"{'every chapter' if args.full else 'scorecard chapter'}, cores: {os.cpu_count()}")
        s_util, d_util = (b1 - b0) / serial.seconds, (b2 - b1) / dask.seconds
        print(f"serial (floor: one process)   : {serial.seconds:7.1f} s  {s_rate:6.1f} cells/min"
              f"  machine busy {b1 - b0:6.1f} core-s = {s_util:.2f} cores, "
              f"{(b1 - b0) / n:.2f} core-s per cell")
        print(f"Dask LocalCluster, {args.workers} workers : {dask.seconds:7.1f} s  "
              f"{d_rate:6.1f} cells/min  machine busy {b2 - b1:6.1f} core-s = {d_util:.2f} "
              f"cores, {(b2 - b1) / n:.2f} core-s per cell")
        ceiling = min(args.workers, os.cpu_count() or args.workers) / s_util
        print(f"scaling: {d_rate / s_rate:.2f}× over serial; ceiling {ceiling:.2f}× "
              f"({min(args.workers, os.cpu_count() or args.workers)} cores / the serial run's "
              f"{s_util:.2f}); tables identical: yes")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
