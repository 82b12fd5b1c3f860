"""Control agents: `null` does nothing (the floor any benchmark must not reward)."""

from __future__ import annotations

from reev.agents.base import AgentHarness, StepTask
from reev.benchmark.model import Benchmark


class NullAgent:
    """Does nothing at all: no instructions, no tool calls."""

    name = "null"
    model: str | None = None

    def start_episode(self, benchmark: Benchmark) -> None:
        """Nothing to prepare."""

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        """Do nothing."""
