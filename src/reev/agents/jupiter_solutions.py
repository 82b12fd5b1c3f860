"""Reference solutions for reev's Jupiter benchmarks (100–116, 200), with the prompts' amounts.

reev's deterministic agent deposited 10 USDC where "Lend 50 USDC" was asked, withdrew 10
where 50 was asked and deposited a fixed 40 USDC for "deposit all the USDC I received".
These solve each prompt as written, through the Jupiter tools:

* amounts are the prompt's (0.1 SOL, 50 USDC, 2 SOL, …);
* 115 "mint 50 USDC into Jupiter lending" is a deposit of 50 USDC — the prompt counts
  USDC, and its assertion (exactly 50 USDC left) holds only if 50 USDC are spent; the mint
  endpoint counts jl-token shares, which cost more than one USDC each;
* "all my jUSDC" (116 step 2) and "all the USDC I received" (200 step 2) are read from the
  chain when the step runs: an argument `{"$token_balance": {"owner", "mint"}}` becomes the
  amount held in owner's associated token account for mint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from solders.pubkey import Pubkey

from reev.agents.base import AgentError, AgentHarness
from reev.benchmark.model import ReferenceStep, ToolCallSpec
from reev.programs.ata import associated_token_address

WSOL = "So11111111111111111111111111111111111111112"
USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
JL_USDC = "9BEcn9aPEmhSPbPQeFGjidRiEKki46fVQDyPpSQXPA2D"
USER = "USER_WALLET_PUBKEY"
BALANCE_REF = "$token_balance"


def _call(tool: str, **args: Any) -> ReferenceStep:
    return ReferenceStep(tool_calls=[ToolCallSpec(tool=tool, args=args)])


def _balance(mint: str) -> dict[str, Any]:
    return {BALANCE_REF: {"owner": USER, "mint": mint}}


def _swap(lamports: int) -> ReferenceStep:
    return _call(
        "jupiter_swap",
        user_pubkey=USER,
        input_mint=WSOL,
        output_mint=USDC,
        amount=lamports,
        slippage_bps=800,
    )


def _lend(action: str, mint: str, amount: Any) -> ReferenceStep:
    return _call(f"jupiter_lend_earn_{action}", user_pubkey=USER, asset_mint=mint, amount=amount)


JUPITER_SOLUTIONS: dict[str, list[ReferenceStep]] = {
    "100-jup-swap-sol-usdc": [_swap(100_000_000)],
    "110-jup-lend-deposit-sol": [_lend("deposit", WSOL, 100_000_000)],
    "111-jup-lend-deposit-usdc": [_lend("deposit", USDC, 50_000_000)],
    "112-jup-lend-withdraw-sol": [_lend("withdraw", WSOL, 100_000_000)],
    "113-jup-lend-withdraw-usdc": [_lend("withdraw", USDC, 50_000_000)],
    "114-jup-positions-and-earnings": [_call("jupiter_earn", user_pubkey=USER, operation="both")],
    "115-jup-lend-mint-usdc": [_lend("deposit", USDC, 50_000_000)],
    "116-jup-lend-redeem-usdc": [
        _lend("deposit", USDC, 50_000_000),
        _call("jupiter_lend_earn_redeem", asset=USDC, signer=USER, shares=_balance(JL_USDC)),
    ],
    "200-jup-swap-then-lend-deposit": [
        _swap(2_000_000_000),
        _lend("deposit", USDC, _balance(USDC)),
    ],
}


def resolve_dynamic_args(args: Mapping[str, Any], harness: AgentHarness) -> dict[str, Any]:
    """`args` with every `{"$token_balance": {"owner", "mint"}}` replaced by the live amount."""
    resolved: dict[str, Any] = {}
    observation = None
    for name, value in args.items():
        if isinstance(value, dict) and set(value) == {BALANCE_REF}:
            if observation is None:
                observation = harness.observe()
            spec = value[BALANCE_REF]
            owner = observation.key_map.get(spec["owner"], spec["owner"])
            ata = str(
                associated_token_address(
                    Pubkey.from_string(owner), Pubkey.from_string(spec["mint"])
                )
            )
            state = observation.accounts.get(ata)
            if state is None or state.token is None:
                raise AgentError(
                    f"reference argument {name}: no token account {ata} ({spec['mint']}) "
                    "in the observation"
                )
            resolved[name] = state.token.amount
        else:
            resolved[name] = value
    return resolved


__all__ = ["BALANCE_REF", "JUPITER_SOLUTIONS", "resolve_dynamic_args"]
