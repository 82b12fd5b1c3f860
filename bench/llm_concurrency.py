"""Wall time of LLM-agent episodes at several concurrencies, against a slow loopback model.

A scripted OpenAI-compatible server on 127.0.0.1 (tests/fakes) answers every call after
`--delay` seconds (200 ms by default). Each episode of 001-sol-transfer takes two model
calls (the tool call, then the final answer) on its own VM. The server runs in a child
process, so it does not share the interpreter lock with the episodes. The script runs
`--episodes`
episodes through `run_suite` at each concurrency and prints the wall time, episodes per
second, the speed-up over concurrency 1, and whether the results equal the sequential
ones. Figures, not assertions.

    python bench/llm_concurrency.py [--episodes 100] [--delay 0.2] [--levels 1,10,50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.fakes

from tests.fakes.openai_server import Reply, ScriptedOpenAI  # noqa: E402

from reev.agents.base import Agent  # noqa: E402
from reev.agents.registry import create_agent  # noqa: E402
from reev.results.records import EpisodeResult  # noqa: E402
from reev.runner.suite import load_all, run_suite  # noqa: E402


def script(body: dict[str, Any]) -> Reply:
    """Transfer 0.1 SOL, then answer."""
    if any(m["role"] == "tool" for m in body["messages"]):
        return Reply.text("Sent 0.1 SOL.")
    return Reply.call(
        "sol_transfer",
        {
            "user_pubkey": "USER_WALLET_PUBKEY",
            "recipient_pubkey": "RECIPIENT_WALLET_PUBKEY",
            "amount": 100_000_000,
            "operation": "sol",
        },
    )


def fingerprint(results: list[EpisodeResult]) -> list[tuple[Any, ...]]:
    return [
        (r.status, r.score, [t.signature for s in r.steps for t in s.transactions]) for r in results
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:  # the child: serve until stdin closes
        with ScriptedOpenAI(script, delay=args.delay) as server:
            print(server.base_url, flush=True)
            sys.stdin.read()
        return
    levels = [int(x) for x in args.levels.split(",")]
    os.environ.setdefault("OPENAI_API_KEY", "bench-key")
    loaded = load_all([ROOT / "benchmarks" / "001-sol-transfer.yml"]) * args.episodes
    print(
        f"{args.episodes} episodes of 001-sol-transfer, 2 model calls each, "
        f"model answers after {args.delay * 1000:.0f} ms"
    )
    print(f"{'concurrency':>11} {'wall s':>8} {'episodes/s':>11} {'speed-up':>9}  same results")
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--delay", str(args.delay)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    base_url = child.stdout.readline().strip()
    try:

        def factory() -> Agent:
            return create_agent("openai", model="bench", base_url=base_url)

        baseline_time: float | None = None
        baseline: list[tuple[Any, ...]] | None = None
        for level in levels:
            t0 = time.perf_counter()
            results = asyncio.run(run_suite(loaded, factory, "openai", concurrency=level))
            wall = time.perf_counter() - t0
            passed = sum(r.passed for r in results)
            if passed != len(results):
                print(f"  warning: {len(results) - passed} episode(s) did not pass")
            fp = fingerprint(results)
            baseline_time = baseline_time or wall
            baseline = baseline or fp
            print(
                f"{level:>11} {wall:>8.2f} {len(results) / wall:>11.1f} "
                f"{baseline_time / wall:>8.1f}x  {'yes' if fp == baseline else 'NO'}"
            )
    finally:
        child.stdin.close()
        child.wait(timeout=30)


if __name__ == "__main__":
    main()
