"""The span API the runner, the harness and agents call: no-ops unless tracing is on.

Tracing is optional and never required for a run: while no provider is installed (the
default) every helper here yields a handle whose methods do nothing and costs nothing
beyond a function call. `reev.tracing.setup` installs a provider when the user asks for
`--trace-file` or an OTLP endpoint.

The shape of one episode's trace:

    reev.episode                (benchmark, agent, model, seed, score, passed)
    └─ reev.step                (step number, prompt, critical, score, passed, error)
       ├─ reev.model_call       (model, input/output tokens)        ← agents call this
       ├─ reev.tool_call        (tool name, JSON arguments, status, error)
       │  └─ reev.transaction   (signature, compute units, fee, status, error)
       └─ reev.transaction      (raw instructions executed without a tool)

A tool call made while a model-call span is open nests under it; an agent that makes its
tool calls after the model call returned gets them as the model call's siblings.
The provider is process-wide, and the parent of a span is whatever span is current in the
running asyncio task's context, so concurrent episodes get separate traces.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from opentelemetry.trace import Span, Status, StatusCode, Tracer, TracerProvider

from reev.results.transaction import TransactionRecord

TRACER_NAME = "reev"

AttrValue = str | bool | int | float

_provider: TracerProvider | None = None
_tracer: Tracer | None = None


def install_provider(provider: TracerProvider) -> None:
    """Send reev's spans to `provider` from now on (used by `reev.tracing.setup`)."""
    global _provider, _tracer
    _provider = provider
    _tracer = provider.get_tracer(TRACER_NAME)


def uninstall_provider() -> None:
    """Stop tracing: every span helper becomes a no-op again."""
    global _provider, _tracer
    _provider = None
    _tracer = None


def tracing_enabled() -> bool:
    """Whether spans are being recorded."""
    return _tracer is not None


def attribute_value(value: Any) -> AttrValue | None:
    """An OpenTelemetry attribute value: scalars as they are, anything else as JSON."""
    if value is None:
        return None
    if isinstance(value, str | bool | int | float):
        return value
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return str(value)


class SpanHandle:
    """What a `with span(...)` block gets: set attributes, mark an error, add an event."""

    __slots__ = ("_span",)

    def __init__(self, span: Span | None) -> None:
        self._span = span

    @property
    def recording(self) -> bool:
        """True when this span is really recorded (tracing on)."""
        return self._span is not None

    def set(self, key: str, value: Any) -> None:
        """Set one attribute; None is skipped, dicts and lists are stored as JSON."""
        if self._span is None:
            return
        converted = attribute_value(value)
        if converted is not None:
            self._span.set_attribute(key, converted)

    def set_many(self, attributes: Mapping[str, Any]) -> None:
        """Set several attributes at once."""
        for key, value in attributes.items():
            self.set(key, value)

    def error(self, message: str) -> None:
        """Mark the span failed with a reason (a failed transaction, a step error…)."""
        if self._span is None:
            return
        self._span.set_attribute("error.message", message)
        self._span.set_status(Status(StatusCode.ERROR, message))

    def ok(self) -> None:
        """Mark the span explicitly successful."""
        if self._span is not None:
            self._span.set_status(Status(StatusCode.OK))

    def event(self, name: str, attributes: Mapping[str, Any] | None = None) -> None:
        """Add a timestamped event to the span."""
        if self._span is None:
            return
        attrs = {k: v for k, v in ((k, attribute_value(v)) for k, v in (attributes or {}).items())}
        self._span.add_event(name, {k: v for k, v in attrs.items() if v is not None})


@contextmanager
def span(name: str, attributes: Mapping[str, Any] | None = None) -> Iterator[SpanHandle]:
    """A span named `name`, child of the current span; a no-op handle when tracing is off.

    An exception leaving the block is recorded on the span (status ERROR) and re-raised.
    """
    tracer = _tracer
    if tracer is None:
        yield SpanHandle(None)
        return
    with tracer.start_as_current_span(name) as otel_span:
        handle = SpanHandle(otel_span)
        handle.set_many(attributes or {})
        yield handle


# --- named spans: one helper per level, so attribute names stay consistent ---------------


def episode_span(
    *,
    benchmark_id: str,
    agent: str,
    model: str | None,
    seed: int,
    epoch: int,
    execution_id: str,
    step_count: int,
) -> AbstractContextManager[SpanHandle]:
    """The root span of one episode."""
    return span(
        "reev.episode",
        {
            "reev.benchmark.id": benchmark_id,
            "reev.agent": agent,
            "reev.model": model,
            "gen_ai.request.model": model,
            "reev.seed": seed,
            "reev.epoch": epoch,
            "reev.execution_id": execution_id,
            "reev.step_count": step_count,
        },
    )


def step_span(
    *, step: int, prompt: str, critical: bool = False
) -> AbstractContextManager[SpanHandle]:
    """One step of an episode (the only step of a single-step benchmark)."""
    return span(
        "reev.step",
        {"reev.step": step, "reev.step.prompt": prompt, "reev.step.critical": critical},
    )


@contextmanager
def model_call_span(
    model: str | None,
    *,
    provider: str | None = None,
    base_url: str | None = None,
    turn: int | None = None,
) -> Iterator[ModelCallHandle]:
    """Wrap one call to a language model; call `.usage(...)` once the answer is in.

    For agent authors:

        with model_call_span(self.model, provider="openai", turn=n) as call:
            response = await client.chat.completions.create(...)
            call.usage(response.usage.prompt_tokens, response.usage.completion_tokens)

    A no-op when tracing is off; an exception leaving the block marks the span failed.
    """
    with span(
        "reev.model_call",
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": model,
            "gen_ai.system": provider,
            "server.address": base_url,
            "reev.turn": turn,
        },
    ) as handle:
        yield ModelCallHandle(handle)


class ModelCallHandle:
    """The handle of a model-call span, with token accounting."""

    __slots__ = ("span",)

    def __init__(self, handle: SpanHandle) -> None:
        self.span = handle

    def usage(
        self,
        input_tokens: int | None,
        output_tokens: int | None,
        *,
        response_model: str | None = None,
        finish_reason: str | None = None,
    ) -> None:
        """Record token counts (OpenTelemetry GenAI attribute names) and the answer's model."""
        self.span.set_many(
            {
                "gen_ai.usage.input_tokens": input_tokens,
                "gen_ai.usage.output_tokens": output_tokens,
                "gen_ai.response.model": response_model,
                "gen_ai.response.finish_reason": finish_reason,
            }
        )

    def set(self, key: str, value: Any) -> None:
        """Set any other attribute (latency, cost, tool-call count…)."""
        self.span.set(key, value)

    def error(self, message: str) -> None:
        """Mark the model call failed (provider error, refusal…)."""
        self.span.error(message)


def tool_call_span(name: str, args: Mapping[str, Any]) -> AbstractContextManager[SpanHandle]:
    """One tool call: its name and arguments (pubkeys and amounts; never private keys)."""
    return span("reev.tool_call", {"reev.tool.name": name, "reev.tool.args": dict(args)})


def transaction_span(instruction_count: int) -> AbstractContextManager[SpanHandle]:
    """One transaction the harness signs and executes."""
    return span("reev.transaction", {"solana.instruction_count": instruction_count})


def trace_transaction(handle: SpanHandle, record: TransactionRecord) -> None:
    """Put a transaction's outcome on its span: signature, compute units, fee, error."""
    handle.set_many(
        {
            "solana.signature": record.signature,
            "solana.status": record.status,
            "solana.compute_units": record.compute_units,
            "solana.fee": record.fee,
            "solana.program_ids": sorted({ix.program_id for ix in record.instructions}),
        }
    )
    if record.succeeded:
        handle.ok()
    else:
        handle.error(f"transaction {record.status}: {record.error}")
