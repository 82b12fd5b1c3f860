"""Newer routes: suite runs (benchmarks × agents × epochs), episodes, the leaderboard."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query

from reev.api.context import Ctx, ExecutionId
from reev.api.episode_detail import account_changes, decoded_instructions, invocation_tree
from reev.api.leaderboard import latest_cells, leaderboard
from reev.api.routes.executions import check_agent
from reev.api.schemas import RUN_ID_PATTERN, Page, SuiteRequest
from reev.runner.suite import epoch_seed
from reev.store.api_queries import count_episodes, current_benchmark, current_benchmarks
from reev.store.jobs import QUEUED, RUNNING, STATUSES, TERMINAL, JobSpec, RunExistsError

router = APIRouter(tags=["runs, episodes, leaderboard"])

RunId = Annotated[str, Path(pattern=RUN_ID_PATTERN, max_length=100, description="Run id.")]


def _progress(ctx: Ctx, run_id: str) -> dict[str, Any]:
    counts = ctx.queue.counts(run_id)
    total = sum(counts.values())
    done = sum(counts[s] for s in TERMINAL)
    return {
        "total": total,
        "done": done,
        "percent": round(100 * done / total, 1) if total else 100.0,
        "by_status": counts,
    }


@router.post("/runs", status_code=202, summary="Queue a suite: benchmarks × agents × epochs")
def create_run(body: SuiteRequest, ctx: Ctx) -> dict[str, Any]:
    if body.benchmarks is None:
        targets = [(c.version.benchmark_id, c.version.id) for c in current_benchmarks(ctx.store)]
    else:
        targets = []
        unknown = []
        for benchmark_id in dict.fromkeys(body.benchmarks):
            current = current_benchmark(ctx.store, benchmark_id)
            if current is None:
                unknown.append(benchmark_id)
            else:
                targets.append((benchmark_id, current.version.id))
        if unknown:
            raise HTTPException(status_code=404, detail=f"unknown benchmark(s): {unknown}")
    if not targets:
        raise HTTPException(status_code=400, detail="no benchmarks to run")
    total = len(targets) * len(body.agents) * body.epochs
    if total > ctx.settings.max_jobs_per_request:
        raise HTTPException(
            status_code=400,
            detail=f"{total} episodes requested; the limit is {ctx.settings.max_jobs_per_request}",
        )
    for choice in body.agents:
        check_agent(choice.agent, choice.model, choice.base_url, ctx.settings.allowed_base_urls)
    run_id = body.run_id or f"run-{uuid.uuid4()}"
    if ctx.store.get_run(run_id) is not None:
        raise HTTPException(status_code=409, detail=f"run {run_id!r} exists; pick another id")
    config = {
        "source": "api",
        "kind": "suite",
        "benchmarks": [b for b, _ in targets],
        "agents": [a.model_dump() for a in body.agents],
        "epochs": body.epochs,
        "seed": body.seed,
        "scoring": body.scoring,
    }
    specs = [
        JobSpec(
            run_id=run_id,
            benchmark_id=benchmark_id,
            benchmark_version_id=version_id,
            agent=choice.agent,
            model=choice.model,
            base_url=choice.base_url,
            epoch=epoch,
            seed=epoch_seed(body.seed, epoch),
            scoring=body.scoring,
        )
        for epoch in range(body.epochs)
        for choice in body.agents
        for benchmark_id, version_id in targets
    ]
    try:  # the run and its jobs in one transaction: a kill leaves both or neither
        ids = ctx.queue.create_run(run_id, config, specs)
    except RunExistsError as exc:
        raise HTTPException(
            status_code=409, detail=f"run {run_id!r} exists; pick another id"
        ) from exc
    ctx.pool.notify()
    return {"run_id": run_id, "status": QUEUED, "jobs": len(ids), "execution_ids": ids}


@router.get("/runs", summary="Runs, newest first, with progress")
def list_runs(
    ctx: Ctx,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10**9),
) -> list[dict[str, Any]]:
    return [
        r.model_dump(mode="json") | {"progress": _progress(ctx, r.id)}
        for r in ctx.store.list_runs(limit=limit, offset=offset)
    ]


@router.get("/runs/{run_id}", summary="One run: counts, progress and its jobs")
def get_run(
    run_id: RunId,
    ctx: Ctx,
    jobs_limit: int = Query(default=1000, ge=0, le=10_000),
) -> dict[str, Any]:
    run = ctx.store.get_run(run_id)
    if run is None:
        raise HTTPException(status_code=404, detail="run not found")
    jobs = ctx.queue.list_jobs(run_id=run_id, limit=jobs_limit, newest_first=False)
    return run.model_dump(mode="json") | {
        "progress": _progress(ctx, run_id),
        "jobs": [j.model_dump(mode="json", exclude={"owner"}) for j in jobs],
    }


@router.post("/runs/{run_id}/cancel", summary="Stop every unfinished episode of a run")
def cancel_run(run_id: RunId, ctx: Ctx) -> dict[str, Any]:
    if ctx.store.get_run(run_id) is None:
        raise HTTPException(status_code=404, detail="run not found")
    running = [j.id for j in ctx.queue.list_jobs(run_id=run_id, status=RUNNING, limit=10_000)]
    n = ctx.queue.cancel_run(run_id)
    for job_id in running:
        ctx.pool.cancel(job_id)
    return {"run_id": run_id, "cancelled": n, "progress": _progress(ctx, run_id)}


@router.get("/episodes", response_model=Page, summary="Stored episodes, filtered and paginated")
def list_episodes(
    ctx: Ctx,
    run_id: str | None = Query(default=None, max_length=100),
    agent: str | None = Query(default=None, max_length=200),
    benchmark_id: str | None = Query(default=None, max_length=200),
    status: str | None = Query(default=None, max_length=20),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10**9),
) -> Page:
    filters = {"run_id": run_id, "agent": agent, "benchmark_id": benchmark_id, "status": status}
    items = ctx.store.list_episodes(**filters, limit=limit, offset=offset)
    return Page(
        items=[e.model_dump(mode="json") for e in items],
        total=count_episodes(ctx.store, **filters),
        limit=limit,
        offset=offset,
    )


@router.get("/episodes/{execution_id}", summary="One episode in full")
def get_episode(execution_id: ExecutionId, ctx: Ctx) -> dict[str, Any]:
    data = ctx.store.get_episode_json(execution_id)
    if data is None:
        raise HTTPException(status_code=404, detail="episode not found")
    return {
        "execution_id": execution_id,
        "benchmark_id": data.get("benchmark_id"),
        "agent": data.get("agent"),
        "model": data.get("model"),
        "status": data.get("status"),
        "score": data.get("score"),
        "passed": data.get("passed"),
        "scores": data.get("scores"),
        "assertions": data.get("assertions"),
        "transcript": [
            {
                "step": s.get("step"),
                "prompt": s.get("prompt"),
                "messages": s.get("messages", []),
                "model_calls": s.get("model_calls", []),
                "tool_calls": s.get("tool_calls", []),
                "error": s.get("error"),
            }
            for s in data.get("steps", [])
        ],
        "transactions": [
            tx
            | {
                "step": s.get("step"),
                "decoded": decoded_instructions(tx),
                "invocations": invocation_tree(tx),
            }
            for s in data.get("steps", [])
            for tx in s.get("transactions", [])
        ],
        "prompt": data.get("prompt"),
        "account_changes": account_changes(data),
        "result": data,
    }


@router.get("/leaderboard", summary="Per-agent statistics (intervals, pass@k, pass^k)")
def get_leaderboard(
    ctx: Ctx,
    run_id: str | None = Query(default=None, max_length=100),
    benchmark_id: str | None = Query(default=None, max_length=200),
    tag: str | None = Query(default=None, max_length=200, description="Only benchmarks with it."),
) -> dict[str, Any]:
    episodes = ctx.store.list_episodes(run_id=run_id, benchmark_id=benchmark_id)
    if tag is not None:
        current = current_benchmarks(ctx.store)
        tagged = {c.version.benchmark_id for c in current if tag in c.version.tags}
        episodes = [e for e in episodes if e.benchmark_id in tagged]
    return {
        "run_id": run_id,
        "benchmark_id": benchmark_id,
        "tag": tag,
        "rows": leaderboard(episodes),
        "grid": latest_cells(episodes),
    }


@router.get("/jobs", summary="Queue contents, filtered")
def list_jobs(
    ctx: Ctx,
    status: str | None = Query(default=None, max_length=20),
    run_id: str | None = Query(default=None, max_length=100),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=10**9),
) -> dict[str, Any]:
    if status is not None and status not in STATUSES:
        raise HTTPException(status_code=422, detail=f"status must be one of {list(STATUSES)}")
    jobs = ctx.queue.list_jobs(status=status, run_id=run_id, limit=limit, offset=offset)
    return {
        "items": [j.model_dump(mode="json", exclude={"owner"}) for j in jobs],
        "counts": ctx.queue.counts(run_id),
    }
