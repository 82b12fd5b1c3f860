"""Fixtures for the API tests: `reev serve` as a real subprocess on a free loopback port,
and the in-process app for TestClient. Only processes these fixtures start are stopped,
by their pid."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "benchmarks"
SECRET = "sk-api-test-secret-never-stored"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServeProcess:
    """`reev serve` in a subprocess: start, wait for /health, stop or kill -9."""

    def __init__(
        self,
        db: Path,
        *,
        workers: int = 2,
        token: str | None = None,
        extra_args: tuple[str, ...] = (),
        log: Path | None = None,
        default_worker_processes: bool = False,
    ) -> None:
        """`default_worker_processes`: serve as a user would, with serve's own default
        (`--worker-processes auto`); otherwise the workers run in the server's process
        unless `extra_args` asks for worker processes."""
        self.default_worker_processes = default_worker_processes
        self.db = db
        self.workers = workers
        self.token = token
        self.extra_args = extra_args
        self.log = log or db.with_suffix(".log")
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def start(self) -> ServeProcess:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("REEV_API_TOKEN",)}
        env["OPENAI_API_KEY"] = SECRET
        env["PYTHONUNBUFFERED"] = "1"
        if self.token:
            env["REEV_API_TOKEN"] = self.token
        args = [
            sys.executable,
            "-m",
            "reev",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db",
            f"sqlite:///{self.db}",
            "--workers",
            str(self.workers),
            "--benchmarks",
            str(BUNDLED),
            "--log-level",
            "warning",
            *self._worker_processes_args(),
            *self.extra_args,
        ]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"reev serve exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"reev serve did not answer: {self.log.read_text()[-2000:]}")

    def _worker_processes_args(self) -> tuple[str, ...]:
        if self.default_worker_processes or "--worker-processes" in self.extra_args:
            return ()
        return ("--worker-processes", "0")

    def kill9(self) -> None:
        """SIGKILL the server this object started (nothing else)."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return httpx.get(self.url + path, timeout=30, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        headers = self.headers() | kw.pop("headers", {})
        return httpx.post(self.url + path, timeout=30, headers=headers, **kw)

    def wait_settled(self, ids: list[str], timeout: float = 120) -> dict[str, dict[str, Any]]:
        """Poll the jobs list until none of `ids` is Queued or Running."""
        deadline = time.monotonic() + timeout
        wanted = set(ids)
        while True:
            jobs: dict[str, dict[str, Any]] = {}
            offset = 0
            while True:
                page = self.get(f"/api/v1/jobs?limit=1000&offset={offset}").json()["items"]
                jobs.update({j["id"]: j for j in page if j["id"] in wanted})
                if len(page) < 1000:
                    break
                offset += 1000
            if len(jobs) == len(wanted) and all(
                j["status"] not in ("Queued", "Running") for j in jobs.values()
            ):
                return jobs
            if time.monotonic() > deadline:
                raise AssertionError(f"jobs not settled: {[j['status'] for j in jobs.values()]}")
            time.sleep(0.1)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """A factory of started servers; every one is stopped at the end of the test."""
    started: list[ServeProcess] = []

    def make(**kw: Any) -> ServeProcess:
        server = ServeProcess(kw.pop("db", tmp_path / "reev.db"), **kw)
        started.append(server)
        return server.start()

    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """One server for the route-shape tests of a module."""
    server = ServeProcess(tmp_path_factory.mktemp("api") / "reev.db", workers=2).start()
    yield server
    server.stop()
