"""reev's verdict as an Inspect score: the episode was already scored by reev's pipeline
(on chain, with the run's profile); the scorer reports it.

Value: `{"score": reev's score, "passed": 1.0 | 0.0}` (metrics: mean and stderr of the
score, mean of passed = pass rate). Explanation: the assertion table. Metadata: every
reev score and the episode's identity, so `inspect score` and `inspect view` show what
`reev run` would. The result travels in the sample's store (`reev_result`), so
`inspect score` on a log re-reads it rather than guessing.
"""

from __future__ import annotations

from typing import Any

from inspect_ai.scorer import Score, Scorer, Target, mean, scorer, stderr
from inspect_ai.solver import TaskState

from reev.bridges.explain import assertion_table
from reev.results.records import EpisodeResult

RESULT_KEY = "reev_result"


@scorer(metrics={"score": [mean(), stderr()], "passed": [mean()]})
def reev_scorer() -> Scorer:
    """The score reev's pipeline gave the sample's episode."""

    async def score(state: TaskState, target: Target) -> Score:
        data = state.store.get(RESULT_KEY)
        if data is None:
            raise ValueError(
                f"sample {state.sample_id}: no reev result in the sample's store: the "
                "episode did not finish (a sample limit such as --time-limit stops it "
                "before reev scores it), or reev_solver did not solve the sample"
            )
        result = EpisodeResult.model_validate(data)
        return Score(
            value={"score": result.score, "passed": 1.0 if result.passed else 0.0},
            answer=_answer(result),
            explanation=assertion_table(result),
            metadata=score_metadata(result),
        )

    return score


def score_metadata(result: EpisodeResult) -> dict[str, Any]:
    """reev's scores and the episode's identity (JSON-ready)."""
    return {
        "benchmark_id": result.benchmark_id,
        "execution_id": result.execution_id,
        "agent": result.agent,
        "seed": result.seed,
        "epoch": result.epoch,
        "status": result.status,
        "scoring": result.scoring,
        "score": result.score,
        "passed": result.passed,
        "scores": result.scores.model_dump(),
        "flow": result.flow.model_dump() if result.flow is not None else None,
        "transactions": sum(len(s.transactions) for s in result.steps),
        "tool_calls": sum(len(s.tool_calls) for s in result.steps),
    }


def _answer(result: EpisodeResult) -> str:
    """What the agent did, in one line per tool call."""
    calls = [f"{c.tool}: {c.status}" for s in result.steps for c in s.tool_calls]
    return "; ".join(calls) if calls else "(no tool calls)"
