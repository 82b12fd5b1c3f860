"""The store never loses a run: a record the database cannot hold becomes an error result
with its reason, every other one is stored and returned, and the run's status is final."""

from __future__ import annotations

import asyncio
from pathlib import Path

from reev.agents.deterministic import DeterministicAgent
from reev.results.errors import error_result
from reev.results.records import EpisodeResult
from reev.runner.executors.base import EpisodeJob
from reev.runner.executors.local import LocalExecutor
from reev.runner.suite import AgentEntry, load_all, run_matrix
from reev.store import open_store
from tests.hostile.hostile_files import BENCHMARKS


def test_a_record_the_database_refuses_becomes_an_error_result(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'reev.db'}")
    store.create_run("r")
    good = [error_result(b, "agent", 0, "fine") for b in ("a", "c")]
    bad = error_result("b", "agent", 0, "fine")
    bad.score = float("nan")  # JSON and PostgreSQL cannot hold it
    stored = store.record_episodes("r", [good[0], bad, good[1]])
    assert [r.benchmark_id for r in stored] == ["a", "b", "c"]
    assert stored[0] is good[0] and stored[2] is good[1]
    assert stored[1].status == "error" and stored[1].execution_id == bad.execution_id
    assert stored[1].error == (
        "the result could not be stored: ValueError: Out of range float values are not JSON compliant"
    )
    rows = {e.benchmark_id: e for e in store.list_episodes(run_id="r")}
    assert set(rows) == {"a", "b", "c"}
    assert "INSERT" not in (rows["b"].error or "")  # never the SQL text
    store.close()


class NanExecutor:
    """The local executor, except that one benchmark's result carries a NaN score."""

    def __init__(self, poisoned: str) -> None:
        self.inner = LocalExecutor()
        self.poisoned = poisoned

    async def start(self) -> None:
        await self.inner.start()

    async def run(self, job: EpisodeJob) -> EpisodeResult:
        result = await self.inner.run(job)
        if job.benchmark_id == self.poisoned:
            result.score = float("nan")
        return result

    async def close(self) -> None:
        await self.inner.close()


def test_a_run_with_one_unstorable_result_stores_all_and_ends_completed(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'reev.db'}")
    loaded = load_all(sorted(BENCHMARKS.glob("00*.yml")))
    outcome = asyncio.run(
        run_matrix(
            loaded,
            [AgentEntry("deterministic", DeterministicAgent)],
            store=store,
            run_id="poisoned",
            executor=NanExecutor("002-spl-transfer"),
        )
    )
    by_id = {r.benchmark_id: r for r in outcome.results}
    assert len(by_id) == len(loaded)
    assert by_id["002-spl-transfer"].status == "error"
    assert "could not be stored" in (by_id["002-spl-transfer"].error or "")
    assert all(r.status == "completed" for k, r in by_id.items() if k != "002-spl-transfer")
    assert store.count_episodes("poisoned") == len(loaded)
    run = store.get_run("poisoned")
    assert run is not None and run.status == "completed"
    store.close()
