"""A run's report: leaderboard, per-benchmark table and agent comparisons, as data.

Built from episode outcomes (the store's `EpisodeSummary` rows) by the pure functions of
`reev.scoring.statistics`; rendered as JSON, Markdown or CSV here, and as Rich tables by
`reev report`. The API can return `RunReport.to_dict()` as it is.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reev.scoring.statistics import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    AgentStats,
    Comparison,
    EpisodeOutcome,
    TaskStats,
    agent_stats,
    pairwise_comparisons,
    task_stats,
)


@dataclass
class RunReport:
    """Everything `reev report` shows about one run."""

    run_id: str | None
    confidence: float
    agents: list[AgentStats]
    tasks: list[TaskStats]
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def max_k(self) -> int:
        return max((a.epochs for a in self.agents), default=0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN becomes null)."""
        data: dict[str, Any] = _clean(
            {
                "run_id": self.run_id,
                "confidence": self.confidence,
                "agents": [_agent_dict(a) for a in self.agents],
                "benchmarks": [
                    {
                        "agent": t.agent,
                        "benchmark_id": t.benchmark_id,
                        "n": t.n,
                        "passed": t.c,
                        "mean_score": t.mean_score,
                        "pass_rate": t.pass_rate,
                        "errors": t.errors,
                    }
                    for t in self.tasks
                ],
                "comparisons": [
                    {
                        "a": c.a,
                        "b": c.b,
                        "metric": c.metric,
                        "tasks": c.tasks,
                        "difference": c.difference.value,
                        "ci_low": c.difference.low,
                        "ci_high": c.difference.high,
                        "p_value": c.p_value,
                        "within_noise": c.within_noise,
                        "verdict": c.verdict,
                    }
                    for c in self.comparisons
                ],
            }
        )
        return data


def build_report(
    episodes: Iterable[EpisodeOutcome],
    *,
    run_id: str | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
) -> RunReport:
    """The report of a set of episodes (usually one run's)."""
    episodes = list(episodes)
    agents = agent_stats(episodes, resamples=resamples, confidence=confidence, seed=seed)
    comparisons = pairwise_comparisons(
        episodes, [a.agent for a in agents], resamples=resamples, confidence=confidence, seed=seed
    )
    return RunReport(run_id, confidence, agents, task_stats(episodes), comparisons)


def _agent_dict(a: AgentStats) -> dict[str, Any]:
    return {
        "agent": a.agent,
        "tasks": a.tasks,
        "episodes": a.episodes,
        "epochs": a.epochs,
        "mean_score": a.mean_score.value,
        "mean_score_ci": [a.mean_score.low, a.mean_score.high],
        "pass_rate": a.pass_rate.value,
        "pass_rate_ci": [a.pass_rate.low, a.pass_rate.high],
        "pass_at_k": {str(k): v for k, v in a.pass_at_k.items()},
        "pass_hat_k": {str(k): v for k, v in a.pass_hat_k.items()},
        "errors": a.errors,
        "infrastructure_errors": a.infrastructure_errors,
        "prompt_tokens": a.prompt_tokens,
        "completion_tokens": a.completion_tokens,
        "cost_usd": a.cost_usd,
        "mean_duration_ms": a.mean_duration_ms,
    }


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def fmt(x: float | None, digits: int = 3) -> str:
    """A number for tables; '-' for missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{digits}f}"


def fmt_interval(value: float, low: float, high: float) -> str:
    """`0.750 [0.500, 1.000]`."""
    return f"{fmt(value)} [{fmt(low)}, {fmt(high)}]"


def k_rows(report: RunReport) -> tuple[list[str], list[list[str]]]:
    """pass@k and pass^k per agent, one row per k (the narrow form for terminals)."""
    header = ["k"]
    for a in report.agents:
        header += [f"{a.agent} pass@k", f"{a.agent} pass^k"]
    rows = []
    for k in range(1, report.max_k + 1):
        row = [str(k)]
        for a in report.agents:
            row += [fmt(a.pass_at_k.get(k)), fmt(a.pass_hat_k.get(k))]
        rows.append(row)
    return header, rows


def leaderboard_rows(report: RunReport, with_k: bool = True) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the leaderboard, as text (`with_k`: pass@k/pass^k columns)."""
    ks = list(range(1, report.max_k + 1)) if with_k else []
    pct = round(report.confidence * 100)
    header = [
        "agent",
        "tasks",
        "episodes",
        f"mean score [{pct}% CI]",
        f"pass rate [{pct}% CI]",
        *[f"pass@{k}" for k in ks],
        *[f"pass^{k}" for k in ks],
        "errors",
        "infra errors",
        "tokens in/out",
        "cost $",
        "mean ms",
    ]
    rows = []
    for a in report.agents:
        rows.append(
            [
                a.agent,
                str(a.tasks),
                str(a.episodes),
                fmt_interval(a.mean_score.value, a.mean_score.low, a.mean_score.high),
                fmt_interval(a.pass_rate.value, a.pass_rate.low, a.pass_rate.high),
                *[fmt(a.pass_at_k.get(k)) for k in ks],
                *[fmt(a.pass_hat_k.get(k)) for k in ks],
                str(a.errors),
                str(a.infrastructure_errors),
                f"{a.prompt_tokens}/{a.completion_tokens}",
                fmt(a.cost_usd, 4),
                fmt(a.mean_duration_ms, 1),
            ]
        )
    return header, rows


def benchmark_rows(report: RunReport) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the per-benchmark table."""
    header = ["benchmark", "agent", "n", "passed", "mean score", "pass rate", "errors"]
    rows = [
        [
            t.benchmark_id,
            t.agent,
            str(t.n),
            str(t.c),
            fmt(t.mean_score),
            fmt(t.pass_rate),
            str(t.errors),
        ]
        for t in sorted(report.tasks, key=lambda t: (t.benchmark_id, t.agent))
    ]
    return header, rows


def comparison_rows(report: RunReport) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the pairwise comparisons."""
    pct = round(report.confidence * 100)
    header = ["a", "b", "tasks", f"a − b mean score [{pct}% CI]", "p", "verdict"]
    rows = [
        [
            c.a,
            c.b,
            str(c.tasks),
            fmt_interval(c.difference.value, c.difference.low, c.difference.high),
            fmt(c.p_value),
            c.verdict,
        ]
        for c in report.comparisons
    ]
    return header, rows


def to_markdown(report: RunReport) -> str:
    """The three tables as GitHub Markdown."""
    parts = [f"# reev report: {report.run_id or 'episodes'}", ""]
    for title, (header, rows) in (
        ("Leaderboard", leaderboard_rows(report)),
        ("Agent comparisons", comparison_rows(report)),
        ("Per benchmark", benchmark_rows(report)),
    ):
        if not rows:
            continue
        parts += [f"## {title}", "", _md_table(header, rows), ""]
    return "\n".join(parts)


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def to_csv(report: RunReport, level: str = "agent") -> str:
    """One CSV table: the leaderboard (`agent`) or the per-benchmark rows (`benchmark`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    if level == "benchmark":
        writer.writerow(
            ["run_id", "benchmark_id", "agent", "n", "passed", "mean_score", "pass_rate", "errors"]
        )
        for t in report.tasks:
            writer.writerow(
                [
                    report.run_id,
                    t.benchmark_id,
                    t.agent,
                    t.n,
                    t.c,
                    t.mean_score,
                    t.pass_rate,
                    t.errors,
                ]
            )
        return out.getvalue()
    ks = list(range(1, report.max_k + 1))
    writer.writerow(
        [
            "run_id",
            "agent",
            "tasks",
            "episodes",
            "mean_score",
            "mean_score_low",
            "mean_score_high",
            "pass_rate",
            "pass_rate_low",
            "pass_rate_high",
            *[f"pass@{k}" for k in ks],
            *[f"pass^{k}" for k in ks],
            "errors",
            "infrastructure_errors",
            "prompt_tokens",
            "completion_tokens",
            "cost_usd",
            "mean_duration_ms",
        ]
    )
    for a in report.agents:
        writer.writerow(
            [
                report.run_id,
                a.agent,
                a.tasks,
                a.episodes,
                a.mean_score.value,
                a.mean_score.low,
                a.mean_score.high,
                a.pass_rate.value,
                a.pass_rate.low,
                a.pass_rate.high,
                *[a.pass_at_k.get(k, "") for k in ks],
                *[a.pass_hat_k.get(k, "") for k in ks],
                a.errors,
                a.infrastructure_errors,
                a.prompt_tokens,
                a.completion_tokens,
                "" if a.cost_usd is None else a.cost_usd,
                a.mean_duration_ms,
            ]
        )
    return out.getvalue()
