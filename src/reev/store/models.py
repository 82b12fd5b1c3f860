"""SQLAlchemy 2 models of the results store.

An episode has one stored form: its `episodes` row, whose columns are what queries filter
and sum, and whose `result_json` is the whole `EpisodeResult` (so fields other parts add
later are never lost) with each model call stored once (`reev.store.transcript`). Rows
are keyed on the episode's `execution_id`, which the runner generates, so a batch of
episodes is written with one multi-row INSERT and no round trip for generated ids.

Changing a model means adding an Alembic revision under `reev/store/migrations/versions/`;
`tests/store/test_migrations.py` fails while models and migrations disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine


class JsonType(TypeDecorator[Any]):
    """JSON, stored as JSONB on PostgreSQL (what `JSON().with_variant(JSONB(),
    "postgresql")` does), with PostgreSQL's dialect imported only there: importing it
    took ~60 ms of every command's start-up on SQLite."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (migrations refer to them)."""

    metadata = MetaData(naming_convention=NAMING)


class BenchmarkVersion(Base):
    """One version of a benchmark file: its id, the exact text and that text's SHA-256."""

    __tablename__ = "benchmark_versions"
    __table_args__ = (UniqueConstraint("benchmark_id", "content_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    benchmark_id: Mapped[str] = mapped_column(String(200), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    source_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    tags: Mapped[list[Any]] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Run(Base):
    """A run: benchmarks × agents × epochs under one id; resumable by that id."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="running")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    config: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    # The process running it in-process (`reev run`, TUI, MCP): reev.store.owners. None
    # for API runs, which belong to the job queue. A `running` run whose owner is gone is
    # settled when the store is next opened (Store.reconcile_abandoned_runs).
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)


class Episode(Base):
    """One benchmark × agent × epoch of a run, with the full result as JSON."""

    __tablename__ = "episodes"
    __table_args__ = (
        UniqueConstraint("run_id", "agent", "benchmark_id", "epoch"),
        Index("ix_episodes_run_id_agent", "run_id", "agent"),
    )

    execution_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    benchmark_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("benchmark_versions.id"), nullable=True
    )
    benchmark_id: Mapped[str] = mapped_column(String(200), index=True)
    agent: Mapped[str] = mapped_column(String(200))
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    seed: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_kind: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # reev.runner.failure_kind: why a failed episode failed (None when passed)
    failure_kind: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    scoring: Mapped[str] = mapped_column(String(20))
    # The scorer that produced `score`/`passed` (reev.scoring.SCORER_VERSION); None for
    # results never scored (errors). `reev rescore` re-scores a run with the current one.
    scorer_version: Mapped[str | None] = mapped_column(String(20), nullable=True)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    first_prompt_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    # model calls whose provider reported no usage (their tokens are unknown, not 0)
    unmetered_calls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cost_usd: Mapped[float | None] = mapped_column(Float, nullable=True)
    duration_ms: Mapped[float] = mapped_column(Float)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    result_json: Mapped[dict[str, Any]] = mapped_column(JsonType)


class CacheEntry(Base):
    """A cached model response, keyed by the SHA-256 of the canonical request."""

    __tablename__ = "model_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(200), index=True)
    base_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    response: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    hits: Mapped[int] = mapped_column(Integer, default=0)
