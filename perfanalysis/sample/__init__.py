"""The bundled sample data (illustrative values, realistic shapes), seeded.

``counties`` generates the Yiyang counties and the Heshan towns and holds the generator's
pieces (indicator specs, series, ratings cap); ``sources`` the department and town samples of
the other presets, built on those pieces. ``write_all_samples`` regenerates every folder
under ``data/sample/`` (``perfanalysis make-sample``).
"""

from __future__ import annotations

from pathlib import Path

from .counties import (
    DEFAULT_SEED,
    SAMPLE_MARKER,
    SAMPLE_MARKER_TEXT,
    heshan_sample,
    write_sample,
    yiyang_sample,
)
from .sources import SOURCE_SAMPLES

__all__ = ["DEFAULT_SEED", "SAMPLE_MARKER", "SAMPLE_MARKER_TEXT", "SOURCE_SAMPLES",
           "heshan_sample", "is_sample_data", "write_all_samples", "write_sample",
           "yiyang_sample"]


def is_sample_data(path: Path | str) -> bool:
    """True for the bundled sample: a folder (or a workbook's folder) holding SAMPLE.md,
    or any path inside ``data/sample``."""
    from ..paths import SAMPLE_DIR

    p = Path(path).resolve()
    folder = p if p.is_dir() else p.parent
    if (folder / SAMPLE_MARKER).is_file():
        return True
    try:
        p.relative_to(SAMPLE_DIR.resolve())
    except ValueError:
        return False
    return True


def write_all_samples(root: Path | str, seed: int = DEFAULT_SEED) -> list[Path]:
    """Regenerate ``root/yiyang``, ``root/heshan`` and the department and town samples."""
    root = Path(root)
    out = [write_sample(yiyang_sample(seed), root / "yiyang"),
           write_sample(heshan_sample(seed), root / "heshan")]
    out += [write_sample(make(seed), root / name) for name, make in SOURCE_SAMPLES.items()]
    return out
