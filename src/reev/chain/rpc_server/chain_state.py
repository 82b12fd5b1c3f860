"""The one LiteSVM the RPC server serves, with what a validator adds around it.

LiteSVM executes transactions but has no notion of slots advancing, of several recent
blockhashes being valid at once, of transaction history with slots and balances, or of
a faucet. `ChainState` adds those:

* every landed transaction (including airdrops) advances the slot by one and produces
  a new blockhash; block height equals slot; a blockhash stays valid for
  `BLOCKHASH_VALIDITY` blocks, like Solana's 150. LiteSVM's own blockhash check (only the
  latest hash) is switched off and replaced by this one, so clients that fetched a
  blockhash before another client's transaction still land theirs;
* the clock's unix_timestamp moves 400 ms per slot from the moment the server started;
* requestAirdrop is a real System transfer signed by a faucet keypair that exists only
  in this process (never printed or returned);
* every write goes through `Snapshots.before_write` so snapshots can be reverted.

All methods run on the server's event-loop thread, one at a time: LiteSVM is not
thread-safe and a transaction is applied atomically with its bookkeeping.
"""

from __future__ import annotations

import base64
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import base58
from solders.account import Account
from solders.clock import Clock
from solders.keypair import Keypair
from solders.litesvm import LiteSVM
from solders.message import Message, MessageV0
from solders.pubkey import Pubkey
from solders.system_program import TransferParams, transfer
from solders.transaction import VersionedTransaction
from solders.transaction_metadata import (
    FailedTransactionMetadata,
    InnerInstruction,
    SimulatedTransactionInfo,
    TransactionMetadata,
)

from reev.chain.rpc_server.encoding import error_json, mint_decimals, token_account_of
from reev.chain.rpc_server.encoding import ui_token_amount as _ui_amount
from reev.chain.rpc_server.records import TxRecord
from reev.chain.rpc_server.snapshot import Snapshots
from reev.programs.ids import MEMO_PROGRAM, MEMO_V1_PROGRAM, SYSTEM_PROGRAM

BLOCKHASH_VALIDITY = 150
SLOT_MS = 400
FAUCET_LAMPORTS = 500_000_000 * 10**9
LAMPORTS_PER_SIGNATURE = 5000
LOOKUP_TABLE_META_LEN = 56


class TransactionRejected(Exception):
    """The transaction cannot be processed at all (bad blockhash, duplicate, ...)."""

    def __init__(self, err: Any, logs: list[str] | None = None, units: int = 0) -> None:
        super().__init__(str(err))
        self.err = err
        self.logs = logs or []
        self.units = units


@dataclass
class Simulation:
    """The outcome of simulateTransaction / a failed preflight."""

    err: Any
    logs: list[str]
    units: int
    post_accounts: list[tuple[Pubkey, Account]]
    return_data: dict[str, Any] | None
    inner_instructions: list[dict[str, Any]]


class ChainState:
    """A LiteSVM plus slots, recent blockhashes, history, faucet and snapshots."""

    def __init__(self, svm: LiteSVM, key_map: dict[str, str] | None = None) -> None:
        self.svm = svm
        self.svm.with_blockhash_check(False)
        self.svm.with_sigverify(True)
        self.key_map: dict[str, str] = dict(key_map or {})
        self.snapshots = Snapshots(svm)
        self.records: dict[str, TxRecord] = {}
        self.by_address: dict[str, list[str]] = {}
        self.transaction_count = 0
        self.listeners: list[Callable[[TxRecord], None]] = []
        self._faucet = Keypair()
        clock = svm.get_clock()
        self._start_slot = clock.slot
        self._start_ms = int(time.time() * 1000)
        self._set_clock(clock.slot, self._start_ms // 1000)
        self._blockhashes: OrderedDict[str, int] = OrderedDict()
        self._remember_blockhash()

    # --- time ------------------------------------------------------------------------

    @property
    def slot(self) -> int:
        """The current slot (also the block height: no slot is ever skipped)."""
        return self.svm.get_clock().slot

    @property
    def unix_timestamp(self) -> int:
        """The clock sysvar's unix_timestamp."""
        return self.svm.get_clock().unix_timestamp

    def epoch_info(self) -> dict[str, int]:
        """getEpochInfo's value."""
        slot = self.slot
        schedule = self.svm.get_epoch_schedule()
        epoch, index = schedule.get_epoch_and_slot_index(slot)
        return {
            "absoluteSlot": slot,
            "blockHeight": slot,
            "epoch": epoch,
            "slotIndex": index,
            "slotsInEpoch": schedule.get_slots_in_epoch(epoch),
            "transactionCount": self.transaction_count,
        }

    def _set_clock(self, slot: int, unix_timestamp: int) -> None:
        schedule = self.svm.get_epoch_schedule()
        epoch = schedule.get_epoch(slot)
        clock = Clock(
            slot=slot,
            epoch_start_timestamp=unix_timestamp,
            epoch=epoch,
            leader_schedule_epoch=schedule.get_leader_schedule_epoch(slot),
            unix_timestamp=unix_timestamp,
        )
        self.svm.set_clock(clock)

    def travel_to(self, slot: int, unix_timestamp: int) -> None:
        """Move the clock forward (surfnet_timeTravel); a new blockhash comes with it."""
        if slot < self.slot:
            raise ValueError(f"cannot travel back in time: slot {slot} < current {self.slot}")
        self._set_clock(slot, unix_timestamp)
        self.svm.expire_blockhash()
        self._remember_blockhash()

    def timestamp_for_slot(self, slot: int) -> int:
        """The unix_timestamp a slot has at 400 ms per slot from the server's start."""
        return (self._start_ms + (slot - self._start_slot) * SLOT_MS) // 1000

    def _advance(self) -> None:
        slot = self.slot + 1
        self._set_clock(slot, max(self.unix_timestamp, self.timestamp_for_slot(slot)))
        self.svm.expire_blockhash()
        self._remember_blockhash()

    # --- blockhashes -----------------------------------------------------------------

    def _remember_blockhash(self) -> None:
        self._blockhashes[str(self.svm.latest_blockhash())] = self.slot + BLOCKHASH_VALIDITY
        while len(self._blockhashes) > 4 * BLOCKHASH_VALIDITY:
            self._blockhashes.popitem(last=False)

    def latest_blockhash(self) -> tuple[str, int]:
        """The newest blockhash and its lastValidBlockHeight."""
        text = str(self.svm.latest_blockhash())
        return text, self._blockhashes[text]

    def is_blockhash_valid(self, blockhash: str) -> bool:
        """Whether a transaction using `blockhash` would still be accepted."""
        last_valid = self._blockhashes.get(blockhash)
        return last_valid is not None and last_valid >= self.slot

    # --- accounts --------------------------------------------------------------------

    def get_account(self, address: Pubkey) -> Account | None:
        """The account, or None when it does not exist (zero lamports and no data)."""
        account = self.svm.get_account(address)
        if account is None or (account.lamports == 0 and not account.data):
            return None
        return account

    def set_account(self, address: Pubkey, account: Account) -> None:
        """Write an account (cheat codes), keeping snapshots able to undo it."""
        self.snapshots.before_write([address])
        self.svm.set_account(address, account)

    def program_accounts(self, program: Pubkey) -> list[tuple[Pubkey, Account]]:
        """Every existing account owned by `program`."""
        return [
            (address, account)
            for address, account in self.svm.get_program_accounts(program)
            if account.lamports or account.data
        ]

    # --- transactions ----------------------------------------------------------------

    def resolve_keys(self, tx: VersionedTransaction) -> tuple[list[Pubkey], list[Pubkey]]:
        """(loaded writable, loaded readonly) addresses of a v0 transaction's lookup tables."""
        message = tx.message
        if not isinstance(message, MessageV0):
            return [], []
        writable: list[Pubkey] = []
        readonly: list[Pubkey] = []
        for lookup in message.address_table_lookups:
            table = self.get_account(lookup.account_key)
            if table is None:
                raise TransactionRejected("AddressLookupTableNotFound")
            data = bytes(table.data)[LOOKUP_TABLE_META_LEN:]
            addresses = [Pubkey.from_bytes(data[i : i + 32]) for i in range(0, len(data), 32)]
            try:
                writable += [addresses[i] for i in bytes(lookup.writable_indexes)]
                readonly += [addresses[i] for i in bytes(lookup.readonly_indexes)]
            except IndexError:
                raise TransactionRejected("InvalidAddressLookupTableIndex") from None
        return writable, readonly

    def all_keys(self, tx: VersionedTransaction) -> tuple[list[Pubkey], list[Pubkey], list[Pubkey]]:
        """(all account keys in order, loaded writable, loaded readonly)."""
        writable, readonly = self.resolve_keys(tx)
        return list(tx.message.account_keys) + writable + readonly, writable, readonly

    def check_sendable(self, tx: VersionedTransaction) -> None:
        """The checks a validator makes before executing: known blockhash, not a duplicate."""
        signature = str(tx.signatures[0])
        if signature in self.records:
            raise TransactionRejected("AlreadyProcessed")
        if not self.is_blockhash_valid(str(tx.message.recent_blockhash)):
            raise TransactionRejected("BlockhashNotFound")

    def simulate(self, tx: VersionedTransaction, sig_verify: bool = True) -> Simulation:
        """Run without committing anything."""
        self.svm.with_sigverify(sig_verify)
        try:
            result = self.svm.simulate_transaction(tx)
        finally:
            self.svm.with_sigverify(True)
        if isinstance(result, FailedTransactionMetadata):
            meta = result.meta()
            return Simulation(
                err=error_json(result.err()),
                logs=list(meta.logs()),
                units=meta.compute_units_consumed(),
                post_accounts=[],
                return_data=_return_data(meta),
                inner_instructions=_inner(meta),
            )
        assert isinstance(result, SimulatedTransactionInfo)
        meta = result.meta()
        return Simulation(
            err=None,
            logs=list(meta.logs()),
            units=meta.compute_units_consumed(),
            post_accounts=list(result.post_accounts()),
            return_data=_return_data(meta),
            inner_instructions=_inner(meta),
        )

    def process(self, tx: VersionedTransaction) -> TxRecord:
        """Execute and commit a transaction (it lands even if it fails: the fee is paid)."""
        self.check_sendable(tx)
        keys, writable, readonly = self.all_keys(tx)
        self.snapshots.before_write(keys)
        pre_accounts = [self.get_account(k) for k in keys]
        result = self.svm.send_transaction(tx)
        if isinstance(result, FailedTransactionMetadata):
            meta = result.meta()
            err = error_json(result.err())
        else:
            meta = result
            err = None
        if err is not None and meta.fee() == 0:
            # Failing before the fee is collected (bad signature, unknown or broke fee
            # payer) means the transaction never lands, as on a validator.
            raise TransactionRejected(err, list(meta.logs()), meta.compute_units_consumed())
        post_accounts = [self.get_account(k) for k in keys]
        record = TxRecord(
            signature=str(tx.signatures[0]),
            slot=self.slot,
            block_time=self.unix_timestamp,
            tx=tx,
            account_keys=keys,
            loaded_writable=writable,
            loaded_readonly=readonly,
            err=err,
            fee=meta.fee(),
            logs=list(meta.logs()),
            compute_units=meta.compute_units_consumed(),
            pre_balances=[a.lamports if a else 0 for a in pre_accounts],
            post_balances=[a.lamports if a else 0 for a in post_accounts],
            pre_token_balances=self._token_balances(keys, pre_accounts),
            post_token_balances=self._token_balances(keys, post_accounts),
            inner_instructions=_inner(meta),
            return_data=_return_data(meta),
            memo=_memo(tx),
        )
        self._commit(record)
        return record

    def airdrop(self, to: Pubkey, lamports: int) -> TxRecord:
        """A faucet transfer, processed like any other transaction."""
        faucet = self._faucet.pubkey()
        balance = self.svm.get_balance(faucet) or 0
        if balance < lamports + LAMPORTS_PER_SIGNATURE:
            self.set_account(faucet, Account(FAUCET_LAMPORTS, b"", SYSTEM_PROGRAM, False, 0))
        blockhash = self.svm.latest_blockhash()
        ix = transfer(TransferParams(from_pubkey=faucet, to_pubkey=to, lamports=lamports))
        message = Message.new_with_blockhash([ix], faucet, blockhash)
        tx = VersionedTransaction(message, [self._faucet])
        sim = self.simulate(tx)
        if sim.err is not None:
            raise TransactionRejected(sim.err, sim.logs, sim.units)
        return self.process(tx)

    def _commit(self, record: TxRecord) -> None:
        self.records[record.signature] = record
        for key in dict.fromkeys(str(k) for k in record.account_keys):
            self.by_address.setdefault(key, []).append(record.signature)
        self.transaction_count += 1
        self._advance()
        for listener in list(self.listeners):
            listener(record)

    def _token_balances(
        self, keys: list[Pubkey], accounts: list[Account | None]
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for index, account in enumerate(accounts):
            ta = token_account_of(account)
            if ta is None or account is None:
                continue
            decimals = mint_decimals(ta.mint, self.get_account)
            if decimals is None:
                continue
            out.append(
                {
                    "accountIndex": index,
                    "mint": str(ta.mint),
                    "owner": str(ta.owner),
                    "programId": str(account.owner),
                    "uiTokenAmount": _ui_amount(ta.amount, decimals),
                }
            )
        return out


def _inner(meta: TransactionMetadata) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for index, group in enumerate(meta.inner_instructions()):
        if not group:
            continue
        out.append(
            {
                "index": index,
                "instructions": [_inner_json(inner) for inner in group],
            }
        )
    return out


def _inner_json(inner: InnerInstruction) -> dict[str, Any]:
    ix = inner.instruction()
    return {
        "programIdIndex": ix.program_id_index,
        "accounts": list(bytes(ix.accounts)),
        "data": base58.b58encode(bytes(ix.data)).decode(),
        "stackHeight": inner.stack_height(),
    }


def _return_data(meta: TransactionMetadata) -> dict[str, Any] | None:
    rd = meta.return_data()
    if rd is None or not bytes(rd.data):
        return None
    data = base64.b64encode(bytes(rd.data)).decode()
    return {"programId": str(rd.program_id), "data": [data, "base64"]}


def _memo(tx: VersionedTransaction) -> str | None:
    """getSignaturesForAddress's `memo`: "[len] text" per memo instruction, joined by "; "."""
    keys = list(tx.message.account_keys)
    memos: list[str] = []
    for ix in tx.message.instructions:
        if ix.program_id_index < len(keys) and keys[ix.program_id_index] in (
            MEMO_PROGRAM,
            MEMO_V1_PROGRAM,
        ):
            data = bytes(ix.data)
            memos.append(f"[{len(data)}] {data.decode('utf-8', errors='replace')}")
    return "; ".join(memos) if memos else None
