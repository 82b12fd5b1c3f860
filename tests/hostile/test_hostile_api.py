"""Hostile requests to the API: uploads, headers, Host names, endpoints, two servers, and
kill -9 at random moments. Servers run as capped child processes (see capped.py)."""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from reev.api.app import create_app
from reev.api.settings import ApiSettings
from reev.store import open_store
from reev.store.jobs import COMPLETED, JobQueue, JobSpec, RunExistsError
from tests.hostile.capped import CappedProcess, free_port
from tests.hostile.hostile_files import BENCHMARKS, HOSTILE, long_list_over_size, says

SOL = "001-sol-transfer"


def one_benchmark(tmp_path: Path) -> Path:
    folder = tmp_path / "benchmarks"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(BENCHMARKS / f"{SOL}.yml", folder)
    return folder


def serve_args(db: Path, port: int, benchmarks: Path, workers: int, *extra: str) -> list[str]:
    return [
        "serve", "--port", str(port), "--db", f"sqlite:///{db}", "--workers", str(workers),
        "--benchmarks", str(benchmarks), "--log-level", "warning", *extra,
    ]  # fmt: skip


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CappedProcess]:
    port = free_port()
    args = serve_args(tmp_path / "reev.db", port, one_benchmark(tmp_path), 1)
    with CappedProcess(args, port, tmp_path / "serve.log") as proc:
        yield proc


def test_hostile_uploads_are_4xx_and_the_server_keeps_answering(server: CappedProcess) -> None:
    rss_before = server.rss_mb()
    for name, (make, message) in HOSTILE.items():
        text = long_list_over_size(2) if name == "big.yml" else make()
        r = httpx.post(server.url + "/api/v1/upsert-yml", json={"yml_content": text}, timeout=60)
        if name == "big.yml":
            assert r.status_code == 413, r.text
        else:
            assert r.status_code == 400, (name, r.text)
            assert says(r.json()["detail"], message) and "upload:" in r.json()["detail"], r.text
        assert httpx.get(server.url + "/api/v1/health", timeout=10).status_code == 200
    # the bomb that once froze the API while it ran never reaches a worker; a real job runs
    job = httpx.post(
        server.url + f"/api/v1/benchmarks/{SOL}/run", json={"agent": "deterministic"}, timeout=30
    ).json()["execution_id"]
    for _ in range(600):
        state = httpx.get(server.url + f"/api/v1/benchmarks/{SOL}/status/{job}", timeout=10).json()
        if state["status"] not in ("Queued", "Running"):
            break
        time.sleep(0.1)
    assert state["status"] == COMPLETED and state["passed"] is True
    assert server.alive()
    print(f"server RSS {rss_before:.0f} MB before, {server.rss_mb():.0f} MB after the uploads")


def test_last_event_id_beyond_64_bits_is_an_empty_stream(server: CappedProcess) -> None:
    r = httpx.get(
        server.url + "/api/v1/events?follow=false",
        headers={"Last-Event-ID": "9" * 30},
        timeout=30,
    )
    assert r.status_code == 200
    assert r.text.strip() == "retry: 2000"


def client_for(tmp_path: Path, **settings: Any) -> TestClient:
    config = ApiSettings(
        db_url=f"sqlite:///{tmp_path / 'reev.db'}",
        workers=0,
        benchmark_dirs=[one_benchmark(tmp_path)],
        **settings,
    )
    return TestClient(create_app(config), base_url="http://127.0.0.1")


def test_host_header_must_be_an_allowed_name(tmp_path: Path) -> None:
    with client_for(
        tmp_path, allowed_hosts=["localhost", "127.0.0.1", "::1", "*.lab.example"]
    ) as c:
        for host in ("127.0.0.1:3001", "localhost", "[::1]:3001", "LOCALHOST.", "ci.lab.example"):
            assert c.get("/api/v1/health", headers={"host": host}).status_code == 200, host
        for host in ("evil.example", "127.0.0.1.evil.example", "lab.example.evil", ""):
            r = c.get("/api/v1/health", headers={"host": host})
            assert r.status_code == 400, host
            assert "not an allowed name" in r.json()["detail"]
        # a mutating request from a rebinding page is refused before any route runs
        r = c.post(
            f"/api/v1/benchmarks/{SOL}/run",
            json={"agent": "null"},
            headers={"host": "evil.example"},
        )
        assert r.status_code == 400
        assert c.get("/api/v1/jobs").json()["items"] == []


def test_posted_base_url_must_be_inside_an_allowed_endpoint(tmp_path: Path) -> None:
    run = f"/api/v1/benchmarks/{SOL}/run"
    with client_for(tmp_path) as c:  # default: no base_url accepted at all
        r = c.post(run, json={"agent": "openai", "model": "m", "base_url": "http://127.0.0.1:9/v1"})
        assert r.status_code == 400 and "accepts no base_url" in r.json()["detail"]
    allowed = "http://127.0.0.1:9/v1"
    with client_for(tmp_path / "b", allowed_base_urls=[allowed]) as c:
        for bad in (
            "http://evil.example/v1",
            "http://127.0.0.1:10/v1",
            "https://127.0.0.1:9/v1",
            "http://127.0.0.1:9/v1x",
            "http://127.0.0.1:9/v1/../admin",
        ):
            r = c.post(run, json={"agent": "openai", "model": "m", "base_url": bad})
            assert r.status_code == 400, bad
            assert "not inside an endpoint" in r.json()["detail"], r.text
        for good in (allowed, allowed + "/", allowed + "/chat"):
            r = c.post(run, json={"agent": "openai", "model": "m", "base_url": good})
            assert r.status_code == 202, (good, r.text)
        r = c.post(
            "/api/v1/runs",
            json={
                "agents": [{"agent": "openai", "model": "m", "base_url": "http://evil.example/v1"}]
            },
        )
        assert r.status_code == 400


def test_run_and_jobs_are_created_together_or_not_at_all(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'reev.db'}")
    queue = JobQueue(store)
    spec = JobSpec(
        run_id="r1", benchmark_id=SOL, benchmark_version_id=None, agent="null", job_id="j"
    )
    with pytest.raises(Exception):  # noqa: B017 - two jobs with one id: the insert fails
        queue.create_run("r1", {"source": "api"}, [spec, spec])
    assert store.get_run("r1") is None  # the run row went with the failed jobs
    assert queue.create_run("r1", {"source": "api"}, [spec]) == ["j"]
    with pytest.raises(RunExistsError):
        queue.create_run(
            "r1",
            {"source": "api"},
            [JobSpec(run_id="r1", benchmark_id=SOL, benchmark_version_id=None, agent="null")],
        )
    assert queue.counts("r1")["Queued"] == 1
    store.close()


def test_start_up_settles_runs_left_running_without_a_live_job(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'reev.db'}"
    store = open_store(db)
    queue = JobQueue(store)
    spec = JobSpec(
        run_id="done", benchmark_id=SOL, benchmark_version_id=None, agent="null", job_id="j1"
    )
    queue.create_run("done", {"source": "api"}, [spec])
    job = queue.claim("me/1/x")
    assert job is not None
    queue.finish(job.id, "me/1/x", COMPLETED)  # … and the server died before settling the run
    store.create_run("legacy", {"source": "api"})  # an old server's run row, never given jobs
    store.create_run("cli-run", {"paths": ["x"]})  # `reev run` in another process: not ours
    queue.create_run(
        "waiting",
        {"source": "api"},
        [JobSpec(run_id="waiting", benchmark_id=SOL, benchmark_version_id=None, agent="null")],
    )
    store.close()
    with TestClient(
        create_app(ApiSettings(db_url=db, workers=0, benchmark_dirs=[])),
        base_url="http://127.0.0.1",
    ) as c:
        status = {r["id"]: r["status"] for r in c.get("/api/v1/runs").json()}
    assert status == {
        "done": "completed",
        "legacy": "failed",
        "cli-run": "running",
        "waiting": "running",
    }


def test_a_server_that_cannot_listen_claims_nothing(tmp_path: Path) -> None:
    db = tmp_path / "reev.db"
    bench = one_benchmark(tmp_path)
    port = free_port()
    with CappedProcess(serve_args(db, port, bench, 0), port, tmp_path / "a.log") as first:
        job = httpx.post(
            first.url + f"/api/v1/benchmarks/{SOL}/run", json={"agent": "deterministic"}, timeout=30
        ).json()["execution_id"]
        second = CappedProcess(serve_args(db, port, bench, 2), port, tmp_path / "b.log").start(
            wait=False
        )
        assert second.proc is not None
        assert second.proc.wait(120) != 0
        assert "cannot listen on 127.0.0.1:" in (tmp_path / "b.log").read_text()
        state = httpx.get(first.url + f"/api/v1/benchmarks/{SOL}/status/{job}", timeout=30).json()
        assert state["status"] == "Queued"  # nobody claimed it, nothing was interrupted
        assert httpx.get(first.url + "/api/v1/health", timeout=10).status_code == 200


def wait_settled(url: str, run_id: str, total: int, timeout: float = 300) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        jobs = httpx.get(url + f"/api/v1/jobs?run_id={run_id}&limit=1000", timeout=30).json()[
            "items"
        ]
        if len(jobs) == total and all(j["status"] not in ("Queued", "Running") for j in jobs):
            return list(jobs)
        assert time.monotonic() < deadline, [j["status"] for j in jobs]
        time.sleep(0.2)


def test_two_servers_on_one_database_run_each_job_once(tmp_path: Path) -> None:
    db = tmp_path / "reev.db"
    bench = BENCHMARKS
    p1, p2 = free_port(), free_port()
    with (
        CappedProcess(serve_args(db, p1, bench, 2), p1, tmp_path / "a.log") as a,
        CappedProcess(serve_args(db, p2, bench, 2), p2, tmp_path / "b.log") as b,
    ):
        body = {
            "benchmarks": [SOL, "002-spl-transfer", "010-sol-transfer-lamports"],
            "agents": [{"agent": "deterministic"}],
            "epochs": 6,
        }
        run = httpx.post(a.url + "/api/v1/runs", json=body, timeout=60).json()
        jobs = wait_settled(b.url, run["run_id"], 18)
        assert {j["status"] for j in jobs} == {COMPLETED}
        episodes = httpx.get(
            b.url + f"/api/v1/episodes?run_id={run['run_id']}&limit=100", timeout=30
        ).json()
        assert episodes["total"] == 18  # each job ran exactly once
        runs = {r["id"]: r for r in httpx.get(a.url + "/api/v1/runs", timeout=30).json()}
        for _ in range(50):  # the last finisher settles the run
            if runs[run["run_id"]]["status"] == "completed":
                break
            time.sleep(0.2)
            runs = {r["id"]: r for r in httpx.get(a.url + "/api/v1/runs", timeout=30).json()}
        assert runs[run["run_id"]]["status"] == "completed"


def test_kill_9_at_random_moments_loses_nothing_and_ends_final(tmp_path: Path) -> None:
    db = tmp_path / "reev.db"
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    port = free_port()
    proc = CappedProcess(serve_args(db, port, BENCHMARKS, 2), port, tmp_path / "s.log").start()
    body = {"agents": [{"agent": "deterministic"}], "epochs": 1}
    run = httpx.post(proc.url + "/api/v1/runs", json=body, timeout=60).json()
    total = run["jobs"]
    for _ in range(3):
        time.sleep(rng.uniform(0.0, 2.0))
        proc.kill9()
        proc = CappedProcess(serve_args(db, port, BENCHMARKS, 2), port, tmp_path / "s.log").start()
    try:
        jobs = wait_settled(proc.url, run["run_id"], total)
        statuses = [j["status"] for j in jobs]
        assert set(statuses) <= {COMPLETED, "Failed", "Interrupted"}, (seed, statuses)
        episodes = httpx.get(
            proc.url + f"/api/v1/episodes?run_id={run['run_id']}&limit=500", timeout=30
        ).json()
        completed = [j for j in jobs if j["status"] == COMPLETED]
        assert episodes["total"] >= len(completed)  # every completed job has its episode
        assert len({e["execution_id"] for e in episodes["items"]}) == episodes["total"]
        for _ in range(50):
            status = {
                r["id"]: r["status"]
                for r in httpx.get(proc.url + "/api/v1/runs", timeout=30).json()
            }
            if status[run["run_id"]] != "running":
                break
            time.sleep(0.2)
        expected = "interrupted" if "Interrupted" in statuses else "completed"
        assert status[run["run_id"]] == expected, (seed, statuses)
    finally:
        proc.stop()


def test_database_errors_never_show_sql_to_readers(tmp_path: Path) -> None:
    """Issue 15: raw SQL text reached API readers in an error message."""
    import sqlite3

    db = tmp_path / "reev.db"
    settings = ApiSettings(db_url=f"sqlite:///{db}", workers=0, benchmark_dirs=[])
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        assert c.get("/api/v1/episodes").status_code == 200
        with sqlite3.connect(db) as conn:  # a column the queries name is gone
            conn.execute("ALTER TABLE episodes RENAME COLUMN failure_kind TO gone")
        r = c.get("/api/v1/episodes")
        assert r.status_code in (500, 503), r.text
        assert r.json()["detail"] in ("database error", "database unavailable")
        for word in ("SELECT", "FROM episodes", "failure_kind", "sqlite3"):
            assert word not in r.text, r.text
