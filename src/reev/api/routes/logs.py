"""reev's log and flow routes: `/flow-logs`, `/flows`, `/transaction-logs`,
`/execution-logs`. All read stored episodes (and the queue for what is still running);
"the first in-memory execution" of reev (a random one) is here always the newest."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse

from reev.api.answer_models import ExecutionLog, FlowAnswer, FlowLogs, TransactionLogs
from reev.api.context import BenchmarkId, Ctx, ExecutionId
from reev.api.routes.executions import execution_state
from reev.api.views import diagram_page, flow_diagram, result_text, transaction_logs
from reev.results.records import EpisodeResult
from reev.store.api_queries import latest_episodes
from reev.store.jobs import QUEUED, RUNNING
from reev.store.labels import agent_label

router = APIRouter(tags=["reev: logs and flows"])


def _final_status(result: EpisodeResult) -> str:
    if result.status == "error":
        return "Error"
    return "Succeeded" if result.passed else "Failed"


def _latest_result(ctx: Ctx, benchmark_id: str) -> EpisodeResult | None:
    latest = latest_episodes(ctx.store, benchmark_id=benchmark_id, limit=1)
    return ctx.store.get_episode(latest[0].execution_id) if latest else None


@router.get(
    "/flow-logs/{benchmark_id}", response_model=FlowLogs, summary="Recent sessions of a benchmark"
)
def flow_logs(
    benchmark_id: BenchmarkId, ctx: Ctx, limit: int = Query(default=20, ge=1, le=200)
) -> dict[str, Any]:
    sessions: list[dict[str, Any]] = []
    for status in (RUNNING, QUEUED):
        for job in ctx.queue.list_jobs(benchmark_id=benchmark_id, status=status, limit=limit):
            sessions.append(
                {
                    "session_id": job.id,
                    "agent_type": job.agent,
                    "interface": "api",
                    "status": job.status,
                    "score": None,
                    "final_status": None,
                    "log_content": "",
                    "is_running": True,
                    "progress": job.progress,
                }
            )
    for summary in latest_episodes(ctx.store, benchmark_id=benchmark_id, limit=limit):
        result = ctx.store.get_episode(summary.execution_id)
        if result is None:
            continue
        sessions.append(
            {
                "session_id": result.execution_id,
                "agent_type": summary.agent,
                "interface": "api",
                "status": "Error" if result.status == "error" else "Completed",
                "score": result.score,
                "final_status": _final_status(result),
                "log_content": result_text(result),
                "is_running": False,
                "progress": 100,
                "run_id": summary.run_id,
                "timestamp": summary.recorded_at.isoformat(),
            }
        )
    if not sessions:
        return {"benchmark_id": benchmark_id, "message": "No sessions found", "sessions": []}
    return {"benchmark_id": benchmark_id, "sessions": sessions[:limit]}


@router.get(
    "/flows/{session_id}",
    summary="Mermaid state diagram of one session (?format=html renders it)",
    response_model=FlowAnswer,
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
def flow(
    session_id: ExecutionId,
    ctx: Ctx,
    format: Literal["json", "html"] = Query(default="json"),
) -> dict[str, Any] | HTMLResponse:
    result = ctx.store.get_episode(session_id)
    if result is None:
        job = ctx.queue.get(session_id)
        if job is None:
            raise HTTPException(status_code=404, detail="session not found")
        if format == "html":
            raise HTTPException(
                status_code=409, detail=f"session has no diagram yet (status {job.status})"
            )
        return {
            "session_id": session_id,
            "diagram": None,
            "metadata": {"benchmark_id": job.benchmark_id, "session_id": session_id},
            "status": job.status,
            "sessions": [],
        }
    diagram, metadata = flow_diagram(result)
    if format == "html":
        title = f"{result.benchmark_id} · {result.agent} · {session_id}"
        return HTMLResponse(diagram_page(title, diagram, ctx.settings.mermaid_js))
    return {"session_id": session_id, "diagram": diagram, "metadata": metadata, "sessions": []}


@router.get(
    "/transaction-logs/{benchmark_id}",
    response_model=TransactionLogs,
    summary="Transaction-log tree of the latest run",
)
def transaction_log_view(
    benchmark_id: BenchmarkId,
    ctx: Ctx,
    format: Literal["yaml", "plain"] = Query(default="yaml"),
    show_cu: bool = Query(default=True),
) -> dict[str, Any]:
    running = ctx.queue.list_jobs(benchmark_id=benchmark_id, status=RUNNING, limit=1)
    result = _latest_result(ctx, benchmark_id)
    base: dict[str, Any] = {
        "benchmark_id": benchmark_id,
        "format": format,
        "show_cu": show_cu,
        "is_running": bool(running),
    }
    if result is None:
        return base | {"transaction_logs": "", "message": "No transactions recorded yet"}
    if format == "yaml":
        text = transaction_logs(result, show_cu=show_cu)
    else:
        text = "\n".join(
            line for step in result.steps for tx in step.transactions for line in tx.logs
        )
    return base | {
        "transaction_logs": text,
        "execution_id": result.execution_id,
        "message": f"latest session {result.execution_id} ({result.agent})",
    }


@router.get(
    "/execution-logs/{benchmark_id}",
    response_model=ExecutionLog,
    summary="The latest execution of a benchmark",
)
def execution_logs(benchmark_id: BenchmarkId, ctx: Ctx) -> dict[str, Any]:
    jobs = ctx.queue.list_jobs(benchmark_id=benchmark_id, limit=1)
    if jobs:
        state = execution_state(ctx, jobs[0])
        return state.model_dump(mode="json") | {
            "is_running": state.status in (QUEUED, RUNNING),
            "interface": "api",
        }
    result = _latest_result(ctx, benchmark_id)
    if result is not None:
        return {
            "benchmark_id": benchmark_id,
            "execution_id": result.execution_id,
            "agent_type": agent_label(result.agent, result.model),
            "interface": "cli",
            "status": "Error" if result.status == "error" else "Completed",
            "final_status": _final_status(result),
            "trace": result_text(result),
            "logs": transaction_logs(result),
            "is_running": False,
            "progress": 100,
        }
    return {
        "benchmark_id": benchmark_id,
        "trace": "",
        "is_running": False,
        "message": "No execution history found for this benchmark",
    }
