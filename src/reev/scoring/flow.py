"""The score of a multi-step (`flow:`) benchmark, from its step scores and final state.

reev scored a flow as if it were one step (its last transaction's status) and ignored
`critical` and `min_score`. Here every step has a score of its own and the flow score is
an explicit mix, documented in docs/flows.md:

* `steps` — the mean of the step scores; a step that did not run (skipped after a failed
  critical step, or because a step it depends on failed) counts 0.
* `final` — the weighted share of the benchmark's `final_state_assertions` that hold
  after the last step (None when there are none).
* `score = FINAL_WEIGHT × final + (1 − FINAL_WEIGHT) × steps`, or `steps` alone when the
  benchmark has no final assertions.
* `passed` — never when a critical step failed; otherwise `score ≥ min_score` when the
  file sets one, else every step passed and every final assertion holds.

A step's own score (see `step_score`) is its `ground_truth` score when the step carries
one, else 1.0 when it acted and its last transaction succeeded.
"""

from __future__ import annotations

from collections.abc import Sequence

from reev.results.scoring import FlowScore

FINAL_WEIGHT = 0.5


def step_score_without_ground_truth(
    *, acted: bool, last_transaction_succeeded: bool | None
) -> float:
    """1.0 when the step did something and its last transaction (if any) succeeded.

    "Did something" is at least one transaction or one successful tool call: a read-only
    step (e.g. reporting a balance) has no transaction and still counts; a step that did
    nothing at all scores 0 (reev's "no action" anomaly is not repeated).
    """
    if not acted:
        return 0.0
    return 0.0 if last_transaction_succeeded is False else 1.0


def flow_score(
    step_scores: Sequence[float],
    step_passed: Sequence[bool],
    *,
    final: float | None,
    final_all_hold: bool,
    min_score: float | None,
    critical_failure: int | None,
) -> FlowScore:
    """Combine step scores and the final-state score into the flow's score and verdict."""
    if len(step_scores) != len(step_passed):
        raise ValueError("one passed flag per step score is needed")
    count = len(step_scores)
    steps = sum(step_scores) / count if count else 0.0
    if final is None:
        score = steps
        formula = "mean(step scores)"
    else:
        score = FINAL_WEIGHT * final + (1 - FINAL_WEIGHT) * steps
        formula = f"{FINAL_WEIGHT:g} × final assertions + {1 - FINAL_WEIGHT:g} × mean(step scores)"
    score = min(1.0, max(0.0, score))
    if critical_failure is not None:
        passed = False
    elif min_score is not None:
        passed = score >= min_score
    else:
        passed = all(step_passed) and (final is None or final_all_hold)
    return FlowScore(
        score=score,
        passed=passed,
        steps=steps,
        final=final,
        final_weight=FINAL_WEIGHT if final is not None else 0.0,
        step_scores=list(step_scores),
        steps_passed=sum(1 for p in step_passed if p),
        step_count=count,
        min_score=min_score,
        critical_failure=critical_failure,
        formula=formula,
    )


def dependency_step(reference: str) -> int | None:
    """The step number a `depends_on` entry names, or None if it names no step.

    reev's files write `step_1_result`; `step_1`, `step1` and `1` are accepted too.
    """
    text = reference.strip().lower()
    for suffix in ("_result", "-result"):
        text = text.removesuffix(suffix)
    text = text.removeprefix("step").lstrip("_- ")
    return int(text) if text.isdigit() else None
