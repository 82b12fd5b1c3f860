"""The queue's fast paths stay exact: `/health`'s cached counts see every other writer
(another engine, another process), an idle worker pool claims only once something was
committed, and a job's result, end and run settling are one transaction."""

from __future__ import annotations

import math
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import SQLAlchemyError

from reev.api.settings import ApiSettings
from reev.api.workers import WorkerPool
from reev.results.records import EpisodeResult
from reev.store import open_store
from reev.store.changes import ChangeWatch
from reev.store.jobs import JobQueue, JobSpec, new_owner


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
    real_claim = queue.claim

    def counted(owner: str):  # type: ignore[no-untyped-def]
        claims.append(time.monotonic())
        return real_claim(owner)

    queue.claim = counted  # type: ignore[method-assign]
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
