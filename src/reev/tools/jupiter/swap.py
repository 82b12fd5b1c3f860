"""`jupiter_swap`: a real Jupiter route, as instructions for the harness to execute.

Calls the Swap API reev used: `GET /swap/v1/quote` then `POST /swap/v1/swap-instructions`.
The answer's setup, swap and cleanup instructions (and `otherInstructions`) are returned
with the compute-unit *limit* Jupiter computed; its compute-unit *price* (a priority fee)
is left out, as reev left it out, so benchmark balances are not moved by fee markets. The
address lookup tables Jupiter names are handed to the harness, which then builds a v0
transaction — routes often name more accounts than a legacy transaction can hold.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from reev.tools.base import Tool, ToolContext, ToolError, ToolOutput, resolve
from reev.tools.jupiter.client import JupiterError
from reev.tools.jupiter.instructions import is_compute_unit_price, spendable, to_raw

QUOTE_PATH = "/swap/v1/quote"
SWAP_INSTRUCTIONS_PATH = "/swap/v1/swap-instructions"
MAX_SLIPPAGE_BPS = 1000


class JupiterSwapArgs(BaseModel):
    user_pubkey: str = Field(description="The wallet that swaps (placeholder name or base58).")
    input_mint: str = Field(
        description="Mint to sell; native SOL is So11111111111111111111111111111111111111112."
    )
    output_mint: str = Field(description="Mint to buy.")
    amount: int = Field(gt=0, description="Amount of the input token in base units (lamports).")
    slippage_bps: int = Field(
        default=50,
        ge=1,
        le=MAX_SLIPPAGE_BPS,
        description=f"Maximum slippage in basis points (1–{MAX_SLIPPAGE_BPS}).",
    )


def _jupiter_swap(args: JupiterSwapArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    input_mint = resolve(ctx, args.input_mint, "input_mint")
    output_mint = resolve(ctx, args.output_mint, "output_mint")
    if input_mint == output_mint:
        raise ToolError("input_mint and output_mint are the same mint")
    held = spendable(ctx, user, input_mint, "input_mint")
    if held < args.amount:
        raise ToolError(
            f"insufficient funds: {user} holds {held} base units of {input_mint}, "
            f"the swap needs {args.amount}"
        )
    client = ctx.jupiter
    quote = client.get(
        QUOTE_PATH,
        {
            "inputMint": str(input_mint),
            "outputMint": str(output_mint),
            "amount": str(args.amount),
            "slippageBps": str(args.slippage_bps),
        },
    )
    if not isinstance(quote, dict) or "outAmount" not in quote:
        raise JupiterError(f"Jupiter {QUOTE_PATH} returned no route: {str(quote)[:300]}")
    answer = client.post(
        SWAP_INSTRUCTIONS_PATH,
        {
            "userPublicKey": str(user),
            "quoteResponse": quote,
            "wrapAndUnwrapSol": True,
            "dynamicComputeUnitLimit": True,
            "asLegacyTransaction": False,
        },
    )
    if not isinstance(answer, dict) or "swapInstruction" not in answer:
        raise JupiterError(
            f"Jupiter {SWAP_INSTRUCTIONS_PATH} returned no swapInstruction: {str(answer)[:300]}"
        )
    source = f"Jupiter {SWAP_INSTRUCTIONS_PATH}"
    items: list[Any] = [
        *(answer.get("computeBudgetInstructions") or []),
        *(answer.get("setupInstructions") or []),
        answer["swapInstruction"],
        *([answer["cleanupInstruction"]] if answer.get("cleanupInstruction") else []),
        *(answer.get("otherInstructions") or []),
    ]
    instructions = [
        ix for ix in (to_raw(i, source) for i in items) if not is_compute_unit_price(ix)
    ]
    tables = [str(t) for t in answer.get("addressLookupTableAddresses") or []]
    return ToolOutput(
        instructions=instructions,
        lookup_tables=tables,
        data={
            "operation_type": "jupiter_swap",
            "input_mint": str(input_mint),
            "output_mint": str(output_mint),
            "in_amount": quote.get("inAmount"),
            "out_amount": quote.get("outAmount"),
            "min_out_amount": quote.get("otherAmountThreshold"),
            "slippage_bps": quote.get("slippageBps", args.slippage_bps),
            "price_impact_pct": quote.get("priceImpactPct"),
            "route": [
                (step.get("swapInfo") or {}).get("label")
                for step in quote.get("routePlan") or []
                if isinstance(step, dict)
            ],
            "address_lookup_tables": tables,
            "instruction_count": len(instructions),
        },
    )


JUPITER_SWAP: Tool[JupiterSwapArgs] = Tool(
    name="jupiter_swap",
    description=(
        "Swap tokens with Jupiter's aggregator: gets a live quote and the swap instructions, "
        "which are executed at once. Amount is in the input token's base units."
    ),
    args_model=JupiterSwapArgs,
    handler=_jupiter_swap,
)
