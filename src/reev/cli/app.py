"""`reev` — Typer entry point. Each command lives in its own module and only parses
arguments; the work happens in the library parts.

Start-up is kept short: the command modules import only Typer, Rich's console and the
standard library at module level, and load the library parts (pydantic models, the VM,
the store, the openai SDK, FastAPI, Textual) inside the command that runs. So `reev
--help`, `reev --version` and argument errors answer at once (bench/startup.py measures
it; tests/cli/test_startup.py checks what is loaded).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from reev import __version__
from reev.cli.agents_cmd import agents
from reev.cli.benchmarks_cmd import list_benchmarks, validate
from reev.cli.cache_cmd import cache_app
from reev.cli.common import err_console
from reev.cli.flow_cmd import flow
from reev.cli.gates_cmd import gates
from reev.cli.mcp_cmd import mcp
from reev.cli.new_cmd import new
from reev.cli.report_cmd import report
from reev.cli.rescore_cmd import rescore
from reev.cli.run_cmd import run
from reev.cli.schema_cmd import schema
from reev.cli.serve_cmd import serve
from reev.cli.signals import Stopped, install_handlers
from reev.cli.tui_cmd import tui
from reev.cli.validator_cmd import validator

app = typer.Typer(
    name="reev",
    help="Evaluate LLM agents on Solana: benchmarks run on an embedded Solana VM.",
    no_args_is_help=True,
    add_completion=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"reev {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print reev's version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Evaluate LLM agents on Solana: benchmarks run on an embedded Solana VM."""


app.command()(run)
app.command()(report)
app.command()(rescore)
app.add_typer(cache_app, name="cache")
app.command()(validate)
app.command("list")(list_benchmarks)
app.command()(agents)
app.command()(flow)
app.command()(gates)
app.command()(tui)
app.command()(validator)
app.command()(serve)
app.command()(schema)
app.command()(new)
app.command()(mcp)


def main() -> None:
    """Console-script entry point: SIGINT/SIGTERM stop a command with exit 130/143."""
    install_handlers()
    try:
        app()
    except Stopped as stop:
        err_console.print(f"stopped by {stop.signal_name}", highlight=False)
        sys.exit(stop.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
