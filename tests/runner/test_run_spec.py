"""The RunSpec a run is made from: validated once, stored with the run, honoured or refused
by the executor, and the one path (`execute_job`) every entry point runs episodes through."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from reev.agents.base import AgentHarness, StepTask
from reev.agents.deterministic import DeterministicAgent
from reev.benchmark.loader import load_benchmark
from reev.benchmark.model import Benchmark
from reev.cli.app import app
from reev.results.spec import AgentChoice, ChainSpec, EpisodeOptions, RunSpec
from reev.runner.executors.base import EpisodeJob, ExecutorOptionError, execute_job
from reev.runner.executors.ray_executor import RayExecutor
from reev.store import open_store

ROOT = Path(__file__).resolve().parents[2]
B1 = str(ROOT / "benchmarks" / "001-sol-transfer.yml")
runner = CliRunner()


def spec(**fields: object) -> RunSpec:
    return RunSpec(benchmarks=[B1], agents=[AgentChoice(name="deterministic")], **fields)  # type: ignore[arg-type]


def test_spec_is_validated_once_and_keeps_no_store_url() -> None:
    with pytest.raises(ValidationError, match="unique"):
        RunSpec(benchmarks=[B1], agents=[AgentChoice(name="null"), AgentChoice(name="null")])
    with pytest.raises(ValidationError):
        spec(epochs=0)
    with pytest.raises(ValidationError, match="secret"):
        AgentChoice(name="openai", options={"api_key": "sk-x"})
    s = spec(store_url="postgresql://u:pw@h/db", seed=3)
    stored = s.stored_form()
    assert "pw" not in str(stored) and "store_url" not in stored["spec"]
    back = RunSpec.from_stored(stored)
    assert back is not None and back.seed == 3 and back.differences(s) == []
    assert back.differences(spec(seed=4)) == ["seed"]
    assert AgentChoice(name="openai", model="m").label == "openai:m"


def test_ray_refuses_what_its_workers_cannot_honour() -> None:
    RayExecutor.check(spec())  # the defaults are fine
    with pytest.raises(ExecutorOptionError, match=r"--fork-url.*--cache.*--trace-file"):
        RayExecutor.check(
            spec(chain=ChainSpec(fork_url="http://127.0.0.1:9"), cache=True, trace_file="t.jsonl")
        )


def test_the_run_stores_its_spec_and_resumes_only_with_it(tmp_path: Path) -> None:
    db = str(tmp_path / "reev.db")
    base = ["run", B1, "--db", db, "-q", "--no-session-files", "--no-progress", "--run-id", "r"]
    assert runner.invoke(app, [*base, "--seed", "5"]).exit_code == 0
    with open_store(db) as store:
        run = store.get_run("r")
        assert run is not None
        stored = RunSpec.from_stored(run.config)
        assert stored is not None and stored.seed == 5 and stored.interface == "cli"
    refused = runner.invoke(app, [*base, "--seed", "6"])
    assert refused.exit_code == 2 and "seed" in refused.output
    assert runner.invoke(app, [*base, "--seed", "5"]).exit_code == 0  # same spec: resumed


class _Slow(DeterministicAgent):
    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        await asyncio.sleep(5)


def _job(benchmark: Benchmark, agent: type[DeterministicAgent], **fields: object) -> EpisodeJob:
    return EpisodeJob(
        benchmark_id=benchmark.id,
        benchmark=benchmark,
        load_error=None,
        source_path=B1,
        agent_label="a",
        agent_factory=agent,
        epoch=0,
        seed=0,
        **fields,  # type: ignore[arg-type]
    )


def test_episode_timeout_bounds_the_whole_episode_and_ids_come_from_the_job() -> None:
    benchmark = load_benchmark(B1)
    slow = asyncio.run(
        execute_job(_job(benchmark, _Slow, options=EpisodeOptions(episode_timeout=0.2), model="m"))
    )
    assert slow.status == "error" and slow.error == "episode timed out after 0.2s"
    assert slow.error_kind is None and slow.model == "m"
    done = asyncio.run(execute_job(_job(benchmark, DeterministicAgent, execution_id="job-1")))
    assert done.passed and done.execution_id == "job-1"
