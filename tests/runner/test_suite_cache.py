"""`--cache` end to end: an LLM agent against a scripted loopback model; re-running the
same run costs no model call, another epoch still asks the model."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from reev.agents.registry import create_agent
from reev.runner.suite import AgentEntry, load_all, run_matrix
from reev.store import open_store, resolve_url
from reev.store.cache import ModelCallCache, RequestCache
from tests.fakes.openai_server import Reply, ScriptedOpenAI

ROOT = Path(__file__).resolve().parents[2]


def script(body: dict[str, Any]) -> Reply:
    if any(m["role"] == "tool" for m in body["messages"]):
        return Reply.text("Sent 0.1 SOL.")
    return Reply.call(
        "sol_transfer",
        {
            "user_pubkey": "USER_WALLET_PUBKEY",
            "recipient_pubkey": "RECIPIENT_WALLET_PUBKEY",
            "amount": 100_000_000,
            "operation": "sol",
        },
    )


def test_cached_rerun_makes_no_model_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    db = str(tmp_path / "reev.db")
    cache = RequestCache.open(resolve_url(db))  # one per run, handed to every agent
    loaded = load_all([ROOT / "benchmarks" / "001-sol-transfer.yml"])
    with ScriptedOpenAI(script) as llm:

        def entry() -> list[AgentEntry]:
            return [
                AgentEntry(
                    "openai",
                    lambda: create_agent("openai", model="m", base_url=llm.base_url, cache=cache),
                )
            ]

        with open_store(db) as store:
            first = asyncio.run(run_matrix(loaded, entry(), store=store, run_id="a"))
        calls = len(llm.requests)
        assert calls == 2 and first.results[0].passed
        with open_store(db) as store:
            again = asyncio.run(run_matrix(loaded, entry(), store=store, run_id="b"))
        assert len(llm.requests) == calls  # every response came from the cache
        assert again.results[0].passed
        first_sigs = [t.signature for s in first.results[0].steps for t in s.transactions]
        again_sigs = [t.signature for s in again.results[0].steps for t in s.transactions]
        assert first_sigs == again_sigs
        with open_store(db) as store:
            asyncio.run(run_matrix(loaded, entry(), epochs=2, store=store, run_id="c"))
        assert len(llm.requests) == calls + 2  # epoch 1 is a new key: the model is asked
        with open_store(db) as store:
            assert ModelCallCache(store).stats()["entries"] == 4
