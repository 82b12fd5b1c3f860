"""Response models of reev's original routes and the remaining newer ones, so `/docs`
documents every answer. Field names are reev's where reev had the route; models that
carry reev's open-ended parts (a stored result, decoded instructions) type what is fixed
and keep the rest as JSON objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from reev.api.read_models import Progress
from reev.api.schemas import BenchmarkItem
from reev.api.triage import FirstFailure


class Health(BaseModel):
    status: str
    timestamp: str
    version: str
    database: str
    workers: int
    worker_processes: int = Field(
        description="Worker processes configured (`--worker-processes`; 0: workers run in "
        "the server's own process)."
    )
    worker_processes_ready: int = Field(
        description="Worker processes alive with their pool started; jobs queued before "
        "they are ready wait, they are not lost."
    )
    jobs: dict[str, int]


class AgentDetail(BaseModel):
    name: str
    description: str
    needs: str


class PerformanceResult(BaseModel):
    id: str
    session_id: str
    benchmark_id: str
    score: float
    final_status: str
    timestamp: str


class AgentPerformance(BaseModel):
    """reev's AgentPerformanceSummary (agent as `NAME[:MODEL]`)."""

    agent_type: str
    total_benchmarks: int
    average_score: float
    success_rate: float
    best_benchmarks: list[str]
    worst_benchmarks: list[str]
    results: list[PerformanceResult]


class VersionRef(BaseModel):
    version_id: int
    content_hash: str
    created_at: datetime


class BenchmarkDetail(BenchmarkItem):
    source_path: str | None = None
    yml_content: str | None = None
    versions: list[VersionRef]


class FlowSession(BaseModel):
    model_config = ConfigDict(extra="allow")

    session_id: str
    agent_type: str
    interface: str
    status: str
    score: float | None = None
    final_status: str | None = None
    log_content: str = ""
    is_running: bool
    progress: int


class FlowLogs(BaseModel):
    benchmark_id: str
    message: str | None = None
    sessions: list[FlowSession]


class FlowAnswer(BaseModel):
    """The Mermaid source of a session's diagram (`?format=html`: a page rendering it)."""

    session_id: str
    diagram: str | None
    metadata: dict[str, Any]
    status: str | None = None
    sessions: list[Any] = Field(default_factory=list)


class TransactionLogs(BaseModel):
    benchmark_id: str
    format: str
    show_cu: bool
    is_running: bool
    transaction_logs: str
    execution_id: str | None = None
    message: str


class ExecutionLog(BaseModel):
    """The newest execution of a benchmark: a queue job's state, or a stored episode."""

    model_config = ConfigDict(extra="allow")

    benchmark_id: str
    trace: str = ""
    is_running: bool
    interface: str | None = None
    execution_id: str | None = None
    status: str | None = None
    message: str | None = None


class RunCreated(BaseModel):
    run_id: str
    status: str
    jobs: int
    execution_ids: list[str]


class RunCancelled(BaseModel):
    run_id: str
    cancelled: int
    progress: Progress


class TranscriptStep(BaseModel):
    step: int | None
    prompt: str | None
    messages: list[dict[str, Any]]
    model_calls: list[dict[str, Any]]
    tool_calls: list[dict[str, Any]]
    error: str | None
    score: float | None = None
    skipped: bool = False
    instructions: int = 0


class EpisodeDetail(BaseModel):
    """One stored episode with what the episode page shows (decoded, named, in units)."""

    execution_id: str
    benchmark_id: str | None
    agent: str | None
    label: str
    model: str | None
    status: str | None
    outcome: str
    first_failure: FirstFailure | None
    score: float | None
    passed: bool | None
    scores: dict[str, Any] | None
    assertions: list[dict[str, Any]] | None
    transcript: list[TranscriptStep]
    transactions: list[dict[str, Any]]
    prompt: str | None
    account_changes: list[dict[str, Any]]
    result: dict[str, Any]


class JobsPage(BaseModel):
    items: list[dict[str, Any]]
    counts: dict[str, int]
