"""Table export: CSV (UTF-8 with BOM so Excel on Chinese Windows opens it) or XLSX, atomic."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .atomic import write_atomic
from .errors import PerfAnalysisError


def write_table(df: pd.DataFrame, path: Path | str, sheet: str = "table") -> Path:
    """Write one table to .csv or .xlsx atomically; the format follows the suffix."""
    return write_tables({sheet: df}, path)


def write_tables(tables: Mapping[str, pd.DataFrame], path: Path | str) -> Path:
    """Write tables to one .xlsx (a sheet each) or, for a single table, one .csv."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if len(tables) != 1:
            raise PerfAnalysisError(f"{path}: a CSV file holds one table; use .xlsx for several")
        (df,) = tables.values()
        data = df.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
        return write_atomic(path, lambda p: p.write_bytes(data))
    if suffix == ".xlsx":
        def writer(p: Path) -> None:
            with pd.ExcelWriter(p, engine="openpyxl") as xw:
                for name, df in tables.items():
                    df.to_excel(xw, sheet_name=name[:31], index=False)
        return write_atomic(path, writer)
    raise PerfAnalysisError(f"{path}: unsupported output format '{suffix}' (use .csv or .xlsx)")
