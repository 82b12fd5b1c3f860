"""The job queue on a real SQLite file: exclusive claims under concurrency, transitions,
and crash recovery rules."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from reev.agents.registry import create_agent
from reev.benchmark.loader import load_benchmark
from reev.runner.episode import run_episode
from reev.store import Store, open_store
from reev.store.api_models import Job
from reev.store.jobs import JobQueue, JobSpec, new_owner, owner_is_dead
from tests.api.conftest import BUNDLED


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = open_store(f"sqlite:///{tmp_path / 'q.db'}")
    s.create_run("r")
    yield s  # type: ignore[misc]
    s.close()


def spec(n: int = 0) -> JobSpec:
    return JobSpec(
        run_id="r",
        benchmark_id="001-sol-transfer",
        benchmark_version_id=None,
        agent="null",
        epoch=n,
    )


def dead_owner() -> str:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return f"{socket.gethostname()}/{proc.pid}/deadbeef"


def test_each_job_is_claimed_exactly_once(tmp_path: Path, store: Store) -> None:
    queue = JobQueue(store)
    ids = queue.enqueue([spec(i) for i in range(200)])
    claims: list[str] = []
    lock = threading.Lock()
    # Separate engines, like separate processes (opened here: migrations are not
    # thread-safe inside one process).
    stores = [open_store(store.url) for _ in range(6)]

    def worker(own: Store) -> None:
        q = JobQueue(own)
        owner = new_owner()
        while (job := q.claim(owner)) is not None:
            with lock:
                claims.append(job.id)

    threads = [threading.Thread(target=worker, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert sorted(claims) == sorted(ids)
    assert queue.counts("r")["Running"] == 200 and queue.counts("r")["Queued"] == 0


def test_transitions_and_events(store: Store) -> None:
    queue = JobQueue(store)
    owner = new_owner()
    [a, b] = queue.enqueue([spec(0), spec(1)])
    job = queue.claim(owner)
    assert job is not None and job.id == a and job.status == "Running" and job.progress == 10
    assert queue.finish(a, "someone-else", "Completed") is False
    assert queue.finish(a, owner, "Completed", score=0.5, passed=False) is True
    assert queue.finish(a, owner, "Failed") is False  # terminal stays terminal
    assert queue.request_cancel(b) == "Cancelled"
    assert queue.claim(owner) is None
    done = queue.get(a)
    assert done is not None and done.score == 0.5 and done.finished_at is not None
    statuses = [(e.job_id, e.status) for e in queue.events_since(0)]
    assert statuses == [
        (a, "Queued"),
        (b, "Queued"),
        (a, "Running"),
        (a, "Completed"),
        (b, "Cancelled"),
    ]
    with pytest.raises(ValueError):
        queue.finish(a, owner, "Running")


def test_recovery_rules(store: Store) -> None:
    queue = JobQueue(store)
    dead, alive, me = dead_owner(), "otherhost/1/abc", new_owner()
    assert owner_is_dead(dead) and not owner_is_dead(alive)
    ids = queue.enqueue([spec(i) for i in range(5)])
    for job_id, owner in zip(ids[:4], (dead, dead, alive, alive), strict=True):
        assert queue.claim(owner) is not None
        with store._write() as conn:
            conn.execute(update(Job).where(Job.id == job_id).values(owner=owner))
    # ids[1]'s episode was stored just before its server died.
    result = asyncio.run(
        run_episode(
            load_benchmark(BUNDLED / "001-sol-transfer.yml"),
            create_agent("deterministic"),
            execution_id=ids[1],
        )
    )
    store.record_episode("r", result)
    # ids[3]'s owner (another host) stopped heartbeating long ago.
    old = datetime.now(UTC) - timedelta(minutes=10)
    with store._write() as conn:
        conn.execute(update(Job).where(Job.id == ids[3]).values(heartbeat_at=old))

    settled = queue.recover(me, stale_after=30)
    assert set(settled) == {ids[0], ids[1], ids[3]}
    jobs = {j: queue.get(j) for j in ids}
    assert jobs[ids[0]].status == "Interrupted" and "stopped" in (jobs[ids[0]].error or "")
    assert jobs[ids[1]].status == "Completed" and jobs[ids[1]].score == 1.0
    assert jobs[ids[2]].status == "Running"  # alive elsewhere, fresh heartbeat: untouched
    assert jobs[ids[3]].status == "Interrupted"
    assert jobs[ids[4]].status == "Queued"  # never started: left for the next worker
