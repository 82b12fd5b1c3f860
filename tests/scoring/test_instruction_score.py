"""reev's instruction score on hand-computed cases."""

from __future__ import annotations

import pytest

from reev.benchmark.model import ExpectedAccount, ExpectedInstruction
from reev.results.instruction import RawAccountMeta, RawInstruction
from reev.scoring.instruction import instruction_score

TOKEN = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
SYSTEM = "11111111111111111111111111111111"
KEYS = {
    "A": "A1111111111111111111111111111111",
    "B": "B1111111111111111111111111111111",
    "U": "U1111111111111111111111111111111",
}


def expected_transfer(
    data: str | None = "...", data_weight: float | None = None, w: float = 1.0, pw: float = 1.0
) -> ExpectedInstruction:
    return ExpectedInstruction(
        program_id=TOKEN,
        program_id_weight=pw,
        data=data,
        data_weight=data_weight,
        accounts=[
            ExpectedAccount(pubkey="A", is_writable=True, weight=w),
            ExpectedAccount(pubkey="B", is_writable=True, weight=w),
            ExpectedAccount(pubkey="U", is_signer=True, weight=w),
        ],
    )


def actual_transfer(
    data: str = "3QDJ9TwUE2Dm",
    accounts: tuple[str, ...] = ("A", "B", "U"),
    program: str = TOKEN,
    signer_last: bool = True,
) -> RawInstruction:
    metas = [RawAccountMeta(pubkey=KEYS[a], is_writable=True) for a in accounts[:2]]
    metas.append(RawAccountMeta(pubkey=KEYS[accounts[2]], is_signer=signer_last))
    return RawInstruction(program_id=program, accounts=metas, data=data)


def test_perfect_match_with_unscored_data() -> None:
    # data "..." is never scored: a wrong amount still matches fully (reev's 002)
    assert instruction_score([expected_transfer()], [actual_transfer(data="1")], KEYS) == 1.0


def test_data_scored_only_with_weight() -> None:
    # reev's 004: total 0.5 + 0.5 + 3×0.25 = 1.75; wrong data → 1.25 / 1.75
    e = expected_transfer(data="3Bxs4vKJW", data_weight=0.5, w=0.25, pw=0.5)
    assert instruction_score([e], [actual_transfer()], KEYS) == pytest.approx(1.25 / 1.75)
    right = expected_transfer(data="3QDJ9TwUE2Dm", data_weight=0.5, w=0.25, pw=0.5)
    assert instruction_score([right], [actual_transfer()], KEYS) == 1.0
    # data present but no data_weight: not scored, not counted in the total
    assert (
        instruction_score([expected_transfer(data="3Bxs4vKJW")], [actual_transfer()], KEYS) == 1.0
    )


def test_wrong_accounts_lose_their_weights() -> None:
    swapped = actual_transfer(accounts=("B", "A", "U"))
    assert instruction_score([expected_transfer()], [swapped], KEYS) == pytest.approx(2 / 4)
    not_signer = actual_transfer(signer_last=False)
    assert instruction_score([expected_transfer()], [not_signer], KEYS) == pytest.approx(3 / 4)


def test_wrong_program_keeps_account_points() -> None:
    other = actual_transfer(program=SYSTEM)
    assert instruction_score([expected_transfer()], [other], KEYS) == pytest.approx(3 / 4)


def test_order_matters_positionally() -> None:
    memo = RawInstruction(program_id="MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")
    # an extra instruction first shifts the transfer to position 1: no points at all
    assert instruction_score([expected_transfer()], [memo, actual_transfer()], KEYS) == 0.0
    # after it, the extra instruction is ignored
    assert instruction_score([expected_transfer()], [actual_transfer(), memo], KEYS) == 1.0


def test_missing_instructions_score_zero_and_no_expectations_score_one() -> None:
    assert instruction_score([expected_transfer()], [], KEYS) == 0.0
    assert instruction_score([], [], KEYS) == 1.0  # reev's behaviour, kept for its profile
