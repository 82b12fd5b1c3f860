"""Snapshots of a LiteSVM's accounts by copy-on-write (LiteSVM has no snapshot API).

A snapshot starts empty. Before the server writes an account (a cheat code, an
airdrop, or any account a transaction lists), it calls `before_write`, which stores the
account's current state in every snapshot that has not saved that address yet. So a
snapshot holds exactly the accounts changed since it was taken, as they were when it
was taken, and reverting writes them back (absent ones as empty, i.e. deleted).
Cost: one account copy per address first written after each snapshot; nothing is
copied at snapshot time. A snapshot stays valid after a revert and can be reused.
"""

from __future__ import annotations

from collections.abc import Iterable

from solders.account import Account
from solders.litesvm import LiteSVM
from solders.pubkey import Pubkey

from reev.programs.ids import SYSTEM_PROGRAM

EMPTY = Account(0, b"", SYSTEM_PROGRAM, False, 0)


class Snapshots:
    """Numbered copy-on-write snapshots of one LiteSVM's accounts."""

    def __init__(self, svm: LiteSVM) -> None:
        self._svm = svm
        self._saved: dict[int, dict[Pubkey, Account | None]] = {}
        self._next = 1

    def take(self) -> int:
        """Start a snapshot of the current account state; returns its id."""
        sid = self._next
        self._next += 1
        self._saved[sid] = {}
        return sid

    def ids(self) -> list[int]:
        """The ids of the snapshots that can be reverted to."""
        return sorted(self._saved)

    def before_write(self, addresses: Iterable[Pubkey]) -> None:
        """Save the pre-write state of `addresses` into every snapshot lacking them."""
        if not self._saved:
            return
        for address in addresses:
            current: Account | None = None
            loaded = False
            for saved in self._saved.values():
                if address in saved:
                    continue
                if not loaded:
                    current = self._svm.get_account(address)
                    loaded = True
                saved[address] = current

    def revert(self, sid: int) -> int:
        """Write snapshot `sid` back; returns how many accounts were restored.

        Later snapshots also saw these writes, so they receive the pre-revert state
        first (they remain valid). Raises KeyError for an unknown id.
        """
        saved = self._saved[sid]
        self.before_write(list(saved))
        for address, account in saved.items():
            self._svm.set_account(address, account if account is not None else EMPTY)
        restored = len(saved)
        # The accounts now equal their state at `sid`: nothing is pending for it any more.
        self._saved[sid] = {}
        return restored
