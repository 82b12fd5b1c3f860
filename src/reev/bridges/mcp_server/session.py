"""The episodes one MCP client drives: reev's run pipeline with a DrivenAgent, step by step.

`McpEpisodes` owns the run (`run_matrix` over the served benchmarks, one at a time, with
the store, as `reev run` does) and translates the client's calls: a tool call is run
by the current step's harness; `finish` ends the step, and its answer says how the
episode scored (once its last step is done) and what comes next. The run starts at the
client's first tool call, so the stored agent is `mcp:CLIENT_NAME`. This module does not
import the `mcp` SDK; `server.py` puts it behind MCP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reev.agents.prompt import USER_WALLET, context_block, user_message
from reev.benchmark.keys import substitute_placeholders
from reev.bridges.driven import (
    FINISHED,
    DrivenStep,
    EpisodeFinished,
    RunFinished,
    StepChannel,
    StepClosedError,
)
from reev.bridges.explain import assertion_table, score_line
from reev.chain.env import ChainSetupError, SolanaEnv
from reev.results.records import EpisodeResult
from reev.results.scoring import ScoringProfile
from reev.results.spec import AgentChoice, LimitsSpec, RunSpec
from reev.runner.spec import build_run_spec, resume_problem
from reev.runner.suite import AgentEntry, LoadedBenchmark, new_run_id, run_spec

if TYPE_CHECKING:
    from reev.store import Store

FINISH_TOOL = "finish"
TASK_URI = "reev://task"
RESULT_WAIT_S = 30.0
"""How long `finish` waits for its episode's stored result before answering without it."""

RULES = """\
You are acting for a user on the Solana blockchain through reev's tools. Every tool call \
that moves funds is signed with the user's key and executed at once as a real transaction \
(on reev's embedded test VM): it is final. Accounts are named by placeholders such as \
RECIPIENT_WALLET_PUBKEY; in tool arguments use the placeholder name or its base58 address. \
Amounts are integers in base units (lamports for SOL; a token's smallest unit). Do what is \
asked exactly once; read each result. When the request is done, or cannot be done, call \
the `finish` tool (optionally with a short `summary`): the episode is then scored on chain \
and its score is the answer. The current request is always in the `task` resource \
(reev://task)."""


@dataclass
class EpisodeOptions:
    """How the served episodes run (the `reev run` options that apply)."""

    benchmarks: list[str] = field(default_factory=list)  # the paths served, for the RunSpec
    seed: int = 0
    scoring: ScoringProfile = "outcome"
    step_timeout: float | None = None
    run_id: str | None = None


def preview_task(item: LoadedBenchmark, seed: int) -> str:
    """The first request of a benchmark with its real addresses and balances, for the
    server's instructions (sent before the episode starts; keys come from the seed)."""
    if item.benchmark is None:
        return f"{item.path}: cannot be loaded ({item.error})"
    try:
        benchmark = item.benchmark.instantiate(seed)
        env = SolanaEnv()
        env.reset(benchmark, seed=seed)
    except (ValueError, ChainSetupError) as exc:
        return f"{item.benchmark.id}: cannot be prepared ({exc})"
    prompt = substitute_placeholders(benchmark.step_prompts[0], env.key_map)
    head = f"Step 1 of {benchmark.step_count}. " if benchmark.step_count > 1 else ""
    return f"Benchmark {benchmark.id}. {head}Request: {prompt}\n\n{context_block(env.observe())}"


class McpEpisodes:
    """One outside driver's run through the served benchmarks (see module docstring)."""

    def __init__(
        self,
        loaded: Sequence[LoadedBenchmark],
        options: EpisodeOptions,
        store: Store | None = None,
    ) -> None:
        if not loaded:
            raise ValueError("no benchmarks to serve")
        self.loaded = list(loaded)
        self.options = options
        self.store = store
        self.channel = StepChannel()
        self.client: str | None = None
        self.run_id: str | None = options.run_id or (new_run_id() if store is not None else None)
        self.current: DrivenStep | None = None
        self.results: list[EpisodeResult] = []
        self.over: str | None = None  # why no more steps will come
        self._lock = asyncio.Lock()

    # --- what the client is told ------------------------------------------------------

    def instructions(self) -> str:
        """The server's instructions: the rules and the first request."""
        count = len(self.loaded)
        suite = (
            f"\n\nThis server serves {count} benchmarks, one after another: after `finish`, "
            "its answer (and the task resource) holds the next request."
            if count > 1
            else ""
        )
        return f"{RULES}{suite}\n\n{preview_task(self.loaded[0], self.options.seed)}"

    async def task_text(self, client: str) -> str:
        """The `task` resource: the current request with its accounts (starts the run)."""
        async with self._lock:
            step = await self._active(client)
            if step is None:
                return self._over_text()
            return self._describe(step)

    # --- what the client does ---------------------------------------------------------

    async def call_tool(
        self, client: str, name: str, arguments: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Run one of reev's tools in the current step; reev's result payload."""
        async with self._lock:
            notice = self._timed_out_notice()
            step = await self._active(client)
            if notice is not None:
                return {"status": "error", "error": notice, "next": self._next_text(step)}
            if step is None:
                return {"status": "error", "error": self._over_text()}
            try:
                return step.call_tool(name, arguments)
            except StepClosedError as exc:  # it timed out while we were being called
                return {"status": "error", "error": str(exc)}

    async def finish(self, client: str, summary: str | None) -> tuple[str, bool]:
        """End the current step; the answer (score when the episode is over, and what
        comes next) and whether it is an error (nothing to finish)."""
        async with self._lock:
            notice = self._timed_out_notice()
            step = await self._active(client)
            if notice is not None:
                return f"{notice}\n\n{self._next_text(step)}", True
            if step is None:
                return self._over_text(), True
            done_before = len(self.results)
            try:
                step.finish(FINISHED, summary=summary)
            except StepClosedError as exc:
                return str(exc), True
            nxt = await self._advance()
            if self._episode_left(step, nxt) and not self._has_result(step, done_before):
                await self._result_of(step)
            parts = [self._result_text(r) for r in self.results[done_before:]]
            if not parts:
                parts.append(f"Step {step.task.step} of {step.task.benchmark_id} finished.")
            parts.append(self._next_text(nxt))
            return "\n\n".join(parts), False

    @staticmethod
    def _episode_left(step: DrivenStep, nxt: DrivenStep | None) -> bool:
        """Whether `step` was its episode's last (the next step, if any, is another's)."""
        return nxt is None or (nxt.task.benchmark_id, nxt.task.epoch) != (
            step.task.benchmark_id,
            step.task.epoch,
        )

    def _has_result(self, step: DrivenStep, since: int) -> bool:
        return any(
            (r.benchmark_id, r.epoch) == (step.task.benchmark_id, step.task.epoch)
            for r in self.results[since:]
        )

    async def _result_of(self, step: DrivenStep) -> None:
        """Wait for the result of `step`'s episode: the pipeline reports a result only once
        it is stored, which can come after the next episode's first step was published
        (the next agent then waits on that step, so only results and the run's end can
        arrive meanwhile)."""
        while True:
            try:
                item = await self.channel.next(timeout=RESULT_WAIT_S)
            except TimeoutError:
                return  # answered without the score; the episode is still stored
            if isinstance(item, EpisodeFinished):
                self.results.append(item.result)
                if (item.result.benchmark_id, item.result.epoch) == (
                    step.task.benchmark_id,
                    step.task.epoch,
                ):
                    return
            elif isinstance(item, RunFinished):
                self.current = None
                self.over = item.error or "every benchmark has been run"
                return

    async def close(self, reason: str) -> None:
        """The client is gone: the episode it was in becomes an error result (recorded);
        later benchmarks are not run (`--run-id` resumes them)."""
        self.channel.abandon(reason)
        if self.client is None:
            return
        async with self._lock:
            vanished = self.over is None
            if vanished:
                await self._until_episode_end()
            await self.channel.close()
            self.over = self.over or reason
            if vanished and self.store is not None and self.run_id is not None:
                # results are reported once stored, so the run may have completed by now;
                # a client that left mid-episode still leaves an interrupted run
                self.store.set_run_status(self.run_id, "interrupted")

    async def _until_episode_end(self) -> None:
        while True:
            item = await self.channel.next()
            if isinstance(item, EpisodeFinished):
                self.results.append(item.result)
                return
            if isinstance(item, RunFinished):
                self.over = item.error or "every benchmark has been run"
                return

    # --- the run ------------------------------------------------------------------------

    async def _active(self, client: str) -> DrivenStep | None:
        """The open step (starting the run on first use), or None when the run is over."""
        if self.client is None:
            self._start(client)
        if self.current is not None and self.current.is_open:
            return self.current
        if self.over is not None:
            return None
        return await self._advance()

    def run_spec(self, client: str) -> RunSpec:
        """The run as reev stores it: interface `mcp`, one agent `mcp:CLIENT`."""
        opts = self.options
        paths = opts.benchmarks or [str(item.file) for item in self.loaded]
        return build_run_spec(
            interface="mcp",
            benchmarks=paths,
            agents=[AgentChoice(name="mcp", label=f"mcp:{client}")],
            seed=opts.seed,
            scoring=opts.scoring,
            limits=LimitsSpec(step_timeout=opts.step_timeout),
        )

    def _start(self, client: str) -> None:
        spec = self.run_spec(client)
        if self.store is not None:
            problem = resume_problem(self.store, self.options.run_id, spec)
            if problem is not None:
                raise ValueError(problem)
        self.client = client
        label = spec.agents[0].label
        self.channel.start(
            self._run(
                run_spec(
                    spec,
                    self.loaded,
                    [AgentEntry(label, lambda: self.channel.agent("mcp"))],
                    store=self.store,
                    run_id=self.run_id,
                    on_result=self.channel.episode_finished,
                    keep_results=False,
                    write_batch=1,  # the client waits for each episode's stored score
                )
            )
        )

    async def _run(self, run: Any) -> None:
        outcome = await run
        self.run_id = outcome.run_id

    async def _advance(self) -> DrivenStep | None:
        """Read the channel up to the next step (keeping finished results) or the end."""
        while True:
            item = await self.channel.next()
            if isinstance(item, EpisodeFinished):
                self.results.append(item.result)
                continue
            if isinstance(item, RunFinished):
                self.current = None
                self.over = item.error or "every benchmark has been run"
                return None
            self.current = item
            if item.is_open:
                item.record_message({"role": "user", "content": self._describe(item)})
            return item

    def _timed_out_notice(self) -> str | None:
        step = self.current
        if step is None or step.is_open or step.closed_reason == FINISHED:
            return None
        return f"step {step.task.step} of {step.task.benchmark_id} ended: {step.closed_reason}"

    # --- texts ------------------------------------------------------------------------

    def _describe(self, step: DrivenStep) -> str:
        wallet = step.task.observation.key_map.get(USER_WALLET, "")
        return (
            f"Benchmark {step.task.benchmark_id}. {user_message(step.task)}\n\n"
            f"The user's wallet {USER_WALLET} ({wallet}) signs and pays fees. "
            "Call `finish` when done."
        )

    def _next_text(self, step: DrivenStep | None) -> str:
        if step is None:
            return self._over_text()
        return f"Next:\n{self._describe(step)}"

    def _over_text(self) -> str:
        done = len(self.results)
        where = f" in run {self.run_id}" if self.run_id else ""
        return f"No more requests: {self.over or 'the run is over'} ({done} episode(s) recorded{where})."

    def _result_text(self, result: EpisodeResult) -> str:
        where = f" in run {self.run_id}" if self.run_id else ""
        return (
            f"Episode {result.benchmark_id} scored — {score_line(result)}. "
            f"Stored as execution {result.execution_id}{where}.\n\n{assertion_table(result)}"
        )
