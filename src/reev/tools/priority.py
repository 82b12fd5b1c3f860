"""`sol_transfer_with_priority_fee`: a SOL payment carrying Compute Budget instructions
(a compute-unit price, the priority fee, and optionally a compute-unit limit)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from reev.programs import compute_budget, system
from reev.results.instruction import RawInstruction
from reev.tools.base import Tool, ToolContext, ToolOutput, resolve


class PriorityTransferArgs(BaseModel):
    user_pubkey: str = Field(description="The sender.")
    recipient_pubkey: str = Field(description="The recipient's wallet.")
    amount: int = Field(gt=0, description="Lamports to send.")
    micro_lamports_per_cu: int = Field(
        ge=0, le=10**12, description="Priority fee: micro-lamports per compute unit."
    )
    compute_unit_limit: int | None = Field(
        default=None, ge=1, le=1_400_000, description="Compute-unit limit (optional)."
    )


def _priority_transfer(args: PriorityTransferArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    to = resolve(ctx, args.recipient_pubkey, "recipient_pubkey")
    ixs = []
    if args.compute_unit_limit is not None:
        ixs.append(compute_budget.set_compute_unit_limit(args.compute_unit_limit))
    ixs.append(compute_budget.set_compute_unit_price(args.micro_lamports_per_cu))
    ixs.append(system.transfer(user, to, args.amount))
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix) for ix in ixs],
        data={
            "to": str(to),
            "lamports": args.amount,
            "micro_lamports_per_cu": args.micro_lamports_per_cu,
            "compute_unit_limit": args.compute_unit_limit,
        },
    )


SOL_TRANSFER_WITH_PRIORITY_FEE: Tool[PriorityTransferArgs] = Tool(
    name="sol_transfer_with_priority_fee",
    description=(
        "Send SOL with a priority fee (micro-lamports per compute unit) and optionally a "
        "compute-unit limit, set by Compute Budget instructions in the same transaction."
    ),
    args_model=PriorityTransferArgs,
    handler=_priority_transfer,
)
