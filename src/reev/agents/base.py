"""The Agent protocol: an agent acts on a step through the harness, which signs and executes.

An agent receives a StepTask (the prompt with placeholders resolved, the public
observation) and an AgentHarness. It decides: raw instructions (`harness.execute`) or
tool calls (`harness.call_tool`), any number of times. The harness holds the keys,
signs, executes on the VM and records everything; the agent only sees results.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from reev.benchmark.model import Benchmark
from reev.results.chain import Observation
from reev.results.instruction import RawInstruction
from reev.results.records import ModelCallRecord, ToolCallRecord
from reev.results.transaction import TransactionRecord


class AgentError(Exception):
    """The agent could not produce a decision (bad configuration, bad output, crash)."""


@dataclass(frozen=True)
class StepTask:
    """What an agent is asked to do in one step."""

    benchmark_id: str
    step: int
    step_count: int
    prompt: str
    observation: Observation
    # The episode's epoch: the model-call cache keys on it so K epochs sample K answers.
    epoch: int = 0


class ResponseCache(Protocol):
    """Model responses replayed by request (`reev run --cache`; `reev.store.cache`)."""

    def get(
        self, request: Mapping[str, Any], base_url: str | None, epoch: int
    ) -> dict[str, Any] | None: ...

    def put(
        self,
        request: Mapping[str, Any],
        base_url: str | None,
        response: Mapping[str, Any],
        epoch: int,
    ) -> None: ...


class AgentHarness(Protocol):
    """The harness side an agent talks to."""

    def execute(self, instructions: Sequence[RawInstruction]) -> TransactionRecord: ...

    def call_tool(self, name: str, args: Mapping[str, Any]) -> ToolCallRecord: ...

    def observe(self) -> Observation: ...

    def record_message(self, message: Mapping[str, Any]) -> None: ...

    def record_model_call(self, call: ModelCallRecord) -> None: ...

    def set_stop_reason(self, reason: str) -> None: ...

    def set_answer(self, text: str | None) -> None: ...


@runtime_checkable
class Agent(Protocol):
    """Anything that can act on benchmark steps."""

    name: str
    model: str | None

    def start_episode(self, benchmark: Benchmark) -> None:
        """Called before the first step. Only reference agents may read ground truth here."""
        ...

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        """Act on one step."""
        ...
