"""An agent whose decisions come from outside: the shared core of the Inspect and MCP bridges.

reev's run pipeline (`run_matrix` → executor → `execute_job` → `run_episode`) calls
`agent.run_step(task, harness)` once per step. A `DrivenAgent` publishes that step on a
`StepChannel` and waits; the outside driver (Inspect's model loop, an MCP client) takes
the `DrivenStep`, calls reev's tools through it — the harness signs, executes and records
each call exactly as for `reev run`'s `openai` agent — and ends it with `finish`. The
pipeline then goes on by itself: the step is scored, the next step is published, and at
the end the scored `EpisodeResult` comes through the channel as `EpisodeFinished`.

So the bridges hold no episode logic: reset, key handling, signing policy, per-step and
final scoring, timeouts and storage all stay in the pipeline. A step the pipeline closes
(its `timeout` passed) refuses further calls; a driver that goes away `abandon`s the
channel, which makes the waiting step fail as an agent error, recorded like any other.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any

from reev.agents.base import AgentError, AgentHarness, StepTask
from reev.agents.tool_results import run_tool_for_model
from reev.benchmark.model import Benchmark
from reev.results.records import EpisodeResult

FINISHED = "finished"


class StepClosedError(Exception):
    """A call reached a step that has already ended (finished, timed out or abandoned)."""


@dataclass(eq=False)
class DrivenStep:
    """One step of an episode, waiting for the outside driver to act and finish it."""

    task: StepTask
    harness: AgentHarness
    _done: asyncio.Future[None] = field(repr=False)
    closed_reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_reason is None

    def call_tool(self, name: str, arguments: str | Mapping[str, Any]) -> dict[str, Any]:
        """Run one of reev's tools through the harness; the result as a model sees it."""
        self._check_open()
        return run_tool_for_model(self.harness, name, arguments)

    def record_message(self, message: Mapping[str, Any]) -> None:
        """Keep a transcript message (the driver's prompt or answer) in the step record."""
        self._check_open()
        self.harness.record_message(message)

    def finish(self, stop_reason: str, summary: str | None = None) -> None:
        """The driver is done with this step; the pipeline scores it and goes on."""
        self._check_open()
        if summary:
            self.harness.record_message({"role": "assistant", "content": summary})
        self.harness.set_stop_reason(stop_reason)
        self._close(FINISHED)
        if not self._done.done():
            self._done.set_result(None)

    def fail(self, reason: str) -> None:
        """End the step as an agent failure (the driver vanished): an error result."""
        if not self.is_open:
            return
        self.harness.set_stop_reason(reason)
        self._close(reason)
        if not self._done.done():
            self._done.set_exception(AgentError(reason))

    def _close(self, reason: str) -> None:
        if self.closed_reason is None:
            self.closed_reason = reason

    def _check_open(self) -> None:
        if self.closed_reason is not None:
            what = (
                "was finished"
                if self.closed_reason == FINISHED
                else f"has ended ({self.closed_reason})"
            )
            raise StepClosedError(f"step {self.task.step} of {self.task.benchmark_id} {what}")


@dataclass(frozen=True)
class EpisodeFinished:
    """An episode of the run was scored (and, with a store, written)."""

    result: EpisodeResult


@dataclass(frozen=True)
class RunFinished:
    """The run is over: every episode finished, or `error` says why it stopped."""

    error: str | None = None


ChannelItem = DrivenStep | EpisodeFinished | RunFinished


class StepChannel:
    """Carries a run's steps and results from the pipeline to one outside driver, in order."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[ChannelItem] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.abandoned: str | None = None
        self.current: DrivenStep | None = None

    def agent(self, name: str, model: str | None = None) -> DrivenAgent:
        """A new agent for one episode of the run, publishing on this channel."""
        return DrivenAgent(self, name, model)

    def start(self, run: Coroutine[Any, Any, Any]) -> None:
        """Run the pipeline coroutine in the background; `RunFinished` follows its end."""
        if self._task is not None:
            raise RuntimeError("this channel already carries a run")
        self._task = asyncio.ensure_future(self._run(run))

    async def _run(self, run: Coroutine[Any, Any, Any]) -> None:
        try:
            await run
        except asyncio.CancelledError:
            self.publish(RunFinished("the run was stopped"))
            raise
        except Exception as exc:  # the pipeline records episode failures; this is a bug
            self.publish(RunFinished(f"the run failed: {type(exc).__name__}: {exc}"))
            return
        self.publish(RunFinished())

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def publish(self, item: ChannelItem) -> None:
        """Hand an item to the driver (steps come from agents, results from the pipeline)."""
        if isinstance(item, DrivenStep):
            self.current = item
            if self.abandoned is not None:
                item.fail(self.abandoned)
        self._queue.put_nowait(item)

    def episode_finished(self, result: EpisodeResult) -> None:
        """`on_result` callback for `run_matrix`."""
        self.publish(EpisodeFinished(result))

    async def next(self, timeout: float | None = None) -> ChannelItem:
        """The next step or result; TimeoutError when none came within `timeout` seconds."""
        return await asyncio.wait_for(self._queue.get(), timeout)

    def abandon(self, reason: str) -> None:
        """The driver is gone: the waiting step fails with `reason` (an agent error, so its
        episode is recorded as an error); a later step waits for `close`."""
        self.abandoned = reason
        if self.current is not None:
            self.current.fail(reason)

    async def close(self) -> None:
        """Stop the run if it is still going (its finished episodes stay recorded)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class DrivenAgent:
    """An `Agent` whose every step is carried out by the driver reading its channel."""

    def __init__(self, channel: StepChannel, name: str, model: str | None = None) -> None:
        self.channel = channel
        self.name = name
        self.model = model

    def __repr__(self) -> str:
        return f"DrivenAgent(name={self.name!r}, model={self.model!r})"

    def start_episode(self, benchmark: Benchmark) -> None:
        """Nothing to prepare; ground truth is never read."""

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        """Publish the step and wait until the driver finishes it (or the step times out)."""
        if self.channel.abandoned is not None:
            # The driver left before this step began: nobody will act on it. Wait for the
            # run to be stopped (`StepChannel.close`) instead of recording an episode no
            # driver ever saw; the run's finished episodes stay, the rest can be resumed.
            await asyncio.Event().wait()
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        step = DrivenStep(task, harness, done)
        self.channel.publish(step)
        try:
            await done
        finally:
            step._close("the step's time ran out")  # a timeout cancelled us: refuse late calls
