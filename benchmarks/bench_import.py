"""Benchmark: seconds to the first output of ``perfanalysis score`` (issue 14, item 16).

Runs the command on the Yiyang sample in fresh interpreters and prints the median wall time
next to two floors measured in the same run: an empty interpreter and ``import pandas``
(which the command cannot avoid). Also prints the import of ``perfanalysis`` alone.
Aim: under 1 s to first output on a quiet machine.

Run: ``.venv/bin/python benchmarks/bench_import.py [--repeat 5]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCORE = ("from perfanalysis.cli import app; app(['score', '--data', 'data/sample/yiyang', "
         "'--scheme', 'data/schemes/yiyang_2018.yaml'])")


def wall(code: str, repeat: int) -> float:
    """Median seconds for ``python -c code`` (output discarded)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = [
        ("floor: empty interpreter", wall("pass", args.repeat)),
        ("floor: import pandas", wall("import pandas", args.repeat)),
        ("import perfanalysis", wall("import perfanalysis", args.repeat)),
        ("import perfanalysis.cli", wall("import perfanalysis.cli", args.repeat)),
        ("perfanalysis score (Yiyang sample)", wall(SCORE, args.repeat)),
    ]
    for label, seconds in rows:
        print(f"{label:<40} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
