"""Why a failed episode failed, in one word a report or the dashboard can count.

Decided from the record alone (stop reasons, tool calls, transactions, assertions), in
this order, the first that applies:

- `infrastructure` — the episode errored for a reason outside the agent (provider down,
  worker crashed); it is still an error, never counted as a failure of the model;
- `side_effect` — a failing assertion is a side-effect check (`SideEffect`): the agent
  changed state it was not asked to change. A wrong amount paid to the right account is
  not one: the fee payer's lamports then differ from the reference's too, so when the
  only failing side-effect checks are the fee payer's net lamports and an explicit
  assertion failed, the kind is `assertion_failed`;
- `limit_reached` — the agent was stopped by a budget (turns, tool calls, tokens,
  seconds, the reply cap) or a step timeout;
- `no_action` — no tool call and no transaction at all;
- `transaction_failed` — a transaction ran and failed (or was rejected) and none succeeded;
- `tool_error` — every tool call failed before producing a transaction;
- `assertion_failed` — the agent acted, yet the final state is not what was asked.

Passed episodes and errors of other kinds (a benchmark that cannot load) have none.
"""

from __future__ import annotations

from reev.results.records import EpisodeResult
from reev.results.scoring import AssertionResult

FAILURE_KINDS = (
    "infrastructure",
    "side_effect",
    "limit_reached",
    "no_action",
    "transaction_failed",
    "tool_error",
    "assertion_failed",
)
SIDE_EFFECT_ASSERTION = "SideEffect"
_SIDE_EFFECT_TYPES = frozenset({SIDE_EFFECT_ASSERTION, "MissingChange"})
_LIMIT_PREFIXES = ("limit:", "length:")


def classify_failure(result: EpisodeResult) -> str | None:
    """The failure kind of an episode (module docstring), or None."""
    if result.status == "error":
        return "infrastructure" if result.error_kind == "infrastructure" else None
    if result.passed:
        return None
    assertions = [a for a in result.assertions if not a.passed]
    for step in result.steps:
        assertions.extend(a for a in step.assertions if not a.passed)
    side = [a for a in assertions if a.type == SIDE_EFFECT_ASSERTION]
    explicit = [a for a in assertions if a.type not in _SIDE_EFFECT_TYPES]
    if side and not (explicit and all(_payer_lamports(a) for a in side)):
        return "side_effect"
    steps = [s for s in result.steps if not s.skipped]
    if any(_limited(s.stop_reason, s.error) for s in steps):
        return "limit_reached"
    transactions = [t for s in steps for t in s.transactions]
    calls = [c for s in steps for c in s.tool_calls]
    if not transactions and not calls:
        return "no_action"
    if transactions and not any(t.status == "success" for t in transactions):
        return "transaction_failed"
    if calls and not transactions and all(c.status == "error" for c in calls):
        return "tool_error"
    return "assertion_failed"


def _payer_lamports(check: AssertionResult) -> bool:
    """The side-effect rule's check of the fee payer's net lamports (the only one that
    states an expected `lamports`: `reev.scoring.side_effects._fee_payer`)."""
    return set(check.expected) == {"lamports"}


def _limited(stop_reason: str | None, error: str | None) -> bool:
    if stop_reason and stop_reason.startswith(_LIMIT_PREFIXES):
        return True
    return bool(error and "timed out after" in error)


def first_prompt_tokens(result: EpisodeResult) -> int | None:
    """Prompt tokens of the episode's first model call, as the provider reported them."""
    for step in result.steps:
        for call in step.model_calls:
            return call.prompt_tokens
    return None


def annotate(result: EpisodeResult) -> EpisodeResult:
    """Set `failure_kind` and `first_prompt_tokens` from the rest of the record."""
    result.failure_kind = classify_failure(result)
    result.first_prompt_tokens = first_prompt_tokens(result)
    return result
