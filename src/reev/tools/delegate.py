"""Token delegation: `approve_delegate` and `revoke_delegate`."""

from __future__ import annotations

from pydantic import BaseModel, Field

from reev.programs import token
from reev.results.instruction import RawInstruction
from reev.tools.base import Tool, ToolContext, ToolOutput, resolve
from reev.tools.common import mint_info, user_token_account


class ApproveArgs(BaseModel):
    user_pubkey: str = Field(description="The wallet that owns the tokens.")
    delegate_pubkey: str = Field(description="Who may spend them (placeholder name or base58).")
    amount: int = Field(ge=0, description="Most the delegate may move, in base units.")
    mint_address: str = Field(description="The token mint (placeholder name or base58).")
    token_account: str | None = Field(
        default=None, description="The token account; default: the user's associated one."
    )


def _approve(args: ApproveArgs, ctx: ToolContext) -> ToolOutput:
    mint = mint_info(ctx, args.mint_address)
    account = user_token_account(ctx, args.user_pubkey, mint, args.token_account)
    delegate = resolve(ctx, args.delegate_pubkey, "delegate_pubkey")
    ix = token.approve(account.address, delegate, account.owner, args.amount, mint.program)
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={
            "token_account": str(account.address),
            "delegate": str(delegate),
            "amount": args.amount,
        },
    )


class RevokeArgs(BaseModel):
    user_pubkey: str = Field(description="The wallet that owns the tokens.")
    mint_address: str = Field(description="The token mint (placeholder name or base58).")
    token_account: str | None = Field(
        default=None, description="The token account; default: the user's associated one."
    )


def _revoke(args: RevokeArgs, ctx: ToolContext) -> ToolOutput:
    mint = mint_info(ctx, args.mint_address)
    account = user_token_account(ctx, args.user_pubkey, mint, args.token_account)
    assert account.state.token is not None
    ix = token.revoke(account.address, account.owner, mint.program)
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={
            "token_account": str(account.address),
            "revoked_delegate": account.state.token.delegate,
        },
    )


APPROVE_DELEGATE: Tool[ApproveArgs] = Tool(
    name="approve_delegate",
    description=(
        "Allow a delegate to transfer up to `amount` base units from the user's token account "
        "(replaces any previous delegate)."
    ),
    args_model=ApproveArgs,
    handler=_approve,
)

REVOKE_DELEGATE: Tool[RevokeArgs] = Tool(
    name="revoke_delegate",
    description="Remove the delegate of the user's token account.",
    args_model=RevokeArgs,
    handler=_revoke,
)
