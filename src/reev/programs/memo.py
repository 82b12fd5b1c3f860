"""Memo program: attach a UTF-8 note to a transaction."""

from __future__ import annotations

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from reev.programs.ids import MEMO_PROGRAM


def memo(text: str, signers: list[Pubkey] | None = None) -> Instruction:
    """A memo instruction; every listed signer must sign the transaction."""
    return Instruction(
        MEMO_PROGRAM,
        text.encode("utf-8"),
        [AccountMeta(s, is_signer=True, is_writable=False) for s in signers or []],
    )
