"""Tier probabilities split by draw chunks across Dask workers, equal to the serial run.

Chunk ``i`` draws its random numbers from ``SeedSequence(seed).spawn(n_chunks)[i]`` (the
scheme ``studies.boundaries`` uses), chunks return tallies (counts and sums only) and the
tallies are merged in chunk order, so a run on any number of workers equals the serial run
with the same seed and chunk size, to the byte.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .cells import Cell
from .execute import failure, write_done


def chunk_sizes(draws: int, chunk: int) -> list[int]:
    """Draws per chunk: full chunks, then the remainder."""
    full, rest = divmod(int(draws), int(chunk))
    return [int(chunk)] * full + ([rest] if rest else [])


def chunk_seeds(seed: int, n_chunks: int) -> list[np.random.SeedSequence]:
    """Independent streams, one per chunk: ``SeedSequence(seed).spawn(n_chunks)``, the
    streams ``studies.boundaries.run`` uses."""
    from ..studies.boundaries import chunk_seed

    return [chunk_seed(seed, i) for i in range(n_chunks)]


def _model(cell: Cell) -> Any:
    from ..engine.data import load_data
    from ..engine.scheme import load_scheme
    from ..studies import boundaries

    opts = cell.options
    return boundaries.prepare_model(load_data(cell.data), load_scheme(cell.scheme), cell.year,
                                    noise=opts["noise"],
                                    weights=opts.get("weight_concentration"))


def _simulate(model: Any, seed: np.random.SeedSequence, draws: int) -> Any:
    from ..studies import boundaries

    return boundaries.simulate_chunk(model, seed, draws)


def _finish(cell: Cell, model: Any, started: float, *tallies: Any) -> dict[str, Any]:
    """Merge the chunk tallies (in chunk order), write the tables and the done marker."""
    from ..atomic import atomic_dir
    from ..report.export import write_table
    from ..studies import boundaries

    try:
        merged = boundaries.merge_tallies(list(tallies))
        tables = {"tier_probabilities": boundaries.summarise(model, merged),
                  "tier_uncertainty_summary": boundaries.uncertainty_summary(model, merged)}
        with atomic_dir(cell.out) as stage:
            for name, df in tables.items():
                write_table(df, stage / "tables" / f"{name}.csv")
        probs = tables["tier_probabilities"]
        top = sorted(probs.loc[probs["official_tier"] == model.labels[0], "unit_id"].astype(str))
        outcome = {"outputs": [f"tables/{n}.csv" for n in tables], "top_tier": ",".join(top),
                   "n_units": len(probs), "n_tier_changes": None}
        write_done(cell, outcome)
    except Exception as exc:  # noqa: BLE001 - recorded in the index; the sweep goes on
        return failure(cell, exc, time.time() - started)
    return {"label": cell.label, "key": cell.key, "status": "done",
            "seconds": round(time.time() - started, 2), **outcome}


def run_cell_serial(cell: Cell) -> dict[str, Any]:
    """The serial reference: every chunk in this process, in order."""
    started = time.time()
    try:
        model = _model(cell)
        sizes = chunk_sizes(cell.options["draws"], cell.options["chunk"])
        seeds = chunk_seeds(cell.seed, len(sizes))
        tallies = [_simulate(model, s, n) for s, n in zip(seeds, sizes, strict=True)]
    except Exception as exc:  # noqa: BLE001 - recorded in the index; the sweep goes on
        return failure(cell, exc, time.time() - started)
    return _finish(cell, model, started, *tallies)


def submit_cell(client: Any, cell: Cell) -> Any:
    """Submit one task per chunk and a merging task; returns the merging task's future."""
    started = time.time()
    try:
        model = _model(cell)
    except Exception as exc:  # noqa: BLE001 - recorded in the index; the sweep goes on
        return client.submit(lambda outcome: outcome, failure(cell, exc, 0.0),
                             key=f"cell-{cell.key}", pure=False)
    sizes = chunk_sizes(cell.options["draws"], cell.options["chunk"])
    seeds = chunk_seeds(cell.seed, len(sizes))
    [model_f] = client.scatter([model], broadcast=False)
    chunks = [client.submit(_simulate, model_f, s, n, pure=False)
              for s, n in zip(seeds, sizes, strict=True)]
    return client.submit(_finish, cell, model_f, started, *chunks, key=f"cell-{cell.key}",
                         pure=False)
