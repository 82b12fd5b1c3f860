"""`reev serve`: the REST API (and, when installed, the dashboard) on uvicorn.

The listening socket is bound before the app is built (bind first, then claim): uvicorn
runs the app's start-up — which starts the workers that claim queued jobs — before it
binds, so a second server on a taken port would otherwise claim jobs, call models, then
fail to listen and mark them interrupted.
"""

from __future__ import annotations

import gc
import socket
from pathlib import Path
from typing import Annotated

import typer

from reev.cli.common import err_console, open_cli_store, usage_error


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=0, max=65535)
    ] = 3001,
    db: Annotated[
        str | None, typer.Option("--db", help="Database URL or SQLite path (REEV_DATABASE_URL).")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Episodes run at once (0: queue only).", min=0)
    ] = 2,
    worker_processes: Annotated[
        str,
        typer.Option(
            "--worker-processes",
            help="Run the workers in N processes of their own, --workers episodes each "
            "(0: in the server's process), so requests and episodes use separate cores. "
            "auto: one per core, at most 4; 0 on one core or an in-memory database.",
            metavar="N|auto",
        ),
    ] = "auto",
    benchmarks: Annotated[
        list[Path] | None,
        typer.Option("--benchmarks", help="Benchmark folder(s) to sync (default ./benchmarks)."),
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="Allowed browser origin (repeat; REEV_CORS_ORIGINS)."),
    ] = None,
    insecure: Annotated[
        bool, typer.Option("--insecure", help="Allow a non-loopback bind without a token.")
    ] = False,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="Host name the server answers to besides loopback ones (repeat; `*.domain`, "
            "`*`; REEV_ALLOWED_HOSTS).",
        ),
    ] = None,
    allow_base_url: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-base-url",
            help="Endpoint (URL prefix) a posted run's base_url may use (repeat; "
            "REEV_ALLOWED_BASE_URLS). None by default: the server's key goes only where "
            "its own configuration points.",
        ),
    ] = None,
    episode_timeout: Annotated[
        float, typer.Option("--episode-timeout", help="Seconds an agent may take per step.")
    ] = 600.0,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
) -> None:
    """Serve reev's REST API with a durable job queue (OpenAPI docs at /docs)."""
    import uvicorn

    from reev.api.app import create_app
    from reev.api.security import bind_refusal
    from reev.api.settings import (
        ApiSettings,
        allowed_base_urls_from_env,
        cors_from_env,
        default_benchmark_dirs,
        token_from_env,
    )
    from reev.inputs.hosts import server_allowed_hosts
    from reev.runner.gc_policy import for_many_episodes

    token = token_from_env()
    refusal = bind_refusal(host, token, insecure)
    if refusal:
        raise usage_error(refusal)
    try:
        listener = bind_listener(host, port)
    except OSError as exc:
        raise usage_error(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    store = open_cli_store(db, release=listener.close)
    processes = parse_worker_processes(worker_processes, workers, store.url)
    if isinstance(processes, str):
        listener.close()
        store.close()
        raise usage_error(processes)
    dirs = [p.resolve() for p in benchmarks] if benchmarks else default_benchmark_dirs()
    for d in dirs:
        try:
            is_dir = d.is_dir()
        except OSError as exc:  # under a folder that cannot be searched
            raise usage_error(f"cannot read benchmark folder {d}: {exc.strerror}") from exc
        if not is_dir:
            raise usage_error(f"benchmark folder {d} does not exist")
    settings = ApiSettings(
        db_url=store.url,
        workers=workers,
        worker_processes=processes,
        benchmark_dirs=dirs,
        token=token,
        cors_origins=list(cors_origin or []) or cors_from_env(),
        allowed_hosts=server_allowed_hosts(host, allowed_host),
        allowed_base_urls=list(allow_base_url or []) or allowed_base_urls_from_env(),
        episode_timeout=episode_timeout if episode_timeout > 0 else None,
    )
    bound_port = listener.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    err_console.print(
        f"reev API on http://{shown}:{bound_port} (docs /docs), database {store.display_url}, "
        f"{where_workers(workers, processes, worker_processes)}, token {'required' if token else 'off'}"
    )
    app = create_app(settings, store=store)
    # Access lines are logged at INFO: below that level uvicorn need not format them.
    access_log = log_level.lower() in ("info", "debug", "trace")
    config = uvicorn.Config(
        app, log_level=log_level, access_log=access_log, timeout_graceful_shutdown=10
    )
    # Everything imported so far lives as long as the server: keep it out of the cyclic
    # garbage collector's full passes (~150 ms each over ~130,000 objects, a pause every
    # in-flight request would wait through); with workers in this process, episodes'
    # short-lived objects also get the run's larger young generation.
    if settings.workers and not processes:
        for_many_episodes()
    else:
        gc.freeze()
    try:
        uvicorn.Server(config).run(sockets=[listener])
    finally:
        listener.close()
        store.close()


def parse_worker_processes(value: str, workers: int, db_url: str) -> int | str:
    """`--worker-processes`: a count, or `auto` resolved for this machine and database;
    the text of a usage error for anything else (a negative or unknown value, or worker
    processes on an in-memory database)."""
    from reev.api.worker_processes import AUTO, auto_worker_processes, unshareable

    if value.strip().lower() == AUTO:
        return auto_worker_processes(workers, db_url)
    try:
        count = int(value)
    except ValueError:
        count = -1
    if count < 0:
        return f"--worker-processes must be a count (0 or more) or auto, not {value!r}"
    return unshareable(count, db_url) or count


def where_workers(workers: int, processes: int, asked: str = "") -> str:
    """How many episodes run at once, and where (the start-up line)."""
    how = " (--worker-processes auto)" if asked.strip().lower() == "auto" else ""
    if processes == 0:
        return f"{workers} worker(s) in the server's process{how}"
    return f"{processes} worker process(es) x {workers} worker(s){how}"


def bind_listener(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (IPv4 or IPv6), or OSError (port taken, …)."""
    family, kind, proto, _name, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # not REUSEPORT
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock
