"""The interface a chain backend offers SolanaEnv, and the embedded LiteSVM backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from solders.account import Account
from solders.hash import Hash
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey
from solders.transaction import Transaction, VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata


@dataclass
class ExecutionOutcome:
    """What a backend reports for one transaction."""

    ok: bool
    err: object | None = None
    logs: list[str] = field(default_factory=list)
    compute_units: int = 0
    fee: int = 0
    sent: bool = False


class ChainBackend(Protocol):
    """What SolanaEnv needs from a chain: read and write accounts, run transactions."""

    def get_account(self, pubkey: Pubkey) -> Account | None: ...

    def set_account(self, pubkey: Pubkey, account: Account) -> None: ...

    def latest_blockhash(self) -> Hash: ...

    def minimum_balance_for_rent_exemption(self, data_len: int) -> int: ...

    def execute(self, tx: Transaction | VersionedTransaction) -> ExecutionOutcome: ...

    def program_accounts(self, program: Pubkey) -> list[tuple[Pubkey, Account]]: ...


@runtime_checkable
class ClockControl(Protocol):
    """A backend whose clock a benchmark may set (the embedded VM; not a real cluster)."""

    def current_epoch(self) -> int: ...

    def set_epoch(self, epoch: int, advance_slots: int = 0) -> None: ...


class LiteSVMBackend:
    """The embedded default: an in-process LiteSVM with the standard programs loaded.

    A transaction is simulated first and only sent when the simulation succeeds, so a
    failing transaction changes nothing (no fee either), as with reev's surfpool flow.
    The blockhash is expired after every transaction: LiteSVM's never advances by itself,
    and an identical transaction would otherwise be refused as already processed.
    """

    def __init__(self) -> None:
        self.svm = LiteSVM()

    def get_account(self, pubkey: Pubkey) -> Account | None:
        return self.svm.get_account(pubkey)

    def current_epoch(self) -> int:
        """The epoch of the Clock sysvar."""
        return int(self.svm.get_clock().epoch)

    def set_epoch(self, epoch: int, advance_slots: int = 0) -> None:
        """Warp the Clock sysvar to `epoch`, `advance_slots` slots later (the embedded VM
        never advances by itself; a benchmark declares the warps its tasks need)."""
        clock = self.svm.get_clock()
        schedule = self.svm.get_epoch_schedule()
        clock.slot = max(clock.slot + advance_slots, schedule.get_first_slot_in_epoch(epoch))
        clock.epoch = epoch
        self.svm.set_clock(clock)

    def set_account(self, pubkey: Pubkey, account: Account) -> None:
        self.svm.set_account(pubkey, account)

    def latest_blockhash(self) -> Hash:
        return self.svm.latest_blockhash()

    def minimum_balance_for_rent_exemption(self, data_len: int) -> int:
        return self.svm.minimum_balance_for_rent_exemption(data_len)

    def program_accounts(self, program: Pubkey) -> list[tuple[Pubkey, Account]]:
        # Sorted by address: LiteSVM's own order depends on its insert/delete history,
        # so a reused VM (chain.pool) would otherwise list the same accounts differently.
        return sorted(self.svm.get_program_accounts(program), key=lambda item: bytes(item[0]))

    def execute(self, tx: Transaction | VersionedTransaction) -> ExecutionOutcome:
        sim = self.svm.simulate_transaction(tx)
        if isinstance(sim, FailedTransactionMetadata):
            meta = sim.meta()
            return ExecutionOutcome(
                ok=False,
                err=sim.err(),
                logs=list(meta.logs()),
                compute_units=meta.compute_units_consumed(),
            )
        result = self.svm.send_transaction(tx)
        self.svm.expire_blockhash()
        if isinstance(result, FailedTransactionMetadata):  # pragma: no cover - sim said ok
            meta = result.meta()
            return ExecutionOutcome(
                ok=False,
                err=result.err(),
                logs=list(meta.logs()),
                compute_units=meta.compute_units_consumed(),
                fee=meta.fee(),
                sent=True,
            )
        return ExecutionOutcome(
            ok=True,
            logs=list(result.logs()),
            compute_units=result.compute_units_consumed(),
            fee=result.fee(),
            sent=True,
        )
