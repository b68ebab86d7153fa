"""Progress display for ``perfanalysis run``: one rich bar per notebook (cells done) on a
terminal, plain lines (one per step and per finished notebook) when the output is a log file
or a pipe, where redrawn bars would be lost or garbled."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class RichRunProgress:
    """Implements ``pipeline.RunProgress`` with a rich ``Progress`` (use as a context)."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TextColumn("cells"), TimeElapsedColumn(),
                                 console=self.console, transient=False)
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> Self:
        self.progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.progress.stop()

    def step(self, message: str) -> None:
        self.progress.console.print(f"[cyan]•[/] {message}")

    def notebook_started(self, name: str, n_cells: int) -> None:
        self.tasks[name] = self.progress.add_task(name, total=n_cells)

    def cell_done(self, name: str) -> None:
        self.progress.advance(self.tasks[name])

    def notebook_finished(self, name: str, seconds: float) -> None:
        task = self.tasks[name]
        self.progress.update(task, completed=self.progress.tasks[task].total)


class PlainRunProgress:
    """Implements ``pipeline.RunProgress`` with one plain line per event (no redrawing)."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.total: dict[str, int] = {}
        self.done: dict[str, int] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None

    def _line(self, text: str) -> None:
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)

    def step(self, message: str) -> None:
        self._line(f"- {message}")

    def notebook_started(self, name: str, n_cells: int) -> None:
        self.total[name], self.done[name] = n_cells, 0
        self._line(f"- {name}: started ({n_cells} cells)")

    def cell_done(self, name: str) -> None:
        self.done[name] += 1

    def notebook_finished(self, name: str, seconds: float) -> None:
        self._line(f"- {name}: finished, {self.done[name]} of {self.total[name]} cells "
                   f"in {seconds:.1f} s")


def run_progress(console: Console) -> RichRunProgress | PlainRunProgress:
    """Bars on a terminal, plain lines otherwise."""
    return RichRunProgress(console) if console.is_terminal else PlainRunProgress(console)


class RichSweepProgress:
    """Implements ``sweeps.runner.SweepProgress``: one bar with done / failed / remaining."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TextColumn("{task.fields[counts]}"),
                                 TimeElapsedColumn(), console=self.console, transient=False)
        self.task: TaskID | None = None
        self.done = self.failed = self.remaining = 0

    def __enter__(self) -> Self:
        self.progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.progress.stop()

    def _counts(self) -> str:
        return f"完成 done {self.done} · 失败 failed {self.failed} · 剩余 remaining {self.remaining}"

    def started(self, total: int, skipped: int) -> None:
        self.remaining = total - skipped
        if skipped:
            self.console.print(f"[cyan]•[/] {skipped} of {total} cells already finished "
                               "(same inputs): skipped")
        self.task = self.progress.add_task("sweep", total=total, completed=skipped,
                                           counts=self._counts())

    def cell_finished(self, outcome: dict[str, object]) -> None:
        if outcome.get("status") == "failed":
            self.failed += 1
            self.console.print(f"[red]✗[/] {outcome.get('label')}: {outcome.get('error')}",
                               highlight=False, markup=False)
        else:
            self.done += 1
        self.remaining -= 1
        if self.task is not None:
            self.progress.update(self.task, advance=1, counts=self._counts())
