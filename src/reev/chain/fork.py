"""Fork mode: the embedded LiteSVM, filled lazily from an upstream RPC or a cassette.

An account the VM does not hold is fetched the first time anything needs it: the env's
setup (e.g. the USDC mint a token account refers to), a tool or observation reading it, or
a transaction referencing it — static keys, the address lookup tables of a v0 message and
the addresses they resolve to, and for upgradeable programs their ProgramData account
(which must be in the VM before the program account, or the program cannot load). The
upstream's Clock sysvar is copied too, so time-dependent programs see mainnet time.

Every answer goes through an `AccountSource`: a cassette first (replay), then the upstream
RPC (recorded into the cassette). With no upstream, a key the cassette lacks is an error
that names the cassette — never a silently empty account.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence

from solders.account import Account
from solders.address_lookup_table_account import AddressLookupTable
from solders.clock import Clock
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.transaction import Transaction, VersionedTransaction

from reev.chain.backend import ExecutionOutcome, LiteSVMBackend
from reev.chain.cassette import Cassette, RecordedClock
from reev.chain.jsonrpc import JsonRpcClient, UpstreamError

BPF_UPGRADEABLE_LOADER = Pubkey.from_string("BPFLoaderUpgradeab1e11111111111111111111111")
ADDRESS_LOOKUP_TABLE_PROGRAM = Pubkey.from_string("AddressLookupTab1e1111111111111111111111111")
CLOCK_SYSVAR = Pubkey.from_string("SysvarC1ock11111111111111111111111111111111")
_PROGRAM_TAG = 2  # UpgradeableLoaderState::Program { programdata_address }


class AccountSource:
    """Where fork mode gets accounts: a cassette (first) and/or an upstream RPC.

    One source serves a whole run (all episodes), so every episode sees the same
    snapshot of the upstream and the cassette collects everything once.
    """

    def __init__(self, upstream: JsonRpcClient | None, cassette: Cassette | None) -> None:
        if upstream is None and cassette is None:
            raise ValueError("fork mode needs an upstream RPC URL or a cassette")
        self.upstream = upstream
        self.cassette = cassette
        if upstream is not None and cassette is not None:
            cassette.record_origin("rpc", upstream.url)

    def describe(self) -> str:
        if self.upstream is not None:
            return f"upstream RPC {self.upstream.origin}"
        assert self.cassette is not None
        return f"cassette {self.cassette.path}"

    def fetch(self, pubkeys: Sequence[Pubkey]) -> dict[Pubkey, Account | None]:
        """Each key's account (None when it does not exist upstream)."""
        found: dict[Pubkey, Account | None] = {}
        missing: list[Pubkey] = []
        for pk in dict.fromkeys(pubkeys):
            if self.cassette is not None and self.cassette.has_account(pk):
                found[pk] = self.cassette.account(pk)
            else:
                missing.append(pk)
        if not missing:
            return found
        if self.upstream is None:
            assert self.cassette is not None
            shown = ", ".join(str(pk) for pk in missing[:5])
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise UpstreamError(
                f"cassette {self.cassette.path} holds no recording of account(s) {shown}{more}, "
                "and no --fork-url was given to fetch them (re-record the cassette with network)"
            )
        for pk, account in zip(missing, self.upstream.get_multiple_accounts(missing), strict=True):
            if self.cassette is not None:
                self.cassette.record_account(pk, account)
                account = self.cassette.account(pk)  # the recorded bytes, exactly
            found[pk] = account
        return found

    def clock(self) -> RecordedClock | None:
        """The upstream clock the fork starts from (recorded once per cassette)."""
        if self.cassette is not None and self.cassette.clock is not None:
            return self.cassette.clock
        if self.upstream is None:
            return None
        account = self.upstream.get_account(CLOCK_SYSVAR)
        if account is None or len(account.data) < 40:
            raise UpstreamError(f"RPC {self.upstream.origin} returned no Clock sysvar")
        slot, start, epoch, leader, unix = struct.unpack_from("<QqQQq", bytes(account.data))
        clock = RecordedClock(slot, start, epoch, leader, unix)
        if self.cassette is not None:
            self.cassette.record_clock(clock)
        return clock


class ForkBackend(LiteSVMBackend):
    """LiteSVM whose missing accounts come from an AccountSource, once each."""

    def __init__(self, source: AccountSource) -> None:
        super().__init__()
        self.source = source
        # Keys whose state is settled locally: fetched (even if absent upstream), written
        # by the setup, or touched by a transaction. They are never fetched again, so an
        # account closed on the fork does not reappear from mainnet.
        self._settled: set[Pubkey] = set()
        clock = source.clock()
        if clock is not None:
            self.svm.warp_to_slot(clock.slot)
            self.svm.set_clock(
                Clock(
                    clock.slot,
                    clock.epoch_start_timestamp,
                    clock.epoch,
                    clock.leader_schedule_epoch,
                    clock.unix_timestamp,
                )
            )

    def get_account(self, pubkey: Pubkey) -> Account | None:
        account = self.svm.get_account(pubkey)
        if account is None and pubkey not in self._settled:
            self.pull([pubkey])
            account = self.svm.get_account(pubkey)
        return account

    def set_account(self, pubkey: Pubkey, account: Account) -> None:
        self._settled.add(pubkey)
        super().set_account(pubkey, account)

    def pull(self, pubkeys: Iterable[Pubkey]) -> None:
        """Bring every not-yet-settled key into the VM (programs after their ProgramData)."""
        wanted = [
            pk
            for pk in dict.fromkeys(pubkeys)
            if pk not in self._settled and self.svm.get_account(pk) is None
        ]
        if not wanted:
            return
        fetched = self.source.fetch(wanted)
        program_data = [
            pd
            for account in fetched.values()
            if account is not None and (pd := programdata_address(account)) is not None
            if pd not in fetched and pd not in self._settled and self.svm.get_account(pd) is None
        ]
        if program_data:
            fetched.update(self.source.fetch(program_data))
        # ProgramData and plain accounts first, executable program accounts last.
        for pk, account in sorted(fetched.items(), key=lambda kv: bool(kv[1] and kv[1].executable)):
            self._settled.add(pk)
            if account is None:
                continue
            try:
                self.svm.set_account(pk, account)
            except Exception as exc:  # LiteSVM refuses programs it cannot load
                raise UpstreamError(f"cannot load forked account {pk} into LiteSVM: {exc}") from exc

    def execute(self, tx: Transaction | VersionedTransaction) -> ExecutionOutcome:
        try:
            self.pull(self._transaction_keys(tx))
        except UpstreamError as exc:
            return ExecutionOutcome(ok=False, err=f"fork: {exc}")
        outcome = super().execute(tx)
        for pk in self._static_keys(tx):
            self._settled.add(pk)
        return outcome

    def _static_keys(self, tx: Transaction | VersionedTransaction) -> list[Pubkey]:
        return list(tx.message.account_keys)

    def _transaction_keys(self, tx: Transaction | VersionedTransaction) -> list[Pubkey]:
        keys = self._static_keys(tx)
        message = tx.message
        if isinstance(message, MessageV0) and message.address_table_lookups:
            tables = [lookup.account_key for lookup in message.address_table_lookups]
            self.pull(tables)
            for lookup in message.address_table_lookups:
                account = self.svm.get_account(lookup.account_key)
                if account is None:
                    continue  # the VM reports the missing table itself
                addresses = list(AddressLookupTable.deserialize(bytes(account.data)).addresses)
                for index in [*lookup.writable_indexes, *lookup.readonly_indexes]:
                    if index < len(addresses):
                        keys.append(addresses[index])
        return keys


def programdata_address(account: Account) -> Pubkey | None:
    """The ProgramData address of an upgradeable program account, else None."""
    if not account.executable or account.owner != BPF_UPGRADEABLE_LOADER:
        return None
    data = bytes(account.data)
    if len(data) < 36 or struct.unpack_from("<I", data)[0] != _PROGRAM_TAG:
        return None
    return Pubkey.from_bytes(data[4:36])


__all__ = ["AccountSource", "ForkBackend", "programdata_address"]
