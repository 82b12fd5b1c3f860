"""`spl_transfer_checked`: a token transfer that states the mint and its decimals
(SPL Token `TransferChecked`; required by some Token-2022 mints, safer for all)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from reev.programs import token
from reev.results.instruction import RawInstruction
from reev.tools.base import Tool, ToolContext, ToolOutput
from reev.tools.common import destination_token_account, mint_info, user_token_account


class TransferCheckedArgs(BaseModel):
    user_pubkey: str = Field(
        description="The sender: wallet or its token account (placeholder name or base58)."
    )
    recipient_pubkey: str = Field(
        description="A token account of the mint, or a wallet (its associated token account, "
        "which must exist)."
    )
    amount: int = Field(gt=0, description="Amount in the token's base units.")
    mint_address: str = Field(description="The token mint (placeholder name or base58).")
    decimals: int | None = Field(
        default=None,
        ge=0,
        le=255,
        description="The mint's decimals as you expect them; the program rejects a mismatch. "
        "Default: read from the mint.",
    )


def _transfer_checked(args: TransferCheckedArgs, ctx: ToolContext) -> ToolOutput:
    mint = mint_info(ctx, args.mint_address)
    source = user_token_account(ctx, args.user_pubkey, mint)
    destination = destination_token_account(ctx, args.recipient_pubkey, mint)
    decimals = mint.state.decimals if args.decimals is None else args.decimals
    ix = token.transfer_checked(
        source.address,
        mint.address,
        destination,
        source.owner,
        args.amount,
        decimals,
        mint.program,
    )
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={
            "source": str(source.address),
            "destination": str(destination),
            "amount": args.amount,
            "decimals": decimals,
            "mint": str(mint.address),
        },
    )


SPL_TRANSFER_CHECKED: Tool[TransferCheckedArgs] = Tool(
    name="spl_transfer_checked",
    description=(
        "Transfer tokens with TransferChecked: like spl_transfer, but the mint and its decimals "
        "are stated and checked by the token program. Works for SPL Token and Token-2022."
    ),
    args_model=TransferCheckedArgs,
    handler=_transfer_checked,
)
