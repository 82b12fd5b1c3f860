"""Binary layouts of token accounts and mints (via solders' SPL state types)."""

from __future__ import annotations

from solders.pubkey import Pubkey
from solders.token.state import Mint, TokenAccount, TokenAccountState

TOKEN_ACCOUNT_LEN = 165
MINT_LEN = 82


def pack_token_account(
    mint: Pubkey,
    owner: Pubkey,
    amount: int,
    *,
    delegate: Pubkey | None = None,
    delegated_amount: int = 0,
    is_native: int | None = None,
    frozen: bool = False,
    close_authority: Pubkey | None = None,
) -> bytes:
    """The 165-byte SPL token account (valid for Token-2022 without extensions too)."""
    account = TokenAccount(
        mint=mint,
        owner=owner,
        amount=amount,
        delegate=delegate,
        state=TokenAccountState.Frozen if frozen else TokenAccountState.Initialized,
        is_native=is_native,
        delegated_amount=delegated_amount,
        close_authority=close_authority,
    )
    return bytes(account)


def pack_mint(
    decimals: int,
    supply: int,
    mint_authority: Pubkey | None = None,
    freeze_authority: Pubkey | None = None,
) -> bytes:
    """The 82-byte SPL mint."""
    return bytes(
        Mint(
            mint_authority=mint_authority,
            supply=supply,
            decimals=decimals,
            is_initialized=True,
            freeze_authority=freeze_authority,
        )
    )


def unpack_token_account(data: bytes) -> TokenAccount | None:
    """A token account from its data (the base 165 bytes), or None when it is not one."""
    if len(data) < TOKEN_ACCOUNT_LEN:
        return None
    try:
        return TokenAccount.from_bytes(bytes(data[:TOKEN_ACCOUNT_LEN]))
    except ValueError:
        return None


def unpack_mint(data: bytes) -> Mint | None:
    """A mint from its data (the base 82 bytes), or None when it is not one."""
    if len(data) < MINT_LEN:
        return None
    try:
        return Mint.from_bytes(bytes(data[:MINT_LEN]))
    except ValueError:
        return None
