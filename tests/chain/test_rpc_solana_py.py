"""reev validator driven by solana-py's AsyncClient (a real third-party client) on 127.0.0.1.

solana-py parses every response with solders' strict RPC types, so a response with a
wrong shape fails these tests, not just a wrong value.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from solana.rpc.async_api import AsyncClient
from solana.rpc.commitment import Confirmed
from solana.rpc.core import RPCException
from solana.rpc.models import MemcmpOpts, TokenAccountOpts, TxOpts
from solana.rpc.websocket_api import SolanaWsClient
from solders.keypair import Keypair
from solders.message import Message
from solders.pubkey import Pubkey
from solders.rpc.errors import SendTransactionPreflightFailureMessage
from solders.rpc.responses import SignatureNotification
from solders.system_program import TransferParams, transfer
from solders.transaction import Transaction, VersionedTransaction

from reev.benchmark.loader import load_benchmark
from reev.benchmark.resolve import resolve_keys
from reev.chain.rpc_server import RunningValidator, state_for
from reev.programs.ids import NATIVE_MINT, TOKEN_PROGRAM
from reev.programs.token import transfer_checked

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
USDC = Pubkey.from_string("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")
SOL = 1_000_000_000


@pytest.fixture
def spl_validator() -> Iterator[tuple[RunningValidator, dict[str, Keypair], dict[str, str]]]:
    """A validator holding 002-spl-transfer (seed 7), and the test's own copy of its keys."""
    benchmark = load_benchmark(BENCHMARKS / "002-spl-transfer.yml")
    ring = resolve_keys(benchmark, 7)
    signers = {name: ring.signers[pk] for name, pk in ring.key_map.items() if pk in ring.signers}
    with RunningValidator(state_for(benchmark, 7)) as v:
        yield v, signers, ring.key_map


@pytest.fixture
def validator() -> Iterator[RunningValidator]:
    with RunningValidator(state_for()) as v:
        yield v


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_balances_airdrop_signed_transfer_and_status(validator: RunningValidator) -> None:
    async def scenario() -> None:
        async with AsyncClient(validator.url) as client:
            assert await client.is_connected()
            alice, bob = Keypair(), Keypair()
            assert (await client.get_balance(alice.pubkey())).value == 0
            airdrop = await client.request_airdrop(alice.pubkey(), 2 * SOL)
            statuses = (await client.get_signature_statuses([airdrop.value])).value
            assert statuses[0] is not None and statuses[0].err is None
            assert (await client.get_balance(alice.pubkey())).value == 2 * SOL

            blockhash = (await client.get_latest_blockhash()).value
            assert blockhash.last_valid_block_height > (await client.get_block_height()).value
            ix = transfer(
                TransferParams(
                    from_pubkey=alice.pubkey(), to_pubkey=bob.pubkey(), lamports=SOL // 2
                )
            )
            message = Message.new_with_blockhash([ix], alice.pubkey(), blockhash.blockhash)
            fee = (await client.get_fee_for_message(message)).value
            assert fee == 5000
            tx = Transaction([alice], message, blockhash.blockhash)
            sig = (await client.send_transaction(tx)).value
            await client.confirm_transaction(sig, Confirmed)
            status = (await client.get_signature_statuses([sig])).value[0]
            assert status is not None and status.err is None
            assert str(status.confirmation_status) == "TransactionConfirmationStatus.Finalized"
            assert (await client.get_balance(bob.pubkey())).value == SOL // 2
            assert (await client.get_balance(alice.pubkey())).value == 2 * SOL - SOL // 2 - fee

            got = (await client.get_transaction(sig, "json")).value
            assert got is not None and got.slot == status.slot
            meta = got.transaction.meta
            assert meta is not None and meta.fee == fee and meta.err is None
            assert meta.pre_balances[0] - meta.post_balances[0] == SOL // 2 + fee
            assert str(got.transaction.transaction.signatures[0]) == str(sig)
            parsed = (await client.get_transaction(sig, "jsonParsed")).value
            assert parsed is not None
            ix0 = parsed.transaction.transaction.message.instructions[0]
            assert ix0.parsed["type"] == "transfer" and ix0.parsed["info"]["lamports"] == SOL // 2

            history = (await client.get_signatures_for_address(alice.pubkey())).value
            assert [h.signature for h in history] == [sig, airdrop.value]  # newest first
            limited = (await client.get_signatures_for_address(alice.pubkey(), limit=1)).value
            assert [h.signature for h in limited] == [sig]

    run(scenario())


def test_token_balances_parsed_accounts_and_spl_transfer(spl_validator: Any) -> None:
    v, signers, key_map = spl_validator
    user, recipient = (
        signers["USER_WALLET_PUBKEY"],
        Pubkey.from_string(key_map["RECIPIENT_WALLET_PUBKEY"]),
    )
    user_ata = Pubkey.from_string(key_map["USER_USDC_ATA"])
    recipient_ata = Pubkey.from_string(key_map["RECIPIENT_USDC_ATA"])

    async def scenario() -> None:
        async with AsyncClient(v.url) as client:
            bal = (await client.get_token_account_balance(user_ata)).value
            assert (bal.amount, bal.decimals, bal.ui_amount_string) == ("50000000", 6, "50")
            supply = (await client.get_token_supply(USDC)).value
            assert supply.amount == "50000000" and supply.decimals == 6
            by_owner = await client.get_token_accounts_by_owner_json_parsed(
                user.pubkey(), TokenAccountOpts(mint=USDC)
            )
            [entry] = by_owner.value
            assert entry.pubkey == user_ata
            info = entry.account.data.parsed["info"]
            assert info["tokenAmount"]["uiAmount"] == 50.0 and info["owner"] == str(user.pubkey())
            assert entry.account.data.program == "spl-token"
            by_program = await client.get_token_accounts_by_owner(
                recipient, TokenAccountOpts(program_id=TOKEN_PROGRAM)
            )
            assert [a.pubkey for a in by_program.value] == [recipient_ata]

            blockhash = (await client.get_latest_blockhash()).value.blockhash
            ix = transfer_checked(user_ata, USDC, recipient_ata, user.pubkey(), 15_000_000, 6)
            tx = Transaction(
                [user], Message.new_with_blockhash([ix], user.pubkey(), blockhash), blockhash
            )
            sig = (await client.send_transaction(tx)).value
            got = (await client.get_transaction(sig)).value
            assert got is not None
            post = {
                b.account_index: b.ui_token_amount.amount
                for b in got.transaction.meta.post_token_balances
            }
            pre = {
                b.account_index: b.ui_token_amount.amount
                for b in got.transaction.meta.pre_token_balances
            }
            assert sorted(post.values()) == ["15000000", "35000000"]
            assert sorted(pre.values()) == ["0", "50000000"]
            assert (
                await client.get_token_account_balance(recipient_ata)
            ).value.amount == "15000000"

            # getProgramAccounts with dataSize + memcmp(owner at offset 32) finds the recipient's account
            found = await client.get_program_accounts(
                TOKEN_PROGRAM,
                encoding="base64",
                filters=[165, MemcmpOpts(offset=32, bytes=str(recipient))],
            )
            assert [a.pubkey for a in found.value] == [recipient_ata]
            mints = await client.get_program_accounts(
                TOKEN_PROGRAM, encoding="base64", filters=[82]
            )
            # USDC, and the native mint that exists on every cluster (and on reev's VM)
            assert sorted(str(a.pubkey) for a in mints.value) == sorted(
                [str(USDC), str(NATIVE_MINT)]
            )
            multi = await client.get_multiple_accounts([user_ata, Keypair().pubkey()])
            assert multi.value[0] is not None and multi.value[0].owner == TOKEN_PROGRAM
            assert multi.value[1] is None

    run(scenario())


def test_preflight_failure_is_a_32002_error_and_changes_nothing(spl_validator: Any) -> None:
    v, signers, key_map = spl_validator
    user = signers["USER_WALLET_PUBKEY"]
    user_ata = Pubkey.from_string(key_map["USER_USDC_ATA"])
    recipient_ata = Pubkey.from_string(key_map["RECIPIENT_USDC_ATA"])

    async def scenario() -> None:
        async with AsyncClient(v.url) as client:
            before = (await client.get_balance(user.pubkey())).value
            blockhash = (await client.get_latest_blockhash()).value.blockhash
            ix = transfer_checked(user_ata, USDC, recipient_ata, user.pubkey(), 999_000_000, 6)
            tx = Transaction(
                [user], Message.new_with_blockhash([ix], user.pubkey(), blockhash), blockhash
            )
            sim = (await client.simulate_transaction(VersionedTransaction.from_legacy(tx))).value
            assert sim.err is not None and any(
                "insufficient funds" in log for log in sim.logs or []
            )
            with pytest.raises(RPCException) as info:
                await client.send_transaction(tx)
            error = info.value.args[0]
            # solders picks this type for code -32002 only
            assert isinstance(error, SendTransactionPreflightFailureMessage)
            assert error.message.endswith(
                "Error processing Instruction 0: custom program error: 0x1"
            )
            assert error.data.units_consumed and error.data.err is not None
            assert (await client.get_balance(user.pubkey())).value == before
            # skipPreflight: the failing transaction lands and pays its fee, like on Solana
            sig = (await client.send_transaction(tx, opts=TxOpts(skip_preflight=True))).value
            status = (await client.get_signature_statuses([sig])).value[0]
            assert status is not None and status.err is not None
            assert (await client.get_balance(user.pubkey())).value == before - 5000

    run(scenario())


def test_version_epoch_rent_and_blockhash_validity(validator: RunningValidator) -> None:
    async def scenario() -> None:
        async with AsyncClient(validator.url) as client:
            version = (await client.get_version()).value
            assert version.solana_core == "2.2.0"
            epoch = (await client.get_epoch_info()).value
            assert epoch.absolute_slot == (await client.get_slot()).value
            assert 0 <= epoch.slot_index < epoch.slots_in_epoch
            rent = (await client.get_minimum_balance_for_rent_exemption(165)).value
            assert rent == 2039280
            first = (await client.get_latest_blockhash()).value.blockhash
            await client.request_airdrop(Keypair().pubkey(), SOL)
            second = (await client.get_latest_blockhash()).value.blockhash
            assert first != second  # every landed transaction makes a block
            # an older blockhash remains usable, as on Solana (150 blocks)
            alice = Keypair()
            await client.request_airdrop(alice.pubkey(), SOL)
            ix = transfer(
                TransferParams(
                    from_pubkey=alice.pubkey(), to_pubkey=Keypair().pubkey(), lamports=SOL // 10
                )
            )
            tx = Transaction(
                [alice], Message.new_with_blockhash([ix], alice.pubkey(), first), first
            )
            sig = (await client.send_transaction(tx)).value
            assert (await client.get_signature_statuses([sig])).value[0] is not None

    run(scenario())


def test_signature_subscribe_over_websocket(validator: RunningValidator) -> None:
    async def scenario() -> None:
        async with AsyncClient(validator.url) as client:
            alice = Keypair()
            await client.request_airdrop(alice.pubkey(), SOL)
            blockhash = (await client.get_latest_blockhash()).value.blockhash
            ix = transfer(
                TransferParams(
                    from_pubkey=alice.pubkey(), to_pubkey=Keypair().pubkey(), lamports=SOL // 10
                )
            )
            tx = Transaction(
                [alice], Message.new_with_blockhash([ix], alice.pubkey(), blockhash), blockhash
            )
            async with SolanaWsClient(validator.ws_url) as ws:
                sub = await ws.signature_subscribe(signature=tx.signatures[0])
                sig = (await client.send_transaction(tx)).value
                note = await asyncio.wait_for(ws.recv(), 5)
                assert isinstance(note, SignatureNotification)
                assert note.subscription == sub.subscription_id and note.result.value.err is None
                # subscribing to an already processed signature notifies at once
                again = await ws.signature_subscribe(signature=sig)
                note = await asyncio.wait_for(ws.recv(), 5)
                assert (
                    isinstance(note, SignatureNotification)
                    and note.subscription == again.subscription_id
                )

    run(scenario())
