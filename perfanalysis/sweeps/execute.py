"""Run one grid cell into its own atomic folder and describe the outcome for the index.

Every cell kind ends the same way: its folder is complete (built in a staging folder and
swapped in), then ``cell.json`` is written last with the cell's key. A failing cell raises
nothing: its outcome says ``failed`` with the notebook, cell and message, so the sweep goes
on with the other cells.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ..atomic import write_text_atomic
from ..report.runrecord import dumps
from .cells import DONE_FILE, Cell

_NB_FAIL = re.compile(r"notebook (?P<nb>\S+) failed at cell (?P<cell>\d+)")


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    """Set environment variables for the duration (kernels started inside inherit them)."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _top_set(table: pd.DataFrame, top_label: str) -> str:
    ids = sorted(table.loc[table["tier"] == top_label, "unit_id"].astype(str))
    return ",".join(ids)


def _report(cell: Cell) -> dict[str, Any]:
    from ..engine.scheme import load_scheme
    from ..report.pipeline import RunConfig, run_report

    opts = cell.options
    config = RunConfig(data=cell.data, scheme=cell.scheme, out=cell.out, year=cell.year,
                       seed=cell.seed, renderer=opts.get("renderer", "auto"),
                       params={k: str(v) for k, v in cell.params.items()},
                       notebooks_dir=cell.notebooks_dir or RunConfig.notebooks_dir,
                       reports_dir=cell.reports_dir or RunConfig.reports_dir)
    with _env(PERFANALYSIS_PNG="1" if opts.get("png") else "0"):
        result = run_report(config)
    scores = pd.read_csv(cell.out / "tables" / "scores.csv", encoding="utf-8-sig",
                         dtype={"unit_id": str})
    top = load_scheme(cell.scheme).tiers.labels[0]
    return {"outputs": [str(result.report_html.relative_to(cell.out))]
            + ([str(result.report_docx.relative_to(cell.out))] if result.report_docx else []),
            "top_tier": _top_set(scores, top), "n_units": len(scores),
            "n_tier_changes": None}


def _compare(cell: Cell) -> dict[str, Any]:
    from ..atomic import atomic_dir
    from ..engine.data import load_data
    from ..engine.scenarios import load_scenarios
    from ..engine.scheme import load_scheme
    from ..report.export import write_table, write_tables
    from ..studies.weightings import BASE_NAME, compare_scenarios

    data = load_data(cell.data)
    scheme = load_scheme(cell.scheme)
    result = compare_scenarios(data, scheme, load_scenarios(cell.scenarios, scheme), cell.year)
    tables = result.tables()
    with atomic_dir(cell.out) as stage:
        for name, df in tables.items():
            write_table(df, stage / "tables" / f"{name}.csv")
        write_tables(tables, stage / "compare.xlsx")
    summary = tables["scenario_summary"]
    totals = tables["scenario_totals"]
    base = totals.loc[totals["scenario"] == BASE_NAME]
    return {"outputs": ["compare.xlsx"], "top_tier": _top_set(base, scheme.tiers.labels[0]),
            "n_units": int(base["unit_id"].nunique()),
            "n_tier_changes": int(summary["n_tier_changes"].sum())}


def write_done(cell: Cell, outcome: dict[str, Any]) -> None:
    """Mark a finished cell: ``cell.json`` (its key, kind and headline figures), last."""
    record = {"key": cell.key, "kind": cell.kind, "label": cell.label,
              **{k: outcome.get(k) for k in ("outputs", "top_tier", "n_units",
                                              "n_tier_changes")}}
    write_text_atomic(cell.out / DONE_FILE, dumps(record))


def failure(cell: Cell, exc: BaseException, seconds: float) -> dict[str, Any]:
    """The outcome of a failed cell: which notebook and cell, and the message."""
    text = str(exc)
    m = _NB_FAIL.search(text)
    return {"label": cell.label, "key": cell.key, "status": "failed",
            "seconds": round(seconds, 2), "error": text.splitlines()[0] if text else repr(exc),
            "error_type": type(exc).__name__,
            "notebook": m.group("nb") if m else None,
            "cell": int(m.group("cell")) if m else None,
            "traceback": "".join(traceback.format_exception(exc))[-4000:]}


def run_cell(cell: Cell) -> dict[str, Any]:
    """Run a report or compare cell; never raises for the cell's own errors."""
    t0 = time.perf_counter()
    try:
        if cell.kind == "report":
            outcome = _report(cell)
        elif cell.kind == "compare":
            outcome = _compare(cell)
        else:
            raise ValueError(f"run_cell does not run {cell.kind} cells "
                             "(tier probabilities are split into draw chunks)")
        write_done(cell, outcome)
    except Exception as exc:  # noqa: BLE001 - any failure of a cell is recorded, the sweep goes on
        return failure(cell, exc, time.perf_counter() - t0)
    return {"label": cell.label, "key": cell.key, "status": "done",
            "seconds": round(time.perf_counter() - t0, 2), **outcome}


def relative(path: Path, root: Path) -> str:
    """A path relative to the sweep folder, for the index."""
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)
