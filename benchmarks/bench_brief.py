"""Benchmark: the annual brief on a researcher's panel (default 150 units × 20 years × 30
indicators), with fake alternatives tables for three alternatives.

Prints the seconds of ``tier_history`` (every year scored), of ``assemble_brief`` and of the
reply alone (``reply.build_reply``: block scoring, bootstrap intervals, α alternatives) next
to a floor measured in the same run: one ``scorecard`` per scoreable year, called directly.

Run: ``.venv/bin/python benchmarks/bench_brief.py [--units N --years Y --indicators K
--boot B]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load_score import make_panel, make_scheme

from perfanalysis import assemble_brief, load_data, load_scheme, scorecard, tier_history
from perfanalysis.report.reply import build_reply


def main() -> None:
    """Generate the panel, time history and brief against the per-year scorecard floor."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--units", type=int, default=150)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--indicators", type=int, default=30)
    ap.add_argument("--boot", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_panel(folder, args.units, args.years, args.indicators)
        (folder / "scheme.yaml").write_text(
            yaml.safe_dump(make_scheme(args.indicators), allow_unicode=True), encoding="utf-8")
        data = load_data(folder)
        scheme = load_scheme(folder / "scheme.yaml")
        t0 = time.perf_counter()
        hist = tier_history(data, scheme)
        t_hist = time.perf_counter() - t0
        years = sorted(hist.table["year"].unique())
        t0 = time.perf_counter()
        for y in years:
            scorecard(data, scheme, int(y))
        t_floor = time.perf_counter() - t0
        year = int(years[-1])
        now = scorecard(data, scheme, year)
        tables = folder / "out" / "tables"
        tables.mkdir(parents=True)
        alts = []
        for k, label in enumerate(["方案甲", "方案乙", "方案丙"]):
            alt = now[["unit_id", "name", "sequence", "total", "rank", "tier"]].copy()
            alt["total"] = alt["total"] * (1 + 0.01 * k)
            alts.append(alt.assign(study="weightings", alternative=label, kind="scenario"))
        pd.concat(alts).to_csv(tables / "alternatives_weightings.csv", index=False)
        t0 = time.perf_counter()
        brief = assemble_brief(data, scheme, year, tables, boot=args.boot)
        t_brief = time.perf_counter() - t0
        t0 = time.perf_counter()
        reply = build_reply(data, scheme, year, folder, brief.size_col, None, boot=args.boot)
        t_reply = time.perf_counter() - t0
        print(f"panel: {args.units} units × {args.years} years × {args.indicators} indicators; "
              f"{len(years)} scoreable years ({len(hist.skipped)} skipped)")
        print(f"floor: scorecard per scoreable year: {t_floor:6.2f} s")
        print(f"tier_history:                        {t_hist:6.2f} s")
        print(f"assemble_brief (history, flags, 3 alternatives, facts): {t_brief:6.2f} s "
              f"({len(brief.facts)} facts, {len(brief.flags)} follow-up flags)")
        print(f"of which the reply (block, {args.boot} bootstrap draws, "
              f"{len(reply.alternatives)} alternatives): {t_reply:6.2f} s")


if __name__ == "__main__":
    main()
