"""A transaction sent to reev validator over RPC (solana-py) changes the chain exactly
as SolanaEnv.execute changes the embedded chain: same benchmark, same seed, same
instructions → byte-identical accounts afterwards."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from solana.rpc.async_api import AsyncClient
from solana.rpc.core import RPCException
from solders.instruction import Instruction
from solders.message import Message
from solders.pubkey import Pubkey
from solders.transaction import Transaction

from reev.benchmark.loader import load_benchmark
from reev.chain.backend import LiteSVMBackend
from reev.chain.env import SolanaEnv
from reev.chain.rpc_server import RunningValidator, state_for
from reev.programs import system, token
from reev.results.instruction import RawInstruction

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
USDC = Pubkey.from_string("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")


def _sol_transfer(k: dict[str, Pubkey]) -> list[Instruction]:
    return [system.transfer(k["USER_WALLET_PUBKEY"], k["RECIPIENT_WALLET_PUBKEY"], 100_000_000)]


def _spl_transfer(k: dict[str, Pubkey]) -> list[Instruction]:
    return [
        token.transfer(
            k["USER_USDC_ATA"], k["RECIPIENT_USDC_ATA"], k["USER_WALLET_PUBKEY"], 15_000_000
        )
    ]


def _spl_overdraw(k: dict[str, Pubkey]) -> list[Instruction]:
    return [
        token.transfer(k["USER_USDC_ATA"], k["RECIPIENT_USDC_ATA"], k["USER_WALLET_PUBKEY"], 10**12)
    ]


@pytest.mark.parametrize(
    ("file", "build", "lands"),
    [
        ("001-sol-transfer.yml", _sol_transfer, True),
        ("002-spl-transfer.yml", _spl_transfer, True),
        ("002-spl-transfer.yml", _spl_overdraw, False),
    ],
)
def test_rpc_transaction_matches_embedded_execution(file: str, build: Any, lands: bool) -> None:
    benchmark = load_benchmark(BENCHMARKS / file)
    embedded = SolanaEnv(LiteSVMBackend)
    embedded.reset(benchmark, 11)
    keys = {name: Pubkey.from_string(pk) for name, pk in embedded.key_map.items()}
    instructions = build(keys)
    record = embedded.execute([RawInstruction.from_instruction(ix) for ix in instructions])
    assert (record.status == "success") is lands
    backend = embedded.backend
    assert isinstance(backend, LiteSVMBackend)
    addresses = list(keys.values())
    expected = [backend.get_account(a) for a in addresses]

    user = embedded.keys.signers[str(keys["USER_WALLET_PUBKEY"])]

    async def over_rpc(url: str) -> list[Any]:
        async with AsyncClient(url) as client:
            blockhash = (await client.get_latest_blockhash()).value.blockhash
            message = Message.new_with_blockhash(instructions, user.pubkey(), blockhash)
            tx = Transaction([user], message, blockhash)
            try:
                sig = (await client.send_transaction(tx)).value
                status = (await client.get_signature_statuses([sig])).value[0]
                assert status is not None and status.err is None
                assert lands
            except RPCException:
                assert not lands
            return list((await client.get_multiple_accounts(addresses)).value)

    with RunningValidator(state_for(benchmark, 11)) as v:
        got = asyncio.run(over_rpc(v.url))

    for address, want, have in zip(addresses, expected, got, strict=True):
        if want is None:
            assert have is None, address
            continue
        assert have is not None, address
        assert (have.lamports, bytes(have.data), have.owner) == (
            want.lamports,
            bytes(want.data),
            want.owner,
        ), address
