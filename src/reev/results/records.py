"""The record of an episode: what the agent did, what the chain did, how it scored.

This is reev's unit of data: the CLI prints it, `--json` writes it, the session file and
(later) the store keep it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from pydantic_core import to_jsonable_python

from reev.results.chain import AccountState
from reev.results.instruction import RawInstruction
from reev.results.scoring import AssertionResult, FlowScore
from reev.results.transaction import TransactionRecord

EpisodeStatus = Literal["completed", "error"]


def utc_now() -> datetime:
    """Timezone-aware now, for timestamps in records."""
    return datetime.now(UTC)


class ToolCallRecord(BaseModel):
    """One tool call: arguments, result or error, and the transaction it produced."""

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    status: Literal["ok", "error"]
    result: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None
    transaction_index: int | None = None
    started_at: datetime = Field(default_factory=utc_now)
    duration_ms: float = 0.0


class ModelCallRecord(BaseModel):
    """One model call of an LLM agent: what was sent, what came back, what it cost.

    With the step's tool calls and messages this is the episode's `transcript`. API keys
    are never part of it.
    """

    turn: int
    model: str
    messages_in: list[dict[str, Any]] = Field(default_factory=list)
    message_out: dict[str, Any] | None = None
    finish_reason: str | None = None
    status: Literal["ok", "error"] = "ok"
    error: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost_usd: float | None = None
    latency_ms: float = 0.0
    attempts: int = 1
    retry_waits_s: list[float] = Field(default_factory=list)
    stream: bool = False
    started_at: datetime = Field(default_factory=utc_now)
    # what the request asked for besides the messages: tool mode, reply cap (max_tokens),
    # temperature, top_p, seed — so a run says how its model was sampled
    params: dict[str, Any] = Field(default_factory=dict)
    # tool calls this reply wrote as text that the harness read back (native mode)
    calls_from_text: int = 0
    # "imitated_tool_result" or "malformed_call" when this reply was answered with a
    # correction turn instead of counting as the final answer
    correction: str | None = None


class StepRecord(BaseModel):
    """One step (the whole episode for single-step benchmarks)."""

    step: int
    prompt: str
    instructions: list[RawInstruction] = Field(default_factory=list)
    transactions: list[TransactionRecord] = Field(default_factory=list)
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    messages: list[dict[str, Any]] = Field(default_factory=list)
    model_calls: list[ModelCallRecord] = Field(default_factory=list)
    stop_reason: str | None = None
    # the agent's final text of the step (LLM agents: the last assistant message)
    answer: str | None = None
    error: str | None = None
    # per-step results (flows; a single-step episode's one step carries the episode's)
    description: str = ""
    critical: bool = False
    skipped: bool = False
    score: float | None = None
    passed: bool | None = None
    assertions: list[AssertionResult] = Field(default_factory=list)
    instruction_score: float | None = None
    # a flow step with a ground truth of its own: the accounts it was judged on, before
    # and after it (keyed like the episode's), so `reev rescore` can judge it again
    accounts_before: dict[str, AccountState] = Field(default_factory=dict)
    accounts_after: dict[str, AccountState] = Field(default_factory=dict)
    duration_ms: float = 0.0

    @property
    def transaction(self) -> TransactionRecord | None:
        """The step's last transaction (reev had exactly one per step)."""
        return self.transactions[-1] if self.transactions else None


class Scores(BaseModel):
    """The three scores every result carries, whatever the profile."""

    instruction: float = 0.0
    onchain: float = 0.0
    outcome: float | None = None


class EpisodeResult(BaseModel):
    """One benchmark × agent × epoch."""

    benchmark_id: str
    agent: str
    model: str | None = None
    seed: int
    epoch: int = 0
    execution_id: str
    status: EpisodeStatus
    error: str | None = None
    # "infrastructure" (provider outage, crashed worker: `--retry-errors` re-runs it),
    # "benchmark" (the file cannot be loaded) or None (a result, never retried).
    error_kind: str | None = None
    # why a failed episode failed (reev.runner.failure_kind): no_action, tool_error,
    # transaction_failed, assertion_failed, side_effect, limit_reached, infrastructure
    failure_kind: str | None = None
    # prompt tokens of the episode's first model call (LLM agents), as the provider counted
    first_prompt_tokens: int | None = None
    score: float = 0.0
    passed: bool = False
    scoring: str = "outcome"
    # The scorer that produced score/passed (`reev.scoring.SCORER_VERSION`); None when the
    # episode was never scored (an error). Numbers of different versions are never mixed.
    scorer_version: str | None = None
    scores: Scores = Field(default_factory=Scores)
    assertions: list[AssertionResult] = Field(default_factory=list)
    steps: list[StepRecord] = Field(default_factory=list)
    flow: FlowScore | None = None
    key_map: dict[str, str] = Field(default_factory=dict)
    accounts_before: dict[str, AccountState] = Field(default_factory=dict)
    accounts_after: dict[str, AccountState] = Field(default_factory=dict)
    prompt: str = ""
    source_path: str | None = None
    started_at: datetime = Field(default_factory=utc_now)
    duration_ms: float = 0.0

    @property
    def unmetered_calls(self) -> int:
        """Model calls whose provider reported no token usage (a streamed llama-cpp reply):
        their tokens are unknown, not zero, and reports say so."""
        return sum(
            1
            for step in self.steps
            for call in step.model_calls
            if call.prompt_tokens is None and call.completion_tokens is None
        )

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON form written by `--json`: `model_dump(mode="json")`, each step also
        with reev's single `transaction` (`to_json_view` in plain values)."""
        data: dict[str, Any] = to_jsonable_python(self.to_json_view(), inf_nan_mode="constants")
        return data

    def to_json_view(self) -> dict[str, Any]:
        """`to_json_dict()`'s shape with its values left as they are (records, datetimes):
        what pydantic-core's `to_json` encodes in one pass, without first building the
        whole dict of plain values (the store writes each result this way, in about half
        the time; tests/store/test_json_view.py holds the forms equal)."""
        data = {name: getattr(self, name) for name in _EPISODE_FIELDS}
        data["steps"] = [_step_view(step) for step in self.steps]
        return data


def _step_view(step: StepRecord) -> dict[str, Any]:
    view = {name: getattr(step, name) for name in _STEP_FIELDS}
    tx = step.transaction
    view["transaction"] = {name: getattr(tx, name) for name in _STEP_TX_FIELDS} if tx else None
    return view


_EPISODE_FIELDS = tuple(EpisodeResult.model_fields)
_STEP_FIELDS = tuple(StepRecord.model_fields)
_STEP_TX_FIELDS = tuple(name for name in TransactionRecord.model_fields if name != "instructions")
