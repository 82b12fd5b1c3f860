"""The flow score formula and depends_on references (pure functions)."""

from __future__ import annotations

import pytest

from reev.scoring.flow import (
    FINAL_WEIGHT,
    dependency_step,
    flow_score,
    step_score_without_ground_truth,
)


def test_weighted_mix_of_final_assertions_and_step_scores() -> None:
    fs = flow_score(
        [1.0, 0.5],
        [True, False],
        final=0.8,
        final_all_hold=False,
        min_score=None,
        critical_failure=None,
    )
    assert FINAL_WEIGHT == 0.5
    assert fs.steps == pytest.approx(0.75)
    assert fs.score == pytest.approx(0.5 * 0.8 + 0.5 * 0.75)
    assert fs.passed is False  # no min_score: everything must hold
    assert fs.steps_passed == 1 and fs.step_count == 2


def test_without_final_assertions_the_steps_alone_count() -> None:
    fs = flow_score(
        [1.0, 1.0],
        [True, True],
        final=None,
        final_all_hold=True,
        min_score=None,
        critical_failure=None,
    )
    assert fs.score == 1.0 and fs.passed and fs.formula == "mean(step scores)"
    assert fs.final_weight == 0.0


def test_min_score_and_critical_failure_decide_passed() -> None:
    args = {"final": 1.0, "final_all_hold": True}
    assert flow_score(
        [1.0, 0.0], [True, False], min_score=0.7, critical_failure=None, **args
    ).passed
    assert not flow_score(
        [1.0, 0.0], [True, False], min_score=0.8, critical_failure=None, **args
    ).passed
    failed = flow_score([0.0, 1.0], [False, True], min_score=0.1, critical_failure=1, **args)
    assert failed.score == pytest.approx(0.75) and failed.passed is False


def test_step_without_ground_truth() -> None:
    assert step_score_without_ground_truth(acted=False, last_transaction_succeeded=None) == 0.0
    assert step_score_without_ground_truth(acted=True, last_transaction_succeeded=None) == 1.0
    assert step_score_without_ground_truth(acted=True, last_transaction_succeeded=True) == 1.0
    assert step_score_without_ground_truth(acted=True, last_transaction_succeeded=False) == 0.0


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("step_1_result", 1),
        ("step_12", 12),
        ("step3", 3),
        ("2", 2),
        ("Step_4_Result", 4),
        ("prices", None),
    ],
)
def test_dependency_references(text: str, step: int | None) -> None:
    assert dependency_step(text) == step
