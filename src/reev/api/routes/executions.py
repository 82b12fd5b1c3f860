"""reev's run / status / stop routes for one benchmark: `POST /benchmarks/{id}/run` queues
a job (never runs it here) and answers at once; status reads the job row; stop cancels."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.concurrency import run_in_threadpool

from reev.api.context import ApiContext, BenchmarkId, Ctx, ExecutionId
from reev.api.schemas import ExecutionState, RunAccepted, RunRequest, StopResponse
from reev.api.views import result_text, transaction_logs
from reev.store.jobs import QUEUED, RUNNING, TERMINAL, JobInfo

router = APIRouter(tags=["reev: executions"])


def execution_state(ctx: ApiContext, job: JobInfo, *, details: bool = True) -> ExecutionState:
    """A job as reev's ExecutionState; `trace`/`logs` from the stored episode once done."""
    trace = logs = ""
    if details and job.status in TERMINAL:
        result = ctx.store.get_episode(job.id)
        if result is not None:
            trace = result_text(result)
            logs = transaction_logs(result)
    return ExecutionState(
        id=job.id,
        execution_id=job.id,
        run_id=job.run_id,
        benchmark_id=job.benchmark_id,
        agent=job.agent,
        model=job.model,
        epoch=job.epoch,
        seed=job.seed,
        status=job.status,
        progress=job.progress,
        score=job.score,
        passed=job.passed,
        error=job.error,
        created_at=job.created_at,
        start_time=job.started_at,
        end_time=job.finished_at,
        trace=trace,
        logs=logs,
    )


@router.post(
    "/benchmarks/{benchmark_id}/run",
    response_model=RunAccepted,
    status_code=202,
    summary="Queue one episode of a benchmark with an agent",
)
async def run_benchmark(benchmark_id: BenchmarkId, body: RunRequest, ctx: Ctx) -> Response:
    # Queued by the run intake with the other runs posted meanwhile (one commit for a
    # burst: `reev.api.intake`). The answer is the validated RunAccepted model, serialized
    # once: FastAPI's own response pass would validate it a second time.
    answer = await ctx.intake.run_benchmark(benchmark_id, body)
    return Response(answer.model_dump_json(), status_code=202, media_type="application/json")


@router.get(
    "/benchmarks/{benchmark_id}/status/{execution_id}",
    response_model=ExecutionState,
    summary="Status of one execution",
)
def execution_status(
    benchmark_id: BenchmarkId, execution_id: ExecutionId, ctx: Ctx
) -> ExecutionState:
    job = ctx.queue.get(execution_id)
    if job is None or job.benchmark_id != benchmark_id:
        raise HTTPException(status_code=404, detail="execution not found")
    return execution_state(ctx, job)


@router.get(
    "/benchmarks/{benchmark_id}/status",
    response_model=ExecutionState,
    summary="Latest execution of a benchmark (optionally of one agent)",
)
def latest_status(
    benchmark_id: BenchmarkId,
    ctx: Ctx,
    agent: str | None = Query(default=None, max_length=200),
) -> ExecutionState:
    jobs = ctx.queue.list_jobs(benchmark_id=benchmark_id, agent=agent, limit=1)
    if not jobs:
        raise HTTPException(status_code=404, detail="no executions found for benchmark")
    return execution_state(ctx, jobs[0])


@router.post(
    "/benchmarks/{benchmark_id}/stop/{execution_id}",
    response_model=StopResponse,
    summary="Stop an execution (a running episode is cancelled, not just relabelled)",
)
async def stop_execution(
    benchmark_id: BenchmarkId,
    execution_id: ExecutionId,
    ctx: Ctx,
    wait: float = Query(default=5.0, ge=0, le=30, description="Seconds to wait for the stop."),
) -> StopResponse:
    job = await run_in_threadpool(ctx.queue.get, execution_id)
    if job is None or job.benchmark_id != benchmark_id:
        raise HTTPException(status_code=404, detail="execution not found")
    if job.status in TERMINAL:
        raise HTTPException(
            status_code=409, detail=f"execution is not running (status {job.status})"
        )
    status = await run_in_threadpool(ctx.queue.request_cancel, execution_id)
    if status == RUNNING:
        ctx.pool.cancel(execution_id)
        deadline = asyncio.get_running_loop().time() + wait
        while asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
            current = await run_in_threadpool(ctx.queue.get, execution_id)
            status = current.status if current else status
            if status != RUNNING:
                break
    message = (
        "stopped"
        if status not in (RUNNING, QUEUED)
        else "stop requested; the worker running it has not confirmed yet"
    )
    return StopResponse(execution_id=execution_id, status=status or "unknown", message=message)
