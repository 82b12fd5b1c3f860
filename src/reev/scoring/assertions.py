"""Evaluate `final_state_assertions` against the observations before and after a run.

Each assertion type has an evaluator in `ASSERTIONS` (a `reev.plugins.registry.Registry`);
an installed package adds a type of its own with `register_assertion` (its model and its
evaluator) from the `reev` entry-point group — docs/plugins.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args

from solders.pubkey import Pubkey

from reev.benchmark.model import (
    ASSERTION_MODELS,
    ASSERTION_TYPES,
    AnswerMatchesAssertion,
    AnswerNumberAssertion,
    PluginAssertion,
    SolBalanceAssertion,
    SolBalanceChangeAssertion,
    StateAssertion,
    TokenAccountBalanceAssertion,
)
from reev.plugins.registry import PluginError, Registry
from reev.programs.ata import associated_token_address
from reev.programs.lookup_table import lookup_table_address
from reev.results.chain import Observation
from reev.results.scoring import AssertionResult
from reev.results.transaction import TransactionRecord
from reev.scoring.answers import evaluate_answer_matches, evaluate_answer_number
from reev.scoring.extended import EXTENDED_TYPES, evaluate_extended, make_resolver
from reev.scoring.program_assertions import PROGRAM_ASSERTION_TYPES, evaluate_program_assertion

CoreAssertion = SolBalanceAssertion | SolBalanceChangeAssertion | TokenAccountBalanceAssertion
CORE_TYPES = (SolBalanceAssertion, SolBalanceChangeAssertion, TokenAccountBalanceAssertion)


class UnresolvedAddress(ValueError):
    """An assertion names an account that no placeholder or pubkey gives."""


def assertion_address(assertion: StateAssertion, key_map: Mapping[str, str]) -> str:
    """The base58 address an assertion is about (derived ATA, placeholder or literal)."""
    d = getattr(assertion, "address_derivation", None)  # TokenAccountBalance and extensions
    if d is not None and d.type == "LookupTable":  # AccountField on a table the agent creates
        authority = _pubkey(d.authority, key_map)
        return str(lookup_table_address(authority, d.recent_slot)[0])
    if d is not None:
        owner = _pubkey(d.owner, key_map)
        mint = _pubkey(d.mint, key_map)
        return str(associated_token_address(owner, mint, _pubkey(d.token_program, key_map)))
    return str(_pubkey(assertion.pubkey, key_map))


def _pubkey(text: str, key_map: Mapping[str, str]) -> Pubkey:
    try:
        return Pubkey.from_string(key_map.get(text, text))
    except ValueError as exc:
        raise UnresolvedAddress(f"{text!r} is not a known placeholder or a base58 pubkey") from exc


@dataclass(frozen=True)
class AssertionContext:
    """What an assertion is judged on: the observations before and after (accounts by
    pubkey, the placeholder map), the episode's executed transactions (None when the
    caller has none) and the agent's final answer."""

    before: Observation
    after: Observation
    transactions: Sequence[TransactionRecord] | None = None
    answer: str | None = None

    def address(self, assertion: StateAssertion) -> str:
        """The base58 address the assertion is about (UnresolvedAddress when none)."""
        return assertion_address(assertion, self.after.key_map)


AssertionEvaluator = Callable[[Any, AssertionContext], AssertionResult]
"""Judges one assertion of its type: (assertion, context) → AssertionResult."""


def evaluate_assertions(
    assertions: Sequence[StateAssertion],
    before: Observation,
    after: Observation,
    transactions: Sequence[TransactionRecord] | None = None,
    answer: str | None = None,
) -> list[AssertionResult]:
    """One AssertionResult per assertion, in file order, each by its type's evaluator.

    `transactions` (the episode's executed transactions) is needed by `MemoPresent` only;
    without it that assertion fails with a detail saying so. `answer` is the agent's final
    text, read by the `Answer*` assertions.
    """
    ctx = AssertionContext(before, after, transactions, answer)
    return [_judge(a, ctx) for a in assertions]


def _judge(a: StateAssertion, ctx: AssertionContext) -> AssertionResult:
    """One assertion by its type's evaluator; an account it names that no placeholder or
    pubkey gives fails it, with the reason."""
    try:
        return ASSERTIONS.require(a.type)(a, ctx)
    except UnresolvedAddress as exc:
        return AssertionResult(
            type=a.type, pubkey=a.pubkey, passed=False, weight=a.weight, detail=str(exc)
        )


def _extended(a: Any, ctx: AssertionContext) -> AssertionResult:
    resolve = make_resolver(ctx.after.key_map)
    address = ctx.address(a)
    return evaluate_extended(a, address, ctx.before, ctx.after, ctx.transactions, resolve)


def _program(a: Any, ctx: AssertionContext) -> AssertionResult:
    resolve = make_resolver(ctx.after.key_map)
    address = ctx.address(a)
    return evaluate_program_assertion(a, address, ctx.before, ctx.after, ctx.transactions, resolve)


def _core(a: CoreAssertion, ctx: AssertionContext) -> AssertionResult:
    """reev's three original types, with their exact semantics."""
    before, after = ctx.before, ctx.after
    expected = _expected(a)
    try:
        address = assertion_address(a, after.key_map)
    except UnresolvedAddress as exc:
        return AssertionResult(
            type=a.type,
            pubkey=a.pubkey,
            expected=expected,
            passed=False,
            weight=a.weight,
            detail=str(exc),
        )
    final = after.accounts.get(address)
    base = {
        "type": a.type,
        "pubkey": a.pubkey,
        "address": address,
        "expected": expected,
        "weight": a.weight,
    }
    if isinstance(a, SolBalanceAssertion):
        actual = final.lamports if final and final.exists else 0
        return AssertionResult(
            **base, actual=actual, passed=actual == a.expected, detail=_lamports_detail(final)
        )
    if isinstance(a, SolBalanceChangeAssertion):
        initial = before.accounts.get(address)
        start = initial.lamports if initial and initial.exists else 0
        end = final.lamports if final and final.exists else 0
        change = end - start
        ok = (a.expected_change_gte is None or change >= a.expected_change_gte) and (
            a.expected_change_lte is None or change <= a.expected_change_lte
        )
        return AssertionResult(**base, actual=change, passed=ok, detail=f"lamports {start} → {end}")
    if final is None or not final.exists:
        return AssertionResult(
            **base, actual=None, passed=False, detail="token account does not exist"
        )
    if final.token is None:
        return AssertionResult(
            **base,
            actual=None,
            passed=False,
            detail=f"account is not a token account (owner {final.owner})",
        )
    amount = final.token.amount
    ok = (
        (a.expected is None or amount == a.expected)
        and (a.expected_gte is None or amount >= a.expected_gte)
        and (a.expected_lte is None or amount <= a.expected_lte)
    )
    return AssertionResult(**base, actual=amount, passed=ok, detail=f"mint {final.token.mint}")


def _answer_number(a: Any, ctx: AssertionContext) -> AssertionResult:
    return evaluate_answer_number(a, ctx.answer, ctx.after)


def _answer_matches(a: Any, ctx: AssertionContext) -> AssertionResult:
    return evaluate_answer_matches(a, ctx.answer, ctx.after.key_map)


_BY_MODEL: dict[type, AssertionEvaluator] = {
    **dict.fromkeys(CORE_TYPES, _core),
    **dict.fromkeys(EXTENDED_TYPES, _extended),
    **dict.fromkeys(PROGRAM_ASSERTION_TYPES, _program),
    AnswerNumberAssertion: _answer_number,
    AnswerMatchesAssertion: _answer_matches,
}
ASSERTIONS: Registry[AssertionEvaluator] = Registry(
    "assertion type",
    {name: _BY_MODEL[ASSERTION_MODELS[name]] for name in ASSERTION_TYPES},
)
"""Assertion type name → its evaluator; `register_assertion` adds a plugin's."""


def register_assertion(
    name: str, model: type[PluginAssertion], evaluate: AssertionEvaluator
) -> None:
    """Register a plugin's assertion type: its model (what `reev validate` and the loader
    accept, `reev.benchmark.model.ASSERTION_MODELS`) and its evaluator (here).

    `model` subclasses `reev.benchmark.model.PluginAssertion` with `type: Literal[name]`.
    PluginError when the name is taken (reev's types included) or the model is not one.
    """
    if not (isinstance(model, type) and issubclass(model, PluginAssertion)):
        raise PluginError(f"assertion type {name!r}: the model must subclass PluginAssertion")
    tag = model.model_fields["type"].annotation
    if get_args(tag) != (name,):
        raise PluginError(f"assertion type {name!r}: its model needs `type: Literal[{name!r}]`")
    if name in ASSERTIONS or name in ASSERTION_MODELS:
        raise PluginError(f"assertion type {name!r} is already registered")
    ASSERTION_MODELS.add(name, model)
    ASSERTIONS.add(name, evaluate)


def _expected(a: CoreAssertion) -> dict[str, int]:
    if isinstance(a, SolBalanceAssertion):
        return {"expected": a.expected}
    if isinstance(a, SolBalanceChangeAssertion):
        out = {}
        if a.expected_change_gte is not None:
            out["expected_change_gte"] = a.expected_change_gte
        if a.expected_change_lte is not None:
            out["expected_change_lte"] = a.expected_change_lte
        return out
    bounds = {
        "expected": a.expected,
        "expected_gte": a.expected_gte,
        "expected_lte": a.expected_lte,
    }
    return {k: v for k, v in bounds.items() if v is not None}


def _lamports_detail(state: object) -> str:
    return "" if state is not None and getattr(state, "exists", False) else "account does not exist"
