"""Benchmark of the weights explorer: one update (rescore, rank, tier, size dependence ρ).

Two cases: the national-scale synthetic case of bench_uncertainty (2 850 units, 30
indicators, 31 provincial sequences, tiers by a 20 % quota and two score lines), its leaves
split into four first-level groups (40/25/20/15 points) and a population column for ρ; and
the Yiyang sample. Each update moves one first-level group's points (a different value
every time, so no cache is hit). Printed: the median time of an update without ρ and with
ρ (the page shows ρ in a second step, after the table), next to the engine's own time per
weighting (study 3's weight draws, ranks and tiers included, per draw). Optionally
(``--browser``) the page's update round trip in headless Chromium on the sample: type a
value, wait until the table shows it. Prints figures; asserts nothing about time.

    .venv/bin/python benchmarks/bench_explore.py [--units 2850] [--indicators 30]
        [--sequences 31] [--updates 20] [--draws 20000] [--browser] [--no-national]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import statistics
import tempfile
import time

import numpy as np
from bench_uncertainty import synthetic_data, synthetic_scheme

from perfanalysis import load_data, load_scheme
from perfanalysis.explorer import controls, core
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR
from perfanalysis.studies import boundaries as study

GROUPS = (("g_growth", "发展", 40.0), ("g_people", "民生", 25.0), ("g_green", "生态", 20.0),
          ("g_safety", "安全", 15.0))


def grouped_scheme(k: int) -> dict:
    """The national synthetic scheme with its leaves in four first-level groups."""
    raw = synthetic_scheme(k)
    leaves = raw["components"][0]["children"][0]["children"]
    parts = np.array_split(np.arange(len(leaves)), len(GROUPS))
    children = []
    for (gid, name, pts), idx in zip(GROUPS, parts, strict=True):
        kids = [dict(leaves[i], points=pts / len(idx)) for i in idx]
        children.append({"id": gid, "name": name, "points": pts, "children": kids})
    raw["components"][0]["children"] = children
    return raw


def national(n: int, k: int, n_seq: int, folder: str, seed: int = 0):
    """Synthetic national data (bench_uncertainty's recipe) with a population column."""
    return synthetic_data(n, k, n_seq, folder, seed, scheme=grouped_scheme(k), population=True)


def update_times(ex: core.Explorer, node: str, start_points: float, updates: int,
                 boot: int | None) -> list[float]:
    """Seconds per update, each with new points for ``node`` (no cache hit)."""
    core.evaluate(ex, {}, boot=boot)  # prepare once (cached per year), as the page does
    out = []
    for i in range(updates):
        pts = start_points * (0.8 + 0.4 * i / max(updates - 1, 1)) + 1e-3 * i
        t0 = time.perf_counter()
        core.evaluate(ex, {"points": {node: round(pts, 6)}}, boot=boot)
        out.append(time.perf_counter() - t0)
    return out


def page_times(ex: core.Explorer, node: str, start_points: float, updates: int) -> list[float]:
    """Seconds per call of the page's main callback (setting from the controls, rescore,
    table rows, tier changes with reasons, rank chart), without ρ."""
    from perfanalysis.explorer.app import page_update

    year = max(ex.years)
    start = core.start_view(ex, core.BASE_START, year)
    ids = list(start.node_points)
    tc = controls.tier_controls(ex.scheme)
    kw = {"year": year, "start": core.BASE_START, "alpha": core.start_alpha(ex.scheme),
          "extra": {}, "methods": {}, "quota": [tc.quota_value] if tc.quota_kind else [],
          "lines": [v for _, v in tc.thresholds], "shares": list(tc.shares), "seq": None}
    out = []
    for i in range(updates):
        values = [start.node_points[n] for n in ids]
        values[ids.index(node)] = round(start_points * (0.8 + 0.4 * i / max(updates - 1, 1))
                                        + 1e-3 * i, 6)
        t0 = time.perf_counter()
        res = page_update(ex, ids, {}, values=values, **kw)
        out.append(time.perf_counter() - t0)
        assert res[0] == "", res[0]
    return out


def engine_per_weighting(data, scheme, year: int, draws: int) -> float:
    """Seconds per weighting of the engine's own vectorised path (study 3: Dirichlet weight
    draws scored, ranked and tiered in chunks), one worker."""
    model = study.prepare_model(data, scheme, year, weights=200.0)
    t0 = time.perf_counter()
    study.run(model, draws=draws, seed=1, chunk=1000, workers=1)
    return (time.perf_counter() - t0) / draws


def report(label: str, ex: core.Explorer, node: str, pts: float, updates: int,
           draws: int) -> None:
    bare = update_times(ex, node, pts, updates, None)
    full = update_times(ex, node, pts, updates, core.LIVE_BOOT)
    page = page_times(ex, node, pts, updates)
    eng = engine_per_weighting(ex.data, ex.scheme, max(ex.years), draws)
    n = len(ex.data.units)
    print(f"{label}: {n} units, {len(ex.scheme.indicators())} indicators, "
          f"{ex.data.units['sequence'].nunique()} sequences")
    print(f"  one update (rescore, rank, tier):        median {1e3 * statistics.median(bare):7.1f} ms"
          f" (min {1e3 * min(bare):.1f}, {updates} updates)")
    print(f"  one update with size dependence ρ ({core.LIVE_BOOT} boot): median "
          f"{1e3 * statistics.median(full):7.1f} ms (min {1e3 * min(full):.1f})")
    print(f"  the page's main callback (+ table rows, tier changes, chart): median "
          f"{1e3 * statistics.median(page):7.1f} ms (min {1e3 * min(page):.1f})")
    print(f"  engine's own time per weighting (ranks and tiers, vectorised): "
          f"{1e3 * eng:.3f} ms ({draws} draws)")


def browser_round_trip(repeats: int) -> None:
    """Type a new 党的建设 value into the page and wait for the table to change; headless
    Chromium on the Yiyang sample. Prints the median round trip."""
    import threading

    from selenium import webdriver
    from selenium.webdriver.common.keys import Keys

    from perfanalysis.explorer.app import build_app

    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    ex = core.make_explorer(load_data(SAMPLE_DIR / "yiyang", scheme), scheme)
    app = build_app(ex)
    port = 8799
    threading.Thread(target=lambda: app.run(port=port, debug=False), daemon=True).start()
    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--window-size=1500,2100"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(options=opts)
    try:
        driver.get(f"http://127.0.0.1:{port}/")
        time.sleep(5)
        sel = "[id='{\"node\":\"party_building\",\"type\":\"pts\"}'] input"
        eff = "[id='{\"node\":\"party_building\",\"type\":\"eff\"}']"
        times = []
        driver.set_script_timeout(30)
        for i in range(repeats):
            value = 21 + i % 9
            box = driver.find_element("css selector", sel)
            box.send_keys(Keys.CONTROL, "a")
            box.send_keys(str(value))
            driver.execute_script("window.__t0 = performance.now();")
            box.send_keys(Keys.TAB)
            # timed inside the page (performance.now), so WebDriver's own latency is not in it
            ms = driver.execute_async_script("""
                const done = arguments[arguments.length - 1], want = arguments[0];
                const el = () => document.querySelector(arguments[1]);
                (function poll() {
                  if (el() && el().textContent === want) done(performance.now() - window.__t0);
                  else setTimeout(poll, 2);
                })();""", f"{value:.2f}", eff)
            times.append(ms / 1e3)
        print(f"  page round trip in headless Chromium (value committed → table and chart "
              f"updated): median {1e3 * statistics.median(times):.0f} ms ({repeats} updates)")
    finally:
        driver.quit()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=2850)
    ap.add_argument("--indicators", type=int, default=30)
    ap.add_argument("--sequences", type=int, default=31)
    ap.add_argument("--updates", type=int, default=20)
    ap.add_argument("--draws", type=int, default=20_000)
    ap.add_argument("--browser", action="store_true", help="also time the page in Chromium")
    ap.add_argument("--no-national", action="store_true", help="the sample only")
    args = ap.parse_args()
    if not args.no_national:
        with tempfile.TemporaryDirectory() as tmp:
            data, scheme = national(args.units, args.indicators, args.sequences, tmp)
            ex = core.make_explorer(data, scheme)
            report("national synthetic", ex, "g_green", 20.0, args.updates, args.draws)
    scheme = load_scheme(SCHEMES_DIR / "yiyang_2018.yaml")
    ex = core.make_explorer(load_data(SAMPLE_DIR / "yiyang", scheme), scheme)
    report("Yiyang sample", ex, "party_building", 20.0, args.updates, args.draws)
    if args.browser:
        browser_round_trip(10)


if __name__ == "__main__":
    main()
