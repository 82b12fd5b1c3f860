"""The Inspect solver: one reev episode per sample, its steps driven by Inspect's model.

The episode runs in reev's pipeline (`LocalExecutor` → `execute_job` → `run_episode`, in
the solver's own event loop, on a pooled embedded VM of its own) with a `DrivenAgent`.
Each step the pipeline publishes becomes a user turn — the same system prompt and
request-with-context message `reev run`'s `openai` agent sends — and Inspect's model
loop (`generate(tool_calls="loop")`) calls reev's tools until it answers without one;
that ends the step. Flows: one sample, steps as successive user turns in one
conversation. Epoch e of Inspect (1-based) is reev's epoch e-1 with reev's epoch seed,
so `--epochs K` gives the same keys and parameters as `reev run --epochs K`.

An episode reev records as an error (unloadable file, initial state that cannot be
built, a step that timed out) raises, so Inspect shows a sample error, never a
failing score. An Inspect limit (messages, tokens, time) ends the step it hits and the
rest of the episode as the model's stop, and the episode is scored as it stands.
"""

from __future__ import annotations

from inspect_ai.model import ChatMessageSystem, ChatMessageUser
from inspect_ai.solver import Generate, Solver, TaskState, solver
from inspect_ai.util import LimitExceededError

from reev.agents.prompt import system_prompt, user_message
from reev.bridges.driven import DrivenStep, EpisodeFinished, RunFinished, StepChannel
from reev.bridges.inspect_task.scorer import RESULT_KEY
from reev.bridges.inspect_task.tools import inspect_tools
from reev.bridges.selection import sample_id, select_benchmarks
from reev.results.records import EpisodeResult
from reev.results.scoring import ScoringProfile
from reev.results.spec import EpisodeOptions
from reev.runner.executors.local import LocalExecutor
from reev.runner.plan import AgentEntry, episode_job, epoch_seed


class EpisodeError(RuntimeError):
    """reev recorded the sample's episode as an error (not a failure)."""


@solver
def reev_solver(
    benchmarks: str | list[str] | None = None,
    tags: str | list[str] | None = None,
    ids: str | list[str] | None = None,
    seed: int = 0,
    scoring: ScoringProfile = "outcome",
    step_timeout: float | None = None,
) -> Solver:
    """Run each sample's benchmark (the sample id is the benchmark id, selected as the
    task selects them) as a reev episode driven by the model."""
    by_id = {sample_id(item): item for item in select_benchmarks(benchmarks, tags, ids)}
    executor = LocalExecutor()  # one VM pool for the task's samples

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        item = by_id.get(str(state.sample_id))
        if item is None:
            raise ValueError(f"sample {state.sample_id!r} is not one of this task's benchmarks")
        epoch = state.epoch - 1
        model = str(state.model)
        channel = StepChannel()
        job = episode_job(
            item,
            AgentEntry(f"inspect:{model}", lambda: channel.agent("inspect", model)),
            epoch=epoch,
            seed=epoch_seed(seed, epoch),
            options=EpisodeOptions(scoring=scoring, step_timeout=step_timeout),
        )

        async def run() -> None:
            channel.episode_finished(await executor.run(job))

        channel.start(run())
        try:
            result = await _drive(state, generate, channel)
        finally:
            await channel.close()
        state.store.set(RESULT_KEY, result.to_json_dict())
        state.metadata["reev_execution_id"] = result.execution_id
        if result.status == "error":
            raise EpisodeError(f"{result.benchmark_id}: {result.error}")
        return state

    return solve


async def _drive(state: TaskState, generate: Generate, channel: StepChannel) -> EpisodeResult:
    """Answer every step the episode publishes; return its scored result."""
    result: EpisodeResult | None = None
    out_of_budget: str | None = None
    started = False
    while True:
        item = await channel.next()
        if isinstance(item, EpisodeFinished):
            result = item.result
            continue
        if isinstance(item, RunFinished):
            if result is None:
                raise EpisodeError(item.error or "the episode ended without a result")
            return result
        step: DrivenStep = item
        if not started:
            state.messages = [ChatMessageSystem(content=system_prompt())]
            started = True
        prompt = user_message(step.task)
        state.messages.append(ChatMessageUser(content=prompt))
        step.record_message({"role": "user", "content": prompt})
        if out_of_budget is not None:
            step.finish(f"{out_of_budget} (in an earlier step)")
            continue
        state.tools = inspect_tools(step)
        try:
            state = await generate(state, tool_calls="loop")
        except LimitExceededError as exc:
            out_of_budget = f"limit: {exc.type}"
            if step.is_open:
                step.finish(out_of_budget)
            continue
        if step.is_open:
            step.finish(_stop_reason(state), summary=state.output.completion or None)


def _stop_reason(state: TaskState) -> str:
    reason = state.output.stop_reason if state.output is not None else "unknown"
    return "answered" if reason == "stop" else f"model stopped: {reason}"
