"""Evaluation of `AccountField` and `ComputeBudget` (see reev.benchmark.program_assertions).

`AccountField` reads the decoded account states of the observations (`AccountState`
with its `details`); `ComputeBudget` reads the instructions of the executed transactions,
so a priority fee is checked on what the transaction really carried.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Any

import base58

from reev.benchmark.program_assertions import AccountFieldAssertion, ComputeBudgetAssertion
from reev.programs.compute_budget import decode_compute_budget
from reev.programs.ids import COMPUTE_BUDGET_PROGRAM, SYSTEM_PROGRAM
from reev.results.chain import AccountState, Observation
from reev.results.scoring import AssertionResult
from reev.results.transaction import TransactionRecord

PROGRAM_ASSERTION_TYPES = (AccountFieldAssertion, ComputeBudgetAssertion)
ProgramAssertion = AccountFieldAssertion | ComputeBudgetAssertion
_MISSING = object()


def account_view(state: AccountState | None) -> dict[str, Any]:
    """An account as one nested mapping (the paths `AccountField` names)."""
    if state is None or not state.exists:
        return {"exists": False}
    view: dict[str, Any] = {
        "exists": True,
        "lamports": state.lamports,
        "owner": state.owner,
        "executable": state.executable,
        "data_len": state.data_len,
    }
    details = dict(state.details or {})
    if state.token is not None:
        view["token"] = {**state.token.model_dump(), **details.pop("token", {})}
    if state.mint is not None:
        view["mint"] = {**state.mint.model_dump(), **details.pop("mint", {})}
    view.update(details)
    return view


def lookup(view: Any, path: str) -> Any:
    """The value at a dotted path (list indexes as numbers); _MISSING when absent."""
    node = view
    for part in path.split("."):
        if isinstance(node, dict):
            if part not in node:
                return _MISSING
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def evaluate_program_assertion(
    a: ProgramAssertion,
    address: str,
    before: Observation,
    after: Observation,
    transactions: Sequence[TransactionRecord] | None,
    resolve: Callable[[str], str],
) -> AssertionResult:
    if isinstance(a, AccountFieldAssertion):
        return _field(a, address, before, after, resolve)
    return _compute_budget(a, transactions, resolve)


def _show(value: Any) -> str:
    return "absent" if value is _MISSING else repr(value)


def _field(
    a: AccountFieldAssertion,
    address: str,
    before: Observation,
    after: Observation,
    resolve: Callable[[str], str],
) -> AssertionResult:
    final = lookup(account_view(after.accounts.get(address)), a.field)
    initial = lookup(account_view(before.accounts.get(address)), a.field)
    problems: list[str] = []
    if "expected" in a.model_fields_set:
        want = resolve(a.expected) if isinstance(a.expected, str) else a.expected
        got = None if final is _MISSING else final
        if got != want:
            problems.append(f"expected {want!r}")
    numeric = isinstance(final, int) and not isinstance(final, bool)
    if a.expected_gte is not None and not (numeric and final >= a.expected_gte):
        problems.append(f"expected ≥ {a.expected_gte}")
    if a.expected_lte is not None and not (numeric and final <= a.expected_lte):
        problems.append(f"expected ≤ {a.expected_lte}")
    if a.changed is not None and (final != initial) != a.changed:
        problems.append("expected a change" if a.changed else "expected no change")
    detail = f"{a.field}: {_show(initial)} → {_show(final)}"
    if problems:
        detail += " (" + "; ".join(problems) + ")"
    bounds = {
        k: v
        for k, v in (("expected_gte", a.expected_gte), ("expected_lte", a.expected_lte))
        if v is not None
    }
    if "expected" in a.model_fields_set and isinstance(a.expected, int):
        bounds["expected"] = int(a.expected)
    return AssertionResult(
        type=a.type,
        pubkey=a.pubkey,
        address=address,
        expected=bounds,
        actual=final if numeric else None,
        passed=not problems,
        weight=a.weight,
        detail=detail,
    )


def _budget_of(tx: TransactionRecord) -> dict[str, int]:
    found: dict[str, int] = {}
    for ix in tx.instructions:
        if ix.program_id == str(COMPUTE_BUDGET_PROGRAM):
            decoded = decode_compute_budget(ix.data_bytes())
            if decoded is not None:
                found[decoded[0]] = decoded[1]
    return found


def _transfers_to(tx: TransactionRecord, target: str) -> bool:
    for ix in tx.instructions:
        if ix.program_id != str(SYSTEM_PROGRAM) or len(ix.accounts) < 2:
            continue
        data = base58.b58decode(ix.data) if ix.data else b""
        is_transfer = len(data) == 12 and struct.unpack_from("<I", data)[0] == 2
        if is_transfer and ix.accounts[1].pubkey == target:
            return True
    return False


def _compute_budget(
    a: ComputeBudgetAssertion,
    transactions: Sequence[TransactionRecord] | None,
    resolve: Callable[[str], str],
) -> AssertionResult:
    base: dict[str, Any] = {"type": a.type, "pubkey": a.pubkey, "weight": a.weight}
    if transactions is None:
        return AssertionResult(**base, passed=False, detail="no transactions were recorded")
    signer = resolve(a.pubkey)
    target = resolve(a.with_transfer_to) if a.with_transfer_to else None
    seen: list[str] = []
    for tx in transactions:
        if not tx.succeeded:
            continue
        signed = any(
            m.pubkey == signer and m.is_signer for ix in tx.instructions for m in ix.accounts
        )
        if not signed and signer != resolve("USER_WALLET_PUBKEY"):
            continue
        budget = _budget_of(tx)
        seen.append(f"price={budget.get('unit_price')} limit={budget.get('unit_limit')}")
        if (
            a.micro_lamports_per_cu is not None
            and budget.get("unit_price") != a.micro_lamports_per_cu
        ):
            continue
        if a.compute_unit_limit is not None and budget.get("unit_limit") != a.compute_unit_limit:
            continue
        if target is not None and not _transfers_to(tx, target):
            continue
        return AssertionResult(**base, passed=True, detail=f"carried by {tx.signature}")
    want = f"price={a.micro_lamports_per_cu} limit={a.compute_unit_limit}"
    got = "; ".join(seen) if seen else "no successful transaction"
    return AssertionResult(**base, passed=False, detail=f"wanted {want}; saw {got}")
