"""One episode: reset the chain, let the agent act on each step, observe, score.

Every failure becomes part of the result: a crashing agent, a timeout or a failing
transaction is recorded with its reason and never raised to the caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid

from reev.agents.base import Agent, StepTask
from reev.benchmark.keys import substitute_placeholders
from reev.benchmark.model import Benchmark
from reev.chain.env import ChainSetupError, SolanaEnv
from reev.chain.observation import AccountState, Observation
from reev.runner.harness import EpisodeHarness
from reev.runner.result import EpisodeResult, Scores, utc_now
from reev.scoring.assertions import UnresolvedAddress, assertion_address
from reev.scoring.model import ScoringProfile
from reev.scoring.score import score_episode


async def run_episode(
    benchmark: Benchmark,
    agent: Agent,
    *,
    seed: int = 0,
    epoch: int = 0,
    scoring: ScoringProfile = "outcome",
    random_keys: bool = False,
    step_timeout: float | None = None,
    execution_id: str | None = None,
    source_path: str | None = None,
) -> EpisodeResult:
    """Run one benchmark with one agent and return its scored result."""
    started = utc_now()
    t0 = time.perf_counter()
    result = EpisodeResult(
        benchmark_id=benchmark.id,
        agent=agent.name,
        model=agent.model,
        seed=seed,
        epoch=epoch,
        execution_id=execution_id or str(uuid.uuid4()),
        status="completed",
        scoring=scoring,
        prompt=benchmark.prompt,
        source_path=source_path,
        started_at=started,
    )
    env = SolanaEnv()
    try:
        env.reset(benchmark, seed=seed, random_keys=random_keys)
    except ChainSetupError as exc:
        return _finish(result, t0, error=f"cannot build initial state: {exc}")
    watched = []
    for a in benchmark.ground_truth.final_state_assertions:
        with contextlib.suppress(UnresolvedAddress):  # reported by the assertion's result
            watched.append(assertion_address(a, env.key_map))
    env.watch(watched)
    before = env.observe()
    result.key_map = dict(env.key_map)
    result.prompt = substitute_placeholders(benchmark.prompt, env.key_map)
    harness = EpisodeHarness(env)
    try:
        agent.start_episode(benchmark)
    except Exception as exc:
        return _finish(result, t0, error=f"agent {agent.name} failed to start: {_describe(exc)}")
    error: str | None = None
    flow = benchmark.flow or []
    for index, prompt in enumerate(benchmark.step_prompts, start=1):
        task = StepTask(
            benchmark_id=benchmark.id,
            step=index,
            step_count=benchmark.step_count,
            prompt=substitute_placeholders(prompt, env.key_map),
            observation=env.observe(),
        )
        record = harness.begin_step(index, task.prompt)
        flow_timeout = flow[index - 1].timeout if flow else None
        timeout = float(flow_timeout) if flow_timeout else step_timeout
        try:
            await asyncio.wait_for(agent.run_step(task, harness), timeout=timeout)
        except TimeoutError:
            record.error = f"step {index} timed out after {timeout:g}s"
        except Exception as exc:
            record.error = _describe(exc)
        if record.error:
            error = f"step {index}: {record.error}" if benchmark.flow else record.error
            break
    after = env.observe()
    breakdown = score_episode(
        benchmark, harness.actions, harness.transactions, before, after, scoring
    )
    result.steps = harness.steps
    result.accounts_before = _named(before)
    result.accounts_after = _named(after)
    result.assertions = breakdown.assertions
    result.scores = Scores(
        instruction=breakdown.instruction, onchain=breakdown.onchain, outcome=breakdown.outcome
    )
    if error is not None:
        return _finish(result, t0, error=error)
    result.score = breakdown.score
    result.passed = breakdown.passed
    return _finish(result, t0)


def _finish(result: EpisodeResult, t0: float, error: str | None = None) -> EpisodeResult:
    if error is not None:
        result.status = "error"
        result.error = error
        result.score = 0.0
        result.passed = False
    result.duration_ms = (time.perf_counter() - t0) * 1000
    return result


def _named(observation: Observation) -> dict[str, AccountState]:
    """Accounts keyed by placeholder name where one exists, else by address."""
    names = {pk: name for name, pk in observation.key_map.items() if name != pk}
    return {names.get(pk, pk): state for pk, state in observation.accounts.items()}


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
