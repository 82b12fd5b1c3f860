"""Shared pieces of the CLI commands: consoles, common options, usage errors.

Only the standard library and Typer load here: every command module imports this, and a
command must not pay for the library parts it does not use (they load inside the command
that needs them; tests/cli/test_startup.py checks it). Rich's consoles, `console` and
`err_console`, are made on first use (`from reev.cli.common import console` makes it), so
`reev validate`, which writes plain lines (`print_marked`), never loads Rich.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from reev.store import Store

    console: Console
    err_console: Console


@functools.cache
def stdout_console() -> Console:
    """Rich's console on stdout. Piped output (CI logs, files) gets 120 columns instead of
    Rich's 80, so result tables keep whole benchmark ids and scores; a terminal keeps its
    own width."""
    from rich.console import Console

    made = Console()
    return made if made.is_terminal else Console(width=120)


@functools.cache
def stderr_console() -> Console:
    """Rich's console on stderr."""
    from rich.console import Console

    return Console(stderr=True)


def __getattr__(name: str) -> Console:
    """`console` and `err_console`, made (and Rich imported) on first use."""
    if name == "console":
        return stdout_console()
    if name == "err_console":
        return stderr_console()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _colour(stream: object) -> bool:
    """Whether to colour `stream`: a terminal, and neither NO_COLOR nor TERM=dumb (as
    Rich decides)."""
    isatty = getattr(stream, "isatty", None)
    return (
        callable(isatty)
        and bool(isatty())
        and not os.environ.get("NO_COLOR")
        and os.environ.get("TERM") != "dumb"
    )


def print_marked(ok: bool, text: str) -> None:
    """`✓ text` or `✗ text` on stdout as one plain line (never wrapped, never read as
    markup), the mark green or red on a colour terminal; no Rich."""
    mark = "✓" if ok else "✗"
    colour = _colour(sys.stdout)
    if colour:
        mark = typer.style(mark, fg="green" if ok else "red")
    typer.echo(f"{mark} {text}", color=colour)


PathsArg = Annotated[list[Path], typer.Argument(help="Benchmark files or directories.")]
SeedOpt = Annotated[
    int,
    typer.Option("--seed", help="Seed of the derived keys (and, plus the epoch, of LLM sampling)."),
]


def usage_error(message: str) -> typer.Exit:
    """Print a usage error; the caller raises the returned Exit (code 2).

    Soft-wrapped: a long path in the message stays on one line (copyable), whatever the
    console width."""
    stderr_console().print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def open_cli_store(db: str | None, release: Callable[[], object] | None = None) -> Store:
    """The store a command writes to or reads (`--db`, else the default), with a notice
    for each run that opening it marked interrupted; a store that cannot be opened is a
    usage error (exit 2), after `release` has freed what the command held already."""
    from reev.store import StoreError, open_store

    try:
        store = open_store(db)
    except StoreError as exc:
        if release is not None:
            release()
        raise usage_error(str(exc)) from exc
    report_reconciled(store)
    return store


def report_reconciled(store: Store) -> None:
    """Print a notice (stderr) for each run that opening the store found abandoned by a
    killed process and marked interrupted (`Store.reconcile_abandoned_runs`)."""
    for abandoned in store.reconciled:
        stderr_console().print(
            f"[yellow]note:[/yellow] {abandoned.describe()}", highlight=False, soft_wrap=True
        )


def parse_scoring(value: str) -> str:
    """The scoring profile named by `--scoring` (a registered one: reev's or a plugin's), or
    a usage error naming the known ones. Called inside a command: it loads the registry."""
    from reev.plugins.registry import PluginError, load_plugins
    from reev.scoring.profiles import PROFILES

    try:
        load_plugins()
    except PluginError as exc:
        raise usage_error(str(exc)) from exc
    if value not in PROFILES:
        raise usage_error(f"--scoring must be one of {', '.join(PROFILES)}, not {value!r}")
    return value


def path_exists(path: Path) -> bool:
    """False only when there is no such path. `Path.exists()` raises PermissionError for a
    path under a folder that cannot be searched; such a path is there as far as the
    command line goes, and the loader reports it as `path:1:1: cannot read file: …`."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:  # EACCES, ELOOP, …: the reader says which
        return True
    return True


def existing_paths(paths: Sequence[Path]) -> list[Path]:
    """The paths as given, or a usage error (exit 2) naming those that do not exist.

    A missing file is a mistake on the command line, not a benchmark that failed: nothing
    runs and nothing is stored.
    """
    missing = [str(p) for p in paths if not path_exists(p)]
    if missing:
        raise usage_error(f"no such file or directory: {', '.join(missing)}")
    return list(paths)
