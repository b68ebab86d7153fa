"""Weights explorer (``perfanalysis explore``): move a weight in the browser and see every
unit's total, rank and tier change at once. ``core`` holds the state and arithmetic (no
browser), ``app`` the Dash page over it."""

from __future__ import annotations

from .core import ExploreError, Explorer, View, evaluate, make_explorer, scenario_yaml, tier_moves

__all__ = ["ExploreError", "Explorer", "View", "evaluate", "make_explorer", "scenario_yaml",
           "tier_moves"]
