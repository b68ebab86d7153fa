"""``scorecard`` rows are indexed by unit id (issue 25): joins and assignments pair rows by
unit, never by position, and ``merge(on="unit_id")`` still works (``unit_id`` stays a column,
the index is unnamed, so pandas does not call the key ambiguous)."""

from __future__ import annotations

import csv
import functools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfanalysis import load_data, load_scheme, scorecard
from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR

UNITS_CSV = SAMPLE_DIR / "yiyang" / "units.csv"


@functools.cache
def _card() -> pd.DataFrame:
    """The Yiyang sample's 2019 scorecard (computed once; hypothesis calls it per example)."""
    return scorecard(load_data(SAMPLE_DIR / "yiyang"),
                     load_scheme(SCHEMES_DIR / "yiyang_2018.yaml"), 2019)


@pytest.fixture
def card() -> pd.DataFrame:
    return _card().copy()


def _populations() -> dict[str, int]:
    """unit id -> 2020 census population, read with the csv module (not the package)."""
    with UNITS_CSV.open(encoding="utf-8") as fh:
        return {row["unit_id"]: int(row["population_2020"]) for row in csv.DictReader(fh)}


def test_rows_are_indexed_by_their_unit_id(card):
    assert card.index.tolist() == card["unit_id"].tolist()
    assert card.index.is_unique and card.index.name is None
    # the 8 Yiyang county-level units, each once
    assert sorted(card.index) == sorted(_populations())
    assert card.loc["heshan", "name"] == "赫山区"


def test_merge_on_unit_id_pairs_each_unit_with_its_own_row(card):
    units = pd.read_csv(UNITS_CSV, dtype={"unit_id": str})
    merged = card.merge(units[["unit_id", "population_2020"]], on="unit_id", how="left")
    expected = _populations()
    assert len(merged) == 8
    assert {u: int(p) for u, p in zip(merged["unit_id"], merged["population_2020"],
                                      strict=True)} == expected
    assert expected["heshan"] == 729880  # units.csv, row 2
    assert card.groupby("unit_id")["total"].sum().loc["heshan"] == card.loc["heshan", "total"]


def test_join_with_a_table_indexed_by_unit_id_in_another_order(card):
    pops = _populations()
    other = pd.DataFrame({"population": pops}).iloc[::-1]  # reversed: positions disagree
    joined = card.join(other)
    assert joined["population"].notna().all()
    assert dict(zip(joined["unit_id"], joined["population"], strict=True)) == pops
    # on a 0…n−1 index the same join finds no unit (the bug the index prevents)
    positional = card.reset_index(drop=True).join(other)
    assert positional["population"].isna().all()


@settings(max_examples=30, deadline=None)
@given(st.permutations(sorted(_populations())))
def test_assignment_pairs_by_unit_whatever_the_order(order):
    card = _card()
    pops = _populations()
    series = pd.Series([pops[u] for u in order], index=order)
    out = card.assign(population=series)
    assert [int(p) for p in out["population"]] == [pops[u] for u in out["unit_id"]]

