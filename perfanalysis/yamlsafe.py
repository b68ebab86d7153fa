"""YAML's safe loader, fast: libyaml's C parser when PyYAML was built with it.

Schemes, scenarios, sweeps, proposals and error models are read with YAML's safe loader (no
tags, nothing evaluated). PyYAML's pure-Python parser takes about 19 ms for a bundled scheme,
its libyaml parser about 2 ms, and a test run or a sweep reads schemes hundreds of times.
Both build the same objects through the same safe constructor; a document the C parser
refuses is read again by the Python one, so the error a user sees (line, column and the
offending line quoted) is the same whichever parser is installed.
"""

from __future__ import annotations

from typing import Any

import yaml

#: libyaml's safe loader when this PyYAML has it (wheels on PyPI do), else the Python one
FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load(text)`` by ``FAST_LOADER``; a document it refuses is read by the
    pure-Python parser, whose error quotes the offending line (libyaml's does not)."""
    try:
        return yaml.load(text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        if FAST_LOADER is yaml.SafeLoader:
            raise
        return yaml.safe_load(text)  # raises the Python parser's error
