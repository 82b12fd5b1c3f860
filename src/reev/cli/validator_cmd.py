"""`reev validator`: serve the embedded Solana VM over Solana's JSON-RPC."""

from __future__ import annotations

import contextlib
import socket
from pathlib import Path
from typing import Annotated

import typer

from reev.cli.common import SeedOpt, console, usage_error
from reev.cli.signals import Stopped


def validator(
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="JSON-RPC port.")] = 8899,
    ws_port: Annotated[
        int | None,
        typer.Option("--ws-port", help="Websocket port (default: --port + 1, like Solana)."),
    ] = None,
    benchmark: Annotated[
        Path | None,
        typer.Option("--benchmark", help="Load this benchmark's initial state."),
    ] = None,
    seed: SeedOpt = 0,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="Host name the validator answers to besides loopback ones and --host "
            "(repeat; `*.domain`, `*`; REEV_ALLOWED_HOSTS).",
        ),
    ] = None,
) -> None:
    """Run a JSON-RPC 2.0 Solana validator over one LiteSVM (HTTP and websocket),
    with surfpool's cheat codes and reev_snapshot / reev_revert. It answers only to
    loopback Host names (and --host, --allowed-host), so a web page cannot drive it."""
    from rich.table import Table

    from reev.benchmark.loader import BenchmarkLoadError, load_benchmark
    from reev.chain.env import ChainSetupError
    from reev.chain.rpc_server.server import bind, serve_forever, state_for
    from reev.inputs.hosts import server_allowed_hosts

    loaded = None
    if benchmark is not None:
        try:
            loaded = load_benchmark(benchmark)
        except BenchmarkLoadError as exc:
            for issue in exc.issues:
                console.print(f"[red]✗[/red] {issue}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    try:
        state = state_for(loaded, seed)
    except ChainSetupError as exc:
        raise usage_error(f"cannot build the initial state: {exc}") from None
    ws = port + 1 if ws_port is None else ws_port
    try:
        sockets = [bind(host, port)] + ([bind(host, ws)] if ws != port else [])
    except (OSError, socket.gaierror) as exc:
        raise usage_error(f"cannot listen on {host}:{port}/{ws}: {exc}") from None
    if loaded is not None:
        table = Table(title=f"{loaded.id} (seed {seed}): placeholder → pubkey")
        table.add_column("placeholder")
        table.add_column("pubkey")
        for name, key in state.key_map.items():
            table.add_row(name, key)
        console.print(table)
    bound = [sock.getsockname()[1] for sock in sockets]  # the real ports when 0 was asked
    console.print(f"JSON-RPC  http://{host}:{bound[0]}", highlight=False)
    console.print(f"Websocket ws://{host}:{bound[-1]}", highlight=False)
    console.print("Ctrl-C to stop.")
    # uvicorn shuts down gracefully on Ctrl-C or SIGTERM, then re-raises the signal:
    # stopping the validator that way is its normal end, not an error.
    with contextlib.suppress(KeyboardInterrupt, Stopped):
        serve_forever(
            state,
            sockets,
            log_level="warning",
            allowed_hosts=server_allowed_hosts(host, allowed_host),
        )
    console.print("validator stopped")
