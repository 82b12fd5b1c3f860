"""Tables of the API's durable job queue and its benchmark catalog.

They live on the store's `Base` (so Alembic and the models-vs-migrations check see them)
and are created by the revision `0002_api_jobs`. Only `reev.store.jobs` and
`reev.store.api_queries` read or write them.

- `jobs`: one row per queued episode (benchmark × agent × epoch of a run). The row *is*
  the queue: workers claim `Queued` rows with a conditional UPDATE, so a job survives any
  crash of the process that queued or ran it.
- `job_events`: an append-only log of status changes; its autoincrement id is the
  server-sent-events id, so a client that reconnects with `Last-Event-ID` misses nothing,
  whichever server process made the change.
- `api_benchmarks`: which stored benchmark version is the *current* one of each id (the
  file synced from `benchmarks/`, or YAML uploaded with `POST /upsert-yml`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from reev.store.models import Base, JsonType


class Job(Base):
    """One episode waiting, running or done in the API's queue."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status_created_at", "status", "created_at"),
        Index("ix_jobs_benchmark_id_agent", "benchmark_id", "agent"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(100), index=True)
    benchmark_id: Mapped[str] = mapped_column(String(200))
    benchmark_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("benchmark_versions.id"), nullable=True
    )
    agent: Mapped[str] = mapped_column(String(200))
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    base_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    seed: Mapped[int] = mapped_column(BigInteger, default=0)
    scoring: Mapped[str] = mapped_column(String(20), default="outcome")
    status: Mapped[str] = mapped_column(String(20))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class JobEvent(Base):
    """One status change of a job (the server-sent-events feed)."""

    __tablename__ = "job_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(64), index=True)
    run_id: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)


class ApiBenchmark(Base):
    """The current version of a benchmark id, as the API lists and runs it."""

    __tablename__ = "api_benchmarks"

    benchmark_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("benchmark_versions.id"))
    origin: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
