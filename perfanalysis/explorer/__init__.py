"""Weights explorer (``perfanalysis explore``): move a weight in the browser and see every
unit's total, rank and tier change at once. ``core`` scores a setting on the engine,
``controls`` turns the page's controls into a setting, ``changes`` sets it beside its
starting point, ``exports`` writes it as a scenario file or a workbook (none of these needs
a browser); ``app`` is the Dash page over them."""

from __future__ import annotations

from .changes import tier_moves
from .core import ExploreError, Explorer, View, evaluate, make_explorer
from .exports import scenario_yaml

__all__ = ["ExploreError", "Explorer", "View", "evaluate", "make_explorer", "scenario_yaml",
           "tier_moves"]
