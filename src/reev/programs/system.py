"""System program builders (thin wrappers over solders for the names reev uses)."""

from __future__ import annotations

from solders.instruction import Instruction
from solders.pubkey import Pubkey
from solders.system_program import AssignParams, TransferParams
from solders.system_program import assign as _assign
from solders.system_program import transfer as _transfer

SYSTEM_INSTRUCTION_NAMES: dict[int, str] = {
    0: "CreateAccount",
    1: "Assign",
    2: "Transfer",
    3: "CreateAccountWithSeed",
    4: "AdvanceNonceAccount",
    5: "WithdrawNonceAccount",
    6: "InitializeNonceAccount",
    7: "AuthorizeNonceAccount",
    8: "Allocate",
    9: "AllocateWithSeed",
    10: "AssignWithSeed",
    11: "TransferWithSeed",
    12: "UpgradeNonceAccount",
}


def transfer(from_pubkey: Pubkey, to_pubkey: Pubkey, lamports: int) -> Instruction:
    """System `Transfer` of `lamports` from a signer wallet to any account."""
    if not 0 <= lamports < 2**64:
        raise ValueError(f"lamports {lamports} is outside u64")
    return _transfer(
        TransferParams(from_pubkey=from_pubkey, to_pubkey=to_pubkey, lamports=lamports)
    )


def assign(account: Pubkey, owner: Pubkey) -> Instruction:
    """System `Assign`: hand the (signer) account over to program `owner`."""
    return _assign(AssignParams(pubkey=account, owner=owner))
