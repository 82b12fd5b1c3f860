"""Failure kinds: each failed episode classified from its record, in the documented order."""

from __future__ import annotations

import asyncio
from pathlib import Path

from reev.agents.base import AgentHarness, StepTask
from reev.benchmark.loader import load_benchmark
from reev.benchmark.model import SYSTEM_PROGRAM_ID, InitialStateItem
from reev.results.records import EpisodeResult, ModelCallRecord, StepRecord, ToolCallRecord
from reev.results.scoring import AssertionResult
from reev.results.transaction import TransactionRecord
from reev.runner.episode import run_episode
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


BUNDLED = Path(__file__).resolve().parents[2] / "benchmarks"
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


class _Pays:
    """Pays `lamports` from the user's wallet to `recipient` (a placeholder), then stops."""

    name = "pays"
    model = None

    def __init__(self, recipient: str, lamports: int) -> None:
        self.recipient, self.lamports = recipient, lamports

    def start_episode(self, benchmark: object) -> None:
        return None

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        args = {
            "user_pubkey": "USER_WALLET_PUBKEY",
            "recipient_pubkey": self.recipient,
            "amount": self.lamports,
        }
        harness.call_tool("sol_transfer", args)


def _paid(recipient: str, lamports: int, extra: str | None = None) -> EpisodeResult:
    """001 (0.1 SOL to the recipient) judged on the recipient's balance alone, so the side-
    effect rule holds the payer to the reference's exact lamports; `extra` is a third
    wallet the benchmark knows of."""
    benchmark = load_benchmark(BUNDLED / "001-sol-transfer.yml")
    truth = benchmark.ground_truth
    recipient_only = [a for a in truth.final_state_assertions if a.type == "SolBalance"]
    state = list(benchmark.initial_state)
    if extra is not None:
        state.append(InitialStateItem(pubkey=extra, owner=SYSTEM_PROGRAM_ID, lamports=0))
    benchmark = benchmark.model_copy(
        update={
            "initial_state": state,
            "ground_truth": truth.model_copy(update={"final_state_assertions": recipient_only}),
        }
    )
    agent = _Pays(recipient, lamports)
    return asyncio.run(run_episode(benchmark, agent))  # type: ignore[arg-type]


def test_a_wrong_amount_to_the_right_wallet_is_a_failed_assertion_not_a_side_effect() -> None:
    wrong = _paid("RECIPIENT_WALLET_PUBKEY", 90_000_000)
    assert not wrong.passed
    payer = [a for a in wrong.assertions if a.type == "SideEffect" and not a.passed]
    assert [a.pubkey for a in payer] == ["USER_WALLET_PUBKEY"]  # 0.01 SOL "went elsewhere"
    assert wrong.failure_kind == "assertion_failed"
    elsewhere = _paid("OTHER_WALLET", 100_000_000, extra="OTHER_WALLET")
    assert not elsewhere.passed and elsewhere.failure_kind == "side_effect"
