"""An episode's verdict from its record: each flow step's score, then the episode's.

The one place that turns what an episode did (its steps' instructions, transactions and
answers, the observations before and after) into its scores, used when the episode runs
(`reev.runner.episode`) and when a stored one is scored again (`reev rescore`), so both
give the same numbers for the same record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reev.benchmark.model import Benchmark, FlowStep
from reev.results.chain import Observation
from reev.results.records import Scores, StepRecord
from reev.results.scoring import AssertionResult, FlowScore, ScoringProfile
from reev.scoring.flow import flow_score, step_score_without_ground_truth
from reev.scoring.profiles import profile as profile_of
from reev.scoring.score import apply_side_effects, score_episode, score_ground_truth
from reev.scoring.side_effects import SIDE_EFFECT_TYPES, SideEffectVerdict

SideEffects = Callable[[list[AssertionResult]], SideEffectVerdict]
"""The side-effect rule for one episode: given the explicit assertions' verdicts (a field
whose check already failed is not reported twice), the comparison with the reference."""


def score_flow_step(
    record: StepRecord,
    spec: FlowStep | None,
    before: Observation,
    after: Observation,
    scoring: ScoringProfile,
) -> None:
    """A flow step's score, set on `record`: its ground truth's, or "acted and its last
    transaction landed"; a step that erred scores 0."""
    gt = spec.ground_truth if spec else None
    if gt is not None:
        bd = score_ground_truth(
            gt,
            record.instructions,
            record.transactions,
            before,
            after,
            scoring,
            answer=record.answer,
        )
        record.assertions = bd.assertions
        record.instruction_score = bd.instruction
        score, passed = bd.score, bd.passed
    else:
        acted = bool(record.transactions) or any(c.status == "ok" for c in record.tool_calls)
        last = record.transaction
        score = step_score_without_ground_truth(
            acted=acted, last_transaction_succeeded=last.succeeded if last else None
        )
        passed = score >= 1.0
    if record.error:
        score, passed = 0.0, False
    record.score = score
    record.passed = passed


def final_answer(steps: Sequence[StepRecord]) -> str | None:
    """The episode's answer: the last step that ran gave it."""
    ran = [s for s in steps if not s.skipped]
    return ran[-1].answer if ran else None


def critical_failure(steps: Sequence[StepRecord]) -> int | None:
    """The number of the first critical step that ran and did not pass, if any."""
    return next((s.step for s in steps if s.critical and not s.skipped and not s.passed), None)


@dataclass
class EpisodeVerdict:
    """An episode's scores: its assertions (the side-effect rule's included), the three
    scores, the flow score of a flow, and the profile's score and verdict."""

    assertions: list[AssertionResult]
    scores: Scores
    flow: FlowScore | None
    score: float
    passed: bool


def episode_verdict(
    benchmark: Benchmark,
    steps: Sequence[StepRecord],
    before: Observation,
    after: Observation,
    scoring: ScoringProfile,
    side_effects: SideEffects | None = None,
) -> EpisodeVerdict:
    """Score an episode whose steps are scored already (flows: `score_flow_step`).

    A single-step episode's one step gets the episode's score, verdict and assertions
    (unless it erred: the episode is an error then). `side_effects` is the side-effect
    rule (None: the profile does not apply it).
    """
    scorer = profile_of(scoring)
    breakdown = score_episode(
        benchmark,
        [ix for s in steps for ix in s.instructions],
        [tx for s in steps for tx in s.transactions],
        before,
        after,
        scoring,
        answer=final_answer(steps),
    )
    verdict = None
    if side_effects is not None:
        verdict = side_effects([*breakdown.assertions, *(a for s in steps for a in s.assertions)])
        breakdown.assertions.extend(verdict.results)
    scores = Scores(
        instruction=breakdown.instruction, onchain=breakdown.onchain, outcome=breakdown.outcome
    )
    if not benchmark.flow:
        score, passed = breakdown.score, breakdown.passed
        if verdict is not None:
            score, passed = apply_side_effects(score, passed, verdict)
        step = steps[0]
        if not step.error:
            step.score, step.passed = score, passed
            step.assertions = breakdown.assertions
            step.instruction_score = breakdown.instruction
        return EpisodeVerdict(breakdown.assertions, scores, None, score, passed)
    critical = critical_failure(steps)
    fs = flow_score(
        [s.score or 0.0 for s in steps],
        [bool(s.passed) for s in steps],
        final=breakdown.outcome,
        final_all_hold=all(
            a.passed for a in breakdown.assertions if a.type not in SIDE_EFFECT_TYPES
        ),
        min_score=benchmark.ground_truth.min_score,
        critical_failure=critical,
    )
    if scorer.flow_score:
        score, passed = fs.score, fs.passed
    else:
        # the profile's own number for the whole flow (reev's: concatenated actions, last
        # transaction), with our one addition: a failed critical step fails the flow.
        score, passed = breakdown.score, breakdown.passed and critical is None
    if verdict is not None:
        score, passed = apply_side_effects(score, passed, verdict)
    return EpisodeVerdict(breakdown.assertions, scores, fs, score, passed)
