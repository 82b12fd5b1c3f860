"""What every route reaches through `request.app.state.ctx`: store, queue, intake, pools, settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request

from reev.api.catalog import BENCHMARK_ID_PATTERN
from reev.api.intake import RunIntake
from reev.api.settings import ApiSettings
from reev.api.worker_processes import WorkerProcesses
from reev.api.workers import WorkerPool
from reev.store import Store
from reev.store.jobs import JobQueue

EXECUTION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"


@dataclass
class ApiContext:
    """The server's shared objects (one per app)."""

    settings: ApiSettings
    store: Store
    queue: JobQueue
    pool: WorkerPool
    children: WorkerProcesses
    intake: RunIntake
    notify_workers: Callable[[], None]  # wakes the workers, in this process or in children


async def get_ctx(request: Request) -> ApiContext:
    """The app's context (a FastAPI dependency; async, so resolving it costs no
    thread-pool hop on every request)."""
    ctx: ApiContext = request.app.state.ctx
    return ctx


Ctx = Annotated[ApiContext, Depends(get_ctx)]
BenchmarkId = Annotated[
    str, Path(pattern=BENCHMARK_ID_PATTERN, max_length=128, description="Benchmark id.")
]
ExecutionId = Annotated[
    str, Path(pattern=EXECUTION_ID_PATTERN, max_length=64, description="Execution (job) id.")
]
