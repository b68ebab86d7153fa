"""``perfanalysis run`` progress: rich bars on a terminal, plain lines in a log or pipe."""

from __future__ import annotations

import io

from rich.console import Console

from perfanalysis.runprogress import PlainRunProgress, RichRunProgress, run_progress


def test_plain_lines_when_the_output_is_not_a_terminal() -> None:
    buf = io.StringIO()
    progress = run_progress(Console(file=buf, width=200))
    assert isinstance(progress, PlainRunProgress)
    with progress as p:
        p.step("checking the data")
        p.notebook_started("00_scorecard.ipynb", 3)
        for _ in range(3):
            p.cell_done("00_scorecard.ipynb")
        p.notebook_finished("00_scorecard.ipynb", 2.345)
    assert buf.getvalue().splitlines() == [
        "- checking the data",
        "- 00_scorecard.ipynb: started (3 cells)",
        "- 00_scorecard.ipynb: finished, 3 of 3 cells in 2.3 s",
    ]
    assert "\x1b" not in buf.getvalue() and "\r" not in buf.getvalue()


def test_bars_on_a_terminal() -> None:
    console = Console(file=io.StringIO(), force_terminal=True)
    assert isinstance(run_progress(console), RichRunProgress)
