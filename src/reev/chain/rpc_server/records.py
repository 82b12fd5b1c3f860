"""What the server remembers of each processed transaction.

LiteSVM's own history keeps only the execution metadata, not the transaction, its
slot or balances, so the server records everything getTransaction,
getSignatureStatuses and getSignaturesForAddress must answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from solders.pubkey import Pubkey
from solders.transaction import VersionedTransaction


@dataclass
class TxRecord:
    """One transaction that landed (successfully or not: a failed one still pays its fee)."""

    signature: str
    slot: int
    block_time: int
    tx: VersionedTransaction
    account_keys: list[Pubkey]
    loaded_writable: list[Pubkey]
    loaded_readonly: list[Pubkey]
    err: Any  # Solana JSON form of the TransactionError, None on success
    fee: int
    logs: list[str]
    compute_units: int
    pre_balances: list[int]
    post_balances: list[int]
    pre_token_balances: list[dict[str, Any]]
    post_token_balances: list[dict[str, Any]]
    inner_instructions: list[dict[str, Any]] = field(default_factory=list)
    return_data: dict[str, Any] | None = None
    memo: str | None = None
