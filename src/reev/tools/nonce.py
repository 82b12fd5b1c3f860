"""Durable nonce tools: create a nonce account, advance it, pay with a durable-nonce
transaction (System `AdvanceNonceAccount` first; the harness then signs over the stored
nonce instead of a recent blockhash, as a wallet does for an offline-signed payment)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from solders import system_program as sp
from solders.pubkey import Pubkey

from reev.programs import system
from reev.programs.ids import SYSTEM_PROGRAM
from reev.programs.state import NONCE_ACCOUNT_LEN, rent_exempt_minimum
from reev.results.instruction import RawInstruction
from reev.tools.base import Tool, ToolContext, ToolError, ToolOutput, resolve

NONCE_RENT = rent_exempt_minimum(NONCE_ACCOUNT_LEN)


def _nonce(ctx: ToolContext, text: str, user: Pubkey) -> tuple[Pubkey, dict[str, Any]]:
    address = resolve(ctx, text, "nonce_account")
    state = ctx.account(str(address))
    details = state.details or {}
    if not state.exists or state.owner != str(SYSTEM_PROGRAM) or "nonce" not in details:
        raise ToolError(f"nonce_account: {address} is not a nonce account")
    nonce = details["nonce"]
    if nonce.get("authority") != str(user):
        raise ToolError(
            f"user_pubkey: {user} is not the authority of nonce account {address} "
            f"({nonce.get('authority')})"
        )
    return address, nonce


class CreateNonceArgs(BaseModel):
    user_pubkey: str = Field(description="The wallet that pays (and is the default authority).")
    nonce_account: str = Field(
        description="The new nonce account's address (a keypair the user holds, e.g. "
        "NEW_NONCE_ACCOUNT); it must not exist yet."
    )
    authority_pubkey: str | None = Field(
        default=None, description="Who may advance the nonce; default: the user."
    )


def _create(args: CreateNonceArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    new = resolve(ctx, args.nonce_account, "nonce_account")
    if ctx.account(str(new)).exists:
        raise ToolError(f"nonce_account: {new} already exists")
    authority = (
        resolve(ctx, args.authority_pubkey, "authority_pubkey") if args.authority_pubkey else user
    )
    ixs = sp.create_nonce_account(user, new, authority, NONCE_RENT)
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix) for ix in ixs],
        data={"nonce_account": str(new), "authority": str(authority), "lamports": NONCE_RENT},
    )


class AdvanceNonceArgs(BaseModel):
    user_pubkey: str = Field(description="The nonce authority.")
    nonce_account: str = Field(description="The nonce account.")


def _advance(args: AdvanceNonceArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    address, nonce = _nonce(ctx, args.nonce_account, user)
    ix = sp.advance_nonce_account(
        sp.AdvanceNonceAccountParams(nonce_pubkey=address, authorized_pubkey=user)
    )
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={"nonce_account": str(address), "previous_nonce": nonce["nonce"]},
    )


class DurableTransferArgs(BaseModel):
    user_pubkey: str = Field(description="The sender, also the nonce authority.")
    recipient_pubkey: str = Field(description="The recipient's wallet.")
    amount: int = Field(gt=0, description="Lamports to send.")
    nonce_account: str = Field(description="The nonce account whose nonce signs the payment.")


def _durable_transfer(args: DurableTransferArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    recipient = resolve(ctx, args.recipient_pubkey, "recipient_pubkey")
    address, nonce = _nonce(ctx, args.nonce_account, user)
    advance = sp.advance_nonce_account(
        sp.AdvanceNonceAccountParams(nonce_pubkey=address, authorized_pubkey=user)
    )
    pay = system.transfer(user, recipient, args.amount)
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix) for ix in (advance, pay)],
        data={
            "to": str(recipient),
            "lamports": args.amount,
            "nonce_account": str(address),
            "durable_nonce": nonce["nonce"],
        },
    )


CREATE_NONCE_ACCOUNT: Tool[CreateNonceArgs] = Tool(
    name="create_nonce_account",
    description="Create and initialize a durable nonce account (rent paid by the user).",
    args_model=CreateNonceArgs,
    handler=_create,
)
ADVANCE_NONCE_ACCOUNT: Tool[AdvanceNonceArgs] = Tool(
    name="advance_nonce_account",
    description="Advance a nonce account's stored nonce (invalidates transactions signed over it).",
    args_model=AdvanceNonceArgs,
    handler=_advance,
)
SOL_TRANSFER_DURABLE: Tool[DurableTransferArgs] = Tool(
    name="sol_transfer_durable",
    description=(
        "Send SOL in a durable-nonce transaction: it advances the nonce account first and "
        "is signed over the stored nonce instead of a recent blockhash."
    ),
    args_model=DurableTransferArgs,
    handler=_durable_transfer,
)
NONCE_TOOLS: tuple[Tool[Any], ...] = (
    CREATE_NONCE_ACCOUNT,
    ADVANCE_NONCE_ACCOUNT,
    SOL_TRANSFER_DURABLE,
)
