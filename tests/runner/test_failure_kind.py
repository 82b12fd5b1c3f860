"""Failure kinds: each failed episode classified from its record, in the documented order."""

from __future__ import annotations

from reev.results.records import EpisodeResult, ModelCallRecord, StepRecord, ToolCallRecord
from reev.results.scoring import AssertionResult
from reev.results.transaction import TransactionRecord
from reev.runner.failure_kind import FAILURE_KINDS, annotate, classify_failure


def episode(**fields: object) -> EpisodeResult:
    base: dict[str, object] = {
        "benchmark_id": "b",
        "agent": "a",
        "seed": 0,
        "execution_id": "x",
        "status": "completed",
    }
    return EpisodeResult.model_validate({**base, **fields})


def step(**fields: object) -> StepRecord:
    return StepRecord.model_validate({"step": 1, "prompt": "p", **fields})


def tx(status: str) -> TransactionRecord:
    return TransactionRecord.model_validate({"status": status})


def failing(kind: str = "SolBalance") -> AssertionResult:
    return AssertionResult(type=kind, pubkey="P", passed=False, weight=1.0)


OK_CALL = ToolCallRecord(tool="sol_transfer", status="ok")
BAD_CALL = ToolCallRecord(tool="sol_transfer", status="error", error="invalid arguments")


def test_passed_episodes_and_benchmark_errors_have_no_kind() -> None:
    assert classify_failure(episode(passed=True, score=1.0)) is None
    assert (
        classify_failure(episode(status="error", error="cannot load", error_kind="benchmark"))
        is None
    )


def test_an_infrastructure_error_is_its_own_kind() -> None:
    kind = classify_failure(episode(status="error", error="HTTP 503", error_kind="infrastructure"))
    assert kind == "infrastructure"


def test_each_kind_in_order() -> None:
    side = episode(
        steps=[step(tool_calls=[OK_CALL], transactions=[tx("success")])],
        assertions=[failing("SideEffect"), failing()],
    )
    assert classify_failure(side) == "side_effect"
    limited = episode(steps=[step(stop_reason="limit: max_turns (4) reached")])
    assert classify_failure(limited) == "limit_reached"
    timed_out = episode(steps=[step(error="step 1 timed out after 30s")])
    assert classify_failure(timed_out) == "limit_reached"
    assert classify_failure(episode(steps=[step(stop_reason="answered")])) == "no_action"
    failed_tx = episode(steps=[step(tool_calls=[OK_CALL], transactions=[tx("failure")])])
    assert classify_failure(failed_tx) == "transaction_failed"
    tool_errors = episode(steps=[step(tool_calls=[BAD_CALL, BAD_CALL])])
    assert classify_failure(tool_errors) == "tool_error"
    wrong = episode(
        steps=[step(tool_calls=[BAD_CALL, OK_CALL], transactions=[tx("success")])],
        assertions=[failing()],
    )
    assert classify_failure(wrong) == "assertion_failed"
    assert set(FAILURE_KINDS) == {
        "infrastructure",
        "side_effect",
        "limit_reached",
        "no_action",
        "transaction_failed",
        "tool_error",
        "assertion_failed",
    }


def test_annotate_records_the_first_calls_prompt_tokens() -> None:
    calls = [
        ModelCallRecord(turn=1, model="m", prompt_tokens=900),
        ModelCallRecord(turn=2, model="m", prompt_tokens=1300),
    ]
    result = annotate(episode(steps=[step(model_calls=calls, stop_reason="answered")]))
    assert result.first_prompt_tokens == 900 and result.failure_kind == "no_action"
    assert annotate(episode(passed=True)).first_prompt_tokens is None
