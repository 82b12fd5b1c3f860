"""The http agent against a loopback fake of reev's agent service (`POST /gen/tx`)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from solders.pubkey import Pubkey

from reev.agents.http_agent import instructions_from_response, service_url
from reev.agents.registry import create_agent
from reev.benchmark.loader import load_benchmark
from reev.programs import system, token
from reev.results.instruction import RawInstruction
from reev.results.records import EpisodeResult
from reev.runner.episode import run_episode
from tests.fakes.reev_agent_service import FakeReevAgentService


def sol_transfer(keys: dict[str, str]) -> dict[str, Any]:
    ix = system.transfer(
        Pubkey.from_string(keys["USER_WALLET_PUBKEY"]),
        Pubkey.from_string(keys["RECIPIENT_WALLET_PUBKEY"]),
        100_000_000,
    )
    return RawInstruction.from_instruction(ix).model_dump()


def spl_transfer(keys: dict[str, str], amount: int) -> dict[str, Any]:
    ix = token.transfer(
        Pubkey.from_string(keys["USER_USDC_ATA"]),
        Pubkey.from_string(keys["RECIPIENT_USDC_ATA"]),
        Pubkey.from_string(keys["USER_WALLET_PUBKEY"]),
        amount,
    )
    return RawInstruction.from_instruction(ix).model_dump()


def deterministic_service(body: dict[str, Any], keys: dict[str, str]) -> tuple[int, Any]:
    """Like reev's agent: LLM format for 001 (Jupiter-style items), result.text for 002."""
    if body["id"] == "001-sol-transfer":
        return 200, {"transactions": [{"instructions": [sol_transfer(keys)]}], "summary": "ok"}
    if body["id"] == "002-spl-transfer":
        return 200, {"result": {"text": json.dumps([spl_transfer(keys, 15_000_000)])}}
    if body["id"] == "301-flow-transfer-then-report-step-1":
        return 200, {"transactions": [sol_transfer(keys)]}
    if body["id"] == "301-flow-transfer-then-report-step-2":
        return 200, {"result": None, "transactions": None, "summary": "0.1 SOL"}
    return 500, {"error": f"Internal agent error: unknown id {body['id']}"}


def run(bundled: Path, name: str, url: str, **options: Any) -> EpisodeResult:
    agent = create_agent("http", base_url=url, **options)
    return asyncio.run(run_episode(load_benchmark(bundled / name), agent))


def test_reev_protocol_request_and_transactions(
    bundled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLM_API_KEY", "service-key")
    with FakeReevAgentService(deterministic_service) as svc:
        result = run(bundled, "001-sol-transfer.yml", svc.url, model="glm-4.6")
    assert result.status == "completed" and result.passed, result.error
    (body,) = svc.requests
    assert set(body) == {
        "id",
        "session_id",
        "prompt",
        "context_prompt",
        "model_name",
        "account_states",
        "key_map",
    }
    assert body["id"] == "001-sol-transfer" and body["model_name"] == "glm-4.6"
    assert body["key_map"]["USER_WALLET_PUBKEY"] == result.key_map["USER_WALLET_PUBKEY"]
    assert body["account_states"]["USER_WALLET_PUBKEY"]["lamports"] == 1_000_000_000
    assert body["account_states"]["RECIPIENT_WALLET_PUBKEY"]["exists"] is False
    assert result.key_map["RECIPIENT_WALLET_PUBKEY"] in body["prompt"]
    assert svc.headers[0]["x-api-key"] == "service-key"
    step = result.steps[0]
    assert len(step.transactions) == 1 and step.stop_reason == "answered"
    assert step.model_calls[0].message_out is not None
    assert "service-key" not in json.dumps(result.to_json_dict())


def test_result_text_form_with_token_account_states(bundled: Path) -> None:
    with FakeReevAgentService(deterministic_service) as svc:
        result = run(bundled, "002-spl-transfer.yml", svc.url)
    assert result.status == "completed" and result.passed
    usdc = svc.requests[0]["account_states"]["USER_USDC_ATA"]
    assert usdc["amount"] == 50_000_000 and usdc["mint"].startswith("EPjF")
    assert usdc["token_account_owner"] == result.key_map["USER_WALLET_PUBKEY"]


def test_flow_steps_use_reev_step_ids(bundled: Path) -> None:
    with FakeReevAgentService(deterministic_service) as svc:
        result = run(bundled, "301-flow-transfer-then-report.yml", svc.url)
    assert [r["id"] for r in svc.requests] == [
        "301-flow-transfer-then-report-step-1",
        "301-flow-transfer-then-report-step-2",
    ]
    assert len({r["session_id"] for r in svc.requests}) == 1
    assert result.status == "completed"
    assert result.steps[1].stop_reason == "answered without instructions"


def test_service_error_is_an_error_result(bundled: Path) -> None:
    with FakeReevAgentService(deterministic_service) as svc:
        result = run(
            bundled, "003-spl-transfer-fail.yml", svc.url, retries=1, retry_base_delay=0.01
        )
    assert result.status == "error"
    assert result.error is not None and "HTTP 500" in result.error
    assert "unknown id" in result.error
    assert len(svc.requests) == 2
    assert result.steps[0].model_calls[0].attempts == 2


def test_malformed_instruction_is_an_error_result(bundled: Path) -> None:
    def bad(body: dict[str, Any], keys: dict[str, str]) -> tuple[int, Any]:
        return 200, {"transactions": [{"program_id": "1111", "accounts": "nope", "data": ""}]}

    with FakeReevAgentService(bad) as svc:
        result = run(bundled, "001-sol-transfer.yml", svc.url)
    assert result.status == "error"
    assert result.error is not None and "instruction 0: accounts" in result.error


def test_response_forms() -> None:
    raw = {"program_id": "11111111111111111111111111111111", "accounts": [], "data": ""}
    assert len(instructions_from_response({"transactions": [raw, [raw, raw]]})) == 3
    assert len(instructions_from_response({"transactions": [json.dumps(raw)]})) == 1
    assert len(instructions_from_response({"result": {"text": json.dumps(raw)}})) == 1
    assert instructions_from_response({"summary": "nothing"}) == []


def test_service_url_forms() -> None:
    assert service_url("http://127.0.0.1:9090", {}) == "http://127.0.0.1:9090/gen/tx"
    assert service_url("http://h/gen/tx/", {}) == "http://h/gen/tx"
    assert service_url(None, {"LLM_API_URL": "http://x:1"}) == "http://x:1/gen/tx"
    assert service_url(None, {}) == "http://localhost:9090/gen/tx"
