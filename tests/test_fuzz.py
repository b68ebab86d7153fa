"""Fuzzing: random tables and random scheme mappings only ever raise our own errors."""

from __future__ import annotations

import copy
import csv
import io
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfanalysis import DataError, PerfAnalysisError, Scheme, SchemeError, load_data
from perfanalysis.engine.scheme import scheme_from_mapping
from perfanalysis.paths import SCHEMES_DIR
from perfanalysis.yamlsafe import safe_load

# modest by default (CI budget); PERFANALYSIS_FUZZ_EXAMPLES=1000 for a deeper local run
FUZZ = settings(max_examples=int(os.environ.get("PERFANALYSIS_FUZZ_EXAMPLES", "40")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

CELLS = st.one_of(
    st.sampled_from(["", "—", "-", "/", "－", "NA", "2013", "2013年", "12,345.6", "１２３", "8.5%",
                     "abc", "1e999", "-0", "heshan", "赫山区", "城关镇（东）", " x ", '"', ",",
                     "\n", "0x10", "1_0", "nan", "inf", "12,5", "年"]),
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=8),
)
COLUMNS = ["unit_id", "name", "sequence", "year", "indicator", "value", "staff", "", "value",
           "extra", "Unit_ID", " year "]


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _table(required: list[str]) -> st.SearchStrategy[str]:
    header = st.lists(st.sampled_from(COLUMNS), max_size=3).map(lambda extra: required + extra)
    return header.flatmap(lambda h: st.lists(
        st.lists(CELLS, min_size=len(h), max_size=len(h)), max_size=8).map(
        lambda rows: _csv(h, rows)))


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


@FUZZ
@given(units=_table(["unit_id", "name", "sequence"]),
       obs=_table(["unit_id", "year", "indicator", "value"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "latin-1", "utf-16"]),
       title=st.sampled_from(["", "标题,,\n", "\n"]))
def test_random_tables_load_or_raise_our_error(units: str, obs: str, encoding: str,
                                               title: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "units.csv").write_bytes(_encode(units, "utf-8"))
        (folder / "observations.csv").write_bytes(_encode(title + obs, encoding))
        try:
            data = load_data(folder)
        except PerfAnalysisError as exc:
            assert str(exc)  # the message renders
            if isinstance(exc, DataError):
                assert exc.problems and all(p.file for p in exc.problems)
            return
        # what loads is typed and finite, with Excel rows past the header
        assert data.observations["value"].map(math.isfinite).all()
        assert (data.observations["source_row"] >= 2).all()


@FUZZ
@given(st.binary(max_size=200))
def test_random_bytes_raise_our_error(blob: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "units.csv").write_text("unit_id,name,sequence\na,甲,s\n", encoding="utf-8")
        (folder / "observations.csv").write_bytes(blob)
        try:
            load_data(folder)
        except PerfAnalysisError:
            pass


# --- schemes --------------------------------------------------------------------------

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 2000),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=6),
                    st.sampled_from(["completion", "efficacy", "sum", "group", "indicator",
                                     "events", "rank_improvement", "quota_threshold",
                                     "forced_distribution", "rating", "indicators", "level"]))
KEYS = st.one_of(st.sampled_from(["id", "name", "points", "method", "children", "components",
                                  "tiers", "kind", "source", "rules", "labels", "bonus",
                                  "quota", "cap", "target", "rule", "events", "sequences"]),
                 st.text(max_size=5))
YAML_LIKE = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)), max_leaves=25)


@FUZZ
@given(st.dictionaries(KEYS, YAML_LIKE, max_size=8))
def test_random_mappings_raise_scheme_error(raw: dict[str, Any]) -> None:
    try:
        scheme_from_mapping(raw)
    except SchemeError as exc:
        assert "problem" in str(exc) or "mapping" in str(exc)


PRESETS = {p.stem: safe_load(p.read_text(encoding="utf-8"))
           for p in sorted(SCHEMES_DIR.glob("*.yaml"))}


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


@st.composite
def mutated_preset(draw: st.DrawFn) -> dict[str, Any]:
    """A preset with one to three keys replaced by random values or deleted."""
    raw = copy.deepcopy(PRESETS[draw(st.sampled_from(sorted(PRESETS)))])
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(raw)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = raw
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(YAML_LIKE)
    return raw


@FUZZ
@given(mutated_preset())
def test_mutated_presets_validate_or_raise_scheme_error(raw: dict[str, Any]) -> None:
    try:
        scheme = scheme_from_mapping(raw)
    except SchemeError as exc:
        assert exc.path is None or isinstance(exc.path, str)
        return
    assert isinstance(scheme, Scheme)
