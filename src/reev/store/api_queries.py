"""Queries the API needs that the core Store does not offer.

- the current benchmark version of each id (`api_benchmarks`): set by syncing files and by
  uploads, read when listing and when queueing a run;
- episode counting with the same filters as `Store.list_episodes` (pagination totals);
- the newest episodes of a benchmark (reev's `/flow-logs`, `/execution-logs`, ...);
- reev's agent-performance summary, aggregated in SQL rather than in Python over every row.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, case, func, insert, select, update

from reev.results.summaries import BenchmarkVersionInfo, EpisodeSummary
from reev.store.api_models import ApiBenchmark
from reev.store.labels import episode_label
from reev.store.models import BenchmarkVersion, Episode
from reev.store.store import SUMMARY_COLUMNS, Store, as_utc, episode_summary


@dataclass(frozen=True)
class CurrentBenchmark:
    """The version of a benchmark id that the API lists and runs, and where it came from."""

    version: BenchmarkVersionInfo
    origin: str  # "file" (synced from a benchmarks folder) or "upload" (POST /upsert-yml)
    updated_at: datetime


def set_current_benchmark(store: Store, benchmark_id: str, version_id: int, origin: str) -> None:
    """Make `version_id` the current version of `benchmark_id` (insert or update)."""
    now = datetime.now(UTC)
    with store._write() as conn:
        changed = conn.execute(
            update(ApiBenchmark)
            .where(ApiBenchmark.benchmark_id == benchmark_id)
            .values(version_id=version_id, origin=origin, updated_at=now)
        ).rowcount
        if not changed:
            conn.execute(
                insert(ApiBenchmark).values(
                    benchmark_id=benchmark_id, version_id=version_id, origin=origin, updated_at=now
                )
            )


def _current_query(with_content: bool) -> Any:
    cols = [
        ApiBenchmark.benchmark_id,
        ApiBenchmark.origin,
        ApiBenchmark.updated_at,
        BenchmarkVersion.id,
        BenchmarkVersion.content_hash,
        BenchmarkVersion.source_path,
        BenchmarkVersion.description,
        BenchmarkVersion.tags,
        BenchmarkVersion.created_at,
    ]
    if with_content:
        cols.append(BenchmarkVersion.content)
    return select(*cols).join(BenchmarkVersion, BenchmarkVersion.id == ApiBenchmark.version_id)


def _current(row: Any, with_content: bool) -> CurrentBenchmark:
    version = Store.version_info(row, with_content)
    return CurrentBenchmark(version, row.origin, as_utc(row.updated_at) or row.updated_at)


def current_benchmarks(store: Store, *, with_content: bool = False) -> list[CurrentBenchmark]:
    """Every benchmark id the API knows, sorted by id."""
    query = _current_query(with_content).order_by(ApiBenchmark.benchmark_id)
    with store._read() as conn:
        return [_current(r, with_content) for r in conn.execute(query)]


def catalog_key(store: Store) -> tuple[tuple[str, int, str], ...]:
    """(benchmark id, version id, origin) of every current benchmark, sorted: a small query
    that changes whenever the listing would (stored versions never change)."""
    query = select(ApiBenchmark.benchmark_id, ApiBenchmark.version_id, ApiBenchmark.origin)
    with store._read() as conn:
        rows = conn.execute(query.order_by(ApiBenchmark.benchmark_id)).all()
    return tuple((str(r[0]), int(r[1]), str(r[2])) for r in rows)


_CURRENT_VERSION_ID = select(ApiBenchmark.version_id).where(
    ApiBenchmark.benchmark_id == bindparam("benchmark_id")
)


def current_version_id(store: Store, benchmark_id: str) -> int | None:
    """The id of a benchmark's current version, or None when the id is unknown (what a
    posted run pins; no text read)."""
    with store._read() as conn:
        value = conn.execute(_CURRENT_VERSION_ID, {"benchmark_id": benchmark_id}).scalar()
    return None if value is None else int(value)


def current_version_ids(store: Store, benchmark_ids: Collection[str]) -> dict[str, int]:
    """{benchmark id: its current version id} of the ids the API knows (one query for a
    burst of posted runs; an unknown id is absent)."""
    if not benchmark_ids:
        return {}
    query = select(ApiBenchmark.benchmark_id, ApiBenchmark.version_id).where(
        ApiBenchmark.benchmark_id.in_(sorted(benchmark_ids))
    )
    with store._read() as conn:
        return {str(row[0]): int(row[1]) for row in conn.execute(query)}


def current_benchmark(store: Store, benchmark_id: str) -> CurrentBenchmark | None:
    """The current version (with its text) of one benchmark id, or None."""
    query = _current_query(True).where(ApiBenchmark.benchmark_id == benchmark_id)
    with store._read() as conn:
        row = conn.execute(query).first()
    return _current(row, True) if row is not None else None


def count_episodes(
    store: Store,
    *,
    run_id: str | None = None,
    agent: str | None = None,
    benchmark_id: str | None = None,
    status: str | None = None,
) -> int:
    """How many episodes match the filters of `Store.list_episodes`."""
    query = select(func.count()).select_from(Episode)
    if run_id is not None:
        query = query.where(Episode.run_id == run_id)
    if agent is not None:
        query = query.where(episode_label == agent)
    if benchmark_id is not None:
        query = query.where(Episode.benchmark_id == benchmark_id)
    if status is not None:
        query = query.where(Episode.status == status)
    with store._read() as conn:
        return int(conn.execute(query).scalar_one())


def latest_episodes(
    store: Store, *, benchmark_id: str | None = None, agent: str | None = None, limit: int = 50
) -> list[EpisodeSummary]:
    """The most recently recorded episodes (of a benchmark / agent), newest first."""
    query = select(*SUMMARY_COLUMNS).order_by(Episode.recorded_at.desc(), Episode.execution_id)
    if benchmark_id is not None:
        query = query.where(Episode.benchmark_id == benchmark_id)
    if agent is not None:
        query = query.where(episode_label == agent)
    with store._read() as conn:
        return [episode_summary(r) for r in conn.execute(query.limit(limit))]


def agent_performance(store: Store, *, results_per_agent: int = 100) -> list[dict[str, Any]]:
    """reev's `AgentPerformanceSummary` per agent, from every stored episode.

    `success_rate` is the share of passed episodes (reev mixed status spellings here);
    `best_benchmarks`/`worst_benchmarks` (a TODO in reev) are the three benchmarks with the
    highest/lowest mean score; `results` are the newest `results_per_agent` episodes.
    """
    label = episode_label.label("agent")
    with store._read() as conn:
        totals = list(
            conn.execute(
                select(
                    label,
                    func.count().label("n"),
                    func.avg(Episode.score).label("mean"),
                    func.sum(case((Episode.passed.is_(True), 1), else_=0)).label("passed"),
                )
                .group_by(label)
                .order_by(label)
            )
        )
        per_benchmark = list(
            conn.execute(
                select(label, Episode.benchmark_id, func.avg(Episode.score).label("mean"))
                .group_by(label, Episode.benchmark_id)
                .order_by(label, Episode.benchmark_id)
            )
        )
    out = []
    for row in totals:
        ranked = sorted(
            ((r.benchmark_id, float(r.mean)) for r in per_benchmark if r.agent == row.agent),
            key=lambda item: (-item[1], item[0]),
        )
        recent = latest_episodes(store, agent=row.agent, limit=results_per_agent)
        out.append(
            {
                "agent_type": row.agent,
                "total_benchmarks": int(row.n),
                "average_score": float(row.mean or 0.0),
                "success_rate": (int(row.passed or 0) / int(row.n)) if row.n else 0.0,
                "best_benchmarks": [b for b, _ in ranked[:3]],
                "worst_benchmarks": [b for b, _ in reversed(ranked[-3:])],
                "results": [
                    {
                        "id": e.execution_id,
                        "session_id": e.execution_id,
                        "benchmark_id": e.benchmark_id,
                        "score": e.score,
                        "final_status": _final_status(e),
                        "timestamp": e.recorded_at.isoformat(),
                    }
                    for e in recent
                ],
            }
        )
    return out


def _final_status(e: EpisodeSummary) -> str:
    if e.status == "error":
        return "Error"
    return "Succeeded" if e.passed else "Failed"


OUTCOMES = ("passed", "failed", "error", "infrastructure")
"""What an episode came to: passed; failed (ran to its end, did not pass); error (did not
run to its end); infrastructure (an error that says nothing about the agent)."""


@dataclass(frozen=True)
class EpisodeFilters:
    """The filters of the episode lists (web triage, `GET /episodes`)."""

    run_id: str | None = None
    agent: str | None = None
    benchmark_id: str | None = None
    benchmark_ids: frozenset[str] | None = None  # a tag, resolved to its benchmarks
    status: str | None = None
    passed: bool | None = None
    error_kind: str | None = None
    outcome: str | None = None


def _filtered(query: Any, f: EpisodeFilters) -> Any:
    if f.run_id is not None:
        query = query.where(Episode.run_id == f.run_id)
    if f.agent is not None:
        query = query.where(episode_label == f.agent)
    if f.benchmark_id is not None:
        query = query.where(Episode.benchmark_id == f.benchmark_id)
    if f.benchmark_ids is not None:
        query = query.where(Episode.benchmark_id.in_(sorted(f.benchmark_ids)))
    if f.status is not None:
        query = query.where(Episode.status == f.status)
    if f.passed is not None:
        query = query.where(Episode.passed.is_(f.passed))
    if f.error_kind is not None:
        query = query.where(Episode.error_kind == f.error_kind)
    infra = Episode.error_kind.in_(["infrastructure", "benchmark"])
    if f.outcome == "passed":
        query = query.where(Episode.passed.is_(True), Episode.status != "error")
    elif f.outcome == "failed":
        query = query.where(Episode.passed.is_(False), Episode.status != "error")
    elif f.outcome == "error":
        query = query.where(Episode.status == "error", ~infra | Episode.error_kind.is_(None))
    elif f.outcome == "infrastructure":
        query = query.where(infra)
    return query


def search_episodes(
    store: Store, filters: EpisodeFilters, *, limit: int = 50, offset: int = 0
) -> tuple[list[tuple[EpisodeSummary, dict[str, Any]]], int]:
    """Episodes matching `filters`, newest first, each with its stored JSON; and how many
    match in all. The JSON is read for the page only (the first-failure column)."""
    query = _filtered(
        select(*SUMMARY_COLUMNS, Episode.result_json).order_by(
            Episode.recorded_at.desc(), Episode.execution_id
        ),
        filters,
    )
    count = _filtered(select(func.count()).select_from(Episode), filters)
    with store._read() as conn:
        rows = list(conn.execute(query.offset(offset).limit(limit)))
        total = int(conn.execute(count).scalar_one())
    out = []
    for row in rows:
        data = dict(row._mapping)
        result_json = data.pop("result_json") or {}
        out.append((episode_summary_from(data), dict(result_json)))
    return out, total


def episode_summary_from(data: dict[str, Any]) -> EpisodeSummary:
    """An EpisodeSummary from a mapping of SUMMARY_COLUMNS values."""
    data["started_at"] = as_utc(data["started_at"])
    data["recorded_at"] = as_utc(data["recorded_at"])
    return EpisodeSummary(**data)


def error_kinds(store: Store) -> list[str]:
    """The error kinds stored so far (the triage filter's choices)."""
    query = select(Episode.error_kind).where(Episode.error_kind.is_not(None)).distinct()
    with store._read() as conn:
        return sorted(str(k) for k in conn.execute(query).scalars())


def agents_of_benchmark(store: Store, benchmark_id: str) -> list[str]:
    """The agent labels with at least one stored episode of `benchmark_id`, sorted."""
    label = episode_label.label("agent")
    query = select(label).where(Episode.benchmark_id == benchmark_id).distinct().order_by(label)
    with store._read() as conn:
        return [str(a) for a in conn.execute(query).scalars()]
