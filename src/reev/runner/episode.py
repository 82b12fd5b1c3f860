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
import time
import uuid

from reev.agents.base import Agent, StepTask
from reev.benchmark.keys import substitute_placeholders
from reev.benchmark.model import Benchmark, FlowStep, StateAssertion
from reev.benchmark.resolve import resolve_keys
from reev.chain.env import FEE_PAYER, ChainSetupError, SolanaEnv
from reev.chain.jsonrpc import UpstreamError
from reev.results.chain import AccountState, Observation
from reev.results.errors import INFRASTRUCTURE
from reev.results.records import EpisodeResult, Scores, StepRecord, utc_now
from reev.results.scoring import AssertionResult, ScoringProfile
from reev.runner.context import EpisodeContext
from reev.runner.failure_kind import annotate
from reev.runner.harness import EpisodeHarness
from reev.runner.reference_state import ReferenceUnavailable, reference_state
from reev.scoring.assertions import UnresolvedAddress, assertion_address
from reev.scoring.flow import dependency_step, flow_score, step_score_without_ground_truth
from reev.scoring.profiles import profile as profile_of
from reev.scoring.score import apply_side_effects, score_episode, score_ground_truth
from reev.scoring.side_effects import (
    SIDE_EFFECT_TYPES,
    RunState,
    SideEffectVerdict,
    compare_with_reference,
    governed_fields,
)
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
    if scorer.side_effects:  # the side-effect rule's gold state, before the agent acts
        try:
            reference = await reference_state(benchmark, keys, watched, context)
        except ReferenceUnavailable as exc:
            _finish(result, t0, error=f"cannot establish the reference final state: {exc}")
            result.error_kind = exc.kind
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
            reason = _skip_reason(index, critical_failure, dependencies.get(index, []), harness)
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
    breakdown = score_episode(
        benchmark,
        harness.actions,
        harness.transactions,
        before,
        after,
        scoring,
        answer=_final_answer(harness.steps),
    )
    step_results = [a for s in harness.steps for a in s.assertions]
    verdict = (
        _side_effects(
            benchmark, env, harness, before, reference, [*breakdown.assertions, *step_results]
        )
        if reference is not None
        else None
    )
    if verdict is not None:
        breakdown.assertions.extend(verdict.results)
    result.accounts_before = _named(before)
    result.accounts_after = _named(after)
    result.assertions = breakdown.assertions
    result.scores = Scores(
        instruction=breakdown.instruction, onchain=breakdown.onchain, outcome=breakdown.outcome
    )
    if not benchmark.flow:
        step = harness.steps[0]
        if step.error:
            _finish(result, t0, error=step.error)
            return
        score, passed = breakdown.score, breakdown.passed
        if verdict is not None:
            score, passed = apply_side_effects(score, passed, verdict)
        result.score = step.score = score
        result.passed = step.passed = passed
        step.assertions = breakdown.assertions
        step.instruction_score = breakdown.instruction
        _finish(result, t0)
        return
    steps = harness.steps
    fs = flow_score(
        [s.score or 0.0 for s in steps],
        [bool(s.passed) for s in steps],
        final=breakdown.outcome,
        final_all_hold=all(
            a.passed for a in breakdown.assertions if a.type not in SIDE_EFFECT_TYPES
        ),
        min_score=benchmark.ground_truth.min_score,
        critical_failure=critical_failure,
    )
    result.flow = fs
    if agent_failure is not None:
        crash = next(s for s in steps if s.error and not s.skipped)
        _finish(result, t0, error=f"step {crash.step}: {crash.error}")
        return
    if not scorer.flow_score:
        # the profile's own number for the whole flow (reev's: concatenated actions, last
        # transaction), with our one addition: a failed critical step fails the flow.
        result.score = breakdown.score
        result.passed = breakdown.passed and critical_failure is None
    else:
        result.score, result.passed = fs.score, fs.passed
        if verdict is not None:
            result.score, result.passed = apply_side_effects(fs.score, fs.passed, verdict)
    _finish(result, t0)


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
            _score_step(record, spec, step_before, env.observe(), scoring)
        _trace_step(span, record)
    return record, crashed


def _score_step(
    record: StepRecord,
    spec: FlowStep | None,
    before: Observation,
    after: Observation,
    scoring: ScoringProfile,
) -> None:
    """A flow step's score: its ground truth's, or "acted and its last transaction landed"."""
    gt = spec.ground_truth if spec else None
    if gt is not None:
        bd = score_ground_truth(
            gt,
            record.instructions,
            record.transactions,
            before,
            after,
            scoring,
            answer=record.answer,
        )
        record.assertions = bd.assertions
        record.instruction_score = bd.instruction
        score, passed = bd.score, bd.passed
    else:
        acted = bool(record.transactions) or any(c.status == "ok" for c in record.tool_calls)
        last = record.transaction
        score = step_score_without_ground_truth(
            acted=acted, last_transaction_succeeded=last.succeeded if last else None
        )
        passed = score >= 1.0
    if record.error:
        score, passed = 0.0, False
    record.score = score
    record.passed = passed


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


def _skip_reason(
    index: int, critical_failure: int | None, deps: list[int], harness: EpisodeHarness
) -> str | None:
    if critical_failure is not None:
        return f"not run: critical step {critical_failure} failed"
    for dep in deps:
        earlier = harness.steps[dep - 1]
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


def _final_answer(steps: list[StepRecord]) -> str | None:
    """The episode's answer: the last step that ran gave it."""
    ran = [s for s in steps if not s.skipped]
    return ran[-1].answer if ran else None


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
