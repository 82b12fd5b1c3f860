"""A two-step flow solved by the openai agent against the scripted loopback model.

Step 2's right answer depends on what step 1 did: the model must send exactly the wSOL
it wrapped in step 1, which it reads from the conversation (step 1's tool result), since
the flow is one continuing conversation.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from reev.agents.registry import create_agent
from reev.benchmark.loader import load_benchmark
from reev.results.records import EpisodeResult
from reev.runner.episode import run_episode
from reev.tracing.setup import tracing
from tests.fakes.openai_server import Reply, ScriptedOpenAI

ROOT = Path(__file__).resolve().parents[2]
WRAP = ROOT / "benchmarks" / "300-flow-wrap-then-transfer.yml"
WSOL = "So11111111111111111111111111111111111111112"


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-stored")


def wrapped_in_earlier_steps(body: dict[str, Any]) -> int | None:
    """What the conversation says wrap_sol wrapped (from its tool result)."""
    for m in body["messages"]:
        if m.get("role") == "tool":
            result = json.loads(m["content"]).get("result", {})
            if "wrapped_lamports" in result:
                return int(result["wrapped_lamports"])
    return None


def make_script(wrap_amount: int) -> Any:
    def script(body: dict[str, Any]) -> Reply:
        messages = body["messages"]
        if messages[-1]["role"] == "tool":
            return Reply.text("Done.")
        step = sum(1 for m in messages if m["role"] == "user")
        if step == 1:
            return Reply.call(
                "wrap_sol", {"user_pubkey": "USER_WALLET_PUBKEY", "amount": wrap_amount}
            )
        wrapped = wrapped_in_earlier_steps(body)
        if wrapped is None:
            return Reply.text("I do not know what was wrapped.")
        return Reply.call(
            "spl_transfer",
            {
                "user_pubkey": "USER_WSOL_ATA",
                "recipient_pubkey": "RECIPIENT_WSOL_ATA",
                "amount": wrapped,
                "mint_address": WSOL,
            },
        )

    return script


def run(base_url: str) -> EpisodeResult:
    agent = create_agent("openai", model="scripted-model", base_url=base_url)
    return asyncio.run(run_episode(load_benchmark(WRAP), agent))


def test_step_two_uses_step_ones_outcome_from_the_conversation() -> None:
    with ScriptedOpenAI(make_script(500_000_000)) as llm:
        result = run(llm.base_url)
    assert result.status == "completed", result.error
    assert result.passed and result.score == pytest.approx(1.0)
    step1, step2 = result.steps
    assert [c.tool for c in step1.tool_calls] == ["wrap_sol"]
    assert [c.tool for c in step2.tool_calls] == ["spl_transfer"]
    assert step2.tool_calls[0].args["amount"] == 500_000_000
    assert step1.passed and step2.passed
    # one continuing conversation: step 2's first request carries step 1's messages
    step2_first = next(
        r for r in llm.requests if sum(1 for m in r["messages"] if m["role"] == "user") == 2
    )
    roles = [m["role"] for m in step2_first["messages"]]
    assert roles[:5] == ["system", "user", "assistant", "tool", "assistant"]
    assert step2_first["messages"][-1]["content"].startswith("Step 2 of 2.")
    assert sum(1 for m in step2_first["messages"] if m["role"] == "system") == 1


def test_wrong_first_step_fails_the_critical_step_and_ends_the_flow() -> None:
    with ScriptedOpenAI(make_script(300_000_000)) as llm:
        result = run(llm.base_url)
    step1, step2 = result.steps
    assert step1.passed is False
    assert step1.assertions[0].actual == 300_000_000
    assert step2.skipped and step2.error == "not run: critical step 1 failed"
    assert all(sum(1 for m in r["messages"] if m["role"] == "user") == 1 for r in llm.requests)
    assert result.passed is False


def test_model_call_spans_from_the_openai_agent() -> None:
    memory = InMemorySpanExporter()
    with (
        tracing(otlp=False, extra_processors=[SimpleSpanProcessor(memory)]),
        ScriptedOpenAI(make_script(500_000_000)) as llm,
    ):
        result = run(llm.base_url)
    assert result.passed
    spans = memory.get_finished_spans()
    calls = [s for s in spans if s.name == "reev.model_call"]
    assert len(calls) == len(llm.requests) == 4
    steps = {s.context.span_id: s for s in spans if s.name == "reev.step"}
    for call in calls:
        attrs = dict(call.attributes or {})
        assert attrs["gen_ai.request.model"] == "scripted-model"
        assert attrs["gen_ai.usage.input_tokens"] == 120
        assert attrs["gen_ai.usage.output_tokens"] == 30
        assert call.parent is not None and call.parent.span_id in steps
    assert [dict(c.attributes or {})["gen_ai.response.finish_reason"] for c in calls] == [
        "tool_calls",
        "stop",
        "tool_calls",
        "stop",
    ]
