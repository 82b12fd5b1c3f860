"""Newer routes: suite runs (benchmarks × agents × epochs), episodes, the leaderboard."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query

from reev.api.answer_models import EpisodeDetail, JobsPage, RunCancelled, RunCreated
from reev.api.context import Ctx, ExecutionId
from reev.api.episode_detail import account_changes, decoded_instructions, invocation_tree
from reev.api.leaderboard import latest_cells, leaderboard
from reev.api.read_models import (
    EpisodeListItem,
    EpisodePage,
    Leaderboard,
    RunDetail,
    RunSummary,
    outcome_of,
)
from reev.api.run_specs import api_run_spec, queued_jobs
from reev.api.schemas import RUN_ID_PATTERN, SuiteRequest
from reev.api.triage import first_failure
from reev.results.summaries import EpisodeSummary, RunInfo
from reev.scoring.statistics import shared_task_ids, task_stats
from reev.store.api_queries import (
    EpisodeFilters,
    current_benchmarks,
    current_version_id,
    error_kinds,
    search_episodes,
)
from reev.store.jobs import QUEUED, RUNNING, STATUSES, TERMINAL, RunExistsError
from reev.store.labels import agent_label

router = APIRouter(tags=["runs, episodes, leaderboard"])

RunId = Annotated[str, Path(pattern=RUN_ID_PATTERN, max_length=100, description="Run id.")]


def _progress(ctx: Ctx, run_id: str, run: RunInfo | None = None) -> dict[str, Any]:
    """From the run's queue jobs; a run made outside the API (`reev run`, the TUI) has
    none, and its progress is its stored episodes (all done), never `0/0 (100%)`."""
    counts = ctx.queue.counts(run_id)
    total = sum(counts.values())
    done = sum(counts[s] for s in TERMINAL)
    if total == 0:
        stored = run if run is not None else ctx.store.get_run(run_id)
        n = stored.episodes if stored is not None else 0
        errors = stored.errors if stored is not None else 0
        passed = stored.passed if stored is not None else 0
        return {
            "total": n,
            "done": n,
            "percent": 100.0 if n else 0.0,
            "by_status": {"passed": passed, "failed": n - passed - errors, "error": errors},
            "source": "episodes",
        }
    return {
        "total": total,
        "done": done,
        "percent": round(100 * done / total, 1) if total else 100.0,
        "by_status": counts,
        "source": "queue",
    }


@router.post(
    "/runs",
    status_code=202,
    response_model=RunCreated,
    summary="Queue a suite: benchmarks × agents × epochs",
)
def create_run(body: SuiteRequest, ctx: Ctx) -> dict[str, Any]:
    if body.benchmarks is None:
        targets = [(c.version.benchmark_id, c.version.id) for c in current_benchmarks(ctx.store)]
    else:
        targets = []
        unknown = []
        for benchmark_id in dict.fromkeys(body.benchmarks):
            version_id = current_version_id(ctx.store, benchmark_id)
            if version_id is None:
                unknown.append(benchmark_id)
            else:
                targets.append((benchmark_id, version_id))
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
    spec = api_run_spec(
        ctx.settings,
        body.agents,
        benchmarks=[b for b, _ in targets],
        epochs=body.epochs,
        seed=body.seed,
        scoring=body.scoring,
    )
    run_id = body.run_id or f"run-{uuid.uuid4()}"
    if ctx.store.get_run(run_id) is not None:
        raise HTTPException(status_code=409, detail=f"run {run_id!r} exists; pick another id")
    jobs = queued_jobs(spec, run_id, [v for _, v in targets])
    try:  # the run and its jobs in one transaction: a kill leaves both or neither
        ids = ctx.queue.create_run(run_id, spec.stored_form(), jobs)
    except RunExistsError as exc:
        raise HTTPException(
            status_code=409, detail=f"run {run_id!r} exists; pick another id"
        ) from exc
    ctx.notify_workers()
    return {"run_id": run_id, "status": QUEUED, "jobs": len(ids), "execution_ids": ids}


@router.get("/runs", response_model=list[RunSummary], summary="Runs, newest first, with progress")
def list_runs(
    ctx: Ctx,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10**9),
) -> list[dict[str, Any]]:
    return [
        r.model_dump(mode="json") | {"progress": _progress(ctx, r.id, r)}
        for r in ctx.store.list_runs(limit=limit, offset=offset)
    ]


@router.get(
    "/runs/{run_id}",
    response_model=RunDetail,
    summary="One run: counts, progress and its jobs (none for runs made with `reev run`)",
)
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
        "progress": _progress(ctx, run_id, run),
        "jobs": [j.model_dump(mode="json", exclude={"owner"}) for j in jobs],
    }


@router.post(
    "/runs/{run_id}/cancel",
    response_model=RunCancelled,
    summary="Stop every unfinished episode of a run",
)
def cancel_run(run_id: RunId, ctx: Ctx) -> dict[str, Any]:
    if ctx.store.get_run(run_id) is None:
        raise HTTPException(status_code=404, detail="run not found")
    running = [j.id for j in ctx.queue.list_jobs(run_id=run_id, status=RUNNING, limit=10_000)]
    n = ctx.queue.cancel_run(run_id)
    for job_id in running:
        ctx.pool.cancel(job_id)
    return {"run_id": run_id, "cancelled": n, "progress": _progress(ctx, run_id)}


def _tagged(ctx: Ctx, tag: str | None) -> frozenset[str] | None:
    if tag is None:
        return None
    return frozenset(
        c.version.benchmark_id for c in current_benchmarks(ctx.store) if tag in c.version.tags
    )


@router.get(
    "/episodes",
    response_model=EpisodePage,
    summary="Stored episodes, newest first, filtered, with the first failure of each",
)
def list_episodes(
    ctx: Ctx,
    run_id: str | None = Query(default=None, max_length=100),
    agent: str | None = Query(default=None, max_length=200, description="NAME[:MODEL]"),
    benchmark_id: str | None = Query(default=None, max_length=200),
    status: str | None = Query(default=None, max_length=20, description="completed | error"),
    passed: bool | None = Query(default=None),
    error_kind: str | None = Query(default=None, max_length=50),
    outcome: Literal["passed", "failed", "error", "infrastructure"] | None = Query(
        default=None, description="passed, failed (ran, did not pass), error, infrastructure"
    ),
    tag: str | None = Query(default=None, max_length=200, description="Benchmarks with it."),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10**9),
) -> EpisodePage:
    filters = EpisodeFilters(
        run_id=run_id,
        agent=agent,
        benchmark_id=benchmark_id,
        benchmark_ids=_tagged(ctx, tag),
        status=status,
        passed=passed,
        error_kind=error_kind,
        outcome=outcome,
    )
    rows, total = search_episodes(ctx.store, filters, limit=limit, offset=offset)
    items = [
        EpisodeListItem(**e.model_dump(), outcome=outcome_of(e), first_failure=first_failure(data))
        for e, data in rows
    ]
    return EpisodePage(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/episodes/error-kinds",
    response_model=list[str],
    summary="The error kinds stored so far (the triage filter's choices)",
)
def list_error_kinds(ctx: Ctx) -> list[str]:
    return error_kinds(ctx.store)


@router.get("/episodes/{execution_id}", response_model=EpisodeDetail, summary="One episode in full")
def get_episode(execution_id: ExecutionId, ctx: Ctx) -> dict[str, Any]:
    data = ctx.store.get_episode_json(execution_id)
    if data is None:
        raise HTTPException(status_code=404, detail="episode not found")
    summary_like = EpisodeSummary.model_validate(
        {
            "execution_id": execution_id,
            "run_id": "",
            "benchmark_id": data.get("benchmark_id") or "",
            "agent": data.get("agent") or "",
            "epoch": data.get("epoch") or 0,
            "seed": data.get("seed") or 0,
            "status": data.get("status") or "error",
            "error_kind": data.get("error_kind"),
            "score": data.get("score") or 0.0,
            "passed": bool(data.get("passed")),
            "scoring": data.get("scoring") or "outcome",
            "duration_ms": data.get("duration_ms") or 0.0,
            "started_at": data.get("started_at") or "1970-01-01T00:00:00Z",
            "recorded_at": data.get("started_at") or "1970-01-01T00:00:00Z",
        }
    )
    names = {pk: name for name, pk in (data.get("key_map") or {}).items() if name != pk}
    return {
        "execution_id": execution_id,
        "benchmark_id": data.get("benchmark_id"),
        "agent": data.get("agent"),
        "label": agent_label(data.get("agent") or "", data.get("model")),
        "model": data.get("model"),
        "status": data.get("status"),
        "outcome": outcome_of(summary_like),
        "first_failure": first_failure(data),
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
                "score": s.get("score"),
                "skipped": s.get("skipped", False),
                "instructions": len(s.get("instructions") or []),
            }
            for s in data.get("steps", [])
        ],
        "transactions": [
            tx
            | {
                "step": s.get("step"),
                "decoded": decoded_instructions(tx, names),
                "invocations": invocation_tree(tx),
            }
            for s in data.get("steps", [])
            for tx in s.get("transactions", [])
        ],
        "prompt": data.get("prompt"),
        "account_changes": account_changes(data),
        "result": data,
    }


@router.get(
    "/leaderboard",
    response_model=Leaderboard,
    summary="Per-agent statistics (intervals, pass@k, pass^k), ranked over shared tasks",
)
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
        "shared_tasks": sorted(shared_task_ids(task_stats(episodes))),
        "rows": leaderboard(episodes),
        "grid": latest_cells(episodes),
    }


@router.get("/jobs", response_model=JobsPage, summary="Queue contents, filtered")
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
