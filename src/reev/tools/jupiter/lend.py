"""Jupiter Lend earn tools: deposit, withdraw, mint and redeem (reev's names and parameters).

Each calls the Lend API endpoint of its name — `POST /lend/v1/earn/{deposit,withdraw,mint,
redeem}-instructions` with `{asset, signer, amount|shares, cluster: "mainnet"}` — and
returns its instructions for the harness. Unlike reev, `jupiter_lend_earn_mint` calls the
mint endpoint (reev called deposit with the share count as an amount).

SOL is lent as wrapped SOL: a deposit of SOL first wraps what the wSOL account lacks
(idempotent ATA creation, transfer, SyncNative); a withdrawal of SOL ends by closing the
wSOL account, so the user gets SOL back — what reev's tools did, without failing when the
wSOL account already exists.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator
from solders.pubkey import Pubkey

from reev.programs import system, token
from reev.programs.ata import associated_token_address, create_associated_token_account
from reev.programs.ids import NATIVE_MINT, TOKEN_PROGRAM
from reev.results.instruction import RawInstruction
from reev.tools.base import Tool, ToolContext, ToolError, ToolOutput, resolve
from reev.tools.jupiter.client import JupiterError
from reev.tools.jupiter.instructions import instruction_list, spendable

LEND_PATH = "/lend/v1/earn/{action}-instructions"


def _lend_instructions(ctx: ToolContext, action: str, body: dict[str, Any]) -> list[RawInstruction]:
    path = LEND_PATH.format(action=action)
    answer = ctx.jupiter.post(path, {**body, "cluster": "mainnet"})
    if not isinstance(answer, dict) or "instructions" not in answer:
        raise JupiterError(f"Jupiter {path} returned no instructions: {str(answer)[:300]}")
    return instruction_list(answer["instructions"], f"Jupiter {path}")


def _raw(ixs: list[Any]) -> list[RawInstruction]:
    return [RawInstruction.from_instruction(ix) for ix in ixs]


def _wrap_sol(ctx: ToolContext, user: Pubkey, amount: int) -> list[RawInstruction]:
    """Instructions that leave `amount` wrapped SOL in the user's wSOL account."""
    wsol = associated_token_address(user, NATIVE_MINT, TOKEN_PROGRAM)
    state = ctx.account(str(wsol))
    held = state.token.amount if state.token is not None else 0
    if held >= amount:
        return []
    return _raw(
        [
            create_associated_token_account(user, user, NATIVE_MINT, TOKEN_PROGRAM),
            system.transfer(user, wsol, amount - held),
            token.sync_native(wsol, TOKEN_PROGRAM),
        ]
    )


class LendAmountArgs(BaseModel):
    user_pubkey: str = Field(description="The lender's wallet (placeholder name or base58).")
    asset_mint: str = Field(
        description="The asset to lend, e.g. USDC EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v "
        "or SOL So11111111111111111111111111111111111111112."
    )
    amount: int = Field(gt=0, description="Amount of the asset in base units.")


def _deposit(args: LendAmountArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    asset = resolve(ctx, args.asset_mint, "asset_mint")
    held = spendable(ctx, user, asset, "asset_mint")
    if held < args.amount:
        raise ToolError(
            f"insufficient funds: {user} holds {held} base units of {asset}, "
            f"the deposit needs {args.amount}"
        )
    prefix = _wrap_sol(ctx, user, args.amount) if asset == NATIVE_MINT else []
    body = {"asset": str(asset), "signer": str(user), "amount": str(args.amount)}
    instructions = prefix + _lend_instructions(ctx, "deposit", body)
    return ToolOutput(
        instructions=instructions,
        data={"operation_type": "jupiter_lend_earn_deposit", **body, "wrapped_sol": bool(prefix)},
    )


def _withdraw(args: LendAmountArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    asset = resolve(ctx, args.asset_mint, "asset_mint")
    body = {"asset": str(asset), "signer": str(user), "amount": str(args.amount)}
    instructions = _lend_instructions(ctx, "withdraw", body)
    if asset == NATIVE_MINT:
        wsol = associated_token_address(user, NATIVE_MINT, TOKEN_PROGRAM)
        instructions += _raw([token.close_account(wsol, user, user, TOKEN_PROGRAM)])
    return ToolOutput(
        instructions=instructions,
        data={
            "operation_type": "jupiter_lend_earn_withdraw",
            **body,
            "unwrapped_sol": asset == NATIVE_MINT,
        },
    )


class LendSharesArgs(BaseModel):
    asset: str = Field(description="The underlying asset mint (placeholder name or base58).")
    signer: str = Field(description="The wallet that signs (placeholder name or base58).")
    shares: int = Field(gt=0, description="Number of jl-token shares, in base units.")

    @field_validator("shares", mode="before")
    @classmethod
    def _numeric_text(cls, value: Any) -> Any:
        """Models often send numbers as strings; accept digits only, nothing else."""
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        return value


def _shares_tool(action: str) -> Any:
    def handler(args: LendSharesArgs, ctx: ToolContext) -> ToolOutput:
        signer = resolve(ctx, args.signer, "signer")
        asset = resolve(ctx, args.asset, "asset")
        body = {"asset": str(asset), "signer": str(signer), "shares": str(args.shares)}
        return ToolOutput(
            instructions=_lend_instructions(ctx, action, body),
            data={"operation_type": f"jupiter_lend_earn_{action}", **body},
        )

    return handler


JUPITER_LEND_EARN_DEPOSIT: Tool[LendAmountArgs] = Tool(
    name="jupiter_lend_earn_deposit",
    description=(
        "Deposit (lend) an asset into Jupiter Lend Earn to receive interest-bearing jl-tokens. "
        "Amount in the asset's base units; SOL is wrapped automatically."
    ),
    args_model=LendAmountArgs,
    handler=_deposit,
)

JUPITER_LEND_EARN_WITHDRAW: Tool[LendAmountArgs] = Tool(
    name="jupiter_lend_earn_withdraw",
    description=(
        "Withdraw an amount of the underlying asset from Jupiter Lend Earn (burns jl-tokens). "
        "Amount in the asset's base units; SOL is unwrapped automatically."
    ),
    args_model=LendAmountArgs,
    handler=_withdraw,
)

JUPITER_LEND_EARN_MINT: Tool[LendSharesArgs] = Tool(
    name="jupiter_lend_earn_mint",
    description=(
        "Mint an exact number of Jupiter Lend jl-token shares by depositing the asset they require."
    ),
    args_model=LendSharesArgs,
    handler=_shares_tool("mint"),
)

JUPITER_LEND_EARN_REDEEM: Tool[LendSharesArgs] = Tool(
    name="jupiter_lend_earn_redeem",
    description=(
        "Redeem an exact number of Jupiter Lend jl-token shares for the underlying asset."
    ),
    args_model=LendSharesArgs,
    handler=_shares_tool("redeem"),
)
