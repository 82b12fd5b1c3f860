"""The store on a real PostgreSQL server (Debian's packages), started by the fixture:
migrations from an empty database, round trips, concurrent writers, the cache."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import inspect

from reev.results.records import EpisodeResult
from reev.store import Store, open_store
from reev.store.cache import ModelCallCache
from reev.store.engine import current_revision
from tests.store.pg_server import find_bin_dir, postgres_server


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    if find_bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install PostgreSQL (.ci/run)")
        pytest.skip("PostgreSQL server binaries are not installed")
    with postgres_server() as url:
        yield url


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    store = open_store(pg_url)
    yield store
    for run in store.list_runs(limit=None):
        store.delete_run(run.id)
    ModelCallCache(store).clear()
    store.close()


def test_migrations_from_an_empty_database(pg_url: str) -> None:
    with open_store(pg_url) as store:
        assert current_revision(store.engine) is not None
        tables = set(inspect(store.engine).get_table_names())
    assert {"runs", "episodes"} <= tables
    assert not {"steps", "transactions", "tool_calls", "model_calls"} & tables  # one form
    # concurrent opens serialize on the advisory lock and leave one schema
    errors: list[BaseException] = []

    def reopen() -> None:
        try:
            open_store(pg_url).close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reopen) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_models_match_migrations_on_postgres(pg_url: str) -> None:
    """The JSON columns are jsonb there, as the migrations made them (`JsonType` picks
    JSONB only on PostgreSQL)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from reev.store.models import Base

    with open_store(pg_url) as store, store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        kinds = {
            row[0]
            for row in conn.exec_driver_sql(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_name = 'episodes' AND column_name = 'result_json'"
            )
        }
    assert diff == []
    assert kinds == {"jsonb"}


def test_round_trip_on_postgres(pg_store: Store, suite_results: list[EpisodeResult]) -> None:
    pg_store.create_run("pg", {"db": "postgres"})
    pg_store.record_episodes("pg", suite_results)
    run = pg_store.get_run("pg")
    assert run is not None and run.episodes == len(suite_results)
    for r in suite_results:
        assert pg_store.get_episode_json(r.execution_id) == r.to_json_dict()
    retry = suite_results[0].model_copy(update={"execution_id": "pg-retry"})
    pg_store.record_episode("pg", retry)
    assert pg_store.count_episodes("pg") == len(suite_results)
    assert {e.attempt for e in pg_store.list_episodes(run_id="pg")} == {1, 2}
    big = suite_results[0].model_copy(update={"execution_id": "big-seed", "seed": 2**62})
    pg_store.create_run("pg2")
    pg_store.record_episode("pg2", big)
    (stored,) = pg_store.list_episodes(run_id="pg2")
    assert stored.seed == 2**62


def test_concurrent_writers_on_postgres(
    pg_store: Store, pg_url: str, suite_results: list[EpisodeResult]
) -> None:
    pg_store.create_run("conc")
    template = suite_results[0]
    errors: list[BaseException] = []

    def write(w: int) -> None:
        store = open_store(pg_url)  # one Store (engine) per writer: separate connections
        try:
            for b in range(5):
                store.record_episodes(
                    "conc",
                    [
                        template.model_copy(
                            update={"execution_id": f"{w}-{b}-{i}", "benchmark_id": f"{w}-{b}-{i}"}
                        )
                        for i in range(3)
                    ],
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert pg_store.count_episodes("conc") == 4 * 5 * 3


def test_cache_on_postgres(pg_store: Store) -> None:
    cache = ModelCallCache(pg_store)
    req = {
        "model": "m",
        "base_url": "http://127.0.0.1:1/v1",
        "messages": [{"role": "user", "content": "hi"}],
    }
    assert cache.get(**req) is None
    cache.put({"content": "hello"}, **req)
    assert cache.get(**req) == {"content": "hello"}
    assert cache.clear() == 1
