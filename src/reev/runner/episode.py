"""One episode: reset the chain, let the agent act on each step, observe, score.

Every failure becomes part of the result: a crashing agent, a timeout or a failing
transaction is recorded with its reason and never raised to the caller.

Flows (`flow:` benchmarks) run their steps in order on the same chain with the same agent
instance, so an agent that keeps its conversation sees each step's prompt as the next user
message. Each step is scored on its own right after it ran (its `ground_truth`, when it
has one); a failed `critical` step ends the flow, a step whose `depends_on` step did not
pass is not run, `timeout` bounds each step. The flow score is `reev.scoring.flow`'s.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
import uuid
from collections.abc import Sequence

from reev.agents.base import Agent, StepTask
from reev.benchmark.keys import substitute_placeholders
from reev.benchmark.model import Benchmark, FlowStep, StateAssertion
from reev.benchmark.resolve import KeyRing, resolve_keys
from reev.chain.env import FEE_PAYER, ChainSetupError, SolanaEnv
from reev.chain.jsonrpc import UpstreamError
from reev.results.chain import AccountState, Observation
from reev.results.errors import INFRASTRUCTURE
from reev.results.records import EpisodeResult, StepRecord, utc_now
from reev.results.scoring import AssertionResult, ScoringProfile
from reev.runner.context import EpisodeContext
from reev.runner.failure_kind import annotate
from reev.runner.harness import EpisodeHarness
from reev.runner.reference_state import (
    ReferenceUnavailable,
    own_run_is_replay,
    reference_state,
    run_state,
)
from reev.scoring.assertions import UnresolvedAddress, assertion_address
from reev.scoring.flow import dependency_step
from reev.scoring.profiles import profile as profile_of
from reev.scoring.side_effects import (
    RunState,
    SideEffectVerdict,
    compare_with_reference,
    governed_fields,
)
from reev.scoring.verdict import SideEffects, episode_verdict, score_flow_step
from reev.scoring.version import SCORER_VERSION
from reev.tracing.spans import SpanHandle, episode_span, step_span


class FlowDefinitionError(ValueError):
    """A flow's `depends_on` names no earlier step."""


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
    context: EpisodeContext | None = None,
) -> EpisodeResult:
    """Run one benchmark with one agent and return its scored result.

    `context` (built by the executor from the run's `--backend/--fork-url/--cassette/
    --jupiter-url` and its VM pool) chooses the chain backend and the Jupiter client;
    None is a fresh embedded LiteSVM and the live Jupiter API. Its epoch, when given,
    is the episode's (the agent sees it in each `StepTask`).
    """
    context = context or EpisodeContext(epoch=epoch)
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
        started_at=utc_now(),
    )
    with episode_span(
        benchmark_id=benchmark.id,
        agent=agent.name,
        model=agent.model,
        seed=seed,
        epoch=epoch,
        execution_id=result.execution_id,
        step_count=benchmark.step_count,
    ) as span:
        t_start = time.perf_counter()
        try:
            await _run(benchmark, agent, result, seed, scoring, random_keys, step_timeout, context)
            if result.status == "completed":
                result.scorer_version = SCORER_VERSION
        except UpstreamError as exc:  # e.g. the RPC node went away mid-episode
            _finish(result, t_start, error=f"upstream failed: {exc}")
            result.error_kind = INFRASTRUCTURE
        span.set_many(
            {
                "reev.status": result.status,
                "reev.score": result.score,
                "reev.passed": result.passed,
                "reev.scoring": scoring,
            }
        )
        if result.error:
            span.error(result.error)
    return annotate(result)


async def _run(
    benchmark: Benchmark,
    agent: Agent,
    result: EpisodeResult,
    seed: int,
    scoring: ScoringProfile,
    random_keys: bool,
    step_timeout: float | None,
    context: EpisodeContext,
) -> None:
    t0 = time.perf_counter()
    try:
        dependencies = flow_dependencies(benchmark)
    except FlowDefinitionError as exc:
        _finish(result, t0, error=str(exc))
        return
    keys = resolve_keys(benchmark, seed, random_keys)
    watched = _watched_addresses(benchmark, keys.key_map)
    reference: RunState | None = None
    try:
        scorer = profile_of(scoring)
    except ValueError as exc:
        _finish(result, t0, error=str(exc))
        return
    own_gold = scorer.side_effects and own_run_is_replay(agent, benchmark, context)
    if scorer.side_effects and not own_gold:  # the gold state, before the agent acts
        reference = await _gold_state(benchmark, keys, watched, context, result, t0)
        if reference is None:
            return
    env = SolanaEnv(context.backend_factory)
    try:
        env.reset(benchmark, keys=keys)
    except (ChainSetupError, UpstreamError) as exc:
        _finish(result, t0, error=f"cannot build initial state: {exc}")
        if isinstance(exc, UpstreamError):
            result.error_kind = INFRASTRUCTURE
        return
    env.watch(watched)
    before = env.observe()
    result.key_map = dict(env.key_map)
    result.prompt = substitute_placeholders(benchmark.prompt, env.key_map)
    harness = EpisodeHarness(env, context.jupiter)
    try:
        agent.start_episode(benchmark)
    except Exception as exc:
        _finish(result, t0, error=f"agent {agent.name} failed to start: {_describe(exc)}")
        return
    flow = benchmark.flow or []
    critical_failure: int | None = None
    agent_failure: str | None = None
    for index, prompt in enumerate(benchmark.step_prompts, start=1):
        spec = flow[index - 1] if flow else None
        resolved = substitute_placeholders(prompt, env.key_map)
        if agent_failure is not None:
            reason: str | None = f"not run: {agent_failure}"
        else:
            reason = skip_reason(critical_failure, dependencies.get(index, []), harness.steps)
        if reason is not None:
            harness.steps.append(_skipped_step(index, resolved, spec, reason))
            continue
        record, crashed = await _run_step(
            benchmark,
            agent,
            harness,
            env,
            index,
            resolved,
            spec,
            scoring,
            step_timeout,
            context.epoch,
        )
        if crashed:
            agent_failure = f"the agent failed in step {index}"
        if spec is not None and spec.critical and not record.passed:
            critical_failure = index
    after = env.observe()
    result.steps = harness.steps
    if harness.upstream_failure is not None:
        _finish(result, t0, error=f"upstream unavailable: {harness.upstream_failure}")
        result.error_kind = INFRASTRUCTURE
        return
    if own_gold:  # the reference agent's own run is the replay, when it ran as one
        clean = all(not step.skipped and step.error is None for step in harness.steps)
        if clean:
            reference = run_state(env, harness)
        else:
            reference = await _gold_state(benchmark, keys, watched, context, result, t0)
            if reference is None:
                return
    side_effects: SideEffects | None = None
    if reference is not None:  # the profile applies the side-effect rule
        side_effects = functools.partial(_side_effects, benchmark, env, harness, before, reference)
    verdict = episode_verdict(benchmark, harness.steps, before, after, scoring, side_effects)
    result.accounts_before = _named(before)
    result.accounts_after = _named(after)
    result.assertions = verdict.assertions
    result.scores = verdict.scores
    result.flow = verdict.flow
    crash = next((s for s in harness.steps if s.error and not s.skipped), None)
    if not benchmark.flow and crash is not None:
        _finish(result, t0, error=crash.error)
        return
    if agent_failure is not None and crash is not None:
        _finish(result, t0, error=f"step {crash.step}: {crash.error}")
        return
    result.score, result.passed = verdict.score, verdict.passed
    _finish(result, t0)


async def _gold_state(
    benchmark: Benchmark,
    keys: KeyRing,
    watched: list[str],
    context: EpisodeContext,
    result: EpisodeResult,
    t0: float,
) -> RunState | None:
    """The reference replay's final state, or None with `result` finished as an error."""
    try:
        return await reference_state(benchmark, keys, watched, context)
    except ReferenceUnavailable as exc:
        _finish(result, t0, error=f"cannot establish the reference final state: {exc}")
        result.error_kind = exc.kind
        return None


async def _run_step(
    benchmark: Benchmark,
    agent: Agent,
    harness: EpisodeHarness,
    env: SolanaEnv,
    index: int,
    prompt: str,
    spec: FlowStep | None,
    scoring: ScoringProfile,
    step_timeout: float | None,
    epoch: int = 0,
) -> tuple[StepRecord, bool]:
    """Run one step, then score it against its own ground truth (flows).

    Returns the record and whether the agent raised (a timeout is a scored step failure;
    an agent that raised — bad configuration, provider down — makes the episode an error).
    """
    critical = spec.critical if spec else False
    if spec is not None and spec.warp_epochs:
        env.warp_epochs(spec.warp_epochs)  # time passes between steps (e.g. a stake cooldown)
    step_before = env.observe()
    task = StepTask(
        benchmark_id=benchmark.id,
        step=index,
        step_count=benchmark.step_count,
        prompt=prompt,
        observation=step_before,
        epoch=epoch,
    )
    record = harness.begin_step(index, prompt)
    record.description = spec.description if spec else ""
    record.critical = critical
    timeout = float(spec.timeout) if spec and spec.timeout else step_timeout
    t0 = time.perf_counter()
    crashed = False
    with step_span(step=index, prompt=prompt, critical=critical) as span:
        try:
            await asyncio.wait_for(agent.run_step(task, harness), timeout=timeout)
        except TimeoutError:
            record.error = f"step {index} timed out after {timeout:g}s"
        except Exception as exc:
            record.error = _describe(exc)
            crashed = True
        record.duration_ms = (time.perf_counter() - t0) * 1000
        harness.finish_step()
        if benchmark.flow:
            step_after = env.observe()
            score_flow_step(record, spec, step_before, step_after, scoring)
            if spec is not None and spec.ground_truth is not None:  # what `reev rescore` reads
                record.accounts_before = _named(step_before)
                record.accounts_after = _named(step_after)
        _trace_step(span, record)
    return record, crashed


def _trace_step(span: SpanHandle, record: StepRecord) -> None:
    span.set_many(
        {
            "reev.step.score": record.score,
            "reev.step.passed": record.passed,
            "reev.step.transactions": len(record.transactions),
            "reev.step.tool_calls": len(record.tool_calls),
        }
    )
    if record.error:
        span.error(record.error)


def flow_dependencies(benchmark: Benchmark) -> dict[int, list[int]]:
    """Step number → the earlier steps it depends on; a bad reference is an error."""
    deps: dict[int, list[int]] = {}
    for spec in benchmark.flow or []:
        for ref in spec.depends_on:
            target = dependency_step(ref)
            if target is None or not 1 <= target < spec.step:
                raise FlowDefinitionError(
                    f"flow step {spec.step}: depends_on {ref!r} names no earlier step "
                    "(write step_N_result, step_N or N with N < this step's number)"
                )
            deps.setdefault(spec.step, []).append(target)
    return deps


def skip_reason(
    critical_failure: int | None, deps: list[int], earlier_steps: Sequence[StepRecord]
) -> str | None:
    """Why a flow step is not run (a critical step failed, a step it depends on did not
    pass), or None when it runs. `earlier_steps`: the records of the steps before it."""
    if critical_failure is not None:
        return f"not run: critical step {critical_failure} failed"
    for dep in deps:
        earlier = earlier_steps[dep - 1]
        if earlier.skipped:
            return f"not run: depends on step {dep}, which did not run"
        if not earlier.passed:
            return f"not run: depends on step {dep}, which failed"
    return None


def _skipped_step(index: int, prompt: str, spec: FlowStep | None, reason: str) -> StepRecord:
    return StepRecord(
        step=index,
        prompt=prompt,
        description=spec.description if spec else "",
        critical=spec.critical if spec else False,
        skipped=True,
        score=0.0,
        passed=False,
        error=reason,
    )


def _watched_addresses(benchmark: Benchmark, key_map: dict[str, str]) -> list[str]:
    """Accounts the final and per-step assertions look at, so observations include them."""
    assertions: list[StateAssertion] = list(benchmark.ground_truth.final_state_assertions)
    for spec in benchmark.flow or []:
        if spec.ground_truth is not None:
            assertions.extend(spec.ground_truth.final_state_assertions)
    watched = []
    for a in assertions:
        with contextlib.suppress(UnresolvedAddress):  # reported by the assertion's result
            watched.append(assertion_address(a, key_map))
    return watched


def _side_effects(
    benchmark: Benchmark,
    env: SolanaEnv,
    harness: EpisodeHarness,
    before: Observation,
    reference: RunState,
    results: list[AssertionResult],
) -> SideEffectVerdict:
    """Compare the agent's final state with the reference's (reev.scoring.side_effects).

    `results`: the explicit assertions' verdicts (a field whose check already failed is
    not reported again)."""
    key_map = env.key_map
    addresses = dict.fromkeys(
        [*before.accounts, *env.touched_before, *reference.final, *reference.touched_before]
    )
    agent = RunState(
        final={a: env.account_state(a) for a in addresses},
        touched_before=dict(env.touched_before),
        fees=sum(tx.fee for tx in harness.transactions if tx.status != "rejected"),
    )
    assertions: list[StateAssertion] = list(benchmark.ground_truth.final_state_assertions)
    for spec in benchmark.flow or []:
        if spec.ground_truth is not None:
            assertions.extend(spec.ground_truth.final_state_assertions)
    address_of: dict[int, str] = {}
    for a in assertions:
        with contextlib.suppress(UnresolvedAddress):
            address_of[id(a)] = assertion_address(a, key_map)
    names = {pk: name for name, pk in key_map.items() if name != pk}
    return compare_with_reference(
        agent=agent,
        reference=reference,
        initial=before.accounts,
        declared=[*key_map.values(), *before.accounts],
        names=names,
        fee_payer=key_map[FEE_PAYER],
        governed=governed_fields(assertions, address_of),
        policy=benchmark.side_effects,
        failed={
            (r.address, "lamports")
            for r in results
            if not r.passed and r.address and r.type in ("SolBalance", "SolBalanceChange")
        },
    )


def _finish(result: EpisodeResult, t0: float, error: str | None = None) -> None:
    if error is not None:
        result.status = "error"
        result.error = error
        result.score = 0.0
        result.passed = False
    result.duration_ms = (time.perf_counter() - t0) * 1000


def _named(observation: Observation) -> dict[str, AccountState]:
    """Accounts keyed by placeholder name where one exists, else by address."""
    names = {pk: name for name, pk in observation.key_map.items() if name != pk}
    return {names.get(pk, pk): state for pk, state in observation.accounts.items()}


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
