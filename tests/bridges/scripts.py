"""The reference solutions as scripts of tool calls, for driving the bridges like a model.

A reference step given as tool calls is used as is; the two shipped reference steps
given as raw instructions are written here as the tool call that builds the same
instructions (checked by the equivalence tests, which compare scores with `reev run`).
"""

from __future__ import annotations

from typing import Any

from reev.agents.deterministic import BUILTIN_SOLUTIONS
from reev.benchmark.model import Benchmark

USDC_MINT = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
WSOL_MINT = "So11111111111111111111111111111111111111112"

Call = tuple[str, dict[str, Any]]

# benchmark id -> step number -> the tool calls for that raw-instruction reference step
RAW_STEPS_AS_TOOL_CALLS: dict[str, dict[int, list[Call]]] = {
    # SPL Token Transfer of 5_000_000 (data "3QDJ9TwUE2Dm": tag 3, amount 5000000)
    "004-partial-score-spl-transfer": {
        1: [
            (
                "spl_transfer",
                {
                    "user_pubkey": "USER_USDC_ATA",
                    "recipient_pubkey": "RECIPIENT_USDC_ATA",
                    "amount": 5_000_000,
                    "mint_address": USDC_MINT,
                },
            )
        ]
    },
    # System Transfer of 0.5 SOL into USER_WSOL_ATA, then SyncNative
    "300-flow-wrap-then-transfer": {
        1: [("wrap_sol", {"user_pubkey": "USER_WALLET_PUBKEY", "amount": 500_000_000})]
    },
}


def reference_script(benchmark: Benchmark) -> list[list[Call]]:
    """Per step, the tool calls that carry out the benchmark's reference solution."""
    solution = benchmark.reference_solution or BUILTIN_SOLUTIONS.get(benchmark.id)
    if solution is None:
        raise LookupError(f"{benchmark.id} has no reference solution")
    script: list[list[Call]] = []
    for index, step in enumerate(solution, start=1):
        if step.tool_calls is not None:
            script.append([(c.tool, dict(c.args)) for c in step.tool_calls])
            continue
        try:
            script.append(RAW_STEPS_AS_TOOL_CALLS[benchmark.id][index])
        except KeyError:
            raise LookupError(
                f"{benchmark.id} step {index}: a raw-instruction reference step with no "
                "tool-call form in tests/bridges/scripts.py"
            ) from None
    return script


def reference_answers(benchmark: Benchmark) -> list[str]:
    """Per step, the final text the reference agent gives (its `answer`, else "done"):
    answer-scored benchmarks read it."""
    solution = benchmark.reference_solution or BUILTIN_SOLUTIONS.get(benchmark.id) or []
    return [step.answer or "done" for step in solution]
