"""Both scoring profiles end to end on the VM, on hand-computed cases."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from reev.agents.replay import Prediction, ReplayAgent
from reev.benchmark.loader import load_benchmark, parse_benchmark
from reev.benchmark.model import Benchmark
from reev.results.instruction import RawAccountMeta, RawInstruction
from reev.results.records import EpisodeResult
from reev.runner.episode import run_episode

TOKEN = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
# SPL Token Transfer data: tag 3 + amount (u64 LE), base58
TRANSFER_15 = "3mimF1vf45io"
TRANSFER_10 = "3ay2hEw4e3yH"
MEMO = RawInstruction(
    program_id="MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr", data="6sBRWytUd6hjhg"
)


SEND_0_1_SOL = RawInstruction(
    program_id="11111111111111111111111111111111",
    accounts=[
        RawAccountMeta(pubkey="USER_WALLET_PUBKEY", is_signer=True, is_writable=True),
        RawAccountMeta(pubkey="RECIPIENT_WALLET_PUBKEY", is_writable=True),
    ],
    data="3Bxs411Dtc7pkFQj",  # System Transfer 100_000_000
)


def transfer(data: str) -> RawInstruction:
    return RawInstruction(
        program_id=TOKEN,
        accounts=[
            RawAccountMeta(pubkey="USER_USDC_ATA", is_writable=True),
            RawAccountMeta(pubkey="RECIPIENT_USDC_ATA", is_writable=True),
            RawAccountMeta(pubkey="USER_WALLET_PUBKEY", is_signer=True),
        ],
        data=data,
    )


def run(b: Benchmark, instructions: list[RawInstruction], profile: str) -> EpisodeResult:
    agent = ReplayAgent({b.id: Prediction(benchmark_id=b.id, instructions=instructions)})
    return asyncio.run(run_episode(b, agent, scoring=profile))  # type: ignore[arg-type]


@pytest.fixture
def b002(originals: Path) -> Benchmark:
    return load_benchmark(originals / "002-spl-transfer.yml")


def test_transfer_data_encodings_are_what_the_tests_claim() -> None:
    assert transfer(TRANSFER_15).data_bytes() == bytes([3]) + (15_000_000).to_bytes(8, "little")
    assert transfer(TRANSFER_10).data_bytes() == bytes([3]) + (10_000_000).to_bytes(8, "little")


def test_correct_transfer_scores_one_in_both(b002: Benchmark) -> None:
    for profile in ("reev", "outcome"):
        r = run(b002, [transfer(TRANSFER_15)], profile)
        assert (r.score, r.passed) == (1.0, True)


def test_wrong_amount_with_unscored_data(b002: Benchmark) -> None:
    # reev cannot see the wrong amount (data "..."): full marks. The outcome profile can.
    reev = run(b002, [transfer(TRANSFER_10)], "reev")
    assert reev.score == 1.0
    outcome = run(b002, [transfer(TRANSFER_10)], "outcome")
    assert outcome.score == 0.0 and not outcome.passed
    assert [a.actual for a in outcome.assertions if a.type != "SideEffect"] == [
        40_000_000,
        10_000_000,
    ]
    # both scores are carried by every result
    assert outcome.scores.instruction == 1.0 and outcome.scores.onchain == 1.0
    assert outcome.scores.outcome == 0.0


def test_order_of_instructions(b002: Benchmark) -> None:
    # a memo before the transfer shifts it: reev's positional matching gives 0 instruction points
    r = run(b002, [MEMO, transfer(TRANSFER_15)], "reev")
    assert r.scores.instruction == 0.0
    assert r.score == pytest.approx(0.25)
    assert not r.passed
    assert run(b002, [MEMO, transfer(TRANSFER_15)], "outcome").score == 1.0


def test_wrong_accounts(b002: Benchmark) -> None:
    # source and destination swapped: recipient has 0 USDC, so the transfer fails on chain
    swapped = transfer(TRANSFER_15)
    swapped.accounts[0].pubkey, swapped.accounts[1].pubkey = "RECIPIENT_USDC_ATA", "USER_USDC_ATA"
    r = run(b002, [swapped], "reev")
    assert r.scores.instruction == pytest.approx(2 / 4)
    assert r.scores.onchain == 0.0
    assert r.score == pytest.approx(0.75 * 0.5)
    assert r.steps[0].transactions[0].status == "failure"


def test_failing_transaction(originals: Path) -> None:
    b003 = load_benchmark(originals / "003-spl-transfer-fail.yml")
    r = run(b003, [transfer(TRANSFER_15)], "reev")
    assert r.score == 0.75 and r.passed  # reev's own verdict on 003
    assert "insufficient funds" in (r.steps[0].transactions[0].error or "")


NO_ASSERTIONS = """\
id: no-asserts
description: d
tags: [t]
initial_state:
  - {pubkey: USER_WALLET_PUBKEY, owner: "11111111111111111111111111111111", lamports: 1000000000}
  - {pubkey: RECIPIENT_WALLET_PUBKEY, owner: "11111111111111111111111111111111", lamports: 0}
prompt: send
ground_truth:
  final_state_assertions: []
  expected_instructions:
    - program_id: "11111111111111111111111111111111"
      accounts:
        - {pubkey: USER_WALLET_PUBKEY, is_signer: true, is_writable: true}
        - {pubkey: RECIPIENT_WALLET_PUBKEY, is_signer: false, is_writable: false}
"""


def test_outcome_without_assertions_falls_back_to_instruction_times_success() -> None:
    b = parse_benchmark(NO_ASSERTIONS)
    r = run(b, [SEND_0_1_SOL], "outcome")
    assert r.scores.outcome is None
    assert r.scores.instruction == pytest.approx(2 / 3)  # recipient writable, file: read-only
    # With neither a reference solution nor an assertion, nothing states what may change:
    # the SOL the transfer creates at the recipient is a side effect, and voids the score.
    effects = [a for a in r.assertions if a.type == "SideEffect" and not a.passed]
    assert [a.pubkey for a in effects] == ["RECIPIENT_WALLET_PUBKEY"]
    assert r.score == 0.0 and not r.passed
    assert run(b, [], "outcome").score == 0.0


MIN_SCORE = """\
id: min-score
description: d
tags: [t]
initial_state:
  - {pubkey: USER_WALLET_PUBKEY, owner: "11111111111111111111111111111111", lamports: 1000000000}
  - {pubkey: RECIPIENT_WALLET_PUBKEY, owner: "11111111111111111111111111111111", lamports: 0}
prompt: send
ground_truth:
  min_score: 0.7
  final_state_assertions:
    - {type: SolBalance, pubkey: RECIPIENT_WALLET_PUBKEY, expected: 100000000, weight: 3}
    - {type: SolBalance, pubkey: USER_WALLET_PUBKEY, expected: 1, weight: 1}
"""


def test_min_score_decides_passed_when_set() -> None:
    b = parse_benchmark(MIN_SCORE)
    r = run(b, [SEND_0_1_SOL], "outcome")
    assert r.score == pytest.approx(0.75)
    assert r.passed  # 0.75 >= min_score 0.7 although one assertion fails
