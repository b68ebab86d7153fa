"""Sweeps: every region × year × scheme × scenario on Dask distributed, resumable and
identical to the serial run (``perfanalysis sweep``)."""

from .cells import Cell, plan
from .runner import SweepResult, run_sweep
from .spec import SweepSpec, load_sweep, sweep_from_mapping

__all__ = ["Cell", "SweepResult", "SweepSpec", "load_sweep", "plan", "run_sweep",
           "sweep_from_mapping"]
