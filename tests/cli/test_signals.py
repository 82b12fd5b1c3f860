"""SIGINT and SIGTERM on a real `reev run` process, including one whose parent ignored
SIGINT (a background CI job): finished episodes kept, the run marked interrupted, exit
130 / 143, and the same --run-id resumes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from reev.store import open_store

ROOT = Path(__file__).resolve().parents[2]
BENCH = str(ROOT / "benchmarks" / "001-sol-transfer.yml")
RUN_ID = "sig"


def _cmd(db: Path, epochs: int) -> list[str]:
    return [
        sys.executable, "-m", "reev", "run", BENCH, "--epochs", str(epochs), "--run-id", RUN_ID,
        "--db", str(db), "-q", "--no-progress",
    ]  # fmt: skip


def _episodes(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with open_store(str(db)) as store:
            return store.count_episodes(RUN_ID)
    except Exception:  # the run is being created: not yet readable
        return 0


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # what `cmd &` in a script leaves behind


def _start_and_stop(tmp_path: Path, sig: signal.Signals, ignored_by_parent: bool) -> str:
    db = tmp_path / "reev.db"
    env = {**os.environ, "REEV_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        _cmd(db, 3000),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_ignore_sigint if ignored_by_parent else None,
    )
    deadline = time.monotonic() + 120
    while _episodes(db) < 10 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, proc.communicate()[0]
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, out
    assert f"interrupted by {sig.name}" in out and f"resume with --run-id {RUN_ID}" in out
    with open_store(str(db)) as store:
        run = store.get_run(RUN_ID)
        assert run is not None and run.status == "interrupted"
        kept = store.count_episodes(RUN_ID)
    assert 10 <= kept < 3000
    return out


@pytest.mark.parametrize(
    ("sig", "ignored_by_parent"),
    [(signal.SIGINT, True), (signal.SIGTERM, False)],
    ids=["sigint-ignored-by-parent", "sigterm"],
)
def test_signal_keeps_finished_episodes(
    tmp_path: Path, sig: signal.Signals, ignored_by_parent: bool
) -> None:
    _start_and_stop(tmp_path, sig, ignored_by_parent)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("sig", "ignored_by_parent"),
    [(signal.SIGTERM, True), (signal.SIGINT, True)],
    ids=["sigterm", "sigint-ignored-by-parent"],
)
def test_a_server_stops_with_the_signals_exit_code(
    tmp_path: Path, sig: signal.Signals, ignored_by_parent: bool
) -> None:
    """Outside `reev run` too: `reev serve` shuts down gracefully (uvicorn), then the
    re-raised signal ends the command with 128 + its number, not a traceback."""
    port = _free_port()
    cmd = [
        sys.executable, "-m", "reev", "serve", "--port", str(port), "--workers", "0",
        "--db", str(tmp_path / "api.db"), "--benchmarks", str(ROOT / "benchmarks"),
        "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_ignore_sigint if ignored_by_parent else None,
    )
    deadline = time.monotonic() + 120
    up = False
    while not up and time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2):
                up = True
        except OSError:
            time.sleep(0.2)
    assert up, proc.communicate()[0]
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, out
    assert f"stopped by {sig.name}" in out and "Traceback" not in out
