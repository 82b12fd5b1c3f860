"""Combine instruction matching, transaction success and assertions into the final score.

What the score and verdict are is the scoring profile's (`reev.scoring.profiles`: the
default `outcome`, reev's `reev`, and any a plugin registers).
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
from reev.scoring.profiles import ProfileInputs
from reev.scoring.profiles import profile as profile_of
from reev.scoring.side_effects import SideEffectVerdict


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
        flow=bool(benchmark.flow),
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
    flow: bool = False,
    answer: str | None = None,
) -> ScoreBreakdown:
    """Score one ground truth: a benchmark's, or a flow step's own (checked after the step).

    `flow`: the ground truth of a whole flow benchmark (reev's profile passes those at a
    lower threshold). ValueError when `profile` names no registered profile.
    """
    scorer = profile_of(profile)
    instr = instruction_score(gt.expected_instructions, actions, before.key_map)
    onchain = 1.0 if transactions and transactions[-1].succeeded else 0.0
    assertions = evaluate_assertions(gt.final_state_assertions, before, after, transactions, answer)
    total_weight = sum(a.weight for a in assertions)
    outcome = (
        sum(a.weight for a in assertions if a.passed) / total_weight if total_weight > 0 else None
    )
    score, passed = scorer.score(ProfileInputs(gt, instr, onchain, outcome, assertions, flow=flow))
    return ScoreBreakdown(
        scoring=profile,
        score=score,
        passed=passed,
        instruction=instr,
        onchain=onchain,
        outcome=outcome,
        assertions=assertions,
    )
