"""Project paths, resolved from the package location (no side effects at import)."""

from __future__ import annotations

from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJ_ROOT / "data"
SCHEMES_DIR = DATA_DIR / "schemes"
SAMPLE_DIR = DATA_DIR / "sample"
#: real published data sets shipped with their licences (e.g. ``china_provinces``)
REAL_DIR = DATA_DIR / "real"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
REPORTS_DIR = PROJ_ROOT / "reports"
