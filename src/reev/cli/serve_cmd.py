"""`reev serve`: the REST API (and, when installed, the dashboard) on uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reev.cli.common import err_console, usage_error


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
    episode_timeout: Annotated[
        float, typer.Option("--episode-timeout", help="Seconds an agent may take per step.")
    ] = 600.0,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
) -> None:
    """Serve reev's REST API with a durable job queue (OpenAPI docs at /docs)."""
    import uvicorn

    from reev.api.app import create_app
    from reev.api.security import bind_refusal
    from reev.api.settings import ApiSettings, cors_from_env, default_benchmark_dirs, token_from_env
    from reev.store import StoreError, open_store

    token = token_from_env()
    refusal = bind_refusal(host, token, insecure)
    if refusal:
        raise usage_error(refusal)
    try:
        store = open_store(db)
    except StoreError as exc:
        raise usage_error(str(exc)) from exc
    dirs = [p.resolve() for p in benchmarks] if benchmarks else default_benchmark_dirs()
    for d in dirs:
        if not d.is_dir():
            raise usage_error(f"benchmark folder {d} does not exist")
    settings = ApiSettings(
        db_url=store.url,
        workers=workers,
        benchmark_dirs=dirs,
        token=token,
        cors_origins=list(cors_origin or []) or cors_from_env(),
        episode_timeout=episode_timeout if episode_timeout > 0 else None,
    )
    err_console.print(
        f"reev API on http://{host}:{port} (docs /docs), database {store.display_url}, "
        f"{workers} worker(s), token {'required' if token else 'off'}"
    )
    app = create_app(settings, store=store)
    try:
        uvicorn.run(app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=10)
    finally:
        store.close()
