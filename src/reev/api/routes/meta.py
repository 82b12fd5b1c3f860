"""`/health`, `/agents`, `/agent-performance` (reev's shapes)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Response

from reev import __version__
from reev.agents.registry import available_agents
from reev.api.answer_models import AgentDetail, AgentPerformance, Health
from reev.api.context import Ctx
from reev.store.api_queries import agent_performance

router = APIRouter(tags=["reev: meta"])


@router.get("/health", response_model=Health, summary="Liveness, version, database and queue")
async def health(ctx: Ctx) -> Response:
    # On the event loop: the job counts are one small GROUP BY, or none at all while the
    # database is unchanged (JobQueue.counts), cheaper than a thread-pool hand-off. The
    # body is the validated Health model, serialized once (no second validation pass).
    answer = Health(
        status="healthy",
        timestamp=datetime.now(UTC).isoformat(),
        version=__version__,
        database=ctx.store.display_url,
        workers=ctx.settings.workers,
        worker_processes=ctx.children.count,
        worker_processes_ready=ctx.children.ready,
        jobs=ctx.queue.counts(),
    )
    return Response(answer.model_dump_json(), media_type="application/json")


@router.get("/agents", response_model=list[str], summary="Names of the registered agents")
def agents() -> list[str]:
    return [spec.name for spec in available_agents()]


@router.get(
    "/agents/details",
    response_model=list[AgentDetail],
    summary="Registered agents with what each needs",
)
def agent_details() -> list[dict[str, str]]:
    return [
        {"name": s.name, "description": s.description, "needs": s.needs} for s in available_agents()
    ]


@router.get(
    "/agent-performance",
    response_model=list[AgentPerformance],
    summary="reev's per-agent summary of stored episodes",
)
def performance(ctx: Ctx) -> list[dict[str, Any]]:
    return agent_performance(ctx.store)
