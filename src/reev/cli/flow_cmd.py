"""`reev flow EXECUTION_ID`: an episode's Mermaid flow diagram or transaction-log tree.

The episode is found in a `--json` results file (`--results`), in the store (`--db URL`),
or in the session file `reev run` wrote (`<out-dir>/sessions/session_<id>.json`), then
the default store. The work happens in `reev.tracing.mermaid` / `reev.tracing.txlog`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reev.cli.common import err_console
from reev.home import data_dir

if TYPE_CHECKING:
    from reev.results.records import EpisodeResult


class EpisodeNotFound(LookupError):
    """No source holds the execution id (or a source could not be read)."""


def flow(
    execution_id: Annotated[str, typer.Argument(help="The episode's execution id.")],
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL (or SQLite path) to read from.")
    ] = None,
    results: Annotated[
        Path | None, typer.Option("--results", help="A `reev run --json` results file.")
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir", help="Folder holding sessions/ (as for `reev run`; default $REEV_HOME)."
        ),
    ] = None,
    logs: Annotated[
        bool, typer.Option("--logs", help="Print the transaction-log tree instead.")
    ] = False,
    no_cu: Annotated[bool, typer.Option("--no-cu", help="Leave compute units out.")] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Wrap the diagram in a ```mermaid block.")
    ] = False,
) -> None:
    """Print an episode's Mermaid stateDiagram (reev's shape) or its transaction-log tree."""
    from reev.tracing.mermaid import episode_diagram
    from reev.tracing.txlog import transaction_log_tree

    try:
        result = find_episode(execution_id, db=db, results=results, out_dir=out_dir)
    except EpisodeNotFound as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from exc
    if logs:
        typer.echo(transaction_log_tree(result, show_cu=not no_cu), nl=False)
        return
    diagram = episode_diagram(result)
    typer.echo(f"```mermaid\n{diagram}```" if markdown else diagram, nl=not markdown)


def find_episode(
    execution_id: str,
    *,
    db: str | None = None,
    results: Path | None = None,
    out_dir: Path | None = None,
) -> EpisodeResult:
    """The recorded episode with this id, from the first source that has it."""
    from reev.tracing.session_file import episode_from_session

    out_dir = out_dir if out_dir is not None else data_dir()
    if results is not None:
        return _from_results(execution_id, results)
    if db is not None:
        return _from_store(execution_id, db)
    session = out_dir / "sessions" / f"session_{execution_id}.json"
    if session.is_file():
        try:
            return episode_from_session(json.loads(session.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise EpisodeNotFound(f"{session}: cannot read the session file: {exc}") from exc
    try:
        return _from_store(execution_id, None)
    except EpisodeNotFound as exc:
        raise EpisodeNotFound(f"{exc}; no session file {session} either") from exc


def _from_results(execution_id: str, path: Path) -> EpisodeResult:
    from reev.results.records import EpisodeResult

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EpisodeNotFound(f"{path}: cannot read the results file: {exc}") from exc
    for item in data.get("results", []) if isinstance(data, dict) else []:
        if isinstance(item, dict) and item.get("execution_id") == execution_id:
            return EpisodeResult.model_validate(item)
    raise EpisodeNotFound(f"{path} holds no episode {execution_id!r}")


def _from_store(execution_id: str, url: str | None) -> EpisodeResult:
    from reev.store import open_store  # the store is only loaded when it is asked for

    try:
        with open_store(url) as store:
            result = store.get_episode(execution_id)
            where = store.display_url
    except Exception as exc:  # a bad URL or an unreachable server: say so, don't crash
        raise EpisodeNotFound(f"cannot read the database: {exc}") from exc
    if result is None:
        raise EpisodeNotFound(f"no episode {execution_id!r} in {where}")
    return result
