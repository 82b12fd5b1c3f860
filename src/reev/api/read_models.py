"""Response models of the read routes (what `/docs` documents for each answer).

Every route declares one, so the OpenAPI schema says what comes back instead of an
untyped object. Shapes kept from reev's API keep their field names.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from reev.api.triage import FirstFailure
from reev.results.summaries import EpisodeSummary


def outcome_of(e: EpisodeSummary) -> str:
    """passed / failed / error / infrastructure (see `reev.store.api_queries.OUTCOMES`)."""
    if e.error_kind in ("infrastructure", "benchmark"):
        return "infrastructure"
    if e.status == "error":
        return "error"
    return "passed" if e.passed else "failed"


class EpisodeListItem(EpisodeSummary):
    """An episode row of a list, with what it came to and why it did not pass."""

    outcome: str
    first_failure: FirstFailure | None = None


class EpisodePage(BaseModel):
    """A page of episodes, newest first, with the total that matches the filters."""

    items: list[EpisodeListItem]
    total: int
    limit: int
    offset: int


class IntervalOut(BaseModel):
    """A point estimate with its bootstrap interval (null: no data)."""

    value: float | None
    low: float | None
    high: float | None
    confidence: float


class VsNext(BaseModel):
    """This agent minus the next ranked one, paired over the tasks both ran."""

    agent: str
    tasks: int
    difference: IntervalOut
    p_value: float | None
    within_noise: bool
    verdict: str


class LeaderboardRow(BaseModel):
    """One agent: which tasks each figure covers is in docs/statistics.md."""

    rank: int | None
    agent: str
    episodes: int
    tasks: int
    epochs: int
    shared_tasks: int
    shared_score: IntervalOut | None
    shared_pass_rate: IntervalOut | None
    passed: int
    failed: int
    errors: int
    infrastructure_errors: int
    excluded: int
    mean_score: IntervalOut
    pass_rate: IntervalOut
    pass_k_tasks: list[str]
    pass_k_short_tasks: list[str]
    pass_at_k: dict[str, float | None]
    pass_hat_k: dict[str, float | None]
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    mean_duration_ms: float | None
    vs_next: VsNext | None


class GridCell(BaseModel):
    """The newest episode of one agent × benchmark cell, and how many the cell has."""

    agent: str
    benchmark_id: str
    execution_id: str
    run_id: str
    score: float
    passed: bool
    status: str
    error_kind: str | None
    outcome: str
    recorded_at: str
    count: int


class Leaderboard(BaseModel):
    """The leaderboard of the filtered episodes and its agent × benchmark grid."""

    run_id: str | None
    benchmark_id: str | None
    tag: str | None
    shared_tasks: list[str] = Field(default_factory=list)
    rows: list[LeaderboardRow]
    grid: list[GridCell]


class Progress(BaseModel):
    """How far a run is: from its queue jobs, or from its stored episodes for runs made
    outside the API (`reev run`, the TUI), which have no jobs."""

    total: int
    done: int
    percent: float
    by_status: dict[str, int]
    source: str = "queue"


class RunSummary(BaseModel):
    """A run with its counts and progress."""

    id: str
    status: str
    created_at: str
    updated_at: str
    finished_at: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    episodes: int
    passed: int
    errors: int
    agents: list[str]
    progress: Progress


class RunDetail(RunSummary):
    """One run with its queue jobs (none for runs made outside the API)."""

    jobs: list[dict[str, Any]] = Field(default_factory=list)
