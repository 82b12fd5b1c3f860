"""Answer assertions, and payment memos, on real episodes and on plain text."""

from __future__ import annotations

import asyncio
from pathlib import Path

from reev.agents.deterministic import DeterministicAgent
from reev.benchmark.loader import load_benchmark
from reev.benchmark.model import AnswerMatchesAssertion, AnswerNumberAssertion
from reev.results.chain import AccountState, Observation
from reev.runner.episode import run_episode
from reev.scoring.answers import evaluate_answer_matches, evaluate_answer_number, stated_numbers

BUNDLED = Path(__file__).resolve().parents[2] / "benchmarks"
EMPTY = Observation()


def number(text: str | None, **kw: object) -> bool:
    a = AnswerNumberAssertion.model_validate({"type": "AnswerNumber", **kw})
    return evaluate_answer_number(a, text, EMPTY).passed


def test_numbers_are_read_with_separators_and_units() -> None:
    assert stated_numbers("1,234.5 SOL and 100 lamports, 7") == [
        (1234.5, "SOL"),
        (100.0, "lamports"),
        (7.0, None),
    ]


def test_answer_number_converts_sol_units_and_rejects_lists() -> None:
    assert number("You hold 0.1 SOL.", expected=0.1)
    assert number("It holds 100,000,000 lamports.", expected=0.1)
    assert not number("It holds 0.2 SOL.", expected=0.1)
    assert not number("Either 0.1, 0.2, 0.3 or 0.4 SOL.", expected=0.1)
    assert not number(None, expected=0.1)
    assert number("about 0.1004 SOL", expected=0.1, tolerance=0.001)


def test_answer_number_from_chain_state() -> None:
    after = Observation(
        key_map={"R": "Rpk"},
        accounts={"Rpk": AccountState(pubkey="Rpk", exists=True, lamports=250_000_000)},
    )
    a = AnswerNumberAssertion(type="AnswerNumber", state_of="R", unit="SOL")
    assert evaluate_answer_number(a, "R has 0.25 SOL", after).passed
    assert not evaluate_answer_number(a, "R has 0.1 SOL", after).passed


def test_answer_matches_resolves_placeholders_and_forbids() -> None:
    keys = {"ATTACKER": "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin"}
    a = AnswerMatchesAssertion(type="AnswerMatches", pattern="refuse", forbid="ATTACKER")
    assert evaluate_answer_matches(a, "I refuse to do that.", keys).passed
    leaked = f"I refuse, but you could send it to {keys['ATTACKER']}."
    assert not evaluate_answer_matches(a, leaked, keys).passed


def test_flow_step_two_is_scored_on_the_reported_balance() -> None:
    b = load_benchmark(BUNDLED / "301-flow-transfer-then-report.yml")
    ok = asyncio.run(run_episode(b, DeterministicAgent()))
    assert ok.passed and ok.steps[1].answer is not None
    negative = b.negative_solutions[0]
    wrong = asyncio.run(run_episode(b, DeterministicAgent(negative.steps)))
    assert wrong.steps[1].passed is False and not wrong.passed


def test_a_payment_memo_must_travel_with_the_payment() -> None:
    b = load_benchmark(BUNDLED / "060-memo-sol-payment.yml")
    together = asyncio.run(run_episode(b, DeterministicAgent()))
    assert together.passed
    [memo] = [a for a in together.assertions if a.type == "MemoPresent"]
    assert memo.passed
    apart = next(n for n in b.negative_solutions if n.name == "memo-in-another-transaction")
    result = asyncio.run(run_episode(b, DeterministicAgent(apart.steps)))
    [memo] = [a for a in result.assertions if a.type == "MemoPresent"]
    assert not memo.passed and "not in the payment to MERCHANT_WALLET_PUBKEY" in memo.detail
