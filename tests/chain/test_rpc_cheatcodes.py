"""surfpool's cheat codes and reev_snapshot / reev_revert on reev validator, checked
through solana-py's AsyncClient on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from solana.rpc.async_api import AsyncClient
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction

from reev.chain.rpc_server import RunningValidator, state_for
from reev.programs.ata import associated_token_address
from reev.programs.ids import TOKEN_PROGRAM

USDC = Pubkey.from_string("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")
SOL = 1_000_000_000


@pytest.fixture
def v() -> Iterator[RunningValidator]:
    with RunningValidator(state_for()) as running:
        yield running


def rpc(v: RunningValidator, method: str, params: list[Any]) -> Any:
    out = httpx.post(
        v.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    ).json()
    assert "error" not in out, out
    return out["result"]


def rpc_error(v: RunningValidator, method: str, params: list[Any]) -> dict[str, Any]:
    out = httpx.post(
        v.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    ).json()
    assert "result" not in out, out
    return dict(out["error"])


def test_set_account_creates_and_updates_fields(v: RunningValidator) -> None:
    key = Keypair().pubkey()
    owner = Keypair().pubkey()
    rpc(
        v,
        "surfnet_setAccount",
        [str(key), {"lamports": 7 * SOL, "data": "0xdeadbeef", "owner": str(owner)}],
    )

    async def read() -> Any:
        async with AsyncClient(v.url) as client:
            return (await client.get_account_info(key)).value

    info = asyncio.run(read())
    assert info.lamports == 7 * SOL and bytes(info.data) == bytes.fromhex("deadbeef")
    assert info.owner == owner and not info.executable
    rpc(v, "surfnet_setAccount", [str(key), {"lamports": 1}])  # other fields kept
    info = asyncio.run(read())
    assert (
        info.lamports == 1 and bytes(info.data) == bytes.fromhex("deadbeef") and info.owner == owner
    )
    assert rpc_error(v, "surfnet_setAccount", [str(key), {"data": "zz"}])["code"] == -32602


def test_set_token_account_creates_the_ata_and_the_known_mint(v: RunningValidator) -> None:
    owner = Keypair().pubkey()
    rpc(
        v,
        "surfnet_setTokenAccount",
        [str(owner), str(USDC), {"amount": 123_450_000}, str(TOKEN_PROGRAM)],
    )
    ata = associated_token_address(owner, USDC)

    async def read() -> tuple[Any, Any]:
        async with AsyncClient(v.url) as client:
            balance = (await client.get_token_account_balance(ata)).value
            supply = (await client.get_token_supply(USDC)).value
            return balance, supply

    balance, supply = asyncio.run(read())
    assert (balance.amount, balance.decimals, balance.ui_amount_string) == (
        "123450000",
        6,
        "123.45",
    )
    assert supply.decimals == 6
    delegate = Keypair().pubkey()
    rpc(
        v,
        "surfnet_setTokenAccount",
        [
            str(owner),
            str(USDC),
            {"delegate": str(delegate), "delegatedAmount": 5, "state": "frozen"},
        ],
    )
    parsed = rpc(v, "getAccountInfo", [str(ata), {"encoding": "jsonParsed"}])["value"]["data"][
        "parsed"
    ]
    info = parsed["info"]
    assert (
        parsed["type"] == "account"
        and info["state"] == "frozen"
        and info["delegate"] == str(delegate)
    )
    assert info["delegatedAmount"]["amount"] == "5" and info["tokenAmount"]["amount"] == "123450000"
    unknown = rpc_error(
        v, "surfnet_setTokenAccount", [str(owner), str(Keypair().pubkey()), {"amount": 1}]
    )
    assert unknown["code"] == -32602 and "not found" in unknown["message"]


def test_time_travel_moves_slot_epoch_and_clock(v: RunningValidator) -> None:
    start = rpc(v, "getEpochInfo", [])
    info = rpc(v, "surfnet_timeTravel", [{"absoluteSlot": start["absoluteSlot"] + 1000}])
    assert info["absoluteSlot"] == start["absoluteSlot"] + 1000 == rpc(v, "getSlot", [])
    info = rpc(v, "surfnet_timeTravel", [{"absoluteEpoch": start["epoch"] + 2}])
    assert info["epoch"] == start["epoch"] + 2 and info["slotIndex"] == 0
    clock_before = v.state.unix_timestamp
    target_ms = (clock_before + 3600) * 1000
    info = rpc(v, "surfnet_timeTravel", [{"absoluteTimestamp": target_ms}])
    assert v.state.unix_timestamp == clock_before + 3600
    assert (
        info["absoluteSlot"] == rpc(v, "getSlot", [])
        and info["absoluteSlot"] > start["absoluteSlot"]
    )
    back = rpc_error(v, "surfnet_timeTravel", [{"absoluteSlot": start["absoluteSlot"]}])
    assert back["code"] == -32602
    # the chain still accepts transactions with the blockhash handed out after the jump
    payer = Keypair()
    rpc(v, "requestAirdrop", [str(payer.pubkey()), SOL])
    assert rpc(v, "getBalance", [str(payer.pubkey())])["value"] == SOL


def test_snapshot_and_revert_restore_accounts_and_stay_reusable(v: RunningValidator) -> None:
    alice, bob = Keypair(), Keypair()
    rpc(v, "requestAirdrop", [str(alice.pubkey()), 3 * SOL])
    owner = Keypair().pubkey()
    rpc(v, "surfnet_setTokenAccount", [str(owner), str(USDC), {"amount": 10}])
    snap = rpc(v, "reev_snapshot", [])

    async def mutate() -> None:
        async with AsyncClient(v.url) as client:
            blockhash = (await client.get_latest_blockhash()).value.blockhash
            ix = transfer(
                TransferParams(from_pubkey=alice.pubkey(), to_pubkey=bob.pubkey(), lamports=SOL)
            )
            tx = Transaction(
                [alice], Message.new_with_blockhash([ix], alice.pubkey(), blockhash), blockhash
            )
            await client.send_transaction(tx)

    def balances() -> tuple[int, int, str | None]:
        ata = associated_token_address(owner, USDC)
        token = rpc(v, "getAccountInfo", [str(ata), {"encoding": "jsonParsed"}])["value"]
        amount = token["data"]["parsed"]["info"]["tokenAmount"]["amount"] if token else None
        return (
            rpc(v, "getBalance", [str(alice.pubkey())])["value"],
            rpc(v, "getBalance", [str(bob.pubkey())])["value"],
            amount,
        )

    at_snapshot = balances()
    assert at_snapshot == (3 * SOL, 0, "10")
    for _ in range(2):  # the same snapshot can be reverted to again
        asyncio.run(mutate())
        fresh = Keypair().pubkey()
        rpc(v, "surfnet_setTokenAccount", [str(owner), str(USDC), {"amount": 99}])
        rpc(v, "surfnet_setAccount", [str(fresh), {"lamports": 5}])
        assert balances() != at_snapshot
        result = rpc(v, "reev_revert", [snap])["value"]
        assert result["snapshot"] == snap and result["restoredAccounts"] >= 3
        assert balances() == at_snapshot
        assert rpc(v, "getAccountInfo", [str(fresh)])["value"] is None  # created after: gone
    assert rpc_error(v, "reev_revert", [snap + 100])["code"] == -32602
