"""Shared pieces of the CLI commands: consoles, common options, usage errors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from reev.results.scoring import SCORING_PROFILES, ScoringProfile

# Piped output (CI logs, files) gets 120 columns instead of Rich's 80, so result tables
# keep whole benchmark ids and scores; a terminal keeps its own width.
console = Console()
if not console.is_terminal:
    console = Console(width=120)
err_console = Console(stderr=True)

PathsArg = Annotated[list[Path], typer.Argument(help="Benchmark files or directories.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the derived keys.")]


def usage_error(message: str) -> typer.Exit:
    """Print a usage error; the caller raises the returned Exit (code 2)."""
    err_console.print(f"[red]error:[/red] {message}")
    return typer.Exit(2)


def parse_scoring(value: str) -> ScoringProfile:
    """The scoring profile named by `--scoring`, or a usage error naming the valid ones."""
    if value not in SCORING_PROFILES:
        raise usage_error(f"--scoring must be one of {', '.join(SCORING_PROFILES)}, not {value!r}")
    return "reev" if value == "reev" else "outcome"
