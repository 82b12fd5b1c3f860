"""The agent as an episode runs it: wrapped to notice infrastructure failures."""

from __future__ import annotations

from typing import Any

from reev.agents.base import Agent, AgentHarness, StepTask
from reev.benchmark.model import Benchmark
from reev.runner.errors import is_infrastructure_error


class WatchedAgent:
    """Wraps an agent to notice when a step failed for infrastructure reasons."""

    def __init__(self, inner: Agent) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.infrastructure_failure = False

    def start_episode(self, benchmark: Benchmark) -> None:
        self.inner.start_episode(benchmark)

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        try:
            await self.inner.run_step(task, harness)
        except BaseException as exc:
            if is_infrastructure_error(exc):
                self.infrastructure_failure = True
            raise

    def __getattr__(self, name: str) -> Any:  # anything else an agent offers
        return getattr(self.inner, name)


def unwrapped(agent: object) -> object:
    """The agent inside a `WatchedAgent` (any other agent as it is)."""
    return agent.inner if type(agent) is WatchedAgent else agent
