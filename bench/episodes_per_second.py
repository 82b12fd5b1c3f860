"""Episodes per second of suites with recording on, memory over 10,000 episodes, and the
concurrency speed-up against a slow loopback model. Figures, not assertions.

1. Speed: the reference (`deterministic`) agent over the shipped suite, every result
   written to a SQLite store (normalized rows + full JSON), in one process, through
   `run_matrix` — with reused LiteSVMs (the default) and with a fresh LiteSVM per
   episode, and the ratio. Target: >= 200 episodes/s with reuse on a 2-core machine.
2. Memory: resident set size after 1,000 … 10,000 episodes (results streamed into the
   store, not kept); it must stay flat.
3. Concurrency: 100 episodes of an LLM agent (`openai`) whose loopback model answers
   after 200 ms (two calls per episode), at concurrency 1, 10 and 50, stored; wall time
   and speed-up over concurrency 1.

    python bench/episodes_per_second.py [--episodes 2000] [--memory 10000] [--skip-llm]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.fakes

from reev.agents.registry import create_agent  # noqa: E402
from reev.runner.executors import LocalExecutor  # noqa: E402
from reev.runner.suite import AgentEntry, SuiteProgress, load_all, run_matrix  # noqa: E402
from reev.store import open_store  # noqa: E402


def rss_mb() -> float:
    """Current resident set size in MiB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def deterministic() -> list[AgentEntry]:
    return [AgentEntry("deterministic", lambda: create_agent("deterministic"))]


def speed(episodes: int, tmp: Path) -> None:
    loaded = [item for item in load_all([ROOT / "benchmarks"]) if item.benchmark is not None]
    epochs = max(1, episodes // len(loaded))
    total = epochs * len(loaded)
    print(f"1. {len(loaded)} shipped benchmarks × {epochs} epochs = {total} episodes, stored")
    rates = {}
    for reuse in (True, False):
        n = total if reuse else max(len(loaded), total // 10)
        ep = max(1, n // len(loaded))
        with open_store(f"sqlite:///{tmp / f'speed-{reuse}.db'}") as store:
            t0 = time.perf_counter()
            out = asyncio.run(
                run_matrix(
                    loaded,
                    deterministic(),
                    epochs=ep,
                    store=store,
                    run_id="speed",
                    executor=LocalExecutor(reuse_vms=reuse),
                    keep_results=False,
                )
            )
            wall = time.perf_counter() - t0
            stored = store.count_episodes("speed")
            passed = sum(e.passed for e in store.list_episodes(run_id="speed"))
        rates[reuse] = out.executed / wall
        label = "reused VMs " if reuse else "fresh VMs  "
        print(
            f"   {label} {out.executed:>6} episodes in {wall:6.2f} s = {rates[reuse]:7.1f} episodes/s"
            f"  (stored {stored}, passed {passed})"
        )
    print(
        f"   reuse speed-up: {rates[True] / rates[False]:.1f}x; target >= 200 episodes/s: "
        f"{'met' if rates[True] >= 200 else 'NOT met'}"
    )


def memory(count: int, tmp: Path) -> None:
    loaded = [item for item in load_all([ROOT / "benchmarks"]) if item.benchmark is not None]
    epochs = max(1, count // len(loaded))
    print(f"2. memory while running {epochs * len(loaded)} episodes into the store (one run)")
    print(f"   {'episodes':>9} {'RSS MiB':>9}")
    print(f"   {0:>9} {rss_mb():>9.1f}")
    marks = {m for m in range(1000, epochs * len(loaded) + 1, 1000)}

    def sample(p: SuiteProgress) -> None:
        if p.done in marks:
            print(f"   {p.done:>9} {rss_mb():>9.1f}", flush=True)

    with open_store(f"sqlite:///{tmp / 'memory.db'}") as store:
        asyncio.run(
            run_matrix(
                loaded,
                deterministic(),
                epochs=epochs,
                store=store,
                run_id="memory",
                keep_results=False,
                on_progress=sample,
            )
        )


def llm(delay: float, episodes: int, levels: list[int], tmp: Path) -> None:
    print(
        f"3. {episodes} openai-agent episodes, loopback model answering after {delay * 1000:.0f} ms"
    )
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--delay", str(delay)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    base_url = child.stdout.readline().strip()
    os.environ.setdefault("OPENAI_API_KEY", "bench-key")
    loaded = load_all([ROOT / "benchmarks" / "001-sol-transfer.yml"])
    agents = [
        AgentEntry("openai", lambda: create_agent("openai", model="bench", base_url=base_url))
    ]
    try:
        base: float | None = None
        print(
            f"   {'concurrency':>11} {'wall s':>8} {'episodes/s':>11} {'speed-up':>9} {'passed':>7}"
        )
        for level in levels:
            with open_store(f"sqlite:///{tmp / f'llm-{level}.db'}") as store:
                t0 = time.perf_counter()
                asyncio.run(
                    run_matrix(
                        loaded,
                        agents,
                        epochs=episodes,
                        concurrency=level,
                        store=store,
                        run_id="llm",
                        keep_results=False,
                    )
                )
                wall = time.perf_counter() - t0
                passed = sum(e.passed for e in store.list_episodes(run_id="llm"))
            base = base or wall
            print(
                f"   {level:>11} {wall:>8.2f} {episodes / wall:>11.1f} {base / wall:>8.1f}x {passed:>7}"
            )
    finally:
        child.stdin.close()
        child.wait(timeout=30)


def serve(delay: float) -> None:
    from tests.fakes.openai_server import Reply, ScriptedOpenAI

    def script(body: dict[str, Any]) -> Reply:
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

    with ScriptedOpenAI(script, delay=delay) as server:
        print(server.base_url, flush=True)
        sys.stdin.read()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--episodes", type=int, default=2000)
    parser.add_argument("--memory", type=int, default=10_000)
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--llm-episodes", type=int, default=100)
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument("--skip-llm", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.delay)
        return
    with tempfile.TemporaryDirectory(prefix="reev-bench-") as d:
        tmp = Path(d)
        speed(args.episodes, tmp)
        if args.memory:
            memory(args.memory, tmp)
        if not args.skip_llm:
            llm(args.delay, args.llm_episodes, [int(x) for x in args.levels.split(",")], tmp)


if __name__ == "__main__":
    main()
