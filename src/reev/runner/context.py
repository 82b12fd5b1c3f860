"""What an agent may know about the episode it runs in, beyond its task: the epoch.

The suite sets it around each episode (contextvars keep concurrent episodes apart);
the model-call cache keys on it so K epochs sample K answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_EPOCH: ContextVar[int] = ContextVar("reev_epoch", default=0)


def current_epoch() -> int:
    """The epoch of the episode running in this context (0 outside a suite)."""
    return _EPOCH.get()


@contextmanager
def episode_context(epoch: int) -> Iterator[None]:
    """Within this block, `current_epoch()` is `epoch`."""
    token = _EPOCH.set(epoch)
    try:
        yield
    finally:
        _EPOCH.reset(token)
