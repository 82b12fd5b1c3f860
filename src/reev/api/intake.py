"""The intake of posted runs: `POST /benchmarks/{id}/run` queued in bursts, one commit each.

Each request's run is planned on the intake's own thread like every posted run (its spec
built and checked by `api_run_spec`, its one job by `queued_jobs`), pinned to its
benchmark's current version and inserted with its job and event. Requests that arrive
while the intake writes one burst make the next: a flood of posted runs costs one version
query and one commit per burst instead of per request, and a lone request is taken at
once (there is no timer to wait for). The route awaits its own answer, so no database
work runs on the request loop and no thread-pool thread waits per request.

A burst is one transaction. When the database refuses it as a whole (an IntegrityError),
its runs are inserted one by one, so a bad one fails alone; when the database is
unavailable every request of the burst gets that error (the API answers 503), and nothing
of the burst was stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from queue import Empty, SimpleQueue

from fastapi import HTTPException
from sqlalchemy.exc import IntegrityError

from reev.api.run_specs import api_run_spec, queued_jobs
from reev.api.schemas import RunAccepted, RunRequest
from reev.api.settings import ApiSettings
from reev.results.spec import RunSpec
from reev.store import Store
from reev.store.api_queries import current_version_ids
from reev.store.jobs import QUEUED, JobQueue, NewRun

log = logging.getLogger("reev.api.intake")

MAX_BURST = 256  # requests inserted in one transaction at most

Answer = RunAccepted | BaseException


@dataclass
class _Order:
    """One posted run waiting for the intake, and where its answer goes."""

    benchmark_id: str
    body: RunRequest
    future: asyncio.Future[RunAccepted]
    loop: asyncio.AbstractEventLoop


@dataclass
class _Planned:
    order: _Order
    spec: RunSpec
    execution_id: str

    @property
    def run_id(self) -> str:
        return f"api-{self.execution_id}"

    def accepted(self) -> RunAccepted:
        return RunAccepted(execution_id=self.execution_id, status=QUEUED, run_id=self.run_id)


class RunIntake:
    """Takes posted runs on its own thread; `start()`/`stop()` from the server."""

    def __init__(
        self, store: Store, queue: JobQueue, settings: ApiSettings, notify: Callable[[], None]
    ) -> None:
        self.store = store
        self.queue = queue
        self.settings = settings
        self.notify = notify  # wakes the workers once a burst is queued
        self._orders: SimpleQueue[_Order | None] = SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._main, name="reev-intake", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Take what was already posted, then stop."""
        if self._thread is None:
            return
        self._orders.put(None)
        self._thread.join()
        self._thread = None

    async def run_benchmark(self, benchmark_id: str, body: RunRequest) -> RunAccepted:
        """Queue one episode of `benchmark_id`; raises HTTPException 400/404 like the
        route, or what the database raised."""
        if self._thread is None:
            raise RuntimeError("the run intake is not running (the server is stopping)")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[RunAccepted] = loop.create_future()
        self._orders.put(_Order(benchmark_id, body, future, loop))
        return await future

    # --- the intake thread -------------------------------------------------------------

    def _main(self) -> None:
        while True:
            first = self._orders.get()
            if first is None:
                return
            burst = [first]
            stopping = False
            while len(burst) < MAX_BURST:
                try:
                    order = self._orders.get_nowait()
                except Empty:
                    break
                if order is None:
                    stopping = True
                    break
                burst.append(order)
            try:
                answers = self._take(burst)
            except Exception as exc:  # a bug here must not leave a request waiting
                log.exception("the run intake failed on a burst of %d", len(burst))
                answers = [(order, exc) for order in burst]
            _deliver(answers)
            if stopping:
                return

    def _take(self, burst: Sequence[_Order]) -> list[tuple[_Order, Answer]]:
        """Plan, pin and insert a burst of orders; every order gets its answer."""
        answers: list[tuple[_Order, Answer]] = []
        planned: list[_Planned] = []
        for order in burst:
            body = order.body
            try:
                spec = api_run_spec(
                    self.settings,
                    [body],
                    benchmarks=[order.benchmark_id],
                    seed=body.seed,
                    scoring=body.scoring,
                )
            except Exception as exc:  # HTTPException 400: the run cannot run as asked
                answers.append((order, exc))
                continue
            planned.append(_Planned(order, spec, str(uuid.uuid4())))
        if not planned:
            return answers
        try:
            versions = current_version_ids(self.store, {p.order.benchmark_id for p in planned})
        except Exception as exc:
            return answers + [(p.order, exc) for p in planned]
        pinned: list[tuple[_Planned, NewRun]] = []
        for p in planned:
            version_id = versions.get(p.order.benchmark_id)
            if version_id is None:
                unknown = HTTPException(404, detail=f"unknown benchmark {p.order.benchmark_id!r}")
                answers.append((p.order, unknown))
                continue
            jobs = queued_jobs(p.spec, p.run_id, [version_id], job_ids=[p.execution_id])
            pinned.append((p, NewRun(p.run_id, p.spec.stored_form(), jobs)))
        inserted = self._insert(pinned)
        if any(isinstance(answer, RunAccepted) for _, answer in inserted):
            self.notify()
        return answers + inserted

    def _insert(self, pinned: Sequence[tuple[_Planned, NewRun]]) -> list[tuple[_Order, Answer]]:
        if not pinned:
            return []
        try:
            self.queue.create_runs([run for _, run in pinned])
        except IntegrityError as exc:
            if len(pinned) == 1:
                return [(pinned[0][0].order, exc)]
            return [answer for one in pinned for answer in self._insert([one])]
        except Exception as exc:  # the database is unavailable: nothing was stored
            return [(p.order, exc) for p, _ in pinned]
        return [(p.order, p.accepted()) for p, _ in pinned]


def _deliver(answers: Sequence[tuple[_Order, Answer]]) -> None:
    """Hand each answer to its request's loop (one wake-up per loop and burst)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Order, Answer]]] = {}
    for order, answer in answers:
        by_loop.setdefault(order.loop, []).append((order, answer))
    for loop, items in by_loop.items():
        with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits
            loop.call_soon_threadsafe(_settle, items)


def _settle(items: Sequence[tuple[_Order, Answer]]) -> None:
    for order, answer in items:
        if order.future.done():  # the client went away: its request was cancelled
            continue
        if isinstance(answer, BaseException):
            order.future.set_exception(answer)
        else:
            order.future.set_result(answer)
