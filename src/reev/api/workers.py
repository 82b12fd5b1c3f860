"""The worker pool: N workers that claim queued jobs from the database and run episodes.

Workers live on their own thread with their own asyncio loop, so an episode (LiteSVM work
is synchronous) never blocks the API's request loop, and a request handler never runs an
episode. Each job is made into the runner's `EpisodeJob` by the runner's planner from the run's
stored `RunSpec` (`reev.api.run_specs`) and runs through the runner's `execute_job`, as in
`reev run` (the same record, infrastructure-error watcher and episode timeout), with a
fresh agent and a VM leased from the pool and restored after, so jobs are isolated from
each other; N workers give N episodes in flight (agents that wait on a model
overlap; chain work is CPU-bound and shares the GIL).

Stopping a job is real: the episode runs in its own asyncio task, which is cancelled —
an agent waiting on a model call stops at once and no later step runs. A stop request
reaches the task either directly (same process) or through the job's `cancel_requested`
flag, which every pool polls for the jobs it owns (another server process).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from reev.agents.base import Agent, AgentError
from reev.api.run_specs import job_agent, legacy_spec, stored_benchmark
from reev.api.settings import ApiSettings
from reev.chain.pool import LiteSVMPool
from reev.results.records import EpisodeResult
from reev.results.spec import EpisodeOptions, RunSpec
from reev.runner.executors.base import EpisodeJob, execute_job
from reev.runner.plan import AgentEntry, LoadedBenchmark, episode_job
from reev.runner.spec import SpecError
from reev.store import Store
from reev.store.api_queries import current_benchmarks
from reev.store.jobs import (
    CANCELLED,
    COMPLETED,
    FAILED,
    INTERRUPTED,
    JobInfo,
    JobQueue,
    new_owner,
)
from reev.store.store import describe_db_error

log = logging.getLogger("reev.api.workers")

STOPPED_BY_USER = "stopped by user"
SHUTDOWN_REASON = "interrupted: the server shut down before the episode finished"
VERSION_CACHE = 512  # parsed benchmark versions kept by a worker pool
SPEC_CACHE = 256  # runs whose spec a pool keeps in memory


def _refuse(reason: str) -> Agent:
    """An agent factory for an agent that cannot be built: the job's error result says why."""
    raise AgentError(reason)


class WorkerPool:
    """Runs queued jobs until stopped. `start()`/`stop()` from any thread."""

    def __init__(
        self, store: Store, queue: JobQueue, settings: ApiSettings, wake_fd: int | None = None
    ) -> None:
        """`wake_fd`: the read end of a pipe whose every byte means "jobs were queued" (a
        worker process's link to its server: `reev.api.worker_processes`)."""
        self.wake_fd = wake_fd
        self.store = store
        self.queue = queue
        self.settings = settings
        self.owner = new_owner()
        self.vm_pool = LiteSVMPool()  # VMs reused across jobs, as in `reev run`
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None
        self._slot_free: asyncio.Event | None = None
        self._ready = threading.Event()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._reasons: dict[str, str] = {}
        # version id → the benchmark as loaded: a stored version never changes, so its YAML
        # is read and validated once, not once per job.
        self._versions: OrderedDict[int, LoadedBenchmark] = OrderedDict()
        self._specs: OrderedDict[str, RunSpec] = OrderedDict()  # run id → its spec

    # --- control (any thread) -------------------------------------------------------

    def start(self) -> None:
        """Settle what a dead server left Running, load the current benchmark versions and
        make a VM per slot, then start the workers."""
        self._recover()
        if self.settings.workers <= 0:
            return
        self._load_current_versions()
        self.vm_pool.prefill(self.settings.workers)  # one VM per slot, made before claiming
        self._thread = threading.Thread(target=self._main, name="reev-workers", daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        """Stop claiming; let running episodes finish within the grace period, then
        cancel them (they become Interrupted). Queued jobs stay Queued for the next start."""
        if self._loop is None or self._stop is None or self._thread is None:
            return
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(self.settings.shutdown_grace + 30)

    def notify(self) -> None:
        """Wake idle workers (jobs were just queued)."""
        if self._loop is not None and self._wake is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                self._loop.call_soon_threadsafe(self._wake.set)

    def cancel(self, job_id: str) -> None:
        """Cancel a job this pool is running, now (same-process fast path)."""
        if self._loop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._cancel_task, job_id, STOPPED_BY_USER)

    @property
    def running(self) -> list[str]:
        """Ids of the jobs this pool is running."""
        return list(self._tasks)

    # --- the worker thread ----------------------------------------------------------

    def _main(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._slot_free = asyncio.Event()
        if self.wake_fd is not None:
            os.set_blocking(self.wake_fd, False)
            self._loop.add_reader(self.wake_fd, self._woken)
        self._ready.set()
        dispatcher = asyncio.create_task(self._dispatch())
        keeper = asyncio.create_task(self._housekeeping())
        await self._stop.wait()
        dispatcher.cancel()  # it only ever waits or claims (synchronously): no job is lost
        with contextlib.suppress(asyncio.CancelledError):
            await dispatcher
        running = list(self._tasks.values())
        if running:
            await asyncio.wait(running, timeout=self.settings.shutdown_grace)
        for job_id in list(self._tasks):
            self._cancel_task(job_id, SHUTDOWN_REASON)
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper

    def _woken(self) -> None:
        """Bytes on the wake pipe: drain them and wake the dispatcher (at EOF, the server
        is gone: stop watching; the poll still finds jobs)."""
        assert self._loop is not None and self.wake_fd is not None and self._wake is not None
        try:
            data = os.read(self.wake_fd, 4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._loop.remove_reader(self.wake_fd)
        self._wake.set()

    async def _dispatch(self) -> None:
        """Claim a job whenever one of the N slots is free; start its episode task.

        One loop claims for all N workers. While idle it waits for `notify()` (jobs queued
        by this server) or `poll_interval` (jobs queued by another process); on SQLite a
        poll first asks whether anything was committed since the last empty claim
        (`reev.store.changes`, microseconds) and claims only then.

        It also ends by itself once the pool is stopping: on Python 3.11 `wait_for` can
        turn a cancellation that meets its timeout into a TimeoutError (which the idle
        wait suppresses), and a dispatcher that missed its cancel kept a stopping pool
        polling until `stop()` gave up ~35 s later."""
        assert self._wake is not None and self._slot_free is not None
        assert self._stop is not None
        changes = self.queue.changes
        empty_at: int | None = None  # commit counter when a claim last found nothing
        while not self._stop.is_set():
            if len(self._tasks) >= self.settings.workers:
                self._slot_free.clear()
                await self._slot_free.wait()
                continue
            self._wake.clear()
            version = changes.version()
            if version is not None and version == empty_at:
                await self._idle()
                continue
            try:  # the spec of a run not seen yet comes with the claim (one transaction)
                claimed = self.queue.claim_with_config(self.owner, known_runs=self._specs)
            except Exception:
                log.exception("cannot claim a job; retrying")
                empty_at = None
                await asyncio.sleep(1.0)
                continue
            if claimed is None:
                empty_at = version
                await self._idle()
                continue
            empty_at = None
            self._start(*claimed)

    async def _idle(self) -> None:
        assert self._wake is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self.settings.poll_interval)

    def _start(self, job: JobInfo, run_config: dict[str, Any] | None = None) -> None:
        """Run a claimed job in its own task; its slot is freed when the task ends.
        `run_config`: its run's stored config when the claim read it."""
        task = asyncio.create_task(self._run_job(job, run_config))
        self._tasks[job.id] = task
        task.add_done_callback(functools.partial(self._ended, job))

    def _ended(self, job: JobInfo, task: asyncio.Task[None]) -> None:
        if task.cancelled():  # cancelled before its episode began: `_run_job` never ran
            reason = self._reasons.get(job.id, STOPPED_BY_USER)
            self._finish(job, CANCELLED if reason == STOPPED_BY_USER else INTERRUPTED, error=reason)
        self._tasks.pop(job.id, None)
        self._reasons.pop(job.id, None)
        assert self._slot_free is not None
        self._slot_free.set()

    def _cancel_task(self, job_id: str, reason: str) -> None:
        task = self._tasks.get(job_id)
        if task is not None and not task.done():
            self._reasons.setdefault(job_id, reason)
            task.cancel()

    async def _run_job(self, job: JobInfo, run_config: dict[str, Any] | None = None) -> None:
        try:
            result = await self._episode(job, run_config)
        except asyncio.CancelledError:
            reason = self._reasons.get(job.id, STOPPED_BY_USER)
            status = CANCELLED if reason == STOPPED_BY_USER else INTERRUPTED
            self._finish(job, status, error=reason)
            return
        except Exception as exc:  # a bug in the worker path: keep the queue moving
            log.exception("job %s failed in the worker", job.id)
            self._finish(job, FAILED, error=f"worker error: {exc!r}")
            return
        try:  # result, job end, run settling (and the next claim): one transaction
            if self._claims_next():
                _, claimed = self.queue.complete_and_claim(
                    job.id,
                    self.owner,
                    job.run_id,
                    result,
                    job.benchmark_version_id,
                    known_runs=self._specs,
                )
                if claimed is not None:  # this job's slot goes to the next one
                    self._start(*claimed)
            else:
                self.queue.complete(
                    job.id, self.owner, job.run_id, result, job.benchmark_version_id
                )
            return
        except OperationalError as exc:  # the database is unavailable: nothing was written
            log.error("cannot record the result of job %s: %s", job.id, describe_db_error(exc))
            self._finish(job, FAILED, error=f"cannot record result: {describe_db_error(exc)}")
            return
        except (SQLAlchemyError, ValueError, TypeError, OverflowError):
            pass  # a value the database refuses: stored below as the store decides
        try:  # a result the database refuses comes back as the error result stored instead
            result = self.store.record_episode(
                job.run_id, result, benchmark_version_id=job.benchmark_version_id
            )
        except Exception as exc:
            log.exception("cannot record the result of job %s", job.id)
            reason = describe_db_error(exc)  # never the SQL text
            self._finish(job, FAILED, error=f"cannot record result: {reason}")
            return
        status = COMPLETED if result.status == "completed" else FAILED
        self._finish(job, status, score=result.score, passed=result.passed, error=result.error)

    def _claims_next(self) -> bool:
        """Whether a finishing job claims the next one in its completion: while the pool
        is not stopping and its slot would be free (it still counts among the running)."""
        stopping = self._stop is None or self._stop.is_set()
        # A task that ended this loop turn stays in `_tasks` until its done callback runs:
        # it holds no slot any more.
        running = sum(1 for task in self._tasks.values() if not task.done())
        return not stopping and running <= self.settings.workers

    def _finish(self, job: JobInfo, status: str, **fields: Any) -> None:
        """End the job and settle its run, in one transaction."""
        try:
            self.queue.finish(job.id, self.owner, status, settle=True, **fields)
        except Exception:
            log.exception("cannot finish job %s", job.id)

    async def _episode(
        self, job: JobInfo, run_config: dict[str, Any] | None = None
    ) -> EpisodeResult:
        """The job's episode, through the runner's `execute_job` like every other run."""
        return await execute_job(self._episode_job(job, run_config), self.vm_pool)

    def _episode_job(self, job: JobInfo, run_config: dict[str, Any] | None = None) -> EpisodeJob:
        """The queued job as the runner's EpisodeJob, made by the runner's planner from the
        run's stored spec, the job's cell (agent, epoch, seed) and its benchmark version."""
        spec = self._spec(job, run_config)
        item = self._benchmark_version(job)
        try:
            entry = job_agent(spec, job)
        except SpecError as exc:  # the run's spec does not name the job's agent
            reason = str(exc)
            entry = AgentEntry(job.agent, functools.partial(_refuse, reason), job.model)
        options = EpisodeOptions.of(spec)
        return episode_job(
            item, entry, epoch=job.epoch, seed=job.seed, options=options, execution_id=job.id
        )

    def _spec(self, job: JobInfo, run_config: dict[str, Any] | None = None) -> RunSpec:
        """The RunSpec the job's run was made with (read once per run: with the claim,
        or here when the claim did not bring it)."""
        spec = self._specs.get(job.run_id)
        if spec is not None:
            self._specs.move_to_end(job.run_id)
            return spec
        config = run_config if run_config is not None else self.queue.run_config(job.run_id)
        stored = RunSpec.from_stored(config) if config is not None else None
        spec = stored or legacy_spec(job, self.settings)
        self._specs[job.run_id] = spec
        if len(self._specs) > SPEC_CACHE:
            self._specs.popitem(last=False)
        return spec

    def _benchmark_version(self, job: JobInfo) -> LoadedBenchmark:
        """The job's stored benchmark version as loaded (a load error kept, not raised)."""
        version_id = job.benchmark_version_id
        if version_id is not None and version_id in self._versions:
            self._versions.move_to_end(version_id)
            return self._versions[version_id]
        version = self.store.get_benchmark_version(version_id) if version_id is not None else None
        item = stored_benchmark(job.benchmark_id, version)
        if version_id is not None and version is not None and version.content is not None:
            self._keep_version(version_id, item)
        return item

    def _keep_version(self, version_id: int, item: LoadedBenchmark) -> None:
        self._versions[version_id] = item
        if len(self._versions) > VERSION_CACHE:
            self._versions.popitem(last=False)

    def _load_current_versions(self) -> None:
        """Parse the current version of every listed benchmark (up to VERSION_CACHE) before
        claiming: the versions posted runs pin, parsed here once at start-up instead of
        inside the first job of each. A store that cannot be read leaves the cache empty
        (each job then reads its own version, as without this)."""
        try:
            current = current_benchmarks(self.store, with_content=True)
        except SQLAlchemyError as exc:
            log.warning("benchmark versions not loaded at start-up: %s", describe_db_error(exc))
            return
        for entry in current[:VERSION_CACHE]:
            version = entry.version
            self._keep_version(version.id, stored_benchmark(version.benchmark_id, version))

    async def _housekeeping(self) -> None:
        """Heartbeats for our jobs, stop requests from other processes, dead servers' jobs."""
        assert self._stop is not None
        ticks = 0
        every = max(1, round(self.settings.heartbeat_interval / 0.2))
        while True:
            await asyncio.sleep(0.2)
            ticks += 1
            try:
                for job_id in self.queue.cancel_requested(self.owner, self._tasks):
                    self._cancel_task(job_id, STOPPED_BY_USER)
                if ticks % every == 0:
                    self.queue.heartbeat(self.owner, self._tasks)
                    self._recover()
            except Exception:
                log.exception("housekeeping failed; retrying")

    def _recover(self) -> None:
        settled = self.queue.recover(self.owner, self.settings.stale_after)
        for run_id in set(settled.values()):
            self._settle_run(run_id)

    def _settle_run(self, run_id: str) -> None:
        """Mark a run finished once none of its jobs is Queued or Running."""
        try:
            self.queue.settle_run(run_id)
        except Exception:
            log.exception("cannot settle run %s", run_id)
