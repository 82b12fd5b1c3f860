"""Stored episodes as a CSV file, and back: the evidence behind measured numbers, kept.

    .venv/bin/python bench/episodes_csv.py --db DB [--db DB ...] [--run-id ID ...] --out FILE

A model run here takes hours and its database lives outside the repository (databases are
never committed), so a new machine would lose what `difficulty` and docs/benchmarks.md
were computed from. This writes one row per stored episode (the store's episode summary:
run, benchmark, agent, epoch, seed, status, score, passed, failure and error kinds,
tokens, duration; no transcript, no key) to a CSV file that is committed under
`docs/data/`; `bench/measured_difficulty.py` and `bench/category_table.py` read such files
(`--episodes FILE`) as they read databases.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Iterable
from pathlib import Path

from reev.results.summaries import EpisodeSummary
from reev.store import open_store

FIELDS = list(EpisodeSummary.model_fields)


def stored_episodes(dbs: Iterable[str], run_ids: list[str] | None = None) -> list[EpisodeSummary]:
    """Every episode of the databases' runs (or of the named runs only)."""
    episodes: list[EpisodeSummary] = []
    for db in dbs:
        with open_store(db) as store:
            for run in store.list_runs(limit=None):
                if run_ids and run.id not in run_ids:
                    continue
                episodes += store.list_episodes(run_id=run.id)
    return episodes


def write_csv(episodes: Iterable[EpisodeSummary], path: Path) -> int:
    """Write the episodes as CSV rows; returns how many."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        for episode in episodes:
            row = episode.model_dump(mode="json")
            writer.writerow({k: "" if row[k] is None else row[k] for k in FIELDS})
            count += 1
    return count


def read_csv(path: Path) -> list[EpisodeSummary]:
    """The episodes of a file `write_csv` wrote (empty cells are None), validated."""
    with path.open(newline="", encoding="utf-8") as src:
        reader = csv.DictReader(src)
        missing = set(FIELDS) - set(reader.fieldnames or [])
        required = {n for n, f in EpisodeSummary.model_fields.items() if f.is_required()}
        if missing & required:
            raise SystemExit(f"{path}: no column(s) {', '.join(sorted(missing & required))}")
        rows = []
        for line, row in enumerate(reader, start=2):
            values = {k: v for k, v in row.items() if k in FIELDS and v != ""}
            try:
                rows.append(EpisodeSummary.model_validate(values))
            except ValueError as exc:
                raise SystemExit(f"{path}:{line}: {exc}") from exc
    return rows


def load(
    dbs: list[str] | None, files: list[Path] | None, run_ids: list[str] | None = None
) -> list[EpisodeSummary]:
    """Episodes from databases and CSV files together (the scripts' common source), of
    every run or of the named runs only."""
    episodes = stored_episodes(dbs or [], run_ids)
    for path in files or []:
        episodes += [e for e in read_csv(path) if not run_ids or e.run_id in run_ids]
    return episodes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", required=True, help="repeatable")
    parser.add_argument("--run-id", action="append", default=None, help="default: every run")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    count = write_csv(stored_episodes(args.db, args.run_id), args.out)
    print(f"{count} episodes written to {args.out}")


if __name__ == "__main__":
    main()
