"""The queue and a real server on PostgreSQL (Debian's packages, started by the fixture):
exclusive claims from several engines, and a run through `reev serve --db postgresql://`."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reev.store import open_store
from reev.store.jobs import JobQueue, JobSpec, new_owner
from tests.api.conftest import ServeProcess
from tests.store.pg_server import find_bin_dir, postgres_server


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    if find_bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install PostgreSQL (.ci/run)")
        pytest.skip("PostgreSQL server binaries are not installed")
    with postgres_server() as url:
        yield url


def test_claims_are_exclusive_on_postgres(pg_url: str) -> None:
    stores = [open_store(pg_url) for _ in range(4)]
    try:
        stores[0].create_run("pg-queue")
        ids = JobQueue(stores[0]).enqueue(
            [JobSpec("pg-queue", "001-sol-transfer", None, "null", epoch=i) for i in range(120)]
        )
        claims: list[str] = []
        lock = threading.Lock()

        def worker(index: int) -> None:
            queue, owner = JobQueue(stores[index]), new_owner()
            while (job := queue.claim(owner)) is not None:
                with lock:
                    claims.append(job.id)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(claims) == sorted(ids)
    finally:
        for s in stores:
            s.close()


def test_server_on_postgres(pg_url: str, tmp_path: Path) -> None:
    server = ServeProcess(tmp_path / "unused.db", workers=2)
    server.extra_args = ("--db", pg_url)  # the last --db wins
    server.start()
    try:
        assert server.get("/api/v1/health").json()["database"].startswith("postgresql")
        accepted: dict[str, Any] = server.post(
            "/api/v1/runs",
            json={"benchmarks": ["001-sol-transfer"], "agents": [{"agent": "deterministic"}],
                  "epochs": 3},
        ).json()  # fmt: skip
        jobs = server.wait_settled(accepted["execution_ids"])
        assert [j["status"] for j in jobs.values()] == ["Completed"] * 3
        assert all(j["score"] == 1.0 for j in jobs.values())
        run = server.get(f"/api/v1/runs/{accepted['run_id']}").json()
        assert run["status"] == "completed" and run["episodes"] == 3
    finally:
        server.stop()
