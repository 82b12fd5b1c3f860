"""One planned episode (`EpisodeJob`) and how any executor turns it into a result.

`execute_job` is the only code that runs an episode, whichever part started it (`reev
run`, the API's workers, the TUI) and whichever executor calls it, so the same episode
gets the same record: the infrastructure-error watcher, the VM pool's lease and the
episode's `EpisodeContext` are applied here and nowhere else.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from reev.agents.base import Agent
from reev.benchmark.model import Benchmark
from reev.chain.pool import LiteSVMPool
from reev.results.errors import BENCHMARK, INFRASTRUCTURE, error_result
from reev.results.records import EpisodeResult
from reev.results.spec import DEFAULT_EPISODE_OPTIONS, EpisodeOptions, RunSpec
from reev.runner.context import EpisodeContext
from reev.runner.episode import run_episode
from reev.runner.failure_kind import annotate
from reev.runner.upstreams import Upstreams
from reev.runner.watched import WatchedAgent


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
    options: EpisodeOptions = DEFAULT_EPISODE_OPTIONS
    execution_id: str | None = None  # given by a job queue (the API); else a fresh uuid
    model: str | None = None  # the model asked for, kept on results that never ran

    @property
    def key(self) -> tuple[str, str, int]:
        """(agent, benchmark_id, epoch): the episode's identity within a run."""
        return (self.agent_label, self.benchmark_id, self.epoch)


class EpisodeTimeout(Exception):
    """A whole episode ran over its job's `episode_timeout`."""


class ExecutorOptionError(ValueError):
    """An executor cannot honour an option of the run (refused before anything starts)."""


class Executor(Protocol):
    """Runs jobs; many may be in flight at once (the suite bounds how many).

    An executor may also define `prepare(jobs, concurrency)`: the suite calls it before
    `start` with the jobs still to run (the process executor forks its workers with them).
    """

    name: str

    def check(self, spec: RunSpec) -> None:
        """ExecutorOptionError naming every option of `spec` this executor cannot honour."""
        ...

    async def start(self) -> None:
        """Prepare (connect to a cluster…); called once before the first job."""
        ...

    async def run(self, job: EpisodeJob) -> EpisodeResult:
        """The job's result; infrastructure failures come back as error results."""
        ...

    async def close(self) -> None:
        """Release what `start` took."""
        ...


def refuse_out_of_process(executor: str, spec: RunSpec) -> None:
    """ExecutorOptionError naming the options of `spec` that `executor`, which runs
    episodes in other processes, cannot honour: chain and Jupiter clients, the cassette,
    the model-call cache's database connection and the trace file all live in the driver
    process."""
    refused = []
    chain = spec.chain
    if chain.backend != "litesvm" or chain.rpc_url:
        refused.append("--backend rpc / --rpc-url")
    if chain.fork_url:
        refused.append("--fork-url")
    if chain.cassette:
        refused.append("--cassette")
    if chain.jupiter_url:
        refused.append("--jupiter-url")
    if spec.cache:
        refused.append("--cache")
    if spec.trace_file:
        refused.append("--trace-file")
    if refused:
        raise ExecutorOptionError(
            f"--executor {executor} cannot honour {', '.join(refused)} (its workers run on "
            "the embedded VM with the live Jupiter API, no model-call cache and no trace "
            "file); use --executor local for these options"
        )


def failed_result(job: EpisodeJob, error: str, kind: str | None) -> EpisodeResult:
    """The result of a job that could not run at all."""
    return error_result(
        job.benchmark_id,
        job.agent_label,
        job.seed,
        error,
        job.options.scoring,
        job.source_path,
        job.epoch,
        kind=kind,
        execution_id=job.execution_id,
        model=job.model,
    )


async def execute_job(
    job: EpisodeJob,
    pool: LiteSVMPool | None = None,
    upstreams: Upstreams | None = None,
) -> EpisodeResult:
    """Run one job on this machine; never raises for the episode's own failures.

    `upstreams` (the run's chain and Jupiter choice) give the backend factory and the
    Jupiter client; without a backend of their own, episodes lease VMs from `pool`.
    """
    if job.benchmark is None:
        return failed_result(job, job.load_error or "cannot load", BENCHMARK)
    try:  # parametric benchmarks draw their values from the seed
        benchmark = job.benchmark.instantiate(job.seed)
    except ValueError as exc:
        return failed_result(job, str(exc), BENCHMARK)
    try:
        agent = WatchedAgent(job.agent_factory())
    except Exception as exc:
        return failed_result(job, f"cannot create agent {job.agent_label}: {exc}", None)
    context = EpisodeContext.of_run(upstreams, job.epoch)
    t0 = time.perf_counter()
    try:
        if pool is not None and context.backend_factory is None:
            with pool.lease() as factory:
                result = await _bounded(job, benchmark, agent, context.with_backend(factory))
        else:
            result = await _bounded(job, benchmark, agent, context)
    except EpisodeTimeout as exc:  # scored like a step timeout: the agent's, not retried
        result = failed_result(job, str(exc), None)
        result.duration_ms = (time.perf_counter() - t0) * 1000
        return result
    except Exception as exc:  # the harness itself broke: not the agent's doing
        result = failed_result(job, f"episode crashed: {type(exc).__name__}: {exc}", INFRASTRUCTURE)
        result.duration_ms = (time.perf_counter() - t0) * 1000
        return annotate(result)
    result.agent = job.agent_label
    if result.status == "error" and agent.infrastructure_failure:
        result.error_kind = INFRASTRUCTURE
    return annotate(result)


async def _bounded(
    job: EpisodeJob, benchmark: Benchmark, agent: Agent, context: EpisodeContext
) -> EpisodeResult:
    """The episode, within the job's episode timeout (TimeoutError when it runs over)."""
    episode = run_episode(
        benchmark,
        agent,
        seed=job.seed,
        epoch=job.epoch,
        scoring=job.options.scoring,
        random_keys=job.options.random_keys,
        step_timeout=job.options.step_timeout,
        execution_id=job.execution_id,
        source_path=job.source_path,
        context=context,
    )
    timeout = job.options.episode_timeout
    if timeout is None:
        return await episode
    try:
        return await asyncio.wait_for(episode, timeout=timeout)
    except TimeoutError:
        raise EpisodeTimeout(f"episode timed out after {timeout:g}s") from None


def describe_jobs(jobs: Sequence[EpisodeJob]) -> Mapping[str, int]:
    """Counts by agent (for logs and run configs)."""
    counts: dict[str, int] = {}
    for job in jobs:
        counts[job.agent_label] = counts.get(job.agent_label, 0) + 1
    return counts
