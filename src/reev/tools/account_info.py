"""`get_account_info`: one account as the chain holds it, decoded (read-only).

Owner, lamports, and what the account is: a token account (amount, delegate, state,
close authority, Token-2022 extensions), a mint (supply, authorities, extensions such as
a transfer fee or metadata), a stake, vote, nonce, lookup-table or multisig account.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from reev.tools.base import Tool, ToolContext, ToolOutput, resolve


class AccountInfoArgs(BaseModel):
    pubkey: str = Field(description="The account to read (placeholder name or base58).")


def _account_info(args: AccountInfoArgs, ctx: ToolContext) -> ToolOutput:
    address = resolve(ctx, args.pubkey, "pubkey")
    state = ctx.account(str(address))
    data: dict[str, Any] = {
        "pubkey": str(address),
        "exists": state.exists,
        "lamports": state.lamports,
        "owner": state.owner,
        "executable": state.executable,
        "data_len": state.data_len,
    }
    details = dict(state.details or {})
    if state.token is not None:
        data["token_account"] = {**state.token.model_dump(), **details.pop("token", {})}
    if state.mint is not None:
        data["mint"] = {**state.mint.model_dump(), **details.pop("mint", {})}
    data.update(details)
    return ToolOutput(data=data)


GET_ACCOUNT_INFO: Tool[AccountInfoArgs] = Tool(
    name="get_account_info",
    description=(
        "Read one account, decoded: token account (amount, delegate, frozen state, close "
        "authority, Token-2022 extensions), mint (supply, authorities, transfer fee, "
        "metadata, …), stake, vote, nonce, lookup-table or multisig account."
    ),
    args_model=AccountInfoArgs,
    handler=_account_info,
)
