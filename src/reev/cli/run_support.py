"""The progress bar of `reev run`. Kept apart from run_cmd.py so that file stays argument
handling; the run itself is built and checked by `reev.runner.spec`."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from reev.runner.suite import SuiteProgress


class ProgressBar:
    """Episodes done/total, pass rate so far and ETA, on the given console."""

    def __init__(self, console: Console, enabled: bool = True) -> None:
        self.enabled = enabled
        self.progress = Progress(
            TextColumn("[bold]episodes"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("pass {task.fields[rate]}"),
            TextColumn("errors {task.fields[errors]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
            disable=not enabled,
        )
        self.task: TaskID | None = None

    def __enter__(self) -> ProgressBar:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def update(self, p: SuiteProgress) -> None:
        """Callback for `run_matrix(on_progress=...)`."""
        rate = f"{p.pass_rate:.0%}" if p.pass_rate is not None else "-"
        if self.task is None:
            self.task = self.progress.add_task("run", total=p.to_run, rate=rate, errors=p.errors)
        self.progress.update(self.task, completed=p.done, rate=rate, errors=p.errors)
