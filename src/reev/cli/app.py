"""`reev` — Typer entry point. Each command lives in its own module and only parses
arguments; the work happens in the library parts.

Start-up is kept short:

- the commands are a lazy group (`ReevGroup`): `reev COMMAND` imports only COMMAND's
  module and builds only its parameters; `reev --help` lists the commands from `COMMANDS`
  (name, module, one-line summary) without importing any of them, and `reev --version`
  answers before any is loaded;
- help and usage errors are Click's plain text, not Rich panels (Typer's Rich help alone
  loaded `rich.markdown`, `markdown_it` and `pygments` and took longer to lay out than all
  of reev's imports);
- the command modules import only Typer, Rich's console and the standard library at module
  level, and load the library parts (pydantic models, the VM, the store, the openai SDK,
  FastAPI, Textual) inside the command that runs.

`bench/end_to_end.py --startup-only` measures it; tests/cli/test_startup.py checks what is
loaded (not how long it takes).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

import typer
from typer._click import Command, Context, HelpFormatter  # Typer 0.29 vendors Click
from typer.core import TyperGroup
from typer.models import CommandInfo

from reev import __version__
from reev.cli.signals import Stopped, install_handlers

# Every command: (name, "module:attribute", one-line summary), in the order `reev --help`
# lists them. The attribute is a command function or a Typer app (a command group). The
# summary is the first paragraph of the command's help, written here so listing the
# commands imports none of them; tests/cli/test_startup.py checks that the two agree.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("run", "reev.cli.run_cmd:run",
     "Run benchmarks with an agent, print result trees and a summary, exit 1 if any errored."),
    ("report", "reev.cli.report_cmd:report",
     "Statistics of a stored run: mean score, pass rate, pass@k, pass^k with bootstrap "
     "intervals, tokens, cost, duration, and whether agents differ by more than the noise."),
    ("rescore", "reev.cli.rescore_cmd:rescore",
     "Re-score a run's stored episodes with the current scorer and stamp its version."),
    ("validate", "reev.cli.benchmarks_cmd:validate",
     "Validate benchmark files; exit 1 when any is invalid (or, with --gates, a gate fails)."),
    ("list", "reev.cli.benchmarks_cmd:list_benchmarks",
     "List benchmarks: id, description, tags and the prompt as given to agents."),
    ("agents", "reev.cli.agents_cmd:agents",
     "List the agents and presets, scoring profiles, assertion types, executors and tools — "
     "reev's and those of installed plugins — and what each agent needs."),
    ("flow", "reev.cli.flow_cmd:flow",
     "Print an episode's Mermaid stateDiagram (reev's shape) or its transaction-log tree."),
    ("gates", "reev.cli.gates_cmd:gates",
     "Prove each benchmark: reference passes, null passes only refuse tasks, junk and "
     "negative solutions fail. Exit 1 when any gate fails."),
    ("tui", "reev.cli.tui_cmd:tui",
     "Terminal UI: pick an agent, browse benchmarks and their last scores, run one or all."),
    ("validator", "reev.cli.validator_cmd:validator",
     "Run a JSON-RPC 2.0 Solana validator over one LiteSVM (HTTP and websocket), with "
     "surfpool's cheat codes and reev_snapshot / reev_revert. It answers only to loopback "
     "Host names (and --host, --allowed-host), so a web page cannot drive it."),
    ("serve", "reev.cli.serve_cmd:serve",
     "Serve reev's REST API with a durable job queue (OpenAPI docs at /docs)."),
    ("schema", "reev.cli.schema_cmd:schema",
     "Print the JSON Schema of the benchmark format (for editors: see "
     "docs/benchmark-format.md)."),
    ("new", "reev.cli.new_cmd:new",
     "Write NAME.yml: a commented benchmark of FAMILY that passes `reev validate`."),
    ("mcp", "reev.cli.mcp_cmd:mcp",
     "Serve the episodes of the benchmarks at PATH (one after another) to an MCP client: "
     "reev's tools, a `task` resource and `finish`, which scores and stores the episode."),
    ("cache", "reev.cli.cache_cmd:cache_app", "The model-call cache (`reev run --cache`)."),
)  # fmt: skip

_TARGETS = {name: target for name, target, _ in COMMANDS}
SUMMARIES = {name: summary for name, _, summary in COMMANDS}


def load_command(name: str) -> Any:
    """The command function (or Typer group) behind `reev NAME`, its module imported."""
    module, attribute = _TARGETS[name].split(":")
    return getattr(importlib.import_module(module), attribute)


def build_command(name: str) -> Command:
    """The Click command of `reev NAME`, built as `app.command()` would have built it."""
    target = load_command(name)
    if isinstance(target, typer.Typer):
        command = typer.main.get_group(target)  # as add_typer: no completion options
        command.name = name
        return command
    return typer.main.get_command_from_info(
        CommandInfo(name=name, callback=target),
        pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=None,
    )


class _LazyCommands(MutableMapping[str, Command]):
    """`TyperGroup.commands` whose values are built on first access: the keys are known
    up front (`COMMANDS`), a command's module is imported only when it is looked up."""

    def __init__(self) -> None:
        self._built: dict[str, Command] = {}

    def __getitem__(self, name: str) -> Command:
        if name not in _TARGETS:
            raise KeyError(name)
        if name not in self._built:
            self._built[name] = build_command(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Command) -> None:
        raise TypeError(f"reev's commands are listed in reev.cli.app.COMMANDS, not {name!r}")

    def __delitem__(self, name: str) -> None:
        raise TypeError(f"reev's commands are listed in reev.cli.app.COMMANDS, not {name!r}")

    def __iter__(self) -> Iterator[str]:
        return iter(_TARGETS)

    def __len__(self) -> int:
        return len(_TARGETS)

    def __contains__(self, name: object) -> bool:
        return name in _TARGETS


class ReevGroup(TyperGroup):
    """The `reev` group: commands loaded lazily, listed in `--help` from `COMMANDS`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _LazyCommands()

    def list_commands(self, ctx: Context) -> list[str]:
        return list(_TARGETS)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        """The commands with their whole one-line summaries (Click would cut them to the
        width left and end them with `...`), wrapped under each other."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, _, summary in COMMANDS])


app = typer.Typer(
    name="reev",
    cls=ReevGroup,
    help="Evaluate LLM agents on Solana: benchmarks run on an embedded Solana VM.",
    no_args_is_help=True,
    add_completion=False,
    # Plain help and usage errors (see the module docstring); an unexpected exception
    # prints Python's own traceback (exit 1), not Rich's panels.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
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


def main() -> None:
    """Console-script entry point: SIGINT/SIGTERM stop a command with exit 130/143.

    Pydantic plugins are not loaded unless PYDANTIC_DISABLE_PLUGINS is set (an empty value
    loads them all): looking for them reads the metadata of every installed distribution,
    ~0.1 s of `reev validate` in a development environment, and reev uses none.
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    install_handlers()
    try:
        app()
    except Stopped as stop:
        from reev.cli.common import err_console

        err_console.print(f"stopped by {stop.signal_name}", highlight=False)
        sys.exit(stop.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
