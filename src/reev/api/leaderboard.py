"""Leaderboard statistics over stored episodes: per agent, mean score and pass rate with
bootstrap 95% confidence intervals, pass@k and pass^k, tokens, cost and duration.

Formulas (a task is a benchmark; n episodes of it, c passed):
- pass@k = 1 - C(n-c, k) / C(n, k) (the unbiased estimator), averaged over tasks;
- pass^k = C(c, k) / C(n, k) (all k tries pass), averaged over tasks;
  k runs from 1 to the smallest n among the agent's tasks;
- the confidence interval resamples tasks with replacement (1,000 resamples, fixed seed,
  so the same data always gives the same interval) and takes the 2.5/97.5 percentiles of
  the mean of per-task mean scores (or pass rates).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from math import comb
from statistics import fmean
from typing import Any

from reev.store.views import EpisodeSummary

RESAMPLES = 1000


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of k draws without replacement passes."""
    if k > n:
        raise ValueError("k must not exceed n")
    if n - c < k:
        return 1.0
    return 1.0 - comb(n - c, k) / comb(n, k)


def pass_hat_k(n: int, c: int, k: int) -> float:
    """Probability that all k draws without replacement pass."""
    if k > n:
        raise ValueError("k must not exceed n")
    return comb(c, k) / comb(n, k)


def bootstrap_ci(values: Sequence[float], seed: int = 0) -> tuple[float, float]:
    """95% percentile-bootstrap interval of the mean of `values`."""
    if not values:
        return (0.0, 0.0)
    if len(values) == 1:
        return (values[0], values[0])
    rng = random.Random(seed)
    means = sorted(fmean(rng.choices(values, k=len(values))) for _ in range(RESAMPLES))
    return (means[int(0.025 * (RESAMPLES - 1))], means[int(0.975 * (RESAMPLES - 1))])


def leaderboard(episodes: Sequence[EpisodeSummary]) -> list[dict[str, Any]]:
    """One row per agent (model-qualified), best mean score first."""
    groups: dict[tuple[str, str | None], list[EpisodeSummary]] = defaultdict(list)
    for e in episodes:
        groups[(e.agent, e.model)].append(e)
    rows: list[dict[str, Any]] = []
    for (agent, model), items in groups.items():
        tasks: dict[str, list[EpisodeSummary]] = defaultdict(list)
        for e in items:
            tasks[e.benchmark_id].append(e)
        task_scores = [fmean(e.score for e in t) for t in tasks.values()]
        task_pass = [fmean(1.0 if e.passed else 0.0 for e in t) for t in tasks.values()]
        kmax = min(len(t) for t in tasks.values())
        counts = [(len(t), sum(1 for e in t if e.passed)) for t in tasks.values()]
        costs = [e.cost_usd for e in items if e.cost_usd is not None]
        rows.append(
            {
                "agent": agent,
                "model": model,
                "episodes": len(items),
                "tasks": len(tasks),
                "errors": sum(1 for e in items if e.status == "error"),
                "mean_score": fmean(task_scores),
                "mean_score_ci95": list(bootstrap_ci(task_scores)),
                "pass_rate": fmean(task_pass),
                "pass_rate_ci95": list(bootstrap_ci(task_pass)),
                "pass_at_k": {
                    str(k): fmean(pass_at_k(n, c, k) for n, c in counts) for k in range(1, kmax + 1)
                },
                "pass_hat_k": {
                    str(k): fmean(pass_hat_k(n, c, k) for n, c in counts)
                    for k in range(1, kmax + 1)
                },
                "prompt_tokens": sum(e.prompt_tokens for e in items),
                "completion_tokens": sum(e.completion_tokens for e in items),
                "cost_usd": sum(costs) if costs else None,
                "mean_duration_ms": fmean(e.duration_ms for e in items),
            }
        )
    rows.sort(key=lambda r: (-float(r["mean_score"]), str(r["agent"]), str(r["model"] or "")))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows
