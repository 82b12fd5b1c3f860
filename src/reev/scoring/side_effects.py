"""The side-effect rule: the agent's final state against the reference solution's.

The `outcome` profile replays the benchmark's reference solution on a fresh VM with the
same seed and keys (the gold state, as tau2-bench scores), then compares, field by field,
every account that matters:

* every account the benchmark names (its placeholders, derived token accounts included);
* every account a transaction of either run could write, when it did not exist before,
  or is a token account whose token owner the benchmark names (third-party accounts a
  fork's swap route touches, e.g. pool vaults, are not the user's business).

Compared: existence, owner program (System `Assign` included), lamports, executable,
the data bytes (through their hash) of accounts no decoded field explains; for token
accounts amount, token owner, delegate and delegated amount, close authority, state
(frozen) and Token-2022 extension bytes; for mints supply, decimals, mint and freeze
authority and extension bytes. The fee payer's lamports must equal the reference's once
the difference in transaction fees the VM charged is accounted for, and the agent may
spend at most `side_effects.fee_allowance` lamports of fees beyond the reference's.

A difference on a field that an explicit assertion of the benchmark checks is that
assertion's to judge (its bounds are the benchmark's stated tolerance) — except the fee
payer's lamports, which fee bands must never hide. A benchmark declares where it is
open-ended in `side_effects.allow`.

Each difference is an assertion result of its own: `SideEffect` when the agent changed a
field to a value the reference does not reach (it voids the episode: score 0), or
`MissingChange` when the reference changes a field the agent left as it was (the task is
incomplete: not passed, partial credit kept). With no difference one passing `SideEffect`
result says how many accounts were compared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reev.benchmark.model import (
    SYSTEM_PROGRAM_ID,
    AccountClosedAssertion,
    AccountExistsAssertion,
    MintSupplyAssertion,
    SideEffectPolicy,
    SolBalanceAssertion,
    SolBalanceChangeAssertion,
    StateAssertion,
    TokenAccountBalanceAssertion,
    TokenBalanceChangeAssertion,
    TokenDelegateAssertion,
)
from reev.results.chain import AccountState
from reev.results.scoring import AssertionResult

SIDE_EFFECT = "SideEffect"
MISSING_CHANGE = "MissingChange"
SIDE_EFFECT_TYPES = frozenset({SIDE_EFFECT, MISSING_CHANGE})

# Which fields an explicit assertion type judges (its bounds are the stated tolerance).
_GOVERNED_FIELDS: dict[type, tuple[str, ...]] = {
    # a wallet exists exactly when it holds lamports: a lamport bound judges both
    SolBalanceAssertion: ("lamports", "exists"),
    SolBalanceChangeAssertion: ("lamports", "exists"),
    TokenAccountBalanceAssertion: ("amount",),
    TokenBalanceChangeAssertion: ("amount",),
    AccountExistsAssertion: ("exists",),
    AccountClosedAssertion: ("exists",),
    MintSupplyAssertion: ("supply",),
    TokenDelegateAssertion: ("delegate", "delegated_amount"),
}

_LABELS: dict[str, str] = {
    "exists": "existence",
    "owner": "owner program",
    "lamports": "lamports",
    "executable": "executable",
    "data": "data",
    "amount": "token amount",
    "token_owner": "token-account owner",
    "delegate": "delegate",
    "delegated_amount": "delegated amount",
    "close_authority": "close authority",
    "state": "state",
    "supply": "mint supply",
    "decimals": "decimals",
    "mint_authority": "mint authority",
    "freeze_authority": "freeze authority",
    "extensions": "Token-2022 extensions",
}


@dataclass(frozen=True)
class RunState:
    """What one run (the agent's or the reference's) left on chain.

    `final`: address → final state of every account observed at the end; `touched_before`:
    address → state before the run's first transaction that could write it; `fees`:
    lamports of fees the VM charged the fee payer over the run.
    """

    final: Mapping[str, AccountState]
    touched_before: Mapping[str, AccountState]
    fees: int
    # False for the stand-in of a benchmark with no reference solution: nothing may
    # change, except the fee payer's lamports, which then only its assertions judge.
    replayed: bool = True


@dataclass
class SideEffectVerdict:
    """The results, and whether they void the score (an unasked change happened)."""

    results: list[AssertionResult] = field(default_factory=list)
    compared: int = 0

    @property
    def failed(self) -> bool:
        """True when any difference was found (the episode is not passed)."""
        return any(not r.passed for r in self.results)

    @property
    def harmful(self) -> bool:
        """True when the agent changed something the task did not ask for (score 0)."""
        return any(r.type == SIDE_EFFECT and not r.passed for r in self.results)


def governed_fields(
    assertions: Iterable[StateAssertion], address_of: Mapping[int, str]
) -> set[tuple[str, str]]:
    """(address, field) pairs an explicit assertion judges; `address_of` maps id(assertion)."""
    out: set[tuple[str, str]] = set()
    for a in assertions:
        address = address_of.get(id(a))
        if address is None:
            continue
        for name in _GOVERNED_FIELDS.get(type(a), getattr(type(a), "governs", ())):
            out.add((address, name))
    return out


def fields_of(state: AccountState | None) -> dict[str, Any]:
    """The compared fields of one account; a missing account reads as an empty wallet."""
    if state is None or not state.exists:
        return {
            "exists": False,
            "owner": SYSTEM_PROGRAM_ID,
            "lamports": 0,
            "executable": False,
            "data": None,
        }
    out: dict[str, Any] = {
        "exists": True,
        "owner": state.owner,
        "lamports": state.lamports,
        "executable": state.executable,
    }
    if state.token is not None:
        t = state.token
        out.update(
            amount=t.amount,
            token_owner=t.owner,
            delegate=t.delegate,
            delegated_amount=t.delegated_amount,
            close_authority=t.close_authority,
            state=t.state,
            extensions=state.extensions_sha256,
        )
    elif state.mint is not None:
        m = state.mint
        out.update(
            supply=m.supply,
            decimals=m.decimals,
            mint_authority=m.mint_authority,
            freeze_authority=m.freeze_authority,
            extensions=state.extensions_sha256,
        )
    else:
        out["data"] = state.data_sha256
    return out


def compared_addresses(
    declared: Iterable[str],
    runs: Sequence[RunState],
    initial: Mapping[str, AccountState],
) -> list[str]:
    """The accounts the rule compares (see the module docstring), in a stable order."""
    named = list(dict.fromkeys(declared))
    named_set = set(named)
    out = list(named)
    for run in runs:
        for address, before in run.touched_before.items():
            if address in named_set or address in out:
                continue
            start = initial.get(address, before)
            if not start.exists or _token_owner_named(start, named_set):
                out.append(address)
                continue
            if any(_token_owner_named(r.final.get(address), named_set) for r in runs):
                out.append(address)
    return out


def _token_owner_named(state: AccountState | None, named: set[str]) -> bool:
    return state is not None and state.token is not None and state.token.owner in named


def compare_with_reference(
    *,
    agent: RunState,
    reference: RunState,
    initial: Mapping[str, AccountState],
    declared: Iterable[str],
    names: Mapping[str, str],
    fee_payer: str,
    governed: set[tuple[str, str]],
    policy: SideEffectPolicy,
    failed: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
) -> SideEffectVerdict:
    """Every difference between the agent's and the reference's final state that matters.

    `initial`: address → state at the start (for the declared accounts, the observation
    before the run; touched accounts' pre-states fill the rest); `names`: address →
    placeholder name for messages; `failed`: (address, field) pairs whose explicit
    assertion already failed (the fee payer's lamports are then not reported twice).
    """
    start = {**reference.touched_before, **agent.touched_before, **initial}
    addresses = compared_addresses(declared, [agent, reference], start)
    allowed = _allowed(policy, names)
    verdict = SideEffectVerdict(compared=len(addresses))
    for address in addresses:
        before = start.get(address)
        mine = agent.final.get(address, before)
        gold = reference.final.get(address, before)
        label = names.get(address, address)
        if address == fee_payer:
            exact = (
                reference.replayed
                and not _is_allowed(allowed, address, "lamports")
                and (address, "lamports") not in failed
            )
            verdict.results.extend(
                _fee_payer(label, address, before, mine, gold, agent, reference, policy, exact)
            )
        verdict.results.extend(
            _differences(
                label, address, before, mine, gold, governed, allowed, address == fee_payer, names
            )
        )
    if not verdict.results:
        extra = agent.fees - reference.fees
        fees = f"; fees {extra:+,} lamports against the reference's" if extra else ""
        detail = (
            f"none: {len(addresses)} accounts end as the reference solution leaves them{fees}"
            if reference.replayed
            else f"none: {len(addresses)} accounts unchanged beyond the assertions (no "
            "reference solution: the fee payer's lamports are not compared)"
        )
        verdict.results.append(
            AssertionResult(type=SIDE_EFFECT, pubkey="*", passed=True, weight=0.0, detail=detail)
        )
    return verdict


def _is_allowed(allowed: Mapping[str, set[str] | None], address: str, name: str) -> bool:
    if address not in allowed:
        return False
    fields = allowed[address]
    return fields is None or name in fields


def _allowed(policy: SideEffectPolicy, names: Mapping[str, str]) -> dict[str, set[str] | None]:
    by_name = {name: address for address, name in names.items()}
    out: dict[str, set[str] | None] = {}
    for allowance in policy.allow:
        address = by_name.get(allowance.pubkey, allowance.pubkey)
        out[address] = set(allowance.fields) if allowance.fields else None
    return out


def _differences(
    label: str,
    address: str,
    before: AccountState | None,
    mine: AccountState | None,
    gold: AccountState | None,
    governed: set[tuple[str, str]],
    allowed: Mapping[str, set[str] | None],
    is_fee_payer: bool,
    names: Mapping[str, str],
) -> list[AssertionResult]:
    if address in allowed and allowed[address] is None:
        return []
    ours, theirs, start = fields_of(mine), fields_of(gold), fields_of(before)
    out: list[AssertionResult] = []
    for name in dict.fromkeys([*ours, *theirs]):
        if name == "lamports" and is_fee_payer:
            continue  # judged by _fee_payer
        a, g = ours.get(name), theirs.get(name)
        if a == g or (address, name) in governed:
            continue
        fields = allowed.get(address)
        if fields is not None and name in fields:
            continue
        s = start.get(name)
        missing = a == s and name in start
        out.append(
            AssertionResult(
                type=MISSING_CHANGE if missing else SIDE_EFFECT,
                pubkey=label,
                address=address,
                passed=False,
                weight=0.0,
                detail=_describe(label, name, s, a, g, missing, name in start, names),
            )
        )
        if name == "exists":
            break  # one line for a whole account that appeared or vanished
    return out


def _fee_payer(
    label: str,
    address: str,
    before: AccountState | None,
    mine: AccountState | None,
    gold: AccountState | None,
    agent: RunState,
    reference: RunState,
    policy: SideEffectPolicy,
    exact: bool,
) -> list[AssertionResult]:
    """The fee payer's lamports: exact once fees are accounted for (unless the benchmark
    allows them to differ); fees within the allowance."""
    start = before.lamports if before is not None and before.exists else 0
    mine_l = mine.lamports if mine is not None and mine.exists else 0
    gold_l = gold.lamports if gold is not None and gold.exists else 0
    extra_fees = agent.fees - reference.fees
    out: list[AssertionResult] = []
    net_mine, net_gold = mine_l + agent.fees, gold_l + reference.fees
    if exact and net_mine != net_gold:
        missing = net_mine == start and net_gold != start
        what = (
            f"{label}: lamports {start:,} → {mine_l:,}; the reference ends at {gold_l:,}"
            f" (fees: {agent.fees:,} vs the reference's {reference.fees:,}), so "
            f"{abs(net_mine - net_gold):,} lamports "
            + ("more stayed than the task moves" if net_mine > net_gold else "went elsewhere")
        )
        out.append(
            AssertionResult(
                type=MISSING_CHANGE if missing else SIDE_EFFECT,
                pubkey=label,
                address=address,
                expected={"lamports": gold_l - extra_fees},
                actual=mine_l,
                passed=False,
                weight=0.0,
                detail=what,
            )
        )
    if extra_fees > policy.fee_allowance:
        out.append(
            AssertionResult(
                type=SIDE_EFFECT,
                pubkey=label,
                address=address,
                expected={"extra_fees_lte": policy.fee_allowance},
                actual=extra_fees,
                passed=False,
                weight=0.0,
                detail=f"{label}: paid {agent.fees:,} lamports of fees, {extra_fees:,} more "
                f"than the reference (allowance {policy.fee_allowance:,})",
            )
        )
    return out


def _describe(
    label: str,
    name: str,
    start: Any,
    mine: Any,
    gold: Any,
    missing: bool,
    known: bool,
    names: Mapping[str, str],
) -> str:
    what = _LABELS.get(name, name)

    def show(value: Any) -> str:
        return _show(name, value, names)

    if name == "exists":
        if mine and not gold:
            origin = "created by the agent" if not start else "left in place by the agent"
            return f"{label}: exists at the end ({origin}); the reference leaves no such account"
        return f"{label}: does not exist at the end; the reference leaves it in place"
    if missing:
        return f"{label}: {what} stays {show(mine)}; the reference changes it to {show(gold)}"
    was = f"changed from {show(start)} to {show(mine)}" if known else f"is {show(mine)}"
    return f"{label}: {what} {was}; the reference leaves {show(gold)}"


def _show(name: str, value: Any, names: Mapping[str, str]) -> str:
    if value is None:
        return "none"
    if isinstance(value, str) and value in names:
        return f"{names[value]} ({value[:4]}…)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if name in ("data", "extensions") and isinstance(value, str):
        return f"sha256 {value[:12]}…"
    return str(value)
