"""Retries of provider calls: exponential backoff with jitter, honouring `Retry-After`.

Only transient failures are retried: HTTP 408, 409, 429 and 5xx, timeouts and broken
connections. Anything else (a bad key, an unknown model, a malformed request) fails at
once, because retrying cannot fix it.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TypeVar

from reev.results.records import utc_now

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({408, 409, 429})


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait. `retries` is the number of extra attempts."""

    retries: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0
    jitter: float = 0.25

    def __post_init__(self) -> None:
        if self.retries < 0:
            raise ValueError("retries must be >= 0")
        if self.base_delay < 0 or self.max_delay < 0 or not 0 <= self.jitter <= 1:
            raise ValueError("delays must be >= 0 and jitter within [0, 1]")

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Delay before retry number `attempt` (1-based): base·2^(attempt-1) ± jitter, capped."""
        delay = min(self.max_delay, self.base_delay * float(2 ** (attempt - 1)))
        spread = delay * self.jitter
        uniform = rng.uniform if rng is not None else random.uniform
        return max(0.0, delay + uniform(-spread, spread))


class TransientError(Exception):
    """A failure worth retrying; `retry_after` is the server's wish in seconds, if it said."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RetriesExhausted(Exception):
    """Every attempt failed with a transient error."""

    def __init__(self, message: str, attempts: int, waits: list[float]) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.waits = waits


@dataclass
class RetryOutcome:
    """How many attempts a successful call took and how long it waited between them."""

    attempts: int = 1
    waits: list[float] = field(default_factory=list)


def retryable_status(status: int) -> bool:
    """Whether an HTTP status is transient."""
    return status in RETRYABLE_STATUS or status >= 500


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from `retry-after-ms` or `Retry-After` (seconds or an HTTP date), if present."""
    lowered = {k.lower(): v for k, v in headers.items()}
    ms = lowered.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - utc_now()).total_seconds())


async def call_with_retries(
    attempt: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    outcome: RetryOutcome,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    max_wait: Callable[[], float] | None = None,
) -> T:
    """Run `attempt` until it succeeds, retrying TransientError per the policy.

    `outcome` is filled as it goes (so a caller can record attempts even on failure).
    A `Retry-After` longer than `max_delay` is capped at it; `max_wait` (the time left in
    the episode) caps every wait too.
    """
    while True:
        try:
            return await attempt()
        except TransientError as exc:
            if outcome.attempts > policy.retries:
                raise RetriesExhausted(
                    f"{exc} (gave up after {outcome.attempts} attempts)",
                    outcome.attempts,
                    outcome.waits,
                ) from exc
            wait = (
                min(exc.retry_after, policy.max_delay)
                if exc.retry_after is not None
                else policy.backoff(outcome.attempts)
            )
            if max_wait is not None:
                wait = max(0.0, min(wait, max_wait()))
            outcome.waits.append(round(wait, 3))
            outcome.attempts += 1
            await sleep(wait)
