"""Evaluation of reev's extension assertions (token changes, accounts, mints, delegates,
memos, unchanged sets).

Kept apart from `assertions.py` so that reev's three original types keep their exact
semantics there; this module only adds. Every verdict is computed from the observations
before/after the run and, for `MemoPresent`, from the executed transactions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import base58
from solders.pubkey import Pubkey

from reev.benchmark.model import (
    AccountClosedAssertion,
    AccountExistsAssertion,
    MemoPresentAssertion,
    MintSupplyAssertion,
    TokenBalanceChangeAssertion,
    TokenDelegateAssertion,
    UnchangedAssertion,
)
from reev.programs.decode import decode_instruction
from reev.programs.ids import MEMO_PROGRAM, MEMO_V1_PROGRAM
from reev.results.chain import AccountState, Observation
from reev.results.scoring import AssertionResult
from reev.results.transaction import TransactionRecord

ExtendedAssertion = (
    TokenBalanceChangeAssertion
    | AccountExistsAssertion
    | AccountClosedAssertion
    | MintSupplyAssertion
    | TokenDelegateAssertion
    | MemoPresentAssertion
    | UnchangedAssertion
)
EXTENDED_TYPES = (
    TokenBalanceChangeAssertion,
    AccountExistsAssertion,
    AccountClosedAssertion,
    MintSupplyAssertion,
    TokenDelegateAssertion,
    MemoPresentAssertion,
    UnchangedAssertion,
)
PAYMENT_INSTRUCTIONS = frozenset({"Transfer", "TransferChecked"})
MEMO_PROGRAMS = frozenset({str(MEMO_PROGRAM), str(MEMO_V1_PROGRAM)})
FEE_PAYER = "USER_WALLET_PUBKEY"

Resolver = Callable[[str], str]


def evaluate_extended(
    a: ExtendedAssertion,
    address: str,
    before: Observation,
    after: Observation,
    transactions: Sequence[TransactionRecord] | None,
    resolve: Resolver,
) -> AssertionResult:
    """The verdict on one extension assertion whose account is `address`."""
    base: dict[str, Any] = {
        "type": a.type,
        "pubkey": a.pubkey,
        "address": address,
        "weight": a.weight,
    }
    final = after.accounts.get(address)
    initial = before.accounts.get(address)
    if isinstance(a, TokenBalanceChangeAssertion):
        return _token_change(a, base, initial, final)
    if isinstance(a, AccountExistsAssertion):
        return _exists(a, base, final, resolve)
    if isinstance(a, AccountClosedAssertion):
        gone = final is None or not final.exists
        return AssertionResult(
            **base,
            passed=gone,
            actual=0 if gone else 1,
            expected={"exists": 0},
            detail="account does not exist"
            if gone
            else f"account still exists (owner {final and final.owner})",
        )
    if isinstance(a, MintSupplyAssertion):
        return _supply(a, base, initial, final)
    if isinstance(a, TokenDelegateAssertion):
        return _delegate(a, base, final, resolve)
    if isinstance(a, MemoPresentAssertion):
        return _memo(a, base, transactions, address, resolve, after)
    return _unchanged(a, base, before, after, resolve)


def _amount(state: AccountState | None) -> int | None:
    """Token amount; 0 for an account that does not exist; None for a non-token account."""
    if state is None or not state.exists:
        return 0
    return state.token.amount if state.token is not None else None


def _within(value: int, exact: int | None, gte: int | None, lte: int | None) -> bool:
    return (
        (exact is None or value == exact)
        and (gte is None or value >= gte)
        and (lte is None or value <= lte)
    )


def _bounds(**kw: int | None) -> dict[str, int]:
    return {k: v for k, v in kw.items() if v is not None}


def _token_change(
    a: TokenBalanceChangeAssertion,
    base: dict[str, Any],
    initial: AccountState | None,
    final: AccountState | None,
) -> AssertionResult:
    expected = _bounds(
        expected_change=a.expected_change,
        expected_change_gte=a.expected_change_gte,
        expected_change_lte=a.expected_change_lte,
    )
    start, end = _amount(initial), _amount(final)
    if start is None or end is None:
        return AssertionResult(
            **base, expected=expected, passed=False, detail="account is not a token account"
        )
    change = end - start
    ok = _within(change, a.expected_change, a.expected_change_gte, a.expected_change_lte)
    return AssertionResult(
        **base, expected=expected, actual=change, passed=ok, detail=f"amount {start} → {end}"
    )


def _exists(
    a: AccountExistsAssertion, base: dict[str, Any], final: AccountState | None, resolve: Resolver
) -> AssertionResult:
    if final is None or not final.exists:
        return AssertionResult(
            **base, expected={"exists": 1}, actual=0, passed=False, detail="account does not exist"
        )
    problems = []
    if a.owner is not None and final.owner != resolve(a.owner):
        problems.append(f"owner program {final.owner}, expected {resolve(a.owner)}")
    if a.mint is not None or a.token_owner is not None:
        if final.token is None:
            problems.append("not a token account")
        else:
            if a.mint is not None and final.token.mint != resolve(a.mint):
                problems.append(f"mint {final.token.mint}, expected {resolve(a.mint)}")
            if a.token_owner is not None and final.token.owner != resolve(a.token_owner):
                problems.append(
                    f"token owner {final.token.owner}, expected {resolve(a.token_owner)}"
                )
    return AssertionResult(
        **base,
        expected={"exists": 1},
        actual=1,
        passed=not problems,
        detail="; ".join(problems) or f"exists (owner {final.owner})",
    )


def _supply(
    a: MintSupplyAssertion,
    base: dict[str, Any],
    initial: AccountState | None,
    final: AccountState | None,
) -> AssertionResult:
    expected = _bounds(
        expected=a.expected,
        expected_gte=a.expected_gte,
        expected_lte=a.expected_lte,
        expected_change=a.expected_change,
    )
    if final is None or final.mint is None:
        return AssertionResult(
            **base, expected=expected, passed=False, detail="account is not a mint"
        )
    supply = final.mint.supply
    ok = _within(supply, a.expected, a.expected_gte, a.expected_lte)
    detail = f"supply {supply}"
    if a.expected_change is not None:
        start = initial.mint.supply if initial is not None and initial.mint is not None else 0
        ok = ok and supply - start == a.expected_change
        detail = f"supply {start} → {supply}"
    return AssertionResult(**base, expected=expected, actual=supply, passed=ok, detail=detail)


def _delegate(
    a: TokenDelegateAssertion, base: dict[str, Any], final: AccountState | None, resolve: Resolver
) -> AssertionResult:
    expected = _bounds(delegated_amount=a.delegated_amount)
    if final is None or not final.exists or final.token is None:
        return AssertionResult(
            **base, expected=expected, passed=False, detail="not an existing token account"
        )
    token = final.token
    actual_text = f"delegate {token.delegate} for {token.delegated_amount}"
    if a.delegate is None:
        ok = token.delegate is None
        return AssertionResult(
            **base,
            expected=expected,
            actual=token.delegated_amount,
            passed=ok,
            detail="no delegate" if ok else f"{actual_text}; expected no delegate",
        )
    want = resolve(a.delegate)
    ok = token.delegate == want and (
        a.delegated_amount is None or token.delegated_amount == a.delegated_amount
    )
    return AssertionResult(
        **base,
        expected=expected,
        actual=token.delegated_amount,
        passed=ok,
        detail=actual_text if ok else f"{actual_text}; expected delegate {want}",
    )


def memo_texts(tx: TransactionRecord) -> list[tuple[str, list[str]]]:
    """(text, signer pubkeys) of every memo instruction of a transaction."""
    out = []
    for ix in tx.instructions:
        if ix.program_id not in MEMO_PROGRAMS:
            continue
        try:
            text = bytes(base58.b58decode(ix.data)).decode("utf-8") if ix.data else ""
        except ValueError:
            continue
        out.append((text, [m.pubkey for m in ix.accounts if m.is_signer]))
    return out


def _memo(
    a: MemoPresentAssertion,
    base: dict[str, Any],
    transactions: Sequence[TransactionRecord] | None,
    address: str,
    resolve: Resolver,
    after: Observation,
) -> AssertionResult:
    if transactions is None:
        return AssertionResult(
            **base, passed=False, detail="the evaluator was given no transaction records"
        )
    payer = resolve(FEE_PAYER)
    payee = resolve(a.with_payment_to) if a.with_payment_to else None
    seen: list[str] = []
    carrying: list[str] = []
    for tx in transactions:
        if not tx.succeeded:
            continue
        if payee is not None and not pays(tx, payee, after):
            seen.extend(
                f"{text} (not in the payment to {a.with_payment_to})" for text, _ in memo_texts(tx)
            )
            continue
        for text, signers in memo_texts(tx):
            seen.append(text)
            matches = text == a.memo if a.match == "exact" else a.memo in text
            if matches and (address in signers or address == payer):
                carrying.append(tx.signature or "(unsigned)")
                break
    if carrying and len(carrying) <= a.max_count:
        return AssertionResult(
            **base,
            actual=len(carrying),
            passed=True,
            detail=f"memo {a.memo!r} in {', '.join(carrying)}",
        )
    if carrying:
        return AssertionResult(
            **base,
            actual=len(carrying),
            passed=False,
            detail=f"memo {a.memo!r} written by {len(carrying)} transactions; the task asks "
            f"for at most {a.max_count}",
        )
    found = ", ".join(repr(t) for t in seen) or "none"
    if payee is not None:
        return AssertionResult(
            **base,
            actual=0,
            passed=False,
            detail=f"no successful payment to {a.with_payment_to} carries memo {a.memo!r} "
            f"({a.match}); memos seen: {found}",
        )
    return AssertionResult(
        **base,
        actual=0,
        passed=False,
        detail=f"no successful transaction carries memo {a.memo!r} ({a.match}); memos seen: {found}",
    )


def pays(tx: TransactionRecord, payee: str, after: Observation) -> bool:
    """True when the transaction moves SOL or tokens to `payee` (or a token account it owns)."""
    for ix in tx.instructions:
        decoded = decode_instruction(ix)
        if decoded["instruction"] not in PAYMENT_INSTRUCTIONS:
            continue
        for account in decoded["accounts"]:
            if account["role"] not in ("to", "destination"):
                continue
            target = account["pubkey"]
            if target == payee:
                return True
            state = after.accounts.get(target)
            if state is not None and state.token is not None and state.token.owner == payee:
                return True
    return False


def _fingerprint(state: AccountState | None) -> tuple[Any, ...] | None:
    if state is None:
        return None
    return (
        state.exists,
        state.lamports,
        state.owner,
        state.data_len,
        state.token.model_dump() if state.token else None,
        state.mint.model_dump() if state.mint else None,
    )


def _unchanged(
    a: UnchangedAssertion,
    base: dict[str, Any],
    before: Observation,
    after: Observation,
    resolve: Resolver,
) -> AssertionResult:
    changed: list[str] = []
    for name in a.pubkeys:
        address = resolve(name)
        first, last = before.accounts.get(address), after.accounts.get(address)
        if first is None or last is None:
            changed.append(f"{name} (not observed)")
        elif _fingerprint(first) != _fingerprint(last):
            changed.append(name)
    return AssertionResult(
        **base,
        expected={"changed": 0},
        actual=len(changed),
        passed=not changed,
        detail=("changed: " + ", ".join(changed)) if changed else f"{len(a.pubkeys)} unchanged",
    )


def make_resolver(key_map: Mapping[str, str]) -> Resolver:
    """Placeholder or base58 → base58 (unknown text is returned as is, and will not match)."""

    def resolve(text: str) -> str:
        value = key_map.get(text, text)
        try:
            return str(Pubkey.from_string(value))
        except ValueError:
            return value

    return resolve
