"""A run's results written by a writer process: the same rows as written in the run's
own process, every result kept when the writer process refuses a batch or dies, and no
result reported before it is committed."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from reev.agents.registry import create_agent
from reev.results.records import EpisodeResult
from reev.runner import result_writer
from reev.runner.result_writer import ResultWriter
from reev.runner.suite import AgentEntry, LoadedBenchmark, load_all, run_matrix
from reev.store import open_store, writer_process
from reev.store.writer_process import StoreWriterProcess
from tests.records import stable

ROOT = Path(__file__).resolve().parents[2]
FILES = ["001-sol-transfer.yml", "002-spl-transfer.yml", "004-partial-score-spl-transfer.yml"]
EPOCHS = 6  # 18 episodes


@pytest.fixture
def loaded() -> list[LoadedBenchmark]:
    return load_all([ROOT / "benchmarks" / f for f in FILES])


def deterministic() -> AgentEntry:
    return AgentEntry("deterministic", lambda: create_agent("deterministic"))


def stored_rows(db: Path) -> list[dict[str, Any]]:
    """Every stored episode's columns (result JSON included), without ids and clocks."""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT * FROM episodes ORDER BY benchmark_id, epoch").fetchall()
    drop = {"id", "execution_id", "run_id", "started_at", "recorded_at", "duration_ms"}
    out = []
    for row in rows:
        values = {k: row[k] for k in row.keys() if k not in drop}  # noqa: SIM118
        values["result_json"] = stable(json.loads(values["result_json"]))
        out.append(values)
    return out


def run_into(db: Path, loaded: list[LoadedBenchmark], **kwargs: Any) -> list[EpisodeResult]:
    store = open_store(f"sqlite:///{db}")
    try:
        reported: list[EpisodeResult] = []
        outcome = asyncio.run(
            run_matrix(
                loaded,
                [deterministic()],
                epochs=EPOCHS,
                store=store,
                run_id="r",
                on_result=reported.append,
                **kwargs,
            )
        )
        assert outcome.executed == len(loaded) * EPOCHS
        return reported
    finally:
        store.close()


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> list[StoreWriterProcess]:
    """A writer process for runs of a few episodes, batches of two, ready before the
    first episode (a short run would otherwise end before it has opened the database);
    the processes started are listed."""
    monkeypatch.setattr(result_writer, "PROCESS_WRITER_MIN", 4)
    monkeypatch.setattr(result_writer, "WRITE_BATCH", 2)
    started: list[StoreWriterProcess] = []
    real_start = StoreWriterProcess.start

    def start(url: str) -> StoreWriterProcess | None:
        process = real_start(url)
        assert process is not None
        assert process.wait_answer() == "ready"
        started.append(process)
        return process

    monkeypatch.setattr(StoreWriterProcess, "start", staticmethod(start))
    return started


def test_the_writer_process_stores_what_the_run_itself_would(
    loaded: list[LoadedBenchmark],
    tmp_path: Path,
    small_batches: list[StoreWriterProcess],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers: list[str] = []
    real_settle = ResultWriter._settle

    def settle(self: ResultWriter, answer: str) -> None:
        answers.append(answer)
        real_settle(self, answer)

    monkeypatch.setattr(ResultWriter, "_settle", settle)
    through_process = run_into(tmp_path / "a.db", loaded)
    assert len(small_batches) == 1
    assert answers.count("ok") >= 1, "the process committed batches"
    monkeypatch.setattr(result_writer, "PROCESS_WRITER_MIN", 10**9)
    in_process = run_into(tmp_path / "b.db", loaded)
    assert len(small_batches) == 1, "no writer process below PROCESS_WRITER_MIN"
    assert stored_rows(tmp_path / "a.db") == stored_rows(tmp_path / "b.db")
    assert len(through_process) == len(in_process) == len(loaded) * EPOCHS
    writer_process.reap_writers(None)


def test_results_are_reported_only_once_the_writer_process_committed_them(
    loaded: list[LoadedBenchmark], tmp_path: Path, small_batches: list[StoreWriterProcess]
) -> None:
    db = tmp_path / "r.db"
    committed_when_reported: list[bool] = []

    def check(result: EpisodeResult) -> None:
        with sqlite3.connect(db) as conn:
            row = conn.execute(
                "SELECT count(*) FROM episodes WHERE execution_id = ?", (result.execution_id,)
            ).fetchone()
        committed_when_reported.append(row[0] == 1)

    store = open_store(f"sqlite:///{db}")
    try:
        asyncio.run(
            run_matrix(loaded, [deterministic()], epochs=EPOCHS, store=store, on_result=check)
        )
    finally:
        store.close()
    assert len(committed_when_reported) == len(loaded) * EPOCHS
    assert all(committed_when_reported)


def test_a_writer_process_that_dies_loses_nothing(
    loaded: list[LoadedBenchmark],
    tmp_path: Path,
    small_batches: list[StoreWriterProcess],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_send = StoreWriterProcess.send
    sent = 0

    def send_then_die(self: StoreWriterProcess, run_id: str, rows: Any) -> bool:
        nonlocal sent
        sent += 1
        ok = real_send(self, run_id, rows)
        if sent == 1:  # killed with a batch in flight
            os.kill(self._child.pid, signal.SIGKILL)
        return ok

    monkeypatch.setattr(StoreWriterProcess, "send", send_then_die)
    reported = run_into(tmp_path / "r.db", loaded)
    assert sent == 1, "the process was used, then killed"
    assert small_batches[0].gone
    rows = stored_rows(tmp_path / "r.db")
    assert len(rows) == len(loaded) * EPOCHS
    assert {r["attempt"] for r in rows} == {1}, "no batch was written twice"
    assert len({r.execution_id for r in reported}) == len(loaded) * EPOCHS


def test_a_batch_the_writer_process_refuses_is_written_here_with_the_reason(
    tmp_path: Path, loaded: list[LoadedBenchmark], small_batches: list[StoreWriterProcess]
) -> None:
    """Two results of one episode in one batch break the run's unique index: the process
    refuses the batch, and the run's own write keeps the first and reports an error result
    naming why in place of the second."""
    db = tmp_path / "r.db"
    store = open_store(f"sqlite:///{db}")
    first = asyncio.run(run_matrix(loaded[:1], [deterministic()])).results[0]
    twin = first.model_copy(update={"execution_id": "twin"})
    store.create_run("r")
    reported: list[EpisodeResult] = []
    answers: list[str] = []

    async def write() -> None:
        writer = ResultWriter(store, "r", {}, reported.append)
        writer.start_process(result_writer.PROCESS_WRITER_MIN)
        assert writer._process is not None and writer._process.ready
        real_settle = writer._settle

        def settle(answer: str) -> None:
            answers.append(answer)
            real_settle(answer)

        writer._settle = settle  # type: ignore[method-assign]
        writer.add(first)
        writer.add(twin)  # a full batch: sent to the process
        writer.flush()
        writer.close()

    try:
        asyncio.run(write())
        stored = {e.execution_id: e for e in store.list_episodes(run_id="r")}
    finally:
        store.close()
    assert answers == ["refused"]
    assert [r.execution_id for r in reported] == [first.execution_id, "twin"]
    assert list(stored) == [first.execution_id]
    assert stored[first.execution_id].status == first.status
    assert reported[1].status == "error"
    assert "same key" in (reported[1].error or "")
    writer_process.reap_writers(None)


def test_no_writer_process_for_an_in_memory_store(
    loaded: list[LoadedBenchmark], small_batches: list[StoreWriterProcess]
) -> None:
    memory = open_store("sqlite://")
    try:
        outcome = asyncio.run(
            run_matrix(loaded, [deterministic()], epochs=EPOCHS, store=memory, run_id="m")
        )
        assert outcome.executed == len(loaded) * EPOCHS
        assert memory.count_episodes("m") == len(loaded) * EPOCHS
    finally:
        memory.close()
    assert small_batches == [], "only this process can see an in-memory database"
