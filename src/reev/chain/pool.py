"""Reusable LiteSVM instances: a fresh LiteSVM costs ~10 ms, an episode on it ~1 ms.

A `LiteSVMPool` lends `PooledLiteSVMBackend`s. While leased, a backend records the
pristine state of every account it is about to change (written by the initial state, or
named in a transaction); on release it writes those accounts back (deleting the ones that
did not exist), so the next episode starts from exactly the VM a fresh `LiteSVM()` gives.

Results stay identical to fresh VMs, signatures included: a fresh LiteSVM's blockhash
starts at a fixed hash and is expired after every sent transaction, so the n-th
transaction of an episode is always signed with the n-th hash of that chain. The pooled
VM replays the same chain (computed once on a template VM) with its own blockhash check
off and no transaction history, so an identical transaction in a later episode is not
refused as already processed. `tests/chain/test_pool.py` checks episodes on pooled and
fresh VMs give the same results.

An episode takes the pool through its backend factory: `with pool.lease() as factory:`
gives a factory for `SolanaEnv(factory)` (the executor passes it in the episode's
`EpisodeContext`); everything drawn through it is returned when the block ends.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from solders.account import Account
from solders.address_lookup_table_account import AddressLookupTable
from solders.clock import Clock
from solders.hash import Hash
from solders.litesvm import LiteSVM
from solders.message import MessageV0
from solders.pubkey import Pubkey
from solders.transaction import Transaction, VersionedTransaction
from solders.transaction_metadata import FailedTransactionMetadata

from reev.chain.backend import ChainBackend, ExecutionOutcome, LiteSVMBackend

_EMPTY = Account(0, b"", Pubkey.default(), False, 0)


class _BlockhashChain:
    """The blockhashes a fresh LiteSVM goes through, extended on demand (shared)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._svm: LiteSVM | None = None
        self._hashes: list[Hash] = []

    def get(self, index: int) -> Hash:
        with self._lock:
            if self._svm is None:
                self._svm = LiteSVM()
                self._hashes.append(self._svm.latest_blockhash())
            while len(self._hashes) <= index:
                self._svm.expire_blockhash()
                self._hashes.append(self._svm.latest_blockhash())
            return self._hashes[index]


_CHAIN = _BlockhashChain()


class PooledLiteSVMBackend(LiteSVMBackend):
    """A LiteSVM backend that can be restored to its pristine state and lent again."""

    def __init__(self) -> None:
        self.svm = LiteSVM().with_blockhash_check(False).with_transaction_history(0)
        self._pristine: dict[Pubkey, Account | None] = {}
        self._sent = 0
        self._pristine_clock: Clock | None = None

    def set_epoch(self, epoch: int, advance_slots: int = 0) -> None:
        if self._pristine_clock is None:
            self._pristine_clock = self.svm.get_clock()
        super().set_epoch(epoch, advance_slots)

    def _remember(self, pubkey: Pubkey) -> None:
        if pubkey not in self._pristine:
            self._pristine[pubkey] = self.svm.get_account(pubkey)

    def set_account(self, pubkey: Pubkey, account: Account) -> None:
        self._remember(pubkey)
        self.svm.set_account(pubkey, account)

    def latest_blockhash(self) -> Hash:
        return _CHAIN.get(self._sent)

    def execute(self, tx: Transaction | VersionedTransaction) -> ExecutionOutcome:
        """Send at once (no separate simulation); a failure is rolled back, fee included,
        so the outcome equals LiteSVMBackend's simulate-then-send at half the VM work."""
        keys = self._touched_keys(tx)
        before = {}
        for key in keys:
            self._remember(key)
            before[key] = self.svm.get_account(key)
        result = self.svm.send_transaction(tx)
        if isinstance(result, FailedTransactionMetadata):
            for key, account in before.items():
                self.svm.set_account(key, _EMPTY if account is None else account)
            meta = result.meta()
            return ExecutionOutcome(
                ok=False,
                err=result.err(),
                logs=list(meta.logs()),
                compute_units=meta.compute_units_consumed(),
            )
        self._sent += 1
        return ExecutionOutcome(
            ok=True,
            logs=list(result.logs()),
            compute_units=result.compute_units_consumed(),
            fee=result.fee(),
            sent=True,
        )

    def _touched_keys(self, tx: Transaction | VersionedTransaction) -> list[Pubkey]:
        """Every account a transaction names, lookup-table entries of v0 messages included."""
        message = tx.message
        keys = list(message.account_keys)
        if isinstance(message, MessageV0):
            for lookup in message.address_table_lookups:
                account = self.svm.get_account(lookup.account_key)
                if account is None:
                    continue
                addresses = AddressLookupTable.deserialize(bytes(account.data)).addresses
                for i in [*lookup.writable_indexes, *lookup.readonly_indexes]:
                    if i < len(addresses):
                        keys.append(addresses[i])
        return keys

    def restore(self) -> None:
        """Put back every account changed since the last restore."""
        for pubkey, account in self._pristine.items():
            current = self.svm.get_account(pubkey)
            if account is None:
                if current is not None:
                    self.svm.set_account(pubkey, _EMPTY)
            elif current != account:
                self.svm.set_account(pubkey, account)
        self._pristine.clear()
        self._sent = 0
        if self._pristine_clock is not None:
            self.svm.set_clock(self._pristine_clock)
            self._pristine_clock = None


# Backend factories that give embedded, deterministic VMs (a pool's leases).
_EMBEDDED_FACTORIES: weakref.WeakSet[Callable[[], ChainBackend]] = weakref.WeakSet()


def is_embedded(factory: Callable[[], ChainBackend] | None) -> bool:
    """True for a factory of fresh embedded LiteSVMs (None) or of a pool's VMs."""
    return factory is None or factory in _EMBEDDED_FACTORIES


class LiteSVMPool:
    """A bounded set of reusable VMs; thread-safe."""

    def __init__(self, max_idle: int = 64) -> None:
        self.max_idle = max_idle
        self._idle: list[PooledLiteSVMBackend] = []
        self._lock = threading.Lock()
        self.created = 0

    def acquire(self) -> PooledLiteSVMBackend:
        """An idle VM, or a new one."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
            self.created += 1
        return PooledLiteSVMBackend()

    def prefill(self, count: int) -> None:
        """Create VMs until `count` are idle (at most `max_idle`): a server's workers make
        theirs at start-up instead of inside their first episodes."""
        while True:
            with self._lock:
                if len(self._idle) >= min(count, self.max_idle):
                    return
                self.created += 1
            backend = PooledLiteSVMBackend()
            with self._lock:
                self._idle.append(backend)

    def release(self, backend: PooledLiteSVMBackend) -> None:
        """Restore a VM and keep it for the next episode (dropped when it cannot be restored)."""
        try:
            backend.restore()
        except Exception:  # a VM in an unknown state is never lent again
            return
        with self._lock:
            if len(self._idle) < self.max_idle:
                self._idle.append(backend)

    @contextmanager
    def lease(self) -> Iterator[Callable[[], ChainBackend]]:
        """A backend factory drawing VMs from this pool; all are returned when the block ends."""
        leased: list[PooledLiteSVMBackend] = []

        def factory() -> ChainBackend:
            backend = self.acquire()
            leased.append(backend)
            return backend

        _EMBEDDED_FACTORIES.add(factory)
        try:
            yield factory
        finally:
            for backend in leased:
                self.release(backend)
