"""Missing data and denomination: group imputation, last value, screening, denominators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perfanalysis.composite import impute as im
from perfanalysis.composite.denominate import denominate
from perfanalysis.errors import PipelineError


def _frame() -> tuple[pd.DataFrame, pd.Series]:
    df = pd.DataFrame({"x": [1.0, 3.0, np.nan, 10.0, np.nan, 30.0],
                       "y": [5.0, np.nan, 7.0, 8.0, 9.0, 11.0]},
                      index=["a1", "a2", "a3", "b1", "b2", "b3"])
    return df, pd.Series(["A", "A", "A", "B", "B", "B"], index=df.index)


def test_group_mean_and_median():
    df, g = _frame()
    out, log = im.impute_group(df, g, "mean")
    # a3.x = mean(1, 3) = 2; b2.x = mean(10, 30) = 20; a2.y = mean(5, 7) = 6
    assert out.loc["a3", "x"] == 2 and out.loc["b2", "x"] == 20 and out.loc["a2", "y"] == 6
    assert len(log) == 3 and set(log["source"]) == {"A", "B"}
    med, _ = im.impute_group(df.assign(x=[1.0, 3.0, np.nan, 10.0, np.nan, 100.0]), g, "median")
    assert med.loc["b2", "x"] == 55.0  # median(10, 100)
    whole, _ = im.impute_group(df, None, "mean")
    assert whole.loc["a3", "x"] == pytest.approx((1 + 3 + 10 + 30) / 4)


def test_last_value_never_looks_ahead():
    panel = pd.DataFrame({"unit_id": ["u", "u", "u", "v", "v"],
                          "year": [2019, 2020, 2021, 2020, 2021],
                          "x": [4.0, np.nan, np.nan, np.nan, 7.0]})
    out, log = im.impute_last(panel)
    assert out["x"].tolist()[:3] == [4.0, 4.0, 4.0]
    assert np.isnan(out["x"].iloc[3])  # v's first year has nothing earlier
    assert log["source"].tolist() == ["2019→2020", "2019→2021"]


def test_screen_by_availability_with_forced_units():
    df, _ = _frame()
    df.loc["b2", "y"] = np.nan  # b2 now has 0 of 2 values
    kept, table = im.screen(df, 0.9)
    # availability: a2 0.5, a3 0.5, b2 0 → dropped at 0.9
    assert kept.index.tolist() == ["a1", "b1", "b3"]
    kept2, _ = im.screen(df, 0.5, include=["b2"], exclude=["a1"])
    assert kept2.index.tolist() == ["a2", "a3", "b1", "b2", "b3"]
    assert table.set_index("unit_id").at["a2", "availability"] == 0.5


def test_denominate_divides_and_logs_missing_denominators():
    df = pd.DataFrame({"gdp_total": [100.0, 50.0, 8.0], "rate": [1.0, 2.0, 3.0]},
                      index=["a", "b", "c"])
    den = pd.DataFrame({"pop": [10.0, 0.0, np.nan]}, index=["a", "b", "c"])
    out, log = denominate(df, den, {"gdp_total": "pop"}, scale=1000)
    # a: 100/10·1000 = 10000; b: zero denominator → NaN; c: missing → NaN
    assert out.loc["a", "gdp_total"] == 10000 and out["gdp_total"].isna().tolist()[1:] == [True, True]
    assert out["rate"].tolist() == [1.0, 2.0, 3.0] and log["unit_id"].tolist() == ["b", "c"]
    with pytest.raises(PipelineError, match="unknown"):
        denominate(df, den, {"gdp_total": "area"})
