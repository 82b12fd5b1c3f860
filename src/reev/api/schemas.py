"""Request and response bodies. Requests forbid unknown fields, so an `api_key` (or any
other secret) sent in a body is a 422, never stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from reev.api.catalog import BENCHMARK_ID_PATTERN, valid_benchmark_id

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:/@+-]{0,199}$"
RUN_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$"
MAX_YAML_CHARS = 262_144


def _check_base_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("base_url must be an http(s) URL")
    if parts.username or parts.password:
        raise ValueError("base_url must not carry credentials; keys come from the environment")
    return value


class AgentChoice(BaseModel):
    """An agent by name, with an optional model and OpenAI-compatible endpoint."""

    model_config = ConfigDict(extra="forbid")

    agent: str = Field(pattern=NAME_PATTERN, description="Agent name (see GET /agents).")
    model: str | None = Field(default=None, pattern=NAME_PATTERN)
    base_url: str | None = Field(default=None, max_length=2000)

    _url = field_validator("base_url")(_check_base_url)


def _check_scoring(value: str) -> str:
    from reev.scoring.profiles import PROFILES  # reev's profiles and the plugins'

    if value not in PROFILES:
        raise ValueError(f"scoring must be one of {', '.join(PROFILES)}")
    return value


Scoring = Field(
    default="outcome",
    max_length=100,
    description="Scoring profile: outcome, reev, or one a plugin registered.",
)


class RunRequest(AgentChoice):
    """`POST /benchmarks/{id}/run` (reev's `config` object, with its key, is not accepted)."""

    scoring: str = Scoring
    seed: int = Field(default=0, ge=0, le=2**53)

    _scoring = field_validator("scoring")(_check_scoring)


class RunAccepted(BaseModel):
    """reev's answer to a run request."""

    execution_id: str
    status: str
    run_id: str


class SuiteRequest(BaseModel):
    """`POST /runs`: benchmarks × agents × epochs."""

    model_config = ConfigDict(extra="forbid")

    benchmarks: list[str] | None = Field(
        default=None, max_length=1000, description="Benchmark ids; all known when omitted."
    )
    agents: list[AgentChoice] = Field(min_length=1, max_length=20)
    epochs: int = Field(default=1, ge=1, le=100)
    seed: int = Field(default=0, ge=0, le=2**53)
    scoring: str = Scoring
    run_id: str | None = Field(default=None, pattern=RUN_ID_PATTERN)

    _scoring = field_validator("scoring")(_check_scoring)

    @field_validator("benchmarks")
    @classmethod
    def _ids(cls, value: list[str] | None) -> list[str] | None:
        for item in value or []:
            if not valid_benchmark_id(item):
                raise ValueError(f"invalid benchmark id {item[:60]!r}")
        return value


class UpsertRequest(BaseModel):
    """`POST /upsert-yml`: one benchmark as YAML text."""

    model_config = ConfigDict(extra="forbid")

    yml_content: str = Field(min_length=1, max_length=MAX_YAML_CHARS)


class UpsertResponse(BaseModel):
    success: bool
    benchmark_id: str
    version_id: int
    message: str


class SyncResponse(BaseModel):
    success: bool
    synced_count: int
    message: str
    errors: list[str] = Field(default_factory=list)


class BenchmarkItem(BaseModel):
    """reev's benchmark list item, plus where the current version came from."""

    id: str
    description: str
    tags: list[str]
    prompt: str
    version_id: int
    content_hash: str
    origin: str


class ExecutionState(BaseModel):
    """reev's ExecutionState (id, status, progress, times, trace, logs, error) plus the
    job's score, pass/fail, run and agent details."""

    id: str
    execution_id: str
    run_id: str
    benchmark_id: str
    agent: str
    model: str | None = None
    epoch: int = 0
    seed: int = 0
    status: str
    progress: int
    score: float | None = None
    passed: bool | None = None
    error: str | None = None
    created_at: datetime
    start_time: datetime | None = None
    end_time: datetime | None = None
    trace: str = ""
    logs: str = ""


class StopResponse(BaseModel):
    execution_id: str
    status: str
    message: str


class Page(BaseModel):
    """A page of items with the total that matches the filters."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


BenchmarkIdPattern = BENCHMARK_ID_PATTERN
