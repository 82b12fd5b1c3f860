"""`reev run` killed with SIGKILL: its run records its owner process, and the next opening
of the store (`reev report`, `reev run`, `reev serve`, the API) settles it: `interrupted`,
the finished episodes kept and counted, resumable by its --run-id (issue 15)."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reev.api.app import create_app
from reev.api.settings import ApiSettings
from reev.store import RunBusyError, open_store
from reev.store.owners import OwnerState, owner_state, process_owner
from tests.hostile.capped import TIME_LIMIT_S, reev
from tests.hostile.hostile_files import BENCHMARKS

RUN_ID = "killed"
TWO = [str(BENCHMARKS / "001-sol-transfer.yml"), str(BENCHMARKS / "002-spl-transfer.yml")]


def run_args(db: Path, epochs: int) -> list[str]:
    return [
        "run", *TWO, "--epochs", str(epochs), "--run-id", RUN_ID, "--db", str(db),
        "--quiet", "--no-progress",
    ]  # fmt: skip


def row(db: Path) -> tuple[str, str | None, int]:
    """(status, owner, stored episodes) read with sqlite3: no reev code, no reconciling."""
    with sqlite3.connect(db) as conn:
        status, owner = conn.execute(
            "SELECT status, owner FROM runs WHERE id = ?", (RUN_ID,)
        ).fetchone()
        (episodes,) = conn.execute(
            "SELECT count(*) FROM episodes WHERE run_id = ?", (RUN_ID,)
        ).fetchone()
    return status, owner, episodes


def stored(db: Path) -> int:
    try:
        return row(db)[2]
    except (sqlite3.Error, TypeError):  # not created yet
        return 0


def test_reev_run_killed_with_sigkill_is_settled_by_the_next_command(tmp_path: Path) -> None:
    db = tmp_path / "reev.db"
    env = {**os.environ, "REEV_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "reev", *run_args(db, 5000)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + TIME_LIMIT_S
        while stored(db) < 20 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
        status, owner, _ = row(db)
        assert status == "running"
        assert owner is not None and owner.split("/")[:2] == [socket.gethostname(), str(proc.pid)]
        # a second `reev run` with the same id while the first is alive is refused
        busy = reev(*run_args(db, 5000), env={"REEV_HOME": str(tmp_path / "home")})
        assert busy.returncode == 2, busy.output
        assert f"run {RUN_ID} is being run by process {proc.pid} on" in busy.stderr
        assert row(db)[1] == owner  # the refused command took nothing over
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # our own child, by its pid
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    status, _, kept = row(db)
    assert status == "running" and 20 <= kept < 10_000  # nobody said how it ended

    report = reev("report", "--run-id", RUN_ID, "--db", str(db), "--format", "json")
    assert report.returncode == 0, report.output
    assert "Traceback" not in report.output
    assert (
        f"run {RUN_ID} was left running by process {proc.pid} on {socket.gethostname()}, "
        f"which is gone (killed?): marked interrupted, {kept} finished episode(s) kept"
    ) in " ".join(report.stderr.split())
    status, _, after = row(db)
    assert (status, after) == ("interrupted", kept)
    with open_store(str(db)) as store:
        run = store.get_run(RUN_ID)
        assert store.reconciled == []  # already settled: nothing to do a second time
    assert run is not None and run.status == "interrupted" and run.episodes == kept
    assert run.finished_at is not None

    # the same --run-id resumes it: epoch 0 of both benchmarks is stored, so nothing runs
    # again and the run ends completed with no episode stored twice
    resumed = reev(*run_args(db, 1), env={"REEV_HOME": str(tmp_path / "home")})
    assert resumed.returncode == 0, resumed.output
    assert f"run {RUN_ID}: skipped 2 episodes already completed, ran 0" in resumed.output
    assert row(db)[0] == "completed" and row(db)[2] == kept


ORPHAN = """
import os, sys
from reev.store import open_store
store = open_store(sys.argv[1])
store.create_run(sys.argv[2], {"interface": "cli"})
os._exit(0)  # gone without saying how the run ended, as after kill -9
"""


def orphan_run(db: Path, run_id: str) -> str:
    """A run created by a real process that then vanished; returns its owner."""
    done = subprocess.run(
        [sys.executable, "-c", ORPHAN, f"sqlite:///{db}", run_id], capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    with sqlite3.connect(db) as conn:
        status, owner = conn.execute(
            "SELECT status, owner FROM runs WHERE id = ?", (run_id,)
        ).fetchone()
    assert status == "running"
    return str(owner)


def test_the_api_settles_runs_of_dead_processes_at_start_and_while_up(tmp_path: Path) -> None:
    db = tmp_path / "reev.db"
    orphan_run(db, "before-start")
    settings = ApiSettings(db_url=f"sqlite:///{db}", workers=1, benchmark_dirs=[])
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        runs = {r["id"]: r["status"] for r in c.get("/api/v1/runs").json()}
        assert runs["before-start"] == "interrupted"
        orphan_run(db, "while-up")  # a CLI run killed while the server keeps running
        for _ in range(100):  # the workers' housekeeping (every 2 s) notices it
            runs = {r["id"]: r["status"] for r in c.get("/api/v1/runs").json()}
            if runs["while-up"] != "running":
                break
            time.sleep(0.1)
        assert runs["while-up"] == "interrupted"


def test_owner_states(tmp_path: Path) -> None:
    me = process_owner()
    host, pid, ident = me.split("/", 2)
    assert (host, pid) == (socket.gethostname(), str(os.getpid()))
    assert owner_state(me) is OwnerState.ALIVE
    if ident == "-":
        pytest.skip("no /proc here: only pid existence is judged")
    marks = dict(part.split("=") for part in ident.split(","))
    dead = orphan_run(tmp_path / "reev.db", "gone")
    assert owner_state(dead) is OwnerState.DEAD
    # this very pid with another start time: the pid was reused by a new process
    reused = f"{host}/{pid}/boot={marks['boot']},ns={marks['ns']},start=1"
    assert owner_state(reused) is OwnerState.DEAD
    earlier_boot = f"{host}/{pid}/boot=00000000,ns={marks['ns']},start={marks['start']}"
    assert owner_state(earlier_boot) is OwnerState.DEAD
    other_container = f"{host}/1/boot={marks['boot']},ns=1,start={marks['start']}"
    assert owner_state(other_container) is OwnerState.UNKNOWN
    assert owner_state(f"elsewhere.example/{pid}/{ident}") is OwnerState.UNKNOWN
    assert owner_state("not an owner") is OwnerState.UNKNOWN
    assert owner_state(None) is OwnerState.UNKNOWN
    # a killed child that its parent has not reaped yet (a zombie) is dead
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stat = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
        zombie = f"{host}/{child.pid}/boot={marks['boot']},ns={marks['ns']},start={stat[19]}"
        assert owner_state(zombie) is OwnerState.ALIVE
        os.kill(child.pid, signal.SIGKILL)  # our own child, by its pid
        for _ in range(100):
            if Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                break
            time.sleep(0.05)
        assert owner_state(zombie) is OwnerState.DEAD
    finally:
        child.kill()
        child.wait(30)


def test_a_live_owner_keeps_its_run_and_another_process_cannot_take_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'reev.db'}"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom reev.store import open_store\n"
            "open_store(sys.argv[1]).create_run('held')\nprint('ready', flush=True)\n"
            "time.sleep(120)",
            url,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with open_store(url) as store:
            assert store.reconciled == []
            run = store.get_run("held")
            assert run is not None and run.status == "running"
            with pytest.raises(RunBusyError, match=f"being run by process {holder.pid} on"):
                store.create_run("held")
            store.create_run("mine")
            store.create_run("mine")  # this process resuming its own run is fine
    finally:
        holder.kill()  # our own child
        holder.wait(30)
    with open_store(url) as store:
        assert [a.run_id for a in store.reconciled] == ["held"]
        store.create_run("held")  # taken over now that its owner is gone
        run = store.get_run("held")
        assert run is not None and run.status == "running"
