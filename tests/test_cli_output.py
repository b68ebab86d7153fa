"""What the CLI prints: run progress (rich bars on a terminal, plain lines in a log or pipe) and
the score table on the console."""

from __future__ import annotations

import io

from rich.console import Console

from perfanalysis.report.runprogress import PlainRunProgress, RichRunProgress, run_progress


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


def test_score_console_shows_sequence_names_and_forced_quota_share() -> None:
    from typer.testing import CliRunner

    from perfanalysis.cli import app
    from perfanalysis.paths import SAMPLE_DIR, SCHEMES_DIR

    res = CliRunner().invoke(app, ["score", "--data", str(SAMPLE_DIR / "yiyang"), "--scheme",
                                   str(SCHEMES_DIR / "changsha_forced.yaml"), "--year", "2019"])
    assert res.exit_code == 0, res.output
    assert "区县市" in res.output and "counties" not in res.output
    # 15:80:5 — the top tier is the first 15 %: 8 × 15 % = 1.2 → 1 unit
    assert "前15%的1名(强制分布15:80:5)" in res.output and "15:80:5%" not in res.output
