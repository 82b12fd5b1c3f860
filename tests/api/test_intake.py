"""The run intake: posted runs are planned and queued in bursts (one commit each), every
request gets its own answer (accepted, 400, 404 or the database's refusal), and a run the
database refuses fails alone."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from fastapi import HTTPException
from sqlalchemy.exc import IntegrityError

from reev.api.catalog import sync_benchmark_dirs
from reev.api.intake import RunIntake
from reev.api.schemas import RunAccepted, RunRequest
from reev.api.settings import ApiSettings
from reev.store import Store, open_store
from reev.store.jobs import JobQueue, NewRun


@pytest.fixture
def store(tmp_path: Path, bundled: Path) -> Iterator[Store]:
    st = open_store(f"sqlite:///{tmp_path / 'q.db'}")
    sync_benchmark_dirs(st, [bundled])
    yield st
    st.close()


class HeldFirstBurst:
    """Records each burst's size; holds the first in `create_runs` until the others wait."""

    def __init__(self, queue: JobQueue) -> None:
        self.bursts: list[int] = []
        self.held, self.release = threading.Event(), threading.Event()
        self._real = queue.create_runs
        queue.create_runs = self._create_runs  # type: ignore[method-assign]

    def _create_runs(self, runs: Sequence[NewRun]) -> list[list[str]]:
        self.bursts.append(len(runs))
        if len(self.bursts) == 1:
            self.held.set()
            self.release.wait(30)
        return self._real(runs)

    def post(self, intake: RunIntake, orders: Sequence[tuple[str, RunRequest]]) -> list[object]:
        """The first order alone, then the others while it is held: they make one burst."""

        async def main() -> list[object]:
            (benchmark, body), *others = orders
            first = asyncio.ensure_future(intake.run_benchmark(benchmark, body))
            await asyncio.get_running_loop().run_in_executor(None, self.held.wait, 30)
            rest = [asyncio.ensure_future(intake.run_benchmark(b, o)) for b, o in others]
            await asyncio.sleep(0.1)  # all of them wait behind the held burst
            self.release.set()
            return await asyncio.gather(first, *rest, return_exceptions=True)

        return asyncio.run(main())


def test_a_burst_is_one_commit_and_every_request_gets_its_answer(store: Store) -> None:
    queue = JobQueue(store)
    hold = HeldFirstBurst(queue)
    woken: list[int] = []
    intake = RunIntake(store, queue, ApiSettings(benchmark_dirs=[]), lambda: woken.append(1))
    intake.start()
    try:
        ok = RunRequest(agent="deterministic")
        orders = [("001-sol-transfer", ok)]
        orders += [
            ("002-spl-transfer", RunRequest(agent="deterministic", seed=i)) for i in range(40)
        ]
        orders += [("no-such-benchmark", ok), ("001-sol-transfer", RunRequest(agent="no-agent"))]

        answers = hold.post(intake, orders)
    finally:
        intake.stop()
    assert hold.bursts == [1, 40]  # the lone first request at once, the 40 valid others in one
    accepted = [a for a in answers if isinstance(a, RunAccepted)]
    assert len(accepted) == 41 and len({a.run_id for a in accepted}) == 41
    unknown, bad_agent = answers[-2], answers[-1]
    assert isinstance(unknown, HTTPException) and unknown.status_code == 404
    assert isinstance(bad_agent, HTTPException) and bad_agent.status_code == 400
    for answer, (benchmark, body) in zip(accepted, orders, strict=False):
        (job,) = queue.list_jobs(run_id=answer.run_id)
        assert (job.id, job.benchmark_id, job.seed, job.status) == (
            answer.execution_id, benchmark, body.seed, "Queued",
        )  # fmt: skip
        assert job.benchmark_version_id is not None  # pinned to the current version
    queued = [j.id for j in reversed(queue.list_jobs(limit=100))]
    assert queued == [a.execution_id for a in accepted]  # FIFO in the order posted
    assert woken == [1, 1]  # the workers were woken once per burst


def test_a_run_the_database_refuses_fails_alone(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = JobQueue(store)
    taken = uuid.uuid4()
    store.create_run(f"api-{taken}")  # an id the intake will draw is already a run
    ids = iter([uuid.uuid4(), taken, uuid.uuid4(), uuid.uuid4()])
    monkeypatch.setattr(uuid, "uuid4", lambda: next(ids))  # the module the intake draws from
    hold = HeldFirstBurst(queue)
    intake = RunIntake(store, queue, ApiSettings(benchmark_dirs=[]), lambda: None)
    intake.start()
    try:
        answers = hold.post(intake, [("001-sol-transfer", RunRequest(agent="deterministic"))] * 4)
    finally:
        intake.stop()
    assert hold.bursts[:2] == [1, 3]  # the three came as one burst, refused as a whole …
    assert isinstance(answers[1], IntegrityError)  # … then the taken id failed alone
    assert all(isinstance(answers[i], RunAccepted) for i in (0, 2, 3))
    assert queue.counts()["Queued"] == 3


def test_a_stopped_intake_refuses_new_runs(store: Store) -> None:
    intake = RunIntake(store, JobQueue(store), ApiSettings(benchmark_dirs=[]), lambda: None)
    intake.start()
    intake.stop()
    with pytest.raises(RuntimeError, match="not running"):
        asyncio.run(intake.run_benchmark("001-sol-transfer", RunRequest(agent="deterministic")))
