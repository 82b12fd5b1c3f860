"""`reev tui`: open the terminal UI on benchmark files and the results store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reev.cli.common import SeedOpt, existing_paths, open_cli_store, parse_scoring, usage_error

DEFAULT_PATHS = [Path("benchmarks")]


def tui(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Benchmark files or directories (default: ./benchmarks)."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL or SQLite path (default: REEV_DATABASE_URL)."),
    ] = None,
    agent: Annotated[
        str | None, typer.Option("--agent", help="Agent tab selected at start.")
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-j", help="Episodes run at once by `a`.", min=1)
    ] = 4,
    scoring: Annotated[str, typer.Option("--scoring", help="outcome | reev")] = "outcome",
    seed: SeedOpt = 0,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Seconds an agent may take per step.")
    ] = None,
) -> None:
    """Terminal UI: pick an agent, browse benchmarks and their last scores, run one or all."""
    # Textual and SQLAlchemy load only for this command.
    from reev.runner.suite import load_all
    from reev.tui.app import ReevApp
    from reev.tui.session import TuiSession

    profile = parse_scoring(scoring)
    chosen = paths or DEFAULT_PATHS
    chosen = existing_paths(chosen)
    loaded = load_all(chosen)
    if not loaded:
        raise usage_error(f"no benchmark files found in {', '.join(map(str, chosen))}")
    store = open_cli_store(db)
    session = TuiSession(
        store,
        paths=[str(p) for p in chosen],
        seed=seed,
        scoring=profile,
        step_timeout=timeout,
    )
    app = ReevApp(loaded, session, concurrency=concurrency, agent=agent)
    if agent is not None and agent not in [c.name for c in app.choices]:
        store.close()
        raise usage_error(
            f"unknown agent {agent!r}; known: {', '.join(c.name for c in app.choices)}"
        )
    try:
        app.run()
    finally:
        store.close()
