"""The `deterministic` reference agent: replays a benchmark's reference solution.

The solution comes from the file's `reference_solution` key (raw instructions or tool
calls per step) or, for reev's original native benchmarks 001–004 that carry none, from a
small built-in table of reev's own answers (0.1 SOL; 15, 15 and 5 USDC).
"""

from __future__ import annotations

from reev.agents.base import AgentError, AgentHarness, StepTask
from reev.agents.jupiter_solutions import JUPITER_SOLUTIONS, resolve_dynamic_args
from reev.benchmark.model import Benchmark, ReferenceStep, ToolCallSpec

USDC_MINT = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"


def _spl(amount: int) -> list[ReferenceStep]:
    return [
        ReferenceStep(
            tool_calls=[
                ToolCallSpec(
                    tool="spl_transfer",
                    args={
                        "user_pubkey": "USER_USDC_ATA",
                        "recipient_pubkey": "RECIPIENT_USDC_ATA",
                        "amount": amount,
                        "mint_address": USDC_MINT,
                    },
                )
            ]
        )
    ]


# reev's deterministic agent answers for its native benchmarks, keyed by reev's ids.
BUILTIN_SOLUTIONS: dict[str, list[ReferenceStep]] = {
    "001-sol-transfer": [
        ReferenceStep(
            tool_calls=[
                ToolCallSpec(
                    tool="sol_transfer",
                    args={
                        "user_pubkey": "USER_WALLET_PUBKEY",
                        "recipient_pubkey": "RECIPIENT_WALLET_PUBKEY",
                        "amount": 100_000_000,
                        "operation": "sol",
                    },
                )
            ]
        )
    ],
    "002-spl-transfer": _spl(15_000_000),
    "003-spl-transfer-fail": _spl(15_000_000),
    "004-partial-score-spl-transfer": _spl(5_000_000),
    **JUPITER_SOLUTIONS,  # 100–116, 200: through the Jupiter tools, prompts' amounts
}


class DeterministicAgent:
    """Replays the reference solution; an error when a benchmark has none."""

    name = "deterministic"
    model: str | None = None

    def __init__(self, solution: list[ReferenceStep] | None = None) -> None:
        # `solution` replays given steps instead of the benchmark's reference (the gates'
        # negative solutions: the benchmark, and so its gold state, stays as it is).
        self._given = solution
        self._solution: list[ReferenceStep] | None = None
        self._benchmark_id = ""

    @property
    def replays_reference(self) -> bool:
        """True when this agent plays the benchmark's own reference solution (not given
        steps): its run is then the side-effect rule's reference replay."""
        return self._given is None

    def start_episode(self, benchmark: Benchmark) -> None:
        """Read the reference solution (this agent alone may see ground truth)."""
        self._benchmark_id = benchmark.id
        self._solution = (
            self._given or benchmark.reference_solution or BUILTIN_SOLUTIONS.get(benchmark.id)
        )

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        """Execute the reference step: one transaction for raw instructions, one per tool call."""
        if self._solution is None:
            raise AgentError(
                f"benchmark {self._benchmark_id!r} has no reference_solution and no built-in "
                "reference answer"
            )
        step = self._solution[task.step - 1]
        if step.answer is not None:
            harness.set_answer(step.answer)
        if step.instructions is not None:
            harness.execute(step.instructions)
            return
        for call in step.tool_calls or []:
            record = harness.call_tool(call.tool, resolve_dynamic_args(call.args, harness))
            if record.status == "error" and record.transaction_index is None:
                # The tool itself failed (e.g. its upstream is unreachable): the reference
                # solution could not be carried out, which is an error, not a scored attempt.
                raise AgentError(f"reference tool call {call.tool} failed: {record.error}")
