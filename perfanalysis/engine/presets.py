"""The preset schemes (``data/schemes/*.yaml``) a data set or a workbook fits.

Data made for another scheme get one clear error naming the presets that match them, from
the data check (``data``) and from the office reader (``office``) alike. The share rule and
the walk over the presets live here, so those two modules need not import each other.
"""

from __future__ import annotations

from collections.abc import Callable

from ..paths import SCHEMES_DIR
from .scheme import Scheme, load_scheme

MATCH_SHARE = 0.5  # below this share of the scheme's indicators present, data and scheme differ


def preset_matches(coverage: Callable[[Scheme], tuple[int, int]]) -> list[tuple[str, int, int]]:
    """(file stem, present, total) of every preset whose ``coverage`` — (indicators present,
    indicators in all) — reaches ``MATCH_SHARE``, in file-name order; a preset that does not
    load is skipped (a broken preset never hides the user's error)."""
    out = []
    for path in sorted(SCHEMES_DIR.glob("*.yaml")):
        try:
            present, total = coverage(load_scheme(path))
        except Exception:  # noqa: BLE001, S112 - a broken preset never hides the user's error
            continue
        if total and present / total >= MATCH_SHARE:
            out.append((path.stem, present, total))
    return out
