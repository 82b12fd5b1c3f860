"""`reev rescore`: a stored run scored again with the current scorer, no agent re-run.

An episode's record keeps everything its score came from: the instructions the agent
asked for, the transactions and their outcomes, and the observed accounts before and
after (every placeholder's account and every address an assertion looks at). Rescoring
feeds those to `score_episode` with the benchmark version the episode ran, and stamps
the result with the current `SCORER_VERSION`.

A run is rescored whole or not at all, so its numbers never mix two scorers: episodes
that could not run (errors) carry no score and stay as they are; an episode that cannot
be rescored from its record — a multi-step flow (per-step observations are not kept),
or one whose benchmark version is not in the store — stops the rescore before anything
is written, naming it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reev.benchmark.loader import parse_benchmark
from reev.benchmark.model import Benchmark
from reev.results.chain import AccountState, Observation
from reev.results.records import EpisodeResult, Scores
from reev.results.scoring import ScoringProfile
from reev.scoring.score import score_episode
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
    """A copy of a completed single-step result with its scores from the current scorer."""
    if result.status != "completed":
        raise RescoreError(f"{result.execution_id}: an error result has no score to redo")
    if benchmark.flow or len(result.steps) != 1:
        raise RescoreError(
            f"{result.execution_id} ({result.benchmark_id}): a flow's per-step observations "
            "are not stored; re-run it instead"
        )
    before = _observation(result.key_map, result.accounts_before.values())
    after = _observation(result.key_map, result.accounts_after.values())
    actions = [ix for step in result.steps for ix in step.instructions]
    transactions = [tx for step in result.steps for tx in step.transactions]
    profile: ScoringProfile = "reev" if result.scoring == "reev" else "outcome"
    breakdown = score_episode(benchmark, actions, transactions, before, after, profile)
    new = result.model_copy(deep=True)
    step = new.steps[0]
    new.score = step.score = breakdown.score
    new.passed = step.passed = breakdown.passed
    new.assertions = step.assertions = breakdown.assertions
    step.instruction_score = breakdown.instruction
    new.scores = Scores(
        instruction=breakdown.instruction, onchain=breakdown.onchain, outcome=breakdown.outcome
    )
    new.scorer_version = SCORER_VERSION
    return new


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
