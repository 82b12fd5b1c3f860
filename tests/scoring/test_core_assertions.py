"""The three assertion types of reev's format, on passing and failing states."""

from __future__ import annotations

from solders.pubkey import Pubkey

from reev.benchmark.keys import derive_keypair
from reev.benchmark.model import (
    AddressDerivation,
    SolBalanceAssertion,
    SolBalanceChangeAssertion,
    TokenAccountBalanceAssertion,
)
from reev.programs.ata import associated_token_address
from reev.results.chain import AccountState, Observation, TokenState
from reev.scoring.assertions import evaluate_assertions

USER = str(derive_keypair(0, "U").pubkey())
ATA = str(derive_keypair(0, "T").pubkey())
USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
KEYS = {"USER_WALLET_PUBKEY": USER, "USER_USDC_ATA": ATA}


def obs(
    user_lamports: int | None, amount: int | None, extra: dict[str, AccountState] | None = None
) -> Observation:
    accounts = {}
    accounts[USER] = (
        AccountState(pubkey=USER, exists=True, lamports=user_lamports)
        if user_lamports is not None
        else AccountState(pubkey=USER, exists=False)
    )
    if amount is not None:
        accounts[ATA] = AccountState(
            pubkey=ATA,
            exists=True,
            lamports=2_039_280,
            token=TokenState(mint=USDC, owner=USER, amount=amount),
        )
    accounts.update(extra or {})
    return Observation(key_map=KEYS, accounts=accounts)


def test_sol_balance() -> None:
    a = SolBalanceAssertion(type="SolBalance", pubkey="USER_WALLET_PUBKEY", expected=5)
    [ok] = evaluate_assertions([a], obs(9, None), obs(5, None))
    assert ok.passed and ok.actual == 5 and ok.expected == {"expected": 5} and ok.address == USER
    [bad] = evaluate_assertions([a], obs(9, None), obs(6, None))
    assert not bad.passed and bad.actual == 6
    [missing] = evaluate_assertions([a], obs(9, None), obs(None, None))
    assert not missing.passed and missing.actual == 0 and "does not exist" in missing.detail


def test_sol_balance_change_bounds() -> None:
    a = SolBalanceChangeAssertion(
        type="SolBalanceChange",
        pubkey="USER_WALLET_PUBKEY",
        expected_change_gte=-110,
        expected_change_lte=-100,
    )
    [inside] = evaluate_assertions([a], obs(1000, None), obs(895, None))
    assert inside.passed and inside.actual == -105
    [too_much] = evaluate_assertions([a], obs(1000, None), obs(880, None))
    assert not too_much.passed
    [nothing] = evaluate_assertions([a], obs(1000, None), obs(1000, None))
    assert not nothing.passed and nothing.actual == 0


def test_token_balance_exact_and_bounds() -> None:
    exact = TokenAccountBalanceAssertion(
        type="TokenAccountBalance", pubkey="USER_USDC_ATA", expected=35
    )
    gte = TokenAccountBalanceAssertion(
        type="TokenAccountBalance", pubkey="USER_USDC_ATA", expected_gte=10, expected_lte=40
    )
    results = evaluate_assertions([exact, gte], obs(1, 50), obs(1, 35))
    assert [r.passed for r in results] == [True, True]
    results = evaluate_assertions([exact, gte], obs(1, 50), obs(1, 50))
    assert [r.passed for r in results] == [False, False]
    assert results[1].expected == {"expected_gte": 10, "expected_lte": 40}


def test_token_balance_on_missing_or_unresolvable_account() -> None:
    a = TokenAccountBalanceAssertion(type="TokenAccountBalance", pubkey="USER_USDC_ATA", expected=0)
    [gone] = evaluate_assertions([a], obs(1, 5), obs(1, None))
    assert not gone.passed and gone.detail == "token account does not exist"
    b = TokenAccountBalanceAssertion(type="TokenAccountBalance", pubkey="NOT_DEFINED", expected=0)
    [unknown] = evaluate_assertions([b], obs(1, 5), obs(1, 5))
    assert not unknown.passed and "NOT_DEFINED" in unknown.detail


def test_address_derivation_uses_the_ata_of_owner_and_mint() -> None:
    user = Pubkey.from_string(USER)
    ata = str(associated_token_address(user, Pubkey.from_string(USDC)))
    derived = AccountState(
        pubkey=ata, exists=True, lamports=1, token=TokenState(mint=USDC, owner=USER, amount=7)
    )
    a = TokenAccountBalanceAssertion(
        type="TokenAccountBalance",
        pubkey="UNUSED_PLACEHOLDER",
        expected=7,
        address_derivation=AddressDerivation(
            type="AssociatedTokenAccount", owner="USER_WALLET_PUBKEY", mint=USDC
        ),
    )
    [r] = evaluate_assertions([a], obs(1, None), obs(1, None, {ata: derived}))
    assert r.passed and r.address == ata
