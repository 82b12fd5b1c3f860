"""Per-category pass^1 and pass^k, with task-bootstrap intervals, from stored runs.

    .venv/bin/python bench/category_table.py [--db DB ...] [--episodes CSV ...] [--run-id ID ...] \\
        [--benchmarks benchmarks] [--k 3] [--format markdown|wide|json]

Categories are the benchmarks' category tags (`reev.benchmark.catalog.CATEGORY_ORDER`, as in
docs/benchmarks.md); a benchmark counts in
every category it carries. Each row covers the tasks of that category the agent ran, and
says how many; pass^k is computed only over tasks with at least k counted epochs (errors
that say nothing about the agent are left out, as in `reev report`), and the row says how
many tasks that is. Nothing here is extrapolated to tasks that were not run.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from episodes_csv import load  # bench/, beside this script

from reev.benchmark.catalog import CATEGORY_ORDER
from reev.runner.suite import load_all
from reev.scoring.statistics import (
    Interval,
    bootstrap_interval,
    mean,
    pass_hat_k,
    task_stats,
)

ROOT = Path(__file__).resolve().parent.parent


def tags_by_benchmark(folder: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in load_all([folder]):
        if item.benchmark is not None:
            out[item.benchmark.id] = [t for t in item.benchmark.tags if t in CATEGORY_ORDER]
    return out


def _task_mean(groups: Any) -> float:
    return mean([mean(g) for g in groups if g])


def _interval(values: list[float]) -> Interval:
    return bootstrap_interval([[v] for v in values], _task_mean, resamples=2000, seed=0)


def _category_rank(category: str) -> int:
    return CATEGORY_ORDER.index(category) if category in CATEGORY_ORDER else len(CATEGORY_ORDER)


def rows(episodes: list[Any], tags: dict[str, list[str]], k: int) -> list[dict[str, Any]]:
    by_category: dict[str, list[Any]] = defaultdict(list)
    for e in episodes:
        for tag in tags.get(e.benchmark_id, ["(unknown benchmark)"]):
            by_category[tag].append(e)
    out = []
    for category in sorted(by_category, key=_category_rank):
        per_agent: dict[str, list[Any]] = defaultdict(list)
        for t in task_stats(by_category[category]):
            per_agent[t.agent].append(t)
        for agent in sorted(per_agent):
            tasks = [t for t in per_agent[agent] if t.n > 0]
            if not tasks:
                continue
            at_k = [t for t in tasks if t.n >= k]
            p1 = _interval([t.c / t.n for t in tasks])
            pk = _interval([pass_hat_k(t.n, t.c, k) for t in at_k]) if at_k else None
            out.append(
                {
                    "category": category,
                    "agent": agent,
                    "tasks": len(tasks),
                    "episodes": sum(t.n for t in tasks),
                    "errors": sum(t.errors for t in tasks),
                    "pass1": p1,
                    f"pass{k}_tasks": len(at_k),
                    f"pass{k}": pk,
                }
            )
    return out


def _fmt(i: Interval | None) -> str:
    if i is None:
        return "—"
    if i.low == i.high == i.value:
        return f"{i.value:.2f}"  # one task (or no spread): the task bootstrap has no interval
    return f"{i.value:.2f} [{i.low:.2f}, {i.high:.2f}]"


def to_markdown(table: list[dict[str, Any]], k: int) -> str:
    lines = [
        f"| category | agent | tasks | episodes | errors | pass^1 [95% CI] | pass^{k} [95% CI] (tasks) |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for r in table:
        lines.append(
            f"| `{r['category']}` | {r['agent']} | {r['tasks']} | {r['episodes']} | "
            f"{r['errors']} | {_fmt(r['pass1'])} | {_fmt(r[f'pass{k}'])} ({r[f'pass{k}_tasks']}) |"
        )
    return "\n".join(lines)


def to_wide(table: list[dict[str, Any]], k: int) -> str:
    """One row per category, one column per agent: `pass^1 / pass^k (tasks)`."""
    agents = sorted({r["agent"] for r in table})
    lines = [
        "| category | " + " | ".join(agents) + " |",
        "|---|" + "---|" * len(agents),
    ]
    for category in dict.fromkeys(r["category"] for r in table):
        cells = []
        for agent in agents:
            row = next(
                (r for r in table if r["category"] == category and r["agent"] == agent), None
            )
            if row is None:
                cells.append("—")
                continue
            pk = row[f"pass{k}"]
            pk_text = f"{pk.value:.2f}" if pk is not None else "—"
            cells.append(f"{_fmt(row['pass1'])} / {pk_text} ({row['tasks']})")
        lines.append(f"| `{category}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", default=[], help="repeatable")
    parser.add_argument(
        "--episodes", action="append", type=Path, default=[], help="CSV of bench/episodes_csv.py"
    )
    parser.add_argument(
        "--run-id", action="append", default=None, help="default: every run of each --db"
    )
    parser.add_argument("--benchmarks", type=Path, default=ROOT / "benchmarks")
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--format", choices=("markdown", "wide", "json"), default="markdown")
    args = parser.parse_args()
    tags = tags_by_benchmark(args.benchmarks)
    if not args.db and not args.episodes:
        parser.error("give at least one --db or --episodes")
    episodes: list[Any] = load(args.db, args.episodes, args.run_id)
    runs = {e.run_id for e in episodes}
    table = rows(episodes, tags, args.k)
    if args.format == "json":
        print(json.dumps(table, default=lambda o: o.__dict__, indent=1))
    else:
        print(f"{len(episodes)} episodes from {len(runs)} runs")
        print(to_wide(table, args.k) if args.format == "wide" else to_markdown(table, args.k))


if __name__ == "__main__":
    main()
