"""Fixtures for the TUI tests: a real SQLite store, the bundled benchmarks, and test agents
registered for the duration of a test (a slow one and one that never finishes)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.worker import WorkerCancelled, WorkerFailed

from reev.agents.base import AgentHarness, StepTask
from reev.agents.deterministic import DeterministicAgent
from reev.agents.registry import AGENTS, AgentSpec
from reev.benchmark.model import Benchmark
from reev.runner.errors import InfrastructureError
from reev.runner.suite import LoadedBenchmark, load_all
from reev.store.store import Store, open_store
from reev.tui.agents import AgentChoice
from reev.tui.app import ReevApp
from reev.tui.session import TuiSession

FILES = ["001-sol-transfer.yml", "002-spl-transfer.yml", "003-spl-transfer-fail.yml"]


class Probe:
    """What the test agents saw: how many ran at once, which were cancelled."""

    def __init__(self) -> None:
        self.active = 0
        self.max_active = 0
        self.started: list[str] = []
        self.cancelled: list[str] = []


class OverlapAgent(DeterministicAgent):
    """The reference solution, after waiting until a second episode is running too
    (or a while), so a broken concurrency limit would let more than the limit overlap."""

    name = "overlap"

    def __init__(self, probe: Probe) -> None:
        super().__init__()
        self.probe = probe

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        p = self.probe
        p.active += 1
        p.max_active = max(p.max_active, p.active)
        try:
            for _ in range(300):
                if p.active >= 2:
                    break
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.1)
            await super().run_step(task, harness)
        finally:
            p.active -= 1


class StuckAgent:
    """Never finishes a step; records that it was cancelled."""

    name = "stuck"
    model: str | None = None

    def __init__(self, probe: Probe) -> None:
        self.probe = probe
        self._id = ""

    def start_episode(self, benchmark: Benchmark) -> None:
        self._id = benchmark.id

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        self.probe.started.append(self._id)
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.probe.cancelled.append(self._id)
            raise


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> Iterator[Probe]:
    p = Probe()

    def overlap(**_: Any) -> OverlapAgent:
        return OverlapAgent(p)

    def stuck(**_: Any) -> StuckAgent:
        return StuckAgent(p)

    monkeypatch.setitem(AGENTS, "overlap", AgentSpec("overlap", "test", "nothing", overlap))
    monkeypatch.setitem(AGENTS, "stuck", AgentSpec("stuck", "test", "nothing", stuck))
    yield p


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'reev.db'}")
    yield s
    s.close()


@pytest.fixture
def loaded(bundled: Path) -> list[LoadedBenchmark]:
    return load_all([bundled / name for name in FILES])


TEST_AGENTS = [
    AgentChoice("deterministic", "reference"),
    AgentChoice("overlap", "test"),
    AgentChoice("stuck", "test"),
    AgentChoice("glm-4.6", "Z.AI", missing="needs $ZAI_API_KEY"),
]


def make_app(
    loaded: list[LoadedBenchmark], store: Store, *, concurrency: int = 4, **kw: Any
) -> ReevApp:
    session = TuiSession(store, paths=["benchmarks"])
    kw.setdefault("agents", TEST_AGENTS)
    return ReevApp(loaded, session, concurrency=concurrency, **kw)


async def settle(app: ReevApp, pilot: Any) -> None:
    """Let every worker (episodes, store reads) finish and the screen catch up."""
    for _ in range(3):
        await pilot.pause()
        for worker in list(app.workers):
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()
    await pilot.pause()


class CrashingAgent(DeterministicAgent):
    """Crashes in its own logic: an error result (the agent's doing), never a failure."""

    name = "crashing"

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        raise RuntimeError("the agent's own bug")


class OutageAgent(DeterministicAgent):
    """Its provider is down after every retry: an infrastructure error (left out of every
    statistic)."""

    name = "outage"

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        raise InfrastructureError("provider answered 503 after 3 retries")


@pytest.fixture
def broken_agents(monkeypatch: pytest.MonkeyPatch) -> list[AgentChoice]:
    """`crashing` and `outage` registered for the test, with their tabs."""
    monkeypatch.setitem(
        AGENTS, "crashing", AgentSpec("crashing", "test", "nothing", lambda **_: CrashingAgent())
    )
    monkeypatch.setitem(
        AGENTS, "outage", AgentSpec("outage", "test", "nothing", lambda **_: OutageAgent())
    )
    return [
        AgentChoice("deterministic", "reference"),
        AgentChoice("crashing", "test"),
        AgentChoice("outage", "test"),
    ]
