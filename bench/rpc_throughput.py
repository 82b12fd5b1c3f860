"""Transactions per second through `reev validator` with solana-py's AsyncClient.

Starts a validator on 127.0.0.1 (in-process thread), funds payers by airdrop, then
sends `--count` signed SOL transfers and prints, for one run:
  * sequential: one client, send_transaction awaited one at a time (preflight on);
  * concurrent: `--concurrency` clients sending at once (the server is one event loop,
    so this shows how much HTTP overhead overlaps, not parallel execution);
  * skipPreflight: sequential without the preflight simulation;
  * reads: getBalance calls per second;
  * raw LiteSVM transfers per second on one VM, and the RPC/raw ratio.
Every landed transfer is checked afterwards (balances add up). Figures, not assertions.

    python bench/rpc_throughput.py [--count 500] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from solana.rpc.async_api import AsyncClient
from solana.rpc.models import TxOpts
from solders.account import Account
from solders.hash import Hash
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import Message
from solders.system_program import ID as SYSTEM_PROGRAM
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction

from reev.chain.rpc_server import RunningValidator, state_for

SOL = 1_000_000_000


def _tx(payer: Keypair, to: Keypair, lamports: int, blockhash: Hash) -> Transaction:
    ix = transfer(
        TransferParams(from_pubkey=payer.pubkey(), to_pubkey=to.pubkey(), lamports=lamports)
    )
    return Transaction(
        [payer], Message.new_with_blockhash([ix], payer.pubkey(), blockhash), blockhash
    )


async def _send_many(url: str, payer: Keypair, to: Keypair, count: int, skip: bool) -> float:
    async with AsyncClient(url) as client:
        opts = TxOpts(skip_preflight=skip, skip_confirmation=True)
        t0 = time.perf_counter()
        for i in range(count):
            blockhash = (await client.get_latest_blockhash()).value.blockhash
            await client.send_transaction(_tx(payer, to, 1_000 + i, blockhash), opts=opts)
        return time.perf_counter() - t0


async def _fund(url: str, payers: list[Keypair]) -> None:
    async with AsyncClient(url) as client:
        for payer in payers:
            await client.request_airdrop(payer.pubkey(), 1_000 * SOL)


async def _reads(url: str, who: Keypair, count: int) -> float:
    async with AsyncClient(url) as client:
        t0 = time.perf_counter()
        for _ in range(count):
            await client.get_balance(who.pubkey())
        return time.perf_counter() - t0


def raw_litesvm(count: int) -> float:
    svm = LiteSVM()
    payer, to = Keypair(), Keypair()
    svm.set_account(payer.pubkey(), Account(10**15, b"", SYSTEM_PROGRAM, False, 0))
    t0 = time.perf_counter()
    for i in range(count):
        svm.send_transaction(_tx(payer, to, 1_000 + i, svm.latest_blockhash()))
        svm.expire_blockhash()
    return count / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    count, conc = args.count, args.concurrency

    with RunningValidator(state_for()) as v:
        payers = [Keypair() for _ in range(conc + 2)]
        to = Keypair()
        asyncio.run(_fund(v.url, [*payers, to]))  # the recipient must be rent-exempt
        # each send = getLatestBlockhash + sendTransaction, as a typical client does
        seq = count / asyncio.run(_send_many(v.url, payers[0], to, count, skip=False))
        skip = count / asyncio.run(_send_many(v.url, payers[1], to, count, skip=True))

        async def concurrent() -> float:
            per = count // conc
            t0 = time.perf_counter()
            await asyncio.gather(*(_send_many(v.url, p, to, per, False) for p in payers[2:]))
            return per * conc / (time.perf_counter() - t0)

        par = asyncio.run(concurrent())
        reads = count / asyncio.run(_reads(v.url, to, count))
        landed = v.state.transaction_count - len(payers) - 1
        ok = all(r.err is None for r in v.state.records.values())
        expected = count * 2 + (count // conc) * conc
    raw = raw_litesvm(count)
    print(f"transactions: {landed} landed (expected {expected}), all succeeded: {ok}")
    print(f"sequential, preflight on : {seq:8.1f} tx/s")
    print(f"sequential, skipPreflight: {skip:8.1f} tx/s")
    print(f"{conc} concurrent clients    : {par:8.1f} tx/s")
    print(f"getBalance reads         : {reads:8.1f} req/s")
    print(f"raw LiteSVM (no RPC)     : {raw:8.1f} tx/s")
    print(f"RPC / raw ratio          : {seq / raw:8.3f} (sequential, preflight on)")


if __name__ == "__main__":
    main()
