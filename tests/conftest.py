"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfanalysis.paths import SAMPLE_DIR


@pytest.fixture
def yiyang_dir() -> Path:
    return SAMPLE_DIR / "yiyang"


@pytest.fixture
def heshan_dir() -> Path:
    return SAMPLE_DIR / "heshan"
