"""Sweeps: the sweep file, the cells, resume, failures, and Dask = serial (byte for byte)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from perfanalysis.cli import app
from perfanalysis.engine.scheme import load_scheme
from perfanalysis.errors import SweepError
from perfanalysis.report.runrecord import read_record, stable_view
from perfanalysis.sweeps import load_sweep, plan, run_sweep, sweep_from_mapping

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SCHEMES = ROOT / "data" / "schemes"


def _spec(tmp_path: Path, inputs: list[dict], **extra) -> Path:
    body = {"name": "测试", "seed": 7, "grid": {"inputs": inputs},
            "produce": {"reports": {"notebooks": ["00_scorecard"], "renderer": "nbconvert",
                                    "png": False}}}
    body.update(extra)
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the sweep file -----------------------------------------------------------------------
def test_unknown_key_names_path_and_suggests() -> None:
    raw = {"name": "x", "grid": {"inputs": [{"data": "d", "schemes": ["s"], "split_bi": "p"}]},
           "produce": {"compare": False, "reports": {}}}
    with pytest.raises(SweepError) as err:
        sweep_from_mapping(raw, file="s.yaml")
    text = str(err.value)
    assert "grid.inputs[0].split_bi" in text and "did you mean 'split_by'" in text
    assert text.startswith("s.yaml")


def test_nothing_to_produce_and_compare_without_scenarios_are_errors() -> None:
    base = {"name": "x", "grid": {"inputs": [{"data": "d", "schemes": ["s"]}]}}
    with pytest.raises(SweepError, match="nothing to produce"):
        sweep_from_mapping({**base, "produce": {}})
    with pytest.raises(SweepError, match="grid.scenarios"):
        sweep_from_mapping({**base, "produce": {"compare": True}})


def test_missing_files_are_listed_with_their_key(tmp_path: Path) -> None:
    path = _spec(tmp_path, [{"data": "nowhere", "schemes": ["none.yaml"]}])
    with pytest.raises(SweepError) as err:
        load_sweep(path)
    assert "grid.inputs[0].data: nowhere does not exist" in str(err.value)
    assert "grid.inputs[0].schemes[0]: none.yaml does not exist" in str(err.value)


def test_cli_bad_sweep_file_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\ngrid: {inputs: []}\nproduce: {compare: true}\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["sweep", "--spec", str(path), "--out", str(tmp_path / "o"),
                                   "--workers", "0"])
    assert res.exit_code == 1
    assert "grid.inputs" in res.output
    assert not (tmp_path / "o" / "index.parquet").exists()


# --- cells ---------------------------------------------------------------------------------
def test_plan_keys_are_content_addressed(tmp_path: Path) -> None:
    inputs = [{"data": str(SAMPLE / "yiyang"), "schemes": [str(SCHEMES / "yiyang_2018.yaml")],
               "years": [2018, 2019]}]
    path = _spec(tmp_path, inputs, grid={"inputs": inputs, "parameters": {"n_nearest": [2, 3]}})
    spec = load_sweep(path)
    cells = plan(spec, path, tmp_path / "out")
    # 2 years × 2 parameter values = 4 report cells, all keys distinct
    assert [c.kind for c in cells] == ["report"] * 4
    assert len({c.key for c in cells}) == 4
    again = plan(spec, path, tmp_path / "out")
    assert [c.key for c in again] == [c.key for c in cells]
    # another seed changes every key
    other = plan(spec.model_copy(update={"seed": 8}), path, tmp_path / "out")
    assert not {c.key for c in other} & {c.key for c in cells}


def test_split_by_writes_one_data_set_per_value(tmp_path: Path) -> None:
    inputs = [{"data": str(SAMPLE / "heshan"), "name": "hs", "split_by": "sequence",
               "schemes": [str(SCHEMES / "heshan_2013.yaml")], "years": [2013]}]
    path = _spec(tmp_path, inputs)
    cells = plan(load_sweep(path), path, tmp_path / "out")
    units = pd.read_csv(SAMPLE / "heshan" / "units.csv", encoding="utf-8-sig")
    values = sorted(units["sequence"].astype(str).unique())
    assert [c.coords["split_value"] for c in cells] == values
    for cell in cells:
        part = pd.read_csv(cell.data / "units.csv", encoding="utf-8-sig")
        assert set(part["sequence"]) == {cell.coords["split_value"]}
        obs = pd.read_csv(cell.data / "observations.csv", encoding="utf-8-sig")
        assert set(obs["unit_id"]) <= set(part["unit_id"])
    # rewriting the split keeps the files (and so the keys) unchanged
    again = plan(load_sweep(path), path, tmp_path / "out")
    assert [c.key for c in again] == [c.key for c in cells]


def test_split_by_unknown_column_is_an_error(tmp_path: Path) -> None:
    inputs = [{"data": str(SAMPLE / "heshan"), "split_by": "prefecture",
               "schemes": [str(SCHEMES / "heshan_2013.yaml")]}]
    path = _spec(tmp_path, inputs)
    with pytest.raises(SweepError, match="no column 'prefecture'"):
        plan(load_sweep(path), path, tmp_path / "out")


# --- running: serial, resume, failure, Dask ------------------------------------------------
@pytest.mark.slow
def test_sweep_serial_resume_failure_and_dask_identical(tmp_path: Path) -> None:
    inputs = [
        {"data": str(SAMPLE / "yiyang"), "name": "yy",
         "schemes": [str(SCHEMES / "yiyang_2018.yaml")], "years": [2019]},
        {"data": str(SAMPLE / "heshan"), "name": "hs",
         "schemes": [str(SCHEMES / "heshan_2013.yaml")], "years": [2013]},
        # a cell made to fail: the Heshan scheme cannot score the Yiyang data
        {"data": str(SAMPLE / "yiyang"), "name": "bad",
         "schemes": [str(SCHEMES / "heshan_2013.yaml")], "years": [2019]},
    ]
    path = _spec(tmp_path, inputs)
    out = tmp_path / "sweep"

    serial = run_sweep(path, out, workers=0)
    assert (serial.done, serial.skipped, serial.failed) == (2, 0, 1)
    index = pd.read_parquet(out / "index.parquet")
    bad = index.loc[index["status"] == "failed"].iloc[0]
    assert bad["cell"].startswith("bad-") and bad["error"]
    assert set(index.loc[index["status"] == "done", "n_units"]) == {8, 16}
    yy = index.set_index("data_name").loc["yy"]
    scores = pd.read_csv(out / yy["out"] / "tables" / "scores.csv", encoding="utf-8-sig")
    best = load_scheme(SCHEMES / "yiyang_2018.yaml").tiers.labels[0]
    assert yy["top_tier"] == ",".join(sorted(scores.loc[scores["tier"] == best, "unit_id"]))

    # resume: the two finished cells are skipped, the failed one is tried again
    again = run_sweep(path, out, workers=0)
    assert (again.done, again.skipped, again.failed) == (0, 2, 1)

    kept = tmp_path / "serial"
    shutil.move(out, kept)
    # one worker process: the identity with the serial run is what is checked (results
    # computed in another process, sent back through Dask); a second worker would only add
    # its start-up (measured 24 vs 16 s CPU for this step)
    dask = run_sweep(path, out, workers=1)
    assert dask.executor == "dask:LocalCluster"
    assert (dask.done, dask.skipped, dask.failed) == (2, 0, 1)
    a, b = _files(kept / "cells"), _files(out / "cells")
    assert a.keys() == b.keys()
    for name in a:
        if name.endswith((".csv", "cell.json")):
            assert a[name] == b[name], name
        if name.endswith("run.json"):
            ra, rb = read_record(kept / "cells" / name), read_record(out / "cells" / name)
            assert stable_view(ra) == stable_view(rb), name


def test_cli_exit_status_is_the_number_failed(tmp_path: Path) -> None:
    inputs = [{"data": str(SAMPLE / "yiyang"), "name": "bad",
               "schemes": [str(SCHEMES / "heshan_2013.yaml")], "years": [2018, 2019]}]
    path = _spec(tmp_path, inputs)
    res = CliRunner().invoke(app, ["sweep", "--spec", str(path), "--out", str(tmp_path / "o"),
                                   "--workers", "0"])
    assert res.exit_code == 2, res.output
    index = pd.read_parquet(tmp_path / "o" / "index.parquet")
    assert list(index["status"]) == ["failed", "failed"]
    assert index["error"].str.len().min() > 0


def test_report_tier_changes_against_the_base_cell(tmp_path: Path) -> None:
    from perfanalysis.sweeps.cells import Cell
    from perfanalysis.sweeps.runner import report_tier_changes

    def cell(name: str, tiers: list[str], year: int = 2019) -> Cell:
        out = tmp_path / name
        (out / "tables").mkdir(parents=True)
        pd.DataFrame({"unit_id": ["a", "b", "c"], "tier": tiers}).to_csv(
            out / "tables" / "scores.csv", index=False, encoding="utf-8-sig")
        return Cell("report", name, name, tmp_path / "data", tmp_path / "s.yaml", year, 1, out)

    cells = [cell("base", ["优秀", "达标", "达标"]), cell("alt", ["达标", "优秀", "达标"]),
             cell("other_year", ["达标", "达标", "达标"], year=2018)]
    outcomes = {c.key: {"status": "done"} for c in cells}
    report_tier_changes(cells, outcomes)
    # alt differs from base for a and b (2 units); other_year is its own base (0)
    assert [outcomes[c.key]["n_tier_changes"] for c in cells] == [0, 2, 0]


@pytest.mark.slow
def test_monte_carlo_chunks_on_dask_equal_the_serial_run(tmp_path: Path) -> None:
    from perfanalysis import load_data
    from perfanalysis.studies import boundaries
    from perfanalysis.sweeps.montecarlo import chunk_seeds, chunk_sizes

    # chunk i's stream is SeedSequence(seed).spawn(n)[i]
    spawned = np.random.SeedSequence(7).spawn(3)
    assert [s.generate_state(2).tolist() for s in chunk_seeds(7, 3)] == \
        [s.generate_state(2).tolist() for s in spawned]
    assert chunk_sizes(2500, 1000) == [1000, 1000, 500]

    inputs = [{"data": str(SAMPLE / "heshan"), "name": "hs",
               "schemes": [str(SCHEMES / "heshan_2013.yaml")], "years": [2013]}]
    path = _spec(tmp_path, inputs, produce={
        "tier_probabilities": {"draws": 1300, "chunk": 400, "noise": 0.05}})
    serial = run_sweep(path, tmp_path / "serial", workers=0)
    dask = run_sweep(path, tmp_path / "dask", workers=2)
    assert serial.done == dask.done == 1
    a, b = _files(tmp_path / "serial" / "cells"), _files(tmp_path / "dask" / "cells")
    assert a.keys() == b.keys() and any(k.endswith("tier_probabilities.csv") for k in a)
    assert a == b
    # and both equal the study's own serial run with the same seed and chunk size
    data = load_data(SAMPLE / "heshan")
    scheme = load_scheme(SCHEMES / "heshan_2013.yaml")
    model = boundaries.prepare_model(data, scheme, 2013, noise=0.05)
    tally = boundaries.run(model, draws=1300, seed=7, chunk=400)
    expected = boundaries.summarise(model, tally)
    [name] = [k for k in a if k.endswith("tier_probabilities.csv")]
    got = pd.read_csv(tmp_path / "serial" / "cells" / name, encoding="utf-8-sig")
    for col in [c for c in expected.columns if c.startswith("p_")]:
        np.testing.assert_array_equal(got[col].to_numpy(), expected[col].to_numpy())
    assert tally.draws == 1300


def test_compare_cells_write_the_comparison_and_count_tier_changes(tmp_path: Path) -> None:
    inputs = [{"data": str(SAMPLE / "yiyang"), "name": "yy",
               "schemes": [str(SCHEMES / "yiyang_2018.yaml")], "years": [2019]}]
    scen = ROOT / "data" / "scenarios" / "yiyang_reform.yaml"
    path = _spec(tmp_path, inputs, grid={"inputs": inputs, "scenarios": [str(scen)]},
                 produce={"compare": True})
    result = run_sweep(path, tmp_path / "o", workers=0)
    assert (result.done, result.failed) == (1, 0), result.index["error"].tolist()
    row = result.index.iloc[0]
    summary = pd.read_csv(tmp_path / "o" / row["out"] / "tables" / "scenario_summary.csv",
                          encoding="utf-8-sig")
    assert row["n_tier_changes"] == summary["n_tier_changes"].sum()
    assert (tmp_path / "o" / row["out"] / "compare.xlsx").exists()
    totals = pd.read_csv(tmp_path / "o" / row["out"] / "tables" / "scenario_totals.csv",
                         encoding="utf-8-sig")
    assert row["n_units"] == totals["unit_id"].nunique()


def test_local_cluster_workers_keep_freed_memory_and_skip_the_profiler() -> None:
    """The LocalCluster's workers (and the kernels they start) run without Dask's 64 KiB
    ``MALLOC_TRIM_THRESHOLD_`` (a page fault per array: +11 % CPU per report cell) and
    without the 10 ms stack profiler; one BLAS thread per worker stays."""
    import dask

    from perfanalysis.sweeps.runner import _client, worker_environ

    env = worker_environ()
    assert "MALLOC_TRIM_THRESHOLD_" not in env and env["OMP_NUM_THREADS"] in (1, "1")
    client, cluster = _client(None, 1)
    try:
        got = client.run(lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"),
                                  os.environ.get("OPENBLAS_NUM_THREADS"),
                                  dask.config.get("distributed.worker.profile.enabled"),
                                  os.environ.get("PERFANALYSIS_JOBS")))
    finally:
        client.close()
        cluster.close()
    (malloc, blas, profile, jobs), = got.values()
    # each report cell runs its chapters one at a time: the workers are the parallelism
    assert malloc is None and blas == "1" and profile is False and jobs == "1"
