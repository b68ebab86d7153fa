"""The fast YAML loader reads every file the project ships as PyYAML's safe loader does, and
reports a broken file in the same words."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from perfanalysis.paths import PROJ_ROOT
from perfanalysis.yamlsafe import FAST_LOADER, safe_load

SHIPPED = sorted(p for folder in ("data", "docs", "reports")
                 for p in (PROJ_ROOT / folder).rglob("*.y*ml"))


def test_libyaml_is_used() -> None:
    """PyYAML's wheels carry libyaml: the fast loader is the C one (the reason to have it)."""
    assert FAST_LOADER is yaml.CSafeLoader


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(PROJ_ROOT)))
def test_every_shipped_yaml_reads_as_the_safe_loader_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert safe_load(text) == yaml.safe_load(text)


def test_there_are_shipped_files() -> None:
    assert len(SHIPPED) >= 14  # the scheme presets alone


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12),
                    st.floats(allow_nan=False), st.sampled_from(["是", "否", "yes", "no",
                                                                 "on", "1e3", "0o17", "~",
                                                                 "2019-01-01", "15:80:5"]))
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20)


@given(documents, st.booleans())
def test_any_dumped_document_reads_back_the_same(doc: object, flow: bool) -> None:
    """Whatever PyYAML writes (block or flow style, Chinese unescaped), both parsers read
    the same object."""
    text = yaml.safe_dump(doc, allow_unicode=True, default_flow_style=flow)
    assert safe_load(text) == yaml.safe_load(text)


@pytest.mark.parametrize("text", ["a: [1, 2\nb: 3\n", "a: 1\n  b: 2\n", "a: {b: 1\n",
                                  "- a\nb: 1\n", "a: 'x\n"])
def test_a_broken_file_gets_the_python_parsers_words(text: str) -> None:
    """The message quotes the offending line as PyYAML's Python parser does (libyaml's
    own message does not), so a user sees the same error either way."""
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError) as got:
        safe_load(text)
    assert str(got.value) == str(expected.value)
    with pytest.raises(yaml.YAMLError) as c_error:
        yaml.load(text, Loader=yaml.CSafeLoader)
    assert str(c_error.value) != str(expected.value)  # why the fallback is there
