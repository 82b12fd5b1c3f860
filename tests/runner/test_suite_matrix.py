"""Suites at scale: agents × epochs, epoch seeds, resume after an interruption, retries of
infrastructure errors (never of agent mistakes), concurrency-independent results."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import pytest

from reev.agents.base import AgentError, AgentHarness, StepTask
from reev.agents.deterministic import DeterministicAgent
from reev.agents.registry import create_agent
from reev.benchmark.model import Benchmark
from reev.results.records import EpisodeResult
from reev.runner.errors import InfrastructureError, is_infrastructure_error
from reev.runner.suite import (
    AgentEntry,
    LoadedBenchmark,
    SuiteProgress,
    epoch_seed,
    load_all,
    plan_jobs,
    run_matrix,
    run_suite,
)
from reev.store import Store, open_store
from tests.records import stable

ROOT = Path(__file__).resolve().parents[2]
FILES = ["001-sol-transfer.yml", "002-spl-transfer.yml", "004-partial-score-spl-transfer.yml"]


@pytest.fixture
def loaded() -> list[LoadedBenchmark]:
    return load_all([ROOT / "benchmarks" / f for f in FILES])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = open_store(f"sqlite:///{tmp_path / 'reev.db'}")
    yield s  # type: ignore[misc]
    s.close()


def deterministic() -> AgentEntry:
    return AgentEntry("deterministic", lambda: create_agent("deterministic"))


class FlakyAgent(DeterministicAgent):
    """Fails with an infrastructure error the first time it meets each benchmark."""

    name = "flaky"

    def __init__(self, seen: set[str]) -> None:
        super().__init__()
        self.seen = seen

    def start_episode(self, benchmark: Benchmark) -> None:
        super().start_episode(benchmark)
        self.bench = benchmark.id

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        if self.bench not in self.seen:
            self.seen.add(self.bench)
            raise InfrastructureError("provider answered 503 five times")
        await super().run_step(task, harness)


class WrongAgent(DeterministicAgent):
    """An agent mistake: raises AgentError (a result, never retried)."""

    name = "wrong"

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        raise AgentError("model answered nonsense")


def test_epoch_seed_formula() -> None:
    assert epoch_seed(7, 0) == 7
    expected = int.from_bytes(hashlib.sha256(b"reev-epoch-v1:7:1").digest()[:8], "big") >> 1
    assert epoch_seed(7, 1) == expected
    seeds = {epoch_seed(s, e) for s in range(5) for e in range(1, 20)}
    assert len(seeds) == 5 * 19
    assert all(0 <= s < 2**63 for s in seeds)
    with pytest.raises(ValueError):
        epoch_seed(0, -1)


def test_plan_is_epoch_major_and_rejects_duplicate_labels(loaded: list[LoadedBenchmark]) -> None:
    jobs = plan_jobs(
        loaded, [deterministic(), AgentEntry("b", DeterministicAgent)], epochs=2, seed=3
    )
    assert len(jobs) == 2 * 2 * len(loaded)
    assert [j.epoch for j in jobs] == [0] * 6 + [1] * 6
    assert {j.seed for j in jobs if j.epoch == 1} == {epoch_seed(3, 1)}
    with pytest.raises(ValueError, match="unique"):
        plan_jobs(loaded, [deterministic(), deterministic()])
    with pytest.raises(ValueError):
        plan_jobs(loaded, [deterministic()], epochs=0)


def test_agents_times_epochs_with_epoch_seeds(loaded: list[LoadedBenchmark], store: Store) -> None:
    progress: list[SuiteProgress] = []
    outcome = asyncio.run(
        run_matrix(
            loaded,
            [deterministic(), AgentEntry("null", lambda: create_agent("null"))],
            epochs=2,
            seed=5,
            concurrency=3,
            store=store,
            run_id="m1",
            on_progress=progress.append,
        )
    )
    assert (outcome.planned, outcome.executed, outcome.skipped) == (12, 12, 0)
    assert progress[-1].done == 12 and progress[-1].total == 12
    assert progress[-1].passed == sum(r.passed for r in outcome.results)
    by_key = {(r.agent, r.benchmark_id, r.epoch): r for r in outcome.results}
    assert len(by_key) == 12
    e0 = by_key[("deterministic", "001-sol-transfer", 0)]
    e1 = by_key[("deterministic", "001-sol-transfer", 1)]
    assert (e0.seed, e1.seed) == (5, epoch_seed(5, 1))
    assert e0.key_map["USER_WALLET_PUBKEY"] != e1.key_map["USER_WALLET_PUBKEY"]
    assert e0.passed and e1.passed
    assert not by_key[("null", "001-sol-transfer", 1)].passed
    run = store.get_run("m1")
    assert run is not None and run.status == "completed" and run.episodes == 12
    assert run.agents == ["deterministic", "null"]
    assert all(e.benchmark_version_id is not None for e in store.list_episodes(run_id="m1"))


def test_results_do_not_depend_on_concurrency(loaded: list[LoadedBenchmark]) -> None:
    def run(concurrency: int) -> list[Any]:
        out = asyncio.run(run_matrix(loaded, [deterministic()], epochs=2, concurrency=concurrency))
        return [stable(r.to_json_dict()) for r in out.results]

    assert run(1) == run(4)


def test_resume_after_interruption_runs_only_the_rest(
    loaded: list[LoadedBenchmark], store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Results are reported once their batch is committed; one-result batches let the
    # interruption come after five reported episodes and before the last ones ran.
    monkeypatch.setattr("reev.runner.result_writer.WRITE_BATCH", 1)
    finished: list[EpisodeResult] = []

    async def interrupted() -> None:
        task = asyncio.ensure_future(
            run_matrix(
                loaded,
                [deterministic()],
                epochs=4,
                store=store,
                run_id="r",
                on_result=finished.append,
            )
        )
        while len(finished) < 5:
            await asyncio.sleep(0)
        task.cancel()  # what Ctrl-C does to asyncio.run's main task
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(interrupted())
    run = store.get_run("r")
    assert run is not None and run.status == "interrupted"
    kept = store.count_episodes("r")
    assert kept >= 5, "every finished episode is kept"
    assert kept < 12
    stored_ids = {e.execution_id for e in store.list_episodes(run_id="r")}

    outcome = asyncio.run(run_matrix(loaded, [deterministic()], epochs=4, store=store, run_id="r"))
    assert outcome.skipped == kept
    assert outcome.executed == 12 - kept
    assert store.count_episodes("r") == 12
    assert stored_ids <= {e.execution_id for e in store.list_episodes(run_id="r")}
    keys = [(e.agent, e.benchmark_id, e.epoch) for e in store.list_episodes(run_id="r")]
    assert len(set(keys)) == 12
    final = store.get_run("r")
    assert final is not None and final.status == "completed"

    again = asyncio.run(run_matrix(loaded, [deterministic()], epochs=4, store=store, run_id="r"))
    assert (again.skipped, again.executed) == (12, 0)


def test_infrastructure_errors_are_retried_only_when_asked(
    loaded: list[LoadedBenchmark], store: Store
) -> None:
    seen: set[str] = set()
    flaky = AgentEntry("flaky", lambda: FlakyAgent(seen))
    wrong = AgentEntry("wrong", WrongAgent)
    first = asyncio.run(run_matrix(loaded, [flaky, wrong], store=store, run_id="x"))
    kinds = {(r.agent, r.error_kind) for r in first.results}
    assert kinds == {("flaky", "infrastructure"), ("wrong", None)}
    assert all(r.status == "error" for r in first.results)

    plain = asyncio.run(run_matrix(loaded, [flaky, wrong], store=store, run_id="x"))
    assert plain.executed == 0  # without --retry-errors nothing is re-run

    retry = asyncio.run(
        run_matrix(loaded, [flaky, wrong], store=store, run_id="x", retry_errors=True)
    )
    assert retry.executed == len(loaded)  # the flaky agent's episodes only
    assert {r.agent for r in retry.results} == {"flaky"}
    episodes = {(e.agent, e.benchmark_id): e for e in store.list_episodes(run_id="x")}
    for item in loaded:
        assert item.benchmark is not None
        fixed = episodes[("flaky", item.benchmark.id)]
        assert fixed.status == "completed" and fixed.attempt == 2
        assert episodes[("wrong", item.benchmark.id)].attempt == 1


def test_fresh_infrastructure_error_is_retried_in_the_same_run(
    loaded: list[LoadedBenchmark],
) -> None:
    seen: set[str] = set()
    outcome = asyncio.run(
        run_matrix(loaded, [AgentEntry("flaky", lambda: FlakyAgent(seen))], retry_errors=True)
    )
    assert outcome.retried == len(loaded)
    assert all(r.status == "completed" for r in outcome.results)


def test_keep_results_false_streams_into_the_store(
    loaded: list[LoadedBenchmark], store: Store
) -> None:
    outcome = asyncio.run(
        run_matrix(loaded, [deterministic()], epochs=3, store=store, run_id="k", keep_results=False)
    )
    assert outcome.results == []
    assert store.count_episodes("k") == 9


def test_load_errors_are_benchmark_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    outcome = asyncio.run(run_matrix(load_all([bad]), [deterministic()]))
    (result,) = outcome.results
    assert result.status == "error" and result.error_kind == "benchmark"


def test_run_suite_keeps_its_signature(loaded: list[LoadedBenchmark]) -> None:
    results = asyncio.run(
        run_suite(loaded, lambda: create_agent("deterministic"), "deterministic", concurrency=2)
    )
    assert [r.benchmark_id for r in results] == [
        item.benchmark.id for item in loaded if item.benchmark is not None
    ]
    assert all(r.passed for r in results)


def test_infrastructure_classification() -> None:
    assert is_infrastructure_error(InfrastructureError("x"))

    class RetriesExhausted(Exception):
        pass

    try:
        try:
            raise RetriesExhausted("503")
        except RetriesExhausted as exc:
            raise AgentError("model call failed") from exc
    except AgentError as outer:
        assert is_infrastructure_error(outer)
    assert not is_infrastructure_error(AgentError("bad answer"))
    assert not is_infrastructure_error(ValueError("x"))


def test_an_episode_is_reported_only_once_it_is_stored(
    loaded: list[LoadedBenchmark], tmp_path: Path
) -> None:
    """Results are written in batches, and each is reported (result tree, progress bar)
    only after its batch committed: what a run has shown survives a kill -9. Another
    connection, as another process would, sees every reported episode at that moment."""
    store = open_store(f"sqlite:///{tmp_path / 'batched.db'}")
    reader = open_store(f"sqlite:///{tmp_path / 'batched.db'}")
    seen_stored: list[bool] = []

    def check(result: EpisodeResult) -> None:
        seen_stored.append(reader.get_episode(result.execution_id) is not None)

    try:
        outcome = asyncio.run(
            run_matrix(
                loaded,
                [deterministic()],
                epochs=3,
                concurrency=4,
                store=store,
                run_id="b",
                on_result=check,
            )
        )
    finally:
        store.close()
    try:
        assert len(seen_stored) == 9 == outcome.executed
        assert all(seen_stored)
        assert reader.count_episodes("b") == 9
    finally:
        reader.close()
