"""Which failures are the infrastructure's (retryable) and which are the agent's (results).

An agent raises `InfrastructureError` (or an exception with `reev_infrastructure = True`)
when the failure is not its own: the provider kept answering 5xx/429 or timing out after
all retries, a service it needs is down. `--retry-errors` re-runs such episodes; every
other error (a bad answer, a crash in the agent's logic, a refused key) is a result.
"""

from __future__ import annotations

# Exceptions raised by reev's own LLM agents after exhausting transient retries.
_TRANSIENT_NAMES = frozenset({"RetriesExhausted"})


class InfrastructureError(Exception):
    """A failure outside the agent's control; the episode may be retried."""

    reev_infrastructure = True


def is_infrastructure_error(exc: BaseException) -> bool:
    """True when `exc`, or an exception it was raised from, is an infrastructure failure."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, "reev_infrastructure", False):
            return True
        if type(current).__name__ in _TRANSIENT_NAMES:
            return True
        current = current.__cause__ or current.__context__
    return False
