"""`reev mcp PATH...`: serve the benchmarks' episodes to an MCP client (docs/mcp.md).

Only argument parsing lives here; `reev.bridges.mcp_server` does the work. The `mcp`
SDK (the `mcp` extra) is imported when the command runs, never at CLI start-up. In
stdio mode stdout carries the protocol, so everything reev prints goes to stderr.
"""

from __future__ import annotations

from typing import Annotated

import typer

from reev.cli.common import (
    PathsArg,
    SeedOpt,
    err_console,
    existing_paths,
    open_cli_store,
    parse_scoring,
    usage_error,
)

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def mcp(
    paths: PathsArg,
    seed: SeedOpt = 0,
    scoring: Annotated[str, typer.Option("--scoring", help="outcome | reev")] = "outcome",
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL or SQLite path (default: REEV_DATABASE_URL)."),
    ] = None,
    run_id: Annotated[
        str | None, typer.Option("--run-id", help="Run id; an existing one is resumed.")
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", help="Seconds the client may take per step (default: none)."),
    ] = None,
    http: Annotated[
        int | None,
        typer.Option("--http", help="Serve streamable HTTP on this port (default: stdio)."),
    ] = None,
    host: Annotated[
        str, typer.Option("--host", help="Address for --http (loopback only).")
    ] = "127.0.0.1",
) -> None:
    """Serve the episodes of the benchmarks at PATH (one after another) to an MCP client:
    reev's tools, a `task` resource and `finish`, which scores and stores the episode."""
    import asyncio  # here, not at import: `reev --help` stays fast

    profile = parse_scoring(scoring)
    if timeout is not None and timeout <= 0:
        raise usage_error("--timeout must be a positive number of seconds")
    if http is not None and not 0 <= http <= 65535:
        raise usage_error(f"--http must be a port number, not {http}")
    if host not in LOOPBACK:
        raise usage_error(f"--host must be a loopback address ({', '.join(LOOPBACK)})")
    try:
        from reev.bridges.mcp_server.server import serve_http, serve_stdio
    except ImportError as exc:
        raise usage_error(
            f"reev mcp needs the mcp extra: pip install 'reev[mcp]' ({exc})"
        ) from None
    from reev.bridges.mcp_server.session import EpisodeOptions, McpEpisodes
    from reev.bridges.selection import select_benchmarks

    paths = existing_paths(paths)
    try:
        loaded = select_benchmarks([str(p) for p in paths])
    except ValueError as exc:
        raise usage_error(str(exc)) from None
    store = open_cli_store(db)
    options = EpisodeOptions(
        benchmarks=[str(p) for p in paths],
        seed=seed,
        scoring=profile,
        step_timeout=timeout,
        run_id=run_id,
    )
    episodes = McpEpisodes(loaded, options, store)
    where = f"http://{host}:{http}/mcp" if http is not None else "stdio"
    err_console.print(f"reev mcp: {len(loaded)} benchmark(s) on {where}", highlight=False)
    try:
        if http is None:
            asyncio.run(serve_stdio(episodes))
        else:
            asyncio.run(serve_http(episodes, host, http))
    except KeyboardInterrupt:
        pass
    finally:
        store.close()
    recorded = len(episodes.results)
    err_console.print(
        f"reev mcp: {recorded} episode(s) recorded"
        + (f" in run {episodes.run_id}" if episodes.client is not None else ""),
        highlight=False,
    )
