"""A suite: benchmarks × agents × epochs, with concurrency, a store, resume and retries.

A file that fails to load, an agent that crashes, a prediction for a benchmark that is
not in the run: each becomes an error result, and the suite goes on.

`run_matrix` is the general form (docs/runs.md); `run_suite` runs one agent once over
the benchmarks, as before. Epoch e runs with `epoch_seed(seed, e)`.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reev.agents.base import Agent
from reev.benchmark.loader import BenchmarkLoadError, load_benchmark_files, read_benchmark_text
from reev.benchmark.model import Benchmark
from reev.results.errors import INFRASTRUCTURE
from reev.results.records import EpisodeResult, utc_now
from reev.results.scoring import ScoringProfile
from reev.runner.executors.base import EpisodeJob, Executor
from reev.runner.executors.local import LocalExecutor

if TYPE_CHECKING:
    from reev.store import Store


@dataclass
class LoadedBenchmark:
    """A benchmark file and what became of loading it."""

    path: Path
    benchmark: Benchmark | None
    error: str | None = None
    error_id: str | None = None  # what an error result is stored under (unique in the run)

    @property
    def benchmark_id(self) -> str:
        """The id results are stored under: the benchmark's, else `error_id` or the stem."""
        if self.benchmark is not None:
            return self.benchmark.id
        return self.error_id or self.path.stem


def load_all(paths: Iterable[str | Path]) -> list[LoadedBenchmark]:
    """Load every benchmark file under `paths`; failures are kept with their message.

    A file that fails is stored under its stem, or under its path when the stem is some
    other file's id (a copy of 001 named 002-….yml must not take 002's place)."""
    files = load_benchmark_files(paths)
    ids = {f.benchmark.id for f in files if f.benchmark is not None}
    loaded: list[LoadedBenchmark] = []
    for f in files:
        if f.benchmark is not None:
            loaded.append(LoadedBenchmark(f.path, f.benchmark))
            continue
        error_id = f.path.stem if f.path.stem not in ids else str(f.path)
        ids.add(error_id)
        loaded.append(LoadedBenchmark(f.path, None, str(f.error), error_id=error_id))
    return loaded


def scale_step_timeouts(loaded: list[LoadedBenchmark], factor: float) -> None:
    """Multiply the step timeouts written in flow files by `factor` (`--timeout-scale`).

    A file's `timeout: 30` was chosen for some machine and model speed; a slower local
    model on a small machine needs the same flow with more time, without editing files.
    """
    if factor <= 0:
        raise ValueError(f"--timeout-scale must be positive, not {factor:g}")
    if factor == 1:
        return
    for item in loaded:
        for step in (item.benchmark.flow or []) if item.benchmark is not None else []:
            if step.timeout is not None:
                step.timeout = max(1, math.ceil(step.timeout * factor))


def epoch_seed(base_seed: int, epoch: int) -> int:
    """The seed of epoch `epoch`: the base seed for epoch 0, else a 63-bit hash.

        epoch_seed(s, 0) = s
        epoch_seed(s, e) = int(SHA-256("reev-epoch-v1:{s}:{e}")[:8], big-endian) >> 1

    Epoch 0 keeps single runs identical to `reev run --seed s`; later epochs get keys
    (and parametric values) no other (seed, epoch) pair shares.
    """
    if epoch < 0:
        raise ValueError("epoch must be >= 0")
    if epoch == 0:
        return base_seed
    digest = hashlib.sha256(f"reev-epoch-v1:{base_seed}:{epoch}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


@dataclass(frozen=True)
class AgentEntry:
    """An agent of a run: its label (unique in the run, stored as `agent`) and factory."""

    label: str
    factory: Callable[[], Agent]


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


def plan_jobs(
    loaded: Sequence[LoadedBenchmark],
    agents: Sequence[AgentEntry],
    *,
    epochs: int = 1,
    seed: int = 0,
    scoring: ScoringProfile = "outcome",
    random_keys: bool = False,
    step_timeout: float | None = None,
) -> list[EpisodeJob]:
    """Every episode of a run: epoch-major, then agent, then benchmark (path order)."""
    if epochs < 1:
        raise ValueError("epochs must be at least 1")
    labels = [a.label for a in agents]
    if len(set(labels)) != len(labels):
        raise ValueError(f"agent labels must be unique in a run: {labels}")
    jobs = []
    for epoch in range(epochs):
        s = epoch_seed(seed, epoch)
        for entry in agents:
            for item in loaded:
                jobs.append(
                    EpisodeJob(
                        benchmark_id=item.benchmark_id,
                        benchmark=item.benchmark,
                        load_error=item.error,
                        source_path=str(item.path),
                        agent_label=entry.label,
                        agent_factory=entry.factory,
                        epoch=epoch,
                        seed=s,
                        scoring=scoring,
                        random_keys=random_keys,
                        step_timeout=step_timeout,
                    )
                )
    return jobs


class _Writer:
    """Batches results into the store and reports each one only once it is committed.

    One transaction per batch (a commit per episode cost more than a short episode), and
    the batch is written when it is full, or at most `WRITE_INTERVAL_S` after its first
    result arrived (a timer, so a slow run's results are not held back), and at the end.
    `report` (the result tree, the progress bar) is called after the commit: an episode
    shown as done is in the database, whatever kills the process afterwards (WAL commits
    survive kill -9).
    """

    def __init__(
        self,
        store: Store | None,
        run_id: str,
        versions: dict[str, int | None],
        report: Callable[[EpisodeResult], None],
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.versions = versions
        self.report = report
        self.pending: list[EpisodeResult] = []
        self._timer: asyncio.TimerHandle | None = None
        self._failed: BaseException | None = None  # a timed flush's error, raised by add

    def add(self, result: EpisodeResult) -> None:
        if self.store is None:
            self.report(result)
            return
        if self._failed is not None:
            failed, self._failed = self._failed, None
            raise failed
        self.pending.append(result)
        if len(self.pending) >= WRITE_BATCH:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(WRITE_INTERVAL_S, self._timed)

    def _timed(self) -> None:
        """The timer's flush: an error waits for the next `add` (or the final flush),
        which the run's tasks see, instead of going to the event loop's log."""
        self._timer = None
        try:
            self.flush()
        except BaseException as exc:
            self._failed = exc

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.store is None or not self.pending:
            return
        batch, self.pending = self.pending, []
        try:
            stored = self.store.record_episodes(
                self.run_id, batch, benchmark_versions=self.versions
            )
        except BaseException:
            self.pending = batch + self.pending  # not written: the final flush tries again
            raise
        for result in stored:  # an error result where the store could not hold one
            self.report(result)


WRITE_BATCH = 64
WRITE_INTERVAL_S = 0.25


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
        if item.benchmark is None:  # nothing valid to keep (and it may be a FIFO)
            continue
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
    scoring: ScoringProfile = "outcome",
    random_keys: bool = False,
    step_timeout: float | None = None,
    concurrency: int = 1,
    store: Store | None = None,
    run_id: str | None = None,
    run_config: Mapping[str, Any] | None = None,
    retry_errors: bool = False,
    executor: Executor | None = None,
    on_result: Callable[[EpisodeResult], None] | None = None,
    on_progress: Callable[[SuiteProgress], None] | None = None,
    keep_results: bool = True,
) -> SuiteOutcome:
    """Run benchmarks × agents × epochs, up to `concurrency` episodes at a time.

    With a `store`, results are written as they finish (in batches) under `run_id`, and
    episodes the run already holds are skipped (resume). With `retry_errors`, stored
    episodes that failed for infrastructure reasons are run again, and so is a fresh
    infrastructure failure, once. When the run is cancelled (Ctrl-C), finished results are
    written, the run is marked "interrupted", and CancelledError propagates.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    jobs = plan_jobs(
        loaded,
        agents,
        epochs=epochs,
        seed=seed,
        scoring=scoring,
        random_keys=random_keys,
        step_timeout=step_timeout,
    )
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

    writer = _Writer(store, rid or "", versions, report)
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
    await executor.start()
    try:
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
        scoring=scoring,
        random_keys=random_keys,
        step_timeout=step_timeout,
        concurrency=concurrency,
        on_result=on_result,
    )
    return outcome.results
