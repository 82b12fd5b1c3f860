"""Turn any instruction into a readable dict: program, instruction name, arguments, accounts.

Unknown programs and undecodable data are reported as such (with the raw data), never
guessed.
"""

from __future__ import annotations

import struct
from typing import Any

import base58

from reev.programs.ata import ATA_ACCOUNT_ROLES, ATA_INSTRUCTION_NAMES
from reev.programs.ids import (
    ASSOCIATED_TOKEN_PROGRAM,
    COMPUTE_BUDGET_PROGRAM,
    MEMO_PROGRAM,
    MEMO_V1_PROGRAM,
    SYSTEM_PROGRAM,
    TOKEN_PROGRAMS,
    program_name,
)
from reev.programs.system import SYSTEM_INSTRUCTION_NAMES
from reev.programs.token import (
    AMOUNT_TAGS,
    CHECKED_AMOUNT_TAGS,
    TOKEN_ACCOUNT_ROLES,
    TOKEN_INSTRUCTION_NAMES,
)
from reev.results.instruction import RawInstruction

SYSTEM_ACCOUNT_ROLES: dict[int, tuple[str, ...]] = {
    0: ("from", "new_account"),
    2: ("from", "to"),
}


def decode_instruction(ix: RawInstruction) -> dict[str, Any]:
    """A readable dict for one instruction (pubkeys already resolved to base58)."""
    try:
        data = ix.data_bytes()
    except ValueError:
        data = None
    out: dict[str, Any] = {
        "program_id": ix.program_id,
        "program": program_name(ix.program_id),
        "instruction": None,
        "args": {},
        "accounts": [
            {
                "pubkey": a.pubkey,
                "is_signer": a.is_signer,
                "is_writable": a.is_writable,
                "role": None,
            }
            for a in ix.accounts
        ],
        "data": ix.data,
    }
    if data is None:
        out["instruction"] = "invalid data"
        return out
    name, args, roles = _decode_known(ix.program_id, data)
    out["instruction"] = name
    out["args"] = args
    for account, role in zip(out["accounts"], roles, strict=False):
        account["role"] = role
    return out


def _decode_known(
    program_id: str, data: bytes
) -> tuple[str | None, dict[str, Any], tuple[str, ...]]:
    try:
        if program_id == str(SYSTEM_PROGRAM):
            return _decode_system(data)
        if program_id in {str(p) for p in TOKEN_PROGRAMS}:
            return _decode_token(data)
        if program_id == str(ASSOCIATED_TOKEN_PROGRAM):
            tag = data[0] if data else 0
            return ATA_INSTRUCTION_NAMES.get(tag, f"unknown ({tag})"), {}, ATA_ACCOUNT_ROLES
        if program_id in {str(MEMO_PROGRAM), str(MEMO_V1_PROGRAM)}:
            return "Memo", {"memo": data.decode("utf-8", errors="replace")}, ()
        if program_id == str(COMPUTE_BUDGET_PROGRAM):
            return _decode_compute_budget(data)
    except (struct.error, IndexError):
        return "undecodable data", {"data_hex": data.hex()}, ()
    return None, {}, ()


def _decode_system(data: bytes) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    (tag,) = struct.unpack_from("<I", data, 0)
    name = SYSTEM_INSTRUCTION_NAMES.get(tag, f"unknown ({tag})")
    args: dict[str, Any] = {}
    if tag == 2:
        (args["lamports"],) = struct.unpack_from("<Q", data, 4)
    elif tag == 0:
        lamports, space = struct.unpack_from("<QQ", data, 4)
        args = {
            "lamports": lamports,
            "space": space,
            "owner": base58.b58encode(data[20:52]).decode(),
        }
    return name, args, SYSTEM_ACCOUNT_ROLES.get(tag, ())


def _decode_token(data: bytes) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    tag = data[0]
    name = TOKEN_INSTRUCTION_NAMES.get(tag, f"unknown ({tag})")
    args: dict[str, Any] = {}
    if tag in AMOUNT_TAGS:
        (args["amount"],) = struct.unpack_from("<Q", data, 1)
    elif tag in CHECKED_AMOUNT_TAGS:
        args["amount"], args["decimals"] = struct.unpack_from("<QB", data, 1)
    return name, args, TOKEN_ACCOUNT_ROLES.get(tag, ())


def _decode_compute_budget(data: bytes) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    tag = data[0]
    if tag == 2:
        return "SetComputeUnitLimit", {"units": struct.unpack_from("<I", data, 1)[0]}, ()
    if tag == 3:
        return "SetComputeUnitPrice", {"micro_lamports": struct.unpack_from("<Q", data, 1)[0]}, ()
    if tag == 1:
        return "RequestHeapFrame", {"bytes": struct.unpack_from("<I", data, 1)[0]}, ()
    return f"unknown ({tag})", {}, ()
