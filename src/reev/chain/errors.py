"""Readable transaction errors: program-specific custom codes decoded to their names."""

from __future__ import annotations

from typing import Any

from solders.transaction_status import (
    InstructionErrorCustom,
    TransactionErrorInstructionError,
    TransactionErrorInsufficientFundsForRent,
)

from reev.programs.ids import SYSTEM_PROGRAM, TOKEN_PROGRAMS, program_name

SYSTEM_ERRORS = {
    0: "account already in use",
    1: "insufficient lamports",
    2: "invalid account data length",
    3: "account data too large",
    4: "address does not match seed",
    5: "invalid owner for seeded address",
}

TOKEN_ERRORS = {
    0: "lamport balance below rent-exempt threshold",
    1: "insufficient funds",
    2: "invalid mint",
    3: "account not associated with this mint",
    4: "owner does not match",
    5: "fixed supply",
    6: "account already in use",
    7: "invalid number of provided signers",
    8: "invalid number of required signers",
    9: "state is uninitialized",
    10: "instruction does not support native tokens",
    11: "non-native account can only be closed if its balance is zero",
    12: "invalid instruction",
    13: "state is invalid for requested operation",
    14: "operation overflowed",
    15: "account does not support specified authority type",
    16: "this token mint cannot freeze accounts",
    17: "account is frozen",
    18: "the provided decimals value different from the mint decimals",
    19: "instruction does not support non-native tokens",
}


def describe_error(err: Any, program_ids: list[str], accounts: list[str] | None = None) -> str:
    """A one-line description of a transaction error, naming the failing program."""
    if isinstance(err, str):
        return err  # already a sentence: a fork or RPC backend failure
    if isinstance(err, TransactionErrorInsufficientFundsForRent):
        index = err.account_index
        who = accounts[index] if accounts and index < len(accounts) else f"#{index}"
        return (
            f"insufficient funds for rent: account {who} would hold less than the "
            "rent-exempt minimum"
        )
    if isinstance(err, TransactionErrorInstructionError):
        index = err.index
        program = program_ids[index] if index < len(program_ids) else "?"
        inner = err.err
        if isinstance(inner, InstructionErrorCustom):
            text = _custom(program, inner.code)
        else:
            text = _camel_words(str(inner).rsplit(".", 1)[-1])
        return f"instruction {index} ({program_name(program)}): {text}"
    return _camel_words(str(err).rsplit(".", 1)[-1])


def _custom(program: str, code: int) -> str:
    table = None
    if program == str(SYSTEM_PROGRAM):
        table = SYSTEM_ERRORS
    elif program in {str(p) for p in TOKEN_PROGRAMS}:
        table = TOKEN_ERRORS
    name = table.get(code) if table else None
    return (
        f"{name} (custom program error 0x{code:x})" if name else f"custom program error 0x{code:x}"
    )


def _camel_words(name: str) -> str:
    out = "".join(" " + c.lower() if c.isupper() else c for c in name).strip()
    return out or name
