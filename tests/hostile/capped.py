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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEMORY_CAP_MB = 1536  # address space, not RSS: Python + LiteSVM reserve ~700 MB up front
TIME_LIMIT_S = 120.0  # generous: the machine is shared; the messages are checked, not speed


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


def python(code: str, **kw: object) -> Capped:
    """`python -c CODE` capped."""
    return run_capped([sys.executable, "-c", code], **kw)  # type: ignore[arg-type]
