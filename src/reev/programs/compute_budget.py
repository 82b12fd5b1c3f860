"""Compute Budget program instruction builders and decoding."""

from __future__ import annotations

import struct

from solders.instruction import Instruction

from reev.programs.ids import COMPUTE_BUDGET_PROGRAM

SET_COMPUTE_UNIT_LIMIT = 2
SET_COMPUTE_UNIT_PRICE = 3


def set_compute_unit_limit(units: int) -> Instruction:
    """`SetComputeUnitLimit`: the most compute units the transaction may use."""
    return Instruction(
        COMPUTE_BUDGET_PROGRAM, struct.pack("<BI", SET_COMPUTE_UNIT_LIMIT, units), []
    )


def set_compute_unit_price(micro_lamports: int) -> Instruction:
    """`SetComputeUnitPrice`: the priority fee, in micro-lamports per compute unit."""
    return Instruction(
        COMPUTE_BUDGET_PROGRAM, struct.pack("<BQ", SET_COMPUTE_UNIT_PRICE, micro_lamports), []
    )


def decode_compute_budget(data: bytes) -> tuple[str, int] | None:
    """("unit_limit", n) or ("unit_price", n) for those two instructions; else None."""
    if len(data) == 5 and data[0] == SET_COMPUTE_UNIT_LIMIT:
        return "unit_limit", struct.unpack_from("<I", data, 1)[0]
    if len(data) == 9 and data[0] == SET_COMPUTE_UNIT_PRICE:
        return "unit_price", struct.unpack_from("<Q", data, 1)[0]
    return None
