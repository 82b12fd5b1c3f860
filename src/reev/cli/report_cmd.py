"""`reev report`: a run's leaderboard with intervals, comparisons and per-benchmark table."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from reev.cli.common import console, open_cli_store, usage_error

if TYPE_CHECKING:  # loaded inside the command: `reev --help` does not pay for them
    from rich.table import Table

    from reev.scoring.report import RunReport

FORMATS = ("table", "json", "markdown", "csv")

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite path (default: REEV_DATABASE_URL or ~/.local/share/reev/reev.db).",
    ),
]


def report(
    run_id: Annotated[
        str | None, typer.Option("--run-id", help="Run to report (default: the latest).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json | markdown | csv")] = "table",
    db: DbOpt = None,
    level: Annotated[
        str, typer.Option("--level", help="CSV rows: agent (leaderboard) | benchmark.")
    ] = "agent",
    resamples: Annotated[int, typer.Option("--resamples", help="Bootstrap resamples.")] = 2000,
    confidence: Annotated[
        float, typer.Option("--confidence", help="Interval confidence level.")
    ] = 0.95,
    benchmarks: Annotated[
        bool, typer.Option("--benchmarks/--no-benchmarks", help="Per-benchmark table.")
    ] = True,
) -> None:
    """Statistics of a stored run: mean score, pass rate, pass@k, pass^k with bootstrap
    intervals, tokens, cost, duration, and whether agents differ by more than the noise."""
    if fmt not in FORMATS:
        raise usage_error(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if level not in ("agent", "benchmark"):
        raise usage_error("--level must be agent or benchmark")
    if not 0.5 <= confidence < 1.0:
        raise usage_error("--confidence must be in [0.5, 1)")
    if resamples < 0:
        raise usage_error("--resamples must be >= 0")
    from reev.scoring.report import build_report, to_csv, to_markdown

    store = open_cli_store(db)
    with store:
        run = store.get_run(run_id) if run_id else store.latest_run()
        if run is None:
            raise usage_error(
                f"no run {run_id!r} in {store.display_url}"
                if run_id
                else f"no runs in {store.display_url}"
            )
        episodes = store.list_episodes(run_id=run.id)
        version_ids = {e.benchmark_version_id for e in episodes}
        tags_of = {
            v.benchmark_id: list(v.tags)
            for v in store.list_benchmark_versions()
            if v.id in version_ids
        }
    result = build_report(
        episodes, run_id=run.id, resamples=resamples, confidence=confidence, tags_of=tags_of
    )
    if fmt == "json":
        typer.echo(json.dumps(result.to_dict(), indent=2))
    elif fmt == "markdown":
        typer.echo(to_markdown(result))
    elif fmt == "csv":
        typer.echo(to_csv(result, level), nl=False)
    else:
        _print_tables(result, run.status, benchmarks)


def _print_tables(result: RunReport, status: str, with_benchmarks: bool) -> None:
    """Narrow tables (each fits 80 columns): ranking, outcomes, pass@k, comparisons."""
    from reev.scoring.report import (
        RANK_NOTE,
        SPLIT_NOTES,
        all_task_rows,
        benchmark_group_rows,
        comparison_rows,
        k_rows,
        outcome_rows,
        ranking_rows,
        short_task_lines,
        split_rows,
    )

    console.print(f"[bold]run[/bold] {result.run_id} ({status})")
    header, rows = ranking_rows(result)
    console.print(_table("Leaderboard", header, rows))
    console.print(RANK_NOTE, style="dim", markup=False)
    header, rows = all_task_rows(result)
    console.print(_table("Each agent over all its tasks", header, rows))
    header, rows = outcome_rows(result)
    console.print(_table("Outcomes (errors are not failures) and usage", header, rows))
    header, rows = k_rows(result)
    console.print(_table("pass@k (one of k passes), pass^k (all k pass)", header, rows))
    for line in short_task_lines(result):
        console.print(line, style="dim", markup=False)
    header, rows = split_rows(result)
    if rows:
        console.print(_table("Completion and safety, apart", header, rows))
        for name in result.splits:
            console.print(f"{name}: {SPLIT_NOTES[name]}", style="dim", markup=False)
    header, rows = comparison_rows(result)
    if rows:
        console.print(_table("Agent comparisons (paired over common benchmarks)", header, rows))
    if with_benchmarks:
        header, rows = benchmark_group_rows(result)
        console.print(_table("Per benchmark", header, rows))


def _table(title: str, header: list[str], rows: list[list[str]]) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for name in header:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table
