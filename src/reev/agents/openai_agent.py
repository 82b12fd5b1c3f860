"""The `openai` agent: a tool-calling loop over any OpenAI-compatible chat endpoint.

The model chooses tools and arguments; the harness validates them, builds the
instructions, signs and executes each instruction-building call as its own transaction,
and the structured result goes back to the model. The loop ends when the model answers
without a tool call, or at a limit (see `limits.py`). The instructions scored are the ones
the harness executed; nothing in the model's text is ever executed.

Every model call is recorded (`ModelCallRecord`: messages in and out, latency, tokens,
cost, retries) with every tool call, as the step's transcript. The API key is held in
memory only, for the client.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import ssl
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from openai import AsyncOpenAI, DefaultAsyncHttpxClient

from reev.agents.base import AgentError, AgentHarness, ResponseCache, StepTask
from reev.agents.completion import (
    Completion,
    ProviderError,
    ToolCallRequest,
    request_completion,
)
from reev.agents.json_mode import (
    ResultsRole,
    correction_message,
    mode_instructions,
    read_grammar_reply,
    results_messages,
)
from reev.agents.limits import Budget, Limits
from reev.agents.presets import Endpoint
from reev.agents.prompt import system_prompt, user_message
from reev.agents.retry import RetriesExhausted, RetryOutcome, RetryPolicy, call_with_retries
from reev.agents.text_calls import read_text_calls
from reev.agents.tool_menu import ToolMenu, lean_schema, reply_schema, select_tools
from reev.agents.tool_results import dump_payload, run_tool_for_model
from reev.benchmark.model import Benchmark
from reev.results.records import ModelCallRecord, utc_now
from reev.tools.base import Tool
from reev.tools.registry import TOOLS
from reev.tracing.spans import model_call_span

ToolMode = Literal["native", "json", "grammar"]
TOOL_MODES: tuple[str, ...] = ("native", "json", "grammar")
GrammarFormat = Literal["llama.cpp", "openai"]


@dataclass(frozen=True)
class Pricing:
    """USD per million prompt and completion tokens, when the user configures a price."""

    prompt_per_mtok: float
    completion_per_mtok: float

    def cost(self, prompt_tokens: int | None, completion_tokens: int | None) -> float | None:
        """The cost of one call, or None when the provider reported no usage."""
        if prompt_tokens is None and completion_tokens is None:
            return None
        return (
            (prompt_tokens or 0) * self.prompt_per_mtok
            + (completion_tokens or 0) * self.completion_per_mtok
        ) / 1_000_000


@dataclass(frozen=True)
class AgentConfig:
    """Everything about an LLM agent run except the endpoint.

    `max_reply_tokens` is sent as every request's `max_tokens`, so one runaway reply
    cannot hold a server for minutes. `request_timeout`, when set, caps each request;
    it is always also bounded by what is left of the episode's `max_seconds`.
    """

    limits: Limits = field(default_factory=Limits)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    tool_mode: ToolMode = "native"
    stream: bool = False
    pricing: Pricing | None = None
    temperature: float | None = None
    top_p: float | None = None
    seed: int | None = None
    max_reply_tokens: int = 1024
    request_timeout: float | None = None
    results_role: ResultsRole = "user"
    grammar_format: GrammarFormat = "llama.cpp"


@dataclass
class _Reading:
    """The calls of one reply and, when it has none, whether it deserves a correction."""

    calls: list[tuple[str, str, str | dict[str, Any]]]
    from_text: bool = False
    correction: tuple[str, str | None] | None = None  # (kind, detail)
    answer: str | None = None


class OpenAIAgent:
    """An LLM agent over an OpenAI-compatible endpoint (see module docstring)."""

    def __init__(
        self,
        name: str,
        endpoint: Endpoint,
        config: AgentConfig | None = None,
        *,
        tools: Sequence[Tool[Any]] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        cache: ResponseCache | None = None,
    ) -> None:
        self.name = name
        self.cache = cache  # `reev run --cache`: responses replayed from the store
        self._epoch = 0  # the running episode's, from its StepTask (the cache keys on it)
        self.model: str | None = endpoint.model
        self._endpoint = endpoint
        self.config = config or AgentConfig()
        self.tools = list(tools) if tools is not None else [TOOLS[n] for n in sorted(TOOLS)]
        self._menu = ToolMenu(self.tools, [])
        self._sleep = sleep
        self._messages: list[dict[str, Any]] = []
        self._budget = Budget(self.config.limits)
        self._corrected: set[str] = set()
        self._seed = self.config.seed
        self._families: list[str] | None = None

    def describe(self) -> dict[str, Any]:
        """What a run records about this agent: endpoint, tool mode, limits, sampling."""
        cfg = self.config
        return {
            "preset": self._endpoint.preset,
            "model": self._endpoint.model,
            "base_url": self._endpoint.base_url,
            "tool_mode": cfg.tool_mode,
            "stream": cfg.stream,
            "results_role": cfg.results_role,
            "limits": dataclasses.asdict(cfg.limits),
            "max_reply_tokens": cfg.max_reply_tokens,
            "temperature": cfg.temperature,
            "top_p": cfg.top_p,
            "seed": cfg.seed,
        }

    def __repr__(self) -> str:
        return f"OpenAIAgent(name={self.name!r}, endpoint={self._endpoint!r})"

    def start_episode(self, benchmark: Benchmark) -> None:
        """Fresh conversation, budget and tool menu (the benchmark's tool families, if named).

        Ground truth is not read: the model never sees it.
        """
        self._messages = []
        self._budget = Budget(self.config.limits)
        self._corrected = set()
        self._families = benchmark.tool_families
        self._menu = ToolMenu(self.tools, [])

    # --- the loop ---------------------------------------------------------------------

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        """Converse with the model until it answers without tool calls or a limit is hit."""
        self._epoch = task.epoch
        # K epochs must sample K answers: the request seed is the run's seed plus the epoch
        seed = self.config.seed
        self._seed = seed + task.epoch if seed is not None else None
        if self._budget.exhausted:
            harness.set_stop_reason(f"{self._budget.exhausted} (in an earlier step)")
            return
        if not self._messages:
            # the menu needs the episode's upstreams, which the harness knows
            configured = getattr(harness, "upstream_configured", None)
            self._menu = select_tools(
                self.tools,
                self._families,
                lambda family: bool(configured and configured(family)),
            )
            self._add(harness, {"role": "system", "content": self._system_prompt()})
        self._add(harness, {"role": "user", "content": user_message(task)})
        api_key = self._endpoint.api_key or "not-needed"  # never let the SDK read another env key
        async with AsyncOpenAI(
            api_key=api_key,
            base_url=self._endpoint.base_url,
            max_retries=0,
            timeout=self.config.limits.max_seconds,
            http_client=DefaultAsyncHttpxClient(verify=tls_context()),
        ) as client:
            await self._loop(client, harness)

    async def _loop(self, client: AsyncOpenAI, harness: AgentHarness) -> None:
        while True:
            limit = self._budget.before_turn()
            if limit:
                harness.set_stop_reason(limit)
                return
            with model_call_span(
                self._endpoint.model,
                provider=self._endpoint.preset,
                base_url=self._endpoint.base_url,
                turn=self._budget.turns + 1,
            ) as span:  # a no-op unless tracing is on
                called = await self._call_model(client, harness)
                if called is not None:
                    completion, _record = called
                    span.usage(
                        completion.prompt_tokens,
                        completion.completion_tokens,
                        finish_reason=completion.finish_reason,
                    )
                else:
                    span.error(self._budget.exhausted or "limit: max_seconds")
            if called is None:
                harness.set_stop_reason(self._budget.exhausted or "limit: max_seconds")
                return
            completion, record = called
            reading = self._read(completion)
            message = completion.assistant_message()
            if reading.from_text and self.config.tool_mode == "native":
                # the calls the model wrote as text become the turn's tool calls, so the
                # results that follow answer them in the tool role
                message["tool_calls"] = [
                    {
                        "id": cid,
                        "type": "function",
                        "function": {"name": name, "arguments": _dump(args)},
                    }
                    for cid, name, args in reading.calls
                ]
                record.calls_from_text = len(reading.calls)
            self._add(harness, message)
            if completion.finish_reason == "length":
                harness.set_stop_reason(
                    f"length: the reply reached max_tokens ({self.config.max_reply_tokens}) "
                    "or the context is full"
                )
                return
            if not reading.calls:
                if completion.refusal:
                    harness.set_stop_reason(f"refusal: {completion.refusal}")
                    return
                if reading.correction and reading.correction[0] not in self._corrected:
                    kind, detail = reading.correction
                    self._corrected.add(kind)
                    record.correction = kind
                    native = self.config.tool_mode == "native"
                    self._add(harness, correction_message(kind, detail, native))
                    continue
                set_answer = getattr(harness, "set_answer", None)
                if callable(set_answer):
                    set_answer(reading.answer if reading.answer is not None else completion.content)
                harness.set_stop_reason("answered")
                return
            results: list[tuple[str, str, dict[str, Any]]] = []
            for call_id, name, arguments in reading.calls:
                limit = self._budget.take_tool_call()
                if limit:
                    harness.set_stop_reason(limit)
                    return
                payload = self._run_tool(harness, name, arguments)
                if self.config.tool_mode == "native":
                    self._add(
                        harness,
                        {"role": "tool", "tool_call_id": call_id, "content": _dump(payload)},
                    )
                else:
                    results.append((call_id, name, payload))
            if results:
                for result_message in results_messages(results, self.config.results_role):
                    self._add(harness, result_message)

    def _system_prompt(self) -> str:
        text = system_prompt()
        if self.config.tool_mode == "native":
            if self._menu.notes:
                text += "\n" + "\n".join(self._menu.notes)
            return text
        return text + "\n" + mode_instructions(self._menu, self.config.tool_mode == "grammar")

    def _read(self, completion: Completion) -> _Reading:
        """The calls of a reply in the agent's tool mode, or why it holds none."""
        turn = self._budget.turns
        mode = self.config.tool_mode
        if mode == "native" and completion.tool_calls:
            return _Reading([(c.id, c.name, c.arguments) for c in completion.tool_calls])
        text = completion.content or ""
        if mode == "grammar":
            calls, answer, reading = read_grammar_reply(text, turn)
            if answer is not None:
                return _Reading([], answer=answer)
        else:
            names = set(self._menu.names) if mode == "native" else None
            reading = read_text_calls(text, turn, names)
            calls = reading.calls
        if calls:
            return _Reading([(c.id, c.name, c.arguments) for c in calls], from_text=True)
        if reading.imitation:
            return _Reading([], correction=("imitated_tool_result", None))
        if reading.malformed:
            return _Reading([], correction=("malformed_call", reading.malformed))
        return _Reading([])

    def _add(self, harness: AgentHarness, message: dict[str, Any]) -> None:
        self._messages.append(message)
        harness.record_message(message)

    # --- one model call -----------------------------------------------------------------

    def _params(self) -> dict[str, Any]:
        """What the request asks for besides messages and tools (also recorded per call)."""
        cfg = self.config
        left = self.config.limits.max_tokens - self._budget.tokens
        params: dict[str, Any] = {"max_tokens": max(1, min(cfg.max_reply_tokens, left))}
        for name, value in (("temperature", cfg.temperature), ("top_p", cfg.top_p)):
            if value is not None:
                params[name] = value
        if self._seed is not None:
            params["seed"] = self._seed
        return params

    def _request(self) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self._endpoint.model,
            "messages": list(self._messages),
            **self._params(),
        }
        mode = self.config.tool_mode
        if mode == "native":
            request["tools"] = [lean_tool_schema(t) for t in self._menu.tools]
        elif mode == "grammar":
            schema = reply_schema(self._menu.tools)
            if self.config.grammar_format == "llama.cpp":
                request["response_format"] = {"type": "json_object", "schema": schema}
            else:
                request["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "reply", "schema": schema},
                }
        return request

    async def _call_model(
        self, client: AsyncOpenAI, harness: AgentHarness
    ) -> tuple[Completion, ModelCallRecord] | None:
        """One recorded model call with retries; None when the time limit cut it off.

        Each attempt's timeout is what is left of the episode's time (capped by
        `request_timeout`); when the budget runs out the call is cancelled, which closes
        its connection, so a streaming server stops generating.
        """
        budget = self._budget
        budget.turns += 1
        request = self._request()
        record = ModelCallRecord(
            turn=budget.turns,
            model=self._endpoint.model,
            messages_in=[dict(m) for m in self._messages],
            stream=self.config.stream,
            started_at=utc_now(),
            params={"tool_mode": self.config.tool_mode, **self._params()},
        )
        outcome = RetryOutcome()
        t0 = time.perf_counter()

        def attempt_timeout() -> float:
            left = max(0.1, budget.remaining_seconds())
            cap = self.config.request_timeout
            return min(left, cap) if cap is not None else left

        async def attempt() -> Completion:
            if self.cache is not None:
                hit = self.cache.get(request, self._endpoint.base_url, self._epoch)
                if hit is not None:
                    return completion_from_dict(hit)
            completion = await request_completion(
                client, request, stream=self.config.stream, timeout=attempt_timeout()
            )
            if self.cache is not None:
                self.cache.put(
                    request, self._endpoint.base_url, dataclasses.asdict(completion), self._epoch
                )
            return completion

        try:
            completion = await asyncio.wait_for(
                call_with_retries(
                    attempt,
                    self.config.retry,
                    outcome,
                    sleep=self._sleep,
                    max_wait=budget.remaining_seconds,
                ),
                timeout=max(0.0, budget.remaining_seconds()),
            )
        except TimeoutError:
            self._finish(record, outcome, t0, error=budget.seconds_exhausted(), harness=harness)
            return None
        except RetriesExhausted as exc:
            if budget.remaining_seconds() <= 0.1:  # the last attempt timed out with the budget
                self._finish(record, outcome, t0, error=budget.seconds_exhausted(), harness=harness)
                return None
            self._finish(record, outcome, t0, error=str(exc), harness=harness)
            raise AgentError(f"model call failed: {exc}") from exc
        except ProviderError as exc:
            self._finish(record, outcome, t0, error=str(exc), harness=harness)
            raise AgentError(f"model call failed: {exc}") from exc
        record.message_out = completion.assistant_message()
        if completion.refusal:
            record.message_out["refusal"] = completion.refusal
        record.finish_reason = completion.finish_reason
        record.prompt_tokens = completion.prompt_tokens
        record.completion_tokens = completion.completion_tokens
        if self.config.pricing is not None:
            record.cost_usd = self.config.pricing.cost(
                completion.prompt_tokens, completion.completion_tokens
            )
        budget.tokens += (completion.prompt_tokens or 0) + (completion.completion_tokens or 0)
        self._finish(record, outcome, t0, error=None, harness=harness)
        return completion, record

    @staticmethod
    def _finish(
        record: ModelCallRecord,
        outcome: RetryOutcome,
        t0: float,
        *,
        error: str | None,
        harness: AgentHarness,
    ) -> None:
        record.latency_ms = (time.perf_counter() - t0) * 1000
        record.attempts = outcome.attempts
        record.retry_waits_s = list(outcome.waits)
        if error is not None:
            record.status = "error"
            record.error = error
        harness.record_model_call(record)

    # --- one tool call ------------------------------------------------------------------

    def _run_tool(
        self, harness: AgentHarness, name: str, arguments: str | dict[str, Any]
    ) -> dict[str, Any]:
        """Run a tool through the harness and return the structured result for the model."""
        return run_tool_for_model(harness, name, arguments)


@functools.cache
def tool_schema(tool: Tool[Any]) -> dict[str, Any]:
    """A tool's full OpenAI schema, built once per process (pydantic's JSON schema is slow)."""
    return tool.openai_schema()


@functools.cache
def lean_tool_schema(tool: Tool[Any]) -> dict[str, Any]:
    """A tool's lean OpenAI schema (`tool_menu.lean_schema`), built once per process."""
    return lean_schema(tool)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client: building one costs ~50 ms, per episode otherwise."""
    try:
        import certifi
    except ImportError:  # pragma: no cover - httpx brings certifi
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


def _dump(payload: Any) -> str:
    return dump_payload(payload)


def completion_from_dict(data: dict[str, Any]) -> Completion:
    """A Completion back from its cached form (`dataclasses.asdict`)."""
    fields = dict(data)
    fields["tool_calls"] = [ToolCallRequest(**c) for c in fields.get("tool_calls") or []]
    return Completion(**fields)
