"""Exception types: one base class, one subclass per layer (data, scheme, pipeline).

Validation errors carry structure (file, row as Excel shows it, column, value, reason) so a
user can find the cell to fix; the message lists the first problems and the count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_LISTED = 10


class PerfAnalysisError(Exception):
    """Base class of every error this package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One rejected input cell or key: where it is and what is wrong with it."""

    file: str
    reason: str
    row: int | None = None  # 1-based, header counted (row 2 is the first data row)
    column: str | None = None
    value: Any = None
    zh: str | None = None  # the reason in Chinese, shown on a second line

    def _has_value(self) -> bool:
        try:
            return self.value is not None and bool(self.value == self.value)  # not NaN
        except (TypeError, ValueError):
            return True

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = ", ".join(where) + f": {self.reason}"
        if self._has_value():
            text += f" (value: {self.value!r})"
        if self.zh:
            text += "\n    " + self.chinese()
        return text

    def chinese(self) -> str:
        """The problem in Chinese: 文件、第几行、哪一列、什么值、怎么改."""
        where = [f"文件 {self.file}"]
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column is not None:
            where.append(f"“{self.column}”列")
        text = "，".join(where) + f"：{self.zh or self.reason}"
        if self._has_value():
            text += f"（值：{self.value!r}）"
        return text


@dataclass
class DataError(PerfAnalysisError):
    """Input data that cannot be trusted; lists every problem found in one pass."""

    problems: list[Problem] = field(default_factory=list)
    headline: str = "Invalid input data"

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        lines = [f"{self.headline} ({n} problem(s)) / 数据有误，共 {n} 处，请按提示修改后重试:"]
        lines += [f"  - {p}" for p in self.problems[:MAX_LISTED]]
        if n > MAX_LISTED:
            lines.append(f"  … and {n - MAX_LISTED} more / 另有 {n - MAX_LISTED} 处未列出")
        return "\n".join(lines)


class SchemeError(PerfAnalysisError):
    """A scheme file that does not validate; the message names the key path."""

    def __init__(self, message: str, path: str | None = None, file: str | None = None):
        self.path = path
        self.file = file
        prefix = f"{file}: " if file else ""
        where = f"at '{path}': " if path else ""
        super().__init__(f"{prefix}{where}{message}")


class PipelineError(PerfAnalysisError):
    """A report run that failed: names the step, notebook and cell where it stopped."""


class SweepError(SchemeError):
    """A sweep file that does not validate, or a sweep that cannot start; names the key path."""
