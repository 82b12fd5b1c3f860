"""Workers in processes of their own: `reev serve --worker-processes N`.

In one process the request loop and the episodes share one interpreter lock: while the
workers sign and execute transactions, requests wait, and while requests are parsed,
episodes wait. With `--worker-processes N` the server's own pool claims nothing; N child
processes (started fresh with `spawn`: the server's open database connections are never
inherited) each run a `WorkerPool` of `--workers` slots on the same database. Nothing
else changes, because the queue already coordinates through the database alone: jobs are
claimed atomically by one owner, heartbeats and stale-job recovery work across processes,
and a stop request reaches another process's job through its `cancel_requested` flag.

A child is *ready* once its pool has started (its imports done, stale jobs settled): it
sets its own event, and `/health` reports how many children are ready, so a client (or a
benchmark) can tell a server whose workers are still starting from one that is serving.

A child that dies is started again (its jobs are recovered as a dead owner's after
`stale_after`); on shutdown every child gets SIGTERM, lets its running episodes finish
within the grace period (the rest become Interrupted, as in one process), and is killed
if it has not exited after that.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.process
import multiprocessing.synchronize
import signal
import threading
from dataclasses import dataclass, replace

from reev.api.settings import ApiSettings

log = logging.getLogger("reev.api.worker_processes")

RESTART_PAUSE = 1.0  # seconds between a child's death and its replacement


def child_settings(settings: ApiSettings) -> ApiSettings:
    """What a child needs: the queue's timings and the run limits, not the HTTP side (its
    token, hosts and origins stay in the server) nor a benchmark sync (the server did it)."""
    return replace(settings, token=None, cors_origins=[], sync_on_start=False, worker_processes=0)


def run_child(
    settings: ApiSettings, ready: multiprocessing.synchronize.Event | None = None
) -> None:
    """A child's whole life: a worker pool on the database until SIGTERM or SIGINT;
    `ready` is set once the pool has started."""
    from reev.api.workers import WorkerPool
    from reev.store import open_store
    from reev.store.jobs import JobQueue

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stop.set())
    store = open_store(settings.db_url)
    queue = JobQueue(store)
    pool = WorkerPool(store, queue, settings)
    try:
        pool.start()
        if ready is not None:
            ready.set()
        stop.wait()
    finally:
        pool.stop()
        queue.close()
        store.close()


@dataclass
class _Child:
    process: multiprocessing.process.BaseProcess
    ready: multiprocessing.synchronize.Event


class WorkerProcesses:
    """`settings.worker_processes` child processes running worker pools; `start()` and
    `stop()` from the server (both do nothing when there are none)."""

    def __init__(self, settings: ApiSettings) -> None:
        self.count = settings.worker_processes
        self.settings = child_settings(settings)
        self._context = multiprocessing.get_context("spawn")
        self._children: list[_Child] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._supervisor: threading.Thread | None = None

    def start(self) -> None:
        if self.count == 0:
            return
        with self._lock:
            self._children = [self._spawn(i) for i in range(self.count)]
        self._supervisor = threading.Thread(
            target=self._supervise, name="reev-worker-processes", daemon=True
        )
        self._supervisor.start()

    @property
    def ready(self) -> int:
        """How many children are alive with their worker pool started."""
        with self._lock:
            children = list(self._children)
        return sum(1 for c in children if c.ready.is_set() and c.process.is_alive())

    def stop(self) -> None:
        """SIGTERM to every child, a grace period for their episodes, then SIGKILL."""
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join()
        with self._lock:
            children = [c.process for c in self._children]
        for child in children:
            if child.is_alive():
                child.terminate()
        for child in children:
            child.join(self.settings.shutdown_grace + 30)
            if child.is_alive():
                log.error("worker process %s did not stop; killing it", child.pid)
                child.kill()
                child.join(5)

    def _spawn(self, index: int) -> _Child:
        ready = self._context.Event()
        child = self._context.Process(
            target=run_child,
            args=(self.settings, ready),
            name=f"reev-worker-{index}",
            daemon=False,
        )
        child.start()
        log.info("worker process %s started (%d slots)", child.pid, self.settings.workers)
        return _Child(child, ready)

    def _supervise(self) -> None:
        """Start a child again when one dies while the server is up."""
        while not self._stopping.wait(RESTART_PAUSE):
            with self._lock:
                for index, entry in enumerate(self._children):
                    child = entry.process
                    if child.is_alive() or self._stopping.is_set():
                        continue
                    log.error(
                        "worker process %s exited with %s; starting another",
                        child.pid,
                        child.exitcode,
                    )
                    child.join(0)
                    self._children[index] = self._spawn(index)
