"""Jupiter's instruction JSON → reev's RawInstruction, and the balance checks tools share.

Jupiter answers with `{"programId", "accounts": [{"pubkey", "isSigner", "isWritable"}],
"data": <base64>}`; reev's wire form uses base58 data and snake_case flags. A malformed
instruction is an error naming the endpoint, never repaired or guessed.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from reev.programs.ata import associated_token_address
from reev.programs.ids import COMPUTE_BUDGET_PROGRAM, NATIVE_MINT, TOKEN_PROGRAM, TOKEN_PROGRAMS
from reev.results.instruction import RawInstruction
from reev.tools.base import ToolContext
from reev.tools.jupiter.client import JupiterError

SET_COMPUTE_UNIT_PRICE = 3


def to_raw(item: Any, source: str) -> RawInstruction:
    """One Jupiter instruction as a RawInstruction; JupiterError when malformed."""
    try:
        program = Pubkey.from_string(item["programId"])
        metas = [
            AccountMeta(
                Pubkey.from_string(a["pubkey"]),
                is_signer=bool(a["isSigner"]),
                is_writable=bool(a["isWritable"]),
            )
            for a in item["accounts"]
        ]
        data = base64.b64decode(item["data"], validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise JupiterError(f"{source} returned a malformed instruction: {exc!r}") from exc
    return RawInstruction.from_instruction(Instruction(program, data, metas))


def instruction_list(items: Any, source: str) -> list[RawInstruction]:
    """A list of Jupiter instructions; an empty or non-list answer is an error."""
    if not isinstance(items, list) or not items:
        raise JupiterError(f"{source} returned no instructions: {str(items)[:200]}")
    return [to_raw(item, source) for item in items]


def is_compute_unit_price(ix: RawInstruction) -> bool:
    """A ComputeBudget SetComputeUnitPrice (a priority fee the benchmarks do not budget for)."""
    data = ix.data_bytes()
    return ix.program_id == str(COMPUTE_BUDGET_PROGRAM) and data[:1] == bytes(
        [SET_COMPUTE_UNIT_PRICE]
    )


def token_program_of(ctx: ToolContext, mint: Pubkey, arg: str) -> Pubkey:
    """The token program owning `mint` on this chain (SPL Token when the mint is not here)."""
    state = ctx.account(str(mint))
    if state.exists and state.owner is not None:
        for program in TOKEN_PROGRAMS:
            if str(program) == state.owner:
                return program
        raise JupiterError(f"{arg}: {mint} is not a token mint (owner {state.owner})")
    return TOKEN_PROGRAM


def spendable(ctx: ToolContext, wallet: Pubkey, mint: Pubkey, arg: str) -> int:
    """What `wallet` holds of `mint` on this chain: lamports for SOL, else its ATA amount."""
    if mint == NATIVE_MINT:
        return ctx.account(str(wallet)).lamports
    ata = associated_token_address(wallet, mint, token_program_of(ctx, mint, arg))
    state = ctx.account(str(ata))
    return state.token.amount if state.token is not None else 0


__all__ = ["instruction_list", "is_compute_unit_price", "spendable", "to_raw", "token_program_of"]
