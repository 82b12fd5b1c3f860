"""Start surfpool for `--backend rpc` when its binary is installed — never download it.

reev (Rust) downloaded surfpool from GitHub when it was missing, panicked when it could
not, and freed port 8899 by force-killing whatever held it (SIGKILL). This helper does none of that:
it looks for `surfpool` on PATH (or a given path), starts it on a free loopback port as a
child process, waits for `getHealth`, and stops only that child.

    with start_surfpool(fork_url="https://api.mainnet-beta.solana.com") as node:
        run with --backend rpc --rpc-url node.url

surfpool's flags: `surfpool start --port P --ws-port W --host 127.0.0.1 --no-tui
[--rpc-url URL | --offline]`. Installing surfpool: see https://docs.surfpool.run.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

import httpx

from reev.chain.cassette import public_origin


class SurfpoolError(Exception):
    """surfpool is not installed, or did not become healthy."""


def find_surfpool(binary: str | Path | None = None) -> Path | None:
    """The surfpool executable (`binary`, else `surfpool` on PATH), or None."""
    found = shutil.which(str(binary) if binary else "surfpool")
    return Path(found) if found else None


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SurfpoolProcess:
    """One surfpool child process on loopback; `stop()` ends this process and nothing else."""

    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)

    def __enter__(self) -> SurfpoolProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_surfpool(
    *,
    fork_url: str | None = None,
    binary: str | Path | None = None,
    port: int | None = None,
    startup_timeout: float = 60.0,
    log_path: Path | None = None,
) -> SurfpoolProcess:
    """Start surfpool and wait until it answers `getHealth`; SurfpoolError otherwise.

    Without `fork_url` surfpool runs `--offline` (no mainnet). Its output goes to
    `log_path` (default: discarded).
    """
    executable = find_surfpool(binary)
    if executable is None:
        raise SurfpoolError(
            "surfpool is not installed (no executable "
            f"{str(binary) if binary else 'surfpool'!r} on PATH); reev never downloads it — "
            "install it (https://docs.surfpool.run) or use the embedded backend / --fork-url"
        )
    port = port or free_port()
    args = [
        str(executable),
        "start",
        "--port",
        str(port),
        "--ws-port",
        str(free_port()),
        "--host",
        "127.0.0.1",
        "--no-tui",
    ]
    args += ["--rpc-url", fork_url] if fork_url else ["--offline"]
    out = log_path.open("ab") if log_path else subprocess.DEVNULL
    try:
        process = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    finally:
        if log_path and not isinstance(out, int):
            out.close()
    node = SurfpoolProcess(process, port)
    deadline = time.monotonic() + startup_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SurfpoolError(f"surfpool exited with status {process.returncode} during startup")
        try:
            answer = httpx.post(
                node.url, json={"jsonrpc": "2.0", "id": 1, "method": "getHealth"}, timeout=2.0
            ).json()
            if answer.get("result") == "ok":
                return node
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.2)
    node.stop()
    where = f" forking {public_origin(fork_url)}" if fork_url else ""
    raise SurfpoolError(f"surfpool{where} was not healthy after {startup_timeout:g}s")


__all__ = ["SurfpoolError", "SurfpoolProcess", "find_surfpool", "free_port", "start_surfpool"]
