"""The durable queue through a real server: 100 concurrent runs, cancellation of a running
episode, and `kill -9` with jobs running and queued, settled by the restart."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx

from reev.agents.registry import create_agent
from reev.runner.suite import load_all, run_suite
from tests.api.conftest import BUNDLED, SECRET
from tests.fakes.openai_server import Reply, ScriptedOpenAI

SOL = "001-sol-transfer"


def _expected_scores(ids: list[str]) -> dict[str, tuple[float, bool]]:
    """Scores of the same benchmarks run in-process (deterministic agent, seed 0)."""
    loaded = [item for item in load_all([BUNDLED]) if item.benchmark is not None]
    wanted = [item for item in loaded if item.benchmark and item.benchmark.id in ids]
    results = asyncio.run(run_suite(wanted, lambda: create_agent("deterministic"), "deterministic"))
    return {r.benchmark_id: (r.score, r.passed) for r in results}


def test_hundred_concurrent_runs_complete_with_correct_scores(serve: Any) -> None:
    server = serve(workers=4)
    catalog = [b["id"] for b in server.get("/api/v1/benchmarks").json()]
    targets = [catalog[i % len(catalog)] for i in range(100)]

    async def post_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
            return await asyncio.gather(
                *(
                    client.post(f"/api/v1/benchmarks/{b}/run", json={"agent": "deterministic"})
                    for b in targets
                )
            )

    responses = asyncio.run(post_all())
    assert [r.status_code for r in responses] == [202] * 100
    ids = [r.json()["execution_id"] for r in responses]
    assert len(set(ids)) == 100
    jobs = server.wait_settled(ids, timeout=300)
    expected = _expected_scores(sorted(set(targets)))
    for job_id, benchmark in zip(ids, targets, strict=True):
        job = jobs[job_id]
        assert job["status"] in ("Completed", "Failed"), job
        assert (job["score"], job["passed"]) == expected[benchmark], (benchmark, job)
    assert server.get("/api/v1/episodes?limit=1").json()["total"] == 100
    counts = server.get("/api/v1/health").json()["jobs"]
    assert counts["Queued"] == 0 and counts["Running"] == 0


def _stalling(body: dict[str, Any]) -> Reply:
    """A model that keeps asking for balances (each answer takes the server's delay)."""
    return Reply.call("get_account_balance", {"pubkey": "USER_WALLET_PUBKEY"})


def _answer(body: dict[str, Any]) -> Reply:
    return Reply.text("Nothing to do.")


def _run_llm(server: Any, base_url: str, benchmark: str = SOL) -> str:
    r = server.post(
        f"/api/v1/benchmarks/{benchmark}/run",
        json={"agent": "openai", "model": "scripted-model", "base_url": base_url},
    )
    assert r.status_code == 202, r.text
    return str(r.json()["execution_id"])


def _wait_status(server: Any, job_id: str, status: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = server.get(f"/api/v1/benchmarks/{SOL}/status/{job_id}").json()
        if job["status"] == status:
            return dict(job)
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {status}: {job}")


def test_stop_cancels_a_running_episode(serve: Any) -> None:
    with ScriptedOpenAI(_stalling, delay=1.0) as llm:
        server = serve(workers=2, extra_args=("--allow-base-url", llm.base_url))
        job_id = _run_llm(server, llm.base_url)
        _wait_status(server, job_id, "Running")
        deadline = time.monotonic() + 30
        while not llm.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        assert llm.requests, "the episode never called the model"
        stopped = server.post(f"/api/v1/benchmarks/{SOL}/stop/{job_id}")
        assert stopped.status_code == 200, stopped.text
        assert stopped.json()["status"] == "Cancelled"
        calls_at_stop = len(llm.requests)
        time.sleep(2.5)  # two more model turns would have happened had it kept running
        assert len(llm.requests) == calls_at_stop
        job = server.get(f"/api/v1/benchmarks/{SOL}/status/{job_id}").json()
        assert job["status"] == "Cancelled" and job["error"] == "stopped by user"
        assert server.get(f"/api/v1/episodes/{job_id}").status_code == 404
        again = server.post(f"/api/v1/benchmarks/{SOL}/stop/{job_id}")
        assert again.status_code == 409
        # The queue goes on: the next job runs to completion.
        follow = server.post(f"/api/v1/benchmarks/{SOL}/run", json={"agent": "deterministic"})
        server.wait_settled([follow.json()["execution_id"]])
    for headers in llm.headers:
        assert headers.get("authorization") == f"Bearer {SECRET}"


def test_stop_of_a_queued_job_and_of_a_run(serve: Any) -> None:
    server = serve(workers=0)  # nothing is claimed: jobs stay Queued
    job_id = server.post(f"/api/v1/benchmarks/{SOL}/run", json={"agent": "null"}).json()[
        "execution_id"
    ]
    stopped = server.post(f"/api/v1/benchmarks/{SOL}/stop/{job_id}").json()
    assert stopped["status"] == "Cancelled"
    run = server.post(
        "/api/v1/runs", json={"benchmarks": [SOL], "agents": [{"agent": "null"}], "epochs": 3}
    ).json()
    cancelled = server.post(f"/api/v1/runs/{run['run_id']}/cancel").json()
    assert cancelled["cancelled"] == 3
    assert cancelled["progress"]["by_status"]["Cancelled"] == 3


def test_kill_9_then_restart_settles_every_job(serve: Any, tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    with ScriptedOpenAI(_answer, delay=1.5) as llm:
        first = serve(db=db, workers=1, extra_args=("--allow-base-url", llm.base_url))
        ids = [_run_llm(first, llm.base_url) for _ in range(4)]
        running = _wait_status(first, ids[0], "Running")
        assert running["status"] == "Running"
        for queued in ids[1:]:
            assert first.get(f"/api/v1/benchmarks/{SOL}/status/{queued}").json()["status"] == (
                "Queued"
            )
        first.kill9()

        second = serve(db=db, workers=2, extra_args=("--allow-base-url", llm.base_url))
        jobs = second.wait_settled(ids, timeout=120)
    crashed = jobs[ids[0]]
    assert crashed["status"] == "Interrupted"
    assert "stopped before the episode finished" in crashed["error"]
    for job_id in ids[1:]:
        assert jobs[job_id]["status"] == "Completed", jobs[job_id]
    counts = second.get("/api/v1/health").json()["jobs"]
    assert counts["Queued"] == 0 and counts["Running"] == 0
    events = second.get("/api/v1/events?after=0&follow=false").text
    assert "Interrupted" in events
    assert SECRET.encode() not in db.read_bytes()
