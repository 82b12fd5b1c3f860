"""A run's report: leaderboard, per-benchmark table and agent comparisons, as data.

Built from episode outcomes (the store's `EpisodeSummary` rows) by the pure functions of
`reev.scoring.statistics`; rendered as JSON, Markdown or CSV here, and as Rich tables by
`reev report`. The API can return `RunReport.to_dict()` as it is.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reev.scoring.statistics import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    AgentStats,
    Comparison,
    EpisodeOutcome,
    Interval,
    TaskStats,
    agent_stats,
    pairwise_comparisons,
    shown_ks,
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
    splits: dict[str, list[AgentStats]] = field(default_factory=dict)
    """Completion and safety apart (`suite_splits`): each an agent table over its subset."""

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
                        "failed": t.failed,
                        "mean_score": t.mean_score,
                        "pass_rate": t.pass_rate,
                        "errors": t.errors,
                        "excluded": t.excluded,
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
                "splits": {
                    name: [_agent_dict(a) for a in rows] for name, rows in self.splits.items()
                },
            }
        )
        return data


COMPLETION = "completion"
SAFETY = "safety"
SPLIT_NOTES = {
    COMPLETION: "pass rate over the benchmarks without the `refuse` tag (doing nothing "
    "passes a refuse task, so it would reward an agent that refuses everything)",
    SAFETY: "pass rate over the `refuse` and `safety` benchmarks",
}


def suite_splits(
    episodes: Sequence[EpisodeOutcome], tags_of: Mapping[str, Sequence[str]]
) -> dict[str, list[EpisodeOutcome]]:
    """The episodes of the completion and the safety figure (docs/benchmarks.md,
    "Completion and safety are reported apart"), by the tags of each episode's benchmark.
    An episode whose benchmark's tags are unknown is in neither; a split with no
    episodes is left out."""
    known = [e for e in episodes if e.benchmark_id in tags_of]
    out = {
        COMPLETION: [e for e in known if "refuse" not in tags_of[e.benchmark_id]],
        SAFETY: [e for e in known if {"refuse", "safety"} & set(tags_of[e.benchmark_id])],
    }
    return {name: eps for name, eps in out.items() if eps}


def build_report(
    episodes: Iterable[EpisodeOutcome],
    *,
    run_id: str | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
    tags_of: Mapping[str, Sequence[str]] | None = None,
) -> RunReport:
    """The report of a set of episodes (usually one run's); with `tags_of` (benchmark id →
    tags) also completion and safety apart, when the run has both kinds of benchmark."""
    episodes = list(episodes)
    agents = agent_stats(episodes, resamples=resamples, confidence=confidence, seed=seed)
    comparisons = pairwise_comparisons(
        episodes, [a.agent for a in agents], resamples=resamples, confidence=confidence, seed=seed
    )
    splits = suite_splits(episodes, tags_of) if tags_of else {}
    if len(splits) < 2:
        splits = {}  # one kind only: the leaderboard already is that figure
    split_rows = {
        name: agent_stats(eps, resamples=resamples, confidence=confidence, seed=seed)
        for name, eps in splits.items()
    }
    return RunReport(run_id, confidence, agents, task_stats(episodes), comparisons, split_rows)


def split_rows(report: RunReport) -> tuple[list[str], list[list[str]]]:
    """Completion and safety side by side per agent: pass rate with its interval and the
    tasks it covers (empty when the run had not both kinds of benchmark)."""
    if not report.splits:
        return [], []
    pct = round(report.confidence * 100)
    names = list(report.splits)
    header = ["agent", *[f"{n} [{pct}% CI] (tasks)" for n in names]]
    by_agent: dict[str, dict[str, AgentStats]] = {}
    for name, rows in report.splits.items():
        for a in rows:
            by_agent.setdefault(a.agent, {})[name] = a
    out = []
    for agent in [a.agent for a in report.agents if a.agent in by_agent]:
        cells = []
        for name in names:
            row = by_agent[agent].get(name)
            cells.append(f"{_pct_interval(row.pass_rate)} ({row.tasks})" if row else "-")
        out.append([agent, *cells])
    return header, out


def _agent_dict(a: AgentStats) -> dict[str, Any]:
    return {
        "rank": a.rank,
        "agent": a.agent,
        "tasks": a.tasks,
        "episodes": a.episodes,
        "epochs": a.epochs,
        "shared_tasks": a.shared_tasks,
        "shared_score": a.shared_score.value if a.shared_score else None,
        "shared_score_ci": [a.shared_score.low, a.shared_score.high] if a.shared_score else None,
        "shared_pass_rate": a.shared_pass_rate.value if a.shared_pass_rate else None,
        "mean_score": a.mean_score.value,
        "mean_score_ci": [a.mean_score.low, a.mean_score.high],
        "pass_rate": a.pass_rate.value,
        "pass_rate_ci": [a.pass_rate.low, a.pass_rate.high],
        "pass_k_tasks": a.k_tasks,
        "pass_k_short_tasks": a.short_tasks,
        "pass_at_k": {str(k): v for k, v in a.pass_at_k.items()},
        "pass_hat_k": {str(k): v for k, v in a.pass_hat_k.items()},
        "passed": a.passed,
        "failed": a.failed,
        "errors": a.errors,
        "infrastructure_errors": a.infrastructure_errors,
        "prompt_tokens": a.prompt_tokens,
        "completion_tokens": a.completion_tokens,
        "unmetered_calls": a.unmetered_calls,
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
    """pass@k and pass^k per agent for k in 1, 2, K (bounded), over the tasks named in
    the `tasks` column (those with at least K counted epochs)."""
    ks = shown_ks(report.max_k)
    header = ["agent", "K", "tasks", *[f"pass@{k}" for k in ks], *[f"pass^{k}" for k in ks]]
    rows = []
    for a in report.agents:
        rows.append(
            [
                a.agent,
                str(a.epochs),
                f"{len(a.k_tasks)}/{a.tasks}",
                *[fmt(a.pass_at_k.get(k)) for k in ks],
                *[fmt(a.pass_hat_k.get(k)) for k in ks],
            ]
        )
    return header, rows


def short_task_lines(report: RunReport) -> list[str]:
    """One line per agent whose pass@k/pass^k leave tasks out: which, and why."""
    return [
        f"{a.agent}: pass@k/pass^k leave out {len(a.short_tasks)} task(s) with fewer than "
        f"{a.epochs} counted epochs: {', '.join(a.short_tasks)}"
        for a in report.agents
        if a.short_tasks
    ]


def _rank(a: AgentStats) -> str:
    return str(a.rank) if a.rank is not None else "-"


def _shared(a: AgentStats) -> str:
    s = a.shared_score
    return fmt_interval(s.value, s.low, s.high) if s else "-"


def leaderboard_rows(report: RunReport, with_k: bool = True) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the leaderboard, as text (`with_k`: pass@k/pass^k columns).

    `rank` orders by the mean score on the tasks every agent ran (`shared`); `tasks` is
    shared/all. Passed, failed (ran, did not pass) and errors (did not run to the end)
    are separate columns; infrastructure errors are left out of every figure."""
    ks = shown_ks(report.max_k) if with_k else []
    pct = round(report.confidence * 100)
    header = [
        "rank",
        "agent",
        "tasks shared/all",
        f"shared score [{pct}% CI]",
        f"mean score [{pct}% CI]",
        f"pass rate [{pct}% CI]",
        *[f"pass@{k}" for k in ks],
        *[f"pass^{k}" for k in ks],
        "passed",
        "failed",
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
                _rank(a),
                a.agent,
                f"{a.shared_tasks}/{a.tasks}",
                _shared(a),
                fmt_interval(a.mean_score.value, a.mean_score.low, a.mean_score.high),
                fmt_interval(a.pass_rate.value, a.pass_rate.low, a.pass_rate.high),
                *[fmt(a.pass_at_k.get(k)) for k in ks],
                *[fmt(a.pass_hat_k.get(k)) for k in ks],
                str(a.passed),
                str(a.failed),
                str(a.errors),
                str(a.infrastructure_errors),
                tokens_cell(a),
                fmt(a.cost_usd, 4),
                fmt(a.mean_duration_ms, 1),
            ]
        )
    return header, rows


def _pct_interval(iv: Interval | None) -> str:
    """`17.3% [9–27]`: the compact form for terminal tables (bounds in whole percent)."""
    if iv is None or math.isnan(iv.value):
        return "-"
    return f"{100 * iv.value:.1f}% [{100 * iv.low:.0f}–{100 * iv.high:.0f}]"


def ranking_rows(report: RunReport) -> tuple[list[str], list[list[str]]]:
    """The terminal ranking (fits 80 columns): rank, agent, coverage, and the mean score
    and pass rate over the tasks every agent ran."""
    pct = round(report.confidence * 100)
    header = ["rank", "agent", "shared/all", f"score [{pct}% CI]", f"pass rate [{pct}% CI]"]
    rows = [
        [
            _rank(a),
            a.agent,
            f"{a.shared_tasks}/{a.tasks}",
            _pct_interval(a.shared_score),
            _pct_interval(a.shared_pass_rate),
        ]
        for a in report.agents
    ]
    return header, rows


def all_task_rows(report: RunReport) -> tuple[list[str], list[list[str]]]:
    """Per agent over ALL its tasks (not comparable across agents with other tasks)."""
    pct = round(report.confidence * 100)
    header = ["agent", "tasks", "episodes", f"score [{pct}% CI]", f"pass rate [{pct}% CI]"]
    rows = [
        [
            a.agent,
            str(a.tasks),
            str(a.episodes),
            _pct_interval(a.mean_score),
            _pct_interval(a.pass_rate),
        ]
        for a in report.agents
    ]
    return header, rows


def _unmetered_note(a: AgentStats) -> str:
    return f" (+{a.unmetered_calls:,} calls unmetered)" if a.unmetered_calls else ""


def tokens_cell(a: AgentStats) -> str:
    """Tokens in/out; calls whose provider reported no usage are counted apart, so an
    unknown count never reads as 0 tokens."""
    return f"{a.prompt_tokens:,}/{a.completion_tokens:,}" + _unmetered_note(a)


def outcome_rows(report: RunReport) -> tuple[list[str], list[list[str]]]:
    """Per agent: passed / failed / errors / infrastructure errors, tokens, cost, time."""
    header = ["agent", "passed", "failed", "errors", "infra", "tokens in", "out", "$", "ms"]
    rows = [
        [
            a.agent,
            str(a.passed),
            str(a.failed),
            str(a.errors),
            str(a.infrastructure_errors),
            f"{a.prompt_tokens:,}",
            f"{a.completion_tokens:,}" + _unmetered_note(a),
            fmt(a.cost_usd, 4),
            fmt(a.mean_duration_ms, 0),
        ]
        for a in report.agents
    ]
    return header, rows


def benchmark_rows(report: RunReport) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the per-benchmark table."""
    header = ["benchmark", "agent", "n", "passed", "failed", "errors", "mean score", "pass rate"]
    rows = [
        [
            t.benchmark_id,
            t.agent,
            str(t.n),
            str(t.c),
            str(t.failed),
            str(t.errors),
            fmt(t.mean_score),
            fmt(t.pass_rate),
        ]
        for t in sorted(report.tasks, key=lambda t: (t.benchmark_id, t.agent))
    ]
    return header, rows


def _points(iv: Interval) -> str:
    """A score difference in percentage points: `+82.7 [74–91]`."""
    if math.isnan(iv.value):
        return "-"
    return f"{100 * iv.value:+.1f} [{100 * iv.low:.0f}–{100 * iv.high:.0f}]"


def _short_verdict(c: Comparison) -> str:
    """The verdict naming the column (`a better`), so it fits a terminal cell."""
    if c.tasks == 0 or c.within_noise:
        return c.verdict
    return "a better" if c.difference.value > 0 else "b better"


def benchmark_group_rows(report: RunReport) -> tuple[list[str], list[list[str]]]:
    """The per-benchmark table for terminals: a benchmark id row, then one indented row
    per agent, so ids and labels keep their full text within 80 columns."""
    header = ["benchmark / agent", "n", "passed", "failed", "errors", "score"]
    rows: list[list[str]] = []
    current = None
    for t in sorted(report.tasks, key=lambda t: (t.benchmark_id, t.agent)):
        if t.benchmark_id != current:
            current = t.benchmark_id
            rows.append([t.benchmark_id, "", "", "", "", ""])
        rows.append(
            [
                f"  {t.agent}",
                str(t.n),
                str(t.c),
                str(t.failed),
                str(t.errors),
                fmt(t.mean_score),
            ]
        )
    return header, rows


def comparison_rows(report: RunReport) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the pairwise comparisons."""
    pct = round(report.confidence * 100)
    header = ["a", "b", "tasks", f"a − b pts [{pct}% CI]", "p", "verdict"]
    rows = [
        [
            c.a,
            c.b,
            str(c.tasks),
            _points(c.difference),
            fmt(c.p_value),
            _short_verdict(c),
        ]
        for c in report.comparisons
    ]
    return header, rows


def to_markdown(report: RunReport) -> str:
    """The three tables as GitHub Markdown."""
    parts = [f"# reev report: {report.run_id or 'episodes'}", ""]
    for title, (header, rows) in (
        ("Leaderboard", leaderboard_rows(report)),
        ("pass@k and pass^k (over the tasks counted in `tasks`)", k_rows(report)),
        ("Completion and safety", split_rows(report)),
        ("Agent comparisons", comparison_rows(report)),
        ("Per benchmark", benchmark_rows(report)),
    ):
        if not rows:
            continue
        parts += [f"## {title}", "", _md_table(header, rows), ""]
        if title == "Leaderboard":
            parts += [RANK_NOTE, ""] + [f"- {line}" for line in short_task_lines(report)] + [""]
        if title == "Completion and safety":
            parts += [f"- {name}: {SPLIT_NOTES[name]}" for name in report.splits] + [""]
    return "\n".join(parts)


RANK_NOTE = (
    "Ranked by mean score on the tasks every agent ran (`shared`); agents sharing "
    "none are not ranked. Errors (the episode did not run to its end) are not failures; "
    "infrastructure errors are left out of every figure."
)


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
            [
                "run_id",
                "benchmark_id",
                "agent",
                "n",
                "passed",
                "failed",
                "errors",
                "excluded",
                "mean_score",
                "pass_rate",
            ]
        )
        for t in report.tasks:
            writer.writerow(
                [
                    report.run_id,
                    t.benchmark_id,
                    t.agent,
                    t.n,
                    t.c,
                    t.failed,
                    t.errors,
                    t.excluded,
                    t.mean_score,
                    t.pass_rate,
                ]
            )
        return out.getvalue()
    ks = list(range(1, report.max_k + 1))
    writer.writerow(
        [
            "run_id",
            "rank",
            "agent",
            "tasks",
            "shared_tasks",
            "shared_score",
            "pass_k_tasks",
            "episodes",
            "mean_score",
            "mean_score_low",
            "mean_score_high",
            "pass_rate",
            "pass_rate_low",
            "pass_rate_high",
            *[f"pass@{k}" for k in ks],
            *[f"pass^{k}" for k in ks],
            "passed",
            "failed",
            "errors",
            "infrastructure_errors",
            "prompt_tokens",
            "completion_tokens",
            "unmetered_calls",
            "cost_usd",
            "mean_duration_ms",
        ]
    )
    for a in report.agents:
        writer.writerow(
            [
                report.run_id,
                "" if a.rank is None else a.rank,
                a.agent,
                a.tasks,
                a.shared_tasks,
                "" if a.shared_score is None else a.shared_score.value,
                len(a.k_tasks),
                a.episodes,
                a.mean_score.value,
                a.mean_score.low,
                a.mean_score.high,
                a.pass_rate.value,
                a.pass_rate.low,
                a.pass_rate.high,
                *[a.pass_at_k.get(k, "") for k in ks],
                *[a.pass_hat_k.get(k, "") for k in ks],
                a.passed,
                a.failed,
                a.errors,
                a.infrastructure_errors,
                a.prompt_tokens,
                a.completion_tokens,
                a.unmetered_calls,
                "" if a.cost_usd is None else a.cost_usd,
                a.mean_duration_ms,
            ]
        )
    return out.getvalue()
