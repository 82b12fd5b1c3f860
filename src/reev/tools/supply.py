"""Token supply tools: `burn_tokens` (destroy the user's tokens) and `mint_tokens`
(create tokens, when the user holds the mint authority)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from reev.programs import token
from reev.results.instruction import RawInstruction
from reev.tools.base import Tool, ToolContext, ToolError, ToolOutput, resolve
from reev.tools.common import destination_token_account, mint_info, user_token_account


class BurnArgs(BaseModel):
    user_pubkey: str = Field(description="The wallet that owns the tokens.")
    mint_address: str = Field(description="The token mint (placeholder name or base58).")
    amount: int = Field(gt=0, description="Base units to burn (e.g. 1 USDC = 1000000).")
    token_account: str | None = Field(
        default=None, description="The token account; default: the user's associated one."
    )


def _burn(args: BurnArgs, ctx: ToolContext) -> ToolOutput:
    mint = mint_info(ctx, args.mint_address)
    account = user_token_account(ctx, args.user_pubkey, mint, args.token_account)
    assert account.state.token is not None
    if account.state.token.amount < args.amount:
        raise ToolError(
            f"amount: token account {account.address} holds {account.state.token.amount}, "
            f"fewer than {args.amount}"
        )
    ix = token.burn(account.address, mint.address, account.owner, args.amount, mint.program)
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={
            "token_account": str(account.address),
            "burned": args.amount,
            "mint": str(mint.address),
        },
    )


class MintArgs(BaseModel):
    user_pubkey: str = Field(description="The user's wallet: it must be the mint authority.")
    mint_address: str = Field(description="The token mint (placeholder name or base58).")
    amount: int = Field(gt=0, description="Base units to create.")
    recipient_pubkey: str | None = Field(
        default=None,
        description="A token account of the mint or a wallet (its associated token account, "
        "which must exist); default: the user.",
    )


def _mint(args: MintArgs, ctx: ToolContext) -> ToolOutput:
    mint = mint_info(ctx, args.mint_address)
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    if mint.state.mint_authority is None:
        raise ToolError(f"mint_address: mint {mint.address} has no mint authority; supply is fixed")
    if mint.state.mint_authority != str(user):
        raise ToolError(
            f"user_pubkey: {user} is not the mint authority of {mint.address} "
            f"(the authority is {mint.state.mint_authority})"
        )
    destination = destination_token_account(ctx, args.recipient_pubkey or args.user_pubkey, mint)
    ix = token.mint_to(mint.address, destination, user, args.amount, mint.program)
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={"destination": str(destination), "minted": args.amount, "mint": str(mint.address)},
    )


BURN_TOKENS: Tool[BurnArgs] = Tool(
    name="burn_tokens",
    description="Burn (destroy) tokens from the user's token account; the mint's supply drops.",
    args_model=BurnArgs,
    handler=_burn,
)

MINT_TOKENS: Tool[MintArgs] = Tool(
    name="mint_tokens",
    description=(
        "Mint new tokens into a token account (default: the user's). Only works when the user "
        "is the mint authority."
    ),
    args_model=MintArgs,
    handler=_mint,
)
