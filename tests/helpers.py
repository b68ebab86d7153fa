"""Test helpers: small datasets written to tmp folders, preset mappings, reference-data path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from perfanalysis.paths import PROJ_ROOT, SCHEMES_DIR


def write_dataset(folder: Path, tables: dict[str, Any]) -> Path:
    """Write tables (DataFrames or lists of dicts) as CSVs into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
        df.to_csv(folder / f"{name}.csv", index=False)
    return folder


def preset_mapping(name: str) -> dict[str, Any]:
    """A preset scheme as a plain mapping, for building variants in tests."""
    return yaml.safe_load((SCHEMES_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def reference_dir() -> Path | None:
    """shared/reference-data beside the checkout (CI) or under /work/shared (dev)."""
    for base in (PROJ_ROOT.parent / "shared", Path("/work/shared")):
        if (base / "reference-data").is_dir():
            return base / "reference-data"
    return None
