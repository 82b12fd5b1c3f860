"""Speed of the REST API against a real `reev serve` on loopback.

Prints:
  * 1,000 GET requests at concurrency 50 (half `/api/v1/health`, half
    `/api/v1/benchmarks`): p50 / p99 latency and requests per second;
  * 200 run requests (`POST /api/v1/benchmarks/{id}/run`, deterministic agent, over the
    bundled suite) posted at once: time until all are accepted, time until all are
    Completed/Failed, episodes per second through the queue.

The server is started as a subprocess on a free 127.0.0.1 port with a fresh SQLite file
and stopped (by its pid) at the end. Figures, not assertions.

    python bench/api_throughput.py [--requests 1000] [--concurrency 50] [--runs 200] [--workers 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "REEV_API_TOKEN"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "reev", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--db", f"sqlite:///{db}", "--workers", str(workers),
         "--benchmarks", str(ROOT / "benchmarks"), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("server did not start")


async def get_load(url: str, requests: int, concurrency: int) -> None:
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def one(i: int) -> None:
            path = "/api/v1/health" if i % 2 else "/api/v1/benchmarks"
            async with gate:
                t0 = time.perf_counter()
                r = await client.get(path)
                latencies.append(time.perf_counter() - t0)
                r.raise_for_status()

        t0 = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(requests)))
        wall = time.perf_counter() - t0
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000
    print(f"GET x{requests} at concurrency {concurrency}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
          f"{requests / wall:.0f} requests/s")  # fmt: skip


async def run_load(url: str, runs: int) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        ids = [b["id"] for b in (await client.get("/api/v1/benchmarks")).json()]
        t0 = time.perf_counter()
        responses = await asyncio.gather(
            *(
                client.post(
                    f"/api/v1/benchmarks/{ids[i % len(ids)]}/run", json={"agent": "deterministic"}
                )
                for i in range(runs)
            )
        )
        accepted = time.perf_counter() - t0
        assert all(r.status_code == 202 for r in responses)
        while True:
            counts = (await client.get("/api/v1/health")).json()["jobs"]
            if counts["Queued"] == 0 and counts["Running"] == 0:
                break
            await asyncio.sleep(0.05)
        done = time.perf_counter() - t0
    print(f"POST run x{runs} at once: all accepted in {accepted:.2f} s, all complete in "
          f"{done:.2f} s ({runs / done:.1f} episodes/s through the queue; "
          f"Completed {counts['Completed']}, Failed {counts['Failed']})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp) / "bench.db", args.workers)
        try:
            asyncio.run(get_load(url, args.requests, args.concurrency))
            asyncio.run(run_load(url, args.runs))
        finally:
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    main()
