"""Shared pieces of the CLI commands: consoles, common options, usage errors.

Only the standard library, Typer and Rich's console load here: every command module
imports this, and `reev --help` must not pay for the library parts (they load inside the
command that needs them; tests/cli/test_startup.py checks it).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from reev.store import Store

# Piped output (CI logs, files) gets 120 columns instead of Rich's 80, so result tables
# keep whole benchmark ids and scores; a terminal keeps its own width.
console = Console()
if not console.is_terminal:
    console = Console(width=120)
err_console = Console(stderr=True)

PathsArg = Annotated[list[Path], typer.Argument(help="Benchmark files or directories.")]
SeedOpt = Annotated[
    int,
    typer.Option("--seed", help="Seed of the derived keys (and, plus the epoch, of LLM sampling)."),
]


def usage_error(message: str) -> typer.Exit:
    """Print a usage error; the caller raises the returned Exit (code 2)."""
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(2)


def report_reconciled(store: Store) -> None:
    """Print a notice (stderr) for each run that opening the store found abandoned by a
    killed process and marked interrupted (`Store.reconcile_abandoned_runs`)."""
    for abandoned in store.reconciled:
        err_console.print(f"[yellow]note:[/yellow] {abandoned.describe()}", highlight=False)


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
