"""`reev serve --worker-processes N`: the episodes run in child processes, with the same
scores, stops and shutdown as workers in the server's process; a dead child is replaced."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from reev.api.settings import ApiSettings
from reev.api.worker_processes import AUTO_MAX, WorkerProcesses, auto_worker_processes
from reev.cli.serve_cmd import parse_worker_processes
from tests.api.conftest import BUNDLED
from tests.api.test_queue_server import SOL, _expected_scores, _run_llm, _stalling, _wait_status
from tests.fakes.openai_server import ScriptedOpenAI


def children(pid: int) -> list[int]:
    """The process ids whose parent is `pid` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            found.append(int(entry.name))
    return found


def worker_children(pid: int) -> list[int]:
    """The server's spawned worker processes (multiprocessing's `spawn_main`)."""
    out = []
    for child in children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            out.append(child)
    return out


def running(pid: int) -> bool:
    """Whether `pid` is a live process (an exited one that nobody reaped yet is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def wait_for(predicate: Any, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def test_jobs_run_in_the_child_with_the_in_process_scores(serve: Any) -> None:
    server = serve(workers=2, extra_args=("--worker-processes", "2"))
    assert server.proc is not None
    kids = wait_for(
        lambda: len(worker_children(server.proc.pid)) == 2 and worker_children(server.proc.pid)
    )
    health = wait_for(
        lambda: (h := server.get("/api/v1/health").json())["worker_processes_ready"] == 2 and h
    )
    assert health["worker_processes"] == 2  # both children started their pools
    catalog = [b["id"] for b in server.get("/api/v1/benchmarks").json()]
    targets = [catalog[i % len(catalog)] for i in range(24)]
    ids = [
        server.post(f"/api/v1/benchmarks/{b}/run", json={"agent": "deterministic"}).json()[
            "execution_id"
        ]
        for b in targets
    ]
    jobs = server.wait_settled(ids, timeout=300)
    expected = _expected_scores(sorted(set(targets)))
    for job_id, benchmark in zip(ids, targets, strict=True):
        assert (jobs[job_id]["score"], jobs[job_id]["passed"]) == expected[benchmark]
    assert sorted(worker_children(server.proc.pid)) == sorted(kids)  # none died


def test_a_stop_reaches_the_episode_in_the_child(serve: Any) -> None:
    with ScriptedOpenAI(_stalling, delay=1.0) as llm:
        server = serve(
            workers=1, extra_args=("--worker-processes", "1", "--allow-base-url", llm.base_url)
        )
        job_id = _run_llm(server, llm.base_url)
        _wait_status(server, job_id, "Running")
        wait_for(lambda: llm.requests, timeout=30)
        stopped = server.post(f"/api/v1/benchmarks/{SOL}/stop/{job_id}")
        assert stopped.status_code == 200, stopped.text
        time.sleep(1.0)  # the child polls stop requests every 0.2 s
        calls_at_stop = len(llm.requests)
        time.sleep(2.5)  # two more model turns would have happened had it kept running
        assert len(llm.requests) == calls_at_stop
        job = server.get(f"/api/v1/benchmarks/{SOL}/status/{job_id}").json()
        assert job["status"] == "Cancelled" and job["error"] == "stopped by user"


def test_a_killed_child_is_replaced_and_the_queue_goes_on(serve: Any) -> None:
    server = serve(workers=1, extra_args=("--worker-processes", "1"))
    assert server.proc is not None
    (first,) = wait_for(lambda: worker_children(server.proc.pid))
    os.kill(first, signal.SIGKILL)
    (second,) = wait_for(lambda: [p for p in worker_children(server.proc.pid) if p != first])
    assert second != first
    job = server.post(f"/api/v1/benchmarks/{SOL}/run", json={"agent": "deterministic"})
    jobs = server.wait_settled([job.json()["execution_id"]], timeout=120)
    assert next(iter(jobs.values()))["passed"] is True


def test_shutdown_interrupts_the_childs_episode_and_leaves_no_process(serve: Any) -> None:
    with ScriptedOpenAI(_stalling, delay=1.0) as llm:
        server = serve(
            workers=1, extra_args=("--worker-processes", "1", "--allow-base-url", llm.base_url)
        )
        assert server.proc is not None
        (child,) = wait_for(lambda: worker_children(server.proc.pid))
        job_id = _run_llm(server, llm.base_url)
        _wait_status(server, job_id, "Running")
        server.proc.send_signal(signal.SIGTERM)
        server.proc.wait(60)
        assert not Path(f"/proc/{child}").exists()
        restarted = serve(workers=0)  # the same database, to read the job's end
        job = restarted.get(f"/api/v1/benchmarks/{SOL}/status/{job_id}").json()
        assert job["status"] == "Interrupted", job


def test_a_server_killed_with_sigkill_leaves_no_worker_process(serve: Any) -> None:
    server = serve(workers=1, extra_args=("--worker-processes", "2"))
    assert server.proc is not None
    kids = wait_for(
        lambda: len(worker_children(server.proc.pid)) == 2 and worker_children(server.proc.pid)
    )
    server.kill9()  # no SIGTERM reaches the children: they must see the server is gone
    # within the shutdown grace (5 s) and a margin: a missed stop had taken ~35 s
    wait_for(lambda: not any(running(kid) for kid in kids), timeout=20)


def test_worker_processes_on_an_in_memory_database_are_refused(tmp_path: Path) -> None:
    """Children would each open an empty database of their own and never see a job."""
    done = subprocess.run(
        [sys.executable, "-m", "reev", "serve", "--port", "0", "--db", "sqlite://",
         "--worker-processes", "1", "--benchmarks", str(BUNDLED)],
        capture_output=True, text=True, timeout=120, env=os.environ | {"HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "in-memory SQLite" in done.stderr and "Traceback" not in done.stderr
    with pytest.raises(ValueError, match="in-memory SQLite"):
        WorkerProcesses(ApiSettings(db_url="sqlite://", worker_processes=1))
    assert WorkerProcesses(ApiSettings(db_url="sqlite://", worker_processes=0)).count == 0


def test_serve_starts_one_worker_process_per_core_by_default(serve: Any) -> None:
    """No --worker-processes: `auto`, one per usable core (at most AUTO_MAX), and a posted
    run goes through them."""
    server = serve(workers=1, default_worker_processes=True)
    assert server.proc is not None
    expected = auto_worker_processes(1, f"sqlite:///{server.db}")
    assert server.get("/api/v1/health").json()["worker_processes"] == expected
    assert "(--worker-processes auto)" in server.log.read_text()
    if expected:
        wait_for(lambda: len(worker_children(server.proc.pid)) == expected)
    job = server.post(f"/api/v1/benchmarks/{SOL}/run", json={"agent": "deterministic"})
    jobs = server.wait_settled([job.json()["execution_id"]], timeout=120)
    assert next(iter(jobs.values()))["passed"] is True


def test_auto_means_one_worker_process_per_core_where_they_can_share_the_database() -> None:
    file_db = "sqlite:////tmp/reev.db"
    assert auto_worker_processes(2, file_db, cores=2) == 2
    assert auto_worker_processes(2, file_db, cores=64) == AUTO_MAX
    assert auto_worker_processes(2, file_db, cores=1) == 0  # one core: nothing to gain
    assert auto_worker_processes(0, file_db, cores=8) == 0  # --workers 0: queue only
    assert auto_worker_processes(2, "sqlite://", cores=8) == 0  # other processes can't see it
    assert auto_worker_processes(2, "postgresql+psycopg://u@h/db", cores=3) == 3
    assert parse_worker_processes("3", 2, file_db) == 3
    assert parse_worker_processes("AUTO", 2, file_db) == auto_worker_processes(2, file_db)
    for bad in ("-1", "two", ""):
        assert "must be a count" in str(parse_worker_processes(bad, 2, file_db))
    assert "in-memory SQLite" in str(parse_worker_processes("1", 2, "sqlite://"))
    assert parse_worker_processes("0", 2, "sqlite://") == 0
