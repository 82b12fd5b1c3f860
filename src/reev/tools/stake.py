"""Stake tools: create (and delegate), delegate, deactivate, withdraw, split, merge.

Each reads the stake account's decoded state first, so a call that cannot work (not a
stake account, the user is not its staker, a withdrawal larger than what is free) comes
back as an error naming the argument rather than as a failed transaction.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from solders.pubkey import Pubkey

from reev.programs import stake as stake_ix
from reev.programs.ids import STAKE_PROGRAM, VOTE_PROGRAM
from reev.programs.state import STAKE_ACCOUNT_LEN, rent_exempt_minimum
from reev.results.instruction import RawInstruction
from reev.tools.base import Tool, ToolContext, ToolError, ToolOutput, resolve

STAKE_RENT = rent_exempt_minimum(STAKE_ACCOUNT_LEN)


def _raw(ixs: list[Any]) -> list[RawInstruction]:
    return [RawInstruction.from_instruction(ix) for ix in ixs]


def _stake_state(ctx: ToolContext, text: str, arg: str) -> tuple[Pubkey, dict[str, Any], int]:
    """A stake account's address, decoded state and lamports; ToolError when it is none."""
    address = resolve(ctx, text, arg)
    state = ctx.account(str(address))
    if not state.exists or state.owner != str(STAKE_PROGRAM) or not state.details:
        raise ToolError(f"{arg}: {address} is not a stake account")
    return address, state.details["stake"], state.lamports


def _vote_account(ctx: ToolContext, text: str) -> Pubkey:
    vote = resolve(ctx, text, "vote_account")
    state = ctx.account(str(vote))
    if not state.exists or state.owner != str(VOTE_PROGRAM):
        raise ToolError(f"vote_account: {vote} is not a vote account on this chain")
    return vote


def _require(authority: Pubkey, expected: str, role: str, arg: str) -> None:
    if str(authority) != expected:
        raise ToolError(f"{arg}: {authority} is not the {role} of this stake account ({expected})")


class CreateStakeArgs(BaseModel):
    user_pubkey: str = Field(description="The wallet that pays and becomes staker and withdrawer.")
    stake_account: str = Field(
        description="The new stake account's address (a keypair the user holds, e.g. "
        "NEW_STAKE_ACCOUNT); it must not exist yet."
    )
    amount: int = Field(gt=0, description="Lamports to stake (the rent reserve is added).")
    vote_account: str | None = Field(
        default=None, description="Delegate at once to this validator vote account (optional)."
    )


def _create(args: CreateStakeArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    new = resolve(ctx, args.stake_account, "stake_account")
    if ctx.account(str(new)).exists:
        raise ToolError(f"stake_account: {new} already exists")
    ixs = stake_ix.create_stake_account(user, new, user, user, args.amount + STAKE_RENT)
    data: dict[str, Any] = {
        "stake_account": str(new),
        "lamports": args.amount + STAKE_RENT,
        "rent_reserve": STAKE_RENT,
    }
    if args.vote_account:
        vote = _vote_account(ctx, args.vote_account)
        ixs.append(stake_ix.delegate_stake(new, vote, user))
        data["delegated_to"] = str(vote)
    return ToolOutput(instructions=_raw(ixs), data=data)


class DelegateStakeArgs(BaseModel):
    user_pubkey: str = Field(description="The stake account's staker.")
    stake_account: str = Field(description="The stake account.")
    vote_account: str = Field(description="The validator's vote account.")


def _delegate(args: DelegateStakeArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    address, state, _ = _stake_state(ctx, args.stake_account, "stake_account")
    _require(user, state["staker"], "staker", "user_pubkey")
    vote = _vote_account(ctx, args.vote_account)
    return ToolOutput(
        instructions=_raw([stake_ix.delegate_stake(address, vote, user)]),
        data={"stake_account": str(address), "vote_account": str(vote)},
    )


class StakeAccountArgs(BaseModel):
    user_pubkey: str = Field(description="The stake account's staker.")
    stake_account: str = Field(description="The stake account.")


def _deactivate(args: StakeAccountArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    address, state, _ = _stake_state(ctx, args.stake_account, "stake_account")
    _require(user, state["staker"], "staker", "user_pubkey")
    if state["state"] != "delegated":
        raise ToolError(f"stake_account: {address} is not delegated; nothing to deactivate")
    return ToolOutput(
        instructions=_raw([stake_ix.deactivate_stake(address, user)]),
        data={"stake_account": str(address), "status_before": state.get("status")},
    )


class WithdrawStakeArgs(BaseModel):
    user_pubkey: str = Field(description="The stake account's withdrawer.")
    stake_account: str = Field(description="The stake account.")
    amount: int | None = Field(
        default=None, gt=0, description="Lamports to withdraw; default: everything (closes it)."
    )
    recipient_pubkey: str | None = Field(
        default=None, description="Where the lamports go; default: the user."
    )


def _withdraw(args: WithdrawStakeArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    address, state, lamports = _stake_state(ctx, args.stake_account, "stake_account")
    _require(user, state["withdrawer"], "withdrawer", "user_pubkey")
    to = resolve(ctx, args.recipient_pubkey, "recipient_pubkey") if args.recipient_pubkey else user
    amount = args.amount if args.amount is not None else lamports
    if amount > lamports:
        raise ToolError(f"amount: {amount} is more than the account holds ({lamports})")
    return ToolOutput(
        instructions=_raw([stake_ix.withdraw_stake(address, to, user, amount)]),
        data={"stake_account": str(address), "to": str(to), "lamports": amount},
    )


class SplitStakeArgs(BaseModel):
    user_pubkey: str = Field(description="The stake account's staker (pays the new rent).")
    stake_account: str = Field(description="The stake account to split.")
    new_stake_account: str = Field(
        description="The new stake account's address (a keypair the user holds)."
    )
    amount: int = Field(gt=0, description="Lamports moved into the new stake account.")


def _split(args: SplitStakeArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    address, state, _ = _stake_state(ctx, args.stake_account, "stake_account")
    _require(user, state["staker"], "staker", "user_pubkey")
    new = resolve(ctx, args.new_stake_account, "new_stake_account")
    if ctx.account(str(new)).exists:
        raise ToolError(f"new_stake_account: {new} already exists")
    ixs = stake_ix.split_stake(user, address, new, user, args.amount, STAKE_RENT)
    return ToolOutput(
        instructions=_raw(ixs),
        data={"from": str(address), "new_stake_account": str(new), "lamports": args.amount},
    )


class MergeStakeArgs(BaseModel):
    user_pubkey: str = Field(description="The staker of both stake accounts.")
    destination_stake_account: str = Field(description="The stake account that remains.")
    source_stake_account: str = Field(description="The stake account merged in (closed).")


def _merge(args: MergeStakeArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    dest, dest_state, _ = _stake_state(
        ctx, args.destination_stake_account, "destination_stake_account"
    )
    src, src_state, _ = _stake_state(ctx, args.source_stake_account, "source_stake_account")
    _require(user, dest_state["staker"], "staker", "user_pubkey")
    _require(user, src_state["staker"], "staker", "user_pubkey")
    return ToolOutput(
        instructions=_raw([stake_ix.merge_stake(dest, src, user)]),
        data={"destination": str(dest), "source": str(src)},
    )


CREATE_STAKE_ACCOUNT: Tool[CreateStakeArgs] = Tool(
    name="create_stake_account",
    description=(
        "Create and initialize a stake account funded with `amount` lamports plus its rent "
        "reserve (staker and withdrawer: the user), optionally delegating it to a vote account."
    ),
    args_model=CreateStakeArgs,
    handler=_create,
)
DELEGATE_STAKE: Tool[DelegateStakeArgs] = Tool(
    name="delegate_stake",
    description="Delegate a stake account to a validator's vote account.",
    args_model=DelegateStakeArgs,
    handler=_delegate,
)
DEACTIVATE_STAKE: Tool[StakeAccountArgs] = Tool(
    name="deactivate_stake",
    description=(
        "Deactivate a delegated stake account; it becomes withdrawable after the current "
        "epoch ends."
    ),
    args_model=StakeAccountArgs,
    handler=_deactivate,
)
WITHDRAW_STAKE: Tool[WithdrawStakeArgs] = Tool(
    name="withdraw_stake",
    description=(
        "Withdraw lamports from an inactive or undelegated stake account (default: all of "
        "them, which closes it)."
    ),
    args_model=WithdrawStakeArgs,
    handler=_withdraw,
)
SPLIT_STAKE: Tool[SplitStakeArgs] = Tool(
    name="split_stake",
    description="Split `amount` lamports of a stake account into a new stake account.",
    args_model=SplitStakeArgs,
    handler=_split,
)
MERGE_STAKE: Tool[MergeStakeArgs] = Tool(
    name="merge_stake",
    description="Merge one stake account into another (same validator and state).",
    args_model=MergeStakeArgs,
    handler=_merge,
)
STAKE_TOOLS: tuple[Tool[Any], ...] = (
    CREATE_STAKE_ACCOUNT,
    DELEGATE_STAKE,
    DEACTIVATE_STAKE,
    WITHDRAW_STAKE,
    SPLIT_STAKE,
    MERGE_STAKE,
)
