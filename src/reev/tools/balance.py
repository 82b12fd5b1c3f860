"""`get_account_balance`: SOL and token balances of a wallet, read live from the chain."""

from __future__ import annotations

from pydantic import BaseModel, Field

from reev.tools.base import Tool, ToolContext, ToolOutput, resolve


class AccountBalanceArgs(BaseModel):
    pubkey: str = Field(description="The wallet to inspect (placeholder name or base58).")


def _get_account_balance(args: AccountBalanceArgs, ctx: ToolContext) -> ToolOutput:
    wallet = resolve(ctx, args.pubkey, "pubkey")
    state = ctx.account(str(wallet))
    tokens = []
    for acct in ctx.token_accounts_by_owner(str(wallet)):
        if acct.token is None:
            continue
        tokens.append(
            {
                "token_account": acct.pubkey,
                "mint": acct.token.mint,
                "amount": acct.token.amount,
                "decimals": acct.token.decimals,
                "ui_amount": acct.token.ui_amount,
            }
        )
    return ToolOutput(
        data={
            "pubkey": str(wallet),
            "exists": state.exists,
            "lamports": state.lamports,
            "sol": state.lamports / 1_000_000_000,
            "token_accounts": tokens,
        }
    )


GET_ACCOUNT_BALANCE: Tool[AccountBalanceArgs] = Tool(
    name="get_account_balance",
    description="Read the SOL balance and all token balances of a wallet.",
    args_model=AccountBalanceArgs,
    handler=_get_account_balance,
)
