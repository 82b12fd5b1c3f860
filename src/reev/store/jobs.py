"""The API's durable job queue: jobs are rows, workers claim them with conditional UPDATEs.

Statuses: `Queued → Running → Completed | Failed | Cancelled`, and `Interrupted` for a job
that was Running in a server that died (SIGKILL, power loss) or shut down before it ended.

Why the rules are what they are:

- A claim is `UPDATE jobs SET status='Running', owner=… WHERE id=? AND status='Queued'`;
  only the worker whose UPDATE changed a row owns the job, so two workers (threads or
  processes, SQLite or PostgreSQL) never run the same job.
- A worker that is alive writes `heartbeat_at` for its running jobs. `recover()` settles
  Running jobs whose owner is dead (its pid is gone on this host, or its heartbeat is
  older than `stale_after`): if the episode row was written before the crash the job is
  Completed/Failed from it, otherwise it becomes `Interrupted` with the reason. Queued jobs
  are never touched by recovery: nothing of them ran, so the next worker runs them.
- Every transition appends a `job_events` row in the same transaction (the SSE feed).
- A run and its jobs are created in one transaction (`create_run`): a kill at any moment
  leaves both or neither, never a run without jobs that stays `running` forever.
- `reconcile_runs()` (at start-up) settles runs left `running` although none of their
  jobs is Queued or Running (the server died between a last job's end and the run's),
  and runs of in-process runners (`reev run`, the TUI) whose owner process is gone.
- Two servers may share one database (SQLite file or PostgreSQL): claims are conditional
  UPDATEs, recovery only takes jobs whose owner is provably gone (dead pid on this host,
  or a heartbeat older than `stale_after`), and run settling reads only job states.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection, and_, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from reev.results.records import EpisodeResult
from reev.store.api_models import Job, JobEvent
from reev.store.changes import ChangeWatch
from reev.store.models import Episode, Run
from reev.store.store import Store, as_utc

QUEUED = "Queued"
RUNNING = "Running"
COMPLETED = "Completed"
FAILED = "Failed"
CANCELLED = "Cancelled"
INTERRUPTED = "Interrupted"
STATUSES = (QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED, INTERRUPTED)
TERMINAL = (COMPLETED, FAILED, CANCELLED, INTERRUPTED)
MAX_EVENT_ID = 2**63 - 1


def new_owner() -> str:
    """An owner id for this process: `host/pid/nonce` (the nonce tells incarnations apart)."""
    return f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


def owner_is_dead(owner: str) -> bool:
    """True when `owner` ran on this host and its process is gone (or is a past incarnation
    of this very process). Owners on other hosts are judged by their heartbeat only."""
    try:
        host, pid_text, _nonce = owner.split("/", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    if host != socket.gethostname():
        return False
    if pid == os.getpid():
        return False  # the caller compares whole owner ids for its own incarnation
    try:
        os.kill(pid, 0)  # signal 0: existence check only, nothing is sent
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class JobInfo(BaseModel):
    """One job as the API shows it."""

    id: str
    run_id: str
    benchmark_id: str
    benchmark_version_id: int | None = None
    agent: str
    model: str | None = None
    base_url: str | None = None
    epoch: int = 0
    seed: int = 0
    scoring: str = "outcome"
    status: str
    progress: int = 0
    score: float | None = None
    passed: bool | None = None
    error: str | None = None
    cancel_requested: bool = False
    owner: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    updated_at: datetime


class JobEventInfo(BaseModel):
    """One status change (an SSE message)."""

    id: int
    job_id: str
    run_id: str
    status: str
    at: datetime
    data: dict[str, Any]


@dataclass(frozen=True)
class JobSpec:
    """What to run: one benchmark version × agent × epoch in a run."""

    run_id: str
    benchmark_id: str
    benchmark_version_id: int | None
    agent: str
    model: str | None = None
    base_url: str | None = None
    epoch: int = 0
    seed: int = 0
    scoring: str = "outcome"
    job_id: str | None = None


@dataclass(frozen=True)
class NewRun:
    """A run to create with its jobs (`JobQueue.create_runs`)."""

    run_id: str
    config: dict[str, Any]
    jobs: Sequence[JobSpec]


class RunExistsError(ValueError):
    """`create_run` was given the id of a run that is already stored."""


def _job(row: Any) -> JobInfo:
    data = dict(row._mapping)
    for key in ("created_at", "started_at", "finished_at", "updated_at"):
        data[key] = as_utc(data[key])
    data.pop("heartbeat_at", None)
    data.pop("run_config", None)  # a claim's extra column
    return JobInfo(**data)


def _made_by_api(config: dict[str, Any]) -> bool:
    """Whether a run's stored config says the API made it (its RunSpec, or the older
    `source` key)."""
    spec = config.get("spec")
    if isinstance(spec, dict) and spec.get("interface") == "api":
        return True
    return config.get("source") == "api"


def _event_data(status: str, **fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None} | {"status": status}


# The queue's hot statements, built once (their compiled form is cached by SQLAlchemy);
# `b_*` are the WHERE parameters, the other keys of a call's parameters are the SET columns.
_OLDEST_QUEUED = (
    select(Job.id).where(Job.status == QUEUED).order_by(Job.created_at, Job.id).limit(1)
)
_JOB_BY_ID = select(Job).where(Job.id == bindparam("b_id"))
_RUN_OF_JOB = select(Job.run_id).where(Job.id == bindparam("b_id"))
_CLAIM = update(Job).where(Job.id == bindparam("b_id"), Job.status == QUEUED)
_FINISH = update(Job).where(
    Job.id == bindparam("b_id"), Job.owner == bindparam("b_owner"), Job.status == RUNNING
)
_INSERT_EVENT = insert(JobEvent)
_RUN_COUNTS = (
    select(Job.status, func.count()).where(Job.run_id == bindparam("b_run")).group_by(Job.status)
)
_SET_RUN_STATUS = update(Run).where(Run.id == bindparam("b_run"))
_RUN_CONFIG = select(Run.config).where(Run.id == bindparam("b_run"))
# The claim in one statement: the oldest Queued job becomes Running, and comes back (with
# its run's config when asked). The subquery reads an alias so it is not correlated with
# the updated row; a row another claimer took first no longer matches `status = Queued`.
_QUEUED = Job.__table__.alias("queued")
_OLDEST_QUEUED_ID = (
    select(_QUEUED.c.id)
    .where(_QUEUED.c.status == QUEUED)
    .order_by(_QUEUED.c.created_at, _QUEUED.c.id)
    .limit(1)
    .scalar_subquery()
)
_CLAIM_OLDEST = (
    update(Job)
    .where(Job.id == _OLDEST_QUEUED_ID, Job.status == QUEUED)
    .returning(*Job.__table__.columns)
)
_CLAIM_OLDEST_WITH_CONFIG = _CLAIM_OLDEST.returning(
    select(Run.config).where(Run.id == Job.run_id).scalar_subquery().label("run_config")
)


class _EveryRun:
    """A container holding every run id (`claim` reads no config)."""

    def __contains__(self, _item: object) -> bool:
        return True


_EVERY_RUN = _EveryRun()
_INSERT_RUN = insert(Run)
_INSERT_JOB = insert(Job)
_COUNT_ALL_SQL = f"SELECT status, count(*) FROM {Job.__tablename__} GROUP BY status"


def _counts(rows: Iterable[Any]) -> dict[str, int]:
    out = dict.fromkeys(STATUSES, 0)
    for status, n in rows:
        out[str(status)] = int(n)
    return out


class JobQueue:
    """The queue over a Store's database. Thread-safe; share one per process."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # `counts()` of the whole queue, kept while nothing was committed since (exact:
        # see reev.store.changes); `/health` asks on every call.
        self.changes = ChangeWatch(store)
        self._counts_lock = threading.Lock()
        self._all_counts: tuple[int, dict[str, int]] | None = None

    def close(self) -> None:
        """Release the queue's own connection (the store stays open)."""
        self.changes.close()

    # --- writing --------------------------------------------------------------------

    def enqueue(self, specs: Sequence[JobSpec]) -> list[str]:
        """Add Queued jobs in one transaction; returns their ids in order."""
        ids, rows, events = self._job_rows(specs)
        if not specs:
            return ids
        with self.store._write() as conn:
            conn.execute(insert(Job), rows)
            conn.execute(insert(JobEvent), events)
        return ids

    def create_run(
        self, run_id: str, config: dict[str, Any], specs: Sequence[JobSpec]
    ) -> list[str]:
        """A new run (status `running`) and its Queued jobs, in one transaction.

        Raises RunExistsError when `run_id` is taken (checked by the database, so two
        requests racing for one id cannot both win). Returns the job ids in order."""
        try:
            return self.create_runs([NewRun(run_id, config, specs)])[0]
        except IntegrityError as exc:
            if not self._run_exists(run_id):  # another constraint: not ours to rename
                raise
            raise RunExistsError(run_id) from exc

    def create_runs(self, runs: Sequence[NewRun]) -> list[list[str]]:
        """Several new runs (status `running`) and their Queued jobs, in one transaction:
        all of them or, when the database refuses one (a taken run id is an
        IntegrityError), none. Returns each run's job ids in order. The API's intake
        queues a burst of posted runs with one commit (`reev.api.intake`)."""
        now = datetime.now(UTC)
        run_rows = []
        job_rows: list[dict[str, Any]] = []
        event_rows: list[dict[str, Any]] = []
        ids: list[list[str]] = []
        for run in runs:
            run_rows.append(
                {
                    "id": run.run_id,
                    "status": "running",
                    "created_at": now,
                    "updated_at": now,
                    "config": run.config,
                }
            )
            job_ids, rows, events = self._job_rows(run.jobs, now, len(job_rows))
            ids.append(job_ids)
            job_rows.extend(rows)
            event_rows.extend(events)
        if not run_rows:
            return ids
        with self.store._write() as conn:
            # one row: a plain INSERT (a list takes the executemany path)
            conn.execute(_INSERT_RUN, run_rows[0] if len(run_rows) == 1 else run_rows)
            if job_rows:
                conn.execute(_INSERT_JOB, job_rows[0] if len(job_rows) == 1 else job_rows)
                conn.execute(_INSERT_EVENT, event_rows[0] if len(event_rows) == 1 else event_rows)
        return ids

    def _run_exists(self, run_id: str) -> bool:
        with self.store._read() as conn:
            return conn.execute(select(Run.id).where(Run.id == run_id)).first() is not None

    @staticmethod
    def _job_rows(
        specs: Sequence[JobSpec], now: datetime | None = None, first: int = 0
    ) -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]]]:
        """Job and event rows; job `i` is created `first + i` microseconds after `now`, so
        the queue is FIFO in the order given (across the runs of one `create_runs` too)."""
        now = now or datetime.now(UTC)
        ids = [s.job_id or str(uuid.uuid4()) for s in specs]
        rows = [
            {
                "id": job_id,
                "run_id": s.run_id,
                "benchmark_id": s.benchmark_id,
                "benchmark_version_id": s.benchmark_version_id,
                "agent": s.agent,
                "model": s.model,
                "base_url": s.base_url,
                "epoch": s.epoch,
                "seed": s.seed,
                "scoring": s.scoring,
                "status": QUEUED,
                "progress": 0,
                "cancel_requested": False,
                # one microsecond apart: the queue is FIFO in the order given
                "created_at": now + timedelta(microseconds=first + i),
                "updated_at": now,
            }
            for i, (job_id, s) in enumerate(zip(ids, specs, strict=True))
        ]
        events = [
            {
                "job_id": r["id"],
                "run_id": r["run_id"],
                "status": QUEUED,
                "at": now,
                "data": _event_data(
                    QUEUED, benchmark_id=r["benchmark_id"], agent=r["agent"], epoch=r["epoch"]
                ),
            }
            for r in rows
        ]
        return ids, rows, events

    def settle_run(self, run_id: str) -> str | None:
        """Give a run its final status once none of its jobs is Queued or Running:
        `interrupted` when any was Cancelled or Interrupted, else `completed`. Returns the
        status set, or None while jobs are still to run (or the run has no jobs)."""
        with self.store._write() as conn:
            return self._settle_on(conn, run_id, datetime.now(UTC))

    @staticmethod
    def _settle_on(conn: Connection, run_id: str, now: datetime) -> str | None:
        """`settle_run` inside a write transaction (job states read in it)."""
        counts = _counts(conn.execute(_RUN_COUNTS, {"b_run": run_id}).all())
        if counts[QUEUED] or counts[RUNNING] or not sum(counts.values()):
            return None
        status = "interrupted" if counts[CANCELLED] + counts[INTERRUPTED] else "completed"
        conn.execute(
            _SET_RUN_STATUS,
            {"b_run": run_id, "status": status, "updated_at": now, "finished_at": now},
        )
        return status

    def reconcile_runs(self) -> dict[str, str]:
        """Settle every run left `running` with no live job (see module docstring).

        A run with jobs, none Queued or Running, gets its final status; an API run with no
        jobs at all (created before run and jobs were one transaction) is `failed`. Runs
        without jobs from `reev run` (or the TUI) are settled by their owner process: while
        it is alive they are left alone, once it is gone they are `interrupted`
        (`Store.reconcile_abandoned_runs`). Returns {run_id: status} of the runs changed."""
        changed: dict[str, str] = {
            a.run_id: "interrupted" for a in self.store.reconcile_abandoned_runs()
        }
        with self.store._read() as conn:
            running = list(conn.execute(select(Run.id, Run.config).where(Run.status == "running")))
        for run in running:
            status = self.settle_run(run.id)
            no_jobs = status is None and not sum(self.counts(run.id).values())
            if no_jobs and _made_by_api(run.config or {}):
                self.store.set_run_status(run.id, "failed")
                status = "failed"
            if status is not None:
                changed[run.id] = status
        return changed

    def claim(self, owner: str) -> JobInfo | None:
        """Take the oldest Queued job for `owner` (Running, progress 10), or None.

        One write transaction: the oldest Queued id, the conditional UPDATE (only a row
        still Queued changes, so two claimers never both win) and the event."""
        claimed = self.claim_with_config(owner, known_runs=_EVERY_RUN)
        return None if claimed is None else claimed[0]

    def claim_with_config(
        self, owner: str, known_runs: Container[str]
    ) -> tuple[JobInfo, dict[str, Any] | None] | None:
        """`claim`, and the stored config of the job's run read in the same transaction
        unless its id is in `known_runs` (then None): a worker that must read the spec of
        every new run saves a transaction per job. None when nothing is Queued."""
        with self.store._write() as conn:
            return self._claim_on(conn, owner, known_runs)

    def _claim_on(
        self, conn: Connection, owner: str, known_runs: Container[str]
    ) -> tuple[JobInfo, dict[str, Any] | None] | None:
        """`claim_with_config` inside a write transaction."""
        for _ in range(20):
            now = datetime.now(UTC)
            values = {
                "status": RUNNING,
                "owner": owner,
                "progress": 10,
                "started_at": now,
                "heartbeat_at": now,
                "updated_at": now,
            }
            config: dict[str, Any] | None = None
            if conn.dialect.update_returning:  # SQLite ≥ 3.35, PostgreSQL: one statement
                job = conn.execute(_CLAIM_OLDEST_WITH_CONFIG, values).first()
                if job is None and conn.execute(_OLDEST_QUEUED).first() is None:
                    return None  # nothing Queued (else another claimer won: try again)
                if job is not None and job.run_id not in known_runs and job.run_config:
                    config = dict(job.run_config)
            else:
                job_id = conn.execute(_OLDEST_QUEUED).scalar()
                if job_id is None:
                    return None
                changed = conn.execute(_CLAIM, {"b_id": job_id, **values}).rowcount
                job = conn.execute(_JOB_BY_ID, {"b_id": job_id}).one() if changed else None
                if job is not None and job.run_id not in known_runs:
                    row = conn.execute(_RUN_CONFIG, {"b_run": job.run_id}).first()
                    config = None if row is None else dict(row.config or {})
            if job is not None:
                self._event(conn, job.id, job.run_id, RUNNING, now, progress=10)
                return _job(job), config
        return None

    def run_config(self, run_id: str) -> dict[str, Any] | None:
        """The stored config of a run (its RunSpec's stored form), or None when unknown."""
        with self.store._read() as conn:
            row = conn.execute(_RUN_CONFIG, {"b_run": run_id}).first()
        return None if row is None else dict(row.config or {})

    def set_progress(self, job_id: str, owner: str, progress: int) -> None:
        """Record progress (0-100) of a job this owner runs."""
        now = datetime.now(UTC)
        with self.store._write() as conn:
            changed = conn.execute(
                update(Job)
                .where(Job.id == job_id, Job.owner == owner, Job.status == RUNNING)
                .values(progress=progress, heartbeat_at=now, updated_at=now)
            ).rowcount
            if changed:
                run_id = conn.execute(select(Job.run_id).where(Job.id == job_id)).scalar_one()
                self._event(conn, job_id, run_id, RUNNING, now, progress=progress)

    def heartbeat(self, owner: str, job_ids: Iterable[str]) -> None:
        """Tell other servers these Running jobs are alive."""
        ids = list(job_ids)
        if not ids:
            return
        with self.store._write() as conn:
            conn.execute(
                update(Job)
                .where(Job.id.in_(ids), Job.owner == owner, Job.status == RUNNING)
                .values(heartbeat_at=datetime.now(UTC))
            )

    def finish(
        self,
        job_id: str,
        owner: str,
        status: str,
        *,
        score: float | None = None,
        passed: bool | None = None,
        error: str | None = None,
        settle: bool = False,
    ) -> bool:
        """Move a Running job of `owner` to a terminal status; False if it was not ours.
        With `settle`, its run is settled in the same transaction (`settle_run`)."""
        if status not in TERMINAL:
            raise ValueError(f"not a terminal status: {status!r}")
        with self.store._write() as conn:
            return self._finish_on(
                conn, job_id, owner, status, score=score, passed=passed, error=error, settle=settle
            )

    def complete(
        self, job_id: str, owner: str, run_id: str, result: EpisodeResult, version_id: int | None
    ) -> bool:
        """Store a Running job's episode result, end the job (Completed, or Failed when the
        episode did not complete) and settle its run, all in one transaction. False when
        the job was no longer ours (the result is stored all the same, as by a separate
        `Store.record_episode` then `finish`). Raises what the database refuses: the
        caller then stores the result through `Store.record_episode`, which keeps an
        error result in place of one that cannot be stored."""
        with self.store._write() as conn:
            return self._complete_on(conn, job_id, owner, run_id, result, version_id)

    def complete_and_claim(
        self,
        job_id: str,
        owner: str,
        run_id: str,
        result: EpisodeResult,
        version_id: int | None,
        known_runs: Container[str],
    ) -> tuple[bool, tuple[JobInfo, dict[str, Any] | None] | None]:
        """`complete`, then `claim_with_config` for the same owner, in one transaction: a
        worker whose slot the finished job frees takes the next job without a second
        commit. Returns (what `complete` returns, what the claim returns); raises like
        `complete`, and then nothing was written or claimed."""
        with self.store._write() as conn:
            ours = self._complete_on(conn, job_id, owner, run_id, result, version_id)
            return ours, self._claim_on(conn, owner, known_runs)

    def _complete_on(
        self,
        conn: Connection,
        job_id: str,
        owner: str,
        run_id: str,
        result: EpisodeResult,
        version_id: int | None,
    ) -> bool:
        versions = {result.benchmark_id: version_id} if version_id else {}
        status = COMPLETED if result.status == "completed" else FAILED
        Store.insert_episodes_on(conn, run_id, [result], versions, touch_run=False)
        ours = self._finish_on(
            conn,
            job_id,
            owner,
            status,
            score=result.score,
            passed=result.passed,
            error=result.error,
            settle=False,
            run_id=run_id,
        )
        now = datetime.now(UTC)
        if self._settle_on(conn, run_id, now) is None:  # settling stamps `updated_at` too
            Store.touch_run_on(conn, run_id, now)
        return ours

    def _finish_on(
        self,
        conn: Connection,
        job_id: str,
        owner: str,
        status: str,
        *,
        score: float | None,
        passed: bool | None,
        error: str | None,
        settle: bool,
        run_id: str | None = None,
    ) -> bool:
        now = datetime.now(UTC)
        changed = conn.execute(
            _FINISH,
            {
                "b_id": job_id,
                "b_owner": owner,
                "status": status,
                "progress": 100,
                "score": score,
                "passed": passed,
                "error": error,
                "finished_at": now,
                "updated_at": now,
            },
        ).rowcount
        if run_id is None and (changed or settle):
            run_id = conn.execute(_RUN_OF_JOB, {"b_id": job_id}).scalar()
        if changed and run_id is not None:
            self._event(conn, job_id, run_id, status, now, score=score, passed=passed, error=error)
        if settle and run_id is not None:
            self._settle_on(conn, run_id, now)
        return bool(changed)

    def request_cancel(self, job_id: str) -> str | None:
        """Stop a job: a Queued one is Cancelled at once, a Running one is flagged for its
        worker (which cancels the episode). Returns the status after, None if unknown."""
        now = datetime.now(UTC)
        with self.store._write() as conn:
            row = conn.execute(select(Job.status, Job.run_id).where(Job.id == job_id)).first()
            if row is None:
                return None
            if row.status == QUEUED:
                conn.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.status == QUEUED)
                    .values(
                        status=CANCELLED,
                        cancel_requested=True,
                        error="stopped by user before it started",
                        finished_at=now,
                        updated_at=now,
                    )
                )
                self._event(conn, job_id, row.run_id, CANCELLED, now, error="stopped by user")
                return CANCELLED
            if row.status == RUNNING:
                conn.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.status == RUNNING)
                    .values(cancel_requested=True, updated_at=now)
                )
            return str(row.status)

    def cancel_run(self, run_id: str) -> int:
        """Request cancellation of every unfinished job of a run; returns how many."""
        with self.store._read() as conn:
            ids = list(
                conn.execute(
                    select(Job.id).where(Job.run_id == run_id, Job.status.in_((QUEUED, RUNNING)))
                ).scalars()
            )
        for job_id in ids:
            self.request_cancel(job_id)
        return len(ids)

    def recover(self, owner: str, stale_after: float) -> dict[str, str]:
        """Settle Running jobs whose owner is dead (see module docstring), and runs that a
        dead `reev run`/TUI process left `running` (`Store.reconcile_abandoned_runs`), so a
        server that stays up notices a killed CLI run within one housekeeping round.

        Returns {job_id: run_id} of the jobs settled."""
        self.store.reconcile_abandoned_runs()
        now = datetime.now(UTC)
        cutoff = now - timedelta(seconds=stale_after)
        with self.store._read() as conn:
            rows = list(
                conn.execute(
                    select(Job.id, Job.owner, Job.heartbeat_at).where(
                        Job.status == RUNNING, Job.owner != owner
                    )
                )
            )
        dead = [
            r.id
            for r in rows
            if r.owner is None or owner_is_dead(r.owner) or (as_utc(r.heartbeat_at) or now) < cutoff
        ]
        settled: dict[str, str] = {}
        for job_id in dead:
            with self.store._write() as conn:
                job = conn.execute(
                    select(Job.run_id, Job.owner).where(Job.id == job_id, Job.status == RUNNING)
                ).first()
                if job is None:
                    continue
                episode = conn.execute(
                    select(Episode.status, Episode.score, Episode.passed, Episode.error).where(
                        Episode.execution_id == job_id
                    )
                ).first()
                if episode is not None:  # the result was stored just before the crash
                    status = COMPLETED if episode.status == "completed" else FAILED
                    values: dict[str, Any] = {
                        "status": status,
                        "score": episode.score,
                        "passed": episode.passed,
                        "error": episode.error,
                    }
                else:
                    status = INTERRUPTED
                    values = {
                        "status": status,
                        "error": f"interrupted: the server running it ({job.owner}) stopped "
                        "before the episode finished; not re-run automatically because an "
                        "episode is not idempotent (model calls cost tokens and sample anew)",
                    }
                conn.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.status == RUNNING)
                    .values(**values, progress=100, finished_at=now, updated_at=now)
                )
                self._event(
                    conn,
                    job_id,
                    job.run_id,
                    status,
                    now,
                    error=values.get("error"),
                    score=values.get("score"),
                    passed=values.get("passed"),
                )
                settled[job_id] = job.run_id
        return settled

    def interrupt_owned(self, owner: str, reason: str) -> int:
        """Mark every Running job of `owner` Interrupted (graceful shutdown after the grace)."""
        with self.store._read() as conn:
            ids = list(
                conn.execute(
                    select(Job.id).where(Job.owner == owner, Job.status == RUNNING)
                ).scalars()
            )
        return sum(self.finish(job_id, owner, INTERRUPTED, error=reason) for job_id in ids)

    @staticmethod
    def _event(
        conn: Connection, job_id: str, run_id: str, status: str, at: datetime, **fields: Any
    ) -> None:
        conn.execute(
            _INSERT_EVENT,
            {
                "job_id": job_id,
                "run_id": run_id,
                "status": status,
                "at": at,
                "data": _event_data(status, **fields),
            },
        )

    # --- reading --------------------------------------------------------------------

    def get(self, job_id: str) -> JobInfo | None:
        """One job, or None."""
        with self.store._read() as conn:
            row = conn.execute(select(Job).where(Job.id == job_id)).first()
        return _job(row) if row is not None else None

    def list_jobs(
        self,
        *,
        run_id: str | None = None,
        benchmark_id: str | None = None,
        agent: str | None = None,
        status: str | None = None,
        limit: int = 100,
        offset: int = 0,
        newest_first: bool = True,
    ) -> list[JobInfo]:
        """Jobs filtered; newest first by default."""
        query = select(Job)
        if run_id is not None:
            query = query.where(Job.run_id == run_id)
        if benchmark_id is not None:
            query = query.where(Job.benchmark_id == benchmark_id)
        if agent is not None:
            query = query.where(Job.agent == agent)
        if status is not None:
            query = query.where(Job.status == status)
        order = (Job.created_at.desc(), Job.id.desc()) if newest_first else (Job.created_at, Job.id)
        query = query.order_by(*order).offset(offset).limit(limit)
        with self.store._read() as conn:
            return [_job(r) for r in conn.execute(query)]

    def counts(self, run_id: str | None = None) -> dict[str, int]:
        """How many jobs are in each status (of a run, or all); every status is a key.

        The whole queue's counts are answered again without a query while no connection
        (of any process) has committed to the database since they were read."""
        if run_id is not None:
            query = select(Job.status, func.count()).group_by(Job.status)
            with self.store._read() as conn:
                return _counts(conn.execute(query.where(Job.run_id == run_id)).all())
        version = self.changes.version()  # before the query: a commit during it shows next time
        with self._counts_lock:
            cached = self._all_counts
        if version is not None and cached is not None and cached[0] == version:
            return dict(cached[1])
        with self.store._read() as conn:  # plain SQL, no statement build
            counts = _counts(conn.exec_driver_sql(_COUNT_ALL_SQL).all())
        if version is not None:
            with self._counts_lock:
                self._all_counts = (version, dict(counts))
        return counts

    def cancel_requested(self, owner: str, job_ids: Iterable[str]) -> set[str]:
        """Which of these Running jobs of `owner` someone asked to stop."""
        ids = list(job_ids)
        if not ids:
            return set()
        with self.store._read() as conn:
            return set(
                conn.execute(
                    select(Job.id).where(
                        and_(Job.id.in_(ids), Job.owner == owner, Job.cancel_requested.is_(True))
                    )
                ).scalars()
            )

    def events_since(
        self, after: int, *, run_id: str | None = None, limit: int = 500
    ) -> list[JobEventInfo]:
        """Status changes with id > `after`, oldest first. `after` comes from a client's
        Last-Event-ID: it is clamped to the 64-bit range the id column holds."""
        after = min(max(after, -1), MAX_EVENT_ID)
        query = select(JobEvent).where(JobEvent.id > after).order_by(JobEvent.id).limit(limit)
        if run_id is not None:
            query = query.where(JobEvent.run_id == run_id)
        with self.store._read() as conn:
            rows = list(conn.execute(query))
        return [
            JobEventInfo(
                id=r.id,
                job_id=r.job_id,
                run_id=r.run_id,
                status=r.status,
                at=as_utc(r.at) or r.at,
                data=dict(r.data or {}),
            )
            for r in rows
        ]

    def last_event_id(self) -> int:
        """The newest event id (0 when none): where a new SSE subscriber starts."""
        with self.store._read() as conn:
            return int(conn.execute(select(func.max(JobEvent.id))).scalar() or 0)
