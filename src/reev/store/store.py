"""The results store: the one way to write and read runs, episodes and benchmarks.

    store = open_store()               # --db URL / REEV_DATABASE_URL / default SQLite
    store.create_run("nightly", config={...})
    store.record_episodes("nightly", results, benchmark_versions={...})
    store.list_episodes(run_id="nightly")

Writes in one process go through one lock (one writer path); across processes SQLite's
WAL + busy timeout + `BEGIN IMMEDIATE` serialize writers without losing rows, and
PostgreSQL does it natively. Every write is one transaction: a batch of episodes lands
whole or not at all; a batch the database refuses is written result by result, and a
result that still cannot be written is stored as an error result saying why, so one bad
record never costs the others.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from reev.results.errors import INFRASTRUCTURE
from reev.results.records import EpisodeResult
from reev.results.summaries import BenchmarkVersionInfo, EpisodeSummary, RunInfo
from reev.store.engine import (
    WRITE_OPTION,
    StoreError,
    create_store_engine,
    resolve_url,
    upgrade_to_head,
)
from reev.store.labels import episode_label
from reev.store.models import (
    BenchmarkVersion,
    Episode,
    Run,
)
from reev.store.owners import OwnerState, describe_owner, owner_state, process_owner
from reev.store.rows import episode_rows
from reev.store.transcript import expand_model_calls

log = logging.getLogger(__name__)

EpisodeKey = tuple[str, str, int]
"""(agent, benchmark_id, epoch): what identifies an episode within a run."""

RUN_STATUSES = ("running", "completed", "interrupted", "failed")

SUMMARY_COLUMNS = [
    Episode.execution_id,
    Episode.run_id,
    Episode.benchmark_id,
    Episode.benchmark_version_id,
    episode_label.label("agent"),
    Episode.model,
    Episode.epoch,
    Episode.seed,
    Episode.status,
    Episode.error,
    Episode.error_kind,
    Episode.failure_kind,
    Episode.score,
    Episode.passed,
    Episode.scoring,
    Episode.prompt_tokens,
    Episode.first_prompt_tokens,
    Episode.completion_tokens,
    Episode.unmetered_calls,
    Episode.cost_usd,
    Episode.duration_ms,
    Episode.attempt,
    Episode.started_at,
    Episode.recorded_at,
]


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything the store hands out is UTC-aware."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def episode_summary(row: Any) -> EpisodeSummary:
    """An EpisodeSummary from a row selected with SUMMARY_COLUMNS (any query shape)."""
    data = dict(row._mapping)
    data["started_at"] = as_utc(data["started_at"])
    data["recorded_at"] = as_utc(data["recorded_at"])
    return EpisodeSummary(**data)


def describe_db_error(exc: BaseException) -> str:
    """Why the database refused a write, without the SQL statement or its parameters
    (which SQLAlchemy puts into its messages, and which may hold anything)."""
    inner = getattr(exc, "orig", None) or exc  # StatementError/DBAPIError wrap the cause
    text = str(inner).splitlines()[0] if str(inner) else ""
    return f"{type(inner).__name__}: {text[:300]}"


def unstorable_result(result: EpisodeResult, reason: str) -> EpisodeResult:
    """The error result stored in place of one the database cannot hold: same episode
    (ids, agent, epoch, seed, timings), no payload, and the reason."""
    return EpisodeResult(
        benchmark_id=result.benchmark_id,
        agent=result.agent,
        model=result.model,
        seed=result.seed,
        epoch=result.epoch,
        execution_id=result.execution_id,
        status="error",
        error=f"the result could not be stored: {reason}",
        error_kind=INFRASTRUCTURE,
        scoring=result.scoring,
        source_path=result.source_path,
        started_at=result.started_at,
        duration_ms=result.duration_ms,
    )


@dataclass(frozen=True)
class BenchmarkText:
    """One benchmark file's text to store (`Store.record_benchmarks`)."""

    benchmark_id: str
    content: str
    source_path: str | None = None
    description: str | None = None
    tags: Sequence[str] = ()


class RunBusyError(ValueError):
    """`create_run` was asked to resume a run that a live process on this host is running."""


@dataclass(frozen=True)
class AbandonedRun:
    """A run left `running` by a process that is gone, now `interrupted`."""

    run_id: str
    owner: str
    episodes: int

    def describe(self) -> str:
        """One line for a person: what happened and how to go on."""
        return (
            f"run {self.run_id} was left running by {describe_owner(self.owner)}, which is "
            f"gone (killed?): marked interrupted, {self.episodes} finished episode(s) kept "
            f"(the same `reev run` with --run-id {self.run_id} resumes it)"
        )


def content_hash(text: str) -> str:
    """SHA-256 (hex) of a benchmark file's exact text: its version identity."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Statements of the result-writing path, built once (SQLAlchemy caches their compiled form;
# building one per call cost about as much as running it).
# What a write replaces, looked up on the (run, agent, benchmark, epoch) unique index:
# by run and benchmark alone SQLite chose the (run, agent) index and read every episode
# of the run so far for each batch, quadratic in the run's size.
_STORED_ATTEMPTS = select(
    Episode.execution_id, Episode.agent, Episode.benchmark_id, Episode.epoch, Episode.attempt
).where(
    Episode.run_id == bindparam("b_run"),
    Episode.agent.in_(bindparam("b_agents", expanding=True)),
    Episode.benchmark_id.in_(bindparam("b_ids", expanding=True)),
)
_STORED_ATTEMPTS_OF_ONE = select(
    Episode.execution_id, Episode.agent, Episode.benchmark_id, Episode.epoch, Episode.attempt
).where(
    Episode.run_id == bindparam("b_run"),
    Episode.agent == bindparam("b_agent"),
    Episode.benchmark_id == bindparam("b_id"),
)
_INSERT_EPISODE = insert(Episode)
_TOUCH_RUN = update(Run).where(Run.id == bindparam("b_run"))


def episode_batch_rows(
    run_id: str, results: Sequence[EpisodeResult], versions: Mapping[str, int | None]
) -> list[dict[str, Any]]:
    """The `episodes` rows of one write of run `run_id`, all recorded now; each row's
    `attempt` is set when it is written (`Store.insert_rows_on`), from what the run holds.
    Raises what encoding refuses (a NaN, a value JSON cannot hold)."""
    now = datetime.now(UTC)
    return [
        episode_rows(run_id, r, benchmark_version_id=versions.get(r.benchmark_id), recorded_at=now)
        for r in results
    ]


class Store:
    """A database of runs and episodes. Thread-safe; open once per process and share."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._write_lock = threading.Lock()
        # runs `open_store` found abandoned by a dead process and settled (for a notice)
        self.reconciled: list[AbandonedRun] = []

    # --- lifecycle ------------------------------------------------------------------

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def display_url(self) -> str:
        """The URL with any password hidden (safe to print)."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with (
            self._write_lock,
            self.engine.connect().execution_options(**{WRITE_OPTION: True}) as conn,
            conn.begin(),
        ):
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # --- runs -----------------------------------------------------------------------

    def create_run(self, run_id: str, config: Mapping[str, Any] | None = None) -> RunInfo:
        """Create run `run_id`, or mark an existing one running again (resume), owned by
        this process (`reev.store.owners`).

        An existing run keeps its original config; the new one is stored under
        `config["resumes"]` so the history of invocations is kept. RunBusyError when the
        run is `running` in another live process on this host (two processes must not run
        one run); a run whose owner is gone or cannot be judged is taken over.
        """
        now = datetime.now(UTC)
        me = process_owner()
        with self._write() as conn:
            row = conn.execute(
                select(Run.config, Run.status, Run.owner).where(Run.id == run_id)
            ).first()
            if row is None:
                conn.execute(
                    insert(Run).values(
                        id=run_id,
                        status="running",
                        created_at=now,
                        updated_at=now,
                        config=dict(config or {}),
                        owner=me,
                    )
                )
            else:
                busy = self._busy_reason(run_id, row.status, row.owner)
                if busy is not None:
                    raise RunBusyError(busy)
                merged = dict(row.config or {})
                if config:
                    merged.setdefault("resumes", []).append(
                        {"at": now.isoformat(), "config": dict(config)}
                    )
                conn.execute(
                    update(Run)
                    .where(Run.id == run_id)
                    .values(
                        status="running",
                        updated_at=now,
                        finished_at=None,
                        config=merged,
                        owner=me,
                    )
                )
        info = self.get_run(run_id)
        assert info is not None
        return info

    @staticmethod
    def _busy_reason(run_id: str, status: str, owner: str | None) -> str | None:
        if status != "running" or not owner or owner == process_owner():
            return None
        if owner_state(owner) is not OwnerState.ALIVE:
            return None
        return (
            f"run {run_id} is being run by {describe_owner(owner)}; wait for it to end or "
            "stop it (Ctrl-C) before resuming it, or choose another --run-id"
        )

    def run_busy(self, run_id: str) -> str | None:
        """Why this process cannot resume `run_id` now (None: it can, or it is new)."""
        with self._read() as conn:
            row = conn.execute(select(Run.status, Run.owner).where(Run.id == run_id)).first()
        return None if row is None else self._busy_reason(run_id, row.status, row.owner)

    def reconcile_abandoned_runs(self) -> list[AbandonedRun]:
        """Mark `interrupted` every `running` run whose owner process is provably gone
        (killed with SIGKILL, out of memory, a power cut: it never said how the run
        ended). Its stored episodes are kept and its counts are theirs. Runs without an
        owner (API runs: the job queue settles them) or whose owner cannot be judged from
        here (another host or container) are left alone. Safe to call from any number of
        processes at once: a run is changed only while it still has that owner."""
        with self._read() as conn:
            rows = list(
                conn.execute(
                    select(Run.id, Run.owner).where(Run.status == "running", Run.owner.is_not(None))
                )
            )
        settled: list[AbandonedRun] = []
        for row in rows:
            if owner_state(row.owner) is not OwnerState.DEAD:
                continue
            now = datetime.now(UTC)
            with self._write() as conn:
                changed = conn.execute(
                    update(Run)
                    .where(Run.id == row.id, Run.status == "running", Run.owner == row.owner)
                    .values(status="interrupted", updated_at=now, finished_at=now)
                ).rowcount
                episodes = conn.execute(
                    select(func.count()).select_from(Episode).where(Episode.run_id == row.id)
                ).scalar_one()
            if changed:
                settled.append(AbandonedRun(row.id, row.owner, int(episodes)))
                log.warning("%s", settled[-1].describe())
        return settled

    def set_run_config(self, run_id: str, config: Mapping[str, Any]) -> None:
        """Replace a run's stored config (a TUI session's spec gains each agent it runs)."""
        with self._write() as conn:
            conn.execute(
                update(Run)
                .where(Run.id == run_id)
                .values(config=dict(config), updated_at=datetime.now(UTC))
            )

    def set_run_status(self, run_id: str, status: str) -> None:
        """Record how a run ended: completed, interrupted (Ctrl-C) or failed."""
        if status not in RUN_STATUSES:
            raise ValueError(f"run status must be one of {RUN_STATUSES}, not {status!r}")
        now = datetime.now(UTC)
        finished = None if status == "running" else now
        with self._write() as conn:
            conn.execute(
                update(Run)
                .where(Run.id == run_id)
                .values(status=status, updated_at=now, finished_at=finished)
            )

    def get_run(self, run_id: str) -> RunInfo | None:
        """One run with its counts, or None."""
        runs = self._runs(select(Run).where(Run.id == run_id))
        return runs[0] if runs else None

    def list_runs(self, limit: int | None = 100, offset: int = 0) -> list[RunInfo]:
        """Runs, newest first."""
        query = select(Run).order_by(Run.created_at.desc(), Run.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return self._runs(query)

    def latest_run(self) -> RunInfo | None:
        """The most recently created run (what `reev report` shows by default)."""
        runs = self.list_runs(limit=1)
        return runs[0] if runs else None

    def delete_run(self, run_id: str) -> bool:
        """Delete a run and all its episodes; False when there was no such run."""
        with self._write() as conn:
            conn.execute(delete(Episode).where(Episode.run_id == run_id))
            return conn.execute(delete(Run).where(Run.id == run_id)).rowcount > 0

    def _runs(self, query: Any) -> list[RunInfo]:
        with self._read() as conn:
            runs = list(conn.execute(query))
            if not runs:
                return []
            ids = [r.id for r in runs]
            counts = {
                row.run_id: row
                for row in conn.execute(
                    select(
                        Episode.run_id,
                        func.count().label("n"),
                        func.sum(case((Episode.passed.is_(True), 1), else_=0)).label("passed"),
                        func.sum(case((Episode.status == "error", 1), else_=0)).label("errors"),
                    )
                    .where(Episode.run_id.in_(ids))
                    .group_by(Episode.run_id)
                )
            }
            agents: dict[str, list[str]] = {}
            label = episode_label.label("agent")
            for row in conn.execute(
                select(Episode.run_id, label)
                .where(Episode.run_id.in_(ids))
                .distinct()
                .order_by(label)
            ):
                agents.setdefault(row.run_id, []).append(row.agent)
        out = []
        for r in runs:
            c = counts.get(r.id)
            out.append(
                RunInfo(
                    id=r.id,
                    status=r.status,
                    created_at=as_utc(r.created_at) or r.created_at,
                    updated_at=as_utc(r.updated_at) or r.updated_at,
                    finished_at=as_utc(r.finished_at),
                    config=r.config or {},
                    episodes=int(c.n) if c else 0,
                    passed=int(c.passed or 0) if c else 0,
                    errors=int(c.errors or 0) if c else 0,
                    agents=agents.get(r.id, []),
                )
            )
        return out

    # --- benchmarks -----------------------------------------------------------------

    def record_benchmark(
        self,
        benchmark_id: str,
        content: str,
        *,
        source_path: str | None = None,
        description: str | None = None,
        tags: Sequence[str] = (),
    ) -> int:
        """The version id of this exact text of `benchmark_id`, created when new."""
        digest = content_hash(content)
        where = and_(
            BenchmarkVersion.benchmark_id == benchmark_id,
            BenchmarkVersion.content_hash == digest,
        )
        with self._read() as conn:
            found = conn.execute(select(BenchmarkVersion.id).where(where)).scalar()
        if found is not None:
            return int(found)
        with self._write() as conn:
            found = conn.execute(select(BenchmarkVersion.id).where(where)).scalar()
            if found is not None:
                return int(found)
            conn.execute(
                insert(BenchmarkVersion).values(
                    benchmark_id=benchmark_id,
                    content_hash=digest,
                    content=content,
                    source_path=source_path,
                    description=description,
                    tags=list(tags),
                    created_at=datetime.now(UTC),
                )
            )
            return int(conn.execute(select(BenchmarkVersion.id).where(where)).scalar_one())

    def record_benchmarks(self, items: Sequence[BenchmarkText]) -> list[int]:
        """`record_benchmark` for many texts at once: one read of the versions already
        stored and one write transaction for the new ones (a suite stores every file's
        text when it starts; one transaction each was a tenth of a short run)."""
        if not items:
            return []
        wanted = {(i.benchmark_id, content_hash(i.content)) for i in items}
        found = self._version_ids(wanted)
        if len(found) < len(wanted):
            with self._write() as conn:
                found = self._version_ids(wanted, conn)
                now = datetime.now(UTC)
                rows, seen = [], set(found)
                for item in items:
                    key = (item.benchmark_id, content_hash(item.content))
                    if key in seen:
                        continue
                    seen.add(key)
                    rows.append(
                        {
                            "benchmark_id": item.benchmark_id,
                            "content_hash": key[1],
                            "content": item.content,
                            "source_path": item.source_path,
                            "description": item.description,
                            "tags": list(item.tags),
                            "created_at": now,
                        }
                    )
                if rows:
                    conn.execute(insert(BenchmarkVersion), rows)
                found = self._version_ids(wanted, conn)
        return [found[(i.benchmark_id, content_hash(i.content))] for i in items]

    def _version_ids(
        self, wanted: set[tuple[str, str]], conn: Connection | None = None
    ) -> dict[tuple[str, str], int]:
        """(benchmark id, content hash) → version id, for those of `wanted` stored."""
        ids = sorted({benchmark_id for benchmark_id, _ in wanted})
        columns = (
            BenchmarkVersion.id,
            BenchmarkVersion.benchmark_id,
            BenchmarkVersion.content_hash,
        )
        queries = [  # in chunks: old SQLite builds bind at most 999 parameters
            select(*columns).where(BenchmarkVersion.benchmark_id.in_(ids[i : i + 500]))
            for i in range(0, len(ids), 500)
        ]
        rows: list[Any] = []
        if conn is None:
            with self._read() as reader:
                for query in queries:
                    rows.extend(reader.execute(query))
        else:
            for query in queries:
                rows.extend(conn.execute(query))
        return {
            (r.benchmark_id, r.content_hash): int(r.id)
            for r in rows
            if (r.benchmark_id, r.content_hash) in wanted
        }

    def list_benchmark_versions(
        self, benchmark_id: str | None = None, *, with_content: bool = False
    ) -> list[BenchmarkVersionInfo]:
        """Stored benchmark versions (all, or of one benchmark), oldest first."""
        query = select(BenchmarkVersion).order_by(
            BenchmarkVersion.benchmark_id, BenchmarkVersion.id
        )
        if benchmark_id is not None:
            query = query.where(BenchmarkVersion.benchmark_id == benchmark_id)
        with self._read() as conn:
            rows = list(conn.execute(query))
        return [self.version_info(r, with_content) for r in rows]

    def get_benchmark_version(self, version_id: int) -> BenchmarkVersionInfo | None:
        """One benchmark version with its text."""
        with self._read() as conn:
            row = conn.execute(
                select(BenchmarkVersion).where(BenchmarkVersion.id == version_id)
            ).first()
        return self.version_info(row, True) if row is not None else None

    @staticmethod
    def version_info(row: Any, with_content: bool) -> BenchmarkVersionInfo:
        """A BenchmarkVersionInfo from any row carrying the benchmark_versions columns."""
        return BenchmarkVersionInfo(
            id=row.id,
            benchmark_id=row.benchmark_id,
            content_hash=row.content_hash,
            source_path=row.source_path,
            description=row.description,
            tags=list(row.tags or []),
            created_at=as_utc(row.created_at) or row.created_at,
            content=row.content if with_content else None,
        )

    # --- episodes: writing ----------------------------------------------------------

    def record_episode(
        self, run_id: str, result: EpisodeResult, *, benchmark_version_id: int | None = None
    ) -> EpisodeResult:
        """Store one result; returns it as stored (see `record_episodes`)."""
        versions = {result.benchmark_id: benchmark_version_id} if benchmark_version_id else None
        return self.record_episodes(run_id, [result], benchmark_versions=versions)[0]

    def record_episodes(
        self,
        run_id: str,
        results: Sequence[EpisodeResult],
        *,
        benchmark_versions: Mapping[str, int | None] | None = None,
    ) -> list[EpisodeResult]:
        """Store results of run `run_id`; returns them as stored.

        A result whose (agent, benchmark_id, epoch) is already stored in the run replaces
        the old row (a retry); its `attempt` is one more than the old one's. The batch is
        one transaction; when the database refuses it (a value it cannot hold, a broken
        constraint), each result is written on its own and one that still fails is stored
        as an error result with the reason (`unstorable_result`) — that is what the list
        returned holds in its place. An unavailable database (OperationalError) raises.
        """
        if not results:
            return []
        versions = benchmark_versions or {}
        try:
            self._insert_episodes(run_id, results, versions)
            return list(results)
        except OperationalError:
            raise
        except (SQLAlchemyError, ValueError, TypeError, OverflowError):
            pass  # one of them is bad: find it, keep the others
        stored: list[EpisodeResult] = []
        written: set[EpisodeKey] = set()
        for result in results:
            key = (result.agent, result.benchmark_id, result.epoch)
            if key in written:
                stored.append(
                    unstorable_result(result, "another result of this write has the same key")
                )
                continue
            try:
                self._insert_episodes(run_id, [result], versions)
                stored.append(result)
            except OperationalError:
                raise
            except (SQLAlchemyError, ValueError, TypeError, OverflowError) as exc:
                replacement = unstorable_result(result, describe_db_error(exc))
                self._insert_episodes(run_id, [replacement], versions)
                stored.append(replacement)
            written.add(key)
        return stored

    def _insert_episodes(
        self,
        run_id: str,
        results: Sequence[EpisodeResult],
        versions: Mapping[str, int | None],
    ) -> None:
        """Write results in one transaction (the body of `record_episodes`)."""
        with self._write() as conn:
            self.insert_episodes_on(conn, run_id, results, versions)

    @staticmethod
    def insert_episodes_on(
        conn: Connection,
        run_id: str,
        results: Sequence[EpisodeResult],
        versions: Mapping[str, int | None],
        *,
        touch_run: bool = True,
    ) -> None:
        """`_insert_episodes` inside a write transaction the caller holds (the API's queue
        stores a result and ends its job in one); raises what the database refuses.
        `touch_run=False`: the caller stamps the run's `updated_at` itself."""
        rows = episode_batch_rows(run_id, results, versions)
        Store.insert_rows_on(conn, run_id, rows, touch_run=touch_run)

    @staticmethod
    def insert_rows_on(
        conn: Connection,
        run_id: str,
        rows: Sequence[dict[str, Any]],
        *,
        touch_run: bool = True,
    ) -> None:
        """Write `episode_batch_rows` of run `run_id` inside the caller's write
        transaction: a row whose (agent, benchmark, epoch) the run already holds replaces
        the old one, with the next attempt number."""
        keys = {(r["agent"], r["benchmark_id"], r["epoch"]) for r in rows}
        attempts: dict[EpisodeKey, int] = {}
        old_ids: list[str] = []
        agents, ids = sorted({k[0] for k in keys}), sorted({k[1] for k in keys})
        existing = (  # one episode (the queue's case): a statement without expanding INs
            conn.execute(
                _STORED_ATTEMPTS_OF_ONE, {"b_run": run_id, "b_agent": agents[0], "b_id": ids[0]}
            )
            if len(keys) == 1
            else conn.execute(_STORED_ATTEMPTS, {"b_run": run_id, "b_agents": agents, "b_ids": ids})
        )
        for row in existing:
            key = (row.agent, row.benchmark_id, row.epoch)
            if key in keys:
                attempts[key] = row.attempt
                old_ids.append(row.execution_id)
        if old_ids:
            conn.execute(delete(Episode).where(Episode.execution_id.in_(old_ids)))
        for r in rows:
            r["attempt"] = attempts.get((r["agent"], r["benchmark_id"], r["epoch"]), 0) + 1
        conn.execute(_INSERT_EPISODE, rows[0] if len(rows) == 1 else list(rows))
        if touch_run:
            Store.touch_run_on(conn, run_id, rows[0]["recorded_at"])

    def write_rows(self, run_id: str, rows: Sequence[dict[str, Any]]) -> None:
        """`insert_rows_on` in a write transaction of its own (what a store writer
        process does with the rows its parent encoded); raises what the database refuses."""
        with self._write() as conn:
            self.insert_rows_on(conn, run_id, rows)

    @staticmethod
    def touch_run_on(conn: Connection, run_id: str, now: datetime) -> None:
        """Stamp a run's `updated_at` (inside the caller's write transaction)."""
        conn.execute(_TOUCH_RUN, {"b_run": run_id, "updated_at": now})

    def replace_scores(self, run_id: str, results: Sequence[EpisodeResult]) -> None:
        """Write rescored results over their stored rows, all in one transaction.

        Only what scoring decides changes: score, verdict, failure kind, scorer version and
        the result JSON; the attempt, benchmark version and timestamps stay those of the run.
        """
        if not results:
            return
        with self._write() as conn:
            for result in results:
                row = episode_rows(run_id, result)
                conn.execute(
                    update(Episode)
                    .where(Episode.execution_id == result.execution_id, Episode.run_id == run_id)
                    .values(
                        score=row["score"],
                        passed=row["passed"],
                        failure_kind=row["failure_kind"],
                        scorer_version=row["scorer_version"],
                        result_json=row["result_json"],
                    )
                )
            conn.execute(update(Run).where(Run.id == run_id).values(updated_at=datetime.now(UTC)))

    # --- episodes: reading ----------------------------------------------------------

    def episode_keys(self, run_id: str) -> dict[EpisodeKey, str | None]:
        """Every stored episode of a run: (agent, benchmark_id, epoch) → its error_kind
        (None for results). What resume skips; light enough for runs of 100,000 episodes."""
        query = select(
            Episode.agent, Episode.benchmark_id, Episode.epoch, Episode.error_kind
        ).where(Episode.run_id == run_id)
        with self._read() as conn:
            return {(r[0], r[1], r[2]): r[3] for r in conn.execute(query)}

    def list_episodes(
        self,
        *,
        run_id: str | None = None,
        agent: str | None = None,
        benchmark_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[EpisodeSummary]:
        """Episode summaries, filtered, ordered by run, agent, benchmark and epoch."""
        query = select(*SUMMARY_COLUMNS).order_by(
            Episode.run_id, Episode.agent, Episode.benchmark_id, Episode.epoch
        )
        if run_id is not None:
            query = query.where(Episode.run_id == run_id)
        if agent is not None:
            query = query.where(episode_label == agent)
        if benchmark_id is not None:
            query = query.where(Episode.benchmark_id == benchmark_id)
        if status is not None:
            query = query.where(Episode.status == status)
        if offset:
            query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            rows = list(conn.execute(query))
        return [episode_summary(row) for row in rows]

    def count_episodes(self, run_id: str | None = None) -> int:
        """How many episodes are stored (in one run, or in all)."""
        query = select(func.count()).select_from(Episode)
        if run_id is not None:
            query = query.where(Episode.run_id == run_id)
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())

    def get_episode_json(self, execution_id: str) -> dict[str, Any] | None:
        """The full stored result (the `--json` form) of one episode, or None."""
        with self._read() as conn:
            data = conn.execute(
                select(Episode.result_json).where(Episode.execution_id == execution_id)
            ).scalar()
        return expand_model_calls(dict(data)) if data is not None else None

    def get_episode(self, execution_id: str) -> EpisodeResult | None:
        """One episode as an EpisodeResult (unknown newer fields are ignored), or None."""
        data = self.get_episode_json(execution_id)
        return EpisodeResult.model_validate(data) if data is not None else None

    def iter_results_json(self, run_id: str, batch: int = 500) -> Iterator[dict[str, Any]]:
        """The full JSON of every episode of a run, in summary order, without loading all."""
        offset = 0
        while True:
            query = (
                select(Episode.result_json)
                .where(Episode.run_id == run_id)
                .order_by(Episode.agent, Episode.benchmark_id, Episode.epoch)
                .offset(offset)
                .limit(batch)
            )
            with self._read() as conn:
                rows = [expand_model_calls(dict(r)) for r in conn.execute(query).scalars()]
            yield from rows
            if len(rows) < batch:
                return
            offset += batch


def open_store(url: str | None = None, *, migrate: bool = True, reconcile: bool = True) -> Store:
    """Open (and migrate to head) the database at `url`.

    `url` may be a SQLAlchemy URL (`sqlite:///path`, `postgresql://user@host/db`), a bare
    file path (SQLite), or None for `REEV_DATABASE_URL` / the default SQLite file.
    With `reconcile`, runs left `running` by a process that is gone are settled first
    (`Store.reconcile_abandoned_runs`; listed in `store.reconciled`); a database that
    cannot be written to (read-only file) is still opened for reading.
    """
    resolved = resolve_url(url)
    engine = create_store_engine(resolved)
    try:
        if migrate:
            upgrade_to_head(engine)
    except StoreError:
        engine.dispose()
        raise
    except Exception as exc:
        engine.dispose()
        shown = engine.url.render_as_string(hide_password=True)
        raise StoreError(f"cannot open database {shown}: {exc}") from exc
    store = Store(engine, resolved)
    if reconcile:
        try:
            store.reconciled = store.reconcile_abandoned_runs()
        except SQLAlchemyError as exc:  # e.g. a read-only database: reading still works
            log.warning("abandoned runs not reconciled: %s", describe_db_error(exc))
    return store
