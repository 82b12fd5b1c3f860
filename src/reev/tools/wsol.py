"""Wrapped SOL: `wrap_sol` (SOL → wSOL token account) and `unwrap_sol` (close it back to SOL)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from reev.programs import system, token
from reev.programs.ata import associated_token_address, create_associated_token_account
from reev.programs.ids import NATIVE_MINT, TOKEN_PROGRAM
from reev.results.instruction import RawInstruction
from reev.tools.base import Tool, ToolContext, ToolError, ToolOutput, resolve


class WrapSolArgs(BaseModel):
    user_pubkey: str = Field(description="The user's wallet (placeholder name or base58).")
    amount: int = Field(gt=0, description="Lamports to wrap (1 SOL = 1_000_000_000).")


def _wrap(args: WrapSolArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    wallet = ctx.account(str(user))
    if wallet.token is not None:
        raise ToolError(f"user_pubkey: {user} is a token account; give the wallet")
    if wallet.lamports < args.amount:
        raise ToolError(
            f"amount: the wallet holds {wallet.lamports} lamports, fewer than {args.amount}"
        )
    ata = associated_token_address(user, NATIVE_MINT, TOKEN_PROGRAM)
    instructions = [
        create_associated_token_account(user, user, NATIVE_MINT, TOKEN_PROGRAM, idempotent=True),
        system.transfer(user, ata, args.amount),
        token.sync_native(ata, TOKEN_PROGRAM),
    ]
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix) for ix in instructions],
        data={"wsol_account": str(ata), "wrapped_lamports": args.amount},
    )


class UnwrapSolArgs(BaseModel):
    user_pubkey: str = Field(description="The user's wallet (placeholder name or base58).")


def _unwrap(args: UnwrapSolArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    ata = associated_token_address(user, NATIVE_MINT, TOKEN_PROGRAM)
    state = ctx.account(str(ata))
    if not state.exists or state.token is None:
        raise ToolError(f"user_pubkey: {user} has no wrapped-SOL account ({ata})")
    ix = token.close_account(ata, user, user, TOKEN_PROGRAM)
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={
            "closed": str(ata),
            "unwrapped_lamports": state.token.amount,
            "lamports_returned": state.lamports,
        },
    )


WRAP_SOL: Tool[WrapSolArgs] = Tool(
    name="wrap_sol",
    description=(
        "Wrap SOL into wSOL: moves lamports into the user's wrapped-SOL token account "
        "(created if missing) and syncs it."
    ),
    args_model=WrapSolArgs,
    handler=_wrap,
)

UNWRAP_SOL: Tool[UnwrapSolArgs] = Tool(
    name="unwrap_sol",
    description=(
        "Unwrap all of the user's wSOL back to SOL by closing the wrapped-SOL token account; "
        "its tokens and rent return to the wallet."
    ),
    args_model=UnwrapSolArgs,
    handler=_unwrap,
)
