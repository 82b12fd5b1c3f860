"""`difficulty` from measured pass rates: what a real model did on each benchmark it ran.

    .venv/bin/python bench/measured_difficulty.py [--db DB ...] [--episodes CSV ...] \\
        [--agent-prefix llama-cpp] [--epochs 3] [--benchmarks benchmarks] [--write]

For every benchmark that an agent whose label starts with `--agent-prefix` ran for at
least `--epochs` counted epochs (errors that say nothing about the agent are left out, as
in `reev report`), the best of those agents (its tool modes) over its first `--epochs`
epochs gives the difficulty (docs/benchmarks.md, "Difficulty, measured"): **easy** when it
passed at least 2 of 3, **medium** 1 of 3, **hard** none. Prints one line per benchmark;
with `--write` sets each measured file's `difficulty:` line (and its comment saying so),
leaving every other line as it is. Benchmarks that were not measured are not touched.
`--episodes` reads the committed CSV files of `bench/episodes_csv.py` (docs/data/).
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from episodes_csv import load  # bench/, beside this script

from reev.results.summaries import EpisodeSummary
from reev.runner.suite import load_all
from reev.scoring.statistics import NOT_COUNTED

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^difficulty:.*$", re.MULTILINE)


def level(passed: int, epochs: int) -> str:
    """easy / medium / hard from passes out of `epochs` (the 2-of-3 / 1-of-3 rule)."""
    share = passed / epochs
    return "easy" if share >= 2 / 3 else "medium" if passed > 0 else "hard"


def measured(
    episodes: list[EpisodeSummary], prefix: str, epochs: int
) -> dict[str, tuple[int, str]]:
    """benchmark id → (best passes out of `epochs`, the agent that reached it)."""
    counted: dict[tuple[str, str], dict[int, bool]] = defaultdict(dict)
    for e in episodes:
        if e.agent.startswith(prefix) and e.error_kind not in NOT_COUNTED:
            counted[(e.benchmark_id, e.agent)].setdefault(e.epoch, e.passed)
    best: dict[str, tuple[int, str]] = {}
    for (benchmark_id, agent), by_epoch in counted.items():
        if len(by_epoch) < epochs:
            continue
        passes = sum(by_epoch[e] for e in sorted(by_epoch)[:epochs])
        if benchmark_id not in best or passes > best[benchmark_id][0]:
            best[benchmark_id] = (passes, agent)
    return best


def rewrite(path: Path, difficulty: str, passed: int, epochs: int) -> bool:
    """Set the file's difficulty line; True when the file changed."""
    text = path.read_text()
    line = (
        f"difficulty: {difficulty}  # measured: a 1.5B model passed {passed}/{epochs} "
        "(docs/benchmarks.md)"
    )
    new, count = LINE.subn(line, text, count=1)
    if count == 0:
        raise SystemExit(f"{path}: no difficulty line")
    if new != text:
        path.write_text(new)
    return new != text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", default=[], help="repeatable")
    parser.add_argument(
        "--episodes", action="append", type=Path, default=[], help="CSV (repeatable)"
    )
    parser.add_argument("--agent-prefix", default="llama-cpp")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--benchmarks", type=Path, default=ROOT / "benchmarks")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if not args.db and not args.episodes:
        parser.error("give at least one --db or --episodes")
    files: dict[str, Any] = {
        i.benchmark.id: (i.path, i.benchmark)
        for i in load_all([args.benchmarks])
        if i.benchmark is not None
    }
    results = measured(load(args.db, args.episodes), args.agent_prefix, args.epochs)
    changed = 0
    for benchmark_id in sorted(results):
        passes, agent = results[benchmark_id]
        if benchmark_id not in files:
            print(f"{benchmark_id}: measured but not under {args.benchmarks}; skipped")
            continue
        path, benchmark = files[benchmark_id]
        new = level(passes, args.epochs)
        mark = ""
        if args.write and rewrite(Path(path), new, passes, args.epochs):
            changed += 1
            mark = "  (written)"
        was = benchmark.difficulty
        print(f"{benchmark_id:<40} {passes}/{args.epochs} {new:<6} (was {was}; {agent}){mark}")
    print(f"{len(results)} benchmarks measured; {changed} files changed")


if __name__ == "__main__":
    main()
