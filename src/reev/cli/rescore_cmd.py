"""`reev rescore RUN_ID`: score a stored run again with the current scorer (no agent runs)."""

from __future__ import annotations

from typing import Annotated

import typer

from reev.cli.common import console, err_console, open_cli_store, usage_error


def rescore(
    run_id: Annotated[str, typer.Argument(help="The stored run to rescore.")],
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL or SQLite path (default: REEV_DATABASE_URL)."),
    ] = None,
) -> None:
    """Re-score a run's stored episodes with the current scorer and stamp its version.

    Exit 0 when the run was rescored, 1 when an episode cannot be rescored from its
    record (nothing is changed then), 2 on usage errors (unknown run or database).
    """
    from reev.runner.rescore import RescoreError, rescore_run

    store = open_cli_store(db)
    with store:
        if store.get_run(run_id) is None:
            raise usage_error(f"no run {run_id!r} in {store.display_url}")
        try:
            outcome = rescore_run(store, run_id)
        except RescoreError as exc:
            err_console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None
    before = ", ".join(f"{n} from scorer {v}" for v, n in sorted(outcome.previous_versions.items()))
    console.print(
        f"run {run_id}: rescored {outcome.rescored} episodes with scorer "
        f"{outcome.scorer_version} ({before or 'none before'}); "
        f"{len(outcome.score_changed)} changed score, {len(outcome.verdict_changed)} changed "
        f"verdict; {outcome.errors_kept} errors kept as they are (never scored)"
    )
