"""A build progress bar on a terminal (passages embedded, rate, time left); quiet otherwise."""

from __future__ import annotations

import time
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from .messages import t


class BuildProgress:
    def __init__(self, stream: TextIO) -> None:
        self._console = Console(file=stream)
        self._progress = Progress(
            TextColumn(t("progress_label")), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
            console=self._console, transient=True, disable=not self._console.is_terminal,
        )
        self._task: TaskID | None = None
        self._started = time.perf_counter()

    def __enter__(self) -> BuildProgress:
        self._progress.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._progress.__exit__(kind, value, traceback)

    def update(self, done: int, total: int) -> None:
        if self._task is None:
            self._started = time.perf_counter()
            self._task = self._progress.add_task("embed", total=total, rate="")
        elapsed = time.perf_counter() - self._started
        rate = t("progress_rate", rate=done / elapsed) if elapsed > 0 and done else ""
        self._progress.update(self._task, completed=done, total=total, rate=rate)
