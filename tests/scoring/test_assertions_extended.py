"""reev's extension assertions, each on a state that passes and one that fails."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from reev.benchmark.keys import derive_keypair
from reev.benchmark.model import StateAssertion
from reev.programs import memo
from reev.programs.ata import associated_token_address
from reev.results.chain import AccountState, MintState, Observation, TokenState
from reev.results.instruction import RawInstruction
from reev.results.scoring import AssertionResult
from reev.results.transaction import TransactionRecord
from reev.scoring.assertions import evaluate_assertions

USER = str(derive_keypair(0, "USER").pubkey())
FRIEND = str(derive_keypair(0, "FRIEND").pubkey())
MINT = str(derive_keypair(0, "MINT").pubkey())
ATA = str(derive_keypair(0, "ATA").pubkey())
KEYS = {"USER_WALLET_PUBKEY": USER, "FRIEND": FRIEND, "MINT": MINT, "ATA": ATA}
ADAPTER: TypeAdapter[StateAssertion] = TypeAdapter(StateAssertion)


def assertion(**data: Any) -> StateAssertion:
    return ADAPTER.validate_python(data)


def wallet(pk: str, lamports: int) -> AccountState:
    return AccountState(
        pubkey=pk, exists=True, lamports=lamports, owner="11111111111111111111111111111111"
    )


def token_account(
    pk: str, amount: int, delegate: str | None = None, delegated: int = 0
) -> AccountState:
    return AccountState(
        pubkey=pk,
        exists=True,
        lamports=2_039_280,
        owner="TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
        data_len=165,
        token=TokenState(
            mint=MINT, owner=USER, amount=amount, delegate=delegate, delegated_amount=delegated
        ),
    )


def mint(supply: int) -> AccountState:
    return AccountState(
        pubkey=MINT,
        exists=True,
        lamports=1_461_600,
        data_len=82,
        owner="TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
        mint=MintState(decimals=6, supply=supply),
    )


def gone(pk: str) -> AccountState:
    return AccountState(pubkey=pk, exists=False)


def obs(*states: AccountState) -> Observation:
    return Observation(key_map=KEYS, accounts={s.pubkey: s for s in states})


def one(
    a: StateAssertion,
    before: Observation,
    after: Observation,
    txs: list[TransactionRecord] | None = None,
) -> AssertionResult:
    [result] = evaluate_assertions([a], before, after, txs)
    return result


def test_token_balance_change_counts_missing_accounts_as_zero() -> None:
    a = assertion(type="TokenBalanceChange", pubkey="ATA", expected_change=-40)
    assert one(a, obs(token_account(ATA, 100)), obs(token_account(ATA, 60))).passed
    wrong = one(a, obs(token_account(ATA, 100)), obs(token_account(ATA, 61)))
    assert not wrong.passed and wrong.actual == -39
    closed = one(
        assertion(type="TokenBalanceChange", pubkey="ATA", expected_change=-100),
        obs(token_account(ATA, 100)),
        obs(gone(ATA)),
    )
    assert closed.passed
    bounds = assertion(
        type="TokenBalanceChange", pubkey="ATA", expected_change_gte=5, expected_change_lte=9
    )
    assert one(bounds, obs(gone(ATA)), obs(token_account(ATA, 7))).passed
    assert not one(bounds, obs(gone(ATA)), obs(token_account(ATA, 10))).passed
    not_token = one(a, obs(wallet(ATA, 5)), obs(wallet(ATA, 5)))
    assert not not_token.passed and "not a token account" in not_token.detail


def test_account_exists_checks_owner_mint_and_token_owner() -> None:
    a = assertion(
        type="AccountExists",
        pubkey="ATA",
        mint="MINT",
        token_owner="USER_WALLET_PUBKEY",
        owner="TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA",
    )
    assert one(a, obs(gone(ATA)), obs(token_account(ATA, 0))).passed
    assert not one(a, obs(gone(ATA)), obs(gone(ATA))).passed
    other = token_account(ATA, 0)
    assert other.token is not None
    other.token.owner = FRIEND
    wrong_owner = one(a, obs(gone(ATA)), obs(other))
    assert not wrong_owner.passed and "token owner" in wrong_owner.detail
    plain = one(a, obs(gone(ATA)), obs(wallet(ATA, 10)))
    assert not plain.passed


def test_account_exists_follows_address_derivation() -> None:
    derived = str(
        associated_token_address(
            derive_keypair(0, "FRIEND").pubkey(), derive_keypair(0, "MINT").pubkey()
        )
    )
    a = assertion(
        type="AccountExists",
        pubkey="FRIEND_ATA",
        address_derivation={"type": "AssociatedTokenAccount", "owner": "FRIEND", "mint": "MINT"},
    )
    result = one(a, obs(), obs(token_account(derived, 0)))
    assert result.passed and result.address == derived


def test_account_closed() -> None:
    a = assertion(type="AccountClosed", pubkey="ATA")
    assert one(a, obs(token_account(ATA, 0)), obs(gone(ATA))).passed
    still = one(a, obs(token_account(ATA, 0)), obs(token_account(ATA, 0)))
    assert not still.passed and "still exists" in still.detail


def test_mint_supply_value_bounds_and_change() -> None:
    a = assertion(type="MintSupply", pubkey="MINT", expected=900, expected_change=-100)
    assert one(a, obs(mint(1000)), obs(mint(900))).passed
    assert not one(a, obs(mint(950)), obs(mint(900))).passed  # right value, wrong change
    assert not one(a, obs(mint(1000)), obs(mint(901))).passed
    gte = assertion(type="MintSupply", pubkey="MINT", expected_gte=10)
    assert one(gte, obs(mint(0)), obs(mint(10))).passed
    assert not one(gte, obs(wallet(MINT, 1)), obs(wallet(MINT, 1))).passed


def test_token_delegate_none_or_exact() -> None:
    none = assertion(type="TokenDelegate", pubkey="ATA", delegate=None)
    assert one(none, obs(), obs(token_account(ATA, 5))).passed
    assert not one(none, obs(), obs(token_account(ATA, 5, FRIEND, 3))).passed
    exact = assertion(type="TokenDelegate", pubkey="ATA", delegate="FRIEND", delegated_amount=3)
    assert one(exact, obs(), obs(token_account(ATA, 5, FRIEND, 3))).passed
    assert not one(exact, obs(), obs(token_account(ATA, 5, FRIEND, 2**64 - 1))).passed
    assert not one(exact, obs(), obs(token_account(ATA, 5, USER, 3))).passed
    any_amount = assertion(type="TokenDelegate", pubkey="ATA", delegate="FRIEND")
    assert one(any_amount, obs(), obs(token_account(ATA, 5, FRIEND, 99))).passed
    with pytest.raises(ValidationError, match="needs a delegate"):
        assertion(type="TokenDelegate", pubkey="ATA", delegated_amount=5)


def memo_tx(text: str, status: str = "success", signer: str = USER) -> TransactionRecord:
    from solders.pubkey import Pubkey

    ix = RawInstruction.from_instruction(memo.memo(text, [Pubkey.from_string(signer)]))
    return TransactionRecord(status=status, instructions=[ix], signature="sig")  # type: ignore[arg-type]


def test_memo_present_needs_a_successful_transaction_with_the_text() -> None:
    a = assertion(type="MemoPresent", memo="invoice 42")
    assert one(a, obs(), obs(), [memo_tx("invoice 42")]).passed
    assert not one(a, obs(), obs(), [memo_tx("invoice 42", status="failure")]).passed
    wrong = one(a, obs(), obs(), [memo_tx("invoice 24")])
    assert not wrong.passed and "'invoice 24'" in wrong.detail
    missing = one(a, obs(), obs(), None)
    assert not missing.passed and "no transaction records" in missing.detail
    contains = assertion(type="MemoPresent", memo="42", match="contains")
    assert one(contains, obs(), obs(), [memo_tx("invoice 42")]).passed
    by_friend = assertion(type="MemoPresent", memo="hi", pubkey="FRIEND")
    assert one(by_friend, obs(), obs(), [memo_tx("hi", signer=FRIEND)]).passed
    assert not one(by_friend, obs(), obs(), [memo_tx("hi", signer=USER)]).passed


def test_memo_present_counts_the_transactions_that_carry_it() -> None:
    """A note asked for once and written six times fails (a real model did that);
    `max_count` allows more where a task asks for it."""
    once = assertion(type="MemoPresent", memo="gm from reev")
    six = [memo_tx("gm from reev") for _ in range(6)]
    repeated = one(once, obs(), obs(), six)
    assert not repeated.passed and repeated.actual == 6 and "6 transactions" in repeated.detail
    assert one(once, obs(), obs(), [memo_tx("gm from reev"), memo_tx("other")]).actual == 1
    assert one(once, obs(), obs(), [memo_tx("gm from reev", status="failure"), *six[:1]]).passed
    assert one(
        assertion(type="MemoPresent", memo="gm from reev", max_count=6), obs(), obs(), six
    ).passed


def test_unchanged_compares_every_listed_account() -> None:
    a = assertion(type="Unchanged", pubkeys=["ATA", "FRIEND"])
    assert a.pubkey == "ATA"
    before = obs(token_account(ATA, 5), wallet(FRIEND, 10))
    assert one(a, before, obs(token_account(ATA, 5), wallet(FRIEND, 10))).passed
    lamports = one(a, before, obs(token_account(ATA, 5), wallet(FRIEND, 11)))
    assert not lamports.passed and lamports.actual == 1 and "FRIEND" in lamports.detail
    delegated = one(a, before, obs(token_account(ATA, 5, FRIEND, 1), wallet(FRIEND, 10)))
    assert not delegated.passed
    unobserved = one(assertion(type="Unchanged", pubkeys=["MINT"]), before, before)
    assert not unobserved.passed and "not observed" in unobserved.detail


def test_unknown_placeholder_is_a_failed_result_not_a_crash() -> None:
    result = one(assertion(type="AccountClosed", pubkey="NOWHERE"), obs(), obs())
    assert not result.passed and "NOWHERE" in result.detail
