"""The record of one transaction the harness executed (or refused to execute)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from reev.results.instruction import RawInstruction

TxStatus = Literal["success", "failure", "rejected"]


class TransactionRecord(BaseModel):
    """Signature, outcome, logs and costs of a transaction.

    `failure`: the VM ran it and it failed (nothing changed). `rejected`: it could not be
    built or signed (invalid pubkey, missing signer, no instructions) and never ran.
    """

    status: TxStatus
    error: str | None = None
    signature: str | None = None
    logs: list[str] = Field(default_factory=list)
    compute_units: int = 0
    fee: int = 0
    instructions: list[RawInstruction] = Field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.status == "success"
