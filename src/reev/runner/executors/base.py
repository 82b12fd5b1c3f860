"""One planned episode (`EpisodeJob`) and how any executor turns it into a result.

`execute_job` is the only code that runs an episode for a suite, whichever executor
calls it, so the local and Ray executors give identical results.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from reev.agents.base import Agent, AgentHarness, StepTask
from reev.benchmark.model import Benchmark
from reev.chain.pool import LiteSVMPool
from reev.results.errors import BENCHMARK, INFRASTRUCTURE, error_result
from reev.results.records import EpisodeResult
from reev.results.scoring import ScoringProfile
from reev.runner.context import episode_context
from reev.runner.episode import run_episode
from reev.runner.errors import is_infrastructure_error


@dataclass(frozen=True)
class EpisodeJob:
    """Everything needed to run one benchmark × agent × epoch (picklable for Ray)."""

    benchmark_id: str
    benchmark: Benchmark | None
    load_error: str | None
    source_path: str | None
    agent_label: str
    agent_factory: Callable[[], Agent]
    epoch: int
    seed: int
    scoring: ScoringProfile = "outcome"
    random_keys: bool = False
    step_timeout: float | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        """(agent, benchmark_id, epoch): the episode's identity within a run."""
        return (self.agent_label, self.benchmark_id, self.epoch)


class Executor(Protocol):
    """Runs jobs; many may be in flight at once (the suite bounds how many)."""

    name: str

    async def start(self) -> None:
        """Prepare (connect to a cluster…); called once before the first job."""
        ...

    async def run(self, job: EpisodeJob) -> EpisodeResult:
        """The job's result; infrastructure failures come back as error results."""
        ...

    async def close(self) -> None:
        """Release what `start` took."""
        ...


class _Watched:
    """Wraps an agent to notice when a step failed for infrastructure reasons."""

    def __init__(self, inner: Agent) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.infrastructure_failure = False

    def start_episode(self, benchmark: Benchmark) -> None:
        self.inner.start_episode(benchmark)

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        try:
            await self.inner.run_step(task, harness)
        except BaseException as exc:
            if is_infrastructure_error(exc):
                self.infrastructure_failure = True
            raise

    def __getattr__(self, name: str) -> Any:  # anything else an agent offers
        return getattr(self.inner, name)


def failed_result(job: EpisodeJob, error: str, kind: str | None) -> EpisodeResult:
    """The result of a job that could not run at all."""
    return error_result(
        job.benchmark_id,
        job.agent_label,
        job.seed,
        error,
        job.scoring,
        job.source_path,
        job.epoch,
        kind=kind,
    )


async def execute_job(job: EpisodeJob, pool: LiteSVMPool | None = None) -> EpisodeResult:
    """Run one job on this machine; never raises for the episode's own failures."""
    if job.benchmark is None:
        return failed_result(job, job.load_error or "cannot load", BENCHMARK)
    try:  # parametric benchmarks draw their values from the seed
        benchmark = job.benchmark.instantiate(job.seed)
    except ValueError as exc:
        return failed_result(job, str(exc), BENCHMARK)
    try:
        agent = _Watched(job.agent_factory())
    except Exception as exc:
        return failed_result(job, f"cannot create agent {job.agent_label}: {exc}", None)
    t0 = time.perf_counter()
    try:
        if pool is not None:
            with pool.lease():
                result = await _episode(job, benchmark, agent)
        else:
            result = await _episode(job, benchmark, agent)
    except Exception as exc:  # the harness itself broke: not the agent's doing
        result = failed_result(job, f"episode crashed: {type(exc).__name__}: {exc}", INFRASTRUCTURE)
        result.duration_ms = (time.perf_counter() - t0) * 1000
        return result
    result.agent = job.agent_label
    if result.status == "error" and agent.infrastructure_failure:
        result.error_kind = INFRASTRUCTURE
    return result


async def _episode(job: EpisodeJob, benchmark: Benchmark, agent: Agent) -> EpisodeResult:
    with episode_context(job.epoch):
        return await _run_episode(job, benchmark, agent)


async def _run_episode(job: EpisodeJob, benchmark: Benchmark, agent: Agent) -> EpisodeResult:
    return await run_episode(
        benchmark,
        agent,
        seed=job.seed,
        epoch=job.epoch,
        scoring=job.scoring,
        random_keys=job.random_keys,
        step_timeout=job.step_timeout,
        source_path=job.source_path,
    )


def describe_jobs(jobs: Sequence[EpisodeJob]) -> Mapping[str, int]:
    """Counts by agent (for logs and run configs)."""
    counts: dict[str, int] = {}
    for job in jobs:
        counts[job.agent_label] = counts.get(job.agent_label, 0) + 1
    return counts
