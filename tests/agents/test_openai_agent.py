"""The openai agent's loop against a scripted OpenAI-compatible server on loopback."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest

from reev.agents.json_mode import RESULTS_NOTE
from reev.agents.registry import create_agent
from reev.benchmark.loader import load_benchmark
from reev.results.records import EpisodeResult
from reev.runner.episode import run_episode
from reev.tracing.session_file import session_document
from tests.fakes.openai_server import (
    Reply,
    ScriptedOpenAI,
    assistant_turns,
    harness_results,
    tool_results,
)

SECRET = "sk-test-secret-never-stored"
USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)


def run(bundled: Path, name: str, base_url: str, **options: Any) -> EpisodeResult:
    agent = create_agent("openai", model="scripted-model", base_url=base_url, **options)
    benchmark = load_benchmark(bundled / name)
    return asyncio.run(run_episode(benchmark, agent))


def context_pubkey(body: dict[str, Any], name: str) -> str:
    """The address the context block gives for a placeholder."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    match = re.search(rf"- {name}: (\w+)", user)
    assert match, f"{name} is not in the context block"
    return match.group(1)


def spl_solver(body: dict[str, Any]) -> Reply:
    """Check balances, transfer 15 USDC, then answer."""
    turn = assistant_turns(body)
    if turn == 0:
        return Reply.call("get_account_balance", {"pubkey": "USER_WALLET_PUBKEY"})
    if turn == 1:
        return Reply.call(
            "spl_transfer",
            {
                "user_pubkey": "USER_USDC_ATA",
                "recipient_pubkey": "RECIPIENT_USDC_ATA",
                "amount": 15_000_000,
                "mint_address": USDC,
            },
        )
    return Reply.text("Sent 15 USDC.")


@pytest.mark.parametrize("stream", [False, True])
def test_correct_multi_call_episode(bundled: Path, stream: bool) -> None:
    with ScriptedOpenAI(spl_solver) as llm:
        result = run(bundled, "002-spl-transfer.yml", llm.base_url, stream=stream)
    assert result.status == "completed", result.error
    assert result.passed and result.score == 1.0
    step = result.steps[0]
    assert [c.tool for c in step.tool_calls] == ["get_account_balance", "spl_transfer"]
    assert len(step.transactions) == 1 and step.transactions[0].succeeded
    assert step.stop_reason == "answered"
    assert [c.turn for c in step.model_calls] == [1, 2, 3]
    assert all(c.stream is stream for c in step.model_calls)
    assert all(c.prompt_tokens == 120 and c.completion_tokens == 30 for c in step.model_calls)
    assert step.model_calls[1].message_out is not None
    assert step.model_calls[1].message_out["tool_calls"][0]["function"]["name"] == "spl_transfer"
    # The model was given the tools natively and a structured result of each call.
    assert {t["function"]["name"] for t in llm.requests[0]["tools"]} >= {
        "sol_transfer",
        "spl_transfer",
        "get_account_balance",
    }
    seen = tool_results(llm.requests[2])
    balance, transfer = seen
    assert (
        balance["status"] == "ok" and balance["result"]["token_accounts"][0]["amount"] == 50_000_000
    )
    assert transfer["status"] == "ok"
    assert transfer["result"]["transaction"]["status"] == "success"
    assert transfer["result"]["transaction"]["signature"] == step.transactions[0].signature
    assert transfer["balances_after"]["RECIPIENT_USDC_ATA"]["token_amount"] == 15_000_000
    assert transfer["balances_after"]["USER_USDC_ATA"]["token_amount"] == 35_000_000
    # The key went only into the Authorization header.
    assert llm.headers[0]["authorization"] == f"Bearer {SECRET}"


def test_prompt_has_context_and_no_ground_truth(bundled: Path) -> None:
    with ScriptedOpenAI(spl_solver) as llm:
        result = run(bundled, "002-spl-transfer.yml", llm.base_url)
    first = llm.requests[0]["messages"]
    assert [m["role"] for m in first] == ["system", "user"]
    system, user = first[0]["content"], first[1]["content"]
    # The wallet is named in the system prompt by its placeholder; its address is in the
    # context, so the system prompt is the same for every episode (a prompt cache serves it).
    assert "USER_WALLET_PUBKEY" in system and result.key_map["USER_WALLET_PUBKEY"] not in system
    assert "lamports" in system and "final" in system
    for name in ("USER_WALLET_PUBKEY", "USER_USDC_ATA", "RECIPIENT_USDC_ATA"):
        assert f"- {name}: {result.key_map[name]}" in user
    assert "balance 50 (50000000 base units, 6 decimals)" in user
    everything = json.dumps(llm.requests[0])  # later ones show the real balances after
    # Ground truth: the expected final balance, the assertions, the reference solution.
    for leak in (
        "35000000",
        "final_state_assertions",
        "expected_instructions",
        "reference_solution",
    ):
        assert leak not in everything


def test_system_prompt_is_the_same_whatever_the_episode_keys(bundled: Path) -> None:
    """Episodes with other keys (random keys, other epochs) send the same system message,
    and different context blocks: only the request part differs between them."""
    benchmark = load_benchmark(bundled / "002-spl-transfer.yml")
    systems, users, wallets = [], [], []
    for epoch in (0, 1):
        with ScriptedOpenAI(spl_solver) as llm:
            agent = create_agent("openai", model="scripted-model", base_url=llm.base_url)
            result = asyncio.run(run_episode(benchmark, agent, epoch=epoch, random_keys=True))
        first = llm.requests[0]["messages"]
        systems.append(first[0]["content"])
        users.append(first[1]["content"])
        wallets.append(result.key_map["USER_WALLET_PUBKEY"])
    assert wallets[0] != wallets[1]
    assert systems[0] == systems[1]
    assert users[0] != users[1] and all(w in u for w, u in zip(wallets, users, strict=True))


@pytest.mark.parametrize("stream", [False, True])
def test_bad_pubkey_then_correction(bundled: Path, stream: bool) -> None:
    def script(body: dict[str, Any]) -> Reply:
        results = tool_results(body)
        if not results:
            return Reply.call(
                "sol_transfer",
                {
                    "user_pubkey": "USER_WALLET_PUBKEY",
                    "recipient_pubkey": "NotAPubkey0OIl",
                    "amount": 100_000_000,
                    "operation": "sol",
                },
            )
        if results[-1]["status"] == "error":
            return Reply.call(
                "sol_transfer",
                {
                    "user_pubkey": "USER_WALLET_PUBKEY",
                    "recipient_pubkey": context_pubkey(body, "RECIPIENT_WALLET_PUBKEY"),
                    "amount": 100_000_000,
                    "operation": "sol",
                },
            )
        return Reply.text("Done.")

    with ScriptedOpenAI(script) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url, stream=stream)
    assert result.status == "completed" and result.passed
    first, second = result.steps[0].tool_calls
    assert first.status == "error" and "recipient_pubkey" in (first.error or "")
    assert second.status == "ok"
    assert len(result.steps[0].transactions) == 1
    error_seen = tool_results(llm.requests[1])[0]
    assert error_seen["status"] == "error" and "recipient_pubkey" in error_seen["error"]


def test_malformed_arguments_come_back_as_a_tool_error(bundled: Path) -> None:
    def script(body: dict[str, Any]) -> Reply:
        results = tool_results(body)
        if not results:
            return Reply.call("sol_transfer", '{"user_pubkey": "USER_WALLET_PUBKEY", amount:')
        if len(results) == 1:
            return Reply.call("no_such_tool", {})
        return Reply.text("I give up.")

    with ScriptedOpenAI(script) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url)
    assert result.status == "completed" and not result.passed
    assert "not valid JSON" in tool_results(llm.requests[1])[0]["error"]
    assert "unknown tool 'no_such_tool'" in tool_results(llm.requests[2])[1]["error"]
    assert result.steps[0].transactions == []


@pytest.mark.parametrize("stream", [False, True])
def test_turn_limit_is_a_scored_result(bundled: Path, stream: bool) -> None:
    def script(body: dict[str, Any]) -> Reply:
        return Reply.call("get_account_balance", {"pubkey": "USER_WALLET_PUBKEY"})

    with ScriptedOpenAI(script) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url, max_turns=3, stream=stream)
    assert result.status == "completed"
    assert result.error is None
    assert result.steps[0].stop_reason == "limit: max_turns (3) reached"
    assert len(llm.requests) == 3 and len(result.steps[0].model_calls) == 3
    assert result.score < 1.0 and not result.passed


def test_tool_call_limit_stops_before_the_extra_call(bundled: Path) -> None:
    one_milli_sol = {
        "user_pubkey": "USER_WALLET_PUBKEY",
        "recipient_pubkey": "RECIPIENT_WALLET_PUBKEY",
        "amount": 1_000_000,
    }

    def script(body: dict[str, Any]) -> Reply:
        return Reply.calls(("sol_transfer", one_milli_sol), ("sol_transfer", one_milli_sol))

    with ScriptedOpenAI(script) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url, max_tool_calls=3)
    step = result.steps[0]
    assert result.status == "completed"
    assert step.stop_reason == "limit: max_tool_calls (3) reached"
    assert len(step.tool_calls) == 3 and len(step.transactions) == 3
    assert result.accounts_after["RECIPIENT_WALLET_PUBKEY"].lamports == 3_000_000


def test_token_limit(bundled: Path) -> None:
    def script(body: dict[str, Any]) -> Reply:
        return Reply.call("get_account_balance", {"pubkey": "USER_WALLET_PUBKEY"})

    with ScriptedOpenAI(script) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url, max_tokens=300)
    assert result.status == "completed"
    assert result.steps[0].stop_reason == "limit: max_tokens (300) reached, 300 used"
    assert len(llm.requests) == 2


def test_seconds_limit_cuts_a_slow_call(bundled: Path) -> None:
    with ScriptedOpenAI(lambda body: Reply.text("late"), delay=2.0) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url, max_seconds=0.3)
    step = result.steps[0]
    assert result.status == "completed"
    assert step.stop_reason == "limit: max_seconds (0.3) reached"
    assert step.model_calls[0].status == "error"


@pytest.mark.parametrize("stream", [False, True])
def test_429_then_success_honours_retry_after(bundled: Path, stream: bool) -> None:
    def script(body: dict[str, Any]) -> Reply:
        if len(llm.requests) == 1:
            return Reply.error(429, {"Retry-After": "0.05"})
        if not tool_results(body):
            return Reply.call(
                "sol_transfer",
                {
                    "user_pubkey": "USER_WALLET_PUBKEY",
                    "recipient_pubkey": "RECIPIENT_WALLET_PUBKEY",
                    "amount": 100_000_000,
                },
            )
        return Reply.text("Done.")

    with ScriptedOpenAI(script) as llm:
        # A base delay of 30 s: only an honoured Retry-After lets this finish quickly.
        result = run(
            bundled, "001-sol-transfer.yml", llm.base_url, retry_base_delay=30.0, stream=stream
        )
    assert result.status == "completed" and result.passed
    first = result.steps[0].model_calls[0]
    assert first.attempts == 2 and first.retry_waits_s == [0.05]
    assert first.status == "ok"


@pytest.mark.parametrize("stream", [False, True])
def test_500_storm_ends_in_an_error_result(bundled: Path, stream: bool) -> None:
    with ScriptedOpenAI(lambda body: Reply.error(500)) as llm:
        result = run(
            bundled,
            "001-sol-transfer.yml",
            llm.base_url,
            retries=2,
            retry_base_delay=0.01,
            stream=stream,
        )
    assert result.status == "error"
    assert result.error is not None
    assert "HTTP 500" in result.error and "after 3 attempts" in result.error
    call = result.steps[0].model_calls[0]
    assert call.status == "error" and call.attempts == 3 and len(call.retry_waits_s) == 2
    assert len(llm.requests) == 3


def test_unknown_model_is_an_error_without_retries(bundled: Path) -> None:
    with ScriptedOpenAI(lambda body: Reply.error(404)) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url, retries=3)
    assert result.status == "error" and "HTTP 404" in (result.error or "")
    assert len(llm.requests) == 1


@pytest.mark.parametrize("stream", [False, True])
def test_refusal(bundled: Path, stream: bool) -> None:
    with ScriptedOpenAI(lambda body: Reply(refusal="I can't move funds.")) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url, stream=stream)
    step = result.steps[0]
    assert result.status == "completed" and result.score == 0.0
    assert step.stop_reason == "refusal: I can't move funds."
    assert llm.requests[0].get("stream", False) is stream
    assert step.transactions == [] and step.tool_calls == []
    assert step.model_calls[0].message_out == {
        "role": "assistant",
        "content": None,
        "refusal": "I can't move funds.",
    }


def test_instructions_in_the_text_are_never_executed(bundled: Path) -> None:
    raw = {
        "program_id": "11111111111111111111111111111111",
        "accounts": [
            {"pubkey": "USER_WALLET_PUBKEY", "is_signer": True, "is_writable": True},
            {"pubkey": "RECIPIENT_WALLET_PUBKEY", "is_signer": False, "is_writable": True},
        ],
        "data": "3Bxs411Dtc7pkFQj",
    }
    answer = json.dumps({"transactions": [raw], "summary": "sent"})
    with ScriptedOpenAI(lambda body: Reply.text(answer)) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url)
    assert result.status == "completed" and result.score == 0.0
    assert result.steps[0].transactions == [] and result.steps[0].instructions == []


@pytest.mark.parametrize("stream", [False, True])
def test_json_tool_mode(bundled: Path, stream: bool) -> None:
    def script(body: dict[str, Any]) -> Reply:
        last = body["messages"][-1]["content"]
        if last.startswith("<tool_results>"):
            return Reply.text("The transfer went through.")
        call = {
            "name": "sol_transfer",
            "arguments": {
                "user_pubkey": "USER_WALLET_PUBKEY",
                "recipient_pubkey": "RECIPIENT_WALLET_PUBKEY",
                "amount": 100_000_000,
            },
        }
        return Reply.text(
            "I will send it.\n```json\n" + json.dumps({"tool_calls": [call]}) + "\n```"
        )

    with ScriptedOpenAI(script) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url, tool_mode="json", stream=stream)
    assert result.status == "completed" and result.passed
    assert "tools" not in llm.requests[0]
    assert "- sol_transfer(" in llm.requests[0]["messages"][0]["content"]
    feedback = llm.requests[1]["messages"][-1]
    assert feedback["role"] == "user"
    results = harness_results(feedback["content"])
    assert results[0]["name"] == "sol_transfer" and results[0]["status"] == "ok"
    assert feedback["content"].rstrip().endswith(RESULTS_NOTE)
    assert result.steps[0].stop_reason == "answered"


def test_cost_when_a_price_is_configured(bundled: Path) -> None:
    with ScriptedOpenAI(lambda body: Reply.text("no")) as llm:
        result = run(bundled, "001-sol-transfer.yml", llm.base_url, price_in=2.0, price_out=10.0)
    call = result.steps[0].model_calls[0]
    assert call.cost_usd == pytest.approx((120 * 2.0 + 30 * 10.0) / 1_000_000)


def test_api_key_never_reaches_the_result(bundled: Path) -> None:
    with ScriptedOpenAI(spl_solver) as llm:
        result = run(bundled, "002-spl-transfer.yml", llm.base_url)
    dumped = json.dumps(result.to_json_dict()) + json.dumps(session_document(result))
    assert SECRET not in dumped
    assert result.model == "scripted-model" and result.agent == "openai"
    events = [e["event_type"] for e in session_document(result)["events"]]
    assert events.count("ModelCall") == 3 and events.count("ToolCall") == 2
