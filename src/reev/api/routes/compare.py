"""Triage and comparison reads: one benchmark's page (prompt, assertions, versions, every
agent's last attempts) and agents side by side on one benchmark (verdicts, tool calls,
transactions, transcript of each agent's newest episode)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from reev.api.context import BenchmarkId, Ctx
from reev.api.episode_detail import decoded_instructions
from reev.api.read_models import EpisodeListItem, outcome_of
from reev.api.triage import first_failure
from reev.benchmark.loader import parse_benchmark
from reev.store.api_queries import (
    EpisodeFilters,
    agents_of_benchmark,
    current_benchmark,
    search_episodes,
)
from reev.tracing.amounts import annotate_amounts, assertion_amount

router = APIRouter(tags=["triage and compare"])


class VersionItem(BaseModel):
    version_id: int
    content_hash: str
    created_at: str
    source_path: str | None = None


class AgentAttempts(BaseModel):
    """One agent's newest attempts at a benchmark, newest first."""

    agent: str
    total: int
    attempts: list[EpisodeListItem]


class BenchmarkOverview(BaseModel):
    """What the benchmark page shows."""

    benchmark_id: str
    description: str
    tags: list[str]
    prompt: str
    assertions: list[dict[str, Any]] = Field(default_factory=list)
    flow_steps: list[dict[str, Any]] = Field(default_factory=list)
    parse_error: str | None = None
    versions: list[VersionItem]
    agents: list[AgentAttempts]


class CompareColumn(BaseModel):
    """One agent's newest episode of the compared benchmark."""

    agent: str
    attempts: int
    passed: int
    episode: EpisodeListItem
    assertions: list[dict[str, Any]]
    tool_calls: list[dict[str, Any]]
    transactions: list[dict[str, Any]]
    transcript: list[dict[str, Any]]


class Comparison(BaseModel):
    """Agents side by side on one benchmark."""

    benchmark_id: str
    agents: list[CompareColumn]


def _attempts(ctx: Ctx, benchmark_id: str, agent: str | None, limit: int) -> tuple[Any, int]:
    filters = EpisodeFilters(benchmark_id=benchmark_id, agent=agent)
    return search_episodes(ctx.store, filters, limit=limit)


def _item(summary: Any, data: dict[str, Any]) -> EpisodeListItem:
    return EpisodeListItem(
        **summary.model_dump(), outcome=outcome_of(summary), first_failure=first_failure(data)
    )


def _with_units(assertion: dict[str, Any]) -> dict[str, Any]:
    """The assertion with `actual_text`: its actual value in SOL or token units."""
    actual = assertion.get("actual")
    kind, detail = str(assertion.get("type", "")), str(assertion.get("detail") or "")
    text = assertion_amount(actual, kind, detail) if actual is not None else None
    return assertion | {"actual_text": text}


def _agents_of(ctx: Ctx, benchmark_id: str) -> list[str]:
    return agents_of_benchmark(ctx.store, benchmark_id)


@router.get(
    "/benchmarks/{benchmark_id}/overview",
    response_model=BenchmarkOverview,
    summary="One benchmark: prompt, assertions, versions and every agent's last attempts",
)
def benchmark_overview(
    benchmark_id: BenchmarkId,
    ctx: Ctx,
    per_agent: int = Query(default=5, ge=1, le=50, description="Attempts shown per agent."),
) -> BenchmarkOverview:
    current = current_benchmark(ctx.store, benchmark_id)
    versions = ctx.store.list_benchmark_versions(benchmark_id)
    if current is None and not versions:
        raise HTTPException(status_code=404, detail=f"unknown benchmark {benchmark_id!r}")
    version = current.version if current else ctx.store.get_benchmark_version(versions[-1].id)
    assert version is not None
    prompt, assertions, steps, error = "", [], [], None
    try:
        parsed = parse_benchmark(version.content or "", version.source_path or benchmark_id)
        prompt = parsed.prompt
        assertions = [a.model_dump(mode="json") for a in parsed.ground_truth.final_state_assertions]
        steps = [
            {"step": s.step, "prompt": s.prompt, "critical": s.critical} for s in parsed.flow or []
        ]
    except Exception as exc:  # a stored version that a newer schema rejects: say so
        error = f"{type(exc).__name__}: {exc}"
    agents = []
    for agent in _agents_of(ctx, benchmark_id):
        rows, total = _attempts(ctx, benchmark_id, agent, per_agent)
        agents.append(
            AgentAttempts(agent=agent, total=total, attempts=[_item(s, d) for s, d in rows])
        )
    return BenchmarkOverview(
        benchmark_id=benchmark_id,
        description=version.description or "",
        tags=list(version.tags),
        prompt=prompt,
        assertions=assertions,
        flow_steps=steps,
        parse_error=error,
        versions=[
            VersionItem(
                version_id=v.id,
                content_hash=v.content_hash,
                created_at=v.created_at.isoformat(),
                source_path=v.source_path,
            )
            for v in versions
        ],
        agents=agents,
    )


@router.get(
    "/compare",
    response_model=Comparison,
    summary="Agents side by side on one benchmark: each agent's newest episode",
)
def compare(
    ctx: Ctx,
    benchmark_id: str = Query(max_length=200),
    agent: Annotated[
        list[str] | None,
        Query(max_length=20, description="NAME[:MODEL]; default every agent that ran it"),
    ] = None,
) -> Comparison:
    agents = list(dict.fromkeys(agent)) if agent else _agents_of(ctx, benchmark_id)
    columns = []
    for name in agents:
        rows, total = _attempts(ctx, benchmark_id, name, 1)
        if not rows:
            continue
        summary, data = rows[0]
        _, passed = search_episodes(
            ctx.store,
            EpisodeFilters(benchmark_id=benchmark_id, agent=name, outcome="passed"),
            limit=1,
        )
        names = {pubkey: key for key, pubkey in (data.get("key_map") or {}).items()}
        steps = data.get("steps") or []
        columns.append(
            CompareColumn(
                agent=name,
                attempts=total,
                passed=passed,
                episode=_item(summary, data),
                assertions=[_with_units(a) for a in data.get("assertions") or []],
                tool_calls=[
                    {
                        "step": s.get("step"),
                        "tool": c.get("tool"),
                        "status": c.get("status"),
                        "args": annotate_amounts(c.get("args") or {}, names, c.get("tool")),
                        "error": c.get("error"),
                    }
                    for s in steps
                    for c in s.get("tool_calls") or []
                ],
                transactions=[
                    {
                        "step": s.get("step"),
                        "status": tx.get("status"),
                        "error": tx.get("error"),
                        "compute_units": tx.get("compute_units"),
                        "instructions": [
                            f"{ix.get('program') or ix.get('program_id')}: "
                            f"{ix.get('instruction') or 'unknown instruction'}"
                            for ix in decoded_instructions(tx)
                        ],
                    }
                    for s in steps
                    for tx in s.get("transactions") or []
                ],
                transcript=[
                    {
                        "step": s.get("step"),
                        "role": m.get("role"),
                        "content": m.get("content") if isinstance(m.get("content"), str) else None,
                        "tool_calls": [
                            (tc.get("function") or tc).get("name")
                            for tc in m.get("tool_calls") or []
                            if isinstance(tc, dict)
                        ],
                    }
                    for s in steps
                    for m in s.get("messages") or []
                    if isinstance(m, dict)
                ],
            )
        )
    if not columns:
        raise HTTPException(status_code=404, detail=f"no episodes of {benchmark_id!r}")
    return Comparison(benchmark_id=benchmark_id, agents=columns)
