"""Token administration tools: freeze and thaw accounts, set or revoke authorities, and
transfers signed by a multisig's members."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from reev.programs import token_admin
from reev.programs.ata import associated_token_address
from reev.programs.token_admin import AuthorityType
from reev.results.instruction import RawInstruction
from reev.tools.base import Tool, ToolContext, ToolError, ToolOutput, resolve
from reev.tools.common import destination_token_account, mint_info, token_program


class FreezeArgs(BaseModel):
    user_pubkey: str = Field(description="The mint's freeze authority.")
    mint_address: str = Field(description="The token mint.")
    token_account: str | None = Field(
        default=None, description="The token account to freeze or thaw."
    )
    owner_pubkey: str | None = Field(
        default=None,
        description="Instead of token_account: the holder's wallet (its associated account).",
    )


def _freeze_or_thaw(args: FreezeArgs, ctx: ToolContext, freeze: bool) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    mint = mint_info(ctx, args.mint_address)
    if mint.state.freeze_authority is None:
        raise ToolError(f"mint_address: {mint.address} has no freeze authority")
    if mint.state.freeze_authority != str(user):
        raise ToolError(
            f"user_pubkey: {user} is not the freeze authority of {mint.address} "
            f"({mint.state.freeze_authority})"
        )
    if args.token_account:
        account = resolve(ctx, args.token_account, "token_account")
    elif args.owner_pubkey:
        holder = resolve(ctx, args.owner_pubkey, "owner_pubkey")
        account = associated_token_address(holder, mint.address, mint.program)
    else:
        raise ToolError("token_account: give token_account or owner_pubkey")
    state = ctx.account(str(account))
    if state.token is None or state.token.mint != str(mint.address):
        raise ToolError(f"token_account: {account} is not a token account of {mint.address}")
    build = token_admin.freeze_account if freeze else token_admin.thaw_account
    ix = build(account, mint.address, user, mint.program)
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={"token_account": str(account), "frozen": freeze},
    )


def _freeze(args: FreezeArgs, ctx: ToolContext) -> ToolOutput:
    return _freeze_or_thaw(args, ctx, True)


def _thaw(args: FreezeArgs, ctx: ToolContext) -> ToolOutput:
    return _freeze_or_thaw(args, ctx, False)


class SetAuthorityArgs(BaseModel):
    user_pubkey: str = Field(description="The current authority.")
    target: str = Field(description="The mint or token account whose authority changes.")
    authority_type: AuthorityType = Field(
        description="mint_tokens or freeze_account (a mint); account_owner or close_account "
        "(a token account)."
    )
    new_authority: str | None = Field(
        default=None, description="The new authority; null revokes it permanently."
    )


def _set_authority(args: SetAuthorityArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    target = resolve(ctx, args.target, "target")
    state = ctx.account(str(target))
    if not state.exists:
        raise ToolError(f"target: {target} does not exist")
    program = token_program(state.owner)
    on_mint = args.authority_type in ("mint_tokens", "freeze_account")
    if on_mint and state.mint is None:
        raise ToolError(f"target: {args.authority_type} is a mint authority; {target} is no mint")
    if not on_mint and state.token is None:
        raise ToolError(
            f"target: {args.authority_type} is a token-account authority; {target} is none"
        )
    if args.new_authority is None and args.authority_type == "account_owner":
        raise ToolError("new_authority: a token account always has an owner")
    new = resolve(ctx, args.new_authority, "new_authority") if args.new_authority else None
    ix = token_admin.set_authority(target, user, args.authority_type, new, program)
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={
            "target": str(target),
            "authority_type": args.authority_type,
            "new_authority": str(new) if new else None,
        },
    )


class MultisigTransferArgs(BaseModel):
    multisig_pubkey: str = Field(description="The multisig that owns the source account.")
    source_token_account: str = Field(description="The multisig's token account.")
    recipient_pubkey: str = Field(description="A token account, or a wallet with an ATA.")
    amount: int = Field(gt=0, description="Base units to send.")
    mint_address: str = Field(description="The token mint.")
    signers: list[str] = Field(
        min_length=1, max_length=11, description="The multisig members who sign."
    )


def _multisig_transfer(args: MultisigTransferArgs, ctx: ToolContext) -> ToolOutput:
    multisig = resolve(ctx, args.multisig_pubkey, "multisig_pubkey")
    ms = (ctx.account(str(multisig)).details or {}).get("multisig")
    if ms is None:
        raise ToolError(f"multisig_pubkey: {multisig} is not a token multisig")
    mint = mint_info(ctx, args.mint_address)
    source = resolve(ctx, args.source_token_account, "source_token_account")
    src = ctx.account(str(source))
    if src.token is None or src.token.mint != str(mint.address):
        raise ToolError(f"source_token_account: {source} is not a token account of {mint.address}")
    if src.token.owner != str(multisig):
        raise ToolError(f"source_token_account: {source} is owned by {src.token.owner}")
    signers = [resolve(ctx, s, f"signers[{i}]") for i, s in enumerate(args.signers)]
    strangers = [str(s) for s in signers if str(s) not in ms["signers"]]
    if strangers:
        raise ToolError(f"signers: {', '.join(strangers)} are not members of {multisig}")
    dest = destination_token_account(ctx, args.recipient_pubkey, mint)
    ix = token_admin.multisig_transfer_checked(
        source,
        mint.address,
        dest,
        multisig,
        signers,
        args.amount,
        mint.state.decimals,
        mint.program,
    )
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={
            "from": str(source),
            "to": str(dest),
            "amount": args.amount,
            "threshold": ms["m"],
            "signers": [str(s) for s in signers],
        },
    )


FREEZE_TOKEN_ACCOUNT: Tool[FreezeArgs] = Tool(
    name="freeze_token_account",
    description="Freeze a token account (signed by the mint's freeze authority).",
    args_model=FreezeArgs,
    handler=_freeze,
)
THAW_TOKEN_ACCOUNT: Tool[FreezeArgs] = Tool(
    name="thaw_token_account",
    description="Thaw a frozen token account (signed by the mint's freeze authority).",
    args_model=FreezeArgs,
    handler=_thaw,
)
SET_TOKEN_AUTHORITY: Tool[SetAuthorityArgs] = Tool(
    name="set_token_authority",
    description=(
        "Change or revoke (new_authority null) a mint's mint/freeze authority or a token "
        "account's owner/close authority."
    ),
    args_model=SetAuthorityArgs,
    handler=_set_authority,
)
MULTISIG_SPL_TRANSFER: Tool[MultisigTransferArgs] = Tool(
    name="multisig_spl_transfer",
    description=(
        "Transfer tokens from an account owned by an SPL Token multisig, signed by the listed "
        "members (the transaction needs as many of their signatures as the threshold)."
    ),
    args_model=MultisigTransferArgs,
    handler=_multisig_transfer,
)
TOKEN_ADMIN_TOOLS: tuple[Tool[Any], ...] = (
    FREEZE_TOKEN_ACCOUNT,
    THAW_TOKEN_ACCOUNT,
    SET_TOKEN_AUTHORITY,
    MULTISIG_SPL_TRANSFER,
)
