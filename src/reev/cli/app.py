"""`reev` — Typer entry point. Each command lives in its own module and only parses
arguments; the work happens in the library parts."""

from __future__ import annotations

import typer

from reev.cli.agents_cmd import agents
from reev.cli.benchmarks_cmd import list_benchmarks, validate
from reev.cli.cache_cmd import cache_app
from reev.cli.flow_cmd import flow
from reev.cli.gates_cmd import gates
from reev.cli.new_cmd import new
from reev.cli.report_cmd import report
from reev.cli.run_cmd import run
from reev.cli.schema_cmd import schema
from reev.cli.serve_cmd import serve
from reev.cli.tui_cmd import tui
from reev.cli.validator_cmd import validator

app = typer.Typer(
    name="reev",
    help="Evaluate LLM agents on Solana: benchmarks run on an embedded Solana VM.",
    no_args_is_help=True,
    add_completion=False,
)
app.command()(run)
app.command()(report)
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


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
