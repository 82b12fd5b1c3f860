"""The navigator's rows: one per benchmark file, with the selected agent's last result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reev.results.records import EpisodeResult
from reev.results.summaries import EpisodeSummary
from reev.runner.suite import LoadedBenchmark
from reev.tracing.render import INFRASTRUCTURE_KINDS

RowStatus = Literal["pending", "queued", "running", "passed", "failed", "error", "infra"]
IDLE_STATUSES: tuple[RowStatus, ...] = ("pending", "passed", "failed", "error", "infra")
FINISHED: tuple[RowStatus, ...] = ("passed", "failed", "error", "infra")
"""What a finished episode came to, as the web says it: passed, failed (ran to its end),
error (did not run to its end), infra (an infrastructure error: says nothing about the
agent, left out of every statistic)."""


def status_of(status: str, passed: bool, error_kind: str | None = None) -> RowStatus:
    """The row status of a finished episode (stored or fresh): never an error as a failure."""
    if error_kind in INFRASTRUCTURE_KINDS:
        return "infra"
    if status == "error":
        return "error"
    return "passed" if passed else "failed"


@dataclass
class BenchmarkRow:
    """A benchmark file and what the current agent last did with it."""

    loaded: LoadedBenchmark
    status: RowStatus = "pending"
    summary: EpisodeSummary | None = None
    """The latest stored episode (any interface, any run) of this agent."""
    result: EpisodeResult | None = None
    """The full result of `summary`, loaded on demand or kept from a run."""
    problem: str | None = None
    """Why the last attempt produced no result (e.g. the store could not be written)."""

    @property
    def benchmark_id(self) -> str:
        """The benchmark's id, or (a file that does not load) the id its error is stored under."""
        return self.loaded.benchmark_id

    @property
    def score(self) -> float | None:
        return self.summary.score if self.summary is not None else None

    @property
    def busy(self) -> bool:
        return self.status in ("queued", "running")

    def set_summary(self, summary: EpisodeSummary | None) -> None:
        """Show a stored episode (None: nothing stored for this agent)."""
        self.summary = summary
        self.result = None
        self.problem = None
        if not self.busy:
            self.status = (
                "pending"
                if summary is None
                else status_of(summary.status, summary.passed, summary.error_kind)
            )
