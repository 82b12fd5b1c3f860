"""Run a hostile case in a child process under a memory cap and a time limit.

The cap is RLIMIT_AS (address space) set in the child before it executes, so a case that
tries to build gigabytes fails with MemoryError in the child instead of swapping the test
machine; the time limit is subprocess's timeout. A case passes only when the child
finishes in time with the answer the test expects, so "hangs" and "ate all memory" are
failures with a reason, never a stuck test run.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEMORY_CAP_MB = 1536  # address space, not RSS: Python + LiteSVM reserve ~700 MB up front
TIME_LIMIT_S = 120.0  # generous: the machine is shared; the messages are checked, not speed
# a server's start-up (imports, migrations, benchmark sync) before it answers, on a machine
# whose cores another job may hold: not a hostile case, so a wider limit
START_LIMIT_S = 300.0


@dataclass
class Capped:
    """What a capped child did."""

    returncode: int
    stdout: str
    stderr: str
    max_rss_mb: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _limit(mem_mb: int) -> None:
    cap = mem_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def run_capped(
    args: Sequence[str],
    *,
    mem_mb: int = MEMORY_CAP_MB,
    timeout: float = TIME_LIMIT_S,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Capped:
    """Run `args` (a command) capped; a timeout fails the calling test with its output."""
    full_env = dict(os.environ) | {"COLUMNS": "200", "NO_COLOR": "1"} | (env or {})
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.Popen(
        list(args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=full_env,
        cwd=cwd,
        preexec_fn=lambda: _limit(mem_mb),  # only setrlimit between fork and exec
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()  # the child this helper started, by its handle
        out, err = proc.communicate()
        raise AssertionError(
            f"{' '.join(args)} did not finish within {timeout}s:\n{err.decode()[-2000:]}"
        ) from None
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Capped(proc.returncode, out.decode(), err.decode(), max(before, after) / 1024)


def reev(*args: str, **kw: object) -> Capped:
    """`python -m reev ARGS` capped."""
    return run_capped([sys.executable, "-m", "reev", *args], **kw)  # type: ignore[arg-type]


def python(code: str, *, args: Sequence[str] = (), **kw: object) -> Capped:
    """`python -c CODE ARGS` capped."""
    return run_capped([sys.executable, "-c", code, *args], **kw)  # type: ignore[arg-type]


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of a live process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class CappedProcess:
    """A long-running reev command (serve, validator) under the memory cap; stopped by
    its own pid only. `url` answers once `health_path` returns 200."""

    def __init__(
        self,
        args: Sequence[str],
        port: int,
        log: Path,
        *,
        health_path: str = "/api/v1/health",
        mem_mb: int = MEMORY_CAP_MB,
        env: dict[str, str] | None = None,
    ) -> None:
        self.args = list(args)
        self.port = port
        self.log = log
        self.health_path = health_path
        self.mem_mb = mem_mb
        self.env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True) -> CappedProcess:
        import httpx

        env = dict(os.environ) | {"PYTHONUNBUFFERED": "1"} | self.env
        env.pop("REEV_API_TOKEN", None)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "reev", *self.args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                preexec_fn=lambda: _limit(self.mem_mb),
            )
        if not wait:
            return self
        deadline = time.monotonic() + START_LIMIT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"exited early: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + self.health_path, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"did not answer: {self.log.read_text()[-3000:]}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def rss_mb(self) -> float:
        assert self.proc is not None
        return rss_mb(self.proc.pid)

    def kill9(self) -> None:
        """SIGKILL this helper's own child (by its pid)."""
        import signal

        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.kill9()

    def __enter__(self) -> CappedProcess:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
