"""The openai agent in suites: flows, concurrency, a failing provider among good episodes, CLI."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reev.agents.base import Agent
from reev.agents.registry import create_agent
from reev.cli.app import app
from reev.results.records import EpisodeResult
from reev.runner.suite import load_all, run_suite
from tests.fakes.openai_server import Reply, ScriptedOpenAI

USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-suite-test")


def solver(body: dict[str, Any]) -> Reply:
    """A stateless 'model' for the bundled transfer benchmarks: it reads the latest request."""
    messages = body["messages"]
    last_user = max(i for i, m in enumerate(messages) if m["role"] == "user")
    tool_results = [m for m in messages[last_user:] if m["role"] == "tool"]
    if tool_results:
        # report a looked-up balance as the answer (the flow's step 2 is scored on it)
        found = re.search(r'"lamports":\s*(\d+)', tool_results[-1]["content"])
        if found and "balance" in messages[last_user]["content"]:
            return Reply.text(f"The balance is {int(found.group(1)) / 1e9:g} SOL.")
        return Reply.text("Done.")
    request = messages[last_user]["content"].split("\n\n")[0]
    if "balance" in request:
        return Reply.call("get_account_balance", {"pubkey": "RECIPIENT_WALLET_PUBKEY"})
    if "0.1 SOL" in request:
        return Reply.call(
            "sol_transfer",
            {
                "user_pubkey": "USER_WALLET_PUBKEY",
                "recipient_pubkey": "RECIPIENT_WALLET_PUBKEY",
                "amount": 100_000_000,
                "operation": "sol",
            },
        )
    usdc = re.search(r"send (\d+) USDC", request)
    if usdc:
        return Reply.call(
            "spl_transfer",
            {
                "user_pubkey": "USER_USDC_ATA",
                "recipient_pubkey": "RECIPIENT_USDC_ATA",
                "amount": int(usdc.group(1)) * 1_000_000,
                "mint_address": USDC,
            },
        )
    return Reply.text("I cannot do that.")


NAMES = [
    "001-sol-transfer.yml",
    "002-spl-transfer.yml",
    "003-spl-transfer-fail.yml",
    "004-partial-score-spl-transfer.yml",
    "301-flow-transfer-then-report.yml",
]


def projection(result: EpisodeResult) -> dict[str, Any]:
    """Everything that must not depend on the concurrency."""
    return {
        "id": result.benchmark_id,
        "status": result.status,
        "error": result.error,
        "score": result.score,
        "passed": result.passed,
        "steps": [
            {
                "stop": s.stop_reason,
                "calls": [(c.tool, c.args, c.status, c.error) for c in s.tool_calls],
                "instructions": [ix.model_dump() for ix in s.instructions],
                "tx": [(t.status, t.signature) for t in s.transactions],
                "turns": len(s.model_calls),
            }
            for s in result.steps
        ],
        "after": {k: v.model_dump() for k, v in result.accounts_after.items()},
    }


def suite(bundled: Path, base_url: str, concurrency: int) -> list[EpisodeResult]:
    loaded = load_all([bundled / n for n in NAMES] * 2)

    def factory() -> Agent:
        return create_agent("openai", model="scripted", base_url=base_url, stream=True)

    return asyncio.run(run_suite(loaded, factory, "openai", concurrency=concurrency))


def test_concurrent_results_equal_sequential_ones(bundled: Path) -> None:
    with ScriptedOpenAI(solver, delay=0.02) as llm:
        sequential = suite(bundled, llm.base_url, 1)
        concurrent = suite(bundled, llm.base_url, 6)
    assert [projection(r) for r in concurrent] == [projection(r) for r in sequential]
    by_id = {r.benchmark_id: r for r in sequential}
    assert by_id["001-sol-transfer"].passed and by_id["002-spl-transfer"].passed
    assert by_id["301-flow-transfer-then-report"].status == "completed"


def test_flow_keeps_the_conversation_across_steps(bundled: Path) -> None:
    with ScriptedOpenAI(solver) as llm:
        results = asyncio.run(
            run_suite(
                load_all([bundled / "301-flow-transfer-then-report.yml"]),
                lambda: create_agent("openai", model="scripted", base_url=llm.base_url),
                "openai",
            )
        )
    (result,) = results
    assert result.status == "completed" and result.passed
    step1, step2 = result.steps
    assert [c.tool for c in step1.tool_calls] == ["sol_transfer"]
    assert [c.tool for c in step2.tool_calls] == ["get_account_balance"]
    assert step2.tool_calls[0].result["lamports"] == 100_000_000
    # Step 2's first request carries step 1's conversation and a new user message.
    step2_request = llm.requests[2]["messages"]
    assert [m["role"] for m in step2_request] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
    ]
    assert step2_request[-1]["content"].startswith("Step 2 of 2. Request:")


def test_a_failing_provider_does_not_stop_other_episodes(bundled: Path) -> None:
    def script(body: dict[str, Any]) -> Reply:
        if "send 5 USDC" in body["messages"][1]["content"]:
            return Reply.error(503)
        return solver(body)

    with ScriptedOpenAI(script) as llm:
        loaded = load_all([bundled / n for n in NAMES[:4]])
        results = asyncio.run(
            run_suite(
                loaded,
                lambda: create_agent(
                    "openai",
                    model="scripted",
                    base_url=llm.base_url,
                    retries=1,
                    retry_base_delay=0.01,
                ),
                "openai",
                concurrency=4,
            )
        )
    status = {r.benchmark_id: r.status for r in results}
    assert status == {
        "001-sol-transfer": "completed",
        "002-spl-transfer": "completed",
        "003-spl-transfer-fail": "completed",
        "004-partial-score-spl-transfer": "error",
    }
    failed = results[3]
    assert failed.error is not None and "HTTP 503" in failed.error


def test_cli_run_with_openai_agent_writes_the_transcript(bundled: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    with ScriptedOpenAI(solver) as llm:
        outcome = CliRunner().invoke(
            app,
            [
                "run",
                str(bundled / "001-sol-transfer.yml"),
                "--agent",
                "openai",
                "--model",
                "scripted",
                "--base-url",
                llm.base_url,
                "--max-turns",
                "4",
                "--json",
                str(out),
                "--out-dir",
                str(tmp_path / "logs"),
            ],
        )
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(out.read_text())
    (result,) = data["results"]
    assert result["agent"] == "openai" and result["model"] == "scripted"
    step = result["steps"][0]
    assert step["stop_reason"] == "answered"
    assert [c["turn"] for c in step["model_calls"]] == [1, 2]
    assert step["model_calls"][0]["prompt_tokens"] == 120
    assert step["tool_calls"][0]["tool"] == "sol_transfer"
    assert [m["role"] for m in step["messages"]] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
    ]
    assert "sk-suite-test" not in out.read_text()


def test_cli_missing_key_is_a_usage_error(bundled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZAI_API_KEY", raising=False)
    outcome = CliRunner().invoke(
        app, ["run", str(bundled / "001-sol-transfer.yml"), "--agent", "glm-4.6"]
    )
    assert outcome.exit_code == 2
    assert "ZAI_API_KEY" in outcome.output


def test_agents_command_lists_presets_and_what_they_need() -> None:
    outcome = CliRunner().invoke(app, ["agents"], env={"COLUMNS": "250"})
    assert outcome.exit_code == 0
    for text in ("openai", "glm-4.6-coding", "GLM_CODING_API_KEY", "LOCAL_MODEL_URL", "http"):
        assert text in outcome.output
