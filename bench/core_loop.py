"""Speed of the core loop: reference-agent episodes per second next to raw LiteSVM.

Prints, from one process and one run:
  * raw LiteSVM: signed SOL transfers per second on one VM (build, sign, send);
  * raw LiteSVM: fresh VMs per second (what every episode's reset starts from);
  * reev: reference-agent episodes per second over the bundled suite (load excluded,
    recording on: full EpisodeResult with observations, scoring, result JSON), once with a
    fresh VM per episode and once with VMs reused from the pool `reev run` uses;
and the ratios between them. Figures, not assertions: run it before and after a change.

    python bench/core_loop.py [--episodes N] [--transfers N] [PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from solders.account import Account
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import Message
from solders.system_program import ID as SYSTEM_PROGRAM
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction

from reev.agents.deterministic import DeterministicAgent
from reev.chain.pool import LiteSVMPool
from reev.runner.context import EpisodeContext
from reev.runner.episode import run_episode
from reev.runner.suite import load_all

ROOT = Path(__file__).resolve().parent.parent


def raw_transfers_per_second(count: int) -> float:
    svm = LiteSVM()
    payer, to = Keypair(), Keypair()
    svm.set_account(payer.pubkey(), Account(10**15, b"", SYSTEM_PROGRAM, False, 0))
    t0 = time.perf_counter()
    for i in range(count):
        ix = transfer(
            TransferParams(
                from_pubkey=payer.pubkey(), to_pubkey=to.pubkey(), lamports=1_000_000 + i
            )
        )
        blockhash = svm.latest_blockhash()
        tx = Transaction(
            [payer], Message.new_with_blockhash([ix], payer.pubkey(), blockhash), blockhash
        )
        result = svm.send_transaction(tx)
        if hasattr(result, "err"):
            raise RuntimeError(f"raw transfer failed: {result}")
    return count / (time.perf_counter() - t0)


def fresh_vms_per_second(count: int) -> float:
    t0 = time.perf_counter()
    for _ in range(count):
        LiteSVM()
    return count / (time.perf_counter() - t0)


async def episodes_per_second(path: Path, count: int, reuse_vms: bool) -> tuple[float, int]:
    """Reference episodes/s; with `reuse_vms`, VMs come from the pool `reev run` uses."""
    loaded = [item for item in load_all([path]) if item.benchmark is not None]
    if not loaded:
        raise SystemExit(f"no loadable benchmarks under {path}")
    pool = LiteSVMPool()
    done = 0
    t0 = time.perf_counter()
    while done < count:
        for item in loaded:
            assert item.benchmark is not None
            # one lease per episode, as the executors do: its VM goes back to the pool after
            if reuse_vms:
                with pool.lease() as factory:
                    context = EpisodeContext(backend_factory=factory)
                    result = await run_episode(
                        item.benchmark, DeterministicAgent(), context=context
                    )
            else:
                result = await run_episode(item.benchmark, DeterministicAgent())
            result.to_json_dict()  # recording: the JSON every output path produces
            done += 1
            if done >= count:
                break
    return done / (time.perf_counter() - t0), len(loaded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(ROOT / "benchmarks"))
    parser.add_argument("--episodes", type=int, default=300)
    parser.add_argument("--transfers", type=int, default=2000)
    args = parser.parse_args()

    transfers = raw_transfers_per_second(args.transfers)
    vms = fresh_vms_per_second(max(20, args.episodes // 10))
    eps, suite = asyncio.run(episodes_per_second(Path(args.path), args.episodes, False))
    pooled, _ = asyncio.run(episodes_per_second(Path(args.path), args.episodes, True))
    print(f"raw LiteSVM signed transfers/s : {transfers:10.1f}  (one VM, {args.transfers} txs)")
    print(f"raw LiteSVM fresh VMs/s        : {vms:10.1f}  ({1000 / vms:.2f} ms per VM)")
    print(
        f"reev reference episodes/s      : {eps:10.1f}  ({args.episodes} episodes over "
        f"{suite} benchmarks, fresh VM each, {1000 / eps:.2f} ms per episode)"
    )
    print(f"  with pooled VMs (reev run)   : {pooled:10.1f}  ({1000 / pooled:.2f} ms per episode)")
    print(f"ratio transfers/s ÷ episodes/s : {transfers / eps:10.1f}")
    print(f"ratio fresh VMs/s ÷ episodes/s : {vms / eps:10.1f}")
    print(f"ratio transfers/s ÷ pooled/s   : {transfers / pooled:10.1f}")


if __name__ == "__main__":
    main()
