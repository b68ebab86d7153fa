"""Run a sweep serially or on Dask distributed, resumably, and write the sweep index.

``run_sweep`` plans the cells, skips the finished ones (same key), runs the rest — in this
process (``workers=0``), on a ``distributed.LocalCluster`` (one process per core by
default) or on an existing scheduler — and writes ``index.parquet`` and ``summary.xlsx``
with one row per cell. Tier-probability cells are split into draw chunks, each a task of
its own, merged in chunk order so the result equals the serial run with the same seed.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from ..atomic import write_atomic
from ..export import write_tables
from . import montecarlo
from .cells import Cell, plan
from .execute import failure, relative, run_cell
from .spec import SweepSpec, load_sweep

INDEX_COLUMNS = ["cell", "kind", "status", "data_name", "split_by", "split_value", "scheme",
                 "year", "parameters", "scenarios", "seconds", "out", "outputs", "top_tier",
                 "n_units", "n_tier_changes", "error", "notebook", "error_cell", "key"]


class SweepProgress(Protocol):
    """What a sweep reports while it works (the CLI draws a rich progress bar)."""

    def started(self, total: int, skipped: int) -> None: ...
    def cell_finished(self, outcome: dict[str, Any]) -> None: ...


class _Silent:
    def started(self, total: int, skipped: int) -> None:
        return None

    def cell_finished(self, outcome: dict[str, Any]) -> None:
        return None


@dataclass
class SweepResult:
    """Counts and the index of a finished sweep."""

    out: Path
    index: pd.DataFrame
    done: int
    skipped: int
    failed: int
    seconds: float
    executor: str


def _skipped(cell: Cell) -> dict[str, Any]:
    record = json.loads((cell.out / "cell.json").read_text(encoding="utf-8"))
    return {"label": cell.label, "key": cell.key, "status": "skipped", "seconds": 0.0,
            **{k: record.get(k) for k in ("outputs", "top_tier", "n_units",
                                           "n_tier_changes")}}


def _row(cell: Cell, outcome: dict[str, Any], root: Path) -> dict[str, Any]:
    c = cell.coords
    return {"cell": cell.label, "kind": cell.kind, "status": outcome["status"],
            "data_name": c.get("data_name"), "split_by": c.get("split_by"),
            "split_value": c.get("split_value"), "scheme": c.get("scheme"),
            "year": cell.year,
            "parameters": json.dumps(cell.params, ensure_ascii=False, sort_keys=True),
            "scenarios": c.get("scenarios"), "seconds": outcome.get("seconds"),
            "out": relative(cell.out, root),
            "outputs": ";".join(outcome.get("outputs") or []),
            "top_tier": outcome.get("top_tier"), "n_units": outcome.get("n_units"),
            "n_tier_changes": outcome.get("n_tier_changes"), "error": outcome.get("error"),
            "notebook": outcome.get("notebook"), "error_cell": outcome.get("cell"),
            "key": cell.key}


def _tiers(cell: Cell) -> pd.Series | None:
    path = cell.out / "tables" / "scores.csv"
    if not path.exists():
        return None
    df = pd.read_csv(path, encoding="utf-8-sig", dtype={"unit_id": str})
    return df.set_index("unit_id")["tier"]


def report_tier_changes(cells: list[Cell], outcomes: dict[str, dict[str, Any]]) -> None:
    """Fill ``n_tier_changes`` of report cells: units whose tier differs from the base cell,
    the first finished report cell of the same data set and year (first scheme, first
    parameter set). The base itself gets 0."""
    base: dict[tuple[Any, ...], pd.Series] = {}
    for cell in cells:
        outcome = outcomes[cell.key]
        if cell.kind != "report" or outcome["status"] == "failed":
            continue
        tiers = _tiers(cell)
        if tiers is None:
            continue
        group = (str(cell.data), cell.year)
        if group not in base:
            base[group] = tiers
        ref = base[group]
        common = ref.index.intersection(tiers.index)
        outcome["n_tier_changes"] = int((ref.loc[common] != tiers.loc[common]).sum())


def write_index(rows: list[dict[str, Any]], out: Path) -> pd.DataFrame:
    """``index.parquet`` (for pandas/DuckDB) and ``summary.xlsx``, written atomically."""
    index = pd.DataFrame(rows, columns=INDEX_COLUMNS)
    for col in ("year", "n_units", "n_tier_changes", "error_cell"):
        index[col] = index[col].astype("Int64")
    index["seconds"] = index["seconds"].astype(float)
    write_atomic(out / "index.parquet", lambda p: index.to_parquet(p, index=False))
    counts = (index.groupby(["kind", "status"]).size().rename("cells").reset_index())
    write_tables({"cells": index, "counts": counts}, out / "summary.xlsx")
    return index


def _serial(cells: list[Cell], progress: SweepProgress) -> dict[str, dict[str, Any]]:
    outcomes: dict[str, dict[str, Any]] = {}
    for cell in cells:
        if cell.kind == "tier_probabilities":
            outcome = montecarlo.run_cell_serial(cell)
        else:
            outcome = run_cell(cell)
        outcomes[cell.key] = outcome
        progress.cell_finished(outcome)
    return outcomes


# A report cell is one long task: the worker's statistical profiler (a stack sample of the
# task thread every 10 ms, taking the GIL from papermill and nbconvert) and the GIL monitor
# buy nothing here; they are switched off in the LocalCluster's workers.
WORKER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.system-monitor.interval": "2s",
}


def worker_environ() -> dict[str, Any]:
    """Environment of the LocalCluster's worker processes (and the kernels they start):
    Dask's defaults without ``MALLOC_TRIM_THRESHOLD_``. Dask sets it to 64 KiB so workers
    hand memory back to the OS at once; a report cell then pays a page fault for nearly
    every array pandas and plotly allocate, measured at +11 % CPU per cell here. One BLAS /
    OpenMP thread per worker stays, and each report cell runs its chapters one at a time
    (``PERFANALYSIS_JOBS=1``): the workers are the parallelism."""
    import dask
    import distributed  # noqa: F401 - loads distributed's defaults into dask.config

    from ..pipeline import JOBS_ENV

    env = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    env.pop("MALLOC_TRIM_THRESHOLD_", None)
    env[JOBS_ENV] = "1"
    for key, value in WORKER_CONFIG.items():  # the worker processes read DASK_* at import
        env["DASK_" + key.upper().replace(".", "__").replace("-", "_")] = str(value)
    return env


def _client(scheduler: str | None, workers: int | None) -> tuple[Any, Any]:
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    n = workers or os.cpu_count() or 1
    with dask.config.set({"distributed.nanny.pre-spawn-environ": worker_environ(),
                          **WORKER_CONFIG}):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=40)
    return Client(cluster), cluster


def _distributed(cells: list[Cell], progress: SweepProgress, scheduler: str | None,
                 workers: int | None) -> dict[str, dict[str, Any]]:
    from distributed import as_completed

    client, cluster = _client(scheduler, workers)
    futures: list[Any] = []
    outcomes: dict[str, dict[str, Any]] = {}
    try:
        for cell in cells:
            if cell.kind == "tier_probabilities":
                futures.append(montecarlo.submit_cell(client, cell))
            else:
                futures.append(client.submit(run_cell, cell, key=f"cell-{cell.key}",
                                             pure=False))
        by_key = {f.key: c for f, c in zip(futures, cells, strict=True)}
        for fut in as_completed(futures):
            cell = by_key[fut.key]
            try:
                outcome = fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker died or a chunk failed: record, go on
                outcome = failure(cell, exc, 0.0)
            outcomes[cell.key] = outcome
            progress.cell_finished(outcome)
    except BaseException:
        client.cancel(futures)  # Ctrl-C: cancel what is queued, keep finished cells
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return outcomes


def run_sweep(spec_file: Path | str, out: Path | str, workers: int | None = None,
              scheduler: str | None = None, progress: SweepProgress | None = None,
              spec: SweepSpec | None = None) -> SweepResult:
    """Run every unfinished cell of a sweep file into ``out`` and write the index.

    ``workers=0`` runs in this process (the serial reference); otherwise a LocalCluster
    with ``workers`` processes (default: one per core) or the Dask ``scheduler`` given.
    """
    progress = progress or _Silent()
    spec_file = Path(spec_file)
    spec = spec or load_sweep(spec_file)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    cells = plan(spec, spec_file, out)
    todo = [c for c in cells if not c.finished()]
    outcomes = {c.key: _skipped(c) for c in cells if c.finished()}
    progress.started(len(cells), len(outcomes))
    executor = "serial" if workers == 0 and not scheduler else (
        f"dask:{scheduler}" if scheduler else "dask:LocalCluster")
    run: Callable[[], dict[str, dict[str, Any]]]
    if executor == "serial":
        def run() -> dict[str, dict[str, Any]]:
            return _serial(todo, progress)
    else:
        def run() -> dict[str, dict[str, Any]]:
            return _distributed(todo, progress, scheduler, workers)
    if todo:
        outcomes.update(run())
    report_tier_changes(cells, outcomes)
    rows = [_row(c, outcomes[c.key], out) for c in cells]
    index = write_index(rows, out)
    status = index["status"]
    return SweepResult(out=out, index=index, done=int((status == "done").sum()),
                       skipped=int((status == "skipped").sum()),
                       failed=int((status == "failed").sum()),
                       seconds=round(time.perf_counter() - t0, 2), executor=executor)
