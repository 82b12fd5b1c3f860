"""The process executor: episodes spread over worker processes forked from this one.

An episode of a CPU-bound agent (the reference, `null`, `junk`, a predictions file, the
gates' cheats) is pure Python and Rust work on one core; the local executor runs all of
them on the event loop's one thread. This executor forks `min(cores, concurrency)`
workers once the run is planned, so each worker already holds every planned job (agent
factories included, which need not be picklable): the driver sends a job's position, the
worker runs it with the same `execute_job` as every other executor on its own VM pool
and sends the `EpisodeResult` back. The driver keeps planning, resume, retries and the
store, so records are identical to the local executor's.

Each worker runs one episode at a time: for agents that wait on a model, the local
executor's `--concurrency` is the better tool. Options a worker cannot honour are refused
before the run starts, as for Ray (see `reev.runner.executors.base.refuse_out_of_process`).
When a worker dies (killed, out of memory) the pool is forked again and the episodes that
were in flight run once more, each alone (every in-flight job fails with the pool, so only
a lone re-run tells which episode kills its worker); an episode whose worker dies on that
re-run too becomes an error result of kind "infrastructure", and no other episode is
charged for it.

Linux and macOS only (it needs `fork`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
import signal
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from reev.chain.pool import LiteSVMPool
from reev.results.errors import INFRASTRUCTURE
from reev.results.records import EpisodeResult
from reev.results.spec import RunSpec
from reev.runner.executors.base import (
    EpisodeJob,
    ExecutorOptionError,
    execute_job,
    failed_result,
    refuse_out_of_process,
)

# The planned jobs, set by the driver just before it forks: every worker reads its copy.
_JOBS: list[EpisodeJob] = []
_WORKER_LOOP: asyncio.AbstractEventLoop | None = None
_WORKER_POOL: LiteSVMPool | None = None


def _worker_start() -> None:
    """In each forked worker: Ctrl-C is the driver's to handle (it stops the workers)."""
    global _WORKER_LOOP, _WORKER_POOL
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER_LOOP = asyncio.new_event_loop()
    _WORKER_POOL = LiteSVMPool()


def _worker_run(index: int) -> EpisodeResult:
    """One planned job, by its position, on this worker's loop and VM pool."""
    assert _WORKER_LOOP is not None and _WORKER_POOL is not None
    return _WORKER_LOOP.run_until_complete(execute_job(_JOBS[index], _WORKER_POOL))


def _ready() -> int:
    return os.getpid()


class _Lanes:
    """Jobs run side by side (`shared`) unless one must run `alone`: an `alone` job waits
    for the running ones to end and holds new ones back until it is done."""

    def __init__(self) -> None:
        self._changed = asyncio.Condition()
        self._running = 0
        self._alone = False
        self._waiting_alone = 0

    @contextlib.asynccontextmanager
    async def shared(self) -> AsyncIterator[None]:
        async with self._changed:
            await self._changed.wait_for(lambda: not self._alone and not self._waiting_alone)
            self._running += 1
        try:
            yield
        finally:
            async with self._changed:
                self._running -= 1
                self._changed.notify_all()

    @contextlib.asynccontextmanager
    async def alone(self) -> AsyncIterator[None]:
        async with self._changed:
            self._waiting_alone += 1
            await self._changed.wait_for(lambda: not self._alone and not self._running)
            self._waiting_alone -= 1
            self._alone = True
        try:
            yield
        finally:
            async with self._changed:
                self._alone = False
                self._changed.notify_all()


class ProcessExecutor:
    """Runs jobs in `workers` forked processes (default: the machine's cores)."""

    name = "process"

    def __init__(self, workers: int | None = None) -> None:
        if "fork" not in multiprocessing.get_all_start_methods():
            raise ExecutorOptionError("--executor process needs fork (Linux or macOS)")
        self.max_workers = max(1, workers or os.cpu_count() or 1)
        self.workers = self.max_workers
        self._index: dict[int, int] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._forked: dict[int, list[multiprocessing.process.BaseProcess]] = {}
        self._forking = asyncio.Lock()
        self._lanes = _Lanes()

    @staticmethod
    def check(spec: RunSpec) -> None:
        """ExecutorOptionError naming each option a worker process cannot honour."""
        refuse_out_of_process("process", spec)

    def prepare(self, jobs: Sequence[EpisodeJob], concurrency: int) -> None:
        """Remember the run's jobs; the workers are forked from here by `start`."""
        _JOBS[:] = jobs
        self._index = {id(job): i for i, job in enumerate(jobs)}
        self.workers = max(1, min(self.max_workers, concurrency, len(jobs)))

    async def start(self) -> None:
        await self._fork()

    async def _fork(self) -> None:
        # Objects the workers inherit are never collected there: without freezing them,
        # each worker's collector walks (and copies, page by page) the driver's whole heap.
        gc.freeze()
        context = multiprocessing.get_context("fork")
        self._pool = ProcessPoolExecutor(self.workers, context, initializer=_worker_start)
        loop = asyncio.get_running_loop()
        # All workers fork at the first submit (start method fork); wait until they answer.
        await asyncio.gather(
            *(loop.run_in_executor(self._pool, _ready) for _ in range(self.workers))
        )
        # Every worker of this pool, kept here: a broken pool's manager thread forgets its
        # processes before `_stop` would see them, and none may outlive `close`.
        self._forked[id(self._pool)] = list((self._pool._processes or {}).values())

    async def run(self, job: EpisodeJob) -> EpisodeResult:
        index = self._index.get(id(job))
        if index is None:
            return failed_result(job, "job was not planned for this executor", INFRASTRUCTURE)
        # A job in flight when some worker died runs once more, alone: every worker's
        # jobs fail with the pool, so only a job that kills its worker while no other
        # runs is known to be the one that did.
        for lane in (self._lanes.shared, self._lanes.alone):
            async with lane():
                pool = self._pool
                if pool is None:
                    raise RuntimeError("ProcessExecutor.start() must be called first")
                try:
                    loop = asyncio.get_running_loop()
                    return await loop.run_in_executor(pool, _worker_run, index)
                except BrokenProcessPool:
                    async with self._forking:
                        if self._pool is pool:  # the first job to notice forks a new pool
                            self._stop(pool)
                            await self._fork()
        return failed_result(job, "worker process died during the episode", INFRASTRUCTURE)

    async def close(self) -> None:
        if self._pool is not None:
            self._stop(self._pool)
            self._pool = None
        _JOBS.clear()

    def _stop(self, pool: ProcessPoolExecutor) -> None:
        """Stop the workers now: queued jobs are dropped, running episodes killed (an
        interrupted run keeps only the episodes it stored)."""
        known = self._forked.pop(id(pool), [])
        current = list((pool._processes or {}).values())  # no public handle on them
        processes = list({id(p): p for p in [*known, *current]}.values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(5)
        # A broken pool's own thread reaps its workers: wait for it, so no worker of
        # this pool outlives the call.
        pool.shutdown(wait=True)
