"""The stored form of an episode's model calls: each call once, its input as a delta.

An LLM agent's `ModelCallRecord.messages_in` is the whole conversation sent with that
call, so a transcript of n turns holds n growing copies of the same messages (quadratic).
In the store each call keeps only the messages the previous call of the episode (in
step, then turn order) did not already send:

    {"messages_in_reused": k, "messages_in": [the messages after the first k]}

where the first k messages equal the previous call's full `messages_in`. Readers get the
full form back (`expand_model_calls`); an episode stored before this form (no
`messages_in_reused`) is read as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

REUSED = "messages_in_reused"


def _calls(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for step in data.get("steps") or []:
        for call in step.get("model_calls") or []:
            if isinstance(call, dict):
                yield call


def compact_model_calls(data: dict[str, Any]) -> dict[str, Any]:
    """`data` (an episode's JSON, changed in place) with each call's input as a delta."""
    previous: list[Any] = []
    for call in _calls(data):
        full = call.get("messages_in")
        if not isinstance(full, list):
            continue
        shared = 0
        for mine, theirs in zip(full, previous, strict=False):
            if mine != theirs:
                break
            shared += 1
        if shared:
            call["messages_in"] = full[shared:]
            call[REUSED] = shared
        previous = full
    return data


def expand_model_calls(data: dict[str, Any]) -> dict[str, Any]:
    """`data` (a stored episode's JSON, changed in place) with every call's full input."""
    previous: list[Any] = []
    for call in _calls(data):
        delta = call.get("messages_in")
        if not isinstance(delta, list):
            continue
        shared = call.pop(REUSED, 0)
        full = previous[: int(shared)] + delta if shared else delta
        call["messages_in"] = full
        previous = full
    return data
