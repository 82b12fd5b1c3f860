"""AccountField and ComputeBudget on real episodes: each holds for what the chain shows
and fails, with a detail saying why, for what it does not."""

from __future__ import annotations

import asyncio
from typing import Any

from reev.agents.deterministic import DeterministicAgent
from reev.benchmark.loader import parse_benchmark
from reev.results.records import EpisodeResult
from reev.runner.episode import run_episode

WORLD = """
id: program-assertions
description: a stake, a nonce and a payment with a priority fee
tags: [test]
epoch: 3
initial_state:
  - { pubkey: USER_WALLET_PUBKEY, lamports: 5000000000 }
  - { pubkey: FRIEND_WALLET_PUBKEY, lamports: 1000000000 }
  - { pubkey: NODE, lamports: 1000000000 }
  - { pubkey: VOTE, vote: { node: NODE } }
  - pubkey: STAKE
    lamports: 3002282880
    stake: { staker: USER_WALLET_PUBKEY, withdrawer: USER_WALLET_PUBKEY, voter: VOTE, activation_epoch: 1 }
  - { pubkey: NONCE, nonce: { authority: USER_WALLET_PUBKEY } }
prompt: "pay with a priority fee"
ground_truth:
  final_state_assertions: ASSERTIONS
reference_solution:
  - tool_calls:
      - tool: sol_transfer_with_priority_fee
        args: { user_pubkey: USER_WALLET_PUBKEY, recipient_pubkey: FRIEND_WALLET_PUBKEY, amount: 1000, micro_lamports_per_cu: 7000, compute_unit_limit: 500 }
"""


def run(assertions: str) -> EpisodeResult:
    benchmark = parse_benchmark(WORLD.replace("ASSERTIONS", assertions))
    return asyncio.run(run_episode(benchmark, DeterministicAgent(), scoring="outcome"))


def verdicts(result: EpisodeResult) -> list[tuple[bool, str]]:
    return [(a.passed, a.detail) for a in result.assertions if a.type != "SideEffect"]


def test_account_field_equal_bounds_placeholders_and_change() -> None:
    result = run(
        "[{ type: AccountField, pubkey: STAKE, field: stake.voter, expected: VOTE },"
        " { type: AccountField, pubkey: STAKE, field: stake.status, expected: active },"
        " { type: AccountField, pubkey: STAKE, field: stake.stake, expected_gte: 3000000000, expected_lte: 3000000000 },"
        " { type: AccountField, pubkey: NONCE, field: nonce.nonce, changed: false },"
        " { type: AccountField, pubkey: FRIEND_WALLET_PUBKEY, field: lamports, changed: true }]"
    )
    assert [v for v, _ in verdicts(result)] == [True] * 5
    assert result.passed


def test_account_field_failures_say_what_was_found() -> None:
    result = run(
        "[{ type: AccountField, pubkey: STAKE, field: stake.voter, expected: NODE },"
        " { type: AccountField, pubkey: STAKE, field: stake.no_such_field, expected: 1 },"
        " { type: AccountField, pubkey: NONCE, field: nonce.nonce, changed: true },"
        " { type: AccountField, pubkey: STAKE, field: stake.stake, expected_gte: 4000000000 }]"
    )
    got = verdicts(result)
    assert [v for v, _ in got] == [False] * 4
    assert "expected" in got[0][1] and "absent" in got[1][1]
    assert "expected a change" in got[2][1] and "≥ 4000000000" in got[3][1]
    assert not result.passed


def test_compute_budget_reads_the_executed_instructions() -> None:
    ok = run(
        "[{ type: ComputeBudget, micro_lamports_per_cu: 7000, compute_unit_limit: 500, with_transfer_to: FRIEND_WALLET_PUBKEY }]"
    )
    assert ok.passed, verdicts(ok)
    wrong: list[Any] = [
        "[{ type: ComputeBudget, micro_lamports_per_cu: 7001 }]",
        "[{ type: ComputeBudget, micro_lamports_per_cu: 7000, compute_unit_limit: 501 }]",
        "[{ type: ComputeBudget, micro_lamports_per_cu: 7000, with_transfer_to: NODE }]",
    ]
    for text in wrong:
        result = run(text)
        assert not result.passed
        assert "price=7000 limit=500" in result.assertions[0].detail
