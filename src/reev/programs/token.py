"""SPL Token and Token-2022 instruction builders (the shared base instruction set).

Both programs share the same instruction layout for the instructions here, so every
builder takes the token program id (SPL Token by default).
"""

from __future__ import annotations

import struct

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from reev.programs.ids import TOKEN_PROGRAM

# Instruction tags of the SPL Token program (spl-token `TokenInstruction`).
TOKEN_INSTRUCTION_NAMES: dict[int, str] = {
    0: "InitializeMint",
    1: "InitializeAccount",
    2: "InitializeMultisig",
    3: "Transfer",
    4: "Approve",
    5: "Revoke",
    6: "SetAuthority",
    7: "MintTo",
    8: "Burn",
    9: "CloseAccount",
    10: "FreezeAccount",
    11: "ThawAccount",
    12: "TransferChecked",
    13: "ApproveChecked",
    14: "MintToChecked",
    15: "BurnChecked",
    16: "InitializeAccount2",
    17: "SyncNative",
    18: "InitializeAccount3",
    19: "InitializeMultisig2",
    20: "InitializeMint2",
}

# Instructions whose data is `tag u8, amount u64` (and `decimals u8` for *Checked).
AMOUNT_TAGS = frozenset({3, 4, 7, 8})
CHECKED_AMOUNT_TAGS = frozenset({12, 13, 14, 15})

# The accounts of each instruction, in order, by role name (for the decoder).
TOKEN_ACCOUNT_ROLES: dict[int, tuple[str, ...]] = {
    3: ("source", "destination", "authority"),
    4: ("source", "delegate", "owner"),
    5: ("source", "owner"),
    6: ("account", "current_authority"),
    7: ("mint", "destination", "authority"),
    8: ("account", "mint", "authority"),
    9: ("account", "destination", "owner"),
    12: ("source", "mint", "destination", "authority"),
    13: ("source", "mint", "delegate", "owner"),
    14: ("mint", "destination", "authority"),
    15: ("account", "mint", "authority"),
    17: ("account",),
}


def _amount_data(tag: int, amount: int, decimals: int | None = None) -> bytes:
    if not 0 <= amount < 2**64:
        raise ValueError(f"amount {amount} is outside u64")
    data = struct.pack("<BQ", tag, amount)
    if decimals is not None:
        data += struct.pack("<B", decimals)
    return data


def transfer(
    source: Pubkey,
    destination: Pubkey,
    authority: Pubkey,
    amount: int,
    program_id: Pubkey = TOKEN_PROGRAM,
) -> Instruction:
    """`Transfer`: move `amount` base units between two token accounts of one mint."""
    return Instruction(
        program_id,
        _amount_data(3, amount),
        [
            AccountMeta(source, is_signer=False, is_writable=True),
            AccountMeta(destination, is_signer=False, is_writable=True),
            AccountMeta(authority, is_signer=True, is_writable=False),
        ],
    )


def transfer_checked(
    source: Pubkey,
    mint: Pubkey,
    destination: Pubkey,
    authority: Pubkey,
    amount: int,
    decimals: int,
    program_id: Pubkey = TOKEN_PROGRAM,
) -> Instruction:
    """`TransferChecked`: a transfer that also states the mint and its decimals."""
    return Instruction(
        program_id,
        _amount_data(12, amount, decimals),
        [
            AccountMeta(source, is_signer=False, is_writable=True),
            AccountMeta(mint, is_signer=False, is_writable=False),
            AccountMeta(destination, is_signer=False, is_writable=True),
            AccountMeta(authority, is_signer=True, is_writable=False),
        ],
    )


def approve(
    source: Pubkey,
    delegate: Pubkey,
    owner: Pubkey,
    amount: int,
    program_id: Pubkey = TOKEN_PROGRAM,
) -> Instruction:
    """`Approve`: let `delegate` move up to `amount` from `source`."""
    return Instruction(
        program_id,
        _amount_data(4, amount),
        [
            AccountMeta(source, is_signer=False, is_writable=True),
            AccountMeta(delegate, is_signer=False, is_writable=False),
            AccountMeta(owner, is_signer=True, is_writable=False),
        ],
    )


def revoke(source: Pubkey, owner: Pubkey, program_id: Pubkey = TOKEN_PROGRAM) -> Instruction:
    """`Revoke`: remove the delegate of `source`."""
    return Instruction(
        program_id,
        bytes([5]),
        [
            AccountMeta(source, is_signer=False, is_writable=True),
            AccountMeta(owner, is_signer=True, is_writable=False),
        ],
    )


def mint_to(
    mint: Pubkey,
    destination: Pubkey,
    authority: Pubkey,
    amount: int,
    program_id: Pubkey = TOKEN_PROGRAM,
) -> Instruction:
    """`MintTo`: create `amount` new tokens into `destination` (needs the mint authority)."""
    return Instruction(
        program_id,
        _amount_data(7, amount),
        [
            AccountMeta(mint, is_signer=False, is_writable=True),
            AccountMeta(destination, is_signer=False, is_writable=True),
            AccountMeta(authority, is_signer=True, is_writable=False),
        ],
    )


def burn(
    account: Pubkey,
    mint: Pubkey,
    authority: Pubkey,
    amount: int,
    program_id: Pubkey = TOKEN_PROGRAM,
) -> Instruction:
    """`Burn`: destroy `amount` tokens held in `account`."""
    return Instruction(
        program_id,
        _amount_data(8, amount),
        [
            AccountMeta(account, is_signer=False, is_writable=True),
            AccountMeta(mint, is_signer=False, is_writable=True),
            AccountMeta(authority, is_signer=True, is_writable=False),
        ],
    )


def close_account(
    account: Pubkey,
    destination: Pubkey,
    owner: Pubkey,
    program_id: Pubkey = TOKEN_PROGRAM,
) -> Instruction:
    """`CloseAccount`: close an empty token account, its rent going to `destination`."""
    return Instruction(
        program_id,
        bytes([9]),
        [
            AccountMeta(account, is_signer=False, is_writable=True),
            AccountMeta(destination, is_signer=False, is_writable=True),
            AccountMeta(owner, is_signer=True, is_writable=False),
        ],
    )


def sync_native(account: Pubkey, program_id: Pubkey = TOKEN_PROGRAM) -> Instruction:
    """`SyncNative`: make a wrapped-SOL account's token amount match its lamports."""
    return Instruction(program_id, bytes([17]), [AccountMeta(account, False, True)])
