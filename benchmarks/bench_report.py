"""Benchmark of the annual report run (``make report``): seconds per chapter notebook, for
collecting tables, and for the render step, plus the outputs' sizes.

Cases: the Yiyang sample (what ``make report`` runs), or the synthetic national case of
``bench_uncertainty`` (2 850 units in 31 sequences, 30 indicators, years 2015–2019) written
to a temporary folder. The machine's load average is printed before and after, and the CPU
time of the run (kernels and renderer included): on a shared machine the wall times are
upper bounds and the CPU time is the figure to compare. Prints figures; asserts nothing about time.

    .venv/bin/python benchmarks/bench_report.py [--case sample|national] [--renderer auto]
        [--no-png] [--units 2850 --sequences 31 --indicators 30] [-p key=value ...]
        [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from perfanalysis.paths import PROJ_ROOT
from perfanalysis.report.pipeline import RunConfig, run_report


class _Clock:
    """Progress sink: remembers when each step started (collecting tables, rendering)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []

    def step(self, message: str) -> None:
        """Remember when the step started (the next one ends it)."""
        self.steps.append((message, time.perf_counter()))

    def notebook_started(self, name: str, n_cells: int) -> None:
        return None

    def cell_done(self, name: str) -> None:
        return None

    def notebook_finished(self, name: str, seconds: float) -> None:
        print(f"  {name:<36} {seconds:7.1f} s", flush=True)


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its finished children (kernels,
    the browser, quarto and pandoc are counted once they have exited)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def kernel_floor() -> float:
    """Seconds for the floor every chapter pays: start a ``python3`` kernel, run
    ``import perfanalysis`` and the notebook helpers in it, shut it down (measured in the
    same run, so it shares the machine's load)."""
    code = (
        "import time, jupyter_client\n"
        "t = time.perf_counter()\n"
        "km, kc = jupyter_client.manager.start_new_kernel(kernel_name='python3')\n"
        "kc.execute_interactive('import perfanalysis as pa\\n"
        "from perfanalysis.report import notebook as nb', timeout=120)\n"
        "kc.stop_channels(); km.shutdown_kernel(now=False)\n"
        "print(time.perf_counter() - t)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return float(done.stdout.strip().splitlines()[-1])


def national_case(folder: Path, units: int, sequences: int, indicators: int
                  ) -> tuple[Path, Path]:
    """bench_uncertainty's synthetic national data and scheme, as files a run reads."""
    from bench_uncertainty import synthetic_data, synthetic_scheme

    synthetic_data(units, indicators, sequences, str(folder / "data"))
    raw = synthetic_scheme(indicators)
    raw["sequences"] = {f"p{i:02d}": f"省份{i + 1:02d}" for i in range(sequences)}
    raw.setdefault("comparison_group", "sequence")
    scheme = folder / "national.yaml"
    scheme.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return folder / "data", scheme


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", choices=("sample", "national"), default="sample")
    ap.add_argument("--renderer", default="auto")
    ap.add_argument("--no-png", action="store_true", help="PERFANALYSIS_PNG=0 (no kaleido)")
    ap.add_argument("--units", type=int, default=2850)
    ap.add_argument("--sequences", type=int, default=31)
    ap.add_argument("--indicators", type=int, default=30)
    ap.add_argument("-p", dest="params", action="append", default=[],
                    help="study parameter key=value (e.g. -p draws=200)")
    ap.add_argument("--out", type=Path, default=None, help="keep the report here")
    ap.add_argument("--jobs", type=int, default=None,
                    help="notebooks at once (default: PERFANALYSIS_JOBS, else the cores)")
    args = ap.parse_args()
    if args.no_png:
        os.environ["PERFANALYSIS_PNG"] = "0"
    params = dict(p.split("=", 1) for p in args.params)
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.case == "sample":
            data = PROJ_ROOT / "data" / "sample" / "yiyang"
            scheme = PROJ_ROOT / "data" / "schemes" / "yiyang_2018.yaml"
            year = 2019
        else:
            t0 = time.perf_counter()
            data, scheme = national_case(work, args.units, args.sequences, args.indicators)
            year = 2019
            print(f"national case: {args.units} units, {args.sequences} sequences, "
                  f"{args.indicators} indicators, generated in {time.perf_counter() - t0:.1f} s")
        out = args.out or work / "report"
        floor = kernel_floor()
        print(f"floor: kernel start + import perfanalysis {floor:7.1f} s")
        clock = _Clock()
        cpu0 = _cpu()
        t0 = time.perf_counter()
        result = run_report(RunConfig(data=data, scheme=scheme, out=out, year=year,
                                      renderer=args.renderer, params=params, jobs=args.jobs),
                            clock)
        total = time.perf_counter() - t0
        cpu1 = _cpu()
        timings = result.record["timings"]
        png = result.record["png_export"]
        if "png" in timings:
            print(f"chart PNGs (one browser session):{'':<4} {timings['png']:7.1f} s")
        print(f"render ({result.renderer}):{'':<21} {timings['render']:7.1f} s")
        chapters = sum(v for k, v in timings.items() if k.endswith(".ipynb"))
        print(f"chapters together:{'':<19} {chapters:7.1f} s")
        print(f"total (validate … run.json):{'':<9} {total:7.1f} s")
        print(f"CPU: this process {cpu1[0] - cpu0[0]:.1f} s, its children (kernels, browser, "
              f"quarto) {cpu1[1] - cpu0[1]:.1f} s")
        ends = [t for _, t in clock.steps[1:]] + [t0 + total]
        for (message, begun), ended in zip(clock.steps, ends, strict=True):
            print(f"  step {message.split(' / ')[-1]:<34} {ended - begun:7.1f} s (wall)")
        print(f"charts: {png['figures']} ({png['figures_with_png']} with PNG: {png['note']})")
        for name in ("report.html", "report.docx", "scores.xlsx"):
            path = out / name
            if path.exists():
                print(f"{name:<12} {path.stat().st_size / 1e6:6.1f} MB")
        for nb in sorted((out / "notebooks").glob("*.ipynb")):
            print(f"  {nb.name:<40} {nb.stat().st_size / 1e6:6.1f} MB")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
