"""Statistics over repeated runs: pass@k, pass^k, bootstrap intervals, agent comparison.

Pure functions over episode outcomes; the formulas are written out in docs/statistics.md.

* A *task* is a benchmark; an agent ran it `n` times (epochs), `c` of which passed.
* pass@k — the chance that at least one of k attempts passes, with the unbiased
  estimator of Chen et al. (2021): `1 − C(n−c, k) / C(n, k)`, averaged over tasks.
* pass^k — the chance that all k attempts pass (tau-bench): `C(c, k) / C(n, k)`,
  averaged over tasks.
* Both are averaged for every k over ONE set of tasks (those with at least K counted
  epochs); the tasks left out are named. Agents are ranked over the tasks all share.
* Intervals are percentile bootstrap intervals that resample *tasks* (with all their
  epochs), because epochs of one task are not independent draws.
* Two agents are compared on the tasks both ran: the paired per-task difference, its
  bootstrap interval, and a paired sign-flip permutation p-value. A difference whose
  interval contains 0 is reported as within noise.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

DEFAULT_RESAMPLES = 2000
DEFAULT_CONFIDENCE = 0.95
DEFAULT_SEED = 0


class EpisodeOutcome(Protocol):
    """What statistics need from an episode (`reev.store.EpisodeSummary` fits)."""

    @property
    def agent(self) -> str: ...
    @property
    def benchmark_id(self) -> str: ...
    @property
    def epoch(self) -> int: ...
    @property
    def score(self) -> float: ...
    @property
    def passed(self) -> bool: ...
    @property
    def status(self) -> str: ...
    @property
    def error_kind(self) -> str | None: ...
    @property
    def prompt_tokens(self) -> int: ...
    @property
    def completion_tokens(self) -> int: ...
    @property
    def unmetered_calls(self) -> int: ...
    @property
    def cost_usd(self) -> float | None: ...
    @property
    def duration_ms(self) -> float: ...


# --- estimators -----------------------------------------------------------------------


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k for one task: P(at least one of k draws without replacement passes)."""
    _check(n, c, k)
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def pass_hat_k(n: int, c: int, k: int) -> float:
    """pass^k for one task: P(all of k draws without replacement pass) = C(c,k)/C(n,k)."""
    _check(n, c, k)
    return math.comb(c, k) / math.comb(n, k)


def _check(n: int, c: int, k: int) -> None:
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"need 1 <= k <= n, got n={n}, k={k}")


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean; NaN for no values."""
    return sum(values) / len(values) if values else math.nan


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation percentile (q in [0, 1]) of already sorted values."""
    if not sorted_values:
        return math.nan
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


@dataclass(frozen=True)
class Interval:
    """A point estimate with its bootstrap confidence interval."""

    value: float
    low: float
    high: float
    confidence: float = DEFAULT_CONFIDENCE

    def contains(self, x: float) -> bool:
        return self.low <= x <= self.high


def bootstrap_interval(
    groups: Sequence[Sequence[float]],
    statistic: Callable[[Sequence[Sequence[float]]], float],
    *,
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = DEFAULT_SEED,
) -> Interval:
    """Percentile bootstrap over groups (tasks): resample groups with replacement.

    Deterministic for a given seed. With fewer than two groups the interval is the point.
    """
    point = statistic(groups)
    if len(groups) < 2 or resamples < 1:
        return Interval(point, point, point, confidence)
    rng = random.Random(seed)
    n = len(groups)
    stats = sorted(
        statistic([groups[rng.randrange(n)] for _ in range(n)]) for _ in range(resamples)
    )
    alpha = (1.0 - confidence) / 2.0
    return Interval(point, percentile(stats, alpha), percentile(stats, 1.0 - alpha), confidence)


def _task_mean(groups: Sequence[Sequence[float]]) -> float:
    """Mean over tasks of the per-task mean (each task weighs the same, whatever its n)."""
    return mean([mean(g) for g in groups if g])


# --- per agent, per benchmark ---------------------------------------------------------


@dataclass
class TaskStats:
    """One agent on one benchmark over its counted epochs (errors that say nothing about
    the agent — `NOT_COUNTED` kinds — are left out and counted in `excluded`)."""

    agent: str
    benchmark_id: str
    n: int
    c: int
    mean_score: float
    pass_rate: float
    scores: list[float] = field(default_factory=list)
    errors: int = 0
    excluded: int = 0

    @property
    def failed(self) -> int:
        """Counted episodes that ran to the end and did not pass (errors are not failures)."""
        return self.n - self.c - self.errors


@dataclass
class AgentStats:
    """One agent over every benchmark it ran.

    `mean_score`/`pass_rate` cover all `tasks` of the agent; `shared_score`/`shared_pass_rate`
    cover only the `shared_tasks` every agent of the leaderboard ran (what `rank` orders
    by); pass@k/pass^k cover exactly `k_tasks` (the tasks with at least `epochs` counted
    episodes) for every k, and `short_tasks` names the tasks left out for having fewer.
    """

    agent: str
    tasks: int
    episodes: int
    epochs: int
    mean_score: Interval
    pass_rate: Interval
    pass_at_k: dict[int, float]
    pass_hat_k: dict[int, float]
    errors: int
    infrastructure_errors: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    mean_duration_ms: float
    unmetered_calls: int = 0  # model calls the token counts leave out (no usage reported)
    passed: int = 0
    failed: int = 0
    excluded: int = 0
    k_tasks: list[str] = field(default_factory=list)
    short_tasks: list[str] = field(default_factory=list)
    shared_tasks: int = 0
    shared_score: Interval | None = None
    shared_pass_rate: Interval | None = None
    rank: int | None = None


@dataclass
class Comparison:
    """Agent `a` minus agent `b` on the tasks both ran."""

    a: str
    b: str
    metric: str
    tasks: int
    difference: Interval
    p_value: float
    within_noise: bool

    @property
    def verdict(self) -> str:
        if self.tasks == 0:
            return "no common tasks"
        if self.within_noise:
            return "within noise"
        better = self.a if self.difference.value > 0 else self.b
        return f"{better} is better"


INFRASTRUCTURE = "infrastructure"
BENCHMARK = "benchmark"
NOT_COUNTED = frozenset({INFRASTRUCTURE, BENCHMARK})
"""Error kinds that say nothing about the agent: a provider outage or crashed worker
(`infrastructure`), a benchmark file that cannot be loaded (`benchmark`)."""


def counted(episodes: Iterable[EpisodeOutcome]) -> list[EpisodeOutcome]:
    """Episodes that say something about the agent: `NOT_COUNTED` errors are left out."""
    return [e for e in episodes if e.error_kind not in NOT_COUNTED]


def is_error(e: EpisodeOutcome) -> bool:
    """An episode that did not run to its end (never shown as a failure)."""
    return e.status == "error"


def task_stats(episodes: Iterable[EpisodeOutcome]) -> list[TaskStats]:
    """Per (agent, benchmark) counts and means, sorted by agent then benchmark."""
    episodes = list(episodes)
    groups: dict[tuple[str, str], list[EpisodeOutcome]] = defaultdict(list)
    excluded: dict[tuple[str, str], int] = defaultdict(int)
    for e in episodes:
        if e.error_kind in NOT_COUNTED:
            excluded[(e.agent, e.benchmark_id)] += 1
        else:
            groups[(e.agent, e.benchmark_id)].append(e)
    out = []
    for (agent, bench), eps in sorted(groups.items()):
        scores = [float(e.score) for e in sorted(eps, key=lambda e: e.epoch)]
        c = sum(1 for e in eps if e.passed and not is_error(e))
        out.append(
            TaskStats(
                agent=agent,
                benchmark_id=bench,
                n=len(eps),
                c=c,
                mean_score=mean(scores),
                pass_rate=c / len(eps),
                scores=scores,
                errors=sum(1 for e in eps if is_error(e)),
                excluded=excluded.get((agent, bench), 0),
            )
        )
    return out


def k_epochs(tasks: Sequence[TaskStats]) -> int:
    """K, the epoch count pass@k/pass^k go up to: the most common counted-epoch count of
    the agent's tasks (the larger one on a tie), so one task run more often cannot shrink
    the covered set to itself, and a few short tasks cannot cap k for all the others."""
    if not tasks:
        return 0
    freq: dict[int, int] = defaultdict(int)
    for t in tasks:
        freq[t.n] += 1
    return max(freq, key=lambda n: (freq[n], n))


def pass_k_table(
    tasks: Sequence[TaskStats], k_max: int | None = None
) -> tuple[dict[int, float], dict[int, float], list[str], list[str]]:
    """pass@k and pass^k for k = 1..K over ONE set of tasks: those with n >= K.

    Returns (pass@k, pass^k, covered task ids, short task ids). Using the same tasks for
    every k keeps pass^k non-increasing and pass@k non-decreasing in k, as they must be.
    """
    big_k = k_epochs(tasks) if k_max is None else k_max
    covered = [t for t in tasks if t.n >= big_k] if big_k else []
    short = sorted(t.benchmark_id for t in tasks if t.n < big_k)
    at_k: dict[int, float] = {}
    hat_k: dict[int, float] = {}
    if covered:
        for k in range(1, big_k + 1):
            at_k[k] = mean([pass_at_k(t.n, t.c, k) for t in covered])
            hat_k[k] = mean([pass_hat_k(t.n, t.c, k) for t in covered])
    return at_k, hat_k, sorted(t.benchmark_id for t in covered), short


def shown_ks(k_max: int) -> list[int]:
    """The k a table shows: 1, 2 and K (bounded however many epochs were run)."""
    return sorted({k for k in (1, 2, k_max) if 1 <= k <= k_max})


def shared_task_ids(tasks: Iterable[TaskStats]) -> set[str]:
    """The benchmarks every agent ran (with at least one counted episode)."""
    per_agent: dict[str, set[str]] = defaultdict(set)
    for t in tasks:
        per_agent[t.agent].add(t.benchmark_id)
    sets = list(per_agent.values())
    return set.intersection(*sets) if sets else set()


def agent_stats(
    episodes: Iterable[EpisodeOutcome],
    *,
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = DEFAULT_SEED,
) -> list[AgentStats]:
    """Leaderboard rows, ranked by mean score over the tasks all agents share.

    pass@k and pass^k are given for k = 1..K over the tasks with at least K counted
    epochs (`pass_k_table`). Agents with no task in the shared set get `rank` None and
    come after the ranked ones.
    """
    episodes = list(episodes)
    infra: dict[str, int] = defaultdict(int)
    excluded: dict[str, int] = defaultdict(int)
    for e in episodes:
        if e.error_kind == INFRASTRUCTURE:
            infra[e.agent] += 1
        if e.error_kind in NOT_COUNTED:
            excluded[e.agent] += 1
    by_agent: dict[str, list[EpisodeOutcome]] = defaultdict(list)
    for e in counted(episodes):
        by_agent[e.agent].append(e)
    all_tasks = task_stats(episodes)
    tasks_by_agent: dict[str, list[TaskStats]] = defaultdict(list)
    for t in all_tasks:
        tasks_by_agent[t.agent].append(t)
    shared = shared_task_ids(all_tasks)

    def interval(groups: Sequence[Sequence[float]]) -> Interval:
        return bootstrap_interval(
            groups, _task_mean, resamples=resamples, confidence=confidence, seed=seed
        )

    rows = []
    for agent in sorted(set(by_agent) | set(excluded)):
        eps = by_agent.get(agent, [])
        tasks = tasks_by_agent.get(agent, [])
        at_k, hat_k, k_tasks, short = pass_k_table(tasks)
        shared_tasks = [t for t in tasks if t.benchmark_id in shared]
        costs = [e.cost_usd for e in eps if e.cost_usd is not None]
        rows.append(
            AgentStats(
                agent=agent,
                tasks=len(tasks),
                episodes=len(eps),
                epochs=k_epochs(tasks),
                mean_score=interval(_score_groups(tasks)),
                pass_rate=interval(_pass_groups(tasks)),
                pass_at_k=at_k,
                pass_hat_k=hat_k,
                errors=sum(1 for e in eps if is_error(e)),
                infrastructure_errors=infra.get(agent, 0),
                prompt_tokens=sum(e.prompt_tokens for e in eps),
                completion_tokens=sum(e.completion_tokens for e in eps),
                unmetered_calls=sum(e.unmetered_calls for e in eps),
                cost_usd=sum(costs) if costs else None,
                mean_duration_ms=mean([e.duration_ms for e in eps]),
                passed=sum(t.c for t in tasks),
                failed=sum(t.failed for t in tasks),
                excluded=excluded.get(agent, 0),
                k_tasks=k_tasks,
                short_tasks=short,
                shared_tasks=len(shared_tasks),
                shared_score=interval(_score_groups(shared_tasks)) if shared_tasks else None,
                shared_pass_rate=interval(_pass_groups(shared_tasks)) if shared_tasks else None,
            )
        )
    rows.sort(
        key=lambda r: (
            r.shared_score is None,
            -_or_minus(r.shared_score.value if r.shared_score else math.nan),
            -_or_minus(r.mean_score.value),
            r.agent,
        )
    )
    rank = 0
    for r in rows:
        if r.shared_score is not None:
            rank += 1
            r.rank = rank
    return rows


def _score_groups(tasks: Sequence[TaskStats]) -> list[list[float]]:
    return [t.scores for t in tasks]


def _pass_groups(tasks: Sequence[TaskStats]) -> list[list[float]]:
    return [[1.0] * t.c + [0.0] * (t.n - t.c) for t in tasks]


def _or_minus(x: float) -> float:
    return -1.0 if math.isnan(x) else x


def compare_agents(
    episodes: Iterable[EpisodeOutcome],
    a: str,
    b: str,
    *,
    metric: str = "score",
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = DEFAULT_SEED,
) -> Comparison:
    """Is `a` better than `b` by more than the noise? Paired over their common tasks.

    `metric` is "score" (mean score) or "pass" (pass rate). Per task, d = mean_a − mean_b
    over that task's epochs. The difference is mean(d) with a bootstrap interval over
    tasks; the p-value is a two-sided paired sign-flip permutation test on the d's
    (exact for up to 16 tasks, else `resamples` random flips). The difference is within
    noise unless the interval excludes 0 *and* p <= 1 − confidence.
    """
    if metric not in ("score", "pass"):
        raise ValueError("metric must be 'score' or 'pass'")
    per_task: dict[tuple[str, str], float] = {}
    for t in task_stats(episodes):
        per_task[(t.agent, t.benchmark_id)] = t.mean_score if metric == "score" else t.pass_rate
    common = sorted(
        {bench for (ag, bench) in per_task if ag == a}
        & {bench for (ag, bench) in per_task if ag == b}
    )
    diffs = [per_task[(a, bench)] - per_task[(b, bench)] for bench in common]
    if not diffs:
        nan = Interval(math.nan, math.nan, math.nan, confidence)
        return Comparison(a, b, metric, 0, nan, math.nan, True)
    interval = bootstrap_interval(
        [[d] for d in diffs], _task_mean, resamples=resamples, confidence=confidence, seed=seed
    )
    p = sign_flip_p_value(diffs, resamples=resamples, seed=seed)
    within = interval.contains(0.0) or p > 1.0 - confidence
    return Comparison(a, b, metric, len(diffs), interval, p, within)


def sign_flip_p_value(
    diffs: Sequence[float], *, resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED
) -> float:
    """Two-sided paired permutation test of mean(diffs) = 0 by flipping signs."""
    n = len(diffs)
    if n == 0:
        return math.nan
    observed = abs(sum(diffs)) - 1e-12
    if n <= 16:
        hits = 0
        for mask in range(1 << n):
            total = sum(-d if mask >> i & 1 else d for i, d in enumerate(diffs))
            hits += abs(total) >= observed
        return hits / (1 << n)
    rng = random.Random(seed)
    hits = 0
    for _ in range(resamples):
        total = sum(d if rng.random() < 0.5 else -d for d in diffs)
        hits += abs(total) >= observed
    return (hits + 1) / (resamples + 1)


def pairwise_comparisons(
    episodes: Iterable[EpisodeOutcome],
    agents: Sequence[str],
    *,
    metric: str = "score",
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = DEFAULT_SEED,
) -> list[Comparison]:
    """Every pair of `agents`, in the given (leaderboard) order."""
    episodes = list(episodes)
    return [
        compare_agents(
            episodes, a, b, metric=metric, resamples=resamples, confidence=confidence, seed=seed
        )
        for i, a in enumerate(agents)
        for b in agents[i + 1 :]
    ]


def summarize_k(values: Mapping[int, float]) -> str:
    """`1: 0.50, 2: 0.75, 5: 0.20` — compact text for tables, k bounded by `shown_ks`."""
    ks = shown_ks(max(values, default=0))
    return ", ".join(f"{k}: {values[k]:.2f}" for k in ks if k in values)
