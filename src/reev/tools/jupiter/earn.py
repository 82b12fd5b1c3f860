"""Read-only Jupiter Lend tools: `jupiter_earn` (positions/earnings) and `get_lend_earn_tokens`.

`jupiter_earn` calls `GET /lend/v1/earn/positions?users=` and/or
`GET /lend/v1/earn/earnings?user=[&positions=]` for the episode's real wallet and summarises
the answers in reev's shape (`result.data.positions.summary[*].token.symbol`, …). An
empty answer is an empty summary — a freshly generated wallet has no positions — and never
a made-up one. `get_lend_earn_tokens` lists `GET /lend/v1/earn/tokens`, filtered.
Rates from the API are basis points; `*_rate_pct` are percentages (bps / 100).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from reev.tools.base import Tool, ToolContext, ToolError, ToolOutput, resolve
from reev.tools.jupiter.client import JupiterError

POSITIONS_PATH = "/lend/v1/earn/positions"
EARNINGS_PATH = "/lend/v1/earn/earnings"
TOKENS_PATH = "/lend/v1/earn/tokens"


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _int(value: Any) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def _list(answer: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(answer, list) or not all(isinstance(i, dict) for i in answer):
        raise JupiterError(f"Jupiter {path} returned {str(answer)[:300]} (expected a list)")
    return answer


def _positions_summary(user: str, positions: list[dict[str, Any]]) -> dict[str, Any]:
    summary = []
    for p in positions:
        tok = p.get("token") or {}
        asset = tok.get("asset") or {}
        decimals = _int(tok.get("decimals", 0))
        balance = _num(p.get("underlyingAssets")) / 10**decimals
        liquidity = tok.get("liquiditySupplyData") or {}
        summary.append(
            {
                "token": {
                    "symbol": tok.get("symbol"),
                    "name": tok.get("name"),
                    "address": tok.get("address"),
                    "asset_address": tok.get("assetAddress"),
                    "decimals": decimals,
                },
                "asset": {
                    "symbol": asset.get("symbol"),
                    "name": asset.get("name"),
                    "price": asset.get("price"),
                    "logo_url": asset.get("logoUrl"),
                },
                "position": {
                    "shares": p.get("shares"),
                    "underlying_assets": p.get("underlyingAssets"),
                    "underlying_balance": p.get("underlyingBalance"),
                    "underlying_balance_decimal": balance,
                    "usd_value": balance * _num(asset.get("price")),
                    "allowance": p.get("allowance"),
                },
                "rates": {
                    "supply_rate_pct": _num(tok.get("supplyRate")) / 100,
                    "total_rate_pct": _num(tok.get("totalRate")) / 100,
                    "rewards_rate": tok.get("rewardsRate"),
                },
                "liquidity": {
                    "total_assets": tok.get("totalAssets"),
                    "withdrawable": liquidity.get("withdrawable"),
                    "withdrawal_limit": liquidity.get("withdrawalLimit"),
                },
            }
        )
    return {
        "user_pubkey": user,
        "total_positions": len(positions),
        "positions_with_balance": sum(
            1 for p in positions if _int(p.get("underlyingBalance", 0)) > 0
        ),
        "summary": summary,
        "raw_positions": positions,
    }


def _earnings_summary(
    user: str, position: str | None, earnings: list[dict[str, Any]]
) -> dict[str, Any]:
    def total(key: str) -> dict[str, Any]:
        raw = sum(_int(e.get(key, 0)) for e in earnings)
        return {"raw": str(raw), "decimal": float(raw)}

    return {
        "user_pubkey": user,
        "position_filter": position,
        "total_positions": len(earnings),
        "summary": {
            "total_earnings": total("earnings"),
            "total_deposits": total("totalDeposits"),
            "total_withdraws": total("totalWithdraws"),
            "current_balance": total("totalBalance"),
        },
        "positions": [
            {
                "position_address": e.get("address"),
                "owner_address": e.get("ownerAddress"),
                "earnings": e.get("earnings"),
                "deposits": e.get("totalDeposits"),
                "withdraws": e.get("totalWithdraws"),
                "current_balance": e.get("totalBalance"),
                "total_assets": e.get("totalAssets"),
                "slot": e.get("slot"),
            }
            for e in earnings
        ],
        "raw_earnings": earnings,
    }


class JupiterEarnArgs(BaseModel):
    user_pubkey: str = Field(
        description="The wallet whose positions to read (placeholder or base58)."
    )
    operation: Literal["positions", "earnings", "both"] = Field(
        default="both", description="'positions', 'earnings' or 'both'."
    )
    position_address: str | None = Field(
        default=None, description="Only this position (jl-token address) for earnings."
    )


def _jupiter_earn(args: JupiterEarnArgs, ctx: ToolContext) -> ToolOutput:
    user = str(resolve(ctx, args.user_pubkey, "user_pubkey"))
    position = (
        str(resolve(ctx, args.position_address, "position_address"))
        if args.position_address
        else None
    )
    client = ctx.jupiter
    data: dict[str, Any] = {}
    if args.operation in ("positions", "both"):
        answer = _list(client.get(POSITIONS_PATH, {"users": user}), POSITIONS_PATH)
        data["positions"] = _positions_summary(user, answer)
    if args.operation in ("earnings", "both"):
        query = {"user": user, **({"positions": position} if position else {})}
        answer = _list(client.get(EARNINGS_PATH, query), EARNINGS_PATH)
        data["earnings"] = _earnings_summary(user, position, answer)
    result_data = data if args.operation == "both" else data[args.operation]
    return ToolOutput(
        data={
            "tool": "jupiter_earn",
            "user_pubkey": user,
            "position_filter": position,
            "result": {"operation": args.operation, "data": result_data},
        }
    )


class LendTokensArgs(BaseModel):
    symbol: str | None = Field(
        default=None, description="Filter: jl-token or asset symbol, e.g. USDC."
    )
    mint_address: str | None = Field(default=None, description="Filter: the underlying asset mint.")
    jupiter_address: str | None = Field(default=None, description="Filter: the jl-token mint.")


def _lend_tokens(args: LendTokensArgs, ctx: ToolContext) -> ToolOutput:
    tokens = _list(ctx.jupiter.get(TOKENS_PATH), TOKENS_PATH)
    selected = tokens
    if args.symbol:
        wanted = args.symbol.strip().lower()
        selected = [
            t
            for t in selected
            if wanted
            in (
                str(t.get("symbol", "")).lower(),
                str((t.get("asset") or {}).get("symbol", "")).lower(),
            )
        ]
    if args.mint_address:
        mint = str(resolve(ctx, args.mint_address, "mint_address"))
        selected = [t for t in selected if t.get("assetAddress") == mint]
    if args.jupiter_address:
        address = str(resolve(ctx, args.jupiter_address, "jupiter_address"))
        selected = [t for t in selected if t.get("address") == address]
    query = args.model_dump(exclude_none=True)
    if not selected:
        raise ToolError(f"no Jupiter Lend token matches {query} ({len(tokens)} tokens listed)")
    return ToolOutput(
        data={
            "tokens": [
                {
                    "symbol": t.get("symbol"),
                    "name": t.get("name"),
                    "address": t.get("address"),
                    "asset_address": t.get("assetAddress"),
                    "asset_symbol": (t.get("asset") or {}).get("symbol"),
                    "decimals": t.get("decimals"),
                    "price": (t.get("asset") or {}).get("price"),
                    "supply_rate_pct": _num(t.get("supplyRate")) / 100,
                    "total_rate_pct": _num(t.get("totalRate")) / 100,
                    "total_assets": t.get("totalAssets"),
                }
                for t in selected
            ],
            "query_params": query,
            "total_tokens": len(selected),
            "api_source": TOKENS_PATH,
        }
    )


JUPITER_EARN: Tool[JupiterEarnArgs] = Tool(
    name="jupiter_earn",
    description=(
        "Read a wallet's Jupiter Lend Earn positions and/or earnings (read-only, no transaction)."
    ),
    args_model=JupiterEarnArgs,
    handler=_jupiter_earn,
)

GET_LEND_EARN_TOKENS: Tool[LendTokensArgs] = Tool(
    name="get_lend_earn_tokens",
    description=(
        "List Jupiter Lend Earn tokens (jl-tokens) with their asset, price and rates; "
        "optionally filtered by symbol, asset mint or jl-token address."
    ),
    args_model=LendTokensArgs,
    handler=_lend_tokens,
)
