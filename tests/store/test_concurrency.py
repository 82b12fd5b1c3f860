"""Concurrent writers: threads sharing a Store and separate processes sharing the file
never lose or corrupt rows (the Rust reev lost statuses to lock conflicts)."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from pathlib import Path

from reev.results.records import EpisodeResult
from reev.store import Store, open_store

WRITERS = 4
BATCHES = 10


def _copies(template: EpisodeResult, writer: int, batch: int, size: int) -> list[EpisodeResult]:
    return [
        template.model_copy(
            update={
                "execution_id": f"w{writer}-b{batch}-{i}",
                "benchmark_id": f"bench-{writer}-{batch}-{i}",
            }
        )
        for i in range(size)
    ]


def test_threads_sharing_a_store_lose_nothing(
    store: Store, suite_results: list[EpisodeResult]
) -> None:
    store.create_run("r1")
    template = suite_results[0]
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            for batch in range(BATCHES):
                store.record_episodes("r1", _copies(template, writer, batch, 3))
                store.list_episodes(run_id="r1", limit=5)  # readers interleave with writers
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count_episodes("r1") == WRITERS * BATCHES * 3
    stored = store.get_episode("w0-b0-0")
    assert stored is not None and len(stored.steps) == len(template.steps)


def _process_writer(url: str, template_json: dict, writer: int) -> None:  # type: ignore[type-arg]
    template = EpisodeResult.model_validate(template_json)
    store = open_store(url)
    try:
        for batch in range(BATCHES):
            store.record_episodes("shared", _copies(template, writer, batch, 2))
    finally:
        store.close()


def test_processes_sharing_a_file_lose_nothing(
    tmp_path: Path, suite_results: list[EpisodeResult]
) -> None:
    path = tmp_path / "reev.db"
    url = f"sqlite:///{path}"
    with open_store(url) as store:
        store.create_run("shared")
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_process_writer, args=(url, suite_results[0].model_dump(mode="json"), w))
        for w in range(WRITERS)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * WRITERS
    with open_store(url) as store:
        assert store.count_episodes("shared") == WRITERS * BATCHES * 2
        ids = {e.execution_id for e in store.list_episodes(run_id="shared")}
    assert ids == {
        f"w{w}-b{b}-{i}" for w in range(WRITERS) for b in range(BATCHES) for i in range(2)
    }
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
