"""Sustained load on `reev serve` and `reev validator`, with hostile requests mixed in.

For each server (started as a subprocess on a free loopback port, stopped by its pid):
  * `--seconds` of requests at concurrency `--concurrency` (default 50), where one request
    in ten is hostile (API: an alias-bomb upload, a 5,000-digit integer, a wrong Host, a
    64-bit-overflowing Last-Event-ID; validator: 2,000-deep JSON, a 5,000-digit integer,
    surfnet_timeTravel to epoch 10^18, an airdrop with a wrong Host) and the rest are ordinary reads (API: health, the
    benchmark list, job list; validator: getLatestBlockhash, getBalance, getSlot);
  * requests/s, p50 and p99 latency of the ordinary requests, the answers seen for the
    hostile ones (status codes / JSON-RPC error codes), and the server's RSS before and
    after (from /proc), so a leak or a slowdown shows as numbers.

Figures, not assertions.

    python bench/sustained_load.py [--seconds 20] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SOL_TRANSFER = (ROOT / "benchmarks" / "001-sol-transfer.yml").read_text(encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start(args: list[str], health: str) -> tuple[subprocess.Popen[bytes], str]:
    env = {k: v for k, v in os.environ.items() if k != "REEV_API_TOKEN"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "reev", *args],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    port = args[args.index("--port") + 1]
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + health, timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit(f"{args[0]} did not start")


def bomb() -> str:
    lines = ["  - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  - &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return SOL_TRANSFER.replace("id: 001-sol-transfer", "id: bomb") + "x:\n" + "\n".join(lines)


Request = Callable[[httpx.AsyncClient], Awaitable[str]]


async def sustain(
    url: str, ordinary: list[Request], hostile: list[Request], seconds: float, concurrency: int
) -> None:
    latencies: list[float] = []
    answers: collections.Counter[str] = collections.Counter()
    errors = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def worker(w: int) -> None:
            nonlocal errors
            i = w
            while time.monotonic() < deadline:
                i += concurrency
                if i % 10 == 0:
                    request = hostile[(i // 10) % len(hostile)]
                    try:
                        answers[await request(client)] += 1
                    except httpx.HTTPError as exc:
                        answers[f"transport error {type(exc).__name__}"] += 1
                    continue
                t0 = time.perf_counter()
                try:
                    await ordinary[i % len(ordinary)](client)
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(concurrency)))
        wall = time.perf_counter() - t0
    latencies.sort()
    total = len(latencies) + sum(answers.values())
    p50 = statistics.median(latencies) * 1000 if latencies else 0.0
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000 if latencies else 0.0
    print(f"  {total / wall:.0f} requests/s over {wall:.0f} s at concurrency {concurrency} "
          f"({len(latencies)} ordinary: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
          f"{errors} transport errors)")  # fmt: skip
    for answer, n in sorted(answers.items()):
        print(f"  hostile → {answer}: {n}")


def api_requests() -> tuple[list[Request], list[Request]]:
    async def get(client: httpx.AsyncClient, path: str, **kw: object) -> str:
        r = await client.get(path, **kw)  # type: ignore[arg-type]
        return str(r.status_code)

    async def upload(client: httpx.AsyncClient, text: str) -> str:
        r = await client.post("/api/v1/upsert-yml", json={"yml_content": text})
        return f"upload {r.status_code}"

    huge = SOL_TRANSFER.replace("weight: 1.0", "weight: " + "9" * 5000, 1)
    bomb_text = bomb()
    ordinary: list[Request] = [
        lambda c: get(c, "/api/v1/health"),
        lambda c: get(c, "/api/v1/benchmarks"),
        lambda c: get(c, "/api/v1/jobs?limit=20"),
    ]

    async def wrong_host(c: httpx.AsyncClient) -> str:
        return "wrong Host " + await get(c, "/api/v1/health", headers={"host": "evil.example"})

    async def event_id(c: httpx.AsyncClient) -> str:
        r = await c.get("/api/v1/events?follow=false", headers={"Last-Event-ID": "9" * 30})
        return f"Last-Event-ID 10^30 {r.status_code}"

    hostile: list[Request] = [
        lambda c: upload(c, bomb_text),
        lambda c: upload(c, huge),
        wrong_host,
        event_id,
    ]
    return ordinary, hostile


def rpc_requests() -> tuple[list[Request], list[Request]]:
    async def call(client: httpx.AsyncClient, body: bytes) -> str:
        r = await client.post("/", content=body, headers={"content-type": "application/json"})
        data = r.json()
        return f"JSON-RPC {data['error']['code']}" if "error" in data else "result"

    def req(method: str, params: list[object]) -> bytes:
        return json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()

    ordinary: list[Request] = [
        lambda c: call(c, req("getLatestBlockhash", [])),
        lambda c: call(c, req("getBalance", ["11111111111111111111111111111111"])),
        lambda c: call(c, req("getSlot", [])),
    ]
    deep = b"[" * 2000 + b"]" * 2000
    big = req("getBalance", []).replace(b"[]", b"[" + b"9" * 5000 + b"]")
    travel = req("surfnet_timeTravel", [{"absoluteEpoch": 10**18}])

    async def labelled(c: httpx.AsyncClient, label: str, body: bytes) -> str:
        return f"{label}: {await call(c, body)}"

    async def wrong_host(c: httpx.AsyncClient) -> str:
        airdrop = req("requestAirdrop", ["11111111111111111111111111111112", 1])
        r = await c.post(
            "/",
            content=airdrop,
            headers={"content-type": "application/json", "host": "evil.example"},
        )
        return f"wrong Host {r.status_code}"

    hostile: list[Request] = [
        lambda c: labelled(c, "2,000-deep JSON", deep),
        lambda c: labelled(c, "5,000-digit integer", big),
        lambda c: labelled(c, "timeTravel epoch 10^18", travel),
        wrong_host,
    ]
    return ordinary, hostile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        proc, url = start(
            ["serve", "--port", str(port), "--db", f"sqlite:///{Path(tmp) / 'bench.db'}",
             "--workers", "0", "--benchmarks", str(ROOT / "benchmarks"),
             "--log-level", "warning"],
            "/api/v1/health",
        )  # fmt: skip
        try:
            before = rss_mb(proc.pid)
            print(f"reev serve (RSS {before:.0f} MB before)")
            ordinary, hostile = api_requests()
            asyncio.run(sustain(url, ordinary, hostile, args.seconds, args.concurrency))
            print(f"  RSS after {rss_mb(proc.pid):.0f} MB")
        finally:
            proc.terminate()
            proc.wait(30)
        port = free_port()
        proc, url = start(
            ["validator", "--port", str(port), "--ws-port", str(free_port())], "/health"
        )
        try:
            before = rss_mb(proc.pid)
            print(f"reev validator (RSS {before:.0f} MB before)")
            ordinary, hostile = rpc_requests()
            asyncio.run(sustain(url, ordinary, hostile, args.seconds, args.concurrency))
            print(f"  RSS after {rss_mb(proc.pid):.0f} MB")
        finally:
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    main()
