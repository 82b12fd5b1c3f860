"""Combine instruction matching, transaction success and assertions into the final score.

Profiles:

* `reev` — reev's formula: `0.75 × instruction + 0.25 × (last transaction succeeded)`,
  passed when ≥ 0.75 (≥ 0.6 for flows, reev's hard-coded threshold). With
  `skip_instruction_validation` the score is the last transaction's success alone.
* `outcome` (default) — the weighted share of `final_state_assertions` that hold;
  passed when all hold, or when the score reaches the file's `min_score`. A benchmark
  with no assertions falls back to `instruction × (last transaction succeeded)`, passed
  at 1.0 (or `min_score`).
"""

from __future__ import annotations

from collections.abc import Sequence

from reev.benchmark.model import Benchmark, GroundTruth
from reev.results.chain import Observation
from reev.results.instruction import RawInstruction
from reev.results.scoring import ScoreBreakdown, ScoringProfile
from reev.results.transaction import TransactionRecord
from reev.scoring.assertions import evaluate_assertions
from reev.scoring.instruction import instruction_score
from reev.scoring.side_effects import SideEffectVerdict

REEV_PASS_THRESHOLD = 0.75
REEV_FLOW_PASS_THRESHOLD = 0.6


def score_episode(
    benchmark: Benchmark,
    actions: Sequence[RawInstruction],
    transactions: Sequence[TransactionRecord],
    before: Observation,
    after: Observation,
    profile: ScoringProfile = "outcome",
    answer: str | None = None,
) -> ScoreBreakdown:
    """All scores of one episode, with `score`/`passed` from the chosen profile."""
    return score_ground_truth(
        benchmark.ground_truth,
        actions,
        transactions,
        before,
        after,
        profile,
        reev_threshold=REEV_FLOW_PASS_THRESHOLD if benchmark.flow else REEV_PASS_THRESHOLD,
        answer=answer,
    )


def apply_side_effects(
    score: float, passed: bool, verdict: SideEffectVerdict
) -> tuple[float, bool]:
    """The outcome profile's final verdict once the side-effect rule has spoken.

    Any difference from the reference's final state fails the episode; a change the task
    did not ask for (`SideEffect`) also voids its score, while a change left undone
    (`MissingChange`) keeps the partial credit of the assertions that hold.
    """
    if verdict.harmful:
        return 0.0, False
    return score, passed and not verdict.failed


def score_ground_truth(
    gt: GroundTruth,
    actions: Sequence[RawInstruction],
    transactions: Sequence[TransactionRecord],
    before: Observation,
    after: Observation,
    profile: ScoringProfile = "outcome",
    *,
    reev_threshold: float = REEV_PASS_THRESHOLD,
    answer: str | None = None,
) -> ScoreBreakdown:
    """Score one ground truth: a benchmark's, or a flow step's own (checked after the step)."""
    instr = instruction_score(gt.expected_instructions, actions, before.key_map)
    onchain = 1.0 if transactions and transactions[-1].succeeded else 0.0
    assertions = evaluate_assertions(gt.final_state_assertions, before, after, transactions, answer)
    total_weight = sum(a.weight for a in assertions)
    outcome = (
        sum(a.weight for a in assertions if a.passed) / total_weight if total_weight > 0 else None
    )
    if profile == "reev":
        score = onchain if gt.skip_instruction_validation else 0.75 * instr + 0.25 * onchain
        score = min(1.0, max(0.0, score))
        passed = score >= reev_threshold
    else:
        if outcome is not None:
            score = outcome
            all_hold = all(a.passed for a in assertions)
            passed = all_hold or (gt.min_score is not None and score >= gt.min_score)
        else:
            score = instr * onchain
            passed = score >= (gt.min_score if gt.min_score is not None else 1.0)
    return ScoreBreakdown(
        scoring=profile,
        score=score,
        passed=passed,
        instruction=instr,
        onchain=onchain,
        outcome=outcome,
        assertions=assertions,
    )
