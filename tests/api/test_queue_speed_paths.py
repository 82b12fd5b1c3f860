"""The queue's fast paths stay exact: `/health`'s cached counts see every other writer
(another engine, another process), an idle worker pool claims only once something was
committed, and a job's result, end and run settling are one transaction."""

from __future__ import annotations

import math
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import SQLAlchemyError

from reev.api.catalog import sync_benchmark_dirs
from reev.api.settings import ApiSettings
from reev.api.worker_processes import WorkerProcesses, _Child
from reev.api.workers import WorkerPool
from reev.results.records import EpisodeResult
from reev.store import open_store
from reev.store.api_queries import current_version_id
from reev.store.changes import ChangeWatch
from reev.store.jobs import JobQueue, JobSpec, NewRun, new_owner


def job(run_id: str, n: int = 0, benchmark_id: str = "001-sol-transfer") -> JobSpec:
    return JobSpec(
        run_id=run_id, benchmark_id=benchmark_id, benchmark_version_id=None, agent="null", epoch=n
    )


def result(execution_id: str, epoch: int, score: float = 1.0) -> EpisodeResult:
    return EpisodeResult(
        benchmark_id="001-sol-transfer",
        agent="null",
        seed=0,
        epoch=epoch,
        execution_id=execution_id,
        status="completed",
        score=score,
        passed=score == 1.0,
    )


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'q.db'}"


def test_cached_counts_see_other_engines_and_processes(db: str) -> None:
    store, other = open_store(db), open_store(db)
    queue = JobQueue(store)
    store.create_run("r")
    assert queue.counts()["Queued"] == 0
    assert queue.counts()["Queued"] == 0  # answered from the cache: nothing committed
    JobQueue(other).enqueue([job("r", 0), job("r", 1)])  # another engine's connection
    assert queue.counts()["Queued"] == 2
    code = (
        "import sys\n"
        "from reev.store import open_store\n"
        "from reev.store.jobs import JobQueue, JobSpec\n"
        "JobQueue(open_store(sys.argv[1])).enqueue([JobSpec(run_id='r', "
        "benchmark_id='001-sol-transfer', benchmark_version_id=None, agent='null', epoch=9)])\n"
    )
    subprocess.run([sys.executable, "-c", code, db], check=True, timeout=120)
    assert queue.counts()["Queued"] == 3  # another process's commit
    own = JobQueue(store).claim(new_owner())  # this process, another connection of the pool
    assert own is not None
    assert queue.counts() == queue.counts() and queue.counts()["Running"] == 1
    assert queue.counts()["Queued"] == 2
    queue.close()
    other.close()
    store.close()


def test_change_watch_moves_only_on_commits(db: str) -> None:
    store = open_store(db)
    watch = ChangeWatch(store)
    before = watch.version()
    assert before is not None
    JobQueue(store).counts("r")  # a read commits nothing
    with store._write():  # an empty write transaction neither
        pass
    assert watch.version() == before
    store.create_run("r")
    assert watch.version() != before
    watch.close()
    assert watch.version() is None
    store.close()
    memory = open_store("sqlite://")  # one shared connection: no counter, always query
    queue = JobQueue(memory)
    assert queue.changes.version() is None
    memory.create_run("m")
    queue.enqueue([job("m")])
    assert queue.counts()["Queued"] == 1
    memory.close()


def test_an_idle_pool_claims_only_after_a_commit(db: str, tmp_path: Path) -> None:
    store = open_store(db)
    queue = JobQueue(store)
    claims: list[float] = []
    real_claim = queue.claim_with_config

    def counted(owner: str, known_runs: Any):  # type: ignore[no-untyped-def]
        claims.append(time.monotonic())
        return real_claim(owner, known_runs)

    queue.claim_with_config = counted  # type: ignore[method-assign]
    settings = ApiSettings(db_url=db, workers=2, benchmark_dirs=[], poll_interval=0.02)
    pool = WorkerPool(store, queue, settings)
    pool.start()
    try:
        time.sleep(1.0)  # ~50 polls: each asks data_version, none finds a commit
        assert len(claims) <= 2, len(claims)
        other = open_store(db)  # another writer that never calls pool.notify()
        other.create_run("r")
        JobQueue(other).enqueue([job("r", 0, benchmark_id="missing-benchmark")])
        deadline = time.monotonic() + 30
        while queue.counts("r")["Queued"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert queue.counts("r")["Queued"] == 0  # seen without a notify
        while queue.counts("r")["Running"] and time.monotonic() < deadline:
            time.sleep(0.05)
        counts = queue.counts("r")
        assert counts["Failed"] == 1, counts  # the unknown benchmark is an error result
        run = other.get_run("r")
        assert run is not None and run.status == "completed"
        other.close()
    finally:
        pool.stop()
        queue.close()
        store.close()


def test_complete_is_one_transaction(db: str) -> None:
    store = open_store(db)
    queue = JobQueue(store)
    store.create_run("r")
    [a, b] = queue.enqueue([job("r", 0), job("r", 1)])
    owner = new_owner()
    first, second = queue.claim(owner), queue.claim(owner)
    assert first is not None and second is not None
    assert queue.complete(a, owner, "r", result(a, 0), None) is True
    assert store.get_episode(a) is not None
    assert queue.get(a).status == "Completed" and queue.get(a).score == 1.0  # type: ignore[union-attr]
    assert store.get_run("r").status == "running"  # type: ignore[union-attr]  # b still runs
    with pytest.raises((ValueError, SQLAlchemyError)):  # NaN: the JSON columns refuse it …
        queue.complete(b, owner, "r", result(b, 1, score=math.nan), None)
    assert store.get_episode(b) is None  # … and nothing of the transaction stayed
    assert queue.get(b).status == "Running"  # type: ignore[union-attr]
    assert store.get_run("r").status == "running"  # type: ignore[union-attr]
    assert queue.complete(b, "not-the-owner", "r", result(b, 1, 0.0), None) is False
    assert store.get_episode(b) is not None  # stored all the same, as record_episode would
    assert queue.get(b).status == "Running"  # type: ignore[union-attr]
    assert queue.finish(b, owner, "Failed", settle=True) is True
    assert store.get_run("r").status == "completed"  # type: ignore[union-attr]
    events = [(e.job_id, e.status) for e in queue.events_since(0)]
    assert events[-3:] == [(b, "Running"), (a, "Completed"), (b, "Failed")]
    queue.close()
    store.close()


def test_claim_brings_the_run_config_unless_the_run_is_known(db: str) -> None:
    store = open_store(db)
    queue = JobQueue(store)
    queue.create_run("r1", {"spec": {"seed": 7}}, [job("r1", 0)])
    queue.create_run("r2", {"spec": {"seed": 8}}, [job("r2", 0)])
    owner = new_owner()
    claimed = queue.claim_with_config(owner, known_runs=())
    assert claimed is not None
    first, config = claimed
    assert first.run_id == "r1" and config == {"spec": {"seed": 7}}  # the oldest, with its spec
    assert first.status == "Running" and first.owner == owner
    claimed = queue.claim_with_config(owner, known_runs={"r2"})
    assert claimed is not None and claimed[0].run_id == "r2" and claimed[1] is None
    assert queue.claim_with_config(owner, known_runs=()) is None  # nothing Queued left
    assert [e.status for e in queue.events_since(0)][-2:] == ["Running", "Running"]
    queue.close()
    store.close()


def test_complete_and_claim_is_one_transaction(db: str) -> None:
    store = open_store(db)
    queue = JobQueue(store)
    queue.create_run("r", {"spec": {}}, [job("r", 0), job("r", 1)])
    queue.create_run("s", {"spec": {"seed": 3}}, [job("s", 0)])
    owner = new_owner()
    claimed = queue.claim_with_config(owner, known_runs=())
    assert claimed is not None
    a = claimed[0].id
    ours, nxt = queue.complete_and_claim(a, owner, "r", result(a, 0), None, known_runs={"r"})
    assert ours is True and nxt is not None
    b, config = nxt
    assert b.run_id == "r" and b.epoch == 1 and config is None  # run r is known
    assert queue.get(a).status == "Completed" and store.get_episode(a) is not None  # type: ignore[union-attr]
    run = store.get_run("r")
    assert run is not None and run.status == "running"  # b still runs …
    assert run.updated_at > claimed[0].created_at  # … and the stored episode stamped the run
    with pytest.raises((ValueError, SQLAlchemyError)):  # a refused result claims nothing
        queue.complete_and_claim(b.id, owner, "r", result(b.id, 1, math.nan), None, ())
    assert queue.counts("s")["Queued"] == 1 and queue.get(b.id).status == "Running"  # type: ignore[union-attr]
    ours, nxt = queue.complete_and_claim(b.id, owner, "r", result(b.id, 1), None, ())
    assert (
        ours is True
        and nxt is not None
        and nxt[0].run_id == "s"
        and nxt[1] == {"spec": {"seed": 3}}
    )
    settled = store.get_run("r")
    assert settled is not None and settled.status == "completed"  # settled in the same commit
    c = nxt[0].id
    assert queue.complete_and_claim(c, owner, "s", result(c, 0), None, ()) == (True, None)
    queue.close()
    store.close()


def test_a_started_pool_runs_listed_benchmarks_without_reading_their_versions(
    db: str, bundled: Path
) -> None:
    """The current version of every listed benchmark is parsed once when the pool starts,
    so no job reads or parses its version again (the same score all the same)."""
    store = open_store(db)
    sync_benchmark_dirs(store, [bundled])
    queue = JobQueue(store)
    reads: list[int] = []
    real_read = store.get_benchmark_version

    def counted(version_id: int):  # type: ignore[no-untyped-def]
        reads.append(version_id)
        return real_read(version_id)

    store.get_benchmark_version = counted  # type: ignore[method-assign]
    pool = WorkerPool(store, queue, ApiSettings(db_url=db, workers=2, benchmark_dirs=[]))
    pool.start()
    try:
        version = current_version_id(store, "002-spl-transfer")
        spec = JobSpec(
            run_id="r", benchmark_id="002-spl-transfer", benchmark_version_id=version,
            agent="deterministic",
        )  # fmt: skip
        queue.create_run("r", {}, [spec])
        pool.notify()
        deadline = time.monotonic() + 60
        while queue.counts("r")["Completed"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        (episode,) = store.list_episodes(run_id="r")
        assert episode.score == 1.0 and episode.status == "completed"
        assert reads == []  # the version came from the pool's start-up
    finally:
        pool.stop()
        queue.close()
        store.close()


def test_a_byte_on_the_wake_pipe_wakes_an_idle_pool(db: str) -> None:
    """A worker process's pool claims a job its server queued as soon as the server writes
    to the wake pipe, long before its poll would have found it."""
    store = open_store(db)
    queue = JobQueue(store)
    read_end, write_end = os.pipe()
    settings = ApiSettings(db_url=db, workers=1, benchmark_dirs=[], poll_interval=60.0)
    pool = WorkerPool(store, queue, settings, wake_fd=read_end)
    pool.start()
    try:
        time.sleep(0.3)  # the pool has claimed nothing and sleeps for its 60 s poll
        other = open_store(db)  # the server: another connection, no pool.notify()
        other.create_run("r")
        JobQueue(other).enqueue([job("r", 0, benchmark_id="missing-benchmark")])
        os.write(write_end, b"\0")
        deadline = time.monotonic() + 20
        while queue.counts("r")["Failed"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert queue.counts("r")["Failed"] == 1  # claimed and run (an error result) at once
        other.close()
    finally:
        pool.stop()
        os.close(write_end)
        os.close(read_end)
        queue.close()
        store.close()


def test_notifying_worker_processes_never_blocks(tmp_path: Path) -> None:
    """A child that does not read its wake pipe (busy, or gone) never stalls the server."""
    processes = WorkerProcesses(ApiSettings(db_url=f"sqlite:///{tmp_path / 'q.db'}"))
    context = multiprocessing.get_context("spawn")
    reader, writer = context.Pipe(duplex=False)
    os.set_blocking(writer.fileno(), False)
    stuck = _Child(context.Process(target=print), context.Event(), writer)
    processes._children = [stuck]
    for _ in range(200_000):  # far more bytes than a pipe holds
        processes.notify()
    with pytest.raises(BlockingIOError):  # the pipe is full, and notify() returned
        os.write(writer.fileno(), b"\0")
    reader.close()
    processes.notify()  # the reading end is gone: ignored too
    writer.close()


def test_a_busy_pool_ends_each_job_and_claims_the_next_in_one_commit(
    db: str, bundled: Path
) -> None:
    """While jobs are queued, every finishing job claims its slot's next job in its own
    completion: no job is completed without a claim, and the dispatcher claims only to fill
    the slots at the start."""
    store = open_store(db)
    sync_benchmark_dirs(store, [bundled])
    queue = JobQueue(store)
    calls: dict[str, int] = {"complete": 0, "complete_and_claim": 0, "claim_with_config": 0}
    for name in calls:
        real = getattr(queue, name)

        def counted(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _real(*args, **kwargs)

        setattr(queue, name, counted)
    version = current_version_id(store, "002-spl-transfer")
    runs = [
        NewRun(f"r{i}", {}, [JobSpec(f"r{i}", "002-spl-transfer", version, "deterministic")])
        for i in range(40)
    ]
    queue.create_runs(runs)  # queued before the pool starts: it is busy from its first claim
    pool = WorkerPool(store, queue, ApiSettings(db_url=db, workers=4, benchmark_dirs=[]))
    pool.start()
    try:
        deadline = time.monotonic() + 120
        while queue.counts()["Completed"] < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        pool.stop()
    assert queue.counts()["Completed"] == 40
    assert calls["complete"] == 0  # every job ended through complete_and_claim …
    assert calls["complete_and_claim"] == 40
    assert calls["claim_with_config"] <= 4 + 2  # … the dispatcher filled the 4 slots (and
    # found the queue empty at most twice at the end)
    queue.close()
    store.close()


def test_a_pool_stops_at_once_even_when_its_idle_wait_swallows_the_cancel(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python 3.11's `wait_for` can swallow a cancellation that meets its timeout: the
    dispatcher must still end when the pool stops (it had kept a stopping worker process
    alive until `stop()` gave up, ~35 s later)."""
    import asyncio
    import contextlib

    async def idle_that_swallows_cancels(self: WorkerPool) -> None:
        # as `wait_for` turning the cancel into a suppressed TimeoutError
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(self.settings.poll_interval)

    monkeypatch.setattr(WorkerPool, "_idle", idle_that_swallows_cancels)
    store = open_store(db)
    queue = JobQueue(store)
    pool = WorkerPool(store, queue, ApiSettings(db_url=db, workers=1, benchmark_dirs=[]))
    pool.start()
    time.sleep(0.3)  # idle: the dispatcher sits in its poll
    started = time.monotonic()
    pool.stop()
    assert time.monotonic() - started < 5  # shutdown_grace is 5 s; the stuck case took 35
    assert pool._thread is not None and not pool._thread.is_alive()
    queue.close()
    store.close()
