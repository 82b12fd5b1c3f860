"""Speed of the REST API against a real `reev serve` on loopback.

Prints:
  * 1,000 GET requests at concurrency 50 (half `/api/v1/health`, half
    `/api/v1/benchmarks`): p50 / p99 latency and requests per second, and the server's
    CPU per GET;
  * 200 run requests (`POST /api/v1/benchmarks/{id}/run`, deterministic agent, over the
    bundled suite) posted at once: time until all are accepted, time until all are
    Completed/Failed, episodes per second through the queue, and the server's CPU per
    posted run (request, queue, episode and stored result).

Both loads use a minimal HTTP/1.1 client on keep-alive connections (asyncio streams), so
what is measured is the server, not a heavyweight client sharing its cores (httpx spent
~6 ms of CPU per POST here, as much as the server); `--client httpx` measures through
httpx instead. CPU per request is the figure a busy machine disturbs least: on a shared
machine repeat a run whose latency looks off.

The server is started as a subprocess on a free 127.0.0.1 port with a fresh SQLite file
(measuring starts once `/health` reports every worker process ready, so the children's
start-up is not counted as queue work) and stopped (by its pid) at the end. Figures, not assertions.

    python bench/api_throughput.py [--requests 1000] [--concurrency 50] [--runs 200]
                                   [--workers 4] [--worker-processes N]
                                   [--client raw|httpx]

`--worker-processes N` serves with the workers in N processes of their own (`reev serve
--worker-processes`, --workers slots each); CPU figures then add the children's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
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


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc): the server's cost per
    request, which a busy machine disturbs far less than latency."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and of its live children (the server's worker processes)."""
    total = process_cpu_seconds(pid)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                total += process_cpu_seconds(int(entry.name))
        except (OSError, ValueError):
            continue  # it exited meanwhile
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    db: Path, workers: int, worker_processes: int = 0
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    # no token; bytecode caches as installed for a user (see bench/end_to_end.py)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REEV_API_TOKEN", "PYTHONDONTWRITEBYTECODE")
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "reev", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--db", f"sqlite:///{db}", "--workers", str(workers),
         "--worker-processes", str(worker_processes), "--benchmarks", str(ROOT / "benchmarks"), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # up, and every worker process ready to claim
        try:
            answer = httpx.get(url + "/api/v1/health", timeout=1)
            if answer.status_code == 200 and answer.json()["worker_processes_ready"] == (
                worker_processes
            ):
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("server did not start")


async def get_load(url: str, requests: int, concurrency: int) -> tuple[float, float, float]:
    """(p50 ms, p99 ms, requests/s) of `requests` GETs, `concurrency` in flight.

    `concurrency` keep-alive connections, each sending its share of the GETs one after
    another, with a minimal HTTP/1.1 client (asyncio streams): the latency measured is the
    server's, not a heavyweight client's own per-request cost on the same two cores
    (`--client httpx` measures through httpx instead).
    """
    if CLIENT == "httpx":
        return await _get_load_httpx(url, requests, concurrency)
    host_port = url.removeprefix("http://")
    host, _, port = host_port.partition(":")
    latencies: list[float] = []
    paths = ["/api/v1/health" if i % 2 else "/api/v1/benchmarks" for i in range(requests)]
    todo = iter(paths)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for path in todo:
                t0 = time.perf_counter()
                status, _ = await _keepalive_request(reader, writer, host_port, "GET", path)
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    raise SystemExit(f"GET {path} answered {status}")
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000
    print(f"GET x{requests} at concurrency {concurrency}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
          f"{requests / wall:.0f} requests/s")  # fmt: skip
    return p50, p99, requests / wall


CLIENT = "raw"


async def _get_load_httpx(url: str, requests: int, concurrency: int) -> tuple[float, float, float]:
    """The same load through httpx's AsyncClient (its own cost included)."""
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
    return p50, p99, requests / wall


async def _keepalive_request(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    host: str,
    method: str,
    path: str,
    body: bytes = b"",
) -> tuple[int, bytes]:
    """One HTTP/1.1 request on an open keep-alive connection: (status, body)."""
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    await writer.drain()
    answer = await reader.readuntil(b"\r\n\r\n")
    lines = answer.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def run_load(url: str, runs: int) -> float:
    """Episodes per second through the queue for `runs` posted runs.

    All runs are posted at once, on up to 100 keep-alive connections (as many as httpx's
    default pool) with the same minimal client as the GETs: httpx's own cost was ~6 ms of
    CPU per POST on the same two cores, as much as the server's (`--client httpx` posts
    through httpx instead)."""
    if CLIENT == "httpx":
        return await _run_load_httpx(url, runs)
    host_port = url.removeprefix("http://")
    host, _, port = host_port.partition(":")
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        ids = [b["id"] for b in (await client.get("/api/v1/benchmarks")).json()]
    body = json.dumps({"agent": "deterministic"}).encode()
    todo = iter(range(runs))
    statuses: list[int] = []

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for i in todo:
                path = f"/api/v1/benchmarks/{ids[i % len(ids)]}/run"
                status, _ = await _keepalive_request(reader, writer, host_port, "POST", path, body)
                statuses.append(status)
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(min(runs, 100))))
    accepted = time.perf_counter() - t0
    assert statuses == [202] * runs, statuses
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        while True:
            _, answer = await _keepalive_request(reader, writer, host_port, "GET", "/api/v1/health")
            counts = json.loads(answer)["jobs"]
            if counts["Queued"] == 0 and counts["Running"] == 0:
                break
            await asyncio.sleep(0.01)  # the poll's granularity is the figure's error
    finally:
        writer.close()
    done = time.perf_counter() - t0
    print(f"POST run x{runs} at once: all accepted in {accepted:.2f} s, all complete in "
          f"{done:.2f} s ({runs / done:.1f} episodes/s through the queue; "
          f"Completed {counts['Completed']}, Failed {counts['Failed']})")  # fmt: skip
    return runs / done


async def _run_load_httpx(url: str, runs: int) -> float:
    """The same posted runs through httpx's AsyncClient (its own cost included)."""
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
    return runs / done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-processes", type=int, default=0)
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw")
    args = parser.parse_args()
    global CLIENT
    CLIENT = args.client
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp) / "bench.db", args.workers, args.worker_processes)
        try:
            cpu0 = tree_cpu_seconds(proc.pid)
            asyncio.run(get_load(url, args.requests, args.concurrency))
            cpu = tree_cpu_seconds(proc.pid) - cpu0
            print(f"  server CPU per GET: {cpu / args.requests * 1000:.2f} ms")
            cpu0 = tree_cpu_seconds(proc.pid)
            asyncio.run(run_load(url, args.runs))
            cpu = tree_cpu_seconds(proc.pid) - cpu0
            print(f"  server CPU per posted run: {cpu / args.runs * 1000:.2f} ms "
                  "(request, queue, episode, result)")  # fmt: skip
        finally:
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    main()
