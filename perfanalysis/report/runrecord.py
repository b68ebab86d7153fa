"""The run record (``OUT/run.json``): what went in, with which software, and what came out.

Everything except the ``timestamps`` and ``timings`` fields is a function of the inputs, the
seed and the software, so two runs with the same inputs give byte-identical records once
those two fields are dropped (``stable_view``).
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from ..atomic import write_text_atomic
from ..paths import PROJ_ROOT

VOLATILE_FIELDS = ("timestamps", "timings")
PACKAGES = ("perfanalysis", "pandas", "numpy", "scipy", "statsmodels", "plotly", "kaleido",
            "papermill", "nbconvert", "nbformat", "ipykernel", "pandera", "pydantic",
            "pypandoc-binary", "openpyxl", "typer", "rich")


def sha256_file(path: Path | str) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def package_versions() -> dict[str, str]:
    """Installed versions of the packages a report depends on, plus Python's."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_state(root: Path = PROJ_ROOT) -> dict[str, Any] | None:
    """Commit and dirty flag of the project checkout, or None outside git."""
    if not (root / ".git").exists():
        return None
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, check=True, timeout=20).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                cwd=root, capture_output=True, text=True, check=True,
                                timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": bool(status.strip())}


def now_utc() -> str:
    """Current time, ISO 8601 in UTC (for the volatile ``timestamps`` field)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def dumps(record: dict[str, Any]) -> str:
    """Canonical JSON text: sorted keys, UTF-8 characters kept, trailing newline."""
    return json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_record(path: Path | str, record: dict[str, Any]) -> Path:
    """Write a run record atomically."""
    return write_text_atomic(path, dumps(record))


def read_record(path: Path | str) -> dict[str, Any]:
    """Read a run record."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def stable_view(record: dict[str, Any]) -> dict[str, Any]:
    """The record without timestamps and timings: equal across reruns of the same inputs."""
    return {k: v for k, v in record.items() if k not in VOLATILE_FIELDS}
