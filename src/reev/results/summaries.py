"""What readers get back from the store: plain pydantic models, ready for JSON.

The API, the TUI, the web dashboard and `reev report` all consume these, so they never
depend on SQLAlchemy objects or sessions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class RunInfo(BaseModel):
    """A run and its counts."""

    id: str
    status: str
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    episodes: int = 0
    passed: int = 0
    errors: int = 0
    agents: list[str] = Field(default_factory=list)


class EpisodeSummary(BaseModel):
    """An episode row without its JSON: enough for tables, statistics and leaderboards."""

    execution_id: str
    run_id: str
    benchmark_id: str
    benchmark_version_id: int | None = None
    agent: str
    model: str | None = None
    epoch: int
    seed: int
    status: str
    error: str | None = None
    error_kind: str | None = None
    failure_kind: str | None = None
    score: float
    passed: bool
    scoring: str
    prompt_tokens: int = 0
    first_prompt_tokens: int | None = None
    completion_tokens: int = 0
    # model calls without token usage: the token counts above leave them out
    unmetered_calls: int = 0
    cost_usd: float | None = None
    duration_ms: float
    attempt: int = 1
    started_at: datetime
    recorded_at: datetime


class BenchmarkVersionInfo(BaseModel):
    """One stored version of a benchmark file (`content` only when asked for)."""

    id: int
    benchmark_id: str
    content_hash: str
    source_path: str | None = None
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    created_at: datetime
    content: str | None = None
