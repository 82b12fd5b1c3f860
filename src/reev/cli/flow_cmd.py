"""`reev flow EXECUTION_ID|FILE`: an episode's Mermaid flow diagram or transaction-log tree.

The episode is a session file named on the command line (`reev flow session_<id>.json`),
or found in a `--json` results file (`--results`), in the store (`--db URL`), or in the
session file `reev run` wrote (`<out-dir>/sessions/session_<id>.json`), then the default
store. Files are read within limits (`reev.inputs`): a hostile or broken one is
`path: message` and exit 2, never a hang or a traceback. The work happens in
`reev.tracing.mermaid` / `reev.tracing.txlog`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from reev.cli.common import err_console, usage_error
from reev.home import data_dir

if TYPE_CHECKING:
    from reev.results.records import EpisodeResult


class EpisodeNotFound(LookupError):
    """No source holds the execution id (or the database could not be read): exit 1."""


class FlowInputError(ValueError):
    """A file to read the episode from is missing, not a regular file, over a limit or of
    the wrong shape (`path: message`): exit 2, like any other bad argument."""


MIB = 1_048_576
# A session file is one episode (an LLM transcript may be a few MB); a results file is a
# whole `reev run --json` (~17 KB per reference episode, more with transcripts).
SESSION_FILE_MAX_BYTES = 64 * MIB
RESULTS_FILE_MAX_BYTES = 256 * MIB


def flow(
    execution_id: Annotated[
        str,
        typer.Argument(
            metavar="EXECUTION_ID|FILE",
            help="The episode's execution id, or a session file (`session_<id>.json`).",
        ),
    ],
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
    except FlowInputError as exc:
        raise usage_error(str(exc)) from None
    except EpisodeNotFound as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False)
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
    """The recorded episode with this id (or in this session file), from the first source
    that has it."""
    if names_a_file(execution_id):
        return _from_session_file(Path(execution_id))
    out_dir = out_dir if out_dir is not None else data_dir()
    if results is not None:
        return _from_results(execution_id, results)
    if db is not None:
        return _from_store(execution_id, db)
    session = out_dir / "sessions" / f"session_{execution_id}.json"
    try:
        return _from_session_file(session)
    except _NoSuchFile:
        pass
    try:
        return _from_store(execution_id, None)
    except EpisodeNotFound as exc:
        raise EpisodeNotFound(f"{exc}; no session file {session} either") from exc


def names_a_file(argument: str) -> bool:
    """An argument with a path separator or a `.json` ending is a file, not an id
    (execution ids are UUIDs)."""
    return "/" in argument or "\\" in argument or argument.lower().endswith(".json")


class _NoSuchFile(FlowInputError):
    pass


def _read_json(path: Path, max_bytes: int, what: str) -> Any:
    from reev.inputs import InputFileError, JsonLimitError, JsonLimits, read_json_file

    try:
        return read_json_file(path, JsonLimits(max_bytes=max_bytes))
    except InputFileError as exc:
        kind = _NoSuchFile if exc.missing else FlowInputError
        raise kind(f"{path}: cannot read the {what}: {exc}") from None
    except JsonLimitError as exc:
        raise FlowInputError(f"{path}: not a {what}: {exc}") from None


def _from_session_file(path: Path) -> EpisodeResult:
    from reev.tracing.session_file import SessionFileError, episode_from_session

    document = _read_json(path, SESSION_FILE_MAX_BYTES, "session file")
    try:
        return episode_from_session(document)
    except SessionFileError as exc:
        raise FlowInputError(f"{path}: not a session file: {exc}") from None


def _from_results(execution_id: str, path: Path) -> EpisodeResult:
    from pydantic import ValidationError

    from reev.results.records import EpisodeResult

    data = _read_json(path, RESULTS_FILE_MAX_BYTES, "results file")
    items = data.get("results") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise FlowInputError(f"{path}: not a results file: no `results` list")
    for n, item in enumerate(items):
        if isinstance(item, dict) and item.get("execution_id") == execution_id:
            try:
                return EpisodeResult.model_validate(item)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(x) for x in first["loc"])
                raise FlowInputError(f"{path}: results[{n}].{where}: {first['msg']}") from None
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
