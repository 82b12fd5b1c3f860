"""The spans one episode produces, received by an in-memory exporter (real LiteSVM runs)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from reev.agents.base import AgentHarness, StepTask
from reev.agents.deterministic import DeterministicAgent
from reev.benchmark.loader import load_benchmark
from reev.benchmark.model import Benchmark
from reev.runner.episode import run_episode
from reev.tracing.setup import otlp_requested, tracing
from reev.tracing.spans import model_call_span, span, tracing_enabled

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "benchmarks" / "301-flow-transfer-then-report.yml"
FAIL = ROOT / "benchmarks" / "003-spl-transfer-fail.yml"


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    with tracing(otlp=False, extra_processors=[SimpleSpanProcessor(memory)]) as active:
        assert active is not None and tracing_enabled()
        yield memory
    assert not tracing_enabled()


def by_name(spans: tuple[ReadableSpan, ...], name: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name == name]


def parent_of(s: ReadableSpan, spans: tuple[ReadableSpan, ...]) -> ReadableSpan:
    assert s.parent is not None, f"{s.name} has no parent"
    return next(p for p in spans if p.context.span_id == s.parent.span_id)


def test_tracing_is_off_unless_asked() -> None:
    assert not tracing_enabled()
    with span("reev.anything", {"a": 1}) as handle:
        assert not handle.recording
        handle.set("b", 2)  # no-ops, no error
        handle.error("nothing happens")
    result = asyncio.run(run_episode(load_benchmark(REPORT), DeterministicAgent()))
    assert result.passed
    with tracing(otlp=False) as active:  # nothing asked: no provider installed
        assert active is None and not tracing_enabled()


def test_one_flow_episode_gives_episode_step_tool_transaction_spans(
    exporter: InMemorySpanExporter,
) -> None:
    result = asyncio.run(run_episode(load_benchmark(REPORT), DeterministicAgent(), seed=3))
    spans = exporter.get_finished_spans()
    (episode,) = by_name(spans, "reev.episode")
    steps = by_name(spans, "reev.step")
    tools = by_name(spans, "reev.tool_call")
    (tx,) = by_name(spans, "reev.transaction")
    assert episode.parent is None
    assert {s.trace_id for s in (x.context for x in spans)} == {episode.context.trace_id}
    attrs = dict(episode.attributes or {})
    assert attrs["reev.benchmark.id"] == "301-flow-transfer-then-report"
    assert attrs["reev.agent"] == "deterministic"
    assert attrs["reev.seed"] == 3
    assert attrs["reev.score"] == pytest.approx(result.score)
    assert attrs["reev.passed"] is True
    assert attrs["reev.execution_id"] == result.execution_id
    assert [dict(s.attributes or {})["reev.step"] for s in steps] == [1, 2]
    assert all(parent_of(s, spans) is episode for s in steps)
    assert [dict(t.attributes or {})["reev.tool.name"] for t in tools] == [
        "sol_transfer",
        "get_account_balance",
    ]
    transfer_args = json.loads(str(dict(tools[0].attributes or {})["reev.tool.args"]))
    assert transfer_args["amount"] == 100_000_000
    assert parent_of(tools[0], spans) is steps[0]
    assert parent_of(tools[1], spans) is steps[1]
    assert parent_of(tx, spans) is tools[0]
    tx_attrs = dict(tx.attributes or {})
    recorded = result.steps[0].transactions[0]
    assert tx_attrs["solana.signature"] == recorded.signature
    assert tx_attrs["solana.compute_units"] == recorded.compute_units > 0
    assert tx.status.status_code is StatusCode.OK


def test_failed_transaction_marks_its_span_and_the_tool_span_failed(
    exporter: InMemorySpanExporter,
) -> None:
    asyncio.run(run_episode(load_benchmark(FAIL), DeterministicAgent()))
    spans = exporter.get_finished_spans()
    (tx,) = by_name(spans, "reev.transaction")
    (tool,) = by_name(spans, "reev.tool_call")
    assert tx.status.status_code is StatusCode.ERROR
    assert "failure" in str(dict(tx.attributes or {})["error.message"])
    assert tool.status.status_code is StatusCode.ERROR
    assert dict(tool.attributes or {})["reev.tool.status"] == "error"


class ModelCallingAgent:
    """Calls a (pretend) model inside a model-call span, then a tool inside it."""

    name = "model-calling"
    model: str | None = "scripted-model"

    def start_episode(self, benchmark: Benchmark) -> None:
        return None

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        with model_call_span(self.model, provider="test", turn=1) as call:
            call.usage(120, 30, finish_reason="tool_calls")
            harness.call_tool(
                "sol_transfer",
                {
                    "user_pubkey": "USER_WALLET_PUBKEY",
                    "recipient_pubkey": "RECIPIENT_WALLET_PUBKEY",
                    "amount": 100_000_000,
                },
            )
        with model_call_span(self.model, provider="test", turn=2) as call:
            call.usage(160, 12, finish_reason="stop")


def test_model_call_spans_carry_tokens_and_nest_tool_calls(
    exporter: InMemorySpanExporter,
) -> None:
    benchmark = load_benchmark(ROOT / "benchmarks" / "001-sol-transfer.yml")
    result = asyncio.run(run_episode(benchmark, ModelCallingAgent()))
    assert result.passed
    spans = exporter.get_finished_spans()
    (step,) = by_name(spans, "reev.step")
    calls = by_name(spans, "reev.model_call")
    assert [dict(c.attributes or {})["gen_ai.usage.input_tokens"] for c in calls] == [120, 160]
    assert [dict(c.attributes or {})["gen_ai.usage.output_tokens"] for c in calls] == [30, 12]
    assert all(dict(c.attributes or {})["gen_ai.request.model"] == "scripted-model" for c in calls)
    assert all(parent_of(c, spans) is step for c in calls)
    (tool,) = by_name(spans, "reev.tool_call")
    assert parent_of(tool, spans) is calls[0]
    (episode,) = by_name(spans, "reev.episode")
    assert dict(episode.attributes or {})["reev.model"] == "scripted-model"


def test_model_call_span_records_an_exception() -> None:
    memory = InMemorySpanExporter()
    with (
        tracing(otlp=False, extra_processors=[SimpleSpanProcessor(memory)]),
        pytest.raises(RuntimeError),
        model_call_span("m"),
    ):
        raise RuntimeError("provider said 500")
    (call,) = memory.get_finished_spans()
    assert call.status.status_code is StatusCode.ERROR
    assert call.events[0].name == "exception"


def test_otlp_is_requested_by_the_standard_variables() -> None:
    assert not otlp_requested({})
    assert otlp_requested({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert otlp_requested({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"})
    assert not otlp_requested(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_SDK_DISABLED": "true"}
    )
    assert not otlp_requested(
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318", "OTEL_TRACES_EXPORTER": "none"}
    )
