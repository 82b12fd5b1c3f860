"""Why an episode did not pass, in one line: the triage column of episode lists.

Read from the stored JSON of the episode, in the order a person debugging it would look:
the episode's own error (it did not run to its end), then the first failed transaction,
then the first failed tool call, then the first failed assertion (with expected and
actual). `kind` is the episode's `failure_kind` when the record carries one (the models
engineer's field: no action, tool error, transaction failed, assertion failed, side
effect, limit reached, infrastructure), else what this function found. A passed
episode has no failure.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from reev.tracing.amounts import assertion_amount

REASON_LIMIT = 200


class FirstFailure(BaseModel):
    """The first reason an episode did not pass."""

    kind: str
    reason: str


def _cut(text: str) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= REASON_LIMIT else flat[: REASON_LIMIT - 1] + "…"


def _amount(value: Any, assertion: dict[str, Any]) -> str:
    return assertion_amount(
        value, str(assertion.get("type", "")), str(assertion.get("detail") or "")
    )


def _expected(expected: dict[str, Any], assertion: dict[str, Any]) -> str:
    return ", ".join(
        _amount(v, assertion) if k == "expected" else f"{k} {_amount(v, assertion)}"
        for k, v in expected.items()
    )


def first_failure(data: dict[str, Any]) -> FirstFailure | None:
    """The first failure of a stored episode (`result_json`), or None when it passed."""
    if data.get("passed") and data.get("status") != "error":
        return None
    recorded_kind = data.get("failure_kind")
    # failure kinds are snake_case words (reev.runner.failure_kind): shown with spaces
    kind: str | None = recorded_kind.replace("_", " ") if isinstance(recorded_kind, str) else None
    if data.get("status") == "error":
        error_kind = data.get("error_kind")
        label = "infrastructure error" if error_kind == "infrastructure" else "error"
        return FirstFailure(kind=kind or label, reason=_cut(data.get("error") or "error"))
    steps = data.get("steps") or []
    for step in steps:
        for tx in step.get("transactions") or []:
            if tx.get("status") not in (None, "success"):
                why = f"transaction {tx.get('status')}: {tx.get('error') or 'no error text'}"
                return FirstFailure(kind=kind or "transaction failed", reason=_cut(why))
    for assertion in data.get("assertions") or []:
        if not assertion.get("passed", True):
            parts = [str(assertion.get("type", "assertion"))]
            if assertion.get("pubkey"):
                parts.append(str(assertion["pubkey"]))
            expected = assertion.get("expected") or {}
            if expected:
                parts.append(f"expected {_expected(expected, assertion)}")
            if assertion.get("actual") is not None:
                parts.append(f"actual {_amount(assertion['actual'], assertion)}")
            if assertion.get("detail"):
                parts.append(str(assertion["detail"]))
            found = "side effect" if assertion.get("type") == "SideEffect" else "assertion failed"
            return FirstFailure(kind=kind or found, reason=_cut(" · ".join(parts)))
    for step in steps:
        for call in step.get("tool_calls") or []:
            if call.get("status") == "error":
                why = f"{call.get('tool')}: {call.get('error') or 'error'}"
                return FirstFailure(kind=kind or "tool error", reason=_cut(why))
        if step.get("error"):
            return FirstFailure(kind=kind or "step error", reason=_cut(step["error"]))
    if not any(step.get("transactions") for step in steps):
        return FirstFailure(kind=kind or "no action", reason="the agent sent no transaction")
    return FirstFailure(kind=kind or "not passed", reason=f"score {data.get('score', 0):.3f}")
