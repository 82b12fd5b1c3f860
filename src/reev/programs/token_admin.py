"""SPL Token / Token-2022 administration: freeze, thaw, set authority, multisig-signed
transfers, and the Token-2022 extension instructions the tools use."""

from __future__ import annotations

import struct
from typing import Literal

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey

from reev.programs.ids import SYSTEM_PROGRAM, TOKEN_PROGRAM

# spl-token `AuthorityType`
AUTHORITY_TYPES: dict[str, int] = {
    "mint_tokens": 0,
    "freeze_account": 1,
    "account_owner": 2,
    "close_account": 3,
}
AuthorityType = Literal["mint_tokens", "freeze_account", "account_owner", "close_account"]


def freeze_account(
    account: Pubkey, mint: Pubkey, authority: Pubkey, program_id: Pubkey = TOKEN_PROGRAM
) -> Instruction:
    """`FreezeAccount` (signed by the mint's freeze authority)."""
    return Instruction(
        program_id,
        bytes([10]),
        [
            AccountMeta(account, is_signer=False, is_writable=True),
            AccountMeta(mint, is_signer=False, is_writable=False),
            AccountMeta(authority, is_signer=True, is_writable=False),
        ],
    )


def thaw_account(
    account: Pubkey, mint: Pubkey, authority: Pubkey, program_id: Pubkey = TOKEN_PROGRAM
) -> Instruction:
    """`ThawAccount` (signed by the mint's freeze authority)."""
    return Instruction(
        program_id,
        bytes([11]),
        [
            AccountMeta(account, is_signer=False, is_writable=True),
            AccountMeta(mint, is_signer=False, is_writable=False),
            AccountMeta(authority, is_signer=True, is_writable=False),
        ],
    )


def set_authority(
    target: Pubkey,
    current: Pubkey,
    authority_type: AuthorityType,
    new_authority: Pubkey | None,
    program_id: Pubkey = TOKEN_PROGRAM,
) -> Instruction:
    """`SetAuthority` on a mint or token account; `new_authority=None` revokes it for good."""
    data = bytes([6, AUTHORITY_TYPES[authority_type]])
    data += (b"\x01" + bytes(new_authority)) if new_authority is not None else b"\x00"
    return Instruction(
        program_id,
        data,
        [
            AccountMeta(target, is_signer=False, is_writable=True),
            AccountMeta(current, is_signer=True, is_writable=False),
        ],
    )


def multisig_transfer_checked(
    source: Pubkey,
    mint: Pubkey,
    destination: Pubkey,
    multisig: Pubkey,
    signers: list[Pubkey],
    amount: int,
    decimals: int,
    program_id: Pubkey = TOKEN_PROGRAM,
) -> Instruction:
    """`TransferChecked` from an account owned by a multisig, signed by `signers`."""
    return Instruction(
        program_id,
        struct.pack("<BQB", 12, amount, decimals),
        [
            AccountMeta(source, is_signer=False, is_writable=True),
            AccountMeta(mint, is_signer=False, is_writable=False),
            AccountMeta(destination, is_signer=False, is_writable=True),
            AccountMeta(multisig, is_signer=False, is_writable=False),
            *[AccountMeta(s, is_signer=True, is_writable=False) for s in signers],
        ],
    )


def transfer_checked_with_fee(
    source: Pubkey,
    mint: Pubkey,
    destination: Pubkey,
    authority: Pubkey,
    amount: int,
    decimals: int,
    fee: int,
    program_id: Pubkey,
) -> Instruction:
    """Token-2022 `TransferFeeExtension::TransferCheckedWithFee`: fails unless `fee` is
    exactly the fee the mint charges, so the sender states what the recipient loses."""
    return Instruction(
        program_id,
        struct.pack("<BBQBQ", 26, 1, amount, decimals, fee),
        [
            AccountMeta(source, is_signer=False, is_writable=True),
            AccountMeta(mint, is_signer=False, is_writable=False),
            AccountMeta(destination, is_signer=False, is_writable=True),
            AccountMeta(authority, is_signer=True, is_writable=False),
        ],
    )


def memo_transfer_toggle(
    account: Pubkey, owner: Pubkey, enable: bool, program_id: Pubkey
) -> Instruction:
    """Token-2022 `MemoTransferExtension::Enable`/`Disable` on the owner's token account."""
    return Instruction(
        program_id,
        bytes([30, 0 if enable else 1]),
        [
            AccountMeta(account, is_signer=False, is_writable=True),
            AccountMeta(owner, is_signer=True, is_writable=False),
        ],
    )


def update_interest_rate(
    mint: Pubkey, authority: Pubkey, rate_bps: int, program_id: Pubkey
) -> Instruction:
    """Token-2022 `InterestBearingMintExtension::UpdateRate` (signed by the rate authority)."""
    return Instruction(
        program_id,
        struct.pack("<BBh", 33, 1, rate_bps),
        [
            AccountMeta(mint, is_signer=False, is_writable=True),
            AccountMeta(authority, is_signer=True, is_writable=False),
        ],
    )


def reallocate(
    account: Pubkey, payer: Pubkey, owner: Pubkey, extension_types: list[int], program_id: Pubkey
) -> Instruction:
    """Token-2022 `Reallocate`: grow a token account to hold more extensions (payer funds
    the extra rent)."""
    data = bytes([29]) + b"".join(struct.pack("<H", t) for t in extension_types)
    return Instruction(
        program_id,
        data,
        [
            AccountMeta(account, is_signer=False, is_writable=True),
            AccountMeta(payer, is_signer=True, is_writable=True),
            AccountMeta(SYSTEM_PROGRAM, is_signer=False, is_writable=False),
            AccountMeta(owner, is_signer=True, is_writable=False),
        ],
    )
