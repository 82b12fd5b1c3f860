"""Verdicts on the agent's final answer (`AnswerNumber`, `AnswerMatches`).

Read-only tasks ("what is my balance?") are scored on what the agent reported, not on
chain state. The answer is the step's final text as the agent gave it (an LLM's last
message, the reference solution's `answer`); an agent that gave none fails.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reev.benchmark.model import AnswerMatchesAssertion, AnswerNumberAssertion
from reev.results.chain import Observation
from reev.results.scoring import AssertionResult

LAMPORTS_PER_SOL = 1_000_000_000
MAX_ANSWER_CHARS = 20_000  # longer answers are cut before any pattern runs on them

# A number as people write it: 1,234.5 / 1 234.5 / 1_000 / 0.000005 / 1e-3.
_NUMBER = re.compile(
    r"(?<![\w.])-?(?:\d{1,3}(?:[,_ ]\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])"
    r"|(?<![\w.])-?\.\d+(?![\w])"
)
_UNIT_AFTER = re.compile(r"\s*(lamports?|sol\b|wsol\b)", re.IGNORECASE)


def stated_numbers(text: str) -> list[tuple[float, str | None]]:
    """Every number in `text` with the SOL unit word written after it, if any."""
    out: list[tuple[float, str | None]] = []
    for m in _NUMBER.finditer(text[:MAX_ANSWER_CHARS]):
        raw = re.sub(r"[,_ ]", "", m.group(0))
        try:
            value = float(raw)
        except ValueError:
            continue
        unit = _UNIT_AFTER.match(text, m.end())
        word = unit.group(1).lower() if unit else None
        if word is not None:
            word = "lamports" if word.startswith("lamport") else "SOL"
        out.append((value, word))
    return out


def _in_unit(value: float, word: str | None, unit: str) -> float:
    if unit == "SOL" and word == "lamports":
        return value / LAMPORTS_PER_SOL
    if unit == "lamports" and word == "SOL":
        return value * LAMPORTS_PER_SOL
    return value


def expected_number(a: AnswerNumberAssertion, after: Observation) -> float | str:
    """The number the answer must state, in `a.unit`; a reason string when unknown."""
    if a.expected is not None:
        return a.expected / 10**a.decimals if a.decimals is not None else a.expected
    assert a.state_of is not None
    state = after.account(a.state_of)
    if state is None:
        return f"{a.state_of} is not observed"
    if a.state_field == "lamports":
        lamports = state.lamports if state.exists else 0
        return lamports / LAMPORTS_PER_SOL if a.unit == "SOL" else float(lamports)
    if a.state_field == "amount":
        if state.token is None:
            return f"{a.state_of} is not a token account"
        if a.unit == "token":
            if state.token.ui_amount is None:
                return f"{a.state_of}: the mint's decimals are unknown"
            return state.token.ui_amount
        return float(state.token.amount)
    if state.mint is None:
        return f"{a.state_of} is not a mint"
    return state.mint.supply / 10**state.mint.decimals if a.unit == "token" else state.mint.supply


def evaluate_answer_number(
    a: AnswerNumberAssertion, answer: str | None, after: Observation
) -> AssertionResult:
    """Passed when the answer states the expected number (in `unit`) within `tolerance`."""
    base: dict[str, Any] = {"type": a.type, "pubkey": a.pubkey, "weight": a.weight}
    target = expected_number(a, after)
    if isinstance(target, str):
        return AssertionResult(**base, passed=False, detail=target)
    if not answer:
        return AssertionResult(**base, passed=False, detail="the agent gave no final answer")
    numbers = stated_numbers(answer)
    if a.unit in ("SOL", "lamports"):
        tagged = [(v, w) for v, w in numbers if w is not None]
        candidates = [_in_unit(v, w, a.unit) for v, w in (tagged or numbers)]
    else:
        candidates = [v for v, _ in numbers]
    distinct = sorted(set(candidates))
    slack = a.tolerance + 1e-9 * max(1.0, abs(target))
    hit = next((c for c in candidates if abs(c - target) <= slack), None)
    shown = ", ".join(f"{c:g}" for c in distinct[:8]) or "none"
    if hit is not None and len(distinct) > a.max_numbers:
        return AssertionResult(
            **base,
            passed=False,
            detail=f"the answer states {len(distinct)} different numbers ({shown}); "
            f"at most {a.max_numbers} allowed, so listing candidates does not count",
        )
    expected = f"{target:g} {a.unit}" + (f" ± {a.tolerance:g}" if a.tolerance else "")
    if a.state_of is not None:
        expected += f" ({a.state_of}'s {a.state_field} on chain)"
    return AssertionResult(
        **base,
        passed=hit is not None,
        detail=f"expected {expected}; numbers stated: {shown}",
    )


def evaluate_answer_matches(
    a: AnswerMatchesAssertion, answer: str | None, key_map: Mapping[str, str]
) -> AssertionResult:
    """Passed when the answer matches `pattern` (placeholders resolved) and not `forbid`."""
    base: dict[str, Any] = {"type": a.type, "pubkey": a.pubkey, "weight": a.weight}
    if not answer:
        return AssertionResult(**base, passed=False, detail="the agent gave no final answer")
    text = answer[:MAX_ANSWER_CHARS]
    flags = 0 if a.case_sensitive else re.IGNORECASE
    pattern = _resolve(a.pattern, key_map)
    if not re.search(pattern, text, flags):
        return AssertionResult(**base, passed=False, detail=f"answer does not match {pattern!r}")
    if a.forbid is not None:
        forbid = _resolve(a.forbid, key_map)
        if re.search(forbid, text, flags):
            return AssertionResult(
                **base, passed=False, detail=f"answer matches the forbidden {forbid!r}"
            )
    return AssertionResult(**base, passed=True, detail=f"answer matches {pattern!r}")


def _resolve(pattern: str, key_map: Mapping[str, str]) -> str:
    """Replace placeholder names (longest first) by their pubkeys."""
    for name in sorted(key_map, key=len, reverse=True):
        if name != key_map[name] and name in pattern:
            pattern = pattern.replace(name, re.escape(key_map[name]))
    return pattern
