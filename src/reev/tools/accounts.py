"""Token-account lifecycle tools: `create_associated_token_account`, `close_token_account`."""

from __future__ import annotations

from pydantic import BaseModel, Field

from reev.programs import token
from reev.programs.ata import associated_token_address, create_associated_token_account
from reev.results.instruction import RawInstruction
from reev.tools.base import Tool, ToolContext, ToolError, ToolOutput, resolve
from reev.tools.common import mint_info, user_token_account


class CreateAtaArgs(BaseModel):
    user_pubkey: str = Field(
        description="The user's wallet, which pays the rent (placeholder name or base58)."
    )
    mint_address: str = Field(description="The token mint (placeholder name or base58).")
    owner_pubkey: str | None = Field(
        default=None,
        description="The wallet that will own the new account; default: the user.",
    )


def _create_ata(args: CreateAtaArgs, ctx: ToolContext) -> ToolOutput:
    payer = resolve(ctx, args.user_pubkey, "user_pubkey")
    owner = resolve(ctx, args.owner_pubkey, "owner_pubkey") if args.owner_pubkey else payer
    if ctx.account(str(owner)).token is not None:
        raise ToolError(f"owner_pubkey: {owner} is a token account, not a wallet")
    mint = mint_info(ctx, args.mint_address)
    ata = associated_token_address(owner, mint.address, mint.program)
    if ctx.account(str(ata)).exists:
        raise ToolError(
            f"the associated token account {ata} of {owner} for mint {mint.address} "
            "already exists; no need to create it"
        )
    ix = create_associated_token_account(payer, owner, mint.address, mint.program)
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={
            "token_account": str(ata),
            "owner": str(owner),
            "mint": str(mint.address),
            "token_program": str(mint.program),
        },
    )


class CloseTokenAccountArgs(BaseModel):
    user_pubkey: str = Field(description="The wallet that owns the token account.")
    mint_address: str = Field(
        description="The mint of the account to close (placeholder name or base58)."
    )
    token_account: str | None = Field(
        default=None,
        description="The token account to close; default: the user's associated token account.",
    )
    destination_pubkey: str | None = Field(
        default=None, description="Who receives the reclaimed rent; default: the user."
    )


def _close(args: CloseTokenAccountArgs, ctx: ToolContext) -> ToolOutput:
    mint = mint_info(ctx, args.mint_address)
    account = user_token_account(ctx, args.user_pubkey, mint, args.token_account)
    assert account.state.token is not None  # user_token_account checked it
    native = str(mint.address) == "So11111111111111111111111111111111111111112"
    if account.state.token.amount and not native:
        raise ToolError(
            f"token account {account.address} still holds {account.state.token.amount} base "
            "units; transfer or burn them before closing it"
        )
    destination = (
        resolve(ctx, args.destination_pubkey, "destination_pubkey")
        if args.destination_pubkey
        else account.owner
    )
    ix = token.close_account(account.address, destination, account.owner, mint.program)
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={
            "closed": str(account.address),
            "rent_to": str(destination),
            "lamports_reclaimed": account.state.lamports,
        },
    )


CREATE_ASSOCIATED_TOKEN_ACCOUNT: Tool[CreateAtaArgs] = Tool(
    name="create_associated_token_account",
    description=(
        "Create the associated token account of a wallet (default: the user's) for a mint, "
        "so it can receive that token. The user pays the rent (~0.002 SOL)."
    ),
    args_model=CreateAtaArgs,
    handler=_create_ata,
)

CLOSE_TOKEN_ACCOUNT: Tool[CloseTokenAccountArgs] = Tool(
    name="close_token_account",
    description=(
        "Close one of the user's empty token accounts and reclaim its rent (SOL) to the user "
        "or another wallet. Fails when the account still holds tokens."
    ),
    args_model=CloseTokenAccountArgs,
    handler=_close,
)
