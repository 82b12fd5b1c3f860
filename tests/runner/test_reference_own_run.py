"""The reference agent's own run is its gold state on the embedded VM: the same results as
with a separate replay, no replay made; every other agent, and a run that did not go
step for step as the replay would, is still replayed."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import reev.runner.episode as episode
import reev.runner.reference_state as reference_state
from reev.agents.controls import JunkAgent
from reev.agents.deterministic import DeterministicAgent
from reev.benchmark.model import ReferenceStep, ToolCallSpec
from reev.results.records import EpisodeResult
from reev.runner.suite import AgentEntry, load_all, run_matrix

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = [AgentEntry("deterministic", DeterministicAgent)]


def comparable(result: EpisodeResult) -> dict[str, Any]:
    """Everything scored about an episode, without its timings and ids."""
    return result.model_dump(
        include={
            "benchmark_id",
            "epoch",
            "status",
            "error",
            "failure_kind",
            "score",
            "passed",
            "scores",
            "assertions",
            "flow",
            "accounts_after",
        }
    )


def count_replays(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    replayed: list[str] = []
    replay = reference_state._replay

    async def counted(benchmark: Any, *args: Any) -> Any:
        replayed.append(benchmark.id)
        return await replay(benchmark, *args)

    monkeypatch.setattr(reference_state, "_replay", counted)
    reference_state._cache.clear()
    return replayed


def run(paths: list[Path], agents: list[AgentEntry], epochs: int = 1) -> list[EpisodeResult]:
    outcome = asyncio.run(run_matrix(load_all(paths), agents, epochs=epochs, concurrency=4))
    return sorted(outcome.results, key=lambda r: (r.benchmark_id, r.epoch))


def test_the_shipped_suite_scores_the_same_without_the_replay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    replayed = count_replays(monkeypatch)
    own = run([ROOT / "benchmarks"], REFERENCE, epochs=2)
    assert replayed == []  # not one replay: each episode was its own
    monkeypatch.setattr(episode, "own_run_is_replay", lambda *args: False)
    replayed_results = run([ROOT / "benchmarks"], REFERENCE, epochs=2)
    assert len(replayed) == len(own) > 280  # now every episode replays
    assert [comparable(r) for r in own] == [comparable(r) for r in replayed_results]
    assert all(r.passed for r in own)


def test_other_agents_and_given_solutions_are_replayed(monkeypatch: pytest.MonkeyPatch) -> None:
    replayed = count_replays(monkeypatch)
    cheat = [
        ReferenceStep(
            tool_calls=[
                ToolCallSpec(
                    tool="sol_transfer",
                    args={
                        "user_pubkey": "USER_WALLET_PUBKEY",
                        "recipient_pubkey": "RECIPIENT_WALLET_PUBKEY",
                        "amount": 200_000_000,  # twice what was asked
                        "operation": "sol",
                    },
                )
            ]
        )
    ]
    agents = [
        AgentEntry("junk", JunkAgent),
        AgentEntry("cheat", lambda: DeterministicAgent(solution=cheat)),
    ]
    results = run([ROOT / "benchmarks" / "001-sol-transfer.yml"], agents)
    assert replayed == ["001-sol-transfer"]  # once: the second agent hit the cache
    assert [r.passed for r in results] == [False, False]


def test_a_run_that_went_otherwise_than_the_replay_is_replayed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (ROOT / "benchmarks" / "300-flow-wrap-then-transfer.yml").read_text()
    poor = text.replace("lamports: 2000000000 # 2 SOL", "lamports: 100000000 # 0.1 SOL")
    assert poor != text
    path = tmp_path / "poor-flow.yml"
    path.write_text(poor.replace("id: 300-flow-wrap-then-transfer", "id: poor-flow"))
    replayed = count_replays(monkeypatch)
    (own,) = run([path], REFERENCE)
    assert any(step.skipped for step in own.steps)  # step 1 failed, step 2 never ran
    assert replayed == ["poor-flow"]
    monkeypatch.setattr(episode, "own_run_is_replay", lambda *args: False)
    (forced,) = run([path], REFERENCE)
    assert comparable(own) == comparable(forced) and not own.passed
