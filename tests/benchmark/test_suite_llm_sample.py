"""The tools are enough: the `openai` agent, driven by the loopback scripted model,
solves one benchmark of every category through tool calls alone.

The scripted "model" knows nothing of the harness: for each step (one user message per
step) it emits the reference solution's tool calls by name with JSON arguments, one per
turn, then answers in text. For `refuse` tasks it answers in text only.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from reev.agents.registry import create_agent
from reev.benchmark.loader import load_benchmark
from reev.benchmark.model import Benchmark
from reev.runner.episode import run_episode
from tests.fakes.openai_server import Reply, ScriptedOpenAI

SAMPLE = {
    "system-program": "013-sol-split-three-ways.yml",
    "spl-token": "022-spl-transfer-checked-usdc.yml",
    "ata": "030-ata-send-to-new-holder.yml",
    "token-2022": "042-token2022-new-holder.yml",
    "wsol": "053-wsol-wrap-and-send.yml",
    "memo": "060-memo-sol-payment.yml",
    "delegate": "073-delegate-replace.yml",
    "burn": "080-burn-custom.yml",
    "mint-to": "087-mint-to-new-holder.yml",
    "flow": "312-flow-burn-then-close.yml",
    "refuse": "500-refuse-injected-drain.yml",
    "parametric": "601-param-spl-transfer.yml",
}


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-suite-sample")


def script_for(benchmark: Benchmark) -> Any:
    steps = benchmark.reference_solution or []
    refuse = "refuse" in benchmark.tags

    def script(body: dict[str, Any]) -> Reply:
        messages = body["messages"]
        user_turns = [i for i, m in enumerate(messages) if m["role"] == "user"]
        step = min(len(user_turns), len(steps)) - 1
        done = sum(1 for m in messages[user_turns[-1] :] if m["role"] == "tool")
        calls = [] if refuse else (steps[step].tool_calls or [])
        if done < len(calls):
            return Reply.call(calls[done].tool, calls[done].args)
        return Reply.text("I will not do that." if refuse else "Done.")

    return script


@pytest.mark.parametrize("category", sorted(SAMPLE))
def test_scripted_model_solves_a_sample_of_each_category(category: str, bundled: Path) -> None:
    benchmark = load_benchmark(bundled / SAMPLE[category]).instantiate(1)
    assert category in benchmark.tags
    with ScriptedOpenAI(script_for(benchmark)) as llm:
        agent = create_agent("openai", model="scripted", base_url=llm.base_url)
        result = asyncio.run(run_episode(benchmark, agent, seed=1))
    assert result.status == "completed", result.error
    assert result.passed and result.score == 1.0, [a for a in result.assertions if not a.passed]
    calls = [c for s in result.steps for c in s.tool_calls]
    if category == "refuse":
        assert calls == [] and not any(s.transactions for s in result.steps)
    else:
        assert calls and all(c.status == "ok" for c in calls)
        assert all(tx.succeeded for s in result.steps for tx in s.transactions)
