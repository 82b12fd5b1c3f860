"""The openai agent against a loopback fake LLM: text calls in native mode, corrections,
reply caps, sampling options, grammar mode, the lean prompt and cancelled calls."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from reev.agents.registry import create_agent
from reev.benchmark.loader import load_benchmark
from reev.results.records import EpisodeResult
from reev.runner.episode import run_episode
from tests.fakes.openai_server import Reply, ScriptedOpenAI, assistant_turns, harness_results

SEND = {
    "user_pubkey": "USER_WALLET_PUBKEY",
    "recipient_pubkey": "RECIPIENT_WALLET_PUBKEY",
    "amount": 100_000_000,
}


def run(bundled: Path, name: str, base_url: str, epoch: int = 0, **options: Any) -> EpisodeResult:
    agent = create_agent("openai", model="scripted-model", base_url=base_url, **options)
    benchmark = load_benchmark(bundled / name)
    return asyncio.run(run_episode(benchmark, agent, epoch=epoch))


def last_user(body: dict[str, Any]) -> str:
    return str([m for m in body["messages"] if m["role"] == "user"][-1]["content"])


def test_native_mode_recovers_a_qwen_tagged_call_written_as_text(bundled: Path) -> None:
    def script(body: dict[str, Any]) -> Reply:
        if any(m["role"] == "tool" for m in body["messages"]):
            return Reply.text("Sent 0.1 SOL.")
        return Reply.text(
            f'<tool_call>\n{{"name": "sol_transfer", "arguments": {json.dumps(SEND)}}}\n</tool_call>'
        )

    with ScriptedOpenAI(script) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url)
    assert result.passed and result.failure_kind is None
    step = result.steps[0]
    assert step.model_calls[0].calls_from_text == 1 and step.answer == "Sent 0.1 SOL."
    # the text call became the turn's tool call, answered in the tool role
    second = llm.requests[1]["messages"]
    assert second[-2]["role"] == "assistant" and second[-2]["tool_calls"][0]["id"] == "text-1-0"
    assert second[-1] == {**second[-1], "role": "tool", "tool_call_id": "text-1-0"}


def test_an_imitated_result_gets_one_correction_then_counts_as_the_answer(bundled: Path) -> None:
    def script(body: dict[str, Any]) -> Reply:
        return Reply.text('Tool results:\n[{"name": "sol_transfer", "status": "ok"}]')

    with ScriptedOpenAI(script) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url, tool_mode="json")
    step = result.steps[0]
    assert [c.correction for c in step.model_calls] == ["imitated_tool_result", None]
    assert "come only from the harness" in last_user(llm.requests[1])
    assert step.stop_reason == "answered" and result.failure_kind == "no_action"


def test_a_corrected_imitation_can_still_succeed(bundled: Path) -> None:
    def script(body: dict[str, Any]) -> Reply:
        text = last_user(body)
        if text.startswith("<tool_results>"):
            return Reply.text("Done.")
        if "come only from the harness" in text:
            return Reply.text(
                json.dumps({"tool_calls": [{"name": "sol_transfer", "arguments": SEND}]})
            )
        return Reply.text("Tool results: the transfer of 0.1 SOL succeeded.")

    with ScriptedOpenAI(script) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url, tool_mode="json")
    assert result.passed
    assert [c.correction for c in result.steps[0].model_calls] == [
        "imitated_tool_result",
        None,
        None,
    ]
    assert harness_results(last_user(llm.requests[2]))[0]["status"] == "ok"


def test_a_malformed_call_gets_a_correction_turn(bundled: Path) -> None:
    def script(body: dict[str, Any]) -> Reply:
        text = last_user(body)
        if text.startswith("<tool_results>"):
            return Reply.text("Done.")
        if "could not be read" in text:
            return Reply.text(
                json.dumps({"tool_calls": [{"name": "sol_transfer", "arguments": SEND}]})
            )
        return Reply.text(
            '{"tool_calls": [{"name": "sol_transfer", "arguments": {amount: 100000000}}]}'
        )

    with ScriptedOpenAI(script) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url, tool_mode="json")
    assert result.passed
    calls = result.steps[0].model_calls
    assert calls[0].correction == "malformed_call" and calls[1].correction is None


def test_results_in_the_tool_role_when_configured(bundled: Path) -> None:
    def script(body: dict[str, Any]) -> Reply:
        if body["messages"][-1]["role"] == "tool":
            return Reply.text("Done.")
        return Reply.text(json.dumps({"name": "sol_transfer", "arguments": SEND}))

    with ScriptedOpenAI(script) as llm:
        result = run(
            bundled, "001-sol-transfer.yml", llm.base_url, tool_mode="json", results_role="tool"
        )
    assert result.passed
    message = llm.requests[1]["messages"][-1]
    assert message["role"] == "tool" and message["tool_call_id"] == "text-1-0"
    assert json.loads(message["content"])["name"] == "sol_transfer"


def test_every_request_carries_the_reply_cap_and_sampling_options(bundled: Path) -> None:
    with ScriptedOpenAI(lambda body: Reply.text("no")) as llm:
        first = run(
            bundled,
            "001-sol-transfer.yml",
            llm.base_url,
            temperature=0.6,
            top_p=0.9,
            model_seed=7,
            max_reply_tokens=300,
        )
        second = run(
            bundled, "001-sol-transfer.yml", llm.base_url, epoch=2, temperature=0.6, model_seed=7
        )
    a, b = llm.requests
    assert (a["max_tokens"], a["temperature"], a["top_p"], a["seed"]) == (300, 0.6, 0.9, 7)
    assert (b["max_tokens"], b["seed"]) == (1024, 9)  # seed + epoch: epochs sample anew
    params = first.steps[0].model_calls[0].params
    assert params == {
        "tool_mode": "native",
        "max_tokens": 300,
        "temperature": 0.6,
        "top_p": 0.9,
        "seed": 7,
    }
    assert second.steps[0].model_calls[0].params["seed"] == 9


def test_a_reply_cut_by_the_cap_is_its_own_stop_reason(bundled: Path) -> None:
    def script(body: dict[str, Any]) -> Reply:
        return Reply(content='{"tool_calls": [{"name": "sol_tr', finish_reason="length")

    with ScriptedOpenAI(script) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url, tool_mode="json")
    step = result.steps[0]
    assert step.stop_reason is not None and step.stop_reason.startswith("length:")
    assert len(llm.requests) == 1 and result.failure_kind == "limit_reached"


def test_grammar_mode_sends_the_reply_schema_and_reads_the_answer(bundled: Path) -> None:
    def script(body: dict[str, Any]) -> Reply:
        if assistant_turns(body) == 0:
            return Reply.text(
                json.dumps({"tool_calls": [{"name": "sol_transfer", "arguments": SEND}]})
            )
        return Reply.text(json.dumps({"answer": "Sent 0.1 SOL."}))

    with ScriptedOpenAI(script) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url, tool_mode="grammar")
    assert result.passed and result.steps[0].stop_reason == "answered"
    assert result.steps[0].answer == "Sent 0.1 SOL."  # the answer field, not the JSON
    fmt = llm.requests[0]["response_format"]
    assert fmt["type"] == "json_schema"  # the openai preset; llama-cpp sends json_object
    schema = fmt["json_schema"]["schema"]
    names = [
        c["properties"]["name"]["const"]
        for c in schema["oneOf"][0]["properties"]["tool_calls"]["items"]["anyOf"]
    ]
    assert "sol_transfer" in names and "jupiter_swap" not in names
    assert "tools" not in llm.requests[0]


def test_the_llama_cpp_preset_uses_its_grammar_format_and_streams(bundled: Path) -> None:
    with ScriptedOpenAI(lambda body: Reply.text(json.dumps({"answer": "no"}))) as llm:
        agent = create_agent("llama-cpp", base_url=llm.base_url, tool_mode="grammar")
        asyncio.run(run_episode(load_benchmark(bundled / "001-sol-transfer.yml"), agent))
    (request,) = llm.requests
    assert request["response_format"]["type"] == "json_object"
    assert "oneOf" in request["response_format"]["schema"] and request["stream"] is True


def test_the_prompt_is_lean_and_offers_no_unconfigured_upstream(bundled: Path) -> None:
    with ScriptedOpenAI(lambda body: Reply.text("no")) as llm:  # 050 names no families
        run(bundled, "050-wsol-wrap.yml", llm.base_url, tool_mode="json")
        run(bundled, "050-wsol-wrap.yml", llm.base_url)
        run(bundled, "001-sol-transfer.yml", llm.base_url, tool_mode="json")
    json_system = llm.requests[0]["messages"][0]["content"]
    assert "jupiter_swap" not in json_system
    assert "jupiter tools are not available in this run (no Jupiter API configured)." in json_system
    assert "[transfer]\n- sol_transfer(user_pubkey, recipient_pubkey, amount:int" in json_system
    simple = sum(len(m["content"]) for m in llm.requests[2]["messages"])
    assert simple < 3500  # 001 names its families; was 13.8k characters with every schema
    native_tools = [t["function"]["name"] for t in llm.requests[1]["tools"]]
    assert "sol_transfer" in native_tools and not any(n.startswith("jupiter") for n in native_tools)
    assert all("title" not in json.dumps(t) for t in llm.requests[1]["tools"])


def test_a_benchmark_naming_its_tool_families_gets_only_those(
    bundled: Path, tmp_path: Path
) -> None:
    text = (bundled / "050-wsol-wrap.yml").read_text(encoding="utf-8")
    path = tmp_path / "050-narrow.yml"
    path.write_text(text + "\ntool_families: [transfer]\n", encoding="utf-8")
    with ScriptedOpenAI(lambda body: Reply.text("no")) as llm:
        agent = create_agent("openai", model="m", base_url=llm.base_url)
        result = asyncio.run(run_episode(load_benchmark(path), agent))
    names = sorted(t["function"]["name"] for t in llm.requests[0]["tools"])
    assert names == ["sol_transfer", "spl_transfer", "spl_transfer_checked"]
    assert result.first_prompt_tokens == 120  # the fake's count for the first call


def test_an_unknown_tool_family_is_a_load_error(bundled: Path, tmp_path: Path) -> None:
    from reev.benchmark.loader import BenchmarkLoadError

    text = (bundled / "050-wsol-wrap.yml").read_text(encoding="utf-8")
    path = tmp_path / "050-bad.yml"
    path.write_text(text + "\ntool_families: [teleport]\n", encoding="utf-8")
    with pytest.raises(BenchmarkLoadError, match="unknown teleport"):
        load_benchmark(path)


def test_the_time_budget_cancels_a_slow_stream_and_closes_its_connection(bundled: Path) -> None:
    def script(body: dict[str, Any]) -> Reply:
        return Reply.text("thinking " * 200)

    with ScriptedOpenAI(script, chunk_delay=0.5) as llm:
        # the fake splits the content in two chunks: 4 chunks x 0.5 s > 1 s of budget
        result = run(bundled, "001-sol-transfer.yml", llm.base_url, stream=True, max_seconds=1.0)
        for _ in range(40):  # the server sees the disconnect shortly after
            if llm.disconnects:
                break
            asyncio.run(asyncio.sleep(0.05))
    step = result.steps[0]
    assert step.stop_reason == "limit: max_seconds (1) reached"
    assert step.model_calls[0].attempts == 1  # not retried: the budget was the timeout
    assert llm.disconnects == 1 and len(llm.requests) == 1
    assert result.failure_kind == "limit_reached"
