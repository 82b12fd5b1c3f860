"""Associated Token Account program: address derivation and creation."""

from __future__ import annotations

from solders.instruction import AccountMeta, Instruction
from solders.pubkey import Pubkey
from solders.token.associated import get_associated_token_address

from reev.programs.ids import ASSOCIATED_TOKEN_PROGRAM, SYSTEM_PROGRAM, TOKEN_PROGRAM

ATA_INSTRUCTION_NAMES = {0: "Create", 1: "CreateIdempotent", 2: "RecoverNested"}
ATA_ACCOUNT_ROLES = (
    "payer",
    "associated_account",
    "wallet",
    "mint",
    "system_program",
    "token_program",
)


def associated_token_address(
    wallet: Pubkey, mint: Pubkey, token_program: Pubkey = TOKEN_PROGRAM
) -> Pubkey:
    """The associated token account of (wallet, mint) for a token program."""
    return get_associated_token_address(wallet, mint, token_program)


def create_associated_token_account(
    payer: Pubkey,
    wallet: Pubkey,
    mint: Pubkey,
    token_program: Pubkey = TOKEN_PROGRAM,
    idempotent: bool = True,
) -> Instruction:
    """Create the associated token account of (wallet, mint), paid by `payer`."""
    ata = associated_token_address(wallet, mint, token_program)
    return Instruction(
        ASSOCIATED_TOKEN_PROGRAM,
        bytes([1 if idempotent else 0]),
        [
            AccountMeta(payer, is_signer=True, is_writable=True),
            AccountMeta(ata, is_signer=False, is_writable=True),
            AccountMeta(wallet, is_signer=False, is_writable=False),
            AccountMeta(mint, is_signer=False, is_writable=False),
            AccountMeta(SYSTEM_PROGRAM, is_signer=False, is_writable=False),
            AccountMeta(token_program, is_signer=False, is_writable=False),
        ],
    )
