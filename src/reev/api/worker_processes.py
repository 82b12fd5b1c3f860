"""Workers in processes of their own: `reev serve --worker-processes N|auto` (the default,
`auto`, is one per usable core: `auto_worker_processes`).

In one process the request loop and the episodes share one interpreter lock: while the
workers sign and execute transactions, requests wait, and while requests are parsed,
episodes wait. With `--worker-processes N` the server's own pool claims nothing; N child
processes (started fresh with `spawn`: the server's open database connections are never
inherited) each run a `WorkerPool` of `--workers` slots on the same database. Nothing
else changes, because the queue already coordinates through the database alone: jobs are
claimed atomically by one owner, heartbeats and stale-job recovery work across processes,
and a stop request reaches another process's job through its `cancel_requested` flag.

Jobs queued by this server wake the children at once: each child's loop watches the read
end of a pipe, and `notify()` writes a byte into every child's (never blocking: a full
pipe already holds a wake-up). Jobs queued by another process are found by the pool's
poll, as in one process.

A child is *ready* once its pool has started (its imports done, stale jobs settled): it
sets its own event, and `/health` reports how many children are ready, so a client (or a
benchmark) can tell a server whose workers are still starting from one that is serving.

A child whose server has gone (killed with SIGKILL, say) stops by itself, as on SIGTERM:
it watches the server's process. A child that dies is started again (its jobs are
recovered as a dead owner's after `stale_after`); on shutdown every child gets SIGTERM,
lets its running episodes finish within the grace period (the rest become Interrupted,
as in one process), and is killed if it has not exited after that.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import multiprocessing.process
import multiprocessing.synchronize
import os
import signal
import threading
from dataclasses import dataclass, replace

from reev.api.settings import ApiSettings

log = logging.getLogger("reev.api.worker_processes")

AUTO = "auto"
AUTO_MAX = 4  # worker processes `auto` starts at most (each holds its own VMs and imports)
IN_MEMORY_REFUSAL = (
    "--worker-processes needs a database other processes can open: an in-memory SQLite "
    "database is seen by the server alone (use a file or a server database)"
)
RESTART_PAUSE = 1.0  # seconds between a child's death and its replacement


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def auto_worker_processes(workers: int, db_url: str, cores: int | None = None) -> int:
    """What `--worker-processes auto` (serve's default) means: one worker process per core,
    at most AUTO_MAX, so requests and episodes run on separate cores (measured: the queue
    at ~0.5-0.75 of the CLI's rate with them, ~0.45 in one process; docs/api.md); none
    (workers in the server's process) on a single core, with no workers to run, or on an
    in-memory SQLite database, which other processes cannot open."""
    from reev.store.engine import sqlite_in_memory

    cores = usable_cores() if cores is None else cores
    if workers <= 0 or cores < 2 or sqlite_in_memory(db_url):
        return 0
    return min(cores, AUTO_MAX)


def unshareable(count: int, db_url: str) -> str | None:
    """Why `count` worker processes cannot serve `db_url` (an in-memory SQLite database:
    each child would open an empty one of its own and never see a job), or None."""
    from reev.store.engine import sqlite_in_memory

    return IN_MEMORY_REFUSAL if count and sqlite_in_memory(db_url) else None


def child_settings(settings: ApiSettings) -> ApiSettings:
    """What a child needs: the queue's timings and the run limits, not the HTTP side (its
    token, hosts and origins stay in the server) nor a benchmark sync (the server did it)."""
    return replace(settings, token=None, cors_origins=[], sync_on_start=False, worker_processes=0)


def run_child(
    settings: ApiSettings,
    ready: multiprocessing.synchronize.Event | None = None,
    wake: multiprocessing.connection.Connection | None = None,
) -> None:
    """A child's whole life: a worker pool on the database until SIGTERM or SIGINT;
    `ready` is set once the pool has started; a byte on `wake` wakes its idle workers."""
    from reev.api.workers import WorkerPool
    from reev.runner.gc_policy import for_many_episodes
    from reev.store import open_store
    from reev.store.jobs import JobQueue

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stop.set())
    threading.Thread(
        target=_stop_with_server, args=(stop,), name="reev-server-watch", daemon=True
    ).start()
    store = open_store(settings.db_url)
    queue = JobQueue(store)
    pool = WorkerPool(store, queue, settings, wake_fd=wake.fileno() if wake is not None else None)
    try:
        pool.start()
        for_many_episodes()  # a child runs episodes only: the run's collector policy
        if ready is not None:
            ready.set()
        stop.wait()
    finally:
        pool.stop()
        queue.close()
        store.close()


def _stop_with_server(stop: threading.Event) -> None:
    """Stop the child once its server has exited, however it ended (a server killed with
    SIGKILL sends no SIGTERM): orphaned workers would otherwise claim jobs for ever."""
    server = multiprocessing.parent_process()
    if server is not None:
        server.join()  # returns when the server's process is gone
        log.warning("the server exited; this worker process stops")
        stop.set()


@dataclass
class _Child:
    process: multiprocessing.process.BaseProcess
    ready: multiprocessing.synchronize.Event
    wake: multiprocessing.connection.Connection  # the pipe's write end (the server's)


class WorkerProcesses:
    """`settings.worker_processes` child processes running worker pools; `start()` and
    `stop()` from the server (both do nothing when there are none)."""

    def __init__(self, settings: ApiSettings) -> None:
        """ValueError for worker processes on a database they cannot share (`unshareable`)."""
        refusal = unshareable(settings.worker_processes, settings.db_url or "")
        if refusal is not None:
            raise ValueError(refusal)
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

    def notify(self) -> None:
        """Wake every child's idle workers (jobs were just queued); never blocks."""
        with self._lock:
            children = list(self._children)
        for child in children:
            with contextlib.suppress(OSError):  # full (a wake-up is pending) or closed
                os.write(child.wake.fileno(), b"\0")

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
        with self._lock:
            for entry in self._children:
                entry.wake.close()

    def _spawn(self, index: int) -> _Child:
        ready = self._context.Event()
        wake_reader, wake_writer = self._context.Pipe(duplex=False)
        os.set_blocking(wake_writer.fileno(), False)
        child = self._context.Process(
            target=run_child,
            args=(self.settings, ready, wake_reader),
            name=f"reev-worker-{index}",
            daemon=False,
        )
        child.start()
        wake_reader.close()  # the child has its own copy
        log.info("worker process %s started (%d slots)", child.pid, self.settings.workers)
        return _Child(child, ready, wake_writer)

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
                    entry.wake.close()
                    self._children[index] = self._spawn(index)
