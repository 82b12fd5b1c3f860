"""Address Lookup Table tools: create and extend a table, and pay many recipients in one
v0 transaction that loads their addresses through a table."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from solders.pubkey import Pubkey

from reev.programs import lookup_table as alt
from reev.programs import system
from reev.programs.ids import LOOKUP_TABLE_PROGRAM
from reev.programs.state import CLOCK_SYSVAR_ADDRESS
from reev.results.instruction import RawInstruction
from reev.tools.base import Tool, ToolContext, ToolError, ToolOutput, resolve

MAX_EXTEND = 30  # addresses per ExtendLookupTable that fit one transaction


def _current_slot(ctx: ToolContext) -> int:
    clock = (ctx.account(CLOCK_SYSVAR_ADDRESS).details or {}).get("clock")
    if not clock:
        raise ToolError("cannot read the Clock sysvar on this chain")
    return int(clock["slot"])


def _table(ctx: ToolContext, text: str) -> tuple[Pubkey, dict[str, Any]]:
    address = resolve(ctx, text, "lookup_table")
    state = ctx.account(str(address))
    details = (state.details or {}).get("lookup_table")
    if not state.exists or state.owner != str(LOOKUP_TABLE_PROGRAM) or details is None:
        raise ToolError(f"lookup_table: {address} is not an address lookup table")
    return address, details


class CreateTableArgs(BaseModel):
    user_pubkey: str = Field(description="The table's authority, who also pays its rent.")


def _create(args: CreateTableArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    slot = _current_slot(ctx)
    ix, table = alt.create_lookup_table(user, user, slot)
    if ctx.account(str(table)).exists:
        raise ToolError(f"a lookup table already exists at {table} for this slot")
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={"lookup_table": str(table), "recent_slot": slot},
    )


class ExtendTableArgs(BaseModel):
    user_pubkey: str = Field(description="The table's authority (pays for the extra space).")
    lookup_table: str = Field(description="The address lookup table.")
    addresses: list[str] = Field(
        min_length=1, max_length=MAX_EXTEND, description="Addresses to append."
    )


def _extend(args: ExtendTableArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    table, details = _table(ctx, args.lookup_table)
    if details["authority"] != str(user):
        raise ToolError(f"user_pubkey: {user} is not the authority of {table}")
    addresses = [resolve(ctx, a, f"addresses[{i}]") for i, a in enumerate(args.addresses)]
    ix = alt.extend_lookup_table(table, user, user, addresses)
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={"lookup_table": str(table), "added": len(addresses)},
    )


class Payment(BaseModel):
    recipient_pubkey: str = Field(description="A recipient wallet.")
    amount: int = Field(gt=0, description="Lamports for this recipient.")


class TransferManyArgs(BaseModel):
    user_pubkey: str = Field(description="The sender.")
    payments: list[Payment] = Field(
        min_length=1, max_length=64, description="Recipients and lamports, one entry each."
    )
    lookup_table: str | None = Field(
        default=None,
        description="An address lookup table holding the recipients: the payment becomes one "
        "v0 transaction that names them by index (many more fit).",
    )


def _transfer_many(args: TransferManyArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    ixs = []
    for i, p in enumerate(args.payments):
        to = resolve(ctx, p.recipient_pubkey, f"payments[{i}].recipient_pubkey")
        ixs.append(RawInstruction.from_instruction(system.transfer(user, to, p.amount)))
    tables: list[str] = []
    if args.lookup_table:
        table, _ = _table(ctx, args.lookup_table)
        tables.append(str(table))
    return ToolOutput(
        instructions=ixs,
        lookup_tables=tables,
        data={
            "payments": len(ixs),
            "total_lamports": sum(p.amount for p in args.payments),
            "lookup_table": tables[0] if tables else None,
        },
    )


CREATE_LOOKUP_TABLE: Tool[CreateTableArgs] = Tool(
    name="create_lookup_table",
    description="Create an address lookup table owned by the user (its address is returned).",
    args_model=CreateTableArgs,
    handler=_create,
)
EXTEND_LOOKUP_TABLE: Tool[ExtendTableArgs] = Tool(
    name="extend_lookup_table",
    description="Append addresses to the user's address lookup table.",
    args_model=ExtendTableArgs,
    handler=_extend,
)
SOL_TRANSFER_MANY: Tool[TransferManyArgs] = Tool(
    name="sol_transfer_many",
    description=(
        "Send SOL to several recipients in one transaction; with `lookup_table` it is a v0 "
        "transaction loading the recipients through that table."
    ),
    args_model=TransferManyArgs,
    handler=_transfer_many,
)
LOOKUP_TABLE_TOOLS: tuple[Tool[Any], ...] = (
    CREATE_LOOKUP_TABLE,
    EXTEND_LOOKUP_TABLE,
    SOL_TRANSFER_MANY,
)
