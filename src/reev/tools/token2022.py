"""Token-2022 extension tools: transfers that state their fee, transfers carrying the
memo a memo-required account needs, memo-requirement toggles, delegate transfers
(permanent delegates included), and a fee quote."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator

from reev.programs import memo as memo_ix
from reev.programs import token, token_admin
from reev.programs.state import EXT_MEMO_TRANSFER, gross_for_net, transfer_fee
from reev.results.instruction import RawInstruction
from reev.tools.base import Tool, ToolContext, ToolError, ToolOutput, resolve
from reev.tools.common import MintInfo, destination_token_account, mint_info, user_token_account


def _fee_config(ctx: ToolContext, mint: MintInfo) -> dict[str, Any] | None:
    details = ctx.account(str(mint.address)).details or {}
    fee = details.get("mint", {}).get("extensions", {}).get("transfer_fee")
    return fee if isinstance(fee, dict) else None


class FeeTransferArgs(BaseModel):
    user_pubkey: str = Field(description="The sender: wallet or its token account.")
    recipient_pubkey: str = Field(description="A token account, or a wallet with an ATA.")
    amount: int = Field(gt=0, description="Base units sent (the fee is taken from them).")
    mint_address: str = Field(description="A Token-2022 mint with a transfer fee.")
    fee: int | None = Field(
        default=None, ge=0, description="The fee you expect; default: computed from the mint."
    )


def _fee_transfer(args: FeeTransferArgs, ctx: ToolContext) -> ToolOutput:
    mint = mint_info(ctx, args.mint_address)
    config = _fee_config(ctx, mint)
    if config is None:
        raise ToolError(
            f"mint_address: {mint.address} has no transfer fee; use spl_transfer_checked"
        )
    source = user_token_account(ctx, args.user_pubkey, mint)
    dest = destination_token_account(ctx, args.recipient_pubkey, mint)
    fee = args.fee
    if fee is None:
        fee = transfer_fee(args.amount, config["basis_points"], config["maximum_fee"])
    ix = token_admin.transfer_checked_with_fee(
        source.address,
        mint.address,
        dest,
        source.owner,
        args.amount,
        mint.state.decimals,
        fee,
        mint.program,
    )
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={
            "from": str(source.address),
            "to": str(dest),
            "amount": args.amount,
            "fee": fee,
            "recipient_receives": args.amount - fee,
        },
    )


class FeeQuoteArgs(BaseModel):
    mint_address: str = Field(description="A Token-2022 mint (with or without a transfer fee).")
    amount: int | None = Field(default=None, ge=0, description="Base units to be sent.")
    net_amount: int | None = Field(
        default=None, ge=0, description="Base units the recipient must receive."
    )

    @model_validator(mode="after")
    def _one(self) -> FeeQuoteArgs:
        if (self.amount is None) == (self.net_amount is None):
            raise ValueError("give exactly one of amount, net_amount")
        return self


def _fee_quote(args: FeeQuoteArgs, ctx: ToolContext) -> ToolOutput:
    mint = mint_info(ctx, args.mint_address)
    config = _fee_config(ctx, mint) or {"basis_points": 0, "maximum_fee": 0}
    bps, cap = config["basis_points"], config["maximum_fee"]
    gross = (
        args.amount if args.amount is not None else gross_for_net(args.net_amount or 0, bps, cap)
    )
    fee = transfer_fee(gross, bps, cap)
    return ToolOutput(
        data={
            "mint": str(mint.address),
            "decimals": mint.state.decimals,
            "basis_points": bps,
            "maximum_fee": cap,
            "send": gross,
            "fee": fee,
            "recipient_receives": gross - fee,
        }
    )


class MemoTransferArgs(BaseModel):
    user_pubkey: str = Field(description="The sender: wallet or its token account.")
    recipient_pubkey: str = Field(description="A token account, or a wallet with an ATA.")
    amount: int = Field(gt=0, description="Base units.")
    mint_address: str = Field(description="The token mint.")
    memo: str = Field(min_length=1, max_length=566, description="The memo (placed just before).")


def _memo_transfer(args: MemoTransferArgs, ctx: ToolContext) -> ToolOutput:
    mint = mint_info(ctx, args.mint_address)
    source = user_token_account(ctx, args.user_pubkey, mint)
    dest = destination_token_account(ctx, args.recipient_pubkey, mint)
    note = memo_ix.memo(args.memo, [source.owner])
    ix = token.transfer_checked(
        source.address,
        mint.address,
        dest,
        source.owner,
        args.amount,
        mint.state.decimals,
        mint.program,
    )
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(i) for i in (note, ix)],
        data={
            "from": str(source.address),
            "to": str(dest),
            "amount": args.amount,
            "memo": args.memo,
        },
    )


class MemoRequirementArgs(BaseModel):
    user_pubkey: str = Field(description="The owner of the Token-2022 account.")
    mint_address: str = Field(description="The token mint.")
    required: bool = Field(description="true: incoming transfers must carry a memo.")
    token_account: str | None = Field(default=None, description="Default: the user's ATA.")


def _memo_requirement(args: MemoRequirementArgs, ctx: ToolContext) -> ToolOutput:
    mint = mint_info(ctx, args.mint_address)
    account = user_token_account(ctx, args.user_pubkey, mint, args.token_account)
    ixs = []
    details = ctx.account(str(account.address)).details or {}
    if "memo_required" not in details.get("token", {}).get("extensions", {}):
        # no room for the extension yet: grow the account first (the owner pays the rent)
        ixs.append(
            token_admin.reallocate(
                account.address, account.owner, account.owner, [EXT_MEMO_TRANSFER], mint.program
            )
        )
    ixs.append(
        token_admin.memo_transfer_toggle(
            account.address, account.owner, args.required, mint.program
        )
    )
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix) for ix in ixs],
        data={"token_account": str(account.address), "memo_required": args.required},
    )


class DelegateTransferArgs(BaseModel):
    user_pubkey: str = Field(description="The delegate (or the mint's permanent delegate).")
    source_token_account: str = Field(description="The token account to move tokens from.")
    recipient_pubkey: str = Field(description="A token account, or a wallet with an ATA.")
    amount: int = Field(gt=0, description="Base units.")
    mint_address: str = Field(description="The token mint.")


def _delegate_transfer(args: DelegateTransferArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    mint = mint_info(ctx, args.mint_address)
    source = resolve(ctx, args.source_token_account, "source_token_account")
    state = ctx.account(str(source))
    if state.token is None or state.token.mint != str(mint.address):
        raise ToolError(f"source_token_account: {source} is not a token account of {mint.address}")
    dest = destination_token_account(ctx, args.recipient_pubkey, mint)
    ix = token.transfer_checked(
        source, mint.address, dest, user, args.amount, mint.state.decimals, mint.program
    )
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={"from": str(source), "to": str(dest), "amount": args.amount, "authority": str(user)},
    )


SPL_TRANSFER_WITH_FEE: Tool[FeeTransferArgs] = Tool(
    name="spl_transfer_with_fee",
    description=(
        "Token-2022 transfer from a mint with a transfer fee, stating the fee "
        "(TransferCheckedWithFee); the recipient receives amount minus fee."
    ),
    args_model=FeeTransferArgs,
    handler=_fee_transfer,
)
GET_TRANSFER_FEE: Tool[FeeQuoteArgs] = Tool(
    name="get_transfer_fee",
    description=(
        "Quote a Token-2022 transfer fee: for `amount` sent, the fee and what the recipient "
        "receives; or for `net_amount` to be received, how much to send."
    ),
    args_model=FeeQuoteArgs,
    handler=_fee_quote,
)
SPL_TRANSFER_WITH_MEMO: Tool[MemoTransferArgs] = Tool(
    name="spl_transfer_with_memo",
    description=(
        "Token transfer (TransferChecked) preceded by a memo in the same transaction, as "
        "Token-2022 accounts that require incoming memos demand."
    ),
    args_model=MemoTransferArgs,
    handler=_memo_transfer,
)
SET_MEMO_REQUIREMENT: Tool[MemoRequirementArgs] = Tool(
    name="set_memo_requirement",
    description="Require (or stop requiring) a memo on transfers into a Token-2022 account.",
    args_model=MemoRequirementArgs,
    handler=_memo_requirement,
)
SPL_TRANSFER_AS_DELEGATE: Tool[DelegateTransferArgs] = Tool(
    name="spl_transfer_as_delegate",
    description=(
        "Move tokens out of someone's token account as its delegate or as the mint's "
        "permanent delegate (TransferChecked signed by the user)."
    ),
    args_model=DelegateTransferArgs,
    handler=_delegate_transfer,
)


class InterestRateArgs(BaseModel):
    user_pubkey: str = Field(description="The mint's interest-rate authority.")
    mint_address: str = Field(description="An interest-bearing Token-2022 mint.")
    rate_bps: int = Field(ge=-32768, le=32767, description="The new annual rate, basis points.")


def _interest_rate(args: InterestRateArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    mint = mint_info(ctx, args.mint_address)
    ext = (ctx.account(str(mint.address)).details or {}).get("mint", {}).get("extensions", {})
    config = ext.get("interest_bearing")
    if config is None:
        raise ToolError(f"mint_address: {mint.address} is not interest-bearing")
    if config.get("authority") != str(user):
        raise ToolError(
            f"user_pubkey: {user} is not the rate authority ({config.get('authority')})"
        )
    ix = token_admin.update_interest_rate(mint.address, user, args.rate_bps, mint.program)
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={
            "mint": str(mint.address),
            "previous_rate_bps": config.get("rate_bps"),
            "rate_bps": args.rate_bps,
        },
    )


SET_INTEREST_RATE: Tool[InterestRateArgs] = Tool(
    name="set_interest_rate",
    description="Change the annual interest rate (basis points) of an interest-bearing Token-2022 mint.",
    args_model=InterestRateArgs,
    handler=_interest_rate,
)
TOKEN_2022_TOOLS: tuple[Tool[Any], ...] = (
    SPL_TRANSFER_WITH_FEE,
    GET_TRANSFER_FEE,
    SPL_TRANSFER_WITH_MEMO,
    SET_MEMO_REQUIREMENT,
    SPL_TRANSFER_AS_DELEGATE,
    SET_INTEREST_RATE,
)
