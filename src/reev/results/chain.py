"""What the chain looks like at one moment: every placeholder's account, as plain data.

Observations are public: they hold pubkeys and balances, never keys.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class TokenState(BaseModel):
    """The token side of a token account."""

    mint: str
    owner: str
    amount: int
    decimals: int | None = None
    ui_amount: float | None = None
    delegate: str | None = None
    delegated_amount: int = 0
    close_authority: str | None = None
    state: str = "initialized"  # or "frozen"
    is_native: int | None = None  # wrapped SOL: the rent-exempt reserve


class MintState(BaseModel):
    """The mint side of a mint account."""

    decimals: int
    supply: int
    mint_authority: str | None = None
    freeze_authority: str | None = None


class AccountState(BaseModel):
    """One account: whether it exists, its lamports and owner, and token/mint details."""

    pubkey: str
    exists: bool
    lamports: int = 0
    owner: str | None = None
    executable: bool = False
    data_len: int = 0
    # sha256 of the account's data: the bytes no decoded field below explains (e.g.
    # Token-2022 extensions, stake or nonce state) are compared through it.
    data_sha256: str | None = None
    extensions_sha256: str | None = None  # Token-2022: the bytes after the base layout
    token: TokenState | None = None
    mint: MintState | None = None
    # Decoded program state the fields above leave out: stake, vote, nonce, lookup table,
    # multisig; a token account's state and close authority; Token-2022 extensions
    # (reev.programs.state.decode_program_account). None when there is none.
    details: dict[str, Any] | None = None


class Observation(BaseModel):
    """Accounts keyed by base58 pubkey, and the placeholder → pubkey map."""

    key_map: dict[str, str] = Field(default_factory=dict)
    accounts: dict[str, AccountState] = Field(default_factory=dict)

    def account(self, name_or_pubkey: str) -> AccountState | None:
        """The state of an account named by placeholder or pubkey, if observed."""
        return self.accounts.get(self.key_map.get(name_or_pubkey, name_or_pubkey))

    def by_placeholder(self) -> dict[str, AccountState]:
        """Account states keyed by placeholder name (reev's `account_states`)."""
        return {
            name: self.accounts[pk]
            for name, pk in self.key_map.items()
            if pk in self.accounts and name != pk
        }
