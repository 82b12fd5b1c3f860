"""Shared lookups of the token tools: a mint and its program, the user's token account.

Each helper reads live chain state through the ToolContext and raises a ToolError that
names the argument at fault, so a model can correct its call.
"""

from __future__ import annotations

from dataclasses import dataclass

from solders.pubkey import Pubkey

from reev.programs.ata import associated_token_address
from reev.programs.ids import TOKEN_PROGRAMS
from reev.results.chain import AccountState, MintState
from reev.tools.base import ToolContext, ToolError, resolve


@dataclass(frozen=True)
class MintInfo:
    """A mint on this chain: address, decoded state and the token program owning it."""

    address: Pubkey
    state: MintState
    program: Pubkey


@dataclass(frozen=True)
class TokenAccountInfo:
    """A token account: its address, decoded state and the wallet that owns the tokens."""

    address: Pubkey
    state: AccountState
    owner: Pubkey


def token_program(owner: str | None) -> Pubkey:
    """The token program with this id; ToolError when the owner is not a token program."""
    for program in TOKEN_PROGRAMS:
        if str(program) == owner:
            return program
    raise ToolError(f"account owner {owner} is not a token program")


def mint_info(ctx: ToolContext, text: str, arg: str = "mint_address") -> MintInfo:
    """The mint named by `text`; ToolError when it is not a mint on this chain."""
    address = resolve(ctx, text, arg)
    state = ctx.account(str(address))
    if not state.exists or state.mint is None:
        raise ToolError(f"{arg}: {address} is not a mint on this chain")
    return MintInfo(address, state.mint, token_program(state.owner))


def user_token_account(
    ctx: ToolContext,
    user_text: str,
    mint: MintInfo,
    token_account_text: str | None = None,
) -> TokenAccountInfo:
    """The user's token account for `mint`.

    `token_account_text` when given; else `user_text` itself when it is a token account;
    else the user's associated token account. It must exist, hold `mint`, and (when the
    user is a wallet) belong to the user.
    """
    user = resolve(ctx, user_text, "user_pubkey")
    user_state = ctx.account(str(user))
    if token_account_text:
        address = resolve(ctx, token_account_text, "token_account")
        arg = "token_account"
    elif user_state.token is not None:
        address, arg = user, "user_pubkey"
    else:
        address, arg = associated_token_address(user, mint.address, mint.program), "user_pubkey"
    state = ctx.account(str(address))
    if not state.exists or state.token is None:
        raise ToolError(
            f"{arg}: {user} holds no token account for mint {mint.address} (looked at {address})"
        )
    if state.token.mint != str(mint.address):
        raise ToolError(
            f"{arg}: token account {address} holds mint {state.token.mint}, not {mint.address}"
        )
    owner = Pubkey.from_string(state.token.owner)
    if user_state.token is None and address != user and owner != user:
        raise ToolError(f"{arg}: token account {address} belongs to {owner}, not to {user}")
    return TokenAccountInfo(address, state, owner)


def destination_token_account(
    ctx: ToolContext, recipient_text: str, mint: MintInfo, arg: str = "recipient_pubkey"
) -> Pubkey:
    """A token account of `mint` to send to: the one named, or the wallet's ATA (must exist)."""
    recipient = resolve(ctx, recipient_text, arg)
    state = ctx.account(str(recipient))
    if state.token is not None:
        if state.token.mint != str(mint.address):
            raise ToolError(
                f"{arg}: token account {recipient} holds mint {state.token.mint}, "
                f"not {mint.address}"
            )
        return recipient
    ata = associated_token_address(recipient, mint.address, mint.program)
    if not ctx.account(str(ata)).exists:
        raise ToolError(
            f"{arg}: {recipient} has no token account for mint {mint.address}; create its "
            "associated token account first (create_associated_token_account)"
        )
    return ata
