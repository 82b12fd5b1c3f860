"""The process executor: forked workers give the local executor's records, refuse what
they cannot honour, survive a worker that dies, and leave no process behind."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest

from reev.agents.base import AgentHarness, StepTask
from reev.agents.deterministic import DeterministicAgent
from reev.agents.registry import create_agent
from reev.results.spec import AgentChoice, ChainSpec, RunSpec
from reev.runner.executors import ExecutorOptionError, LocalExecutor, make_executor
from reev.runner.executors.process import ProcessExecutor
from reev.runner.suite import AgentEntry, load_all, run_matrix
from reev.store import open_store
from tests.records import stable

ROOT = Path(__file__).resolve().parents[2]
FILES = ["001-sol-transfer.yml", "002-spl-transfer.yml", "003-spl-transfer-fail.yml"]


def _loaded() -> list[Any]:
    return load_all([ROOT / "benchmarks" / f for f in FILES])


def test_forked_workers_give_the_local_records(tmp_path: Path) -> None:
    # closures as factories: the workers inherit them, nothing is pickled on the way in
    agents = [
        AgentEntry("deterministic", lambda: create_agent("deterministic")),
        AgentEntry("null", lambda: create_agent("null")),
    ]
    local = asyncio.run(run_matrix(_loaded(), agents, epochs=2, executor=LocalExecutor()))
    with open_store(f"sqlite:///{tmp_path / 'reev.db'}") as store:
        forked = asyncio.run(
            run_matrix(
                _loaded(),
                agents,
                epochs=2,
                concurrency=4,
                executor=ProcessExecutor(workers=2),
                store=store,
                run_id="p",
            )
        )
        assert store.count_episodes("p") == 12
    assert [stable(r.to_json_dict()) for r in forked.results] == [
        stable(r.to_json_dict()) for r in local.results
    ]  # signatures, states and scores included
    passed = sorted((r.agent, r.benchmark_id) for r in forked.results if r.passed)
    # the reference passes all 3 in both epochs; null only 003, where nothing should move
    assert passed == sorted(
        [("deterministic", f.removesuffix(".yml")) for f in FILES] * 2
        + [("null", "003-spl-transfer-fail")] * 2
    )
    assert multiprocessing.active_children() == []  # every worker was stopped


class _DiesOn002(DeterministicAgent):
    """Kills its worker process in benchmark 002 (as the OOM killer would)."""

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        if task.benchmark_id == "002-spl-transfer":
            os._exit(9)
        await super().run_step(task, harness)


def test_a_dying_worker_costs_only_its_episode() -> None:
    agents = [AgentEntry("dies", _DiesOn002)]
    outcome = asyncio.run(
        run_matrix(_loaded(), agents, epochs=1, concurrency=2, executor=ProcessExecutor(2))
    )
    by_id = {r.benchmark_id: r for r in outcome.results}
    assert by_id["001-sol-transfer"].passed and by_id["003-spl-transfer-fail"].passed
    dead = by_id["002-spl-transfer"]
    assert dead.status == "error" and dead.error_kind == "infrastructure"
    assert "worker process died" in (dead.error or "")
    assert multiprocessing.active_children() == []


def _spec(**fields: Any) -> RunSpec:
    return RunSpec(benchmarks=["b.yml"], agents=[AgentChoice(name="deterministic")], **fields)


def test_refuses_what_its_workers_cannot_honour() -> None:
    ProcessExecutor.check(_spec())  # the defaults are fine
    with pytest.raises(ExecutorOptionError, match=r"process.*--fork-url.*--cache.*--trace-file"):
        ProcessExecutor.check(
            _spec(chain=ChainSpec(fork_url="http://127.0.0.1:9"), cache=True, trace_file="t")
        )
    with pytest.raises(ExecutorOptionError, match="--ray-address needs --executor ray"):
        make_executor("process", ray_address="127.0.0.1:6379")
    assert make_executor("process").name == "process"


def test_workers_are_bounded_by_concurrency_and_jobs() -> None:
    executor = ProcessExecutor(workers=8)
    jobs = [object()] * 3  # only their number matters here
    executor.prepare(jobs, concurrency=2)  # type: ignore[arg-type]
    assert executor.workers == 2
    executor.prepare(jobs, concurrency=16)  # type: ignore[arg-type]
    assert executor.workers == 3
