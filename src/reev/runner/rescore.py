"""`reev rescore`: a stored run scored again with the current scorer, no agent re-run.

An episode's record keeps everything its score came from: the instructions the agent
asked for, the transactions and their outcomes, its answers, and the observed accounts
before and after — of the whole episode, and of each flow step that has a ground truth
of its own. Rescoring feeds those to the scorer (`reev.scoring.verdict`, the code that
scored the episode when it ran) with the benchmark version the episode ran, and stamps
the result with the current `SCORER_VERSION`. A flow is rescored step by step (each
step's ground truth, then the flow score).

What cannot be judged again from a record is kept as recorded, and said so here: the
side-effect rule's findings (they compare with the reference solution's final state,
which is not stored).

A run is rescored whole or not at all, so its numbers never mix two scorers: episodes
that could not run (errors) carry no score and stay as they are; an episode that cannot
be rescored from its record stops the rescore before anything is written, naming it —
one whose benchmark version is not in the store, a flow step recorded before per-step
observations were kept, or a flow where the new verdict of a step would change which
later steps run (a critical step, or one another depends on).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reev.benchmark.loader import parse_benchmark
from reev.benchmark.model import Benchmark
from reev.results.chain import AccountState, Observation
from reev.results.records import EpisodeResult, StepRecord
from reev.results.scoring import AssertionResult
from reev.runner.episode import FlowDefinitionError, flow_dependencies, skip_reason
from reev.runner.failure_kind import annotate
from reev.scoring.side_effects import SIDE_EFFECT_TYPES, SideEffectVerdict
from reev.scoring.verdict import critical_failure, episode_verdict, score_flow_step
from reev.scoring.version import SCORER_VERSION

if TYPE_CHECKING:
    from reev.store import Store


class RescoreError(Exception):
    """A run (or an episode of it) that cannot be rescored from what is stored."""


@dataclass
class RescoreOutcome:
    """What `rescore_run` did."""

    run_id: str
    scorer_version: str
    rescored: int = 0
    errors_kept: int = 0
    score_changed: list[str] = field(default_factory=list)
    verdict_changed: list[str] = field(default_factory=list)
    previous_versions: dict[str, int] = field(default_factory=dict)


def _observation(key_map: dict[str, str], states: Iterable[AccountState]) -> Observation:
    return Observation(key_map=dict(key_map), accounts={s.pubkey: s for s in states})


def rescore_result(result: EpisodeResult, benchmark: Benchmark) -> EpisodeResult:
    """A copy of a completed result with its scores from the current scorer."""
    where = f"{result.execution_id} ({result.benchmark_id})"
    if result.status != "completed":
        raise RescoreError(f"{result.execution_id}: an error result has no score to redo")
    if len(result.steps) != benchmark.step_count:
        raise RescoreError(
            f"{where}: {len(result.steps)} steps recorded, the benchmark has {benchmark.step_count}"
        )
    new = result.model_copy(deep=True)
    if benchmark.flow:
        _rescore_steps(new, benchmark, where)
    kept = [a for a in result.assertions if a.type in SIDE_EFFECT_TYPES]
    before = _observation(new.key_map, new.accounts_before.values())
    after = _observation(new.key_map, new.accounts_after.values())
    verdict = episode_verdict(
        benchmark, new.steps, before, after, new.scoring, _recorded(kept) if kept else None
    )
    new.assertions = verdict.assertions
    new.scores = verdict.scores
    new.flow = verdict.flow
    new.score, new.passed = verdict.score, verdict.passed
    new.scorer_version = SCORER_VERSION
    return annotate(new)


def _recorded(kept: list[AssertionResult]) -> Callable[[list[AssertionResult]], SideEffectVerdict]:
    """The side-effect rule's findings as recorded (they need the reference's state)."""

    def verdict(_explicit: list[AssertionResult]) -> SideEffectVerdict:
        return SideEffectVerdict(results=[a.model_copy() for a in kept])

    return verdict


def _rescore_steps(new: EpisodeResult, benchmark: Benchmark, where: str) -> None:
    """Score every flow step that ran again, from its recorded observations; RescoreError
    when one cannot be, or when a new verdict would change which steps run."""
    flow = benchmark.flow or []
    try:
        dependencies = flow_dependencies(benchmark)
    except FlowDefinitionError as exc:
        raise RescoreError(f"{where}: {exc}") from exc
    for step, spec in zip(new.steps, flow, strict=True):
        if step.skipped:
            continue
        if spec.ground_truth is not None and not step.accounts_after:
            raise RescoreError(
                f"{where}: step {step.step} was recorded before per-step observations were "
                "kept; re-run it instead"
            )
        before = _observation(new.key_map, step.accounts_before.values())
        after = _observation(new.key_map, step.accounts_after.values())
        score_flow_step(step, spec, before, after, new.scoring)
    earlier: list[StepRecord] = []
    for step in new.steps:
        critical = critical_failure(earlier)
        would_skip = skip_reason(critical, dependencies.get(step.step, []), earlier)
        if (would_skip is not None) != step.skipped:  # (a completed flow: no agent failure)
            raise RescoreError(
                f"{where}: with the current scorer step {step.step} would "
                f"{'not run' if would_skip else 'run'}; re-run the episode instead"
            )
        earlier.append(step)


def rescore_run(store: Store, run_id: str) -> RescoreOutcome:
    """Rescore every scored episode of `run_id` and store them in one transaction."""
    if store.get_run(run_id) is None:
        raise RescoreError(f"no run {run_id!r} in {store.display_url}")
    outcome = RescoreOutcome(run_id, SCORER_VERSION)
    summaries = store.list_episodes(run_id=run_id)
    benchmarks: dict[tuple[int, int], Benchmark] = {}
    problems: list[str] = []
    rescored: list[EpisodeResult] = []
    for summary in summaries:
        if summary.status != "completed":
            outcome.errors_kept += 1
            continue
        result = store.get_episode(summary.execution_id)
        version_id = summary.benchmark_version_id
        version = store.get_benchmark_version(version_id) if version_id is not None else None
        if result is None or version is None or version.content is None:
            problems.append(f"{summary.execution_id}: its benchmark version is not stored")
            continue
        key = (version.id, result.seed)
        try:
            if key not in benchmarks:
                parsed = parse_benchmark(version.content, f"{version.benchmark_id}@v{version.id}")
                benchmarks[key] = parsed.instantiate(result.seed)
            new = rescore_result(result, benchmarks[key])
        except (RescoreError, ValueError) as exc:
            problems.append(str(exc))
            continue
        old = result.scorer_version or "none"
        outcome.previous_versions[old] = outcome.previous_versions.get(old, 0) + 1
        if new.score != result.score:
            outcome.score_changed.append(result.execution_id)
        if new.passed != result.passed:
            outcome.verdict_changed.append(result.execution_id)
        rescored.append(new)
    if problems:
        shown = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        raise RescoreError(f"run {run_id} cannot be rescored (nothing was changed): {shown}")
    store.replace_scores(run_id, rescored)
    outcome.rescored = len(rescored)
    return outcome
