"""A suite: benchmarks × agents × epochs, with concurrency, a store, resume and retries.

A file that fails to load, an agent that crashes, a prediction for a benchmark that is
not in the run: each becomes an error result, and the suite goes on.

`run_spec` runs a `RunSpec` (what `reev run` does); `run_matrix` is the general form
(docs/runs.md) it calls; `run_suite` runs one agent once over the benchmarks, as before.
The episodes are planned by `reev.runner.plan` (epoch e runs with `epoch_seed(seed, e)`)
and run by an executor's `execute_job`.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reev.agents.base import Agent
from reev.benchmark.loader import BenchmarkLoadError, read_benchmark_text
from reev.results.errors import INFRASTRUCTURE
from reev.results.records import EpisodeResult, utc_now
from reev.results.scoring import ScoringProfile
from reev.results.spec import DEFAULT_EPISODE_OPTIONS, EpisodeOptions, RunSpec
from reev.runner.executors.base import EpisodeJob, Executor
from reev.runner.executors.local import LocalExecutor
from reev.runner.plan import (
    AgentEntry,
    LoadedBenchmark,
    epoch_seed,
    load_all,
    plan_jobs,
    scale_step_timeouts,
)
from reev.runner.result_writer import ResultWriter

if TYPE_CHECKING:
    from reev.store import Store

# The planner's names, where callers have always found them (reev.runner.plan owns them).
__all__ = [
    "AgentEntry",
    "LoadedBenchmark",
    "SuiteOutcome",
    "SuiteProgress",
    "epoch_seed",
    "load_all",
    "new_run_id",
    "plan_jobs",
    "run_matrix",
    "run_spec",
    "run_suite",
    "scale_step_timeouts",
]


@dataclass
class SuiteProgress:
    """Where a run stands; passed to `on_progress` after every finished episode."""

    total: int
    skipped: int = 0
    done: int = 0
    passed: int = 0
    errors: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def to_run(self) -> int:
        return self.total - self.skipped

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.done if self.done else None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


@dataclass
class SuiteOutcome:
    """What one invocation did. `results` holds this invocation's results in plan order
    (empty with `keep_results=False`); the store holds the whole run."""

    run_id: str | None
    planned: int
    skipped: int
    executed: int
    results: list[EpisodeResult]
    interrupted: bool = False
    retried: int = 0


def new_run_id() -> str:
    """`run-YYYYMMDD-HHMMSS-xxxxxx` (UTC), sortable and unique enough to type."""
    return f"run-{utc_now().strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


def record_benchmark_versions(
    store: Store, loaded: Sequence[LoadedBenchmark]
) -> dict[str, int | None]:
    """Store each benchmark file's text (a new version when it changed); id → version id."""
    from reev.store.store import BenchmarkText

    versions: dict[str, int | None] = {}
    texts: list[BenchmarkText] = []
    for item in loaded:
        bench_id = item.benchmark_id
        versions[bench_id] = None
        if item.benchmark is None or item.path is None or item.stored:
            continue  # nothing valid to keep (and it may be a FIFO), or not a file of the run
        try:
            text = read_benchmark_text(item.path)
        except BenchmarkLoadError:
            continue
        b = item.benchmark
        texts.append(
            BenchmarkText(
                bench_id,
                text,
                source_path=str(item.path),
                description=b.description,
                tags=list(b.tags),
            )
        )
    for entry, version in zip(texts, store.record_benchmarks(texts), strict=True):
        versions[entry.benchmark_id] = version
    return versions


async def run_matrix(
    loaded: Sequence[LoadedBenchmark],
    agents: Sequence[AgentEntry],
    *,
    epochs: int = 1,
    seed: int = 0,
    options: EpisodeOptions = DEFAULT_EPISODE_OPTIONS,
    concurrency: int = 1,
    store: Store | None = None,
    run_id: str | None = None,
    run_config: Mapping[str, Any] | None = None,
    retry_errors: bool = False,
    executor: Executor | None = None,
    on_result: Callable[[EpisodeResult], None] | None = None,
    on_progress: Callable[[SuiteProgress], None] | None = None,
    keep_results: bool = True,
    write_batch: int = 0,
) -> SuiteOutcome:
    """Run benchmarks × agents × epochs, up to `concurrency` episodes at a time.

    With a `store`, results are written as they finish under `run_id` by a
    `ResultWriter` (in batches of `write_batch`, default `WRITE_BATCH`: 1 for a caller
    that waits on each result; a long run's through a writer process), and episodes the
    run already holds are skipped (resume). With `retry_errors`, stored
    episodes that failed for infrastructure reasons are run again, and so is a fresh
    infrastructure failure, once. When the run is cancelled (Ctrl-C), finished results are
    written, the run is marked "interrupted", and CancelledError propagates.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    jobs = plan_jobs(loaded, agents, epochs=epochs, seed=seed, options=options)
    rid = run_id or (new_run_id() if store is not None else None)
    todo = jobs
    skipped = 0
    versions: dict[str, int | None] = {}
    if store is not None and rid is not None:
        store.create_run(rid, dict(run_config or {}))
        versions = record_benchmark_versions(store, loaded)
        stored = store.episode_keys(rid)
        todo = []
        for job in jobs:
            if job.key not in stored or (retry_errors and stored[job.key] == INFRASTRUCTURE):
                todo.append(job)
            else:
                skipped += 1
    progress = SuiteProgress(total=len(jobs), skipped=skipped)
    finished: dict[str, EpisodeResult] = {}  # execution_id → the result as stored
    order: dict[str, int] = {}

    def report(result: EpisodeResult) -> None:
        if keep_results:
            finished[result.execution_id] = result
        progress.done += 1
        progress.passed += int(result.passed)
        progress.errors += int(result.status == "error")
        if on_result is not None:
            on_result(result)
        if on_progress is not None:
            on_progress(progress)

    writer = ResultWriter(store, rid or "", versions, report, write_batch)
    executor = executor or LocalExecutor()
    gate = asyncio.Semaphore(concurrency)
    retried = 0

    async def one(index: int, job: EpisodeJob) -> None:
        nonlocal retried
        async with gate:
            result = await executor.run(job)
            if retry_errors and result.error_kind == INFRASTRUCTURE:
                retried += 1
                result = await executor.run(job)
        if keep_results:
            order[result.execution_id] = index
        writer.add(result)

    status = "completed"
    prepare = getattr(executor, "prepare", None)  # optional (see Executor)
    if prepare is not None:
        prepare(todo, concurrency)
    await executor.start()
    try:
        writer.start_process(len(todo))
        if on_progress is not None:
            on_progress(progress)
        await _run_bounded(todo, one, concurrency)
    except (asyncio.CancelledError, KeyboardInterrupt):
        status = "interrupted"
        raise
    except BaseException:
        status = "failed"
        raise
    finally:
        try:
            writer.flush()
        except BaseException:
            status = "failed"
            raise
        finally:  # the run's status is final whatever happened above
            writer.close()
            await executor.close()
            if store is not None and rid is not None:
                store.set_run_status(rid, status)
    results = sorted(finished.values(), key=lambda r: order[r.execution_id])
    return SuiteOutcome(
        run_id=rid,
        planned=len(jobs),
        skipped=skipped,
        executed=progress.done,
        results=results,
        retried=retried,
    )


async def run_spec(
    spec: RunSpec,
    loaded: Sequence[LoadedBenchmark],
    agents: Sequence[AgentEntry],
    *,
    store: Store | None = None,
    run_id: str | None = None,
    extra_config: Mapping[str, Any] | None = None,
    executor: Executor | None = None,
    on_result: Callable[[EpisodeResult], None] | None = None,
    on_progress: Callable[[SuiteProgress], None] | None = None,
    keep_results: bool = True,
    write_batch: int = 0,
) -> SuiteOutcome:
    """Run a RunSpec's episodes: `run_matrix` with the spec's epochs, seed, scoring, keys,
    limits, concurrency and retries, and the spec stored as the run's config (with
    `extra_config` beside it, e.g. what each agent reported about itself).

    `loaded` are the spec's benchmarks and `agents` its agents' entries
    (`reev.runner.spec.agent_entries`), in the spec's order.
    """
    if [a.label for a in agents] != [a.label for a in spec.agents]:
        raise ValueError("the agent entries must be the spec's agents, in its order")
    return await run_matrix(
        loaded,
        agents,
        epochs=spec.epochs,
        seed=spec.seed,
        options=EpisodeOptions.of(spec),
        concurrency=spec.concurrency,
        store=store,
        run_id=run_id,
        run_config={**spec.stored_form(), **(extra_config or {})},
        retry_errors=spec.retry_errors,
        executor=executor,
        on_result=on_result,
        on_progress=on_progress,
        keep_results=keep_results,
        write_batch=write_batch,
    )


async def _run_bounded(
    jobs: Sequence[EpisodeJob],
    one: Callable[[int, EpisodeJob], Any],
    concurrency: int,
) -> None:
    """Run `one` over the jobs with at most `concurrency` (+ a small margin) tasks alive,
    so a 100,000-episode run does not create 100,000 tasks up front."""
    pending: set[asyncio.Task[None]] = set()
    limit = max(concurrency * 2, concurrency + 4)
    try:
        for index, job in enumerate(jobs):
            if len(pending) >= limit:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()
            pending.add(asyncio.ensure_future(one(index, job)))
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
    except BaseException:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        raise


async def run_suite(
    loaded: Sequence[LoadedBenchmark],
    agent_factory: Callable[[], Agent],
    agent_name: str,
    *,
    seed: int = 0,
    scoring: ScoringProfile = "outcome",
    random_keys: bool = False,
    step_timeout: float | None = None,
    concurrency: int = 1,
    on_result: Callable[[EpisodeResult], None] | None = None,
) -> list[EpisodeResult]:
    """Run each loaded benchmark once with a fresh agent, up to `concurrency` at a time.

    Every episode has its own (pooled, restored) VM and agent, so results do not depend on
    the concurrency. Results come back in input order; `on_result` is called as each one
    finishes. Nothing is stored: use `run_matrix` with a store for that.
    """
    outcome = await run_matrix(
        loaded,
        [AgentEntry(agent_name, agent_factory)],
        seed=seed,
        options=EpisodeOptions(scoring, random_keys, step_timeout),
        concurrency=concurrency,
        on_result=on_result,
    )
    return outcome.results
