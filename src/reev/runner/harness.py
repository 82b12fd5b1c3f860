"""The harness an agent acts through: it signs, executes and records every action."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from reev.chain.env import SolanaEnv
from reev.results.chain import AccountState, Observation
from reev.results.instruction import RawInstruction
from reev.results.records import ModelCallRecord, StepRecord, ToolCallRecord, utc_now
from reev.results.transaction import TransactionRecord
from reev.tools.base import ToolError
from reev.tools.jupiter.client import JupiterClient
from reev.tools.registry import get_tool
from reev.tracing.spans import SpanHandle, tool_call_span, trace_transaction, transaction_span


class EpisodeHarness:
    """Executes an agent's decisions on one SolanaEnv and records them into StepRecords.

    It is also the ToolContext tools read from: the public key map, live accounts and the
    episode's Jupiter client (a live one at the default URL when the run gave none).
    """

    def __init__(
        self, env: SolanaEnv, jupiter: JupiterClient | None = None, *, traced: bool = True
    ) -> None:
        # `traced=False`: no spans (the side-effect rule's reference replay is not part of
        # the agent's trace).
        self.env = env
        self._traced = traced
        self.steps: list[StepRecord] = []
        # Set when a tool's upstream could not answer: the episode is then an
        # infrastructure error, not a score against the agent.
        self.upstream_failure: str | None = None
        self._jupiter = jupiter

    def set_answer(self, text: str | None) -> None:
        """Keep the agent's final text of the current step (`StepRecord.answer`; when
        none is set, `finish_step` takes the last assistant message)."""
        self.current.answer = text

    def upstream_configured(self, family: str) -> bool:
        """Whether a tool family's upstream is named by the run (agents offer it only then).

        Only `jupiter` has one: configured when the run gave a Jupiter URL, the
        environment names one, or a cassette answers (`JupiterClient.configured`).
        """
        if family != "jupiter":
            return True
        return self._jupiter is not None and self._jupiter.configured

    @property
    def jupiter(self) -> JupiterClient:
        """The Jupiter client tools call (created on first use when the run gave none)."""
        if self._jupiter is None:
            self._jupiter = JupiterClient()
        return self._jupiter

    def begin_step(self, step: int, prompt: str) -> StepRecord:
        """Start recording a new step."""
        record = StepRecord(step=step, prompt=prompt)
        self.steps.append(record)
        return record

    @property
    def current(self) -> StepRecord:
        if not self.steps:
            raise RuntimeError("begin_step() must be called first")
        return self.steps[-1]

    @property
    def transactions(self) -> list[TransactionRecord]:
        """Every transaction of the episode, in order."""
        return [tx for s in self.steps for tx in s.transactions]

    @property
    def actions(self) -> list[RawInstruction]:
        """Every instruction the agent asked for, in order (reev's 'actions')."""
        return [ix for s in self.steps for ix in s.instructions]

    # --- AgentHarness ---------------------------------------------------------------

    def execute(
        self, instructions: Sequence[RawInstruction], lookup_tables: Sequence[str] = ()
    ) -> TransactionRecord:
        """Sign and execute one transaction (v0 when lookup tables are given); kept and returned."""
        with self._span(transaction_span, len(instructions)) as span:
            record = self.env.execute(instructions, lookup_tables)
            trace_transaction(span, record)
        step = self.current
        step.instructions.extend(record.instructions or list(instructions))
        step.transactions.append(record)
        return record

    def call_tool(self, name: str, args: Mapping[str, Any]) -> ToolCallRecord:
        """Run a tool; instructions it builds are executed at once as one transaction."""
        with self._span(tool_call_span, name, args) as span:
            call = self._call_tool(name, args)
            span.set("reev.tool.status", call.status)
            if call.error:
                span.error(call.error)
            return call

    def _call_tool(self, name: str, args: Mapping[str, Any]) -> ToolCallRecord:
        started = utc_now()
        t0 = time.perf_counter()
        try:
            output = get_tool(name).invoke(args, self)
        except ToolError as exc:
            if getattr(exc, "reev_infrastructure", False) and self.upstream_failure is None:
                self.upstream_failure = f"tool {name}: {exc}"
            call = ToolCallRecord(
                tool=name,
                args=dict(args),
                status="error",
                error=str(exc),
                started_at=started,
                duration_ms=(time.perf_counter() - t0) * 1000,
            )
            self.current.tool_calls.append(call)
            return call
        result: dict[str, Any] = dict(output.data)
        status: str = "ok"
        error = None
        tx_index = None
        if output.instructions:
            tx = self.execute(output.instructions, output.lookup_tables)
            tx_index = len(self.current.transactions) - 1
            result["transaction"] = {
                "status": tx.status,
                "signature": tx.signature,
                "error": tx.error,
                "logs": tx.logs[-10:],
            }
            if not tx.succeeded:
                status, error = "error", f"transaction {tx.status}: {tx.error}"
        call = ToolCallRecord(
            tool=name,
            args=dict(args),
            status="ok" if status == "ok" else "error",
            result=result,
            error=error,
            transaction_index=tx_index,
            started_at=started,
            duration_ms=(time.perf_counter() - t0) * 1000,
        )
        self.current.tool_calls.append(call)
        return call

    def _span(
        self, make: Callable[..., AbstractContextManager[SpanHandle]], *args: Any
    ) -> AbstractContextManager[SpanHandle]:
        return make(*args) if self._traced else nullcontext(SpanHandle(None))

    def observe(self) -> Observation:
        """The current public observation."""
        return self.env.observe()

    def record_message(self, message: Mapping[str, Any]) -> None:
        """Append a transcript message (LLM agents) to the current step."""
        self.current.messages.append(dict(message))

    def record_model_call(self, call: ModelCallRecord) -> None:
        """Append one model call (LLM agents) to the current step's transcript."""
        self.current.model_calls.append(call)

    def set_stop_reason(self, reason: str) -> None:
        """Say why the agent stopped this step (answered, refused, which limit was hit)."""
        self.current.stop_reason = reason

    def finish_step(self) -> None:
        """Close the current step: its answer defaults to the last assistant message."""
        step = self.current
        if step.answer is None:
            for message in reversed(step.messages):
                content = message.get("content")
                if message.get("role") == "assistant" and isinstance(content, str) and content:
                    step.answer = content
                    break

    # --- ToolContext ----------------------------------------------------------------

    @property
    def key_map(self) -> Mapping[str, str]:
        return self.env.key_map

    def account(self, pubkey: str) -> AccountState:
        return self.env.account_state(pubkey)

    def token_accounts_by_owner(self, owner: str) -> list[AccountState]:
        return self.env.token_accounts_by_owner(owner)
