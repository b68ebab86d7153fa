"""The test order the suite gives pytest-xdist's work-stealing scheduler (tests/conftest.py):
every test once, each worker's first block starting with its slow tests."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from .conftest import lanes, xdist_lane_sizes


def test_block_sizes_are_the_schedulers_even_split() -> None:
    # worksteal hands out remaining // workers_left: 10 over 3 → 3, 3, 4
    assert xdist_lane_sizes(10, 3) == [3, 3, 4]
    assert xdist_lane_sizes(941, 2) == [470, 471]
    assert xdist_lane_sizes(1, 2) == [0, 1]


def test_report_readers_open_block_zero_and_slow_tests_open_the_others() -> None:
    kinds = ["fast", "slow", "report", "fast", "slow", "fast", "report", "slow", "fast", "fast"]
    order = lanes(kinds, 2)
    # block 0 (5 tests): both report readers, the slow tests dealt from block 1 on
    # (1 → block 1, 4 → block 0, 7 → block 1), then fast tests to fill
    assert order[:5] == [2, 6, 4, 0, 3]
    assert order[5:] == [1, 7, 5, 8, 9]


def test_panel_readers_open_block_one() -> None:
    kinds = ["fast", "panel", "slow", "report", "fast", "slow", "panel", "fast"]
    # block 0 (4 tests): the report reader, slow test 5 (slow tests dealt 2 → block 1,
    # 5 → block 0), two fast; block 1: both panel readers, then slow test 2, one fast
    assert lanes(kinds, 2) == [3, 5, 0, 4, 1, 6, 2, 7]


@given(st.lists(st.sampled_from(["fast", "slow", "report", "panel"]), max_size=60),
       st.integers(min_value=2, max_value=5))
def test_every_test_runs_once_and_blocks_start_with_their_slow_tests(
        kinds: list[str], workers: int) -> None:
    order = lanes(kinds, workers)
    assert sorted(order) == list(range(len(kinds)))
    sizes = xdist_lane_sizes(len(kinds), workers)
    n_report, n_panel = kinds.count("report"), kinds.count("panel")
    n_slow = kinds.count("slow")
    dealt = [n_report * (k == 0) + n_panel * (k == 1)
             + len(range((k - 1) % workers, n_slow, workers)) for k in range(workers)]
    if all(d <= s for d, s in zip(dealt, sizes, strict=True)):  # no block overflows
        start = 0
        for size in sizes:
            block = [kinds[i] for i in order[start:start + size]]
            n_fast = block.count("fast")
            assert block[len(block) - n_fast:] == ["fast"] * n_fast  # fast ones at the back
            start += size
    # the report readers are all at the very start, in collection order; the panel
    # readers open block 1 (when block 0 neither overflows nor lacks fast tests to fill it)
    reports = [i for i, k in enumerate(kinds) if k == "report"]
    assert order[:len(reports)] == reports
    panels = [i for i, k in enumerate(kinds) if k == "panel"]
    if panels:
        first = order.index(panels[0])
        assert order[first:first + len(panels)] == panels
        if dealt[0] <= sizes[0] <= dealt[0] + kinds.count("fast"):
            assert first == sizes[0]


def test_property_tests_run_without_a_clock() -> None:
    """conftest's Hypothesis profile: no per-example deadline and no "too slow" health
    check, which fail correct tests on a loaded machine (issue 25)."""
    from hypothesis import HealthCheck, settings

    assert settings.default.deadline is None
    assert HealthCheck.too_slow in settings.default.suppress_health_check
