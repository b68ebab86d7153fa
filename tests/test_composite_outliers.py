"""Outlier treatment: COINr's skew/kurtosis definitions, winsorisation, stopping rule, log."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from perfanalysis.composite import outliers as ol
from perfanalysis.composite.spec import TreatSpec

# COINr's own example (R/treat.R, ?Treat.numeric): numbers 1..10 plus outliers 30 and 100
COINR_EXAMPLE = np.array([*range(1, 11), 30.0, 100.0])
# 1..20 plus 200, 300, 400: needs three points winsorised
THREE = np.array([*range(1, 21), 200.0, 300.0, 400.0])


def test_skew_and_excess_kurtosis_are_e1071_type_2():
    x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    # by hand: mean 4; d = −3,−2,−1,0,6; Σd² = 50, Σd³ = −27−8−1+216 = 180, Σd⁴ = 81+16+1+1296
    n = 5
    g1 = np.sqrt(n) * 180 / 50 ** 1.5 * np.sqrt(n * (n - 1)) / (n - 2)
    r = n * (81 + 16 + 1 + 1296) / 50 ** 2
    g2 = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    assert ol.skew(x) == pytest.approx(g1)
    assert ol.kurt(x) == pytest.approx(g2)
    # the same as scipy's bias-corrected estimators (kurtosis is excess: Fisher)
    assert ol.skew(COINR_EXAMPLE) == pytest.approx(stats.skew(COINR_EXAMPLE, bias=False))
    assert ol.kurt(COINR_EXAMPLE) == pytest.approx(stats.kurtosis(COINR_EXAMPLE, bias=False))
    assert np.isnan(ol.kurt(np.array([1.0, 2.0, np.nan, 3.0])))  # 3 values: undefined


def test_pass_rule_is_or_of_thresholds():
    assert ol.passes(COINR_EXAMPLE) is False  # skew 3.06 ≥ 2 and kurt 9.74 ≥ 3.5
    assert ol.passes(np.array([*range(1, 16), 60.0, 80.0, 100.0])) is True  # kurt 3.40 < 3.5


def test_coinr_example_one_point_winsorised():
    x, n, flags = ol.winsorise(COINR_EXAMPLE)
    # 100 takes the next value 30; then skew 1.71 < 2 passes
    assert n == 1 and x[-1] == 30.0 and flags[-1] == "winhi"
    np.testing.assert_array_equal(x[:-1], COINR_EXAMPLE[:-1])


def test_winsorisation_stops_at_winmax_then_logs_the_original():
    # winmax 5: 400→300 (1 point), then both 300s→200 (2), then the three 200s→20 (3): passes
    x, n, flags = ol.winsorise(THREE, winmax=5)
    assert n == 3 and x[-3:].tolist() == [20.0, 20.0, 20.0]
    assert flags[-3:].tolist() == ["winhi"] * 3
    # winmax 2: stops after two points while still failing → log_ct of the ORIGINAL values
    out, row, flags2 = ol.treat_vector(THREE, TreatSpec(winmax=2))
    assert row["winsorised"] == 2 and row["pass_1"] is False and row["transform"] == "log_ct"
    expected = np.log(THREE - 1 + 0.01 * (400 - 1))  # log(x − min + 0.01·(max − min))
    np.testing.assert_allclose(out, expected)
    assert set(flags2) == {"log_ct"}


def test_negative_skew_winsorises_the_low_side():
    x, n, flags = ol.winsorise(-COINR_EXAMPLE)
    assert n == 1 and x[-1] == -30.0 and flags[-1] == "winlo"


def test_treat_frame_log_and_overrides():
    df = pd.DataFrame({"a": COINR_EXAMPLE, "b": THREE[:12], "c": COINR_EXAMPLE},
                      index=[f"u{i}" for i in range(12)])
    out, log, points = ol.treat_frame(df, TreatSpec(), {"c": "none"})
    assert log.set_index("indicator").at["a", "treatment"] == "winsorise"
    assert log.set_index("indicator").at["b", "treatment"] == "none"  # 1..12: passes
    assert log.set_index("indicator").at["c", "treatment"].startswith("excluded")
    assert out["c"].equals(df["c"])
    assert points.to_dict("records") == [{"unit_id": "u11", "indicator": "a", "treatment": "winhi",
                                          "before": 100.0, "after": 30.0}]


def test_log_ct_plus_for_negative_skew():
    x = -COINR_EXAMPLE
    a = 0.01 * (x.max() - x.min())
    np.testing.assert_allclose(ol.log_ct_plus(x), -np.log(x.max() + a - x))
