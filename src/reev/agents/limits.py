"""Episode budgets of LLM agents: turns, tool calls, tokens and seconds.

A limit ends the episode as a normal, scored result (the chain state is what it is); the
step's `stop_reason` names the limit. Budgets are per episode, so a flow cannot escape a
limit by starting a new step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    """How much one episode may use. Defaults fit single- and few-step benchmarks."""

    max_turns: int = 10
    max_tool_calls: int = 20
    max_tokens: int = 200_000
    max_seconds: float = 300.0

    def __post_init__(self) -> None:
        for name in ("max_turns", "max_tool_calls", "max_tokens", "max_seconds"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)!r}")


@dataclass
class Budget:
    """What an episode has used so far, against its Limits."""

    limits: Limits
    turns: int = 0
    tool_calls: int = 0
    tokens: int = 0
    started: float = field(default_factory=time.monotonic)
    exhausted: str | None = None

    def elapsed(self) -> float:
        """Seconds since the episode started."""
        return time.monotonic() - self.started

    def remaining_seconds(self) -> float:
        """Seconds left before the time limit."""
        return self.limits.max_seconds - self.elapsed()

    def before_turn(self) -> str | None:
        """The limit that forbids another model call, if any (and remember it)."""
        if self.exhausted:
            return self.exhausted
        lim = self.limits
        if self.turns >= lim.max_turns:
            self.exhausted = f"limit: max_turns ({lim.max_turns}) reached"
        elif self.tokens >= lim.max_tokens:
            self.exhausted = f"limit: max_tokens ({lim.max_tokens}) reached, {self.tokens} used"
        elif self.remaining_seconds() <= 0:
            self.exhausted = f"limit: max_seconds ({lim.max_seconds:g}) reached"
        return self.exhausted

    def take_tool_call(self) -> str | None:
        """Count one tool call; the limit's reason when none is left (the call must not run)."""
        if self.tool_calls >= self.limits.max_tool_calls:
            self.exhausted = f"limit: max_tool_calls ({self.limits.max_tool_calls}) reached"
            return self.exhausted
        self.tool_calls += 1
        return None

    def seconds_exhausted(self) -> str:
        """Mark the time limit as hit (a model call was cut off) and return its reason."""
        self.exhausted = f"limit: max_seconds ({self.limits.max_seconds:g}) reached"
        return self.exhausted
