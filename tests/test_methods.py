"""Scoring methods, each with hand-computed expectations."""

from __future__ import annotations

import numpy as np
import pytest

from perfanalysis.engine import methods

G1 = np.zeros(3, dtype=int)


def test_completion_cap_floor_reverse():
    # actual/target: 90/100 = 0.9; 130/100 = 1.3 → cap 1.2; 50/100 = 0.5 < floor 0.6 → 0
    got = methods.completion(np.array([90.0, 130.0, 50.0]), np.array([100.0] * 3),
                             cap=1.2, floor=0.6)
    assert got == pytest.approx([0.9, 1.2, 0.0])
    # reverse: target/actual: 40/50 = 0.8; 40/32 = 1.25 → cap 1.0; actual 0 → full (cap)
    got = methods.completion(np.array([50.0, 32.0, 0.0]), np.array([40.0] * 3), reverse=True)
    assert got == pytest.approx([0.8, 1.0, 1.0])


def test_efficacy_within_group_and_all_equal():
    x = np.array([10.0, 20.0, 30.0, 5.0, 5.0])
    groups = np.array([0, 0, 0, 1, 1])
    # group 0: min 10, max 30 → 0.6 + 0.4·(x−10)/20 = 0.6, 0.8, 1.0; group 1 all equal → 1.0
    assert methods.efficacy(x, groups) == pytest.approx([0.6, 0.8, 1.0, 1.0, 1.0])
    # configurable split 0.5/0.5; reverse: (max − x)/(max − min) → 1, 0.5, 0
    assert methods.efficacy(x[:3], G1, base=0.5, reverse=True) == pytest.approx([1.0, 0.75, 0.5])


def test_minmax():
    assert methods.minmax(np.array([2.0, 4.0, 10.0]), G1) == pytest.approx([0.0, 0.25, 1.0])


def test_rank_points_ties_share_best_place():
    # values 9, 7, 9 → places 1, 3, 1 ("min" rank); points 10, step 2 → 10, 6, 10
    got = methods.rank_points(np.array([9.0, 7.0, 9.0]), G1, points=10, step=2)
    assert got * 10 == pytest.approx([10.0, 6.0, 10.0])
    # never below zero: 6 units, step 3 on 10 points → place 5: 10 − 12 < 0 → 0
    x = np.arange(6, dtype=float)
    got = methods.rank_points(x, np.zeros(6, dtype=int), points=10, step=3)
    assert got * 10 == pytest.approx([0.0, 0.0, 1.0, 4.0, 7.0, 10.0])


def test_pass_fail_and_deduction():
    assert methods.pass_fail(np.array([99.0, 100.0, 101.0]), threshold=100) == pytest.approx(
        [0, 1, 1])
    assert methods.pass_fail(np.array([99.0, 100.0, 101.0]), threshold=100,
                             reverse=True) == pytest.approx([1, 1, 0])
    # 50 points, 10 per event: 0 → 50, 2 → 30, 7 → 0 (not −20)
    got = methods.deduction(np.array([0.0, 2.0, 7.0]), points=50, per_event=10) * 50
    assert got == pytest.approx([50.0, 30.0, 0.0])


def test_basis_values():
    level, prev = np.array([110.0, 90.0]), np.array([100.0, 100.0])
    assert methods.basis_values(level, prev, "growth") == pytest.approx([0.10, -0.10])
    assert methods.basis_values(level, prev, "increment") == pytest.approx([10.0, -10.0])


def test_round_half_up():
    assert list(methods.round_half_up(np.array([0.5, 1.5, 2.5, 4.5, 4.49]))) == [1, 2, 3, 5, 4]


def test_methods_accept_leading_draw_axis():
    x = np.array([[10.0, 20.0, 30.0], [30.0, 20.0, 10.0]])  # 2 draws × 3 units
    got = methods.efficacy(x, G1)
    assert got.shape == (2, 3)
    assert got[1] == pytest.approx([1.0, 0.8, 0.6])
    assert methods.places(x, G1)[1] == pytest.approx([1, 2, 3])


def test_non_contiguous_groups_match_contiguous():
    x = np.array([3.0, 10.0, 5.0, 20.0, 4.0])
    mixed = np.array([0, 1, 0, 1, 0])
    order = np.argsort(mixed, kind="stable")  # [0, 2, 4, 1, 3] → groups contiguous
    a = methods.efficacy(x, mixed)
    b = methods.efficacy(x[order], mixed[order])
    assert a[order] == pytest.approx(b)
    # group 0: 3, 5, 4 → 0.6, 1.0, 0.8; group 1: 10, 20 → 0.6, 1.0
    assert a == pytest.approx([0.6, 0.6, 1.0, 1.0, 0.8])
    assert methods.places(x, mixed) == pytest.approx([3, 2, 1, 1, 2])


def test_float_noise_counts_as_equal():
    # 133.1/121 − 1 and 66/60 − 1 are both 10 % but differ in the last bits
    g = np.array([133.1 / 121 - 1, 66 / 60 - 1])
    assert g[0] != g[1]
    assert methods.efficacy(g, np.zeros(2, dtype=int)) == pytest.approx([1.0, 1.0])
    assert list(methods.places(g, np.zeros(2, dtype=int))) == [1, 1]


def test_one_chinese_name_per_method_across_the_package():
    """Every method has one Chinese name (methods.METHOD_ZH); no module spells another."""
    from pathlib import Path

    import perfanalysis
    from perfanalysis.engine.methods import METHOD_ZH
    from perfanalysis.engine.scheme import Indicator

    methods = set(Indicator.model_fields["method"].annotation.__args__)  # type: ignore[union-attr]
    assert set(METHOD_ZH) == methods
    root = Path(perfanalysis.__file__).parent
    others = ("达标法", "扣分法", "功效系数制", "完成率制", "排位制")
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not [w for w in others if w in text], path
        if path.name != "methods.py":
            assert "METHOD_ZH = {" not in text, path
