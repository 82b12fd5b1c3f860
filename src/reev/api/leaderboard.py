"""The leaderboard as JSON: `reev.scoring.statistics` (the same numbers `reev report`
prints — pass@k, pass^k, task-level bootstrap intervals, paired comparisons) over stored
episode summaries. Formulas: docs/statistics.md.

Each row is an agent; `vs_next` compares it with the agent ranked just below on the tasks
both ran and says whether the difference is within noise. NaN (no data) becomes null.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from reev.api.read_models import outcome_of
from reev.results.summaries import EpisodeSummary
from reev.scoring.statistics import Interval, agent_stats, compare_agents


def _num(value: float | None) -> float | None:
    if value is None or math.isnan(value):
        return None
    return value


def _interval(interval: Interval) -> dict[str, float | None]:
    return {
        "value": _num(interval.value),
        "low": _num(interval.low),
        "high": _num(interval.high),
        "confidence": interval.confidence,
    }


def _maybe(interval: Interval | None) -> dict[str, float | None] | None:
    return _interval(interval) if interval is not None else None


def leaderboard(episodes: Sequence[EpisodeSummary]) -> list[dict[str, Any]]:
    """One row per agent, ranked by mean score over the tasks every agent ran
    (`shared_tasks`); agents sharing none have `rank` null and come last."""
    stats = agent_stats(episodes)
    rows: list[dict[str, Any]] = []
    for index, s in enumerate(stats):
        row: dict[str, Any] = {
            "rank": s.rank,
            "agent": s.agent,
            "episodes": s.episodes,
            "tasks": s.tasks,
            "epochs": s.epochs,
            "shared_tasks": s.shared_tasks,
            "shared_score": _maybe(s.shared_score),
            "shared_pass_rate": _maybe(s.shared_pass_rate),
            "passed": s.passed,
            "failed": s.failed,
            "errors": s.errors,
            "infrastructure_errors": s.infrastructure_errors,
            "excluded": s.excluded,
            "mean_score": _interval(s.mean_score),
            "pass_rate": _interval(s.pass_rate),
            "pass_k_tasks": s.k_tasks,
            "pass_k_short_tasks": s.short_tasks,
            "pass_at_k": {str(k): _num(v) for k, v in s.pass_at_k.items()},
            "pass_hat_k": {str(k): _num(v) for k, v in s.pass_hat_k.items()},
            "prompt_tokens": s.prompt_tokens,
            "completion_tokens": s.completion_tokens,
            "cost_usd": _num(s.cost_usd),
            "mean_duration_ms": _num(s.mean_duration_ms),
            "vs_next": None,
        }
        if index + 1 < len(stats):
            c = compare_agents(episodes, s.agent, stats[index + 1].agent)
            row["vs_next"] = {
                "agent": c.b,
                "tasks": c.tasks,
                "difference": _interval(c.difference),
                "p_value": _num(c.p_value),
                "within_noise": c.within_noise,
                "verdict": c.verdict,
            }
        rows.append(row)
    return rows


def latest_cells(episodes: Sequence[EpisodeSummary]) -> list[dict[str, Any]]:
    """The agent × benchmark grid: per cell the newest episode (by record time) and how many
    episodes the cell has, so a dashboard colours each cell without loading any episode."""
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for e in episodes:
        key = (e.agent, e.benchmark_id)
        cell = cells.get(key)
        if cell is None or e.recorded_at >= cell["_at"]:
            cells[key] = {
                "agent": e.agent,
                "benchmark_id": e.benchmark_id,
                "execution_id": e.execution_id,
                "run_id": e.run_id,
                "score": e.score,
                "passed": e.passed,
                "status": e.status,
                "error_kind": e.error_kind,
                "outcome": outcome_of(e),
                "recorded_at": e.recorded_at.isoformat(),
                "count": (cell["count"] if cell else 0) + 1,
                "_at": e.recorded_at,
            }
        else:
            cell["count"] += 1
    return [
        {k: v for k, v in c.items() if k != "_at"}
        for c in sorted(cells.values(), key=lambda c: (c["agent"], c["benchmark_id"]))
    ]
