"""reev's transfer tools: `sol_transfer` and `spl_transfer` (same names and parameters)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from solders.pubkey import Pubkey

from reev.programs import system, token
from reev.programs.ata import associated_token_address
from reev.programs.ids import TOKEN_PROGRAMS
from reev.results.instruction import RawInstruction
from reev.tools.base import Tool, ToolContext, ToolError, ToolOutput, resolve
from reev.tools.memo import memo_instruction


class SolTransferArgs(BaseModel):
    user_pubkey: str = Field(description="The sender's wallet (placeholder name or base58).")
    recipient_pubkey: str = Field(
        description="The recipient's wallet (placeholder name or base58)."
    )
    amount: int = Field(gt=0, description="Amount in lamports (1 SOL = 1_000_000_000 lamports).")
    operation: Literal["sol", "spl"] = Field(
        default="sol", description="'sol' for a SOL transfer; use spl_transfer for tokens."
    )
    mint_address: str | None = Field(default=None, description="Unused for SOL transfers.")
    memo: str | None = Field(
        default=None, description="Optional memo carried in the same transaction as the payment."
    )


def _sol_transfer(args: SolTransferArgs, ctx: ToolContext) -> ToolOutput:
    if args.operation == "spl":
        raise ToolError("operation 'spl' is not handled here: use spl_transfer for token transfers")
    sender = resolve(ctx, args.user_pubkey, "user_pubkey")
    recipient = resolve(ctx, args.recipient_pubkey, "recipient_pubkey")
    ix = system.transfer(sender, recipient, args.amount)
    data: dict[str, object] = {"from": str(sender), "to": str(recipient), "lamports": args.amount}
    return ToolOutput(
        instructions=_with_memo([RawInstruction.from_instruction(ix)], args.memo, sender, data),
        data=data,
    )


def _with_memo(
    instructions: list[RawInstruction], text: str | None, signer: Pubkey, data: dict[str, object]
) -> list[RawInstruction]:
    """The payment's instructions, with the memo in the same transaction when one is given."""
    if text is None:
        return instructions
    data["memo"] = text
    return [*instructions, memo_instruction(text, signer)]


class SplTransferArgs(BaseModel):
    user_pubkey: str = Field(
        description="The sender: wallet or its token account (placeholder name or base58)."
    )
    recipient_pubkey: str = Field(
        description="The recipient: a token account, or a wallet (its associated token account "
        "for the mint is used)."
    )
    amount: int = Field(
        gt=0, description="Amount in the token's base units (e.g. 1 USDC = 1000000)."
    )
    mint_address: str = Field(description="The token mint (placeholder name or base58).")
    memo: str | None = Field(
        default=None, description="Optional memo carried in the same transaction as the payment."
    )


def _spl_transfer(args: SplTransferArgs, ctx: ToolContext) -> ToolOutput:
    mint = resolve(ctx, args.mint_address, "mint_address")
    mint_state = ctx.account(str(mint))
    if not mint_state.exists or mint_state.mint is None:
        raise ToolError(f"mint_address: {mint} is not a mint on this chain")
    program = _program(mint_state.owner)
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    user_state = ctx.account(str(user))
    if user_state.token is not None:
        source, authority = user, resolve(ctx, user_state.token.owner, "user_pubkey")
    else:
        authority, source = user, associated_token_address(user, mint, program)
        if not ctx.account(str(source)).exists:
            raise ToolError(f"user_pubkey: {user} holds no token account for mint {mint}")
    recipient = resolve(ctx, args.recipient_pubkey, "recipient_pubkey")
    recipient_state = ctx.account(str(recipient))
    if recipient_state.token is not None:
        if recipient_state.token.mint != str(mint):
            raise ToolError(
                f"recipient_pubkey: token account {recipient} holds mint "
                f"{recipient_state.token.mint}, not {mint}"
            )
        destination = recipient
    else:
        destination = associated_token_address(recipient, mint, program)
        if not ctx.account(str(destination)).exists:
            raise ToolError(
                f"recipient_pubkey: {recipient} has no token account for mint {mint}; "
                "create its associated token account first"
            )
    ix = token.transfer(source, destination, authority, args.amount, program)
    data: dict[str, object] = {
        "source": str(source),
        "destination": str(destination),
        "amount": args.amount,
        "mint": str(mint),
    }
    return ToolOutput(
        instructions=_with_memo([RawInstruction.from_instruction(ix)], args.memo, authority, data),
        data=data,
    )


def _program(owner: str | None) -> Pubkey:
    for p in TOKEN_PROGRAMS:
        if str(p) == owner:
            return p
    raise ToolError(f"account owner {owner} is not a token program")


SOL_TRANSFER: Tool[SolTransferArgs] = Tool(
    name="sol_transfer",
    description="Transfer SOL (in lamports) from the user's wallet to a recipient wallet.",
    args_model=SolTransferArgs,
    handler=_sol_transfer,
)

SPL_TRANSFER: Tool[SplTransferArgs] = Tool(
    name="spl_transfer",
    description=(
        "Transfer SPL tokens (amount in base units) from the user's token account to a "
        "recipient token account or wallet."
    ),
    args_model=SplTransferArgs,
    handler=_spl_transfer,
)
