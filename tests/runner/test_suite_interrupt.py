"""Ctrl-C on a real `reev run` process: finished episodes are kept, the run is marked
interrupted, and the same --run-id resumes with only the rest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from reev.store import open_store

ROOT = Path(__file__).resolve().parents[2]
BENCH = str(ROOT / "benchmarks" / "001-sol-transfer.yml")


def _cmd(db: Path, epochs: int) -> list[str]:
    return [
        sys.executable, "-m", "reev", "run", BENCH, "--epochs", str(epochs), "--run-id", "sig",
        "--db", str(db), "-q", "--no-session-files", "--no-progress",
    ]  # fmt: skip


def _episodes(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with open_store(str(db)) as store:
            return store.count_episodes("sig")
    except Exception:
        return 0


def test_sigint_keeps_finished_episodes_and_resume_completes(tmp_path: Path) -> None:
    db = tmp_path / "reev.db"
    env = {**os.environ, "REEV_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        _cmd(db, 3000), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 120
    while _episodes(db) < 20 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, proc.communicate()[0]
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, out
    assert "resume with --run-id sig" in out
    with open_store(str(db)) as store:
        run = store.get_run("sig")
        assert run is not None and run.status == "interrupted"
        kept = store.count_episodes("sig")
    assert 20 <= kept < 3000

    total = kept + 5
    done = subprocess.run(_cmd(db, total), env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"skipped {kept} episodes" in " ".join(done.stdout.split())
    with open_store(str(db)) as store:
        assert store.count_episodes("sig") == total
        run = store.get_run("sig")
        assert run is not None and run.status == "completed"
