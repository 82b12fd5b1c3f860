"""The app factory: `create_app(settings)` builds the FastAPI app; its lifespan opens the
store, syncs the benchmark folders, settles what a dead server left Running and starts the
workers, and on shutdown stops them (see `reev.api.workers`).

Nothing here kills processes or frees ports. `reev serve` binds its socket before the
app starts (bind first, then claim): a server that cannot listen never starts workers,
so it claims no job.

The web dashboard (issue 7) plugs in here: when the package `reev.web` defines
`mount(app: FastAPI) -> None`, it is called after the API routes are added, so the
dashboard is served by the same server and talks only to `/api/v1`.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from reev import __version__
from reev.api.catalog import sync_benchmark_dirs
from reev.api.context import ApiContext
from reev.api.intake import RunIntake
from reev.api.routes import benchmarks, compare, events, executions, logs, meta, runs
from reev.api.security import AllowedHostsMiddleware, BodyLimitMiddleware, token_dependency
from reev.api.settings import ApiSettings
from reev.api.worker_processes import WorkerProcesses
from reev.api.workers import WorkerPool
from reev.store import Store, StoreError, open_store
from reev.store.jobs import JobQueue

log = logging.getLogger("reev.api")

API_PREFIX = "/api/v1"
DESCRIPTION = """reev's REST API: reev's `/api/v1` routes (same paths and JSON shapes where
they were sound) and newer ones (suite runs, episodes, leaderboard, server-sent events).
Runs are jobs in a durable queue in the database, executed by worker tasks, never in the
request handler. Mutating routes need `Authorization: Bearer <REEV_API_TOKEN>` when the
server has a token. See docs/api.md."""


def create_app(settings: ApiSettings | None = None, *, store: Store | None = None) -> FastAPI:
    """The API app. `store` (already open) wins over `settings.db_url`; the app closes
    only a store it opened itself."""
    config = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_store = store is None
        st = store if store is not None else open_store(config.db_url)
        queue = JobQueue(st)
        if config.sync_on_start:
            report = await run_in_threadpool(sync_benchmark_dirs, st, config.benchmark_dirs)
            for error in report.errors:
                log.warning("benchmark not synced: %s", error)
        try:
            await run_in_threadpool(benchmarks.warm_listing, st)
        except SQLAlchemyError as exc:  # the first GET builds it (and answers the error)
            log.warning("benchmark listing not built at start-up: %s", exc)
        # With worker processes the server's own pool claims nothing: its children do.
        in_process = replace(config, workers=0) if config.worker_processes > 0 else config
        pool = WorkerPool(st, queue, in_process)
        await run_in_threadpool(pool.start)
        children = WorkerProcesses(config)
        await run_in_threadpool(children.start)
        for run_id, status in (await run_in_threadpool(queue.reconcile_runs)).items():
            log.warning("run %s had no live job left; now %s", run_id, status)

        def notify_workers() -> None:  # jobs were queued: wake this server's workers
            pool.notify()
            children.notify()

        intake = RunIntake(st, queue, config, notify_workers)
        intake.start()
        app.state.ctx = ApiContext(
            settings=config,
            store=st,
            queue=queue,
            pool=pool,
            children=children,
            intake=intake,
            notify_workers=notify_workers,
        )
        try:
            yield
        finally:
            await run_in_threadpool(intake.stop)  # what was posted is queued first
            await run_in_threadpool(pool.stop)
            await run_in_threadpool(children.stop)
            queue.close()
            if own_store:
                st.close()

    app = FastAPI(
        title="reev API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc: reev.web serves them from vendored files
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    if config.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=config.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
        )
    app.add_middleware(BodyLimitMiddleware, limit=config.max_body_bytes)
    app.add_middleware(AllowedHostsMiddleware, allowed=config.allowed_hosts)  # outermost
    guard = [Depends(token_dependency(config.token))]
    for module in (meta, benchmarks, executions, logs, runs, events, compare):
        app.include_router(module.router, prefix=API_PREFIX, dependencies=guard)

    @app.exception_handler(StoreError)
    @app.exception_handler(OperationalError)
    async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
        log.error("database error: %s", exc)
        return JSONResponse(status_code=503, content={"detail": "database unavailable"})

    @app.exception_handler(SQLAlchemyError)
    async def _database_error(_request: Request, exc: Exception) -> JSONResponse:
        # SQLAlchemy's message holds the SQL statement and its parameters: log it, never
        # send it to the client.
        log.error("database error: %s", exc)
        return JSONResponse(status_code=500, content={"detail": "database error"})

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes each bad value back (`input`): a key sent by mistake
        # would be returned and logged by proxies. Say where and why, never what.
        errors = [
            {"type": e.get("type"), "loc": list(e.get("loc", ())), "msg": e.get("msg")}
            for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": errors})

    mount_web(app)
    return app


def mount_web(app: FastAPI) -> bool:
    """Let the dashboard package mount itself (`reev.web.mount(app)`), when it exists."""
    try:
        web = importlib.import_module("reev.web")
    except ImportError:
        return False
    mount = getattr(web, "mount", None)
    if not callable(mount):
        return False
    mount(app)
    return True
